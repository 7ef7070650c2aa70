package viz

import (
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"
)

// SignedHeatmap draws an edges × ops matrix with signed entries — a gradient ∇θL, a change Δθ — on a
// diverging scale: blue for negative, white for 0, red for positive, symmetric in the largest |entry|,
// with each value written in its cell (three significant digits). ThetaHeatmap's single-hue scale would
// hide the sign pattern.
func SignedHeatmap(m [][]float64, ops, edges []string, title string) (*Figure, error) {
	if len(edges) == 0 || len(m) != len(edges) {
		return nil, fmt.Errorf("viz: signed heatmap: %d rows for %d edges", len(m), len(edges))
	}
	maxAbs := 0.0
	for e, row := range m {
		if len(row) != len(ops) {
			return nil, fmt.Errorf("viz: signed heatmap: edge %s has %d entries for %d ops", edges[e], len(row), len(ops))
		}
		for _, v := range row {
			if !finite(v) {
				return nil, fmt.Errorf("viz: signed heatmap: edge %s: non-finite entry %g", edges[e], v)
			}
			maxAbs = math.Max(maxAbs, math.Abs(v))
		}
	}
	if maxAbs == 0 {
		maxAbs = 1
	}
	p := newPlot(title, "op", "edge")
	p.Title.TextStyle.Font = sans(13)
	p.Add(heatCells{m: m, max: maxAbs, colour: divergingColor})
	for e, row := range m {
		for k, v := range row {
			lab, err := plotter.NewLabels(plotter.XYLabels{
				XYs:    []plotter.XY{{X: float64(k), Y: float64(len(edges) - 1 - e)}},
				Labels: []string{fmt.Sprintf("%+.3g", v)},
			})
			if err != nil {
				return nil, fmt.Errorf("viz: signed heatmap: %w", err)
			}
			sty := &lab.TextStyle[0]
			sty.Font = sans(9.5)
			sty.XAlign, sty.YAlign = draw.XCenter, -0.5
			sty.Color = color.Black
			if math.Abs(v)/maxAbs > 0.6 {
				sty.Color = color.White
			}
			p.Add(lab)
		}
	}
	return renderHeatmap(title, p, ops, edges)
}

// divergingColor maps [−1, 1] to #2166ac → white → #b2182b (ColorBrewer RdBu's ends).
func divergingColor(t float64) color.RGBA {
	t = math.Max(-1, math.Min(1, t))
	end := rgb(0xb2182b)
	if t < 0 {
		end, t = rgb(0x2166ac), -t
	}
	mix := func(x uint8) uint8 { return uint8(math.Round(255 + t*(float64(x)-255))) }
	return color.RGBA{R: mix(end.R), G: mix(end.G), B: mix(end.B), A: 0xff}
}
