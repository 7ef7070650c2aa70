package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
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

func runReport(args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gaea report RUN_DIR\n\n(Re)writes RUN_DIR/report.html for a search run: settings, the genotype and its cell diagram, θ per edge\nover the search, entropy, losses and accuracies, and for NAS-Bench-201 the table accuracy over time. Static\nSVG pictures; the file opens offline.\n")
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{err}
	}
	if fs.NArg() != 1 {
		return usagef("want one run folder, got %d arguments", fs.NArg())
	}
	dir := fs.Arg(0)
	if _, err := os.Stat(filepath.Join(dir, "settings.json")); err != nil {
		return usagef("%s is not a search run folder (no settings.json)", dir)
	}
	path, err := writeReport(dir)
	if err != nil {
		return err
	}
	fmt.Println(path)
	return nil
}

// readHistory reads history.jsonl.
func readHistory(dir string) ([]gaea.Record, error) {
	f, err := os.Open(filepath.Join(dir, "history.jsonl"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var hist []gaea.Record
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for line := 1; sc.Scan(); line++ {
		var r gaea.Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", f.Name(), line, err)
		}
		hist = append(hist, r)
	}
	return hist, sc.Err()
}

// writeReport builds report.html from the run folder's files (works on unfinished runs too).
func writeReport(dir string) (string, error) {
	var st searchSettings
	raw, err := os.ReadFile(filepath.Join(dir, "settings.json"))
	if err != nil {
		return "", err
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		return "", fmt.Errorf("%s/settings.json: %w", dir, err)
	}
	hist, err := readHistory(dir)
	if err != nil {
		return "", err
	}
	var res *searchResult
	if raw, err := os.ReadFile(filepath.Join(dir, "result.json")); err == nil {
		res = &searchResult{}
		if err := json.Unmarshal(raw, res); err != nil {
			return "", fmt.Errorf("%s/result.json: %w", dir, err)
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
	rows := [][2]string{{"space", st.Space}, {"algorithm", st.Algo}, {"level", st.Level}, {"data set", st.Dataset},
		{"preset", st.Preset}, {"epochs", fmt.Sprint(st.Epochs)}, {"batch", fmt.Sprint(st.Batch)},
		{"channels", fmt.Sprint(st.Channels)}, {"cells / layers", fmt.Sprint(st.Cells)},
		{"weight lr", fmt.Sprintf("%g → %g (cosine)", st.WeightLR, st.WeightLRMin)}, {"arch lr", fmt.Sprint(st.ArchLR)},
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
		space := buildSpace(st, 10)
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
		case "nb201":
			add(viz.NB201Cell(genotype))
		case "darts":
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
	if len(theta) > 0 {
		b.WriteString("<h2>Architecture weights</h2>\n")
		add(viz.ThetaHeatmap(theta, ops, edges, "final θ (mixture weights per edge)"))
	}
	if len(hist) > 0 {
		add(viz.ThetaEvolution(hist, ops, edges))
		add(viz.EntropyCurves(hist, edges))
		b.WriteString("<h2>Losses and accuracies</h2>\n")
		add(viz.LossCurves(hist))
		if st.Space == "nb201" {
			b.WriteString("<h2>NAS-Bench-201 accuracy of the current genotype</h2>\n")
			add(viz.NB201AccuracyOverSearch(hist, ops, nb201.CIFAR10))
		}
	}
	b.WriteString("</body></html>\n")
	path := filepath.Join(dir, "report.html")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(b.String()), 0o644); err != nil {
		return "", err
	}
	return path, os.Rename(tmp, path)
}
