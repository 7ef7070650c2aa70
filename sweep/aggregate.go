package sweep

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/gaeanas/gaeanas/data"
	"github.com/gaeanas/gaeanas/experiment"
	"github.com/gaeanas/gaeanas/rundir"
	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gaeanas/gaeanas/viz"
)

// Files Aggregate writes in the sweep folder.
const (
	AggregateHTML = "aggregate.html"
	AggregateCSV  = "aggregate.csv"
	AggregateJSON = "aggregate.json"
)

// Stat is the mean and the sample standard deviation (n − 1; 0 for one run, which the tables show as
// "—" and aggregate.csv as an empty cell) over N runs.
type Stat struct {
	Mean float64 `json:"mean"`
	Std  float64 `json:"std"`
	N    int     `json:"n"`
}

func statOf(v []float64) Stat {
	m, s := viz.MeanStd(v)
	return Stat{Mean: m, Std: s, N: len(v)}
}

// Row is one algorithm (at one architecture learning rate) of a table, over its seeds.
type Row struct {
	Algo   string  `json:"algo"`
	ArchLR float64 `json:"arch_lr"`
	// AugmentArch: whether the architecture batches were augmented (the settings key augment_arch).
	AugmentArch bool    `json:"augment_arch"`
	Seeds       []int64 `json:"seeds"`
	// Scores are the benchmark's test accuracies (%) and ranks (1 = best) of the found cells, one per
	// data set of the space's benchmark (none for a space without one). aggregate.json writes them as
	// "<data set>" and "rank_<data set>".
	Scores []ScoreStat `json:"-"`
	// ParamFree: edges of the found cell whose op has no parameters (the drift DARTS is known for),
	// for a space that counts them (spaces.ParamFreeCounter); nil for others.
	ParamFree *Stat `json:"param_free_edges,omitempty"`
	Entropy   Stat  `json:"mean_entropy"` // final mean per-edge entropy of θ (nats)
	// RelEntropy is Entropy / log K for K ops per edge: 1 for a uniform θ, 0 for one-hot; it compares
	// spaces with and without none.
	RelEntropy Stat `json:"relative_entropy"`
	Seconds    Stat `json:"seconds"` // search time
	// Genotypes are the found cells, one per seed (in the order of Seeds), in the space's text form.
	Genotypes []string `json:"genotypes"`

	dirs   []string
	ops    [][]string
	spaces []spaces.Space
}

// ScoreStat is a row's accuracy (%) and rank on one data set of its space's benchmark, and its regret
// (percentage points above the space's lowest error; NAS-Bench-1Shot1) when the benchmark measures one.
type ScoreStat struct {
	Dataset, Title string
	Acc, Rank      Stat
	Regret         *Stat
}

// MarshalJSON writes the scores as keys of the row: "<data set>": accuracy, "rank_<data set>": rank.
func (r Row) MarshalJSON() ([]byte, error) {
	type plain Row
	raw, err := json.Marshal(plain(r))
	if err != nil || len(r.Scores) == 0 {
		return raw, err
	}
	var extra []byte
	for _, s := range r.Scores {
		kvs := []struct {
			key string
			v   Stat
		}{{s.Dataset, s.Acc}, {"rank_" + s.Dataset, s.Rank}}
		if s.Regret != nil {
			kvs = append(kvs, struct {
				key string
				v   Stat
			}{"regret_" + s.Dataset, *s.Regret})
		}
		for _, kv := range kvs {
			k, _ := json.Marshal(kv.key)
			b, err := json.Marshal(kv.v)
			if err != nil {
				return nil, err
			}
			extra = append(append(append(append(extra, ','), k...), ':'), b...)
		}
	}
	return append(append(bytes.TrimSuffix(raw, []byte("}")), extra...), '}'), nil
}

// Table is the rows of one (space, data set).
type Table struct {
	Space     string `json:"space"`
	Dataset   string `json:"dataset"`
	Benchmark string `json:"benchmark,omitempty"` // the space's benchmark ("NAS-Bench-201"); "" for none
	// Note says, for a space whose benchmark is a file that was not named, that the table has no lookups
	// or that it shows the entries the searches stored.
	Note string `json:"note,omitempty"`
	Rows []Row  `json:"rows"`

	bench  spaces.Benchmark
	free   bool // the param-free edges column is present
	regret bool // the benchmark's scores have regrets: a regret column per data set
}

// openFileBenchmark opens the benchmark file of space d (once per space): the benchmark, or the note
// that says no file was named.
func openFileBenchmark(d *spaces.Descriptor, opened map[string]spaces.Benchmark, opt AggregateOptions) (spaces.Benchmark, string, error) {
	if b, ok := opened[d.Name]; ok {
		return b, "", nil
	}
	path := ""
	if opt.BenchmarkPath != nil {
		var err error
		if path, err = opt.BenchmarkPath(d); err != nil {
			return nil, "", err
		}
	}
	if path == "" {
		path = os.Getenv(d.BenchmarkFile.Env)
	}
	var progress func(done, total int64)
	if opt.Progress != nil {
		progress = func(done, total int64) { opt.Progress(path, done, total) }
	}
	b, err := d.OpenBenchmark(path, progress)
	var none *spaces.NoBenchmarkError
	if errors.As(err, &none) {
		return nil, none.Error(), nil
	}
	if err != nil {
		return nil, "", err
	}
	opened[d.Name] = b
	return b, "", nil
}

// Aggregate is the results of a sweep folder (or of any folder of run folders).
type Aggregate struct {
	Dir      string   `json:"dir"`
	Runs     int      `json:"runs"`              // finished runs aggregated
	Missing  []string `json:"missing,omitempty"` // cells without result.json
	Tables   []Table  `json:"tables"`
	Warnings []string `json:"warnings,omitempty"` // result files that could not be read
}

// stored tells whether a run of the table's rows carries the benchmark entry its search stored.
func stored[K comparable](rows map[K][]*experiment.Result) bool {
	for _, runs := range rows {
		for _, r := range runs {
			if r.Benchmark != nil {
				return true
			}
		}
	}
	return false
}

// storedBenchmark stands for a benchmark file that was not named: a table shows the entries the
// searches stored in their result.json, under the file's title and data sets; what needs the file
// (looking a genotype up, the accuracy over a search) says how to name it.
type storedBenchmark struct {
	f    *spaces.BenchmarkFile
	note string // why there is no file (spaces.NoBenchmarkError)
}

func (s storedBenchmark) Title() string                       { return s.f.Title }
func (s storedBenchmark) Datasets() []spaces.BenchmarkDataset { return s.f.Datasets }
func (s storedBenchmark) Size() int                           { return 0 }
func (s storedBenchmark) Lookup(string) (*spaces.BenchmarkEntry, error) {
	return nil, errors.New(s.note)
}
func (s storedBenchmark) Entry(int) (*spaces.BenchmarkEntry, error)   { return nil, errors.New(s.note) }
func (s storedBenchmark) Best(string) (*spaces.BenchmarkEntry, error) { return nil, errors.New(s.note) }
func (s storedBenchmark) Accuracies(string) ([]float64, error)        { return nil, errors.New(s.note) }

// AggregateOptions say where the benchmarks kept in files are (spaces.Descriptor.BenchmarkFile:
// NAS-Bench-1Shot1's NAS-Bench-101 file). The zero value takes them from their environment variables.
type AggregateOptions struct {
	// BenchmarkPath returns the path of a space's benchmark file ("": its environment variable's);
	// nil: the environment variables'.
	BenchmarkPath func(d *spaces.Descriptor) (string, error)
	// Progress, when not nil, is called while a first open of a benchmark file reads it.
	Progress func(path string, done, total int64)
}

// AggregateDir reads the result.json of every cell of the sweep folder dir (of every subfolder
// holding one, when dir has no sweep.json) and groups them by (space, data set) and (algorithm,
// architecture learning rate). The found cells of a space whose benchmark is a file are looked up in
// that file when opt (or the environment) names it; else the table shows the entries the searches
// stored in their result.json, a run without one a warning, and says so in its Note (or, when no run
// stored one, that it has no lookups).
func AggregateDir(dir string, opt AggregateOptions) (*Aggregate, error) {
	agg := &Aggregate{Dir: dir}
	var dirs []string
	var order []string // algorithms in the sweep's order
	if sw, err := Open(dir, nil); err == nil {
		for _, c := range sw.Spec.Cells {
			dirs = append(dirs, sw.CellDir(c))
		}
		order = sw.Spec.Algos
	} else if errors.Is(err, ErrNotSweep) {
		entries, err := os.ReadDir(dir)
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w (no such folder)", dir, ErrNotSweep)
		}
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if e.IsDir() && rundir.Exists(filepath.Join(dir, e.Name(), experiment.SettingsFile)) {
				dirs = append(dirs, filepath.Join(dir, e.Name()))
			}
		}
		if len(dirs) == 0 {
			return nil, fmt.Errorf("%s: %w, and no subfolder holds a search run", dir, ErrNotSweep)
		}
	} else {
		return nil, err
	}
	type key struct{ space, dataset string }
	type rkey struct {
		algo    string
		lr      float64
		augment bool
	}
	tables := map[key]map[rkey][]*experiment.Result{}
	for _, d := range dirs {
		res, err := experiment.ReadResult(d)
		if errors.Is(err, os.ErrNotExist) {
			agg.Missing = append(agg.Missing, filepath.Base(d))
			continue
		}
		if err != nil {
			agg.Warnings = append(agg.Warnings, err.Error())
			continue
		}
		k := key{string(res.Space), data.Canonical(res.Dataset)} // embedded and cifar10-sample are one data set
		if tables[k] == nil {
			tables[k] = map[rkey][]*experiment.Result{}
		}
		rk := rkey{string(res.Algo), res.Settings.ArchLR, res.Settings.AugmentArch}
		tables[k][rk] = append(tables[k][rk], res)
		agg.Runs++
	}
	rank := func(a string) int {
		for i, x := range order {
			if x == a {
				return i
			}
		}
		return len(order)
	}
	opened := map[string]spaces.Benchmark{} // file benchmarks by space
	for k, rows := range tables {
		t := Table{Space: k.space, Dataset: k.dataset}
		desc, _ := spaces.Lookup(k.space) // an unlinked space's runs aggregate without its benchmark
		fromFile := false
		switch {
		case desc != nil && desc.Benchmark != nil:
			t.bench, t.Benchmark = desc.Benchmark, desc.Benchmark.Title()
		case desc != nil && desc.BenchmarkFile != nil:
			b, note, err := openFileBenchmark(desc, opened, opt)
			if err != nil {
				return nil, err
			}
			t.Note, fromFile = note, b != nil
			if b == nil && stored(rows) && len(desc.BenchmarkFile.Datasets) > 0 {
				// No file named: the entries each search looked up and stored in its result.json.
				b = storedBenchmark{desc.BenchmarkFile, note}
				t.Note = fmt.Sprintf("%s entries as the searches stored them in result.json (%s, to look them up again and for the accuracy over the search)",
					desc.BenchmarkFile.Title, strings.TrimPrefix(note, "no "+desc.BenchmarkFile.Title+" lookup for "+k.space+": "))
			}
			if b != nil {
				t.bench, t.Benchmark = b, b.Title()
			}
		}
		for rk, runs := range rows {
			sort.Slice(runs, func(i, j int) bool { return runs[i].Seed < runs[j].Seed })
			r := Row{Algo: rk.algo, ArchLR: rk.lr, AugmentArch: rk.augment}
			var ent, rel, sec, free []float64
			acc, rnk, reg := map[string][]float64{}, map[string][]float64{}, map[string][]float64{}
			for _, res := range runs {
				r.Seeds = append(r.Seeds, res.Seed)
				r.Genotypes = append(r.Genotypes, res.Genotype)
				r.dirs = append(r.dirs, res.Dir)
				r.ops = append(r.ops, res.Ops)
				r.spaces = append(r.spaces, spaceOf(res))
				ent = append(ent, res.Entropy)
				if len(res.ArchWeights) > 0 && len(res.ArchWeights[0]) > 1 {
					rel = append(rel, res.Entropy/math.Log(float64(len(res.ArchWeights[0]))))
				}
				sec = append(sec, res.Seconds)
				if n, ok := paramFree(res); ok {
					free = append(free, float64(n))
				}
				e := res.Benchmark
				if fromFile { // looked up in the file named now, whatever the search had
					var err error
					if e, err = t.bench.Lookup(res.Genotype); err != nil {
						agg.Warnings = append(agg.Warnings, fmt.Sprintf("%s: %s lookup of %s: %v", filepath.Base(res.Dir), t.Benchmark, res.Genotype, err))
						e = nil
					}
				}
				if _, ok := t.bench.(storedBenchmark); ok && e == nil {
					agg.Warnings = append(agg.Warnings, fmt.Sprintf("%s: no stored %s entry (searched without the file): left out of the accuracy columns",
						filepath.Base(res.Dir), t.Benchmark))
				}
				if e != nil && t.bench != nil {
					for _, sc := range e.Scores {
						acc[sc.Dataset], rnk[sc.Dataset] = append(acc[sc.Dataset], sc.Accuracy), append(rnk[sc.Dataset], float64(sc.Rank))
						if sc.Regret != nil {
							reg[sc.Dataset] = append(reg[sc.Dataset], *sc.Regret)
						}
					}
				}
			}
			r.Entropy, r.RelEntropy, r.Seconds = statOf(ent), statOf(rel), statOf(sec)
			if len(free) > 0 {
				x := statOf(free)
				r.ParamFree, t.free = &x, true
			}
			if t.bench != nil {
				for _, ds := range t.bench.Datasets() {
					if len(acc[ds.Key]) > 0 {
						sc := ScoreStat{Dataset: ds.Key, Title: ds.Title, Acc: statOf(acc[ds.Key]), Rank: statOf(rnk[ds.Key])}
						if len(reg[ds.Key]) == len(acc[ds.Key]) {
							x := statOf(reg[ds.Key])
							sc.Regret, t.regret = &x, true
						}
						r.Scores = append(r.Scores, sc)
					}
				}
			}
			t.Rows = append(t.Rows, r)
		}
		sort.Slice(t.Rows, func(i, j int) bool {
			a, b := t.Rows[i], t.Rows[j]
			if rank(a.Algo) != rank(b.Algo) {
				return rank(a.Algo) < rank(b.Algo)
			}
			if a.Algo != b.Algo {
				return a.Algo < b.Algo
			}
			if a.ArchLR != b.ArchLR {
				return a.ArchLR < b.ArchLR
			}
			return a.AugmentArch && !b.AugmentArch
		})
		agg.Tables = append(agg.Tables, t)
	}
	sort.Slice(agg.Tables, func(i, j int) bool {
		a, b := agg.Tables[i], agg.Tables[j]
		if a.Space != b.Space {
			return a.Space < b.Space
		}
		return a.Dataset < b.Dataset
	})
	return agg, nil
}

// label names a row: the algorithm, with its architecture learning rate when the table has the
// algorithm at several, and "no arch aug" when its architecture batches were not augmented.
func (t *Table) label(r Row) string {
	lrs := map[float64]bool{}
	for _, x := range t.Rows {
		if x.Algo == r.Algo {
			lrs[x.ArchLR] = true
		}
	}
	l := r.Algo
	if len(lrs) > 1 {
		l += fmt.Sprintf(" (arch lr %g)", r.ArchLR)
	}
	if !r.AugmentArch {
		l += ", no arch aug"
	}
	return l
}

// spaceOf builds the space of a result's settings (for the benchmark figure), nil when it cannot.
func spaceOf(res *experiment.Result) spaces.Space {
	space, err := res.Settings.BuildSpace(10)
	if err != nil {
		return nil
	}
	return space
}

// paramFree counts the edges of a result's genotype whose op has no parameters, for a space that
// counts them.
func paramFree(res *experiment.Result) (int, bool) {
	d, err := spaces.Lookup(res.Space)
	if err != nil {
		return 0, false
	}
	sp, err := d.Space()
	if err != nil {
		return 0, false
	}
	c, ok := sp.(spaces.ParamFreeCounter)
	if !ok {
		return 0, false
	}
	g, err := sp.ParseGenotype(res.Genotype)
	if err != nil {
		return 0, false
	}
	return c.ParamFreeEdges(g), true
}

// pm writes mean ± std; for a single run there is no spread to show: "mean ± —".
func pm(s *Stat, prec int) string {
	if s == nil || s.N == 0 || math.IsNaN(s.Mean) {
		return "–"
	}
	if s.N == 1 {
		return fmt.Sprintf("%.*f ± —", prec, s.Mean)
	}
	return fmt.Sprintf("%.*f ± %.*f", prec, s.Mean, prec, s.Std)
}

// datasets are the benchmark data sets of a table's columns.
func (t *Table) datasets() []spaces.BenchmarkDataset {
	if t.bench == nil {
		return nil
	}
	return t.bench.Datasets()
}

// columns of a table: header and cell text.
func (t *Table) columns() ([]string, func(Row) []string) {
	head := []string{"algorithm", "runs"}
	for _, ds := range t.datasets() {
		head = append(head, ds.Title+" %", "rank")
		if t.regret {
			head = append(head, "regret (points)")
		}
	}
	if t.free {
		head = append(head, "param-free edges")
	}
	head = append(head, "entropy (nats)", "entropy/log K", "search s")
	return head, func(r Row) []string {
		c := []string{t.label(r), fmt.Sprint(len(r.Seeds))}
		for _, ds := range t.datasets() {
			var acc, rank, regret *Stat
			for _, s := range r.Scores {
				if s.Dataset == ds.Key {
					acc, rank, regret = &s.Acc, &s.Rank, s.Regret
				}
			}
			c = append(c, pm(acc, 2), pm(rank, 0))
			if t.regret {
				c = append(c, pm(regret, 2))
			}
		}
		if t.free {
			c = append(c, pm(r.ParamFree, 1))
		}
		return append(c, pm(&r.Entropy, 3), pm(&r.RelEntropy, 3), pm(&r.Seconds, 1))
	}
}

func (t *Table) title() string {
	return fmt.Sprintf("%s on %s", t.Space, t.Dataset)
}

// WriteText writes the tables as aligned text.
func (a *Aggregate) WriteText(w io.Writer) error {
	for i, t := range a.Tables {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s (mean ± std over seeds)\n", t.title())
		if t.Note != "" {
			fmt.Fprintln(w, t.Note)
		}
		head, cells := t.columns()
		rows := [][]string{head}
		for _, r := range t.Rows {
			rows = append(rows, cells(r))
		}
		width := make([]int, len(head))
		for _, r := range rows {
			for j, c := range r {
				width[j] = max(width[j], len([]rune(c)))
			}
		}
		for _, r := range rows {
			var b strings.Builder
			for j, c := range r {
				b.WriteString(c + strings.Repeat(" ", width[j]-len([]rune(c))))
				if j < len(r)-1 {
					b.WriteString("  ")
				}
			}
			fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
		}
		fmt.Fprintln(w, "found cells:")
		for _, r := range t.Rows {
			for i, g := range r.Genotypes {
				fmt.Fprintf(w, "  %s, seed %d: %s\n", t.label(r), r.Seeds[i], g)
			}
		}
	}
	if len(a.Missing) > 0 {
		fmt.Fprintf(w, "\nnot finished (left out): %s\n", strings.Join(a.Missing, ", "))
	}
	for _, m := range a.Warnings {
		fmt.Fprintf(w, "warning: %s\n", m)
	}
	_, err := fmt.Fprintf(w, "")
	return err
}

// WriteCSV writes one line per row of every table, means and standard deviations in their own
// columns: the benchmarks' data sets of every table (empty for a table whose space has no such data
// set), then the rest.
func (a *Aggregate) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	head := []string{"space", "dataset", "algo", "arch_lr", "augment_arch", "runs", "seeds"}
	var scoreKeys []string
	for _, t := range a.Tables {
		for _, ds := range t.datasets() {
			if !slices.Contains(scoreKeys, ds.Key) {
				scoreKeys = append(scoreKeys, ds.Key)
			}
		}
	}
	regret := map[string]bool{} // the data sets some row has regrets on
	for _, t := range a.Tables {
		for _, r := range t.Rows {
			for _, s := range r.Scores {
				regret[s.Dataset] = regret[s.Dataset] || s.Regret != nil
			}
		}
	}
	var names []string
	for _, k := range scoreKeys {
		names = append(names, k, "rank_"+k)
		if regret[k] {
			names = append(names, "regret_"+k)
		}
	}
	for _, n := range append(names, "param_free_edges", "mean_entropy", "relative_entropy", "seconds") {
		head = append(head, n+"_mean", n+"_std")
	}
	cw.Write(head)
	f := func(v float64) string { return fmt.Sprintf("%.6g", v) }
	for _, t := range a.Tables {
		for _, r := range t.Rows {
			seeds := make([]string, len(r.Seeds))
			for i, s := range r.Seeds {
				seeds[i] = fmt.Sprint(s)
			}
			line := []string{t.Space, t.Dataset, r.Algo, f(r.ArchLR), fmt.Sprint(r.AugmentArch), fmt.Sprint(len(r.Seeds)), strings.Join(seeds, " ")}
			var stats []*Stat
			for _, k := range scoreKeys {
				var acc, rank, reg *Stat
				for _, s := range r.Scores {
					if s.Dataset == k {
						acc, rank, reg = &s.Acc, &s.Rank, s.Regret
					}
				}
				stats = append(stats, acc, rank)
				if regret[k] {
					stats = append(stats, reg)
				}
			}
			for _, s := range append(stats, r.ParamFree, &r.Entropy, &r.RelEntropy, &r.Seconds) {
				switch {
				case s == nil:
					line = append(line, "", "")
				case s.N < 2:
					line = append(line, f(s.Mean), "") // one run: no standard deviation
				default:
					line = append(line, f(s.Mean), f(s.Std))
				}
			}
			cw.Write(line)
		}
	}
	cw.Flush()
	return cw.Error()
}

// Write writes aggregate.json, aggregate.csv and aggregate.html into the folder; it returns the path of
// the HTML report.
func (a *Aggregate) Write() (string, error) {
	if err := rundir.WriteJSON(filepath.Join(a.Dir, AggregateJSON), a); err != nil {
		return "", err
	}
	var c strings.Builder
	if err := a.WriteCSV(&c); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(a.Dir, AggregateCSV), []byte(c.String()), 0o644); err != nil {
		return "", err
	}
	path := filepath.Join(a.Dir, AggregateHTML)
	return path, os.WriteFile(path, []byte(a.HTML()), 0o644)
}

// HTML is the report: per (space, data set) the table, the benchmark accuracy (on its first data set)
// of the argmax cell over the search (spaces with a benchmark) and the mean per-edge entropy of θ, one
// line per algorithm with a band over seeds.
func (a *Aggregate) HTML() string {
	var b strings.Builder
	title := "gaea sweep — " + a.Dir
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s</title>\n", html.EscapeString(title))
	b.WriteString(`<style>body{font-family:sans-serif;max-width:1200px;margin:2em auto;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}td{white-space:nowrap}td:first-child,th:first-child{text-align:left}
figure{margin:1.5em 0}figcaption{font-size:90%;color:#555}</style></head><body>
`)
	fmt.Fprintf(&b, "<h1>%s</h1>\n<p>%d finished runs; mean ± sample standard deviation over seeds (— for a single seed).</p>\n",
		html.EscapeString(title), a.Runs)
	if len(a.Missing) > 0 {
		fmt.Fprintf(&b, "<p>Not finished (left out): %s</p>\n", html.EscapeString(strings.Join(a.Missing, ", ")))
	}
	for _, t := range a.Tables {
		fmt.Fprintf(&b, "<h2>%s</h2>\n", html.EscapeString(t.title()))
		if t.bench != nil {
			among := "as stored"
			if n := t.bench.Size(); n > 0 {
				among = fmt.Sprintf("among its %d architectures", n)
			}
			fmt.Fprintf(&b, "<p>Accuracies: %s accuracy (%%) of the found cell, ranks %s (1 = best)", html.EscapeString(t.bench.Title()), among)
			if t.regret {
				b.WriteString("; regret: the cell's error minus the space's lowest, in percentage points")
			}
			b.WriteString(".</p>\n")
		}
		if t.Note != "" {
			fmt.Fprintf(&b, "<p><em>%s</em></p>\n", html.EscapeString(t.Note))
		}
		b.WriteString("<table>\n<tr>")
		head, cells := t.columns()
		for _, h := range head {
			fmt.Fprintf(&b, "<th>%s</th>", html.EscapeString(h))
		}
		b.WriteString("</tr>\n")
		var groups []viz.RunGroup
		for _, r := range t.Rows {
			b.WriteString("<tr>")
			for _, c := range cells(r) {
				fmt.Fprintf(&b, "<td>%s</td>", html.EscapeString(c))
			}
			b.WriteString("</tr>\n")
			g := viz.RunGroup{Name: t.label(r)}
			for i, d := range r.dirs {
				h, err := experiment.ReadHistory(d)
				if err != nil {
					continue
				}
				g.Runs = append(g.Runs, viz.Run{History: h, Ops: r.ops[i], Space: r.spaces[i]})
			}
			groups = append(groups, g)
		}
		b.WriteString("</table>\n<p>Found cells:</p>\n<ul>\n")
		for _, r := range t.Rows {
			for i, g := range r.Genotypes {
				fmt.Fprintf(&b, "<li>%s, seed %d: <code>%s</code></li>\n", html.EscapeString(t.label(r)), r.Seeds[i], html.EscapeString(g))
			}
		}
		b.WriteString("</ul>\n")
		add := func(f *viz.Figure, err error) {
			if err != nil {
				fmt.Fprintf(&b, "<p><em>(picture not available: %s)</em></p>\n", html.EscapeString(err.Error()))
				return
			}
			b.WriteString(f.HTML() + "\n")
		}
		if ds := t.datasets(); len(ds) > 0 {
			add(viz.AccuracyOverSearchRuns(t.bench, groups, ds[0].Key))
		}
		add(viz.EntropyOverSearchRuns(groups))
	}
	b.WriteString("</body></html>\n")
	return b.String()
}
