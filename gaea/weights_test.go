package gaea

import (
	"math"
	"testing"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TestWeightStepIsNesterovSGD checks two weight steps of a search against PyTorch's formulas computed
// here by hand from the gradients: clip_grad_norm_ (coef = clip/(‖g‖+1e-6) when < 1), weight decay,
// Nesterov momentum. It also checks that θ is not among the trained variables.
func TestWeightStepIsNesterovSGD(t *testing.T) {
	be := backend.MustNew()
	const lr, mu, wd, clip = 0.3, 0.9, 0.01, 0.05
	mk := func() *MemoryBatches {
		b, err := NewMemoryBatches(stripes(64, 1), stripes(64, 2), BiLevel, 16, 3)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	s, err := NewSearch(be, conf(Config{Space: smoothSpace{}, WeightLR: lr, WeightLRMin: lr, Momentum: mu,
		Nesterov: true, WeightDecay: wd, GradClip: clip, Steps: 10, Seed: 4}), mk())
	if err != nil {
		t.Fatal(err)
	}
	ref := mk()
	gradExec := context.MustNewExec(be, s.ctx, func(ctx *context.Context, x, y *graph.Node) []*graph.Node {
		ctx.SetTraining(x.Graph(), true)
		loss, _ := s.forward(ctx, x, y)
		var ws []*graph.Node
		for _, v := range s.sgd.Variables(ctx) {
			ws = append(ws, v.ValueGraph(x.Graph()))
		}
		return graph.Gradient(loss, ws...)
	})
	flat := func(t *tensors.Tensor) []float64 {
		var out []float64
		for _, v := range tensors.MustCopyFlatData[float32](t) {
			out = append(out, float64(v))
		}
		return out
	}
	var bufs [][]float64
	for step := 0; step < 2; step++ {
		x, y, _ := ref.Next(WeightBlock)
		grads := gradExec.MustExec(x, y)
		vars := s.sgd.Variables(s.ctx)
		for _, v := range vars {
			if v.Scope() == s.ctx.In(ArchScope).Scope() {
				t.Fatalf("the weight step trains %s", v.ScopeAndName())
			}
		}
		if len(vars) != len(grads) || len(vars) < 4 {
			t.Fatalf("%d variables, %d gradients", len(vars), len(grads))
		}
		var w, g [][]float64
		norm := 0.0
		for i, v := range vars {
			w = append(w, flat(v.MustValue()))
			g = append(g, flat(grads[i]))
			for _, x := range g[i] {
				norm += x * x
			}
		}
		norm = math.Sqrt(norm)
		coef := math.Min(1, clip/(norm+1e-6))
		if coef > 0.9 {
			t.Fatalf("gradient norm %g: clipping not exercised", norm)
		}
		if bufs == nil {
			bufs = make([][]float64, len(vars))
			for i := range bufs {
				bufs[i] = make([]float64, len(w[i]))
			}
		}
		want := make([][]float64, len(vars))
		for i := range vars {
			want[i] = make([]float64, len(w[i]))
			for j := range w[i] {
				d := g[i][j]*coef + wd*w[i][j]
				bufs[i][j] = mu*bufs[i][j] + d
				want[i][j] = w[i][j] - lr*(d+mu*bufs[i][j])
			}
		}
		if _, err := s.StepWeights(); err != nil {
			t.Fatal(err)
		}
		for i, v := range vars {
			got := flat(v.MustValue())
			for j := range got {
				if math.Abs(got[j]-want[i][j]) > 1e-5*(1+math.Abs(want[i][j])) {
					t.Fatalf("step %d, %s[%d] = %v, want %v", step+1, v.ScopeAndName(), j, got[j], want[i][j])
				}
			}
		}
	}
}
