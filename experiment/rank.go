package experiment

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/gaeanas/gaeanas/data"
	"github.com/gaeanas/gaeanas/gaea"
	"github.com/gaeanas/gaeanas/internal/ckpt"
	"github.com/gaeanas/gaeanas/rundir"
	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gaeanas/gaeanas/stats"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// Rank disorder: does the supernet rank architectures as training them alone would? Rank restores a
// search run's last checkpoint, evaluates architectures of its space's benchmark as single paths of the
// supernet with the shared weights (gaea.Search.EvaluateGenotypes, as RS-WS scores its candidates) on
// held-out images, and sets that accuracy, and the probability θ gives each architecture, against the
// benchmark's stand-alone accuracy: Kendall's τ-b and Spearman's ρ with their confidence intervals
// (package stats).

// RankOptions say which architectures Rank evaluates, on which images, and how it computes the
// intervals. The zero value of a field takes the default in its comment.
type RankOptions struct {
	// Top is the number of the benchmark's best architectures (on the benchmark data set) that the
	// supernet can express; Random the number drawn uniformly without replacement, with Seed, from the
	// other ones it can express. Both 0: 20 and 100.
	Top, Random int
	Seed        int64
	// Genotypes, when given, are evaluated instead of Top and Random (in the space's text form).
	Genotypes []string
	// Images are the first Images of the data set's test split (default 512), in batches of Batch
	// (default 128, dividing Images); each batch is evaluated on its own, batch norm with its
	// statistics, so the images are the same for every architecture and every run.
	Images, Batch int
	// BenchmarkDataset is the benchmark's column the supernet is set against: "" takes the run's data
	// set when the benchmark has it, else the benchmark's first.
	BenchmarkDataset string
	// Level is the confidence level of the intervals (default 0.95); Resamples the bootstrap's
	// resamples (default 2000), drawn from BootstrapSeed.
	Level         float64
	Resamples     int
	BootstrapSeed uint64
	// DataDir overrides the run's data directory (settings data_dir, else $GAEA_DATA).
	DataDir string
	// Backend computes the evaluations; nil means backend.New().
	Backend backends.Backend
	// Log receives a progress line per held-out batch; nil means none.
	Log io.Writer
}

// Ranking is what Rank measures (gaea rank --json writes it).
type Ranking struct {
	Run       string `json:"run"` // the run folder as given
	Space     string `json:"space"`
	Algo      Algo   `json:"algo"`
	Dataset   string `json:"dataset"`
	Iteration int    `json:"iteration"` // of the checkpoint the shared weights come from
	HeldOut   string `json:"held_out"`  // which images, e.g. "cifar10 test[:512]"
	Images    int    `json:"images"`
	Batch     int    `json:"batch"`
	Seed      int64  `json:"seed"` // of the random architectures
	// Benchmark names the stand-alone accuracy ("NAS-Bench-201 CIFAR-10"), BenchmarkDataset its key.
	Benchmark        string       `json:"benchmark"`
	BenchmarkDataset string       `json:"benchmark_dataset"`
	Backend          string       `json:"backend"`
	Seconds          float64      `json:"seconds"` // wall time of the evaluations
	Archs            []RankedArch `json:"archs"`
	// Supernet is the rank correlation of the supernet accuracy (Acc) with the benchmark's.
	Supernet stats.RankCorrelation `json:"supernet"`
	// Theta is the rank correlation of the θ score (ThetaScore) with the benchmark's accuracy; nil when θ
	// gives every architecture the same score (ThetaNote says so), as RS-WS's uniform θ does.
	Theta     *stats.RankCorrelation `json:"theta,omitempty"`
	ThetaNote string                 `json:"theta_note,omitempty"`
}

// RankedArch is one architecture Rank evaluated.
type RankedArch struct {
	Genotype string `json:"genotype"`
	Index    int    `json:"index"`  // in the benchmark
	Source   string `json:"source"` // "top" (of the benchmark), "random" or "given"
	// Benchmark is its stand-alone test accuracy (%) in the benchmark's column.
	Benchmark float64 `json:"benchmark"`
	// Acc and Loss are the means over the held-out batches of the supernet's accuracy (a fraction) and
	// cross-entropy on each batch (BatchAcc, BatchLoss), summed in batch order: what
	// EvaluateGenotypes on all the batches gives.
	Acc       float64   `json:"acc"`
	Loss      float64   `json:"loss"`
	BatchAcc  []float64 `json:"batch_acc"`
	BatchLoss []float64 `json:"batch_loss"`
	// ThetaScore is the probability θ gives the architecture, ∏_e θ_e,op(e): the product over the edges
	// of the weight of its op, each edge's θ row read as a distribution over its ops.
	ThetaScore float64 `json:"theta_score"`
}

// Rank default values.
const (
	DefaultRankTop       = 20
	DefaultRankRandom    = 100
	DefaultRankImages    = 512
	DefaultRankBatch     = 128
	DefaultRankLevel     = 0.95
	DefaultRankResamples = 2000
)

// Rank's errors for a run folder it cannot rank (wrapped).
var (
	// ErrNoBenchmark: the run's space has no benchmark.
	ErrNoBenchmark = errors.New("the space has no benchmark to rank against")
	// ErrNoCheckpoint: the run has no checkpoint yet.
	ErrNoCheckpoint = errors.New("no checkpoint yet")
	// ErrRankOption: an option out of range, or a benchmark data set the benchmark lacks.
	ErrRankOption = errors.New("bad rank option")
)

// optionErr is an error about RankOptions (ErrRankOption).
func optionErr(format string, args ...any) error {
	return &rankOptionError{fmt.Sprintf(format, args...)}
}

type rankOptionError struct{ msg string }

func (e *rankOptionError) Error() string        { return e.msg }
func (e *rankOptionError) Is(target error) bool { return target == ErrRankOption }

func (o *RankOptions) defaults() error {
	if o.Top < 0 || o.Random < 0 {
		return optionErr("experiment: rank: top %d and random %d must not be negative", o.Top, o.Random)
	}
	if o.Top == 0 && o.Random == 0 && len(o.Genotypes) == 0 {
		o.Top, o.Random = DefaultRankTop, DefaultRankRandom
	}
	o.Images = cmp.Or(o.Images, DefaultRankImages)
	o.Batch = cmp.Or(o.Batch, DefaultRankBatch)
	o.Level = cmp.Or(o.Level, DefaultRankLevel)
	o.Resamples = cmp.Or(o.Resamples, DefaultRankResamples)
	switch {
	case o.Images < 1 || o.Batch < 1 || o.Images%o.Batch != 0:
		return optionErr("experiment: rank: %d held-out images in batches of %d: want positive numbers, the batch dividing the images", o.Images, o.Batch)
	case !(o.Level > 0 && o.Level < 1):
		return optionErr("experiment: rank: confidence level %g: want a number between 0 and 1", o.Level)
	case len(o.Genotypes) == 0 && o.Top+o.Random < 5, len(o.Genotypes) > 0 && len(o.Genotypes) < 5:
		return optionErr("experiment: rank: %d architectures: the intervals need at least 5", max(o.Top+o.Random, len(o.Genotypes)))
	case o.Resamples < 10:
		return optionErr("experiment: rank: %d bootstrap resamples: want at least 10", o.Resamples)
	}
	return nil
}

// CheckRank checks, without computing anything, that Rank can rank the run folder dir with these
// options: a search run (else ErrNotRun) whose space has a benchmark (else ErrNoBenchmark) and which has
// a checkpoint (else ErrNoCheckpoint), and options in range (else ErrRankOption).
func CheckRank(dir string, opt RankOptions) error {
	_, _, _, err := rankSetup(dir, &opt)
	return err
}

// rankSetup reads and checks what Rank needs before it opens the data: the run's settings, its space's
// benchmark and the benchmark's data set to rank against.
func rankSetup(dir string, opt *RankOptions) (Settings, spaces.Benchmark, string, error) {
	var st Settings
	if err := opt.defaults(); err != nil {
		return st, nil, "", err
	}
	if err := rundir.ReadJSON(filepath.Join(dir, SettingsFile), &st); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return st, nil, "", fmt.Errorf("%s: %w (no %s)", dir, ErrNotRun, SettingsFile)
		}
		return st, nil, "", err
	}
	if err := st.Validate(); err != nil {
		return st, nil, "", fmt.Errorf("%s/%s: %w: %v", dir, SettingsFile, ErrNotRun, err)
	}
	d, err := st.Descriptor()
	if err != nil {
		return st, nil, "", fmt.Errorf("%s: %w", dir, err)
	}
	if d.Benchmark == nil {
		return st, nil, "", fmt.Errorf("%s: %w (space %s)", dir, ErrNoBenchmark, st.Space)
	}
	key, err := benchmarkDataset(d.Benchmark, opt.BenchmarkDataset, st.Dataset)
	if err != nil {
		return st, nil, "", err
	}
	if !ckpt.Exists(dir) {
		return st, nil, "", fmt.Errorf("%s: %w: the shared weights to rank on are saved with the first checkpoint", dir, ErrNoCheckpoint)
	}
	return st, d.Benchmark, key, nil
}

// Rank evaluates architectures of the benchmark of a search run's space on the supernet of the run's
// last checkpoint (finished or not) and sets their supernet accuracy and θ score against the benchmark's
// stand-alone accuracy. The held-out images are the data set's test split: images a search on CIFAR-10
// never sees (its blocks draw from the training set). Nothing of the run folder changes.
func Rank(ctx context.Context, dir string, opt RankOptions) (*Ranking, error) {
	st, bench, key, err := rankSetup(dir, &opt)
	if err != nil {
		return nil, err
	}
	if opt.DataDir != "" {
		st.DataDir = opt.DataDir
	}
	r, err := prepare(ctx, st, dir, Options{Backend: opt.Backend}, true)
	if err != nil {
		return nil, err
	}
	s := r.search
	rk := &Ranking{Run: dir, Space: st.Space, Algo: st.Algo, Dataset: st.Dataset, Iteration: r.Iteration(),
		Images: opt.Images, Batch: opt.Batch, Seed: opt.Seed, Benchmark: bench.Title() + " " + datasetTitle(bench, key),
		BenchmarkDataset: key, Backend: r.be.Name()}
	accs, err := bench.Accuracies(key)
	if err != nil {
		return nil, err
	}
	genotypes, err := rankGenotypes(s, bench, accs, &opt, rk)
	if err != nil {
		return nil, err
	}
	if err := thetaScores(s, genotypes, rk.Archs); err != nil {
		return nil, err
	}
	xs, ys, name, err := heldOut(r.Data.Test, st.Dataset, opt.Images, opt.Batch)
	if err != nil {
		return nil, err
	}
	rk.HeldOut = name
	start := time.Now()
	for b := range xs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		scores, err := s.EvaluateGenotypes(genotypes, 1, gaea.ReplayBatches(xs[b:b+1], ys[b:b+1]))
		if err != nil {
			return nil, err
		}
		for i, sc := range scores {
			a := &rk.Archs[i]
			a.BatchAcc, a.BatchLoss = append(a.BatchAcc, sc.Acc), append(a.BatchLoss, sc.Loss)
		}
		if opt.Log != nil {
			fmt.Fprintf(opt.Log, "rank: batch %d/%d: %d architectures in %.0f s\n", b+1, len(xs), len(genotypes), time.Since(start).Seconds())
		}
	}
	rk.Seconds = math.Round(time.Since(start).Seconds()*1000) / 1000
	n := float64(len(xs))
	supernet, standalone, theta := make([]float64, len(rk.Archs)), make([]float64, len(rk.Archs)), make([]float64, len(rk.Archs))
	for i := range rk.Archs {
		a := &rk.Archs[i]
		for b := range a.BatchAcc { // EvaluateGenotypes's sum: each batch's mean ÷ batches, in order
			a.Acc += a.BatchAcc[b] / n
			a.Loss += a.BatchLoss[b] / n
		}
		supernet[i], standalone[i], theta[i] = a.Acc, a.Benchmark, a.ThetaScore
	}
	if len(rk.Archs) < 5 {
		return nil, fmt.Errorf("experiment: rank: %d architectures: the intervals need at least 5", len(rk.Archs))
	}
	if rk.Supernet, err = stats.RankCorrelations(supernet, standalone, opt.Level, opt.Resamples, opt.BootstrapSeed); err != nil {
		return nil, fmt.Errorf("experiment: rank: supernet accuracy against %s: %w", rk.Benchmark, err)
	}
	tc, err := stats.RankCorrelations(theta, standalone, opt.Level, opt.Resamples, opt.BootstrapSeed)
	switch {
	case errors.Is(err, stats.ErrConstant) && slices.Min(theta) == slices.Max(theta):
		rk.ThetaNote = "θ gives every architecture the same probability (θ is uniform: the search did not move it): no rank correlation"
	case err != nil:
		return nil, fmt.Errorf("experiment: rank: θ score against %s: %w", rk.Benchmark, err)
	default:
		rk.Theta = &tc
	}
	return rk, nil
}

// benchmarkDataset is the benchmark's column to rank against: the one asked for, else the run's data
// set when the benchmark has it, else the first.
func benchmarkDataset(b spaces.Benchmark, asked, dataset string) (string, error) {
	var keys []string
	for _, d := range b.Datasets() {
		keys = append(keys, d.Key)
	}
	switch {
	case asked != "" && slices.Contains(keys, asked):
		return asked, nil
	case asked != "":
		return "", optionErr("experiment: rank: %s has no data set %q (want one of %v)", b.Title(), asked, keys)
	case slices.Contains(keys, dataset):
		return dataset, nil
	case len(keys) == 0:
		return "", optionErr("experiment: rank: %s has no data set", b.Title())
	}
	return keys[0], nil
}

// rankGenotypes fills rk.Archs with the architectures to evaluate and returns their genotypes: the given
// ones, or the best opt.Top of the benchmark that the supernet can express (ties by index) and opt.Random
// drawn uniformly from the others it can express.
func rankGenotypes(s *gaea.Search, bench spaces.Benchmark, accs []float64, opt *RankOptions, rk *Ranking) ([]spaces.Genotype, error) {
	sp := s.Space()
	var out []spaces.Genotype
	add := func(g spaces.Genotype, e *spaces.BenchmarkEntry, source string) {
		out = append(out, g)
		rk.Archs = append(rk.Archs, RankedArch{Genotype: g.String(), Index: e.Index, Source: source, Benchmark: accs[e.Index]})
	}
	if len(opt.Genotypes) > 0 {
		for _, text := range opt.Genotypes {
			g, err := sp.ParseGenotype(text)
			if err != nil {
				return nil, err
			}
			if _, err := s.OneHot(g); err != nil {
				return nil, err
			}
			e, err := bench.Lookup(g.String())
			if err != nil {
				return nil, fmt.Errorf("experiment: rank: %s lookup of %s: %w", bench.Title(), g, err)
			}
			add(g, e, "given")
		}
		return out, nil
	}
	if len(accs) != bench.Size() {
		return nil, fmt.Errorf("experiment: rank: %s has %d architectures and %d accuracies", bench.Title(), bench.Size(), len(accs))
	}
	type cand struct {
		g spaces.Genotype
		e *spaces.BenchmarkEntry
	}
	var cands []cand
	for i := range bench.Size() {
		e, err := bench.Entry(i)
		if err != nil {
			return nil, err
		}
		g, err := sp.ParseGenotype(e.Arch)
		if err != nil {
			continue // an op the supernet lacks (`none` in a supernet without it)
		}
		if _, err := s.OneHot(g); err != nil {
			continue
		}
		cands = append(cands, cand{g, e})
	}
	byIndex := func(a, b cand) int { return a.e.Index - b.e.Index }
	slices.SortStableFunc(cands, func(a, b cand) int {
		if c := cmp.Compare(accs[b.e.Index], accs[a.e.Index]); c != 0 {
			return c
		}
		return byIndex(a, b)
	})
	top := min(opt.Top, len(cands))
	random := min(opt.Random, len(cands)-top)
	for _, c := range cands[:top] {
		add(c.g, c.e, "top")
	}
	rest := slices.Clone(cands[top:])
	slices.SortFunc(rest, byIndex)
	for _, i := range rand.New(rand.NewSource(opt.Seed)).Perm(len(rest))[:random] {
		add(rest[i].g, rest[i].e, "random")
	}
	return out, nil
}

// thetaScores sets each architecture's θ score: the product over the edges of θ at its op.
func thetaScores(s *gaea.Search, genotypes []spaces.Genotype, archs []RankedArch) error {
	theta, err := s.Theta()
	if err != nil {
		return err
	}
	ops := len(s.Space().Ops())
	for i, g := range genotypes {
		flat, err := s.OneHot(g)
		if err != nil {
			return err
		}
		p := 1.0
		for j, v := range flat {
			if v == 1 {
				p *= theta[j/ops][j%ops]
			}
		}
		archs[i].ThetaScore = p
	}
	return nil
}

// heldOut returns the first n images of a test split, normalised as the data set's test transform does,
// in batches of the given size, in order.
func heldOut(test *data.Set, dataset string, n, batch int) (xs, ys []*tensors.Tensor, name string, err error) {
	if test == nil || test.Len() < n {
		have := 0
		if test != nil {
			have = test.Len()
		}
		return nil, nil, "", fmt.Errorf("experiment: rank: %s has %d test images, %d asked for", dataset, have, n)
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	name = fmt.Sprintf("%s test[:%d]", dataset, n)
	tf, err := data.TestTransform(dataset)
	if err != nil {
		tf = data.Transform{} // pixels scaled to 0–1 only, as the search's batches
	}
	it, err := data.NewIterator(test.Subset(name, idx), batch).Shuffle(false).Transform(tf).Done()
	if err != nil {
		return nil, nil, "", err
	}
	for {
		b, err := it.Next()
		if errors.Is(err, io.EOF) {
			return xs, ys, name, nil
		}
		if err != nil {
			return nil, nil, "", err
		}
		xs, ys = append(xs, b.Images), append(ys, b.Labels)
	}
}
