package viz

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/gaea"
	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gaeanas/gaeanas/spaces/darts"
	"github.com/gaeanas/gaeanas/spaces/nb201"
)

func TestThetaEvolution(t *testing.T) {
	for _, tc := range []struct {
		name   string
		hist   []gaea.Record
		ops    []string
		edges  []string
		panels int
	}{
		{"nb201-4ops", fakeHistory(ops4, 6, 40, true), ops4, edges6, 6},
		{"nb201-5ops", fakeHistory(ops5, 6, 40, true), ops5, edges6, 6},
		{"one-step", fakeHistory(ops4, 6, 1, true)[:1], ops4, edges6, 6},
		{"one-edge", fakeHistory(ops4, 1, 10, true), ops4, edges6[:1], 1},
		{"no-arch-steps", fakeHistory(ops4, 6, 10, false), ops4, edges6, 6},
		{"darts-28-edges", fakeHistory(darts.AllOps(), 28, 5, true), darts.AllOps(), edgeNames(28), 28},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := check(t, "theta-evolution-"+tc.name)(ThetaEvolution(tc.hist, tc.ops, tc.edges))
			ts := texts(t, f.SVG)
			for _, op := range tc.ops {
				if n := count(ts, op); n != 1 {
					t.Errorf("op %q appears in %d texts, want 1 (the legend)", op, n)
				}
				// One line per panel plus the legend's thumbnail; a single step is a marker, not a line.
				c := hexColor(OpColor(op))
				lines, markers := tc.panels+1, 0
				if len(tc.hist) == 1 {
					lines, markers = 1, tc.panels
				}
				if n := strokes(f.SVG, c); n != lines {
					t.Errorf("op %q: %d stroked paths in its colour, want %d", op, n, lines)
				}
				if n := fills(f.SVG, c); n < markers {
					t.Errorf("op %q: %d markers, want ≥ %d", op, n, markers)
				}
			}
			for _, e := range tc.edges {
				if n := count(ts, "edge "+e); n != 1 {
					t.Errorf("panel title %q appears %d times, want 1", "edge "+e, n)
				}
			}
		})
	}
}

func edgeNames(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = "e" + strings.Repeat("'", i%3) + string(rune('a'+i%26))
	}
	return out
}

func TestThetaHeatmap(t *testing.T) {
	theta := fakeHistory(ops5, 6, 30, true)[58].Theta
	theta[2] = []float64{0, 0, 1, 0, 0} // θ with zeros
	for _, tc := range []struct {
		name  string
		theta [][]float64
		ops   []string
		edges []string
	}{
		{"nb201-5ops", theta, ops5, edges6},
		{"uniform-4ops", [][]float64{{.25, .25, .25, .25}, {.25, .25, .25, .25}, {.25, .25, .25, .25}, {.25, .25, .25, .25}, {.25, .25, .25, .25}, {.25, .25, .25, .25}}, ops4, edges6},
		{"one-edge", [][]float64{{1, 0, 0}}, []string{"a", "b", "c"}, []string{"only"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := check(t, "theta-heatmap-"+tc.name)(ThetaHeatmap(tc.theta, tc.ops, tc.edges, "θ at the end"))
			ts := texts(t, f.SVG)
			for _, op := range tc.ops {
				if n := count(ts, op); n != 1 {
					t.Errorf("op %q in %d texts, want 1 (the x tick)", op, n)
				}
			}
			for _, e := range tc.edges {
				if n := count(ts, e); n != 1 {
					t.Errorf("edge %q in %d texts, want 1 (the y tick)", e, n)
				}
			}
			// One value label per cell.
			values := 0
			for _, s := range ts {
				if len(s) == 4 && s[1] == '.' {
					values++
				}
			}
			if want := len(tc.ops) * len(tc.edges); values != want {
				t.Errorf("%d value labels, want %d", values, want)
			}
		})
	}
}

func TestEntropyCurves(t *testing.T) {
	for _, tc := range []struct {
		name  string
		hist  []gaea.Record
		edges []string
	}{
		{"nb201", fakeHistory(ops4, 6, 40, true), edges6},
		{"one-step", fakeHistory(ops4, 6, 1, true)[:1], edges6},
		{"one-edge", fakeHistory(ops4, 1, 10, true), edges6[:1]},
		{"no-arch-steps", fakeHistory(ops4, 6, 10, false), edges6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := check(t, "entropy-"+tc.name)(EntropyCurves(tc.hist, tc.edges))
			ts := texts(t, f.SVG)
			for i, e := range tc.edges {
				if n := count(ts, "edge "+e); n != 1 {
					t.Errorf("legend entry for edge %q appears %d times", e, n)
				}
				lines := 2 // the line and the legend's thumbnail
				if len(tc.hist) == 1 {
					lines = 1
					if n := fills(f.SVG, hexColor(seriesColor(i))); n != 1 {
						t.Errorf("edge %q: %d markers for the one step, want 1", e, n)
					}
				}
				if n := strokes(f.SVG, hexColor(seriesColor(i))); n != lines {
					t.Errorf("edge %q: %d stroked paths in its colour, want %d", e, n, lines)
				}
			}
			if n := count(ts, "max log 4 = 1.39"); n != 1 {
				t.Errorf("max-entropy legend entry appears %d times, want 1; texts %q", n, ts)
			}
		})
	}
}

func TestLossCurves(t *testing.T) {
	const arch, weights = "architecture block (θ)", "weight block (w)"
	for _, tc := range []struct {
		name   string
		hist   []gaea.Record
		blocks int // blocks with records
	}{
		{"both-blocks", fakeHistory(ops4, 6, 50, true), 2},
		{"one-step", fakeHistory(ops4, 6, 1, true)[:1], 1},
		{"no-arch-steps", fakeHistory(ops4, 6, 20, false), 1},
		{"empty", nil, 0}, // a live display before its first step
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := check(t, "loss-"+tc.name)(LossCurves(tc.hist))
			ts := texts(t, f.SVG)
			for _, panel := range []string{"loss", "accuracy"} {
				if n := count(ts, panel); n != 2 { // panel title and y label
					t.Errorf("%q appears %d times, want 2", panel, n)
				}
			}
			// Both blocks are in the legend, a block without records marked "no steps".
			if n := count(ts, arch) + count(ts, weights); n != tc.blocks {
				t.Errorf("%d block legend entries with lines, want %d", n, tc.blocks)
			}
			if n := count(ts, arch+" — no steps") + count(ts, weights+" — no steps"); n != 2-tc.blocks {
				t.Errorf("%d entries of blocks without steps, want %d", n, 2-tc.blocks)
			}
			if n := count(ts, "no block step yet"); (tc.blocks == 0) != (n == 2) {
				t.Errorf("the note of an empty history appears %d times (blocks %d)", n, tc.blocks)
			}
			// The legend sits above the panels: between the title and the panel titles.
			title, panel := textHeights(t, f.SVG, f.Title), textHeights(t, f.SVG, "loss")
			for _, name := range []string{arch, weights, arch + " — no steps", weights + " — no steps"} {
				for _, h := range textHeights(t, f.SVG, name) {
					if len(title) != 1 || len(panel) == 0 || !(h < title[0] && h > slices.Max(panel)) {
						t.Errorf("legend entry %q at height %v: want it between the title (%v) and the panel titles (%v)", name, h, title, panel)
					}
				}
			}
			// Two panels, each with one line per block with records, plus both legend thumbnails.
			lines := strokes(f.SVG, "#d62728") + strokes(f.SVG, "#1f77b4")
			want := 2*tc.blocks + 2
			if len(tc.hist) == 1 {
				want = 2 // only the legend: one step is a marker
				if n := fills(f.SVG, "#d62728"); n != 2 {
					t.Errorf("%d markers for the one step, want 2 (one per panel)", n)
				}
			}
			if lines != want {
				t.Errorf("%d block lines, want %d", lines, want)
			}
		})
	}
}

// egPath runs exponentiated gradient on a linear objective ⟨c, w⟩ from w0.
func egPath(w0, c [3]float64, lr float64, steps int) [][]float64 {
	w := w0
	out := [][]float64{{w[0], w[1], w[2]}}
	for range steps {
		s := 0.0
		for i := range w {
			w[i] *= math.Exp(-lr * c[i])
			s += w[i]
		}
		for i := range w {
			w[i] /= s
		}
		out = append(out, []float64{w[0], w[1], w[2]})
	}
	return out
}

func TestSimplexTrajectories(t *testing.T) {
	c := [3]float64{0.3, 1, -0.5}
	obj := func(w [3]float64) float64 { return c[0]*w[0] + c[1]*w[1] + c[2]*w[2] }
	quad := func(w [3]float64) float64 {
		return (w[0]-0.2)*(w[0]-0.2) + (w[1]-0.5)*(w[1]-0.5) + 2*(w[2]-0.3)*(w[2]-0.3)
	}
	trajs := []Trajectory{
		{Name: "exponentiated gradient", Points: egPath([3]float64{0.6, 0.3, 0.1}, c, 0.5, 30)},
		{Name: "Euclidean projection", Points: [][]float64{{0.6, 0.3, 0.1}, {0.5, 0.2, 0.3}, {0.3, 0, 0.7}, {0, 0, 1}}},
		{Name: "softmax", Points: [][]float64{{0.6, 0.3, 0.1}, {0.55, 0.25, 0.2}, {0.4, 0.2, 0.4}}},
	}
	labels := [3]string{"skip_connect", "conv_3x3", "avg_pool_3x3"}
	for _, tc := range []struct {
		name  string
		trajs []Trajectory
		obj   func([3]float64) float64
	}{
		{"linear", trajs, obj},
		{"quadratic", trajs, quad},
		{"no-objective", trajs, nil},
		{"one-point", []Trajectory{{Name: "start", Points: [][]float64{{1. / 3, 1. / 3, 1. / 3}}}}, nil},
		{"constant-objective", trajs[:1], func([3]float64) float64 { return 1 }},
		{"no-trajectories", nil, obj},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := check(t, "simplex-"+tc.name)(SimplexTrajectories(tc.trajs, labels, tc.obj, "Mirror descent on the simplex"))
			ts := texts(t, f.SVG)
			for _, l := range labels {
				if n := count(ts, l); n != 1 {
					t.Errorf("corner label %q appears %d times", l, n)
				}
			}
			for i, tr := range tc.trajs {
				if n := count(ts, tr.Name); n != 1 {
					t.Errorf("legend entry %q appears %d times", tr.Name, n)
				}
				if n := strokes(f.SVG, hexColor(seriesColor(i))); n < 2 {
					t.Errorf("trajectory %q: %d stroked paths in its colour, want ≥ 2", tr.Name, n)
				}
			}
			levels := strokes(f.SVG, "#9a9a9a")
			switch {
			case tc.name == "linear" && levels != simplexLevels+1: // + the legend's thumbnail
				t.Errorf("linear objective: %d level sets, want %d", levels-1, simplexLevels)
			case (tc.obj == nil || tc.name == "constant-objective") && levels != 0:
				t.Errorf("%d level sets drawn without a varying objective", levels)
			}
		})
	}
}

func TestCellsNB201(t *testing.T) {
	for i, tc := range []struct {
		arch  string
		edges int
	}{
		{"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|", 6},
		{"|nor_conv_3x3~0|+|none~0|nor_conv_1x1~1|+|skip_connect~0|none~1|avg_pool_3x3~2|", 4},
		{"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", 0},
	} {
		figs, err := Cells(nb201.New(), tc.arch)
		if err == nil && len(figs) != 1 {
			t.Fatalf("%s: %d figures, want 1", tc.arch, len(figs))
		}
		f := check(t, "nb201-cell-"+itoa(i))(first(figs, err))
		if n := gvClass(f.SVG, "node"); n != 4 {
			t.Errorf("%s: %d nodes, want 4", tc.arch, n)
		}
		if n := gvClass(f.SVG, "edge"); n != tc.edges {
			t.Errorf("%s: %d edges, want %d", tc.arch, n, tc.edges)
		}
		ts := texts(t, f.SVG)
		a := nb201.MustParseArch(tc.arch)
		for _, op := range []nb201.Op{nb201.Skip, nb201.Conv1x1, nb201.Conv3x3, nb201.AvgPool3x3} {
			want := 0
			for _, o := range a {
				if o == op {
					want++
				}
			}
			if n := count(ts, op.String()); n != want {
				t.Errorf("%s: op %s labels %d edges, want %d", tc.arch, op, n, want)
			}
		}
		if count(ts, "none") != 0 {
			t.Errorf("%s: a none edge is drawn", tc.arch)
		}
	}
}

func TestSupernetNB201(t *testing.T) {
	theta5 := fakeHistory(ops5, 6, 30, true)[58].Theta
	theta5[0] = []float64{0, 0, 0, 1, 0}
	theta4 := fakeHistory(ops4, 6, 30, true)[58].Theta
	for _, tc := range []struct {
		name  string
		theta [][]float64
		ops   []string
	}{{"5ops", theta5, ops5}, {"4ops", theta4, ops4}} {
		f := check(t, "nb201-supernet-"+tc.name)(Supernet(nb201.New().WithNone(len(tc.ops) == 5), tc.theta))
		if n := gvClass(f.SVG, "edge"); n != 6*len(tc.ops) {
			t.Errorf("%s: %d edges, want %d", tc.name, n, 6*len(tc.ops))
		}
		ts := texts(t, f.SVG)
		for _, op := range tc.ops {
			if n := count(ts, op); n != 1 {
				t.Errorf("%s: op %q in the key %d times, want 1", tc.name, op, n)
			}
		}
	}
}

func TestCellsDARTS(t *testing.T) {
	for _, g := range []*darts.Genotype{darts.DARTS_V2, darts.PC_DARTS} {
		figs, err := Cells(darts.New(), g.String())
		if err != nil || len(figs) != 2 {
			t.Fatalf("%s: %d figures (%v), want the normal and the reduction cell", g, len(figs), err)
		}
		for i, reduce := range []bool{false, true} {
			cell, concat := g.Normal, g.NormalConcat
			if reduce {
				cell, concat = g.Reduce, g.ReduceConcat
			}
			name := map[bool]string{false: "darts-normal", true: "darts-reduce"}[reduce] + map[bool]string{true: "-v2", false: "-pc"}[g == darts.DARTS_V2]
			f := check(t, name)(figs[i], nil)
			if n := gvClass(f.SVG, "node"); n != len(cell)/2+3 {
				t.Errorf("%d nodes, want %d", n, len(cell)/2+3)
			}
			if n := gvClass(f.SVG, "edge"); n != len(cell)+len(concat) {
				t.Errorf("%d edges, want %d", n, len(cell)+len(concat))
			}
			ts := texts(t, f.SVG)
			for _, s := range []string{"c_{k-2}", "c_{k-1}", "c_{k}"} {
				if count(ts, s) != 1 {
					t.Errorf("node %s missing", s)
				}
			}
		}
		// One scale for both cells (labels of one size), although PC-DARTS's reduction cell alone would
		// be drawn at 0.73 of the normal cell's.
		s0, s1 := scaleOf(figs[0].SVG), scaleOf(figs[1].SVG)
		if !s0.ok || !s1.ok || math.Abs(s0.s-s1.s) > 0.005*s1.s {
			t.Errorf("%s: cells drawn at scales %+v and %+v", g, s0, s1)
		}
		alone, err := Cell(mustGraphs(t, g)[0])
		if err != nil {
			t.Fatal(err)
		}
		if sc := scaleOf(alone.SVG); g == darts.PC_DARTS && sc.s < 0.99 {
			t.Errorf("PC-DARTS's normal cell alone drawn at scale %v, want 1", sc.s)
		}
	}
}

// mustGraphs returns the cell graphs of a DARTS genotype.
func mustGraphs(t *testing.T, g *darts.Genotype) []spaces.CellGraph {
	t.Helper()
	sp := darts.New()
	gg, err := sp.ParseGenotype(g.String())
	if err != nil {
		t.Fatal(err)
	}
	graphs, err := sp.CellGraphs(gg)
	if err != nil {
		t.Fatal(err)
	}
	return graphs
}

func TestLandscapeNB201(t *testing.T) {
	for d := nb201.CIFAR10; d <= nb201.ImageNet16; d++ {
		for _, arch := range []string{bestArch, "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"} {
			name := "landscape-" + d.String() + map[bool]string{true: "-best", false: "-none"}[arch == bestArch]
			f := check(t, name)(Landscape(nb201Bench(t), arch, d.String()))
			e := nb201.Lookup(nb201.MustParseArch(arch))
			ts := texts(t, f.SVG)
			found := false
			for _, s := range ts {
				found = found || strings.Contains(s, "rank "+itoa(e.Rank[d]))
			}
			if !found {
				t.Errorf("%s %s: rank %d not written", d, arch, e.Rank[d])
			}
		}
	}
}

func TestAccuracyOverSearchNB201(t *testing.T) {
	for _, tc := range []struct {
		name string
		hist []gaea.Record
		ops  []string
	}{
		{"4ops", fakeHistory(ops4, 6, 40, true), ops4},
		{"5ops", fakeHistory(ops5, 6, 40, true), ops5},
		{"one-step", fakeHistory(ops4, 6, 1, true)[:1], ops4},
		{"no-arch-steps", fakeHistory(ops4, 6, 10, false), ops4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := check(t, "accuracy-over-search-"+tc.name)(AccuracyOverSearch(nb201Bench(t), nb201.New().WithNone(len(tc.ops) == 5), tc.hist, "cifar100"))
			ts := texts(t, f.SVG)
			var last gaea.Record
			for _, r := range tc.hist {
				if r.Block == "arch" {
					last = r
				}
			}
			if last.Theta == nil {
				if count(ts, "no architecture steps yet") != 1 {
					t.Errorf("no note for a history without architecture steps")
				}
				return
			}
			a, err := nb201.New().WithNone(len(tc.ops) == 5).DiscretizeArch(last.Theta)
			if err != nil {
				t.Fatal(err)
			}
			e := nb201.Lookup(a)
			want := "rank " + itoa(e.Rank[nb201.CIFAR100]) + " of 15625)"
			found := false
			for _, s := range ts {
				found = found || strings.HasSuffix(s, want)
			}
			if !found {
				t.Errorf("legend does not give the last cell's %s; texts %q", want, ts)
			}
		})
	}
}

// first is the first figure of a Cells result.
func first(figs []*Figure, err error) (*Figure, error) {
	if err != nil {
		return nil, err
	}
	return figs[0], nil
}

// nb201Bench is NAS-Bench-201's benchmark, as the registry holds it.
func nb201Bench(t *testing.T) spaces.Benchmark {
	t.Helper()
	d, err := spaces.Lookup("nb201")
	if err != nil {
		t.Fatal(err)
	}
	return d.Benchmark
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	s := ""
	for ; i > 0; i /= 10 {
		s = string(rune('0'+i%10)) + s
	}
	return s
}

func TestBadInput(t *testing.T) {
	hist := fakeHistory(ops4, 6, 5, true)
	ragged := fakeHistory(ops4, 6, 5, true)
	ragged[2].Theta[2] = ragged[2].Theta[2][:3]
	nan := [][]float64{{math.NaN(), 1}}
	badGenotype := *darts.DARTS_V2.Clone()
	badGenotype.Normal[0].Op = "conv_7x7"
	outside := []Trajectory{{Name: "x", Points: [][]float64{{0.5, 0.6, 0.1}}}}
	for name, fn := range map[string]func() (*Figure, error){
		"evolution empty":       func() (*Figure, error) { return ThetaEvolution(nil, ops4, edges6) },
		"evolution ragged":      func() (*Figure, error) { return ThetaEvolution(ragged, ops4, edges6) },
		"evolution wrong edges": func() (*Figure, error) { return ThetaEvolution(hist, ops4, edges6[:5]) },
		"evolution no ops":      func() (*Figure, error) { return ThetaEvolution(hist, nil, edges6) },
		"heatmap ragged":        func() (*Figure, error) { return ThetaHeatmap(ragged[2].Theta, ops4, edges6, "") },
		"heatmap NaN":           func() (*Figure, error) { return ThetaHeatmap(nan, []string{"a", "b"}, []string{"e"}, "") },
		"heatmap no edges":      func() (*Figure, error) { return ThetaHeatmap(nil, ops4, nil, "") },
		"entropy empty":         func() (*Figure, error) { return EntropyCurves(nil, edges6) },
		"entropy wrong edges":   func() (*Figure, error) { return EntropyCurves(hist, edges6[:2]) },
		"loss unknown blocks":   func() (*Figure, error) { return LossCurves([]gaea.Record{{Step: 1, Block: "x"}}) },
		"simplex 2 coords": func() (*Figure, error) {
			return SimplexTrajectories([]Trajectory{{Points: [][]float64{{0.5, 0.5}}}}, [3]string{}, nil, "")
		},
		"simplex off simplex": func() (*Figure, error) { return SimplexTrajectories(outside, [3]string{}, nil, "") },
		"simplex empty path":  func() (*Figure, error) { return SimplexTrajectories([]Trajectory{{Name: "e"}}, [3]string{}, nil, "") },
		"simplex NaN objective": func() (*Figure, error) {
			return SimplexTrajectories(nil, [3]string{}, func([3]float64) float64 { return math.NaN() }, "")
		},
		"cell invalid arch": func() (*Figure, error) { return first(Cells(nb201.New(), "|conv~0|")) },
		"cell empty arch":   func() (*Figure, error) { return first(Cells(nb201.New(), "")) },
		"cell no nodes":     func() (*Figure, error) { return Cell(spaces.CellGraph{Title: "empty"}) },
		"supernet ragged":   func() (*Figure, error) { return Supernet(nb4, ragged[2].Theta) },
		"supernet 5 edges":  func() (*Figure, error) { return Supernet(nb4, hist[0].Theta[:5]) },
		"supernet 5 ops":    func() (*Figure, error) { return Supernet(nb5, hist[0].Theta) },
		"supernet no data":  func() (*Figure, error) { return Supernet(darts.New(), hist[0].Theta) },
		"darts invalid genotype": func() (*Figure, error) {
			return first(Cells(darts.New(), badGenotype.String()))
		},
		"darts empty genotype":   func() (*Figure, error) { return first(Cells(darts.New(), "")) },
		"landscape invalid arch": func() (*Figure, error) { return Landscape(nb201Bench(t), "nonsense", "cifar10") },
		"landscape bad dataset":  func() (*Figure, error) { return Landscape(nb201Bench(t), bestArch, "cifar11") },
		"landscape no benchmark": func() (*Figure, error) { return Landscape(nil, bestArch, "cifar10") },
		"accuracy ragged":        func() (*Figure, error) { return AccuracyOverSearch(nb201Bench(t), nb4, ragged, "cifar10") },
		"accuracy ops mismatch":  func() (*Figure, error) { return AccuracyOverSearch(nb201Bench(t), nb5, hist, "cifar10") },
		"accuracy bad dataset":   func() (*Figure, error) { return AccuracyOverSearch(nb201Bench(t), nb4, hist, "svhn") },
		"accuracy empty history": func() (*Figure, error) { return AccuracyOverSearch(nb201Bench(t), nb4, nil, "cifar10") },
		"accuracy no space":      func() (*Figure, error) { return AccuracyOverSearch(nb201Bench(t), nil, hist, "cifar10") },
	} {
		t.Run(name, func(t *testing.T) {
			f, err := fn()
			if err == nil {
				t.Fatalf("no error (figure %q)", f.Title)
			}
			if !strings.HasPrefix(err.Error(), "viz: ") {
				t.Errorf("error %q does not name the package", err)
			}
		})
	}
}

func TestHTML(t *testing.T) {
	cell, err := first(Cells(nb201.New(), bestArch))
	if err != nil {
		t.Fatal(err)
	}
	loss, err := LossCurves(fakeHistory(ops4, 6, 5, true))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []*Figure{cell, loss} {
		h := f.HTML()
		for _, bad := range []string{"<?xml", "<!DOCTYPE", "<script"} {
			if strings.Contains(h, bad) {
				t.Errorf("%s: HTML contains %s", f.Title, bad)
			}
		}
		if !strings.HasPrefix(h, "<figure") || !strings.Contains(h, "<figcaption") || !strings.Contains(h, "<svg") {
			t.Errorf("%s: HTML is not a figure with an svg and a caption: %.200s", f.Title, h)
		}
		parseSVG(t, []byte(strings.TrimPrefix(h[strings.Index(h, "<svg"):strings.Index(h, "<figcaption")], "")))
	}
}

func TestShowAndLive(t *testing.T) {
	dir := t.TempDir()
	t.Setenv(DirEnv, dir)
	f, err := LossCurves(fakeHistory(ops4, 6, 5, true))
	if err != nil {
		t.Fatal(err)
	}
	if err := Show(f); err != nil {
		t.Fatal(err)
	}
	want := filepath.Join(dir, "loss-and-accuracy-of-both-blocks.svg")
	if b, err := os.ReadFile(want); err != nil || string(b) != string(f.SVG) {
		t.Fatalf("Show did not write %s: %v", want, err)
	}
	live := NewLive()
	for i := 1; i <= 3; i++ {
		g, err := EntropyCurves(fakeHistory(ops4, 6, i, true), edges6)
		if err != nil {
			t.Fatal(err)
		}
		if err := live.Update(g); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("after Show and 3 live updates the directory has %d files, want 2", len(entries))
	}
	if b, err := os.ReadFile(live.Path()); err != nil || !strings.Contains(string(b), "<svg") {
		t.Errorf("live file %q: %v", live.Path(), err)
	}
	if err := live.Finish(); err != nil {
		t.Error(err)
	}
	if Show(nil) == nil || live.Update(&Figure{}) == nil {
		t.Error("empty figures accepted")
	}
}

func TestSanitize(t *testing.T) {
	for in, want := range map[string]string{
		"θ per edge over the search": "per-edge-over-the-search",
		"NB201 cell |a~0|":           "nb201-cell-a-0",
		"":                           "figure",
		"../../etc/passwd":           "etc-passwd",
		strings.Repeat("ab ", 40):    strings.TrimRight(strings.Repeat("ab-", 27), "-"),
	} {
		if got := sanitize(in); got != want {
			t.Errorf("sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOpColors(t *testing.T) {
	seen := map[string]string{}
	for _, op := range append(append([]string{}, ops5...), darts.AllOps()...) {
		c := hexColor(OpColor(op))
		if other, ok := seen[c]; ok && other != op {
			t.Errorf("ops %s and %s share colour %s", op, other, c)
		}
		seen[c] = op
	}
	if OpColor("my_op") != OpColor("my_op") {
		t.Error("unknown op colour is not stable")
	}
}
