package viz

import (
	"fmt"
	"image/color"
	"math"
	"strconv"

	"github.com/gaeanas/gaeanas/gaea"
	xfont "golang.org/x/image/font"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// panelColumns chooses the number of columns of a grid of n small panels.
func panelColumns(n int) int {
	switch {
	case n <= 3:
		return n
	case n <= 9:
		return 3
	case n <= 16:
		return 4
	default:
		return 5
	}
}

// opLine returns a line (with point markers when there are few points) in the op's colour.
func seriesLine(xys plotter.XYs, c color.Color, width vg.Length, dashed bool) ([]plot.Plotter, plot.Thumbnailer, error) {
	l, err := plotter.NewLine(xys)
	if err != nil {
		return nil, nil, err
	}
	l.Color = c
	l.Width = width
	if dashed {
		l.Dashes = []vg.Length{5, 3}
	}
	ps := []plot.Plotter{l}
	if len(xys) <= 3 {
		s, err := plotter.NewScatter(xys)
		if err != nil {
			return nil, nil, err
		}
		s.Color = c
		s.Shape = draw.CircleGlyph{}
		s.Radius = 2.5
		ps = append(ps, s)
	}
	return ps, l, nil
}

// ThetaEvolution draws θ of every edge over the search: one small panel per edge (in a grid, titled
// with the edge's name), one line per op in the op's colour (OpColor), a legend of the op names below.
// The x axis is the step (Record.Step); every record that carries θ is a point, so θ is flat over the
// weight steps. ops and edges name θ's columns and rows (spaces.Space's Ops and Edges).
func ThetaEvolution(history []gaea.Record, ops, edges []string) (*Figure, error) {
	recs, err := thetaRecords("theta evolution", history, ops, edges)
	if err != nil {
		return nil, err
	}
	cols := panelColumns(len(edges))
	rows := (len(edges) + cols - 1) / cols
	ph := panelH
	if cols >= 4 {
		ph = 130
	}
	// The y axis spans 0–1 when θ does; a search whose θ stays near uniform (e.g. DARTS's softmax early
	// on) gets an axis scaled to its data, the same on every panel, so the lines are not flat.
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, r := range recs {
		for _, row := range r.Theta {
			for _, v := range row {
				if finite(v) {
					lo, hi = math.Min(lo, v), math.Max(hi, v)
				}
			}
		}
	}
	if !(hi > lo) || hi-lo > 0.5 {
		lo, hi = 0, 1
	} else {
		pad := math.Max(0.1*(hi-lo), 0.005)
		lo, hi = math.Max(0, lo-pad), math.Min(1, hi+pad)
	}
	plots := make([]*plot.Plot, len(edges))
	var legend []legendEntry
	for e, name := range edges {
		xl, yl := "", ""
		if e%cols == 0 {
			yl = "θ"
		}
		if e >= len(edges)-cols {
			xl = "block step"
		}
		p := newPlot("edge "+name, xl, yl)
		for k, op := range ops {
			xys := make(plotter.XYs, len(recs))
			for i, r := range recs {
				xys[i] = plotter.XY{X: float64(r.Step), Y: r.Theta[e][k]}
			}
			ps, thumb, err := seriesLine(xys, OpColor(op), 1.6, op == "none")
			if err != nil {
				return nil, fmt.Errorf("viz: theta evolution: edge %s, op %s: %w", name, op, err)
			}
			p.Add(ps...)
			if e == 0 {
				legend = append(legend, legendEntry{op, thumb})
			}
		}
		p.Y.Min, p.Y.Max = lo, hi
		p.Y.Tick.Marker = decimalTicks{}
		p.X.Tick.Marker = integerTicks{}
		fixRange(&p.X.Min, &p.X.Max, 1)
		plots[e] = p
	}
	perRow := len(ops)
	if perRow > 5 {
		perRow = 4
	}
	h := titleH + vg.Length(rows)*ph + vg.Length(legendRows(len(ops), perRow))*legendRow + 14
	return render("θ per edge over the search", figWidth, h, func(dc draw.Canvas) {
		dc = drawTitle(dc, "θ per edge over the search")
		dc = drawLegendBand(dc, legend, perRow)
		gridOf(dc, plots, cols)
	})
}

// ThetaHeatmap draws θ at one step as an edges × ops table of colours (white = 0, dark = 1) with each
// value written in its cell; the largest value of each row (the op the edge would be discretised to) is
// written in bold.
func ThetaHeatmap(theta [][]float64, ops, edges []string, title string) (*Figure, error) {
	if len(edges) == 0 {
		return nil, fmt.Errorf("viz: theta heatmap: no edges")
	}
	if err := checkTheta("theta heatmap", theta, ops, edges); err != nil {
		return nil, err
	}
	if title == "" {
		title = "θ (edges × ops)"
	}
	maxV := 1.0
	for _, row := range theta {
		for _, v := range row {
			maxV = math.Max(maxV, v)
		}
	}
	p := newPlot(title, "op", "edge")
	p.Title.TextStyle.Font = sans(13)
	p.Add(heatCells{m: theta, max: maxV, colour: heatColor})
	// The first edge is the top row.
	rowY := func(e int) float64 { return float64(len(edges) - 1 - e) }
	// Value labels, black on light cells and white on dark ones, bold for each row's maximum.
	for e, row := range theta {
		best := 0
		for k, v := range row {
			if v > row[best] {
				best = k
			}
		}
		for k, v := range row {
			lab, err := plotter.NewLabels(plotter.XYLabels{
				XYs:    []plotter.XY{{X: float64(k), Y: rowY(e)}},
				Labels: []string{fmt.Sprintf("%.2f", v)},
			})
			if err != nil {
				return nil, fmt.Errorf("viz: theta heatmap: %w", err)
			}
			sty := &lab.TextStyle[0]
			sty.Font = sans(9.5)
			if k == best {
				sty.Font.Weight = xfont.WeightBold
			}
			sty.XAlign, sty.YAlign = draw.XCenter, -0.5
			if v/maxV > 0.55 {
				sty.Color = color.White
			} else {
				sty.Color = color.Black
			}
			p.Add(lab)
		}
	}
	return renderHeatmap(title, p, ops, edges)
}

// heatCells draws the cells of a heatmap, one filled rectangle per (edge, op), coloured by colour(v/max):
// white → dark blue for θ (ThetaHeatmap), blue–white–red for signed values (SignedHeatmap).
// (plotter.HeatMap would do, but it draws with a discrete palette and no exact range control.)
type heatCells struct {
	m      [][]float64
	max    float64
	colour func(float64) color.RGBA
}

func (h heatCells) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	for e, row := range h.m {
		for k, v := range row {
			x0, x1 := tx(float64(k)-0.5), tx(float64(k)+0.5)
			r := float64(len(h.m) - 1 - e)
			y0, y1 := ty(r-0.5), ty(r+0.5)
			rect := vg.Path{}
			rect.Move(vg.Point{X: x0, Y: y0})
			rect.Line(vg.Point{X: x1, Y: y0})
			rect.Line(vg.Point{X: x1, Y: y1})
			rect.Line(vg.Point{X: x0, Y: y1})
			rect.Close()
			c.SetColor(h.colour(v / h.max))
			c.Fill(rect)
			c.SetLineStyle(draw.LineStyle{Color: color.White, Width: 1})
			c.Stroke(rect)
		}
	}
}

func reversed(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

// heatColor maps [0, 1] to white → #08306b (ColorBrewer Blues' ends), through #6baed6.
func heatColor(t float64) color.RGBA {
	t = math.Max(0, math.Min(1, t))
	stops := []color.RGBA{rgb(0xf7fbff), rgb(0x6baed6), rgb(0x08306b)}
	s := t * float64(len(stops)-1)
	i := int(s)
	if i >= len(stops)-1 {
		return stops[len(stops)-1]
	}
	f := s - float64(i)
	a, b := stops[i], stops[i+1]
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x) + f*(float64(y)-float64(x)))) }
	return color.RGBA{R: mix(a.R, b.R), G: mix(a.G, b.G), B: mix(a.B, b.B), A: 0xff}
}

// EntropyCurves draws the entropy (in nats) of every edge's θ row over the steps, one line per edge,
// with the maximum entropy log K (θ uniform over K ops) as a dashed line. A search that commits to
// one op per edge drives the entropies to 0.
func EntropyCurves(history []gaea.Record, edges []string) (*Figure, error) {
	if len(history) == 0 {
		return nil, fmt.Errorf("viz: entropy curves: empty history")
	}
	if len(edges) == 0 {
		return nil, fmt.Errorf("viz: entropy curves: no edges")
	}
	var recs []gaea.Record
	k := 0
	for _, r := range history {
		if len(r.Entropy) == 0 {
			continue
		}
		if len(r.Entropy) != len(edges) {
			return nil, fmt.Errorf("viz: entropy curves: step %d has %d entropies, want %d (edges %v)", r.Step, len(r.Entropy), len(edges), edges)
		}
		if len(r.Theta) > 0 {
			k = len(r.Theta[0])
		}
		recs = append(recs, r)
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("viz: entropy curves: no record of the history (%d records) carries entropies", len(history))
	}
	const title = "Entropy of θ per edge"
	p := newPlot(title, "block step", "entropy (nats)")
	p.Title.TextStyle.Font = sans(13)
	var legend []legendEntry
	for e, name := range edges {
		var xys plotter.XYs
		for _, r := range recs {
			if finite(r.Entropy[e]) {
				xys = append(xys, plotter.XY{X: float64(r.Step), Y: r.Entropy[e]})
			}
		}
		if len(xys) == 0 {
			continue
		}
		ps, thumb, err := seriesLine(xys, seriesColor(e), 1.6, false)
		if err != nil {
			return nil, fmt.Errorf("viz: entropy curves: edge %s: %w", name, err)
		}
		p.Add(ps...)
		legend = append(legend, legendEntry{"edge " + name, thumb})
	}
	// The y axis starts a little below the lowest entropy (not at 0): early in a search the curves sit
	// just under log K, and a 0-based axis would flatten them.
	lowest := math.Inf(1)
	for _, r := range recs {
		for _, h := range r.Entropy {
			if finite(h) {
				lowest = math.Min(lowest, h)
			}
		}
	}
	p.Y.Min = 0
	if k > 1 && finite(lowest) {
		p.Y.Min = math.Max(0, lowest-0.15*(math.Log(float64(k))-lowest)-0.02)
	}
	if k > 1 {
		logK := math.Log(float64(k))
		xmin, xmax := float64(recs[0].Step), float64(recs[len(recs)-1].Step)
		if xmin == xmax {
			xmin, xmax = xmin-1, xmax+1
		}
		ps, thumb, err := seriesLine(plotter.XYs{{X: xmin, Y: logK}, {X: xmax, Y: logK}}, color.Gray{Y: 0x60}, 1.2, true)
		if err != nil {
			return nil, fmt.Errorf("viz: entropy curves: %w", err)
		}
		p.Add(ps[0])
		legend = append(legend, legendEntry{fmt.Sprintf("max log %d = %.3g", k, logK), thumb})
		p.Y.Max = math.Max(p.Y.Max, logK*1.05)
	}
	fixRange(&p.X.Min, &p.X.Max, 1)
	fixRange(&p.Y.Min, &p.Y.Max, 0.5)
	p.Y.Tick.Marker = decimalTicks{}
	p.X.Tick.Marker = integerTicks{}
	perRow := min(len(legend), 5)
	h := 340 + vg.Length(legendRows(len(legend), perRow))*legendRow + 10
	return render(title, figWidth, h, func(dc draw.Canvas) {
		dc = drawLegendBand(dc, legend, perRow)
		p.Draw(dc)
	})
}

// decimalTicks is gonum's default ticks with labels written with at least two decimals and as many
// more as it takes for no two labels to read the same: the default's short form (and a fixed two
// decimals) print every tick of a narrow range as the same "1.10".
type decimalTicks struct{}

func (decimalTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for prec := 2; ; prec++ {
		seen := map[string]bool{}
		distinct := true
		for i := range ticks {
			if ticks[i].Label == "" {
				continue
			}
			l := strconv.FormatFloat(ticks[i].Value, 'f', prec, 64)
			distinct = distinct && !seen[l]
			seen[l] = true
		}
		if distinct || prec == 12 {
			for i := range ticks {
				if ticks[i].Label != "" {
					ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'f', prec, 64)
				}
			}
			return ticks
		}
	}
}

// renderHeatmap lays out an op × edge grid of cells (ops across, edges down in order) and renders it.
func renderHeatmap(title string, p *plot.Plot, ops, edges []string) (*Figure, error) {
	p.NominalX(ops...)
	p.NominalY(reversed(edges)...)
	p.X.Min, p.X.Max = -0.5, float64(len(ops))-0.5
	p.Y.Min, p.Y.Max = -0.5, float64(len(edges))-0.5
	p.Y.Scale = plot.LinearScale{}
	p.Y.Tick.Label.Font = sans(9)
	p.X.Tick.Label.Font = sans(9)
	// The labels are measured with gonum's Liberation metrics but may be drawn with a wider fallback font:
	// leave room so long edge names ("normal 3<-0") do not run into the first column.
	p.Y.Padding, p.X.Padding = 12, 4
	return renderPlot(title, p, figWidth, 90+vg.Length(len(edges))*24)
}
