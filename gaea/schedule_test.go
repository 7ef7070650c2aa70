package gaea

import (
	"math"
	"testing"
)

// The weight learning rate and GDAS's τ as the references compute them per epoch; the expected values
// were computed separately (Python) from the reference formulas.
func TestEpochSchedules(t *testing.T) {
	near := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-12 {
			t.Errorf("%s = %.15g, want %.15g", what, got, want)
		}
	}
	// GAEA DARTS on NAS-Bench-201: 782 iterations per epoch, cosine over 50 epochs, 25 run
	// (liamcli/gaea_release lr_schedulers.py: epoch e at last_epoch = e).
	s := Config{WeightLR: 0.025, WeightLRMin: 0.001, Steps: 50 * 782, StepsPerEpoch: 782}
	near("lr of the first iteration", s.WeightLRAt(1), 0.025)
	near("lr of the last iteration of epoch 0", s.WeightLRAt(782), 0.025)
	near("lr of the last epoch (24)", s.WeightLRAt(25*782), 0.013753486234351762)
	// PC-DARTS: lr 0.1 → 0 over 50 epochs, scheduler stepped first (epoch e at e+1).
	p := Config{WeightLR: 0.1, WeightLRMin: 0, Steps: 50 * 98, StepsPerEpoch: 98, LREpochOffset: 1}
	near("PC-DARTS lr of epoch 0", p.WeightLRAt(1), 0.09990133642141358)
	near("PC-DARTS lr of the last epoch", p.WeightLRAt(50*98), 0)
	// GAEA GDAS: 250 epochs, 50 warm-up; τ = 10 − 9.9·max(e − 50, 0)/249 (architect_egdas.py).
	g := Config{TauMax: 10, TauMin: 0.1, StepsPerEpoch: 10, Epochs: 250, WarmupSteps: 500, Steps: 2500}
	for _, c := range []struct {
		epoch int
		want  float64
	}{{0, 10}, {49, 10}, {50, 10}, {51, 9.960240963855421}, {249, 2.087951807228915}} {
		near("τ", g.TauAt(c.epoch*10+1), c.want)
		near("τ at the epoch's end", g.TauAt(c.epoch*10+10), c.want)
	}
}
