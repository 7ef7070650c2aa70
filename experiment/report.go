package experiment

import (
	"errors"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"

	"github.com/gaeanas/gaeanas/gaea"
	"github.com/gaeanas/gaeanas/rundir"
	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gaeanas/gaeanas/viz"
)

// WriteReport (re)writes report.html of a search run folder from its files: settings, the genotype and
// its cell diagrams (when the space draws them), θ per edge over the search, entropy, losses and
// accuracies, and for a space with a benchmark the genotype's entry, the benchmark's landscape and the
// benchmark accuracy over time. Static SVG pictures; the file opens offline. It works on unfinished runs too.
func WriteReport(dir string) (string, error) {
	var st Settings
	if err := rundir.ReadJSON(filepath.Join(dir, SettingsFile), &st); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("%s: %w (no %s)", dir, ErrNotRun, SettingsFile)
		}
		return "", err
	}
	if st.Algo == "" || st.Space == "" {
		return "", fmt.Errorf("%s: %w (%s describes no search; a training run has no report)", dir, ErrNotRun, SettingsFile)
	}
	d, err := st.Descriptor()
	if err != nil {
		return "", fmt.Errorf("%s: %w", dir, err)
	}
	space, err := st.BuildSpace(10)
	if err != nil {
		return "", fmt.Errorf("%s: %w", dir, err)
	}
	hist, err := rundir.ReadJSONLines[gaea.Record](filepath.Join(dir, HistoryFile))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	var res *Result
	if rundir.Exists(filepath.Join(dir, ResultFile)) {
		if res, err = ReadResult(dir); err != nil {
			return "", err
		}
	}
	var b strings.Builder
	title := fmt.Sprintf("gaea search — %s on %s", st.Algo, st.Space)
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s</title>\n", html.EscapeString(title))
	b.WriteString(`<style>body{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}
figure{margin:1.5em 0}figcaption{font-size:90%;color:#555}code{background:#f4f4f4;padding:1px 4px}</style></head><body>
`)
	fmt.Fprintf(&b, "<h1>%s</h1>\n", html.EscapeString(title))

	// Settings and result.
	b.WriteString("<h2>Settings</h2>\n<table>\n")
	rows := [][2]string{{"space", string(st.Space)}, {"algorithm", string(st.Algo)}, {"level", string(st.Level)}, {"data set", st.Dataset},
		{"preset", string(st.Preset)}, {"epochs", fmt.Sprint(st.Epochs)}, {"batch", fmt.Sprint(st.Batch)},
		{"channels", fmt.Sprint(st.Channels)}, {"cells / layers", fmt.Sprint(st.Cells)},
		{"weight lr", fmt.Sprintf("%g → %g (cosine over %d epochs)", st.WeightLR, st.WeightLRMin, st.ScheduleEpochs)}, {"arch lr", fmt.Sprint(st.ArchLR)},
		{"seed", fmt.Sprint(st.Seed)}, {"block steps recorded", fmt.Sprint(len(hist))}}
	if res != nil {
		rows = append(rows, [2]string{"backend", res.Backend}, [2]string{"seconds", fmt.Sprintf("%.1f", res.Seconds)})
	} else {
		rows = append(rows, [2]string{"status", "unfinished (no result.json yet)"})
	}
	for _, r := range rows {
		fmt.Fprintf(&b, "<tr><th>%s</th><td>%s</td></tr>\n", html.EscapeString(r[0]), html.EscapeString(r[1]))
	}
	b.WriteString("</table>\n")

	var ops, edges []string
	var genotype string
	var theta [][]float64
	if res != nil {
		ops, edges, genotype, theta = res.Ops, res.Edges, res.Genotype, res.ArchWeights
	} else if len(hist) > 0 {
		theta = hist[len(hist)-1].Theta
		ops, edges = space.Ops(), space.Edges()
		if g, err := space.Discretize(theta, hist[len(hist)-1].Beta); err == nil {
			genotype = g.String()
		}
	}
	add := func(f *viz.Figure, err error) {
		if err != nil {
			fmt.Fprintf(&b, "<p><em>(picture not available: %s)</em></p>\n", html.EscapeString(err.Error()))
			return
		}
		b.WriteString(f.HTML())
		b.WriteString("\n")
	}
	if genotype != "" {
		fmt.Fprintf(&b, "<h2>Genotype</h2>\n<p><code>%s</code></p>\n", html.EscapeString(genotype))
		if _, draws := space.(spaces.CellDrawer); draws {
			figs, err := viz.Cells(space, genotype)
			if err != nil {
				add(nil, err)
			}
			for _, f := range figs {
				add(f, nil)
			}
		}
		if res != nil && res.Benchmark != nil && d.Benchmark != nil {
			fmt.Fprintf(&b, "<p>%s</p>\n", html.EscapeString(benchmarkLine(d.Benchmark, res.Benchmark)))
			add(viz.Landscape(d.Benchmark, genotype, d.Benchmark.Datasets()[0].Key))
		}
	}
	writeSelection(&b, res, hist)
	if len(theta) > 0 {
		b.WriteString("<h2>Architecture weights</h2>\n")
		add(viz.ThetaHeatmap(theta, ops, edges, "final θ (mixture weights per edge)"))
	}
	if len(hist) > 0 {
		add(viz.ThetaEvolution(hist, ops, edges))
		add(viz.EntropyCurves(hist, edges))
		b.WriteString("<h2>Losses and accuracies</h2>\n")
		add(viz.LossCurves(hist))
		if bench := d.Benchmark; bench != nil {
			fmt.Fprintf(&b, "<h2>%s accuracy of the current genotype</h2>\n", html.EscapeString(bench.Title()))
			add(viz.AccuracyOverSearch(bench, space, hist, bench.Datasets()[0].Key))
		}
	}
	b.WriteString("</body></html>\n")
	path := filepath.Join(dir, ReportFile)
	return path, rundir.WriteFileAtomic(path, []byte(b.String()))
}

// benchmarkLine describes a benchmark entry in words: "NAS-Bench-201 (index 123): CIFAR-10 94.37%
// (rank 1), … of 15,625 architectures."
func benchmarkLine(b spaces.Benchmark, e *spaces.BenchmarkEntry) string {
	var parts []string
	for _, s := range e.Scores {
		parts = append(parts, fmt.Sprintf("%s %.2f%% (rank %d)", datasetTitle(b, s.Dataset), s.Accuracy, s.Rank))
	}
	return fmt.Sprintf("%s (index %d): %s of %d architectures.", b.Title(), e.Index, strings.Join(parts, ", "), b.Size())
}

// datasetTitle is a benchmark data set's title ("CIFAR-10"), or its key.
func datasetTitle(b spaces.Benchmark, key string) string {
	for _, d := range b.Datasets() {
		if d.Key == key {
			return d.Title
		}
	}
	return key
}

// benchmarkTitle names a space's benchmark on one of its data sets ("NAS-Bench-201 CIFAR-10"), or ""
// for a space without one.
func benchmarkTitle(space, dataset string) string {
	d, err := spaces.Lookup(space)
	if err != nil || d.Benchmark == nil {
		return ""
	}
	return d.Benchmark.Title() + " " + datasetTitle(d.Benchmark, dataset)
}
