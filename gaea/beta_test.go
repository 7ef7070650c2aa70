package gaea

import (
	"math"
	"testing"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/spaces/tiny"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
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
	opt := &ArchOptimizer{Geometry: Entropic(), LR: lr}
	step := context.MustNewExec(be, ctx, func(ctx *context.Context, g *graph.Graph) *graph.Node {
		loss := graph.ScalarZero(g, dtypes.Float64)
		for _, b := range Blocks(ctx) {
			loss = graph.Add(loss, graph.ReduceAllSum(graph.Mul(b.ValueGraph(g), graph.Const(g, [][]float64{c}))))
		}
		opt.UpdateGraph(ctx, g, loss)
		return loss
	})
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

// TestBetaLRFollowsArchLR: with Config.BetaLR 0, β's learning rate is the architecture learning rate,
// SetArchLR included; set explicitly, it stays put.
func TestBetaLRFollowsArchLR(t *testing.T) {
	for _, explicit := range []float64{0, 0.7} {
		s, err := NewSearch(backend.MustNew(), Config{Space: betaSpace{tiny.New().Channels(4).Classes(2)},
			ArchLR: 0.5, BetaLR: explicit, Steps: 10, Seed: 6}, tinyBatches(t, 6))
		if err != nil {
			t.Fatal(err)
		}
		betaLR := func() float64 {
			return s.ctx.In(ArchScope).GetVariable(BetaLRVar).MustValue().Value().(float64)
		}
		want := func(archLR float64) float64 {
			if explicit != 0 {
				return explicit
			}
			return archLR
		}
		if _, err := s.StepArch(); err != nil {
			t.Fatal(err)
		}
		if got := betaLR(); got != want(0.5) {
			t.Errorf("BetaLR=%v: β lr %v after the first step, want %v", explicit, got, want(0.5))
		}
		s.SetArchLR(2)
		if _, err := s.StepArch(); err != nil {
			t.Fatal(err)
		}
		if got := betaLR(); got != want(2) {
			t.Errorf("BetaLR=%v: β lr %v after SetArchLR(2), want %v", explicit, got, want(2))
		}
	}
}
