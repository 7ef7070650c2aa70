package viz

import (
	"fmt"
	"image/color"
	"math"
	"sync"

	"github.com/gaeanas/gaeanas/gaea"
	"github.com/gaeanas/gaeanas/spaces/nb201"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

var datasetTitles = [nb201.NumDatasets]string{"CIFAR-10", "CIFAR-100", "ImageNet16-120"}

func checkDataset(what string, d nb201.Dataset) error {
	if d < 0 || int(d) >= nb201.NumDatasets {
		return fmt.Errorf("viz: %s: unknown data set %v", what, d)
	}
	return nil
}

// tableAccuracies returns the test accuracies of all 15,625 architectures on each data set.
var tableAccuracies = sync.OnceValues(func() ([nb201.NumDatasets][]float64, error) {
	var acc [nb201.NumDatasets][]float64
	for d := range acc {
		acc[d] = make([]float64, nb201.NumArchs)
	}
	for i := 0; i < nb201.NumArchs; i++ {
		e, err := nb201.LookupIndex(i)
		if err != nil {
			return acc, err
		}
		for d := range acc {
			acc[d][i] = e.Accuracy[d]
		}
	}
	return acc, nil
})

// vline draws a vertical line at x over the whole data area, with a label at its top.
type vline struct {
	x     float64
	style draw.LineStyle
	label string
	right bool // label to the right of the line (else to the left)
}

// Thumbnail draws the line's legend entry.
func (v vline) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(v.style, c.Min.X, y, c.Max.X, y)
}

// stepTicks puts labelled ticks at multiples of major and unlabelled ones at multiples of minor.
type stepTicks struct{ major, minor float64 }

func (s stepTicks) Ticks(min, max float64) []plot.Tick {
	var ts []plot.Tick
	for v := math.Ceil(min/s.minor) * s.minor; v <= max+1e-9; v += s.minor {
		t := plot.Tick{Value: v}
		if math.Abs(math.Remainder(v, s.major)) < 1e-9 {
			t.Label = fmt.Sprintf("%g", v)
		}
		ts = append(ts, t)
	}
	return ts
}

func (v vline) Plot(c draw.Canvas, p *plot.Plot) {
	tx, _ := p.Transforms(&c)
	x := tx(v.x)
	c.StrokeLine2(v.style, x, c.Min.Y, x, c.Max.Y)
	if v.label != "" {
		sty := p.Title.TextStyle
		sty.Font = sans(9.5)
		sty.Color = v.style.Color
		sty.YAlign = draw.YTop
		pt := vg.Point{X: x - 4, Y: c.Max.Y - 4}
		sty.XAlign = draw.XRight
		if v.right {
			sty.XAlign = draw.XLeft
			pt.X = x + 4
		}
		c.FillText(sty, pt, v.label)
	}
}

// NB201Landscape draws the histogram of the test accuracies of all 15,625 NAS-Bench-201 architectures
// on the data set, with arch (a benchmark architecture string) marked by a red line labelled with its
// accuracy and rank, and the best architecture of the table by a dashed grey line.
func NB201Landscape(arch string, dataset nb201.Dataset) (*Figure, error) {
	if err := checkDataset("NB201 landscape", dataset); err != nil {
		return nil, err
	}
	a, err := nb201.ParseArch(arch)
	if err != nil {
		return nil, fmt.Errorf("viz: NB201 landscape: %w", err)
	}
	all, err := tableAccuracies()
	if err != nil {
		return nil, fmt.Errorf("viz: NB201 landscape: %w", err)
	}
	entry := nb201.Lookup(a)
	best := nb201.Best(dataset)
	title := fmt.Sprintf("NAS-Bench-201 on %s: test accuracy of all %d architectures", datasetTitles[dataset], nb201.NumArchs)
	p := newPlot(title, "test accuracy (%)", "architectures")
	p.Title.TextStyle.Font = sans(12)
	h, err := plotter.NewHist(plotter.Values(all[dataset]), 80)
	if err != nil {
		return nil, fmt.Errorf("viz: NB201 landscape: %w", err)
	}
	h.FillColor = rgb(0xb8cfe6)
	h.LineStyle.Color = rgb(0x6b8fb5)
	h.LineStyle.Width = 0.5
	p.Add(h)
	acc := entry.Accuracy[dataset]
	bestLine := vline{x: best.Accuracy[dataset], style: draw.LineStyle{Color: color.Gray{Y: 0x55}, Width: 1.2, Dashes: []vg.Length{4, 3}}}
	archLine := vline{x: acc, style: draw.LineStyle{Color: rgb(0xd62728), Width: 2}}
	p.Add(bestLine, archLine)
	p.X.Tick.Marker = stepTicks{major: 10, minor: 5}
	p.X.Max = math.Max(p.X.Max, best.Accuracy[dataset]) + 1 // keep the marks off the frame
	p.Y.Min = 0
	legend := []legendEntry{
		{fmt.Sprintf("this cell: %.2f %%, rank %d of %d", acc, entry.Rank[dataset], nb201.NumArchs), archLine},
		{fmt.Sprintf("best in the table: %.2f %%", best.Accuracy[dataset]), bestLine},
	}
	return render(title, figWidth, 340, func(dc draw.Canvas) {
		dc = drawLegendBand(dc, legend, 2)
		p.Draw(dc)
	})
}

// NB201AccuracyOverSearch draws the NAS-Bench-201 table accuracy (on the data set) of the architecture
// the search would return after every architecture step: each "arch" record's θ (6 × len(ops), ops
// NAS-Bench-201 op names, 4 or 5 of them) discretised by argmax per edge (the first op among ties),
// looked up in the table. A dashed line marks the table's best accuracy. A history without
// architecture steps gives an empty chart that says so.
func NB201AccuracyOverSearch(history []gaea.Record, ops []string, dataset nb201.Dataset) (*Figure, error) {
	const what = "NB201 accuracy over search"
	if err := checkDataset(what, dataset); err != nil {
		return nil, err
	}
	nops, err := nb201Ops(what, ops)
	if err != nil {
		return nil, err
	}
	if len(history) == 0 {
		return nil, fmt.Errorf("viz: %s: empty history", what)
	}
	xys, last, err := nb201AccuracySeries(what, history, ops, nops, dataset)
	if err != nil {
		return nil, err
	}
	title := fmt.Sprintf("NAS-Bench-201 %s test accuracy of the argmax cell during the search", datasetTitles[dataset])
	p := newPlot(title, "step", "test accuracy (%)")
	p.Title.TextStyle.Font = sans(12)
	p.X.Tick.Marker = integerTicks{}
	best := nb201.Best(dataset).Accuracy[dataset]
	if len(xys) == 0 {
		p.Add(note{"no architecture steps yet"})
		p.X.Min, p.X.Max = 0, 1
		p.Y.Min, p.Y.Max = 0, 100
		return renderPlot(title, p, figWidth, 300)
	}
	ps, _, err := seriesLine(xys, rgb(0xd62728), 1.6, false)
	if err != nil {
		return nil, fmt.Errorf("viz: %s: %w", what, err)
	}
	p.Add(ps...)
	xmin, xmax := xys[0].X, xys[len(xys)-1].X
	if xmin == xmax {
		xmin, xmax = xmin-1, xmax+1
	}
	bl, err := plotter.NewLine(plotter.XYs{{X: xmin, Y: best}, {X: xmax, Y: best}})
	if err != nil {
		return nil, err
	}
	bl.Color, bl.Width, bl.Dashes = color.Gray{Y: 0x55}, 1.2, []vg.Length{4, 3}
	p.Add(bl)
	legend := []legendEntry{
		{fmt.Sprintf("argmax cell (last: %.2f %%, rank %d of %d)", last.Accuracy[dataset], last.Rank[dataset], nb201.NumArchs), ps[0].(plot.Thumbnailer)},
		{fmt.Sprintf("best in the table (%.2f %%)", best), bl},
	}
	fixRange(&p.X.Min, &p.X.Max, 1)
	p.Y.Max = max(p.Y.Max, best+1)
	p.Y.Min = max(0, p.Y.Min-5)
	return render(title, figWidth, 320, func(dc draw.Canvas) {
		dc = drawLegendBand(dc, legend, 2)
		p.Draw(dc)
	})
}

// note writes a message in the middle of an empty plot.
type note struct{ text string }

func (n note) Plot(c draw.Canvas, p *plot.Plot) {
	sty := p.Title.TextStyle
	sty.Font = sans(12)
	sty.Color = color.Gray{Y: 0x60}
	sty.XAlign, sty.YAlign = draw.XCenter, draw.YCenter
	c.FillText(sty, vg.Point{X: (c.Min.X + c.Max.X) / 2, Y: (c.Min.Y + c.Max.Y) / 2}, n.text)
}

// nb201AccuracySeries is the table accuracy (on dataset) of the argmax cell after every architecture
// step of a history (first op among ties), and the entry of the last one.
func nb201AccuracySeries(what string, history []gaea.Record, ops []string, nops []nb201.Op, dataset nb201.Dataset) (plotter.XYs, nb201.Entry, error) {
	edges := nb201EdgeNames()
	var xys plotter.XYs
	var last nb201.Entry
	for _, r := range history {
		if r.Block != "arch" {
			continue
		}
		if err := checkTheta(fmt.Sprintf("%s: step %d", what, r.Step), r.Theta, ops, edges); err != nil {
			return nil, last, err
		}
		var a nb201.Arch
		for e, row := range r.Theta {
			k := 0
			for j, v := range row {
				if v > row[k] {
					k = j
				}
			}
			a[e] = nops[k]
		}
		last = nb201.Lookup(a)
		xys = append(xys, plotter.XY{X: float64(r.Step), Y: last.Accuracy[dataset]})
	}
	return xys, last, nil
}
