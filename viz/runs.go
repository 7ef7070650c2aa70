package viz

import (
	"fmt"
	"image/color"
	"math"
	"sort"

	"github.com/gaeanas/gaeanas/gaea"
	"github.com/gaeanas/gaeanas/spaces"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Run is one search's history with the names of θ's columns (spaces.Space's Ops) and, for the
// benchmark figures, the space that discretises its θ.
type Run struct {
	History []gaea.Record
	Ops     []string
	Space   spaces.Space
}

// RunGroup is the runs of one algorithm (e.g. one per seed), drawn as one line with a band.
type RunGroup struct {
	Name string
	Runs []Run
}

// AccuracyOverSearchRuns is AccuracyOverSearch for groups of runs: for each group (one algorithm over
// seeds) the mean over its runs of the benchmark accuracy of the argmax cell after every iteration,
// with a band of ± one standard deviation. A run's value at an iteration is its value at its last
// architecture step up to it; the curve stops where the shortest run of the group stops.
func AccuracyOverSearchRuns(b spaces.Benchmark, groups []RunGroup, dataset string) (*Figure, error) {
	const what = "accuracy over search (runs)"
	dsTitle, err := datasetTitle(what, b, dataset)
	if err != nil {
		return nil, err
	}
	series := func(r Run) (plotter.XYs, error) {
		xys, _, err := accuracySeries(what, b, r.Space, r.History, dataset)
		return byIteration(r.History, xys), err
	}
	title := fmt.Sprintf("%s %s test accuracy of the argmax cell during the search", b.Title(), dsTitle)
	p := newPlot(title, "iteration", "test accuracy (%)")
	p.Title.TextStyle.Font = sans(12)
	legend, err := addGroups(p, groups, series)
	if err != nil {
		return nil, fmt.Errorf("viz: %s: %w", what, err)
	}
	bestEntry, err := b.Best(dataset)
	if err != nil {
		return nil, fmt.Errorf("viz: %s: %w", what, err)
	}
	best, _ := bestEntry.Accuracy(dataset)
	if len(legend) > 0 {
		bl, err := plotter.NewLine(plotter.XYs{{X: p.X.Min, Y: best}, {X: p.X.Max, Y: best}})
		if err != nil {
			return nil, err
		}
		bl.Color, bl.Width, bl.Dashes = color.Gray{Y: 0x55}, 1.2, []vg.Length{4, 3}
		p.Add(bl)
		legend = append(legend, legendEntry{fmt.Sprintf("best in the table (%.2f %%)", best), bl})
		p.Y.Max = max(p.Y.Max, best+1)
		p.Y.Min = max(0, p.Y.Min-5)
	}
	return groupFigure(title, p, legend, 1)
}

// EntropyOverSearchRuns draws, for each group of runs, the mean per-edge entropy of θ (nats) over the
// iterations: the mean over the group's runs with a band of ± one standard deviation.
func EntropyOverSearchRuns(groups []RunGroup) (*Figure, error) {
	series := func(r Run) (plotter.XYs, error) {
		var xys plotter.XYs
		for _, rec := range r.History {
			if len(rec.Entropy) == 0 {
				continue
			}
			var s float64
			for _, h := range rec.Entropy {
				s += h
			}
			if m := s / float64(len(rec.Entropy)); finite(m) {
				xys = append(xys, plotter.XY{X: float64(rec.Step), Y: m})
			}
		}
		return byIteration(r.History, xys), nil
	}
	const title = "Mean per-edge entropy of θ during the search"
	p := newPlot(title, "iteration", "entropy (nats)")
	p.Title.TextStyle.Font = sans(12)
	legend, err := addGroups(p, groups, series)
	if err != nil {
		return nil, fmt.Errorf("viz: entropy over search (runs): %w", err)
	}
	p.Y.Tick.Marker = decimalTicks{}
	return groupFigure(title, p, legend, 0.05)
}

// byIteration puts a run's series on iterations instead of block steps (an architecture step and a
// weight step make one iteration), keeping each iteration's last value, so that runs with a warm-up —
// whose first iterations have no architecture step — end where the others do. A history written
// before records carried their iteration keeps its steps.
func byIteration(h []gaea.Record, xys plotter.XYs) plotter.XYs {
	iter := make(map[int]int, len(h))
	for _, r := range h {
		if r.Iteration == 0 {
			return xys
		}
		iter[r.Step] = r.Iteration
	}
	out := make(plotter.XYs, 0, len(xys))
	for _, p := range xys {
		x := float64(iter[int(p.X)])
		if n := len(out); n > 0 && out[n-1].X == x {
			out[n-1].Y = p.Y
			continue
		}
		out = append(out, plotter.XY{X: x, Y: p.Y})
	}
	return out
}

// groupFigure lays out a plot of groups with its legend above. The y axis spans at least minSpan (a
// flat curve is drawn flat, not blown up to fill the plot), with a margin of 5 % of the span above and
// below, so that no line runs along the frame.
func groupFigure(title string, p *plot.Plot, legend []legendEntry, minSpan float64) (*Figure, error) {
	if len(legend) == 0 {
		p.Add(note{"no steps recorded yet"})
		p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1, 0, 1
		return renderPlot(title, p, figWidth, 300)
	}
	fixRange(&p.X.Min, &p.X.Max, 1)
	yMargin(&p.Y.Min, &p.Y.Max, minSpan)
	p.X.Tick.Marker = integerTicks{}
	perRow := min(len(legend), 3)
	h := 320 + vg.Length(legendRows(len(legend), perRow))*legendRow + 10
	return render(title, figWidth, h, func(dc draw.Canvas) {
		dc = drawLegendBand(dc, legend, perRow)
		p.Draw(dc)
	})
}

// addGroups draws each group's mean line and band on p.
func addGroups(p *plot.Plot, groups []RunGroup, series func(Run) (plotter.XYs, error)) ([]legendEntry, error) {
	var legend []legendEntry
	for g, grp := range groups {
		var all []plotter.XYs
		for i, r := range grp.Runs {
			xys, err := series(r)
			if err != nil {
				return nil, fmt.Errorf("%s run %d: %w", grp.Name, i, err)
			}
			if len(xys) > 0 {
				all = append(all, xys)
			}
		}
		mean, lo, hi := MeanBand(all)
		if len(mean) == 0 {
			continue
		}
		c := seriesColor(g)
		if len(all) > 1 {
			poly := make(plotter.XYs, 0, 2*len(lo))
			poly = append(poly, hi...)
			for i := len(lo) - 1; i >= 0; i-- {
				poly = append(poly, lo[i])
			}
			band, err := plotter.NewPolygon(poly)
			if err != nil {
				return nil, err
			}
			band.Color = color.NRGBA{R: c.R, G: c.G, B: c.B, A: 0x40}
			band.LineStyle.Width = 0
			p.Add(band)
		}
		ps, thumb, err := seriesLine(mean, c, 1.8, false)
		if err != nil {
			return nil, err
		}
		p.Add(ps...)
		legend = append(legend, legendEntry{fmt.Sprintf("%s (%d runs)", grp.Name, len(all)), thumb})
	}
	return legend, nil
}

// MeanBand is the mean and mean ± one (sample) standard deviation of several series over their steps:
// at every x of any series up to the end of the shortest one, each series contributes its value at its
// last x not after it (series that have not started yet are left out there).
func MeanBand(series []plotter.XYs) (mean, lo, hi plotter.XYs) {
	if len(series) == 0 {
		return nil, nil, nil
	}
	end := math.Inf(1)
	var xs []float64
	seen := map[float64]bool{}
	for _, s := range series {
		end = math.Min(end, s[len(s)-1].X)
		for _, p := range s {
			if !seen[p.X] {
				seen[p.X] = true
				xs = append(xs, p.X)
			}
		}
	}
	sort.Float64s(xs)
	pos := make([]int, len(series)) // index of the next point of each series
	for _, x := range xs {
		if x > end {
			break
		}
		var vals []float64
		for i, s := range series {
			for pos[i] < len(s) && s[pos[i]].X <= x {
				pos[i]++
			}
			if pos[i] > 0 {
				vals = append(vals, s[pos[i]-1].Y)
			}
		}
		m, sd := MeanStd(vals)
		mean = append(mean, plotter.XY{X: x, Y: m})
		lo = append(lo, plotter.XY{X: x, Y: m - sd})
		hi = append(hi, plotter.XY{X: x, Y: m + sd})
	}
	return mean, lo, hi
}

// MeanStd is the mean and the sample standard deviation (n − 1 in the denominator; 0 for one value).
func MeanStd(v []float64) (mean, std float64) {
	if len(v) == 0 {
		return math.NaN(), math.NaN()
	}
	for _, x := range v {
		mean += x
	}
	mean /= float64(len(v))
	if len(v) < 2 {
		return mean, 0
	}
	var ss float64
	for _, x := range v {
		ss += (x - mean) * (x - mean)
	}
	return mean, math.Sqrt(ss / float64(len(v)-1))
}

// yMargin widens [min, max] to at least minSpan around its middle, then by 5 % of the span on each side.
func yMargin(min, max *float64, minSpan float64) {
	if *min > *max { // nothing was drawn
		*min, *max = 0, 1
		return
	}
	if span := *max - *min; span < minSpan {
		mid := (*min + *max) / 2
		*min, *max = mid-minSpan/2, mid+minSpan/2
	}
	m := 0.05 * (*max - *min)
	*min -= m
	*max += m
}
