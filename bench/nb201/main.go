// Command nb201 times one GAEA search iteration of our supernets, on the backend chosen by package
// backend (GOMLX_BACKEND, else XLA if a PJRT plugin is installed, else the pure-Go backend), for a side
// by side comparison with bench/nb201/torch_nb201.py (PyTorch).
//
// One iteration is exactly what `gaea search` runs per iteration: gaea.Search.Step, i.e. the
// architecture step (gradient of the loss w.r.t. θ (and β) on one batch, exponentiated-gradient update)
// then the weight step (gradient w.r.t. the supernet's weights on another batch, SGD momentum 0.9, weight
// decay 3e-4, gradient-norm clip 5, cosine learning rate), batch norm in training mode. The search is
// built as `gaea search` builds it: experiment.Defaults(paper preset, space, algorithm) with the sizes
// below, Settings.BuildSpace, Settings.Config, gaea.NewSearch. Only the data differ: two fixed batches
// of random images (32×32×3, 10 classes), one for each block, made once and kept on the device, so the
// timing holds no data loading or augmentation (the PyTorch side does the same).
//
// Configurations (--configs, default all):
//
//	nb201-quick  NAS-Bench-201 supernet, C=8,  N=1 cell per stage, 4 ops (no none), GAEA DARTS
//	nb201-c16    NAS-Bench-201 supernet, C=16, N=5, 4 ops
//	nb201-c24    NAS-Bench-201 supernet, C=24, N=5, 4 ops (GAEA's NAS-Bench-201 search size)
//	darts-pc     DARTS-space supernet, C=16, 8 layers, 8 ops, partial channels K=4, edge weights β
//	             (GAEA PC-DARTS), batch 64 (the paper's is 256)
//
// Each iteration's time is the wall time of Search.Step, which ends by reading both losses back to the
// host (waiting for the device). Warm-up iterations (the first compiles the graphs) are not timed; the
// median and min of the timed ones are reported, and the process's peak resident memory (VmHWM) after
// the config. Run one config per process for a per-config peak (compare.sh does).
//
// Usage (from the repository root):
//
//	go run ./bench/nb201 [--configs nb201-quick,darts-pc] [--reps 5] [--warmup 2] [--json out.jsonl]
//
// --batch, --size, --channels and --cells override the sizes of every chosen config (tests use them).
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"math/rand"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/gaeanas/gaeanas/bench/internal/host"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/backend/purego"
	"github.com/gaeanas/gaeanas/experiment"
	"github.com/gaeanas/gaeanas/gaea"
	_ "github.com/gaeanas/gaeanas/spaces/darts" // the spaces the benchmark's configs name
	_ "github.com/gaeanas/gaeanas/spaces/nb201"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

const (
	numClasses = 10
	seed       = 1
)

// benchConfig is one supernet to time.
type benchConfig struct {
	Name     string
	Space    string
	Algo     experiment.Algo
	Channels int // C
	Cells    int // NB201: cells per stage N; DARTS: layers
	Batch    int
	Size     int // image height and width
}

var allConfigs = []benchConfig{
	{Name: "nb201-quick", Space: "nb201", Algo: experiment.GAEADARTS, Channels: 8, Cells: 1, Batch: 64, Size: 32},
	{Name: "nb201-c16", Space: "nb201", Algo: experiment.GAEADARTS, Channels: 16, Cells: 5, Batch: 64, Size: 32},
	{Name: "nb201-c24", Space: "nb201", Algo: experiment.GAEADARTS, Channels: 24, Cells: 5, Batch: 64, Size: 32},
	{Name: "darts-pc", Space: "darts", Algo: experiment.GAEAPCDARTS, Channels: 16, Cells: 8, Batch: 64, Size: 32},
}

func configNames() []string {
	var names []string
	for _, c := range allConfigs {
		names = append(names, c.Name)
	}
	return names
}

// sizes overrides the sizes of a config (0 keeps the config's value).
type sizes struct{ Batch, Size, Channels, Cells int }

func (c benchConfig) with(o sizes) benchConfig {
	set := func(v *int, o int) {
		if o > 0 {
			*v = o
		}
	}
	set(&c.Batch, o.Batch)
	set(&c.Size, o.Size)
	set(&c.Channels, o.Channels)
	set(&c.Cells, o.Cells)
	return c
}

// selectConfigs parses a comma-separated list of config names ("" or "all": every config).
func selectConfigs(list string) ([]benchConfig, error) {
	if list == "" || list == "all" {
		return slices.Clone(allConfigs), nil
	}
	var out []benchConfig
	for name := range strings.SplitSeq(list, ",") {
		name = strings.TrimSpace(name)
		i := slices.IndexFunc(allConfigs, func(c benchConfig) bool { return c.Name == name })
		if i < 0 {
			return nil, fmt.Errorf("unknown config %q: want some of %s", name, strings.Join(configNames(), ","))
		}
		out = append(out, allConfigs[i])
	}
	return out, nil
}

// settings returns the search settings `gaea search --preset paper` would use for the config's space
// and algorithm, with the config's sizes.
func (c benchConfig) settings() (experiment.Settings, error) {
	st, err := experiment.Defaults(experiment.Paper, c.Space, c.Algo, "")
	if err != nil {
		return st, err
	}
	st.Channels, st.Cells, st.Batch, st.Seed = c.Channels, c.Cells, c.Batch, seed
	return st, st.Validate()
}

// fixedBatches feeds the search the same two batches every iteration: one for the architecture
// block, one for the weight block.
type fixedBatches struct{ x, y [2]*tensors.Tensor }

func (f *fixedBatches) Next(b gaea.Block) (*tensors.Tensor, *tensors.Tensor, error) {
	return f.x[b], f.y[b], nil
}
func (f *fixedBatches) State() (json.RawMessage, error) { return json.RawMessage("{}"), nil }
func (f *fixedBatches) SetState(json.RawMessage) error  { return nil }

// randomBatch returns NHWC float32 images in [-1, 1) and int32 labels [batch].
func randomBatch(rng *rand.Rand, batch, size int) (*tensors.Tensor, *tensors.Tensor) {
	x := make([]float32, batch*size*size*3)
	for i := range x {
		x[i] = 2*rng.Float32() - 1
	}
	y := make([]int32, batch)
	for i := range y {
		y[i] = int32(rng.Intn(numClasses))
	}
	return tensors.FromFlatDataAndDimensions(x, batch, size, size, 3), tensors.FromFlatDataAndDimensions(y, batch)
}

func newFixedBatches(be backends.Backend, batch, size int) (*fixedBatches, error) {
	rng := rand.New(rand.NewSource(seed))
	f := &fixedBatches{}
	for _, b := range []gaea.Block{gaea.ArchBlock, gaea.WeightBlock} {
		f.x[b], f.y[b] = randomBatch(rng, batch, size)
		// On the device, as the PyTorch side keeps its batches: no host→device copy is timed.
		for _, t := range []*tensors.Tensor{f.x[b], f.y[b]} {
			if err := t.MaterializeOnDevice(be, false, 0); err != nil {
				return nil, fmt.Errorf("moving a batch to the device: %w", err)
			}
		}
	}
	return f, nil
}

// newSearch builds the search of a config as `gaea search` does (experiment.prepare): the settings'
// space for 10 classes, Settings.Config, gaea.NewSearch.
func newSearch(be backends.Backend, c benchConfig) (*gaea.Search, experiment.Settings, error) {
	st, err := c.settings()
	if err != nil {
		return nil, st, err
	}
	batches, err := newFixedBatches(be, c.Batch, c.Size)
	if err != nil {
		return nil, st, err
	}
	stepsPerEpoch := max(1, (st.TrainImages+c.Batch-1)/c.Batch)
	space, err := st.BuildSpace(numClasses)
	if err != nil {
		return nil, st, err
	}
	cfg, err := st.Config(space, stepsPerEpoch)
	if err != nil {
		return nil, st, err
	}
	s, err := gaea.NewSearch(be, cfg, batches)
	return s, st, err
}

// supernetParams counts the elements of the supernet's trainable weights (not θ, β, batch-norm moving
// averages or optimizer state).
func supernetParams(ctx *context.Context) int {
	root := ctx.InAbsPath(context.RootScope + "supernet").Scope()
	n := 0
	for v := range ctx.IterVariables() {
		if v.Trainable && (v.Scope() == root || strings.HasPrefix(v.Scope(), root+context.ScopeSeparator)) {
			n += v.Shape().Size()
		}
	}
	return n
}

// Result is what one config reports (a line of --json).
type Result struct {
	Program         string    `json:"program"`
	Config          string    `json:"config"`
	Backend         string    `json:"backend"`
	Device          string    `json:"device"`
	Space           string    `json:"space"`
	Algo            string    `json:"algo"`
	Channels        int       `json:"channels"`
	Cells           int       `json:"cells"`
	Ops             int       `json:"ops"`
	Edges           int       `json:"edges"`
	PartialChannels int       `json:"partial_channels"`
	EdgeWeights     bool      `json:"edge_weights"`
	Batch           int       `json:"batch"`
	Size            int       `json:"size"`
	Warmup          int       `json:"warmup"`
	Reps            int       `json:"reps"`
	Params          int       `json:"params"`      // supernet weights
	ArchParams      int       `json:"arch_params"` // θ and β entries
	FirstMs         float64   `json:"first_ms"`    // the first iteration, graph compilation included
	MedianMs        float64   `json:"median_ms"`
	MinMs           float64   `json:"min_ms"`
	MeanMs          float64   `json:"mean_ms"`
	IterMs          []float64 `json:"iter_ms"`
	CPUMedianMs     float64   `json:"cpu_median_ms"` // process CPU time (user + system) per timed iteration, median
	CPUMinMs        float64   `json:"cpu_min_ms"`
	IterCPUMs       []float64 `json:"iter_cpu_ms"`
	ArchLoss        float64   `json:"arch_loss"`   // of the last iteration
	WeightLoss      float64   `json:"weight_loss"` // of the last iteration
	PeakRSSMB       float64   `json:"peak_rss_mb"` // VmHWM of the process after this config
	// GFLOPs is an iteration's useful work: the FLOPs (2 per multiply-add) of the convolutions and dot
	// products the pure-Go backend ran in the timed iterations (both blocks, forward and backward;
	// purego.ExecutedFLOPs), per iteration; 0 on another backend.
	GFLOPs float64 `json:"gflops_per_iter"`
	// GEMMPeakGFLOPS is the float32 GEMM rate of Threads cores together, measured after the config
	// (purego.GEMMPeak), and PeakFraction the iteration's GFLOPs / median time as a fraction of it.
	GEMMPeakGFLOPS float64 `json:"gemm_peak_gflops,omitempty"`
	PeakFraction   float64 `json:"peak_fraction,omitempty"`
	CPU            string  `json:"cpu"`
	Threads        int     `json:"threads"` // GOMAXPROCS
}

// runConfig builds the search of c and times warmup + reps iterations.
func runConfig(be backends.Backend, c benchConfig, warmup, reps int) (Result, error) {
	s, st, err := newSearch(be, c)
	if err != nil {
		return Result{}, fmt.Errorf("%s: %w", c.Name, err)
	}
	space := s.Space()
	res := Result{
		Program: "gomlx", Config: c.Name, Backend: backend.Name(), Device: host.Description(be),
		Space: string(c.Space), Algo: string(c.Algo), Channels: c.Channels, Cells: c.Cells,
		Ops: len(space.Ops()), Edges: len(space.Edges()), PartialChannels: st.PartialChannels,
		EdgeWeights: space.EdgeGroups() != nil, Batch: c.Batch, Size: c.Size, Warmup: warmup, Reps: reps,
		ArchParams: len(space.Edges()) * len(space.Ops()), CPU: host.CPUModel(), Threads: runtime.GOMAXPROCS(0),
	}
	for _, g := range space.EdgeGroups() {
		res.ArchParams += len(g)
	}
	_, pure := be.(*purego.Backend)
	var flops0 int64
	for i := range warmup + reps {
		if i == warmup {
			flops0 = purego.ExecutedFLOPs()
		}
		if i == warmup && *flagProfile != "" {
			stop, err := startProfile(*flagProfile, c.Name)
			if err != nil {
				return res, err
			}
			defer stop()
		}
		cpu0 := cpuTime()
		start := time.Now()
		if err := s.Step(); err != nil { // reads both losses back: waits for the device
			return res, fmt.Errorf("%s: iteration %d: %w", c.Name, i+1, err)
		}
		ms := float64(time.Since(start).Microseconds()) / 1000
		cpuMs := float64((cpuTime() - cpu0).Microseconds()) / 1000
		if i == 0 {
			res.FirstMs = ms
			res.Params = supernetParams(s.Context())
		}
		if i >= warmup {
			res.IterMs = append(res.IterMs, ms)
			res.IterCPUMs = append(res.IterCPUMs, cpuMs)
		}
	}
	if *flagMemProf != "" {
		if err := writeAllocs(*flagMemProf + "-" + c.Name + ".mprof"); err != nil {
			return res, err
		}
	}
	for _, r := range s.History() {
		if r.Block == gaea.ArchBlock.String() {
			res.ArchLoss = r.Loss
		} else {
			res.WeightLoss = r.Loss
		}
	}
	if len(res.IterMs) > 0 {
		res.MedianMs, res.MinMs, res.MeanMs = stats(res.IterMs)
		res.CPUMedianMs, res.CPUMinMs, _ = stats(res.IterCPUMs)
	}
	if pure && reps > 0 {
		res.GFLOPs = float64(purego.ExecutedFLOPs()-flops0) / float64(reps) / 1e9
		res.GEMMPeakGFLOPS = purego.GEMMPeak(300*time.Millisecond, res.Threads)
		res.PeakFraction = res.GFLOPs / (res.MedianMs / 1000) / res.GEMMPeakGFLOPS
	}
	res.PeakRSSMB = peakRSSMB()
	return res, nil
}

// cpuTime is the CPU time (user + system) the process has used so far, all threads; 0 where
// getrusage fails.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// stats returns the median, min and mean of xs (not empty).
func stats(xs []float64) (median, minimum, mean float64) {
	sorted := slices.Clone(xs)
	slices.Sort(sorted)
	n := len(sorted)
	median = sorted[n/2]
	if n%2 == 0 {
		median = (sorted[n/2-1] + sorted[n/2]) / 2
	}
	for _, v := range sorted {
		mean += v
	}
	return median, sorted[0], mean / float64(n)
}

// peakRSSMB is the process's peak resident set size (VmHWM in /proc/self/status) in MB (2^20 bytes);
// NaN where /proc is missing.
func peakRSSMB() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return math.NaN()
	}
	for line := range strings.SplitSeq(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			f := strings.Fields(v) // "123456 kB"
			if len(f) >= 1 {
				if kb, err := strconv.ParseFloat(f[0], 64); err == nil {
					return kb / 1024
				}
			}
		}
	}
	return math.NaN()
}

// line is the one-line summary of a result.
func line(r Result) string {
	shape := fmt.Sprintf("C=%d N=%d", r.Channels, r.Cells)
	if r.PartialChannels > 0 { // a partial-channel supernet: its depth, K and edge weights say what ran
		shape = fmt.Sprintf("C=%d L=%d K=%d β=%v", r.Channels, r.Cells, r.PartialChannels, r.EdgeWeights)
	}
	l := fmt.Sprintf("%-12s %s ops=%d batch=%d %dx%d  params %d (+%d arch)  first %.1f ms  median %.1f ms  min %.1f ms  CPU median %.1f ms  min %.1f ms  (%d warm-up, %d timed)  peak RSS %.0f MB",
		r.Config, shape, r.Ops, r.Batch, r.Size, r.Size, r.Params, r.ArchParams, r.FirstMs, r.MedianMs, r.MinMs,
		r.CPUMedianMs, r.CPUMinMs, r.Warmup, r.Reps, r.PeakRSSMB)
	if r.GFLOPs > 0 {
		l += fmt.Sprintf("  %.3f GFLOP/iter  %.1f GFLOP/s  %.1f %% of our GEMM's %.1f GFLOP/s on %d threads",
			r.GFLOPs, r.GFLOPs/(r.MedianMs/1000), 100*r.PeakFraction, r.GEMMPeakGFLOPS, r.Threads)
	}
	return l
}

var (
	flagConfigs  = flag.String("configs", "all", "comma-separated configs: "+strings.Join(configNames(), ",")+" (or all)")
	flagReps     = flag.Int("reps", 5, "timed iterations per config")
	flagWarmup   = flag.Int("warmup", 2, "untimed warm-up iterations per config (the first compiles the graphs)")
	flagJSON     = flag.String("json", "", "also write one JSON object per config to this file (JSON lines)")
	flagBatch    = flag.Int("batch", 0, "override the batch size of every config (0: the config's, 64)")
	flagSize     = flag.Int("size", 0, "override the image size of every config (0: 32)")
	flagChannels = flag.Int("channels", 0, "override C of every config (0: the config's)")
	flagProfile  = flag.String("cpuprofile", "", "write a Go CPU profile of the timed iterations (after the warm-up) of each config to PREFIX-CONFIG.prof")
	flagMemProf  = flag.String("memprofile", "", "write a Go allocation profile (every allocation since the start, sampled) after each config to PREFIX-CONFIG.mprof")
	flagCells    = flag.Int("cells", 0, "override N (NB201) or the layers (DARTS) of every config (0: the config's)")
)

// errUsage marks a bad argument (exit status 2).
var errUsage = errors.New("usage")

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "nb201: %v\n", err)
		if errors.Is(err, errUsage) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

func run() error {
	if flag.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, flag.Arg(0))
	}
	if *flagReps < 1 || *flagWarmup < 0 || *flagBatch < 0 || *flagSize < 0 || *flagChannels < 0 || *flagCells < 0 {
		return fmt.Errorf("%w: need --reps >= 1, --warmup >= 0 and sizes >= 0", errUsage)
	}
	configs, err := selectConfigs(*flagConfigs)
	if err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	be, err := backend.New()
	if err != nil {
		return err
	}
	var out *os.File
	if *flagJSON != "" {
		if out, err = os.Create(*flagJSON); err != nil {
			return err
		}
		defer out.Close()
	}
	fmt.Printf("host: %s, GOMAXPROCS=%d, backend %s (%s)\n", host.CPUModel(), runtime.GOMAXPROCS(0), backend.Name(), host.Description(be))
	o := sizes{Batch: *flagBatch, Size: *flagSize, Channels: *flagChannels, Cells: *flagCells}
	for _, c := range configs {
		r, err := runConfig(be, c.with(o), *flagWarmup, *flagReps)
		if err != nil {
			return err
		}
		fmt.Println(line(r))
		if out != nil {
			data, _ := json.Marshal(r)
			if _, err := fmt.Fprintf(out, "%s\n", data); err != nil {
				return err
			}
		}
	}
	return nil
}

// startProfile starts a CPU profile into prefix-name.prof; the returned function stops it.
// writeAllocs writes the allocation profile (pprof "allocs") to path, after a garbage collection: the
// profile counts the allocations up to the last completed one.
func writeAllocs(path string) error {
	runtime.GC()
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func startProfile(prefix, name string) (func(), error) {
	f, err := os.Create(prefix + "-" + name + ".prof")
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
