package viz

import (
	"image/color"
	"math"
	"strings"
	"testing"
)

// TestScatter: every finite point is a marker in its group's colour, one legend entry per distinct name
// (shared across panels) under the x axis label, every panel's title and labels written once.
func TestScatter(t *testing.T) {
	red := rgb(0xd62728)
	top := Points{Name: "top 3", X: []float64{94, 93.8, 93.5}, Y: []float64{0.31, 0.28, 0.33}, Color: red, Shape: "triangle", Radius: 3.5}
	f := check(t, "scatter")(Scatter("supernet vs stand-alone",
		ScatterPanel{Title: "GAEA", XLabel: "NAS-Bench-201 %", YLabel: "supernet acc", Groups: []Points{
			{Name: "random", X: []float64{85, 88, 90, math.NaN()}, Y: []float64{0.2, 0.25, 0.3, 0.4}}, top}},
		ScatterPanel{Title: "RS-WS", XLabel: "NAS-Bench-201 %", YLabel: "supernet acc", YRange: [2]float64{0, 1}, Groups: []Points{
			{Name: "random", X: []float64{85, 88, 90}, Y: []float64{0.3, 0.2, 0.35}}, top}},
	))
	ts := texts(t, f.SVG)
	for _, s := range []string{"supernet vs stand-alone", "GAEA", "RS-WS", "random", "top 3"} {
		if n := count(ts, s); n != 1 {
			t.Errorf("%q written %d times, want once", s, n)
		}
	}
	axis := textHeights(t, f.SVG, "NAS-Bench-201 %")
	for _, name := range []string{"random", "top 3"} {
		if h := textHeights(t, f.SVG, name); len(h) != 1 || len(axis) != 2 || h[0] >= axis[0] {
			t.Errorf("legend entry %q at %v, x labels at %v: want it below the axes", name, h, axis)
		}
	}
	// Markers: 3 + 3 filled circles of the first palette colour (the NaN point left out) plus the legend's;
	// the triangles are filled glyphs in red: 3 per panel plus the legend's.
	if n := fills(f.SVG, hexColor(seriesColor(0))); n != 3+3+1 {
		t.Errorf("%d filled circles of the random group, want 7", n)
	}
	if n := fills(f.SVG, hexColor(color.RGBAModel.Convert(red).(color.RGBA))); n != 3+3+1 {
		t.Errorf("%d red triangles, want 7", n)
	}
}

func TestScatterErrors(t *testing.T) {
	for name, panels := range map[string][]ScatterPanel{
		"no panel":       nil,
		"x and y differ": {{Groups: []Points{{X: []float64{1, 2}, Y: []float64{1}}}}},
		"unknown shape":  {{Groups: []Points{{X: []float64{1}, Y: []float64{1}, Shape: "star"}}}},
		"nothing finite": {{Title: "p", Groups: []Points{{X: []float64{math.Inf(1)}, Y: []float64{1}}}}},
	} {
		if f, err := Scatter("t", panels...); err == nil || f != nil {
			t.Errorf("%s: no error", name)
		} else if !strings.HasPrefix(err.Error(), `viz: scatter "t"`) {
			t.Errorf("%s: error %q does not name the scatter", name, err)
		}
	}
}

// TestShortTicks: the scatter axes write each labelled tick with the fewest digits that give its value
// (100 and 27.5, not 100.00 and 27.50), without floating-point residue.
func TestShortTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   []string
	}{
		{0, 121, []string{"0", "50", "100"}},
		{7.5, 28, []string{"9", "18", "27"}},
		{6.5, 29, []string{"7.5", "17.5", "27.5"}},
		{0.1, 0.35, []string{"0.1", "0.2", "0.3"}},
	} {
		var got []string
		for _, tk := range (shortTicks{}).Ticks(c.lo, c.hi) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("ticks of [%g, %g]: %q, want %q", c.lo, c.hi, got, c.want)
		}
	}
}
