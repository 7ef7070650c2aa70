package spaces

import "github.com/gomlx/gomlx/pkg/core/graph"

// ReLU is max(x, 0) with PyTorch's derivative: 1 where x > 0 and 0 elsewhere, x = 0 included. GoMLX's
// activations.Relu is Max(x, 0), whose gradient at x = 0 is 1 (GoMLX passes the adjoint of Max to the
// first operand on ties). The difference is invisible on generic inputs but not on exact zeros, which the
// spaces produce structurally: a node fed only by `none` (a GDAS sample, a DARTS edge) is all zeros, and
// a ReLU → conv → batch norm behind it then passes back (dy − mean dy)/√ε, ~316× the adjoint, where
// PyTorch passes nothing (bench/twin found it as a large spurious θ gradient in GAEA GDAS).
//
// It is x·[x > 0] with the mask held constant: the value is x or ±0 (a negative input gives −0, which
// no later op tells from +0), the gradient g·[x > 0]. Three element-wise passes forward and one back;
// graph.Where(x > 0, x, 0) computed the same values but its gradient builds two more selects, a
// broadcast of zeros and a reduction onto the scalar zero: 17% of a NAS-Bench-201 iteration on the
// pure-Go backend (bench/nb201, nb201-quick, one thread: median 2.16 s → 1.79 s).
func ReLU(x *graph.Node) *graph.Node {
	zero := graph.ScalarZero(x.Graph(), x.DType())
	mask := graph.StopGradient(graph.ConvertDType(graph.GreaterThan(x, zero), x.DType()))
	return graph.Mul(x, mask)
}
