package viz

import (
	"image/color"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// textHeights returns, for every <text> whose content is s, its height above the bottom of the figure
// (gonum/plot writes y flipped: y="-h" with transform scale(1, −1)).
func textHeights(t *testing.T, svg []byte, s string) []float64 {
	t.Helper()
	re := regexp.MustCompile(`<text x="[^"]*" y="([^"]*)"[^>]*>` + regexp.QuoteMeta(s) + `</text>`)
	var out []float64
	for _, m := range re.FindAllSubmatch(svg, -1) {
		y, err := strconv.ParseFloat(string(m[1]), 64)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, -y)
	}
	return out
}

func TestLines(t *testing.T) {
	x := []float64{1, 2, 3, 4}
	red := rgb(0xd62728)
	for _, tc := range []struct {
		name    string
		chart   LineChart
		legend  []string            // entries, each once
		strokes map[color.Color]int // stroked paths per colour: lines + legend thumbnails
		ticks   []string            // x tick labels that must be there
		bands   int                 // filled band polygons
	}{
		{
			name: "one entry per name",
			chart: LineChart{Title: "seeds", XLabel: "iteration", YLabel: "H", Series: []Series{
				{Name: "GAEA", X: x, Y: []float64{1, 0.9, 0.8, 0.7}},
				{Name: "GAEA", X: x, Y: []float64{1, 0.8, 0.7, 0.6}},
				{Name: "DARTS", X: x, Y: []float64{1, 1, 1, 0.99}},
			}},
			legend:  []string{"GAEA", "DARTS"},
			strokes: map[color.Color]int{seriesColor(0): 3, seriesColor(1): 2},
		},
		{
			name: "log axes, bands, ticks, colours",
			chart: LineChart{Title: "steps to ε", XLabel: "K", YLabel: "steps", LogX: true, LogY: true,
				XTicks: []float64{4, 16, 64, 256}, Series: []Series{
					{Name: "entropic", X: []float64{4, 16, 64, 256}, Y: []float64{20, 30, 40, 50}, Markers: true,
						Lo: []float64{-5, 20, 30, 40}, Hi: []float64{30, 40, 50, 60}}, // −5: clipped on the log axis
					{Name: "euclidean", X: []float64{4, 16, 64, 256}, Y: []float64{50, 0, 800, 3000}, Color: red, Dashed: true}, // 0 is left out
					{Name: "", X: []float64{4, 256}, Y: []float64{10, 10}, Color: color.Gray{Y: 0x80}},
				}},
			legend:  []string{"entropic", "euclidean"},
			strokes: map[color.Color]int{seriesColor(0): 2, red: 2},
			ticks:   []string{"4", "16", "64", "256"},
			bands:   1,
		},
		{
			name:   "fixed range, NaN skipped",
			chart:  LineChart{Title: "gap", YRange: [2]float64{0, 1}, Series: []Series{{Name: "a", X: x, Y: []float64{0.5, math.NaN(), 0.2, 0.1}}}},
			legend: []string{"a"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := check(t, "lines-"+strings.ReplaceAll(tc.name, " ", "-"))(Lines(tc.chart))
			ts := texts(t, f.SVG)
			if count(ts, tc.chart.Title) != 1 {
				t.Errorf("title %q not written once", tc.chart.Title)
			}
			axis := textHeights(t, f.SVG, tc.chart.XLabel)
			for _, name := range tc.legend {
				if n := count(ts, name); n != 1 {
					t.Errorf("legend entry %q written %d times, want 1", name, n)
				}
				// The legend is a band under the x axis's label: it cannot cover a line.
				if tc.chart.XLabel != "" {
					if h := textHeights(t, f.SVG, name); len(h) != 1 || len(axis) != 1 || h[0] >= axis[0] {
						t.Errorf("legend entry %q at height %v, x label at %v: want the legend below the axis", name, h, axis)
					}
				}
			}
			for c, want := range tc.strokes {
				if n := strokes(f.SVG, hexColor(color.RGBAModel.Convert(c).(color.RGBA))); n != want {
					t.Errorf("colour %v: %d stroked paths, want %d (lines + legend thumbnail)", c, n, want)
				}
			}
			for _, tick := range tc.ticks {
				if count(ts, tick) != 1 {
					t.Errorf("x tick %q missing (texts %q)", tick, ts)
				}
			}
			if n := strings.Count(string(f.SVG), "fill-opacity:0.2"); n != tc.bands {
				t.Errorf("%d translucent bands, want %d", n, tc.bands)
			}
			for _, s := range tc.chart.Series {
				if s.Markers && s.Color == nil {
					if n := fills(f.SVG, hexColor(seriesColor(0))); n < len(s.X) {
						t.Errorf("series %q: %d markers, want %d", s.Name, n, len(s.X))
					}
				}
			}
		})
	}
}

func TestLinesErrors(t *testing.T) {
	for name, c := range map[string]LineChart{
		"no series":       {Title: "t"},
		"x and y differ":  {Title: "t", Series: []Series{{X: []float64{1, 2}, Y: []float64{1}}}},
		"band too short":  {Title: "t", Series: []Series{{X: []float64{1, 2}, Y: []float64{1, 2}, Lo: []float64{0}, Hi: []float64{2}}}},
		"nothing to draw": {Title: "t", LogY: true, Series: []Series{{X: []float64{1, 2}, Y: []float64{0, -1}}}},
	} {
		if f, err := Lines(c); err == nil || f != nil {
			t.Errorf("%s: no error", name)
		} else if !strings.HasPrefix(err.Error(), "viz: lines") {
			t.Errorf("%s: error %q does not name viz: lines", name, err)
		}
	}
}

func TestTable(t *testing.T) {
	got := Table([][]string{{"geometry", "steps"}, {"entropic", "<b>12</b>"}})
	for _, want := range []string{"<table", "<th", ">geometry</th>", ">steps</th>", ">entropic</td>", "><b>12</b></td>", "</table>"} {
		if !strings.Contains(got, want) {
			t.Errorf("Table: %q missing in %s", want, got)
		}
	}
	if strings.Count(got, "<tr>") != 2 || strings.Count(got, "<th") != 2 || strings.Count(got, "<td") != 2 {
		t.Errorf("Table: want 2 rows, a header of 2 cells and 2 cells: %s", got)
	}
	if got := Table(nil); got != `<table style="font-size:90%;border-collapse:collapse;font-variant-numeric:tabular-nums"></table>` {
		t.Errorf("Table(nil) = %s", got)
	}
	// Numbers stay on one line; a long text cell (counted without its tags) and the header may wrap.
	genotype := "<code>|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|</code>"
	got = Table([][]string{{"cell", "acc"}, {genotype, "<b>93.76</b>"}})
	cells := regexp.MustCompile(`<t[hd] style="[^"]*"`).FindAllString(got, -1)
	for i, want := range []string{"text-align:right;white-space:normal", "text-align:right;white-space:normal",
		"text-align:left;white-space:normal;overflow-wrap:anywhere", "text-align:right;white-space:nowrap"} {
		if i >= len(cells) || !strings.Contains(cells[i], want) {
			t.Errorf("Table: cell %d wants %s: %s", i, want, got)
		}
	}
	if n := textLen(genotype); n != 48 { // len("|nor_conv_3x3~0|+|nor_conv_3x3~0|skip_connect~1|")
		t.Errorf("textLen(%q) = %d, want 48", genotype, n)
	}
}

func TestClaim(t *testing.T) {
	Claim(true, "never formatted %d", 1) // no panic
	defer func() {
		r := recover()
		if s, ok := r.(string); !ok || s != "claim of the text does not hold: EG needs 23 steps, not 40" {
			t.Errorf("panic value %v, want the claim", r)
		}
	}()
	Claim(false, "EG needs %d steps, not %d", 23, 40)
	t.Error("Claim(false, …) did not panic")
}

// TestLogTicks: a logarithmic axis of less than three decades is labelled at 1, 2 and 5 times the powers of
// ten, a wider one at the powers of ten only — printed exactly (no 9.999999999999998e-06), every k-th one
// when there are more than 8 — with its unlabelled ticks inside the axis.
func TestLogTicks(t *testing.T) {
	for _, c := range []struct {
		lo, hi float64
		want   []string
		ticks  int // all ticks, labelled or not (0: not checked)
	}{
		{150, 1700, []string{"100", "200", "500", "1000", "2000", "5000", "10000"}, 0},
		{10, 3000, []string{"10", "20", "50", "100", "200", "500", "1000", "2000", "5000", "10000"}, 0},
		{1, 1e6, []string{"1", "10", "100", "1000", "10000", "100000", "1e+06"}, 6*9 + 1},
		{3, 1e4, []string{"10", "100", "1000", "10000"}, 7 + 3*9 + 1},                                // 3…9, then 10…9000, 10000
		{1e-5, 100, []string{"1e-05", "0.0001", "0.001", "0.01", "0.1", "1", "10", "100"}, 7*9 + 1},  // 8 decades: every one
		{1e-12, 1, []string{"1e-12", "1e-10", "1e-08", "1e-06", "0.0001", "0.01", "1"}, 12*9 + 1},    // 13: every 2nd
		{1e-5, 1e3, []string{"0.0001", "0.01", "1", "100"}, 8*9 + 1},                                 // 9: every 2nd
		{2e-87, 1, []string{"1e-80", "1e-60", "1e-40", "1e-20", "1"}, 0},                             // 88: every 20th
		{0.5, 1e30, []string{"1", "10000", "1e+08", "1e+12", "1e+16", "1e+20", "1e+24", "1e+28"}, 0}, // 32: every 4th
	} {
		var got []string
		all := (logTicks{}).Ticks(c.lo, c.hi)
		for _, tk := range all {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
			if c.hi/c.lo >= 1000 && (tk.Value < c.lo*(1-1e-9) || tk.Value > c.hi*(1+1e-9)) {
				t.Errorf("ticks of [%v, %v]: a tick at %v, outside the axis", c.lo, c.hi, tk.Value)
			}
		}
		if strings.Join(got, " ") != strings.Join(c.want, " ") {
			t.Errorf("ticks of [%v, %v]: %v, want %v", c.lo, c.hi, got, c.want)
		}
		if c.ticks != 0 && len(all) != c.ticks {
			t.Errorf("ticks of [%v, %v]: %d ticks, want %d", c.lo, c.hi, len(all), c.ticks)
		}
	}
}

func TestRetitle(t *testing.T) {
	f, err := Lines(LineChart{Title: "θ per edge <old>", XLabel: "x", YLabel: "y",
		Series: []Series{{Name: "s", X: []float64{0, 1}, Y: []float64{1, 2}}}})
	if err != nil {
		t.Fatal(err)
	}
	f.Retitle("GAEA, seed 1: θ per edge & more")
	svg := string(f.SVG)
	if f.Title != "GAEA, seed 1: θ per edge & more" || !strings.Contains(svg, ">GAEA, seed 1: θ per edge &amp; more</text>") ||
		strings.Contains(svg, "&lt;old&gt;") {
		t.Errorf("Retitle: title %q, drawn title not replaced in the SVG", f.Title)
	}
	if !strings.Contains(f.HTML(), "<figcaption") || !strings.Contains(f.HTML(), "GAEA, seed 1: θ per edge &amp; more</figcaption>") {
		t.Errorf("Retitle: caption not updated: %s", f.HTML()[len(f.HTML())-200:])
	}
	var nilFig *Figure
	nilFig.Retitle("x") // no panic
}
