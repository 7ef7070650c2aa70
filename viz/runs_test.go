package viz

import (
	"testing"

	"github.com/gaeanas/gaeanas/spaces/nb201"
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
