package spaces

import "github.com/gomlx/gomlx/pkg/core/graph"

// ReLU is max(x, 0) with PyTorch's derivative: 1 where x > 0 and 0 elsewhere, x = 0 included. GoMLX's
// activations.Relu is Max(x, 0), whose gradient at x = 0 is 1 (GoMLX passes the adjoint of Max to the
// first operand on ties). The difference is invisible on generic inputs but not on exact zeros, which the
// spaces produce structurally: a node fed only by `none` (a GDAS sample, a DARTS edge) is all zeros, and
// a ReLU → conv → batch norm behind it then passes back (dy − mean dy)/√ε, ~316× the adjoint, where
// PyTorch passes nothing (bench/twin found it as a large spurious θ gradient in GAEA GDAS).
func ReLU(x *graph.Node) *graph.Node {
	zero := graph.ScalarZero(x.Graph(), x.DType())
	return graph.Where(graph.GreaterThan(x, zero), x, zero)
}
