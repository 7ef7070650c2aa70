package gaea

import (
	"math"
	"testing"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/spaces/tiny"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TestBetaEGHasNoFloor: under the entropic geometry a β row takes the exact EG step (an entry may fall
// far below MinWeight), while the same row as θ is floored at MinWeight before renormalisation.
func TestBetaEGHasNoFloor(t *testing.T) {
	be := backend.MustNew()
	ctx := context.New()
	init := []float64{0.5, 0.5 - 2e-6, 2e-6}
	c := []float64{0, 0, 5}
	const lr = 1.0
	for _, name := range []string{"theta", BetaPrefix + "00"} {
		if _, err := NewBlock(ctx, name, 1, 3, init, dtypes.Float64); err != nil {
			t.Fatal(err)
		}
	}
	opt := archOptimizer(t, ctx, Entropic(), lr)
	step := linearStep(be, ctx, opt, c)
	theta, beta := append([]float64(nil), init...), append([]float64(nil), init...)
	eg := func(row []float64, floor bool) {
		sum := 0.0
		for k := range row {
			row[k] *= math.Exp(-lr * c[k])
			if floor {
				row[k] = math.Max(row[k], MinWeight)
			}
			sum += row[k]
		}
		for k := range row {
			row[k] /= sum
		}
	}
	for s := 1; s <= 3; s++ {
		step.MustExec()
		eg(theta, true)
		eg(beta, false)
		blocks := Blocks(ctx)
		gotTheta := blocks[0].MustValue().Value().([][]float64)[0]
		gotBeta := blocks[1].MustValue().Value().([][]float64)[0]
		for k := range init {
			if math.Abs(gotTheta[k]-theta[k]) > 1e-15 || math.Abs(gotBeta[k]-beta[k]) > 1e-15 {
				t.Fatalf("step %d: θ %v (want %v), β %v (want %v)", s, gotTheta, theta, gotBeta, beta)
			}
		}
		if gotTheta[2] < MinWeight*(1-1e-4) {
			t.Errorf("step %d: θ entry %g below the floor", s, gotTheta[2])
		}
		if want := 2e-6 * math.Exp(-5*float64(s)); gotBeta[2] > 1.01*want || gotBeta[2] > MinWeight/100 {
			t.Errorf("step %d: β entry %g, want ≈ %g (no floor)", s, gotBeta[2], want)
		}
	}
}

// TestBetaLRFollowsArchLR: without BetaLRVar, β's step uses the architecture learning rate LRVar —
// whatever it is changed to — and with BetaLRVar set, that one (ArchOptimizer on a linear loss, where
// an EG step changes log(β_0/β_1) by exactly −η·(c_0 − c_1)). A search sets BetaLRVar only when
// Config.BetaLR is set.
func TestBetaLRFollowsArchLR(t *testing.T) {
	be := backend.MustNew()
	c := []float64{0, 1, 2}
	for _, betaLR := range []*float64{nil, f64(0.7)} {
		ctx := context.New()
		for _, name := range []string{"theta", BetaPrefix + "00"} {
			if _, err := NewBlock(ctx, name, 1, 3, Uniform(1, 3), dtypes.Float64); err != nil {
				t.Fatal(err)
			}
		}
		opt := archOptimizer(t, ctx, Entropic(), 0.5)
		if betaLR != nil {
			if err := SetHyperparameter(ctx, BetaLRVar, *betaLR); err != nil {
				t.Fatal(err)
			}
		}
		step := linearStep(be, ctx, opt, c)
		logRatio := func(block int) float64 {
			row := Blocks(ctx)[block].MustValue().Value().([][]float64)[0]
			return math.Log(row[0] / row[1])
		}
		for _, archLR := range []float64{0.5, 2} {
			if err := SetHyperparameter(ctx, LRVar, archLR); err != nil {
				t.Fatal(err)
			}
			theta0, beta0 := logRatio(0), logRatio(1)
			step.MustExec()
			wantBeta := archLR
			if betaLR != nil {
				wantBeta = *betaLR
			}
			if got := logRatio(0) - theta0; math.Abs(got-archLR) > 1e-12 {
				t.Errorf("BetaLR %v, arch lr %v: θ moved by η = %v", betaLR, archLR, got)
			}
			if got := logRatio(1) - beta0; math.Abs(got-wantBeta) > 1e-12 {
				t.Errorf("BetaLR %v, arch lr %v: β moved by η = %v, want %v", betaLR, archLR, got, wantBeta)
			}
		}
		s, err := NewSearch(be, conf(Config{Space: betaSpace{tiny.New().Channels(4).Classes(2)}, BetaLR: betaLR, Seed: 6}), tinyBatches(t, 6))
		if err != nil {
			t.Fatal(err)
		}
		if got, ok := Hyperparameter(s.ctx, BetaLRVar); ok != (betaLR != nil) || ok && got != *betaLR {
			t.Errorf("Config.BetaLR %v: %s = %v (set: %v)", betaLR, BetaLRVar, got, ok)
		}
	}
}
