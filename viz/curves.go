package viz

import (
	"fmt"

	"github.com/gaeanas/gaeanas/gaea"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg/draw"
)

// blockColors are the colours of the two blocks of the alternating search.
var blockColors = map[string]struct {
	name  string
	color uint32
}{
	"arch":    {"architecture block (θ)", 0xd62728},
	"weights": {"weight block (w)", 0x1f77b4},
}

// LossCurves draws the loss (left panel) and the accuracy (right panel) of both blocks of the search
// over the steps: the architecture block ("arch") in red, the weight block ("weights") in blue. A block
// without records (e.g. no architecture steps yet) is left out; non-finite values are skipped.
func LossCurves(history []gaea.Record) (*Figure, error) {
	if len(history) == 0 {
		return nil, fmt.Errorf("viz: loss curves: empty history")
	}
	loss := newPlot("loss", "step", "loss")
	acc := newPlot("accuracy", "step", "accuracy")
	var legend []legendEntry
	for _, block := range []string{"arch", "weights"} {
		var lxy, axy plotter.XYs
		for _, r := range history {
			if r.Block != block {
				continue
			}
			if finite(r.Loss) {
				lxy = append(lxy, plotter.XY{X: float64(r.Step), Y: r.Loss})
			}
			if finite(r.Acc) {
				axy = append(axy, plotter.XY{X: float64(r.Step), Y: r.Acc})
			}
		}
		bc := blockColors[block]
		var thumb plot.Thumbnailer
		for _, s := range []struct {
			p   *plot.Plot
			xys plotter.XYs
		}{{loss, lxy}, {acc, axy}} {
			if len(s.xys) == 0 {
				continue
			}
			ps, th, err := seriesLine(s.xys, rgb(bc.color), 1.4, false)
			if err != nil {
				return nil, fmt.Errorf("viz: loss curves: %s: %w", block, err)
			}
			s.p.Add(ps...)
			thumb = th
		}
		if thumb != nil {
			legend = append(legend, legendEntry{bc.name, thumb})
		}
	}
	if len(legend) == 0 {
		return nil, fmt.Errorf("viz: loss curves: no record of the history (%d records) is of block \"arch\" or \"weights\" with a finite loss or accuracy", len(history))
	}
	for _, p := range []*plot.Plot{loss, acc} {
		fixRange(&p.X.Min, &p.X.Max, 1)
		fixRange(&p.Y.Min, &p.Y.Max, 0.05)
		p.X.Tick.Marker = integerTicks{}
	}
	const title = "Loss and accuracy of both blocks"
	h := titleH + 280 + legendRow + 10
	return render(title, figWidth, h, func(dc draw.Canvas) {
		dc = drawTitle(dc, title)
		dc = drawLegendBand(dc, legend, 2)
		gridOf(dc, []*plot.Plot{loss, acc}, 2)
	})
}
