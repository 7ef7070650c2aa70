package experiment

import (
	"errors"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"strings"

	"github.com/gaeanas/gaeanas/gaea"
	"github.com/gaeanas/gaeanas/spaces/darts"
	"github.com/gaeanas/gaeanas/spaces/nb201"
	"github.com/gaeanas/gaeanas/viz"
)

// WriteReport (re)writes report.html of a search run folder from its files: settings, the genotype and
// its cell diagram, θ per edge over the search, entropy, losses and accuracies, and for NAS-Bench-201 the
// table accuracy over time. Static SVG pictures; the file opens offline. It works on unfinished runs too.
func WriteReport(dir string) (string, error) {
	var st Settings
	if err := ReadJSON(filepath.Join(dir, SettingsFile), &st); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return "", fmt.Errorf("%s: %w (no %s)", dir, ErrNotRun, SettingsFile)
		}
		return "", err
	}
	if st.Algo == "" || !contains(Spaces(), st.Space) {
		return "", fmt.Errorf("%s: %w (%s describes no search; a training run has no report)", dir, ErrNotRun, SettingsFile)
	}
	hist, err := ReadJSONLines[gaea.Record](filepath.Join(dir, HistoryFile))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	var res *Result
	if fileExists(filepath.Join(dir, ResultFile)) {
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
		space := st.BuildSpace(10)
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
		switch st.Space {
		case NB201:
			add(viz.NB201Cell(genotype))
		case DARTS:
			if g, err := darts.ParseGenotype(genotype); err == nil {
				add(viz.DARTSCell(*g, false))
				add(viz.DARTSCell(*g, true))
			}
		}
		if res != nil && res.NB201 != nil {
			n := res.NB201
			fmt.Fprintf(&b, "<p>NAS-Bench-201 (index %d): CIFAR-10 %.2f%% (rank %d), CIFAR-100 %.2f%% (rank %d), ImageNet16-120 %.2f%% (rank %d) of 15,625.</p>\n",
				n.Index, n.CIFAR10, n.RankCIFAR10, n.CIFAR100, n.RankCIFAR100, n.ImageNet16, n.RankImageNet16)
			add(viz.NB201Landscape(genotype, nb201.CIFAR10))
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
		if st.Space == NB201 {
			b.WriteString("<h2>NAS-Bench-201 accuracy of the current genotype</h2>\n")
			add(viz.NB201AccuracyOverSearch(hist, ops, nb201.CIFAR10))
		}
	}
	b.WriteString("</body></html>\n")
	path := filepath.Join(dir, ReportFile)
	return path, writeFileAtomic(path, []byte(b.String()))
}
