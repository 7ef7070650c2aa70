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

// Series is one line of a LineChart.
type Series struct {
	// Name is the legend entry. Series with the same name share one entry, drawn in the style of the
	// first of them (e.g. one entry for the three seeds of an algorithm); "" adds none.
	Name string
	// X and Y are the points, in order. Points with a non-finite coordinate, or one ≤ 0 on a logarithmic
	// axis, are left out.
	X, Y []float64
	// Lo and Hi, when set (as long as X), draw a shaded band between them, e.g. mean ± one standard
	// deviation over seeds.
	Lo, Hi []float64
	// Color of the line and band; nil takes the package's series palette, one colour per distinct name.
	Color color.Color
	// Dashed draws the line dashed; Width is its width in points (0: 1.6). Markers marks every point
	// (a series of up to 3 points is always marked).
	Dashed  bool
	Width   float64
	Markers bool
}

// LineChart is a chart of lines over a shared x axis: the line-chart helper of the notebooks.
type LineChart struct {
	Title, XLabel, YLabel string
	Series                []Series
	// LogX and LogY make an axis logarithmic.
	LogX, LogY bool
	// XRange and YRange fix an axis's range; both 0 (the default) take it from the data, with a margin.
	XRange, YRange [2]float64
	// XTicks, when set, are the values labelled on the x axis (e.g. the K of a sweep).
	XTicks []float64
	// Height of the plot in points, legend not included (0: 280); the width is that of every figure.
	Height float64
}

// Lines draws a LineChart. Its legend is a band under the plot, outside the axes, so it never covers a
// line, with one entry per distinct series name.
func Lines(c LineChart) (*Figure, error) {
	if len(c.Series) == 0 {
		return nil, fmt.Errorf("viz: lines %q: no series", c.Title)
	}
	p := newPlot(c.Title, c.XLabel, c.YLabel)
	p.Title.TextStyle.Font = sans(12)
	ok := func(v float64, logScale bool) bool { return finite(v) && (!logScale || v > 0) }
	xr, yr := [2]float64{math.Inf(1), math.Inf(-1)}, [2]float64{math.Inf(1), math.Inf(-1)}
	extend := func(r *[2]float64, v float64) { r[0], r[1] = math.Min(r[0], v), math.Max(r[1], v) }
	colorOf := map[string]color.Color{}
	var names []string
	var legend []legendEntry
	type band struct {
		poly plotter.XYs
		c    color.Color
	}
	var bands []band
	var lines []plot.Plotter
	for i, s := range c.Series {
		if len(s.X) != len(s.Y) {
			return nil, fmt.Errorf("viz: lines %q: series %d (%q) has %d x and %d y values", c.Title, i, s.Name, len(s.X), len(s.Y))
		}
		if (s.Lo != nil || s.Hi != nil) && (len(s.Lo) != len(s.X) || len(s.Hi) != len(s.X)) {
			return nil, fmt.Errorf("viz: lines %q: series %d (%q) has %d x values but a band of %d and %d", c.Title, i, s.Name, len(s.X), len(s.Lo), len(s.Hi))
		}
		col := s.Color
		if col == nil {
			if _, seen := colorOf[s.Name]; !seen {
				colorOf[s.Name] = seriesColor(len(colorOf))
			}
			col = colorOf[s.Name]
		}
		var xys plotter.XYs
		var lo, hi plotter.XYs
		for j := range s.X {
			if !ok(s.X[j], c.LogX) {
				continue
			}
			if ok(s.Y[j], c.LogY) {
				xys = append(xys, plotter.XY{X: s.X[j], Y: s.Y[j]})
				extend(&xr, s.X[j])
				extend(&yr, s.Y[j])
			}
			if s.Lo != nil && finite(s.Lo[j]) && ok(s.Hi[j], c.LogY) {
				lo = append(lo, plotter.XY{X: s.X[j], Y: s.Lo[j]})
				hi = append(hi, plotter.XY{X: s.X[j], Y: s.Hi[j]})
				if ok(s.Lo[j], c.LogY) {
					extend(&yr, s.Lo[j])
				}
				extend(&yr, s.Hi[j])
			}
		}
		if len(xys) == 0 {
			continue
		}
		if len(lo) > 1 {
			poly := append(plotter.XYs(nil), hi...)
			for j := len(lo) - 1; j >= 0; j-- {
				poly = append(poly, lo[j])
			}
			bands = append(bands, band{poly, col})
		}
		w := vg.Length(s.Width)
		if w == 0 {
			w = 1.6
		}
		ps, thumb, err := seriesLine(xys, col, w, s.Dashed)
		if err == nil && s.Markers && len(xys) > 3 {
			var sc *plotter.Scatter
			if sc, err = plotter.NewScatter(xys); err == nil {
				sc.Color, sc.Shape, sc.Radius = col, draw.CircleGlyph{}, 2.5
				ps = append(ps, sc)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("viz: lines %q: series %d (%q): %w", c.Title, i, s.Name, err)
		}
		lines = append(lines, ps...)
		if s.Name != "" && !slices.Contains(names, s.Name) {
			names = append(names, s.Name)
			legend = append(legend, legendEntry{s.Name, thumb})
		}
	}
	if len(lines) == 0 {
		return nil, fmt.Errorf("viz: lines %q: no point to draw in %d series", c.Title, len(c.Series))
	}
	xr = axisRange(xr, c.XRange, c.LogX, false)
	yr = axisRange(yr, c.YRange, c.LogY, true)
	// Bands are clipped to the y range (a mean − sd below 0 on a logarithmic axis, or outside a fixed one).
	for _, b := range bands {
		poly := make(plotter.XYs, len(b.poly))
		for j, pt := range b.poly {
			poly[j] = plotter.XY{X: pt.X, Y: math.Min(math.Max(pt.Y, yr[0]), yr[1])}
		}
		pg, err := plotter.NewPolygon(poly)
		if err != nil {
			return nil, fmt.Errorf("viz: lines %q: band: %w", c.Title, err)
		}
		r, g, bl, _ := b.c.RGBA()
		pg.Color = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(bl >> 8), A: 0x38}
		pg.LineStyle.Width = 0
		p.Add(pg)
	}
	p.Add(lines...)
	p.X.Min, p.X.Max = xr[0], xr[1]
	p.Y.Min, p.Y.Max = yr[0], yr[1]
	if c.LogX {
		p.X.Scale = plot.LogScale{}
		p.X.Tick.Marker = logTicks{}
	}
	if c.LogY {
		p.Y.Scale = plot.LogScale{}
		p.Y.Tick.Marker = logTicks{}
	} else {
		p.Y.Tick.Marker = decimalTicks{}
	}
	if len(c.XTicks) > 0 {
		var ticks []plot.Tick
		for _, v := range c.XTicks {
			ticks = append(ticks, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', -1, 64)})
		}
		p.X.Tick.Marker = plot.ConstantTicks(ticks)
	}
	h := vg.Length(c.Height)
	if h == 0 {
		h = 280
	}
	perRow := min(max(len(legend), 1), 3)
	total := h + vg.Length(legendRows(len(legend), perRow))*legendRow + 10
	return render(c.Title, figWidth, total, func(dc draw.Canvas) {
		dc = drawLegendBand(dc, legend, perRow)
		p.Draw(dc)
	})
}

// axisRange is fixed when set, else the data's range [lo, hi] widened: by 5 % of the span on a linear
// axis (only above and below for y; x starts and ends at the data), by a factor on a logarithmic one, and
// to a span of 1 (linear) or a factor of 10 (logarithmic) when the data is one value.
func axisRange(data, fixed [2]float64, logScale, margin bool) [2]float64 {
	if fixed != [2]float64{} {
		return fixed
	}
	lo, hi := data[0], data[1]
	if logScale {
		if hi/lo < 1.0001 {
			return [2]float64{lo / math.Sqrt(10), hi * math.Sqrt(10)}
		}
		if margin {
			f := math.Pow(hi/lo, 0.05)
			lo, hi = lo/f, hi*f
		}
		return [2]float64{lo, hi}
	}
	if hi-lo < 1e-12*math.Max(1, math.Abs(hi)) {
		return [2]float64{lo - 0.5, hi + 0.5}
	}
	if margin {
		m := 0.05 * (hi - lo)
		lo, hi = lo-m, hi+m
	}
	return [2]float64{lo, hi}
}

// SeriesColor is the i-th colour of the palette Lines gives to series without a colour (one per distinct
// name, in order), for charts that colour lines by one key and dash them by another.
func SeriesColor(i int) color.RGBA { return seriesColor(i) }

// logTicks labels a logarithmic axis at the powers of ten, and at 2 and 5 times them as well when the axis
// spans less than three decades (gonum's LogTicks would leave a range such as 150–1,700 with one label).
// Wider axes are labelled by decadeTicks.
type logTicks struct{}

func (logTicks) Ticks(lo, hi float64) []plot.Tick {
	if hi/lo >= 1000 {
		return decadeTicks(lo, hi)
	}
	ticks := plot.LogTicks{Prec: -1}.Ticks(lo, hi)
	for i := range ticks {
		v := ticks[i].Value
		m := v / math.Pow(10, math.Floor(math.Log10(v)+1e-9))
		if ticks[i].Label == "" && (math.Abs(m-2) < 1e-9 || math.Abs(m-5) < 1e-9) {
			ticks[i].Label = strconv.FormatFloat(v, 'g', -1, 64)
		}
	}
	return ticks
}

// maxDecadeLabels is the most powers of ten decadeTicks labels; a wider axis is labelled every k-th decade.
const maxDecadeLabels = 8

// decadeTicks marks a logarithmic axis of three decades or more: a tick at every power of ten in [lo, hi],
// labelled — every k-th one (at the exponents divisible by k, k one of 1, 2, 3, 4, 5, 10, 20, 25, 50, 100,
// …) when there are more than maxDecadeLabels — and unlabelled ticks at 2…9 times them. Each power is
// the float64 nearest to it, printed as such (1e-06, 0.0001, 1e+06): gonum's LogTicks steps from one to
// the next by multiplying by 10, which labels an axis from 1e-12 to 1 with 9.999999999999998e-06 and the like.
func decadeTicks(lo, hi float64) []plot.Tick {
	first, last := int(math.Floor(math.Log10(lo)+1e-9)), int(math.Ceil(math.Log10(hi)-1e-9))
	need := (last - first + maxDecadeLabels) / maxDecadeLabels // ⌈decades / max⌉, decades = last − first + 1
	every := 100 * ((need + 99) / 100)
	for _, k := range []int{1, 2, 3, 4, 5, 10, 20, 25, 50} {
		if k >= need {
			every = k
			break
		}
	}
	in := func(v float64) bool { return v >= lo*(1-1e-9) && v <= hi*(1+1e-9) }
	var ticks []plot.Tick
	for e := first; e <= last; e++ {
		v, _ := strconv.ParseFloat("1e"+strconv.Itoa(e), 64) // the float64 nearest to 10^e
		if in(v) {
			t := plot.Tick{Value: v}
			if e%every == 0 {
				t.Label = strconv.FormatFloat(v, 'g', -1, 64)
			}
			ticks = append(ticks, t)
		}
		for m := 2; m < 10; m++ {
			if in(float64(m) * v) {
				ticks = append(ticks, plot.Tick{Value: float64(m) * v})
			}
		}
	}
	return ticks
}
