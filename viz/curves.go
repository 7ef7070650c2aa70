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
// over the steps: the architecture block ("arch") in red, the weight block ("weights") in blue, with a
// legend of both under the title. A block without records (e.g. no architecture steps yet) keeps its
// legend entry, marked "no steps"; an empty history draws the empty panels (a live display before its
// first step). Non-finite values are skipped.
func LossCurves(history []gaea.Record) (*Figure, error) {
	loss := newPlot("loss", "block step", "loss")
	acc := newPlot("accuracy", "block step", "accuracy")
	var legend []legendEntry
	drawn := 0
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
		name := bc.name
		if thumb == nil {
			name += " — no steps"
			l := &plotter.Line{}
			l.Color, l.Width = rgb(bc.color), 1.4
			thumb = l
		} else {
			drawn++
		}
		legend = append(legend, legendEntry{name, thumb})
	}
	if drawn == 0 && len(history) > 0 {
		return nil, fmt.Errorf("viz: loss curves: no record of the history (%d records) is of block \"arch\" or \"weights\" with a finite loss or accuracy", len(history))
	}
	for _, p := range []*plot.Plot{loss, acc} {
		if drawn == 0 {
			p.Add(note{"no block step yet"})
			p.X.Min, p.X.Max = 0, 1
		}
		fixRange(&p.X.Min, &p.X.Max, 1)
		fixRange(&p.Y.Min, &p.Y.Max, 0.05)
		p.X.Tick.Marker = integerTicks{}
	}
	if drawn == 0 {
		loss.Y.Min, loss.Y.Max = 0, 3
		acc.Y.Min, acc.Y.Max = 0, 1
	}
	const title = "Loss and accuracy of both blocks"
	h := titleH + 280 + legendRow + 10
	return render(title, figWidth, h, func(dc draw.Canvas) {
		dc = drawTitle(dc, title)
		dc = drawLegendBandTop(dc, legend, 2)
		gridOf(dc, []*plot.Plot{loss, acc}, 2)
	})
}
