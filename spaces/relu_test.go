package spaces

import (
	"testing"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gomlx/gomlx/pkg/core/graph"
)

// TestReLU: the value is max(x, 0) and the gradient PyTorch's, 0 at x = 0 (GoMLX's Max gives 1 there).
func TestReLU(t *testing.T) {
	exec := graph.MustNewExec(backend.MustNew(), func(x *graph.Node) []*graph.Node {
		y := ReLU(x)
		return []*graph.Node{y, graph.Gradient(graph.ReduceAllSum(graph.MulScalar(y, 3)), x)[0]}
	})
	in := []float64{-2, -1e-300, 0, 1e-300, 0.5, 7}
	out := exec.MustExec(in)
	vals, grads := out[0].Value().([]float64), out[1].Value().([]float64)
	for i, x := range in {
		wantV, wantG := 0.0, 0.0
		if x > 0 {
			wantV, wantG = x, 3
		}
		if vals[i] != wantV || grads[i] != wantG {
			t.Errorf("ReLU(%v) = %v, gradient %v; want %v, %v", x, vals[i], grads[i], wantV, wantG)
		}
	}
}
