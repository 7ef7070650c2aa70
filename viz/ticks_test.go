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
