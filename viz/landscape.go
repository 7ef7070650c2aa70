package viz

import (
	"fmt"
	"image/color"
	"math"
	"strings"

	"github.com/gaeanas/gaeanas/gaea"
	"github.com/gaeanas/gaeanas/spaces"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// datasetTitle is the title of a benchmark's data set ("CIFAR-10"), or an error for one it lacks.
func datasetTitle(what string, b spaces.Benchmark, dataset string) (string, error) {
	if b == nil {
		return "", fmt.Errorf("viz: %s: no benchmark", what)
	}
	var keys []string
	for _, d := range b.Datasets() {
		if d.Key == dataset {
			return d.Title, nil
		}
		keys = append(keys, d.Key)
	}
	return "", fmt.Errorf("viz: %s: %s has no data set %q (it has %s)", what, b.Title(), dataset, strings.Join(keys, ", "))
}

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

// Landscape draws the histogram of the test accuracies of all architectures of a space's benchmark on
// one of its data sets, with genotype (in the space's text form) marked by a red line labelled with its
// accuracy and rank, and the best architecture of the table by a dashed grey line.
func Landscape(b spaces.Benchmark, genotype, dataset string) (*Figure, error) {
	const what = "landscape"
	dsTitle, err := datasetTitle(what, b, dataset)
	if err != nil {
		return nil, err
	}
	entry, err := b.Lookup(genotype)
	if err != nil {
		return nil, fmt.Errorf("viz: %s: %w", what, err)
	}
	all, err := b.Accuracies(dataset)
	if err != nil {
		return nil, fmt.Errorf("viz: %s: %w", what, err)
	}
	best, err := b.Best(dataset)
	if err != nil {
		return nil, fmt.Errorf("viz: %s: %w", what, err)
	}
	bestAcc, _ := best.Accuracy(dataset)
	title := fmt.Sprintf("%s on %s: test accuracy of all %d architectures", b.Title(), dsTitle, b.Size())
	p := newPlot(title, "test accuracy (%)", "architectures")
	p.Title.TextStyle.Font = sans(12)
	h, err := plotter.NewHist(plotter.Values(all), 80)
	if err != nil {
		return nil, fmt.Errorf("viz: %s: %w", what, err)
	}
	h.FillColor = rgb(0xb8cfe6)
	h.LineStyle.Color = rgb(0x6b8fb5)
	h.LineStyle.Width = 0.5
	p.Add(h)
	acc, _ := entry.Accuracy(dataset)
	bestLine := vline{x: bestAcc, style: draw.LineStyle{Color: color.Gray{Y: 0x55}, Width: 1.2, Dashes: []vg.Length{4, 3}}}
	archLine := vline{x: acc, style: draw.LineStyle{Color: rgb(0xd62728), Width: 2}}
	p.Add(bestLine, archLine)
	p.X.Tick.Marker = stepTicks{major: 10, minor: 5}
	p.X.Max = math.Max(p.X.Max, bestAcc) + 1 // keep the marks off the frame
	p.Y.Min = 0
	legend := []legendEntry{
		{fmt.Sprintf("this cell: %.2f %%, rank %d of %d", acc, entry.Rank(dataset), b.Size()), archLine},
		{fmt.Sprintf("best in the table: %.2f %%", bestAcc), bestLine},
	}
	return render(title, figWidth, 340, func(dc draw.Canvas) {
		dc = drawLegendBand(dc, legend, 2)
		p.Draw(dc)
	})
}

// AccuracyOverSearch draws the benchmark accuracy (on one of its data sets) of the architecture the
// search would return after every architecture step: each "arch" record's θ (and β) discretised by the
// space (Space.Discretize), looked up in the space's benchmark. A dashed line marks the table's best
// accuracy. A history without architecture steps gives an empty chart that says so.
func AccuracyOverSearch(b spaces.Benchmark, space spaces.Space, history []gaea.Record, dataset string) (*Figure, error) {
	const what = "accuracy over search"
	dsTitle, err := datasetTitle(what, b, dataset)
	if err != nil {
		return nil, err
	}
	if len(history) == 0 {
		return nil, fmt.Errorf("viz: %s: empty history", what)
	}
	xys, last, err := accuracySeries(what, b, space, history, dataset)
	if err != nil {
		return nil, err
	}
	title := fmt.Sprintf("%s %s test accuracy of the argmax cell during the search", b.Title(), dsTitle)
	p := newPlot(title, "block step", "test accuracy (%)")
	p.Title.TextStyle.Font = sans(12)
	p.X.Tick.Marker = integerTicks{}
	bestEntry, err := b.Best(dataset)
	if err != nil {
		return nil, fmt.Errorf("viz: %s: %w", what, err)
	}
	best, _ := bestEntry.Accuracy(dataset)
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
	lastAcc, _ := last.Accuracy(dataset)
	legend := []legendEntry{
		{fmt.Sprintf("argmax cell (last: %.2f %%, rank %d of %d)", lastAcc, last.Rank(dataset), b.Size()), ps[0].(plot.Thumbnailer)},
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

// accuracySeries is the benchmark accuracy (on dataset) of the space's genotype after every
// architecture step of a history, and the entry of the last one.
func accuracySeries(what string, b spaces.Benchmark, space spaces.Space, history []gaea.Record, dataset string) (plotter.XYs, *spaces.BenchmarkEntry, error) {
	if space == nil {
		return nil, nil, fmt.Errorf("viz: %s: no space", what)
	}
	ops, edges := space.Ops(), space.Edges()
	var xys plotter.XYs
	var last *spaces.BenchmarkEntry
	for _, r := range history {
		if r.Block != "arch" {
			continue
		}
		step := fmt.Sprintf("%s: step %d", what, r.Step)
		if err := checkTheta(step, r.Theta, ops, edges); err != nil {
			return nil, nil, err
		}
		g, err := space.Discretize(r.Theta, r.Beta)
		if err != nil {
			return nil, nil, fmt.Errorf("viz: %s: %w", step, err)
		}
		if last, err = b.Lookup(g.String()); err != nil {
			return nil, nil, fmt.Errorf("viz: %s: %w", step, err)
		}
		acc, _ := last.Accuracy(dataset)
		xys = append(xys, plotter.XY{X: float64(r.Step), Y: acc})
	}
	return xys, last, nil
}
