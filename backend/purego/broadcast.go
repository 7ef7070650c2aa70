package purego

import (
	"slices"

	"github.com/gaeanas/gaeanas/backend/internal/vec"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// Broadcasting binary ops and ReduceSum. simplego runs a binary op whose operands differ in shape
// (a conv bias [1,1,1,C] added to [B,H,W,C]; the average pool's [B,H,W,C] / counts [1,H,W,1]) and
// every ReduceSum (the gradients of those biases, of the mixed op's weights) through a per-element
// index iterator, which the supernet's profiles show at 10–20% of a search iteration. purego runs
// them, for float32/float64 tensors of at least fastMinSize elements, with loops over the collapsed
// axes. The binary ops are bit-identical to simplego's (the same IEEE operation per element; a NaN
// result may carry another NaN's payload: Max and Min return a NaN operand); so are float64 sums
// (accumulated from 0 in the operand's row-major order). Tests compare bits.
//
// Float32 sums are accumulated in float64 and rounded once, here for every float32 ReduceSum that
// adds at least sumMinTerms terms per output whatever the tensor's size: simplego (like any naive
// loop) accumulates in float32, whose error grows with the number of terms (√n ulps typically, n in
// the worst case), and a gradient such as the mixed op's weights' (one sum over the batch, the pixels
// and the channels) then carried 2–3× PyTorch's float32 error (PyTorch sums in cascades). The float64
// sum is within one rounding of the exact sum except under extreme cancellation.

// fastMinSize: smaller tensors stay in simplego (no stage split for them) …
const fastMinSize = 1 << 14

// … except float32 sums of at least sumMinTerms terms per output (float64 accumulation, see above).
const sumMinTerms = 32

// float32SumsInFloat64 is always true outside tests: rewrite_test.go sets it to false, which leaves
// float32 ReduceSums to simplego, to compare whole gradient graphs with simplego bit for bit (every
// other op of those graphs is bit-identical to simplego's).
var float32SumsInFloat64 = true

type binOp int

const (
	binAdd binOp = iota
	binSub
	binMul
	binDiv
	binMax
	binMin
)

// The values of binOp are vec.Op's (runBinary converts one into the other).
func (o binOp) String() string { return [...]string{"Add", "Sub", "Mul", "Div", "Max", "Min"}[o] }

// bcastAxis is one collapsed axis of a broadcasting binary op: its size and each operand's element
// stride along it (0 where that operand is broadcast).
type bcastAxis struct{ n, sa, sb int }

// fastBinary takes the binary ops that purego runs otherwise than simplego alone: the rewrites of
// rewrite.go (a ReLU mask, a broadcast operand), then broadcastBinary.
func (b *Builder) fastBinary(op binOp, x, y backends.Op) (backends.Op, bool, error) {
	if op == binMul {
		if res, ok, err := b.fusedReLUMul(x, y); ok {
			return res, true, err
		}
		if res, ok, err := b.fusedNonNegMul(x, y); ok {
			return res, true, err
		}
	}
	if res, ok, err := b.foldBroadcast(op, x, y); ok {
		return res, true, err
	}
	return b.broadcastBinary(op, x, y)
}

// broadcastBinary runs a, b of equal rank ≥ 1, shapes equal or differing only where one of them has
// dimension 1, or one of them a scalar (rank 0): the mixed op's θ_k·out_k and its gradients. simplego
// runs equal shapes and scalars in one scalar loop on one core; purego splits them over the cores and
// runs package vec's loops (the same IEEE operation per element).
func (b *Builder) broadcastBinary(op binOp, x, y backends.Op) (backends.Op, bool, error) {
	xs, err1 := shapeOf(b, x)
	ys, err2 := shapeOf(b, y)
	if err1 != nil || err2 != nil || xs.DType != ys.DType || !floatDType(xs.DType) {
		return nil, false, nil
	}
	if (xs.Rank() == 0) != (ys.Rank() == 0) {
		return b.scalarBinary(op, x, y, xs, ys)
	}
	if xs.Rank() != ys.Rank() || xs.Rank() == 0 {
		return nil, false, nil
	}
	dims := make([]int, xs.Rank())
	for i := range dims {
		dx, dy := xs.Dimensions[i], ys.Dimensions[i]
		switch {
		case dx == dy:
			dims[i] = dx
		case dx == 1:
			dims[i] = dy
		case dy == 1:
			dims[i] = dx
		default:
			return nil, false, nil
		}
	}
	out := shapes.Make(xs.DType, dims...)
	if out.Size() < fastMinSize {
		return nil, false, nil
	}
	axes := collapseBroadcast(dims, xs.Dimensions, ys.Dimensions)
	res, err := b.custom1(op.String(), []backends.Op{x, y}, out, func(be *Backend, in []backends.Buffer) ([]backends.Buffer, error) {
		if out.DType == dtypes.Float32 {
			return runBinary[float32](be, in, out, op, axes)
		}
		return runBinary[float64](be, in, out, op, axes)
	})
	return res, true, err
}

// scalarBinary runs x op y where exactly one of them is a scalar, from fastMinSize elements on.
func (b *Builder) scalarBinary(op binOp, x, y backends.Op, xs, ys shapes.Shape) (backends.Op, bool, error) {
	out := xs
	scalarFirst := xs.Rank() == 0
	if scalarFirst {
		out = ys
	}
	if out.Size() < fastMinSize {
		return nil, false, nil
	}
	res, err := b.custom1(op.String(), []backends.Op{x, y}, out, func(be *Backend, in []backends.Buffer) ([]backends.Buffer, error) {
		if out.DType == dtypes.Float32 {
			return runScalarBinary[float32](be, in, out, op, scalarFirst)
		}
		return runScalarBinary[float64](be, in, out, op, scalarFirst)
	})
	return res, true, err
}

func runScalarBinary[T float32 | float64](be *Backend, in []backends.Buffer, out shapes.Shape, op binOp, scalarFirst bool) ([]backends.Buffer, error) {
	a, err := flatOf[T](be, in[0])
	if err != nil {
		return nil, err
	}
	bb, err := flatOf[T](be, in[1])
	if err != nil {
		return nil, err
	}
	buf, dst, err := newBuffer[T](be, out)
	if err != nil {
		return nil, err
	}
	parallelFor(len(dst), fastMinSize, func(lo, hi int) {
		if scalarFirst {
			vec.SV(vec.Op(op), dst[lo:hi], a[0], bb[lo:hi])
		} else {
			vec.VS(vec.Op(op), dst[lo:hi], a[lo:hi], bb[0])
		}
	})
	return []backends.Buffer{buf}, nil
}

// collapseBroadcast merges neighbouring axes on which both operands are broadcast the same way and
// returns the collapsed axes (outermost first) with element strides; axes of size 1 are dropped.
func collapseBroadcast(dims, da, db []int) []bcastAxis {
	var axes []bcastAxis // innermost first while building
	sa, sb := 1, 1
	for i := len(dims) - 1; i >= 0; i-- {
		n := dims[i]
		if n == 1 {
			continue
		}
		ax := bcastAxis{n: n}
		if da[i] == n {
			ax.sa = sa
		}
		if db[i] == n {
			ax.sb = sb
		}
		if k := len(axes) - 1; k >= 0 && (axes[k].sa == 0) == (ax.sa == 0) && (axes[k].sb == 0) == (ax.sb == 0) {
			axes[k].n *= n
		} else {
			axes = append(axes, ax)
		}
		sa *= da[i]
		sb *= db[i]
	}
	slices.Reverse(axes)
	return axes
}

func runBinary[T float32 | float64](be *Backend, in []backends.Buffer, out shapes.Shape, op binOp, axes []bcastAxis) ([]backends.Buffer, error) {
	a, err := flatOf[T](be, in[0])
	if err != nil {
		return nil, err
	}
	bb, err := flatOf[T](be, in[1])
	if err != nil {
		return nil, err
	}
	buf, dst, err := newBuffer[T](be, out)
	if err != nil {
		return nil, err
	}
	if len(axes) == 1 && axes[0].sa != 0 && axes[0].sb != 0 {
		// Equal shapes: one run, split over the cores.
		parallelFor(len(dst), fastMinSize, func(lo, hi int) { vec.VV(vec.Op(op), dst[lo:hi], a[lo:hi], bb[lo:hi]) })
		return []backends.Buffer{buf}, nil
	}
	inner := axes[len(axes)-1]
	forRows(axes, func(row, offA, offB int) {
		d := dst[row*inner.n : (row+1)*inner.n]
		switch {
		case inner.sa != 0 && inner.sb != 0:
			vec.VV(vec.Op(op), d, a[offA:offA+inner.n], bb[offB:offB+inner.n])
		case inner.sa != 0:
			vec.VS(vec.Op(op), d, a[offA:offA+inner.n], bb[offB])
		default:
			vec.SV(vec.Op(op), d, a[offA], bb[offB:offB+inner.n])
		}
	})
	return []backends.Buffer{buf}, nil
}

// forRows calls f for every row of the innermost collapsed axis (the output's rows of axes[last].n
// elements), over the cores, with each operand's element offset at the row's start.
func forRows(axes []bcastAxis, f func(row, offA, offB int)) {
	inner := axes[len(axes)-1]
	outer := axes[:len(axes)-1]
	rows := 1
	for _, ax := range outer {
		rows *= ax.n
	}
	parallelFor(rows, max(1, fastMinSize/inner.n), func(lo, hi int) {
		idx := make([]int, len(outer))
		// Start the odometer at row lo.
		r := lo
		offA, offB := 0, 0
		for k := len(outer) - 1; k >= 0; k-- {
			idx[k] = r % outer[k].n
			r /= outer[k].n
			offA += idx[k] * outer[k].sa
			offB += idx[k] * outer[k].sb
		}
		for row := lo; row < hi; row++ {
			f(row, offA, offB)
			for k := len(outer) - 1; k >= 0; k-- {
				idx[k]++
				offA += outer[k].sa
				offB += outer[k].sb
				if idx[k] < outer[k].n {
					break
				}
				offA -= idx[k] * outer[k].sa
				offB -= idx[k] * outer[k].sb
				idx[k] = 0
			}
		}
	})
}

// runBroadcast writes the repeats of a broadcast (axes from collapseBroadcast with the source as the
// first operand and the output as the second): copies of the source's rows, or fills with one value.
func runBroadcast[T float32 | float64](be *Backend, in backends.Buffer, out shapes.Shape, axes []bcastAxis) ([]backends.Buffer, error) {
	src, err := flatOf[T](be, in)
	if err != nil {
		return nil, err
	}
	buf, dst, err := newBuffer[T](be, out)
	if err != nil {
		return nil, err
	}
	inner := axes[len(axes)-1]
	forRows(axes, func(row, offA, _ int) {
		d := dst[row*inner.n : (row+1)*inner.n]
		if inner.sa != 0 {
			copy(d, src[offA:offA+inner.n])
		} else {
			v := src[offA]
			for i := range d {
				d[i] = v
			}
		}
	})
	return []backends.Buffer{buf}, nil
}

// fastReduceSum runs a ReduceSum whose reduced axes, after merging neighbours, form one block:
// x viewed as [K1, R, K2], out[k1, k2] = Σ_r x[k1, r, k2], each sum from 0 in increasing r (the order
// of simplego's row-major pass). Reducing all axes, the leading ones or the trailing ones are the
// cases K1 = K2 = 1, K1 = 1 and K2 = 1.
func (b *Builder) fastReduceSum(x backends.Op, axes ...int) (backends.Op, bool, error) {
	xs, err := shapeOf(b, x)
	if err != nil || !floatDType(xs.DType) || (xs.DType == dtypes.Float32 && !float32SumsInFloat64) {
		return nil, false, nil
	}
	if len(axes) == 0 { // as simplego: no axes reduce them all (graph.ReduceAllSum)
		for a := range xs.Rank() {
			axes = append(axes, a)
		}
	}
	reduced := make([]bool, xs.Rank())
	for _, a := range axes {
		if a < 0 || a >= xs.Rank() || reduced[a] {
			return nil, false, nil // simplego reports the error
		}
		reduced[a] = true
	}
	// Find the one block of reduced axes (axes of size 1 may sit anywhere).
	k1, r, k2 := 1, 1, 1
	phase := 0 // 0: before the block, 1: in it, 2: after it
	var outDims []int
	for i, d := range xs.Dimensions {
		if !reduced[i] {
			outDims = append(outDims, d)
		}
		if d == 1 {
			continue
		}
		switch {
		case reduced[i] && phase == 2:
			return nil, false, nil
		case reduced[i]:
			phase = 1
			r *= d
		case phase == 0:
			k1 *= d
		default:
			phase = 2
			k2 *= d
		}
	}
	if xs.Size() < fastMinSize && (xs.DType != dtypes.Float32 || r < sumMinTerms) {
		return nil, false, nil
	}
	out := shapes.Make(xs.DType, outDims...)
	res, err := b.custom1("ReduceSum", []backends.Op{x}, out, func(be *Backend, in []backends.Buffer) ([]backends.Buffer, error) {
		if xs.DType == dtypes.Float32 {
			return runReduceSum[float32](be, in[0], out, k1, r, k2)
		}
		return runReduceSum[float64](be, in[0], out, k1, r, k2)
	})
	return res, true, err
}

func runReduceSum[T float32 | float64](be *Backend, in backends.Buffer, out shapes.Shape, k1, r, k2 int) ([]backends.Buffer, error) {
	x, err := flatOf[T](be, in)
	if err != nil {
		return nil, err
	}
	buf, dst, err := newBuffer[T](be, out)
	if err != nil {
		return nil, err
	}
	if isFloat32[T]() {
		reduceSum32(any(x).([]float32), any(dst).([]float32), k1, r, k2)
		return []backends.Buffer{buf}, nil
	}
	clear(dst)
	if k2 == 1 {
		parallelFor(k1, max(1, fastMinSize/r), func(lo, hi int) {
			for i := lo; i < hi; i++ {
				var s T
				for _, v := range x[i*r : (i+1)*r] {
					s += v
				}
				dst[i] = s
			}
		})
		return []backends.Buffer{buf}, nil
	}
	sum := func(i, c0, c1 int) {
		o := dst[i*k2+c0 : i*k2+c1]
		for j := 0; j < r; j++ {
			row := x[(i*r+j)*k2+c0 : (i*r+j)*k2+c1]
			for c := range o {
				o[c] += row[c]
			}
		}
	}
	forOutputs(k1, r, k2, sum)
	return []backends.Buffer{buf}, nil
}

// forOutputs runs sum(i, c0, c1) — the sums of output row i, columns [c0, c1) — over every output of a
// [k1, r, k2] → [k1, k2] reduction, rows spread over the cores, or the columns of a single row (each
// column keeps its own order, so the split changes no bit).
func forOutputs(k1, r, k2 int, sum func(i, c0, c1 int)) {
	if k1 > 1 {
		parallelFor(k1, max(1, fastMinSize/(r*k2)), func(lo, hi int) {
			for i := lo; i < hi; i++ {
				sum(i, 0, k2)
			}
		})
		return
	}
	parallelFor(k2, 64, func(lo, hi int) { sum(0, lo, hi) })
}

func isFloat32[T float32 | float64]() bool {
	var z T
	_, ok := any(z).(float32)
	return ok
}

// reduceSum32 is runReduceSum for float32: out[k1, k2] = Σ_r x[k1, r, k2], each sum accumulated in
// float64 from 0 in increasing r and rounded to float32 once.
func reduceSum32(x, dst []float32, k1, r, k2 int) {
	if k2 == 1 {
		parallelFor(k1, max(1, fastMinSize/r), func(lo, hi int) {
			for i := lo; i < hi; i++ {
				var s float64
				for _, v := range x[i*r : (i+1)*r] {
					s += float64(v)
				}
				dst[i] = float32(s)
			}
		})
		return
	}
	const block = 256 // columns summed at a time, in a float64 scratch row
	sum := func(i, c0, c1 int) {
		var acc [block]float64
		for b0 := c0; b0 < c1; b0 += block {
			b1 := min(b0+block, c1)
			a := acc[:b1-b0]
			clear(a)
			for j := 0; j < r; j++ {
				row := x[(i*r+j)*k2+b0 : (i*r+j)*k2+b1]
				row = row[:len(a)]
				for c, v := range row {
					a[c] += float64(v)
				}
			}
			o := dst[i*k2+b0 : i*k2+b1]
			for c := range o {
				o[c] = float32(a[c])
			}
		}
	}
	forOutputs(k1, r, k2, sum)
}
