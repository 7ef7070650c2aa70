package gaea

import (
	"errors"
	"math"
	"testing"

	"github.com/gaeanas/gaeanas/backend"
)

// TestLinearTrajectoryInput: bad arguments wrap ErrSimplexInput; good ones give steps+1 rows.
func TestLinearTrajectoryInput(t *testing.T) {
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		geo   string
		costs []float64
		lr    float64
		steps int
	}{
		{"entropic", []float64{1}, 0.5, 3},
		{"entropic", []float64{1, math.NaN()}, 0.5, 3},
		{"entropic", []float64{1, 2}, 0, 3},
		{"entropic", []float64{1, 2}, 0.5, -1},
		{"entropic", []float64{1e308, -1e308}, 10, 3},
		{"no-such", []float64{1, 2}, 0.5, 3},
	} {
		if _, err := LinearTrajectory(be, c.geo, c.costs, c.lr, c.steps); !errors.Is(err, ErrSimplexInput) {
			t.Errorf("%+v: error %v, want ErrSimplexInput", c, err)
		}
	}
	traj, err := LinearTrajectory(be, "entropic", []float64{1, 2, 3}, 0.5, 4)
	if err != nil || len(traj) != 5 {
		t.Fatalf("trajectory %v, %v", traj, err)
	}
	// Exponentiated gradient from uniform: θ_t = softmax(−η t c).
	z := math.Exp(-2) + math.Exp(-4) + math.Exp(-6)
	if got, want := traj[4][0], math.Exp(-2)/z; math.Abs(got-want) > 1e-12 {
		t.Errorf("θ_4[0] = %v, want %v", got, want)
	}
}
