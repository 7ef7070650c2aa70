package viz

import (
	"math"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/gaea"
)

// Step axes carry integer labels only, whatever the range (gonum's default gives 2.50, 12.50 on short ones).
func TestIntegerTicks(t *testing.T) {
	for _, r := range [][2]float64{{1, 5}, {0, 25}, {1, 3}, {2, 22}, {0, 1200}, {7, 7}} {
		ticks := integerTicks{}.Ticks(r[0], r[1])
		if len(ticks) == 0 {
			t.Errorf("range %v: no ticks", r)
		}
		for _, tk := range ticks {
			if tk.Value != math.Trunc(tk.Value) {
				t.Errorf("range %v: tick at %g is not an integer", r, tk.Value)
			}
		}
		if r[1]-r[0] >= 4 && len(ticks) < 2 {
			t.Errorf("range %v: only %d ticks", r, len(ticks))
		}
	}
}

func TestSignedHeatmap(t *testing.T) {
	f, err := SignedHeatmap([][]float64{{-0.02, 0.01, 0.01}, {0.003, 0, -0.003}}, []string{"a", "b", "c"}, []string{"1<-0", "2<-0"}, "∇θL")
	if err != nil || len(f.SVG) == 0 {
		t.Fatalf("SignedHeatmap: %v", err)
	}
	if c := divergingColor(0); c.R != 255 || c.G != 255 || c.B != 255 {
		t.Errorf("0 should be white, got %v", c)
	}
	if neg, pos := divergingColor(-1), divergingColor(1); !(neg.B > neg.R && pos.R > pos.B) {
		t.Errorf("negative should be blue, positive red: %v %v", neg, pos)
	}
	if _, err := SignedHeatmap([][]float64{{1}}, []string{"a", "b"}, []string{"e"}, ""); err == nil {
		t.Error("want an error for a short row")
	}
}

// Tick labels never read the same twice, however narrow the range (an entropy flat at log 3 ≈ 1.0986
// over a search gave every tick of aggregate.html's y axis the label "1.10"); at least two decimals.
func TestDecimalTicksDistinct(t *testing.T) {
	for _, r := range [][2]float64{{1.0985, 1.0987}, {1.09861, 1.09862}, {0, 1}, {0.2, 0.9}, {90, 94.4}, {-0.05, 1.15}, {1e-7, 3e-7}} {
		seen := map[string]bool{}
		labelled := 0
		for _, tk := range (decimalTicks{}).Ticks(r[0], r[1]) {
			if tk.Label == "" {
				continue
			}
			labelled++
			if seen[tk.Label] {
				t.Errorf("range %v: label %q twice", r, tk.Label)
			}
			seen[tk.Label] = true
			if i := strings.IndexByte(tk.Label, '.'); i < 0 || len(tk.Label)-i-1 < 2 {
				t.Errorf("range %v: label %q has fewer than two decimals", r, tk.Label)
			}
		}
		if labelled < 2 {
			t.Errorf("range %v: %d labelled ticks", r, labelled)
		}
	}
}

// The y axis of the runs figures spans at least minSpan and leaves a 5 % margin around the data.
func TestYMargin(t *testing.T) {
	for _, c := range []struct{ min, max, minSpan float64 }{
		{1.0985, 1.0987, 0.05}, {0.2, 1.6, 0.05}, {85, 94.4, 1}, {3, 3, 1},
	} {
		lo, hi := c.min, c.max
		yMargin(&lo, &hi, c.minSpan)
		span := math.Max(c.max-c.min, c.minSpan)
		if !(lo < c.min && hi > c.max) || hi-lo < span*1.09 || hi-lo > span*1.11 {
			t.Errorf("[%v, %v] min span %v → [%v, %v]", c.min, c.max, c.minSpan, lo, hi)
		}
	}
}

// A group whose entropy stays within 1e-5 of log 3: the figure's numeric labels are all different.
func TestEntropyRunsFlatLabels(t *testing.T) {
	var hist []gaea.Record
	for s := 0; s < 20; s++ {
		h := math.Log(3) - 1e-6*float64(s)
		hist = append(hist, gaea.Record{Step: s, Block: "arch", Loss: 1, Entropy: []float64{h, h, h}})
	}
	f := check(t, "entropy-runs-flat")(EntropyOverSearchRuns([]RunGroup{{Name: "rsws", Runs: []Run{{History: hist, Ops: []string{"a", "b", "c"}}}}}))
	seen := map[string]bool{}
	for _, s := range texts(t, f.SVG) {
		if strings.Contains(s, ".") && strings.Trim(s, "0123456789.-") == "" {
			if seen[s] {
				t.Errorf("tick label %q twice", s)
			}
			seen[s] = true
		}
	}
	if len(seen) < 2 {
		t.Errorf("labels %v", seen)
	}
}
