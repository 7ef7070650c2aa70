package viz

import (
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Points is one group of markers of a ScatterPanel: one colour, one shape, one legend entry.
type Points struct {
	// Name is the legend entry; groups of the same name (e.g. in two panels) share one entry, drawn in
	// the style of the first; "" adds none.
	Name string
	// X and Y are the points. Points with a non-finite coordinate are left out.
	X, Y []float64
	// Color of the markers; nil takes the package's series palette, one colour per distinct name.
	Color color.Color
	// Shape is "circle" (the default), "triangle" or "square", filled, or "ring" or "cross", outlined;
	// Radius is its size in points (0: 2.5).
	Shape  string
	Radius float64
}

// ScatterPanel is one scatter plot of a figure drawn by Scatter.
type ScatterPanel struct {
	Title, XLabel, YLabel string
	Groups                []Points
	// XRange and YRange fix an axis's range; both 0 take it from the data with a margin of 5 %.
	XRange, YRange [2]float64
}

var glyphs = map[string]draw.GlyphDrawer{
	"": draw.CircleGlyph{}, "circle": draw.CircleGlyph{}, "ring": draw.RingGlyph{},
	"triangle": draw.PyramidGlyph{}, "square": draw.BoxGlyph{}, "cross": draw.CrossGlyph{},
}

// Scatter draws scatter plots side by side (two per row), under one title, with one legend band under
// them (outside the axes, so it covers no point) with an entry per distinct group name: e.g. one panel per
// search, the same groups of architectures in each.
func Scatter(title string, panels ...ScatterPanel) (*Figure, error) {
	if len(panels) == 0 {
		return nil, fmt.Errorf("viz: scatter %q: no panel", title)
	}
	colorOf := map[string]color.Color{}
	var names []string
	var legend []legendEntry
	var plots []*plot.Plot
	for pi, pn := range panels {
		p := newPlot(pn.Title, pn.XLabel, pn.YLabel)
		xr, yr := [2]float64{math.Inf(1), math.Inf(-1)}, [2]float64{math.Inf(1), math.Inf(-1)}
		drawn := 0
		for gi, g := range pn.Groups {
			if len(g.X) != len(g.Y) {
				return nil, fmt.Errorf("viz: scatter %q: panel %d group %d (%q) has %d x and %d y values", title, pi, gi, g.Name, len(g.X), len(g.Y))
			}
			shape, ok := glyphs[g.Shape]
			if !ok {
				return nil, fmt.Errorf("viz: scatter %q: panel %d group %d (%q): unknown shape %q (circle, ring, triangle, square, cross)", title, pi, gi, g.Name, g.Shape)
			}
			col := g.Color
			if col == nil {
				if _, seen := colorOf[g.Name]; !seen {
					colorOf[g.Name] = seriesColor(len(colorOf))
				}
				col = colorOf[g.Name]
			}
			var xys plotter.XYs
			for j := range g.X {
				if finite(g.X[j]) && finite(g.Y[j]) {
					xys = append(xys, plotter.XY{X: g.X[j], Y: g.Y[j]})
					xr = [2]float64{math.Min(xr[0], g.X[j]), math.Max(xr[1], g.X[j])}
					yr = [2]float64{math.Min(yr[0], g.Y[j]), math.Max(yr[1], g.Y[j])}
				}
			}
			if len(xys) == 0 {
				continue
			}
			sc, err := plotter.NewScatter(xys)
			if err != nil {
				return nil, fmt.Errorf("viz: scatter %q: panel %d group %d (%q): %w", title, pi, gi, g.Name, err)
			}
			sc.Color, sc.Shape, sc.Radius = col, shape, vg.Length(g.Radius)
			if g.Radius == 0 {
				sc.Radius = 2.5
			}
			p.Add(sc)
			drawn += len(xys)
			if g.Name != "" && !slices.Contains(names, g.Name) {
				names = append(names, g.Name)
				legend = append(legend, legendEntry{g.Name, sc})
			}
		}
		if drawn == 0 {
			return nil, fmt.Errorf("viz: scatter %q: panel %d (%q) has no point to draw", title, pi, pn.Title)
		}
		xr, yr = axisRange(xr, pn.XRange, false, true), axisRange(yr, pn.YRange, false, true)
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = xr[0], xr[1], yr[0], yr[1]
		p.X.Tick.Marker, p.Y.Tick.Marker = shortTicks{}, shortTicks{}
		plots = append(plots, p)
	}
	cols := min(len(plots), 2)
	rows := (len(plots) + cols - 1) / cols
	perRow := min(max(len(legend), 1), 3)
	h := vg.Length(rows)*300 + vg.Length(legendRows(len(legend), perRow))*legendRow + 10
	if title != "" {
		h += titleH
	}
	return render(title, figWidth, h, func(dc draw.Canvas) {
		dc = drawTitle(dc, title)
		dc = drawLegendBand(dc, legend, perRow)
		gridOf(dc, plots, cols)
	})
}

// shortTicks labels gonum's default ticks with the fewest digits that write their values (100, 27.5, 0.25),
// not a fixed number of decimals.
type shortTicks struct{}

func (shortTicks) Ticks(min, max float64) []plot.Tick {
	ticks := plot.DefaultTicks{}.Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			v, _ := strconv.ParseFloat(strconv.FormatFloat(ticks[i].Value, 'g', 12, 64), 64) // 0.30000000000000004 → 0.3
			ticks[i].Label = strconv.FormatFloat(v, 'f', -1, 64)
		}
	}
	return ticks
}
