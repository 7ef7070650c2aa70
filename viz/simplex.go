package viz

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Trajectory is a named path on the 2-simplex: points of 3 coordinates each, summing to 1 (e.g. θ of
// a 3-op edge after every step of one optimiser).
type Trajectory struct {
	Name   string
	Points [][]float64
}

// Levels of the objective drawn by SimplexTrajectories, and the resolution of the mesh they are traced on.
const (
	simplexLevels = 10
	simplexMesh   = 60
)

var sqrt3over2 = math.Sqrt(3) / 2

// ternary maps barycentric coordinates (a, b, c) to the plane: vertex a at (0, 0), b at (1, 0),
// c at (1/2, √3/2).
func ternary(w [3]float64) plotter.XY {
	return plotter.XY{X: w[1] + w[2]/2, Y: w[2] * sqrt3over2}
}

// SimplexTrajectories draws paths on the 2-simplex as a ternary plot: the triangle with its corners
// labelled (labels[i] is the corner where coordinate i is 1), each trajectory a line in its own colour
// from a hollow start marker to a filled end marker, and, when objective is non-nil, its level sets
// (contour lines of objective over the simplex, at 10 evenly spaced values) in grey. Points must have 3
// finite, non-negative coordinates summing to 1 (within 1e-3; they are renormalised for drawing). Earlier
// trajectories are drawn wider, so one that a later trajectory covers stays visible along its sides.
func SimplexTrajectories(trajs []Trajectory, labels [3]string, objective func(w [3]float64) float64, title string) (*Figure, error) {
	if title == "" {
		title = "Trajectories on the simplex"
	}
	for _, t := range trajs {
		if len(t.Points) == 0 {
			return nil, fmt.Errorf("viz: simplex trajectories: trajectory %q has no points", t.Name)
		}
		for i, pt := range t.Points {
			if len(pt) != 3 {
				return nil, fmt.Errorf("viz: simplex trajectories: trajectory %q point %d has %d coordinates, want 3", t.Name, i, len(pt))
			}
			sum := 0.0
			for _, v := range pt {
				if !finite(v) || v < -1e-9 {
					return nil, fmt.Errorf("viz: simplex trajectories: trajectory %q point %d %v is not on the simplex", t.Name, i, pt)
				}
				sum += v
			}
			if math.Abs(sum-1) > 1e-3 {
				return nil, fmt.Errorf("viz: simplex trajectories: trajectory %q point %d %v sums to %g, want 1", t.Name, i, pt, sum)
			}
		}
	}
	p := newPlot(title, "", "")
	p.Title.TextStyle.Font = sans(13)
	p.HideAxes()
	p.Add(triangle{})
	var legend []legendEntry
	if objective != nil {
		lv, err := levelSets(objective)
		if err != nil {
			return nil, err
		}
		if lv != nil {
			p.Add(lv)
			legend = append(legend, legendEntry{"level sets of the objective", lv})
		}
	}
	for i, t := range trajs {
		xys := make(plotter.XYs, len(t.Points))
		for j, pt := range t.Points {
			s := pt[0] + pt[1] + pt[2]
			xys[j] = ternary([3]float64{pt[0] / s, pt[1] / s, pt[2] / s})
		}
		c := seriesColor(i)
		line, err := plotter.NewLine(xys)
		if err != nil {
			return nil, fmt.Errorf("viz: simplex trajectories: %q: %w", t.Name, err)
		}
		// Earlier paths are drawn wider, so a later path that runs on top of an earlier one (e.g. the
		// Euclidean step along an edge EG also follows) leaves the earlier one visible at both sides.
		line.Color, line.Width = c, vg.Length(math.Max(1.4, 1.8+1.6*float64(len(trajs)-1-i)))
		ends, err := plotter.NewScatter(plotter.XYs{xys[0]})
		if err != nil {
			return nil, err
		}
		ends.Shape, ends.Color, ends.Radius = draw.RingGlyph{}, c, 4
		last, err := plotter.NewScatter(plotter.XYs{xys[len(xys)-1]})
		if err != nil {
			return nil, err
		}
		last.Shape, last.Color, last.Radius = draw.CircleGlyph{}, c, 3.5
		p.Add(line, ends, last)
		legend = append(legend, legendEntry{t.Name, line})
	}
	// Corner labels.
	corners := plotter.XYLabels{
		XYs:    []plotter.XY{{X: 0, Y: 0}, {X: 1, Y: 0}},
		Labels: labels[:2],
	}
	lab, err := plotter.NewLabels(corners)
	if err != nil {
		return nil, fmt.Errorf("viz: simplex trajectories: %w", err)
	}
	for i := range lab.TextStyle {
		lab.TextStyle[i].Font = sans(11)
		lab.TextStyle[i].XAlign = draw.XCenter
	}
	// Corner labels: a below-left corner, b below-right corner, c above the top.
	lab.TextStyle[0].YAlign, lab.TextStyle[1].YAlign = draw.YTop, draw.YTop
	lab.Offset = vg.Point{Y: -5}
	p.Add(lab)
	top, err := plotter.NewLabels(plotter.XYLabels{XYs: []plotter.XY{{X: 0.5, Y: sqrt3over2}}, Labels: []string{labels[2]}})
	if err != nil {
		return nil, err
	}
	top.TextStyle[0].Font = sans(11)
	top.TextStyle[0].XAlign, top.TextStyle[0].YAlign = draw.XCenter, draw.YBottom
	top.Offset = vg.Point{Y: 5}
	p.Add(top)
	// Equal aspect: the data box is 1.3 × (√3/2 + 0.2) and the plot area is sized to match.
	p.X.Min, p.X.Max = -0.15, 1.15
	p.Y.Min, p.Y.Max = -0.08, sqrt3over2+0.08
	perRow := max(1, min(len(legend), 4))
	areaW := vg.Length(440)
	areaH := areaW * vg.Length((p.Y.Max-p.Y.Min)/(p.X.Max-p.X.Min))
	h := areaH + 40 + vg.Length(legendRows(len(legend), perRow))*legendRow + 8
	return render(title, figWidth, h, func(dc draw.Canvas) {
		dc = drawLegendBand(dc, legend, perRow)
		pad := (dc.Max.X - dc.Min.X - areaW) / 2
		dc.Min.X += pad
		dc.Max.X -= pad
		p.Draw(dc)
	})
}

// triangle draws the simplex's outline and a light grid at 0.2 steps.
type triangle struct{}

func (triangle) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	pt := func(w [3]float64) vg.Point { xy := ternary(w); return vg.Point{X: tx(xy.X), Y: ty(xy.Y)} }
	grid := draw.LineStyle{Color: rgb(0xe6e6e6), Width: 0.6}
	for i := 1; i < 5; i++ {
		f := float64(i) / 5
		c.StrokeLine2(grid, pt([3]float64{f, 1 - f, 0}).X, pt([3]float64{f, 1 - f, 0}).Y, pt([3]float64{f, 0, 1 - f}).X, pt([3]float64{f, 0, 1 - f}).Y)
		c.StrokeLine2(grid, pt([3]float64{1 - f, f, 0}).X, pt([3]float64{1 - f, f, 0}).Y, pt([3]float64{0, f, 1 - f}).X, pt([3]float64{0, f, 1 - f}).Y)
		c.StrokeLine2(grid, pt([3]float64{1 - f, 0, f}).X, pt([3]float64{1 - f, 0, f}).Y, pt([3]float64{0, 1 - f, f}).X, pt([3]float64{0, 1 - f, f}).Y)
	}
	c.StrokeLines(draw.LineStyle{Color: color.Black, Width: 1.2},
		[]vg.Point{pt([3]float64{1, 0, 0}), pt([3]float64{0, 1, 0}), pt([3]float64{0, 0, 1}), pt([3]float64{1, 0, 0})})
}

// contours is the level sets of an objective: per level, segments in barycentric coordinates.
type contours struct {
	segs [][][2][3]float64 // [level][segment][end]
}

// levelSets traces the level sets of f on a triangular mesh of the simplex (marching triangles: f is
// taken linear on each small triangle). Levels are evenly spaced strictly inside f's range; a
// constant f has none (nil, nil). Non-finite values of f are an error.
func levelSets(f func(w [3]float64) float64) (*contours, error) {
	n := simplexMesh
	val := make(map[[2]int]float64)
	lo, hi := math.Inf(1), math.Inf(-1)
	bary := func(i, j int) [3]float64 {
		b, c := float64(i)/float64(n), float64(j)/float64(n)
		return [3]float64{math.Max(0, 1-b-c), b, c}
	}
	for i := 0; i <= n; i++ {
		for j := 0; i+j <= n; j++ {
			v := f(bary(i, j))
			if !finite(v) {
				return nil, fmt.Errorf("viz: simplex trajectories: objective%v = %v", bary(i, j), v)
			}
			val[[2]int{i, j}] = v
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if hi-lo < 1e-12*math.Max(1, math.Abs(hi)) {
		return nil, nil
	}
	levels := make([]float64, simplexLevels)
	for l := range levels {
		levels[l] = lo + (hi-lo)*(float64(l)+0.5)/float64(simplexLevels)
	}
	out := &contours{segs: make([][][2][3]float64, len(levels))}
	tri := func(a, b, c [2]int) {
		vs := [3][2]int{a, b, c}
		for l, lv := range levels {
			var ends [][3]float64
			for k := 0; k < 3; k++ {
				p, q := vs[k], vs[(k+1)%3]
				fp, fq := val[p]-lv, val[q]-lv
				if (fp < 0) == (fq < 0) {
					continue
				}
				t := fp / (fp - fq)
				bp, bq := bary(p[0], p[1]), bary(q[0], q[1])
				var w [3]float64
				for d := range w {
					w[d] = bp[d] + t*(bq[d]-bp[d])
				}
				ends = append(ends, w)
			}
			if len(ends) == 2 {
				out.segs[l] = append(out.segs[l], [2][3]float64{ends[0], ends[1]})
			}
		}
	}
	for i := 0; i < n; i++ {
		for j := 0; i+j < n; j++ {
			tri([2]int{i, j}, [2]int{i + 1, j}, [2]int{i, j + 1})
			if i+j+2 <= n {
				tri([2]int{i + 1, j}, [2]int{i + 1, j + 1}, [2]int{i, j + 1})
			}
		}
	}
	return out, nil
}

// Thumbnail draws the legend entry of the level sets.
func (ct *contours) Thumbnail(c *draw.Canvas) {
	y := c.Center().Y
	c.StrokeLine2(contourStyle, c.Min.X, y, c.Max.X, y)
}

var contourStyle = draw.LineStyle{Color: rgb(0x9a9a9a), Width: 0.7}

// Plot draws each level as one path of many segments.
func (ct *contours) Plot(c draw.Canvas, p *plot.Plot) {
	tx, ty := p.Transforms(&c)
	c.SetLineStyle(contourStyle)
	for _, segs := range ct.segs {
		if len(segs) == 0 {
			continue
		}
		var path vg.Path
		for _, s := range segs {
			a, b := ternary(s[0]), ternary(s[1])
			path.Move(vg.Point{X: tx(a.X), Y: ty(a.Y)})
			path.Line(vg.Point{X: tx(b.X), Y: ty(b.Y)})
		}
		c.Stroke(path)
	}
}
