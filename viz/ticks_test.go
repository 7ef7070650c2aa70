package viz

import (
	"math"
	"testing"
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
