package viz

import (
	"slices"
	"testing"

	"github.com/gaeanas/gaeanas/gaea"
	"github.com/gaeanas/gaeanas/spaces/nb201"
	"gonum.org/v1/plot/plotter"
)

var nb4, nb5 = nb201.New().WithNone(false), nb201.New()

func TestRunsFigures(t *testing.T) {
	groups := []RunGroup{
		{Name: "gaea-darts", Runs: []Run{{fakeHistory(ops4, 6, 20, true), ops4, nb4}, {fakeHistory(ops4, 6, 20, true), ops4, nb4}}},
		{Name: "darts", Runs: []Run{{fakeHistory(ops5, 6, 20, true), ops5, nb5}}},
		{Name: "rsws", Runs: []Run{{fakeHistory(ops4, 6, 20, false), ops4, nb4}}}, // no architecture steps
	}
	f := check(t, "nb201-accuracy-runs")(AccuracyOverSearchRuns(nb201Bench(t), groups, "cifar10"))
	ts := texts(t, f.SVG)
	for _, want := range []string{"gaea-darts (2 runs)", "darts (1 runs)", "best in the table (94.37 %)"} {
		if count(ts, want) != 1 {
			t.Errorf("no legend entry %q: %q", want, ts)
		}
	}
	if count(ts, "rsws (0 runs)")+count(ts, "rsws (1 runs)") != 0 {
		t.Errorf("a group without architecture steps has a line")
	}
	f = check(t, "entropy-runs")(EntropyOverSearchRuns(groups))
	ts = texts(t, f.SVG)
	for _, want := range []string{"gaea-darts (2 runs)", "darts (1 runs)", "rsws (1 runs)"} {
		if count(ts, want) != 1 {
			t.Errorf("no legend entry %q: %q", want, ts)
		}
	}
	check(t, "entropy-runs-empty")(EntropyOverSearchRuns(nil))
	if _, err := AccuracyOverSearchRuns(nb201Bench(t), []RunGroup{{Name: "x", Runs: []Run{{fakeHistory(ops4, 6, 3, true), ops4, nb5}}}}, "cifar10"); err == nil {
		t.Errorf("θ of 4 ops in a space of 5: no error")
	}
}

// TestByIteration: a run whose first iterations are a warm-up (weight steps only) ends at the same
// iteration as one without, one point per iteration, each iteration's last value.
func TestByIteration(t *testing.T) {
	full := fakeHistory(ops4, 6, 20, true)
	var warm []gaea.Record // iterations 1-4 without their architecture step, steps renumbered
	for _, r := range full {
		if r.Block == "arch" && r.Iteration <= 4 {
			continue
		}
		r.Step = len(warm) + 1
		warm = append(warm, r)
	}
	for _, h := range [][]gaea.Record{full, warm} {
		var xys plotter.XYs
		for _, r := range h {
			xys = append(xys, plotter.XY{X: float64(r.Step), Y: float64(r.Step)})
		}
		got := byIteration(h, xys)
		if len(got) != 20 || got[0].X != 1 || got[19].X != 20 {
			t.Fatalf("%d records: %d points, from %v to %v; want iterations 1 to 20", len(h), len(got), got[0].X, got[len(got)-1].X)
		}
		if got[19].Y != float64(len(h)) { // the iteration's last record: its weight step
			t.Errorf("iteration 20 has value %v, want the last step %d", got[19].Y, len(h))
		}
	}
	old := slices.Clone(full) // written before records carried their iteration: steps kept
	for i := range old {
		old[i].Iteration = 0
	}
	xys := plotter.XYs{{X: 3, Y: 1}}
	if got := byIteration(old, xys); got[0].X != 3 {
		t.Errorf("a history without iterations was re-indexed: %v", got)
	}
}
