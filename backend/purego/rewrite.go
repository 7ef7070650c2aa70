package purego

import (
	"fmt"

	"github.com/gaeanas/gaeanas/backend/internal/vec"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// Graph rewrites at build time. Each one replaces a group of ops by fewer passes over the data that
// compute exactly the same values (the same IEEE operation per element), so no result changes by a bit:
//
//   - Identity is the operand itself. (simplego copies the operand when it does not own it, which is
//     always the case for a value made by another stage: spaces.ReLU's StopGradient of its mask copied
//     every mask once.)
//   - A binary Add/Sub/Mul/Div of a tensor and a BroadcastInDim that only repeats a smaller tensor
//     (a scalar, a bias, the average pool's counts) reads the smaller tensor directly: GoMLX's
//     autodiff broadcasts the other operand of a Mul or Div to the full shape before multiplying
//     (graph.mulVJP), which costs a full-size pass and a full-size read per gradient — the mixed op's
//     weights θ_k·out_k and the pool's counts.
//   - Mul(a, ConvertDType(GreaterThan(x, 0))) — spaces.ReLU, forward (a = x) and backward (a = the
//     adjoint) — is one pass a·[x > 0] reading a and x, without the bool mask and its float copy.
//   - Mul(a, Sign(Add(Sign(d), 1))) — GoMLX's NonNegativeIndicator(d), the mask by which the gradient
//     of Max (activations.Relu = Max(x, 0)) passes the adjoint a, with d = Sub(x, 0) — is one pass
//     a·ind(d) reading a and x (or d if it is not x − 0), instead of five (Sub, Sign, Add, Sign, Mul).

// Identity implements backends.Builder: values are immutable, so the identity is the operand.
func (b *Builder) Identity(x backends.Op) (backends.Op, error) {
	if _, err := b.check("Identity", x); err != nil {
		return nil, err
	}
	return x, nil
}

// BroadcastInDim implements backends.Builder, and notes the source of a broadcast that only repeats it,
// for the binary ops that read it (foldBroadcast): those read the source, and the broadcast itself runs
// only where something else needs it (a gradient's repeat of a mean, read by batch norm's gradient).
// Such a repeat of a float tensor of at least fastMinSize elements runs as row copies and fills over
// the cores (simplego's BroadcastInDim walks an index iterator per element); anything else is
// simplego's op.
func (b *Builder) BroadcastInDim(x backends.Op, outShape shapes.Shape, axes []int) (backends.Op, error) {
	var dims []int
	if xs, err := shapeOf(b, x); err == nil && xs.Size() < outShape.Size() {
		dims = rankEqualDims(xs, outShape, axes)
	}
	var n *node
	if dims != nil && floatDType(outShape.DType) && outShape.Size() >= fastMinSize {
		if _, err := b.check("BroadcastInDim", x); err != nil {
			return nil, err
		}
		bAxes := collapseBroadcast(outShape.Dimensions, dims, outShape.Dimensions)
		op, err := b.custom1("BroadcastInDim", []backends.Op{x}, outShape, func(be *Backend, in []backends.Buffer) ([]backends.Buffer, error) {
			if outShape.DType == dtypes.Float32 {
				return runBroadcast[float32](be, in[0], outShape, bAxes)
			}
			return runBroadcast[float64](be, in[0], outShape, bAxes)
		})
		if err != nil {
			return nil, err
		}
		n = op.(*node)
	} else {
		outs, err := b.native("BroadcastInDim", []backends.Op{x}, 1, func(ib backends.Builder, in []backends.Op) ([]backends.Op, error) {
			op, err := ib.BroadcastInDim(in[0], outShape, axes)
			return []backends.Op{op}, err
		})
		if err != nil {
			return nil, err
		}
		n = outs[0].(*node)
	}
	if dims != nil {
		src := x.(*node) // checked by native or check
		n.bcastSrc, n.bcastDims = src, dims
	}
	return n, nil
}

// rankEqualDims returns the dimensions of src as a tensor of out's rank that broadcasts to out along
// its axes of size 1 — src's axis i at out's axis axes[i], 1 elsewhere — or nil if BroadcastInDim(src,
// out, axes) is not such a broadcast (axes not increasing, or a dimension neither 1 nor out's).
func rankEqualDims(src, out shapes.Shape, axes []int) []int {
	if len(axes) != src.Rank() || src.DType != out.DType {
		return nil
	}
	dims := make([]int, out.Rank())
	for i := range dims {
		dims[i] = 1
	}
	prev := -1
	for i, a := range axes {
		if a <= prev || a >= out.Rank() {
			return nil
		}
		d := src.Dimensions[i]
		if d != 1 && d != out.Dimensions[a] {
			return nil
		}
		dims[a] = d
		prev = a
	}
	return dims
}

// foldBroadcast builds op(x, y) reading the source of a broadcast operand directly, when one operand
// is a broadcast (see BroadcastInDim) and the other has the result's full shape.
func (b *Builder) foldBroadcast(op binOp, x, y backends.Op) (backends.Op, bool, error) {
	xn, ok1 := x.(*node)
	yn, ok2 := y.(*node)
	if !ok1 || !ok2 || xn == nil || yn == nil {
		return nil, false, nil
	}
	var full, bc *node
	switch {
	case yn.bcastSrc != nil && xn.shape.Equal(yn.shape):
		full, bc = xn, yn
	case xn.bcastSrc != nil && xn.shape.Equal(yn.shape):
		full, bc = yn, xn
	default:
		return nil, false, nil
	}
	if _, err := b.check(op.String(), x, y); err != nil {
		return nil, false, nil // let the plain path report it
	}
	src := bc.bcastSrc
	dims := bc.bcastDims
	if src.shape.Size() == 1 {
		dims = nil // a scalar: simplego's binary ops take one as either operand
	}
	var s backends.Op = src
	if !shapeHasDims(src.shape, dims) {
		var err error
		if s, err = b.Reshape(src, dims...); err != nil {
			return nil, true, err
		}
	}
	lhs, rhs := backends.Op(full), s
	if bc == xn {
		lhs, rhs = s, full
	}
	// A repeated scalar is now a rank-0 operand: broadcastBinary hands it to scalarBinary.
	if res, ok, err := b.broadcastBinary(op, lhs, rhs); ok {
		return res, true, err
	}
	res, err := b.nativeBinary(op, lhs, rhs)
	return res, true, err
}

func shapeHasDims(s shapes.Shape, dims []int) bool {
	if s.Rank() != len(dims) {
		return false
	}
	for i, d := range dims {
		if s.Dimensions[i] != d {
			return false
		}
	}
	return true
}

// nativeBinary builds op(x, y) in simplego.
func (b *Builder) nativeBinary(op binOp, x, y backends.Op) (backends.Op, error) {
	outs, err := b.native(op.String(), []backends.Op{x, y}, 1, func(ib backends.Builder, in []backends.Op) ([]backends.Op, error) {
		var r backends.Op
		var err error
		switch op {
		case binAdd:
			r, err = ib.Add(in[0], in[1])
		case binSub:
			r, err = ib.Sub(in[0], in[1])
		case binMul:
			r, err = ib.Mul(in[0], in[1])
		case binDiv:
			r, err = ib.Div(in[0], in[1])
		case binMax:
			r, err = ib.Max(in[0], in[1])
		case binMin:
			r, err = ib.Min(in[0], in[1])
		default:
			return nil, fmt.Errorf("purego: binary op %d has no simplego method", op)
		}
		return []backends.Op{r}, err
	})
	if err != nil {
		return nil, err
	}
	return outs[0], nil
}

// reluMaskOf returns x if m is ConvertDType(GreaterThan(x, 0)) to m's float dtype (spaces.ReLU's mask,
// built by simplego or by fastConvertDType), else nil.
func reluMaskOf(m *node) *node {
	if !floatDType(m.shape.DType) {
		return nil
	}
	var in []*node
	switch {
	case m.call != nil && m.call.name == "ConvertDType":
		in = m.call.inputs
	case m.custom != nil && m.custom.name == "ConvertDType":
		in = m.custom.inputs
	default:
		return nil
	}
	g := in[0]
	if g.call == nil || g.call.name != "GreaterThan" {
		return nil
	}
	x, z := g.call.inputs[0], g.call.inputs[1]
	if !z.isConst || z.constVal != 0 || x.shape.DType != m.shape.DType || !x.shape.Equal(m.shape) {
		return nil
	}
	return x
}

// fusedReLUMul builds Mul(a, mask) or Mul(mask, a), mask = ConvertDType(GreaterThan(x, 0)), as one
// pass a·[x > 0] (values bit-identical: a·1 or a·0, as IEEE multiplications), for tensors of at least
// fastMinSize elements.
func (b *Builder) fusedReLUMul(x, y backends.Op) (backends.Op, bool, error) {
	return b.fusedMaskMul(x, y, "ReLUMul", reluMaskOf, reluMul32, reluMul64)
}

// reluMul32 sets d[i] = a[i]·[x[i] > 0] (vec.ReLUMul: AVX where the CPU has AVX2, else a branch-free
// Go loop).
func reluMul32(d, a, x []float32) { vec.ReLUMul(d, a, x) }

// reluMul64 is reluMul32 for float64.
func reluMul64(d, a, x []float64) {
	for i, v := range x[:len(d)] {
		var m float64
		if v > 0 {
			m = 1
		}
		d[i] = a[i] * m
	}
}

// fusedMaskMul builds Mul(a, m) or Mul(m, a), where maskOf(m) finds the tensor src the mask m is made
// from, as one custom op opName reading a and src: f32 and f64 set d = a·mask(src) element by element.
// It takes float tensors of equal shapes of at least fastMinSize elements.
func (b *Builder) fusedMaskMul(x, y backends.Op, opName string, maskOf func(*node) *node,
	f32 func(d, a, x []float32), f64 func(d, a, x []float64)) (backends.Op, bool, error) {
	xn, ok1 := x.(*node)
	yn, ok2 := y.(*node)
	if !ok1 || !ok2 || xn == nil || yn == nil || !xn.shape.Equal(yn.shape) || xn.shape.Size() < fastMinSize {
		return nil, false, nil
	}
	a, src := xn, maskOf(yn)
	if src == nil {
		a, src = yn, maskOf(xn)
	}
	if src == nil {
		return nil, false, nil
	}
	if _, err := b.check("Mul", x, y); err != nil {
		return nil, false, nil
	}
	out := a.shape
	res, err := b.custom1(opName, []backends.Op{a, src}, out, func(be *Backend, in []backends.Buffer) ([]backends.Buffer, error) {
		if out.DType == dtypes.Float32 {
			return runMaskMul(be, in, out, f32)
		}
		return runMaskMul(be, in, out, f64)
	})
	return res, true, err
}

// runMaskMul runs a fused mask product over the cores: f(d, a, x) on parts of the flat tensors.
func runMaskMul[T float32 | float64](be *Backend, in []backends.Buffer, out shapes.Shape, f func(d, a, x []T)) ([]backends.Buffer, error) {
	a, err := flatOf[T](be, in[0])
	if err != nil {
		return nil, err
	}
	x, err := flatOf[T](be, in[1])
	if err != nil {
		return nil, err
	}
	buf, dst, err := newBuffer[T](be, out)
	if err != nil {
		return nil, err
	}
	parallelFor(len(dst), 1<<15, func(lo, hi int) { f(dst[lo:hi], a[lo:hi], x[lo:hi]) })
	return []backends.Buffer{buf}, nil
}

// opOf returns the name and the inputs of the op that made n: a simplego call or a custom op ("" for a
// parameter).
func opOf(n *node) (string, []*node) {
	switch {
	case n.call != nil:
		return n.call.name, n.call.inputs
	case n.custom != nil:
		return n.custom.name, n.custom.inputs
	}
	return "", nil
}

// isConstVal tells whether n is the scalar constant v, or a broadcast that only repeats it.
func isConstVal(n *node, v float64) bool {
	if n.bcastSrc != nil {
		n = n.bcastSrc
	}
	return n.isConst && n.constVal == v
}

// nonNegIndicatorOf returns d if m is Sign(Add(Sign(d), 1)) (the constant on either side), GoMLX's
// NonNegativeIndicator(d), of m's shape and dtype — and x instead of d when d is Sub(x, 0): x − 0 has
// x's value and x's sign(·), a NaN quieted, which ind quiets too — else nil.
func nonNegIndicatorOf(m *node) *node {
	if !floatDType(m.shape.DType) {
		return nil
	}
	name, ins := opOf(m)
	if name != "Sign" {
		return nil
	}
	if name, ins = opOf(ins[0]); name != "Add" || len(ins) != 2 {
		return nil
	}
	var s *node
	switch {
	case isConstVal(ins[1], 1):
		s = ins[0]
	case isConstVal(ins[0], 1):
		s = ins[1]
	default:
		return nil
	}
	if name, ins = opOf(s); name != "Sign" {
		return nil
	}
	d := ins[0]
	if name, ins := opOf(d); name == "Sub" && len(ins) == 2 && isConstVal(ins[1], 0) && ins[0].shape.Equal(d.shape) {
		d = ins[0]
	}
	if !d.shape.Equal(m.shape) {
		return nil
	}
	return d
}

// nonNegMulPath is always true outside tests, which turn it off to compare with the unfused graph.
var nonNegMulPath = true

// fusedNonNegMul builds Mul(a, m) or Mul(m, a), m = NonNegativeIndicator(d) (nonNegIndicatorOf), as one
// pass a·ind(d) (vec.NonNegMul: the chain's values bit for bit, ±0 included; a NaN where it gives a NaN),
// for tensors of at least fastMinSize elements.
func (b *Builder) fusedNonNegMul(x, y backends.Op) (backends.Op, bool, error) {
	if !nonNegMulPath {
		return nil, false, nil
	}
	return b.fusedMaskMul(x, y, "NonNegMul", nonNegIndicatorOf, vec.NonNegMul[float32], vec.NonNegMul[float64])
}
