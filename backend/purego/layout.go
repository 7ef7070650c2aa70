package purego

import (
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// Transpose and Slice of large float tensors: simplego moves every element through a per-element
// index iterator (in the PC-DARTS supernet's profile: 8 % Transpose, around the kernel-gradient
// convolutions, and 6 % Slice, the partial-channel split); purego copies whole rows over the cores.
// Both only move values, so the results are simplego's bit for bit.

// fastTranspose takes a Transpose of a float tensor of at least fastMinSize elements.
func (b *Builder) fastTranspose(x backends.Op, perm ...int) (backends.Op, bool, error) {
	xs, err := shapeOf(b, x)
	if err != nil || !floatDType(xs.DType) || xs.Size() < fastMinSize || len(perm) != xs.Rank() || isIdentity(perm) {
		return nil, false, nil
	}
	dims := make([]int, len(perm))
	for i, a := range perm {
		if a < 0 || a >= xs.Rank() {
			return nil, false, nil
		}
		dims[i] = xs.Dimensions[a]
	}
	out := shapes.Make(xs.DType, dims...)
	perm = append([]int(nil), perm...)
	res, err := b.custom1("Transpose", []backends.Op{x}, out, func(be *Backend, in []backends.Buffer) ([]backends.Buffer, error) {
		if out.DType == dtypes.Float32 {
			return runTranspose[float32](be, in[0], xs.Dimensions, perm, out)
		}
		return runTranspose[float64](be, in[0], xs.Dimensions, perm, out)
	})
	return res, true, err
}

func runTranspose[T float32 | float64](be *Backend, in backends.Buffer, dims, perm []int, out shapes.Shape) ([]backends.Buffer, error) {
	x, err := flatOf[T](be, in)
	if err != nil {
		return nil, err
	}
	buf, dst, err := newBuffer[T](be, out)
	if err != nil {
		return nil, err
	}
	transposeInto(x, dims, perm, dst)
	return []backends.Buffer{buf}, nil
}

// fastSlice takes a Slice with unit strides of a float tensor whose result has at least fastMinSize
// elements.
func (b *Builder) fastSlice(x backends.Op, starts, limits, strides []int) (backends.Op, bool, error) {
	xs, err := shapeOf(b, x)
	r := xs.Rank()
	if err != nil || !floatDType(xs.DType) || r == 0 || len(starts) != r || len(limits) != r {
		return nil, false, nil
	}
	for _, s := range strides {
		if s != 1 {
			return nil, false, nil
		}
	}
	dims := make([]int, r)
	for a := range r {
		if starts[a] < 0 || limits[a] > xs.Dimensions[a] || starts[a] > limits[a] {
			return nil, false, nil
		}
		dims[a] = limits[a] - starts[a]
	}
	out := shapes.Make(xs.DType, dims...)
	if out.Size() < fastMinSize {
		return nil, false, nil
	}
	starts = append([]int(nil), starts...)
	res, err := b.custom1("Slice", []backends.Op{x}, out, func(be *Backend, in []backends.Buffer) ([]backends.Buffer, error) {
		if out.DType == dtypes.Float32 {
			return runSlice[float32](be, in[0], xs.Dimensions, starts, out)
		}
		return runSlice[float64](be, in[0], xs.Dimensions, starts, out)
	})
	return res, true, err
}

// runSlice copies the slice row by row: a row is the run of elements that is contiguous in both x and
// the result (the trailing axes the slice takes whole, and the one before them).
func runSlice[T float32 | float64](be *Backend, in backends.Buffer, xDims, starts []int, out shapes.Shape) ([]backends.Buffer, error) {
	x, err := flatOf[T](be, in)
	if err != nil {
		return nil, err
	}
	buf, dst, err := newBuffer[T](be, out)
	if err != nil {
		return nil, err
	}
	r := len(xDims)
	dims := out.Dimensions
	stride := make([]int, r) // element strides of x
	s := 1
	for a := r - 1; a >= 0; a-- {
		stride[a] = s
		s *= xDims[a]
	}
	// Axes k… are one contiguous run: every axis after k is taken whole.
	k := r - 1
	for k > 0 && dims[k] == xDims[k] {
		k--
	}
	run := 1
	for a := k; a < r; a++ {
		run *= dims[a]
	}
	base := 0
	for a := range r {
		base += starts[a] * stride[a]
	}
	rows := len(dst) / max(1, run)
	parallelFor(rows, max(1, fastMinSize/max(1, run)), func(lo, hi int) {
		idx := make([]int, k)
		rem := lo
		for a := k - 1; a >= 0; a-- {
			idx[a] = rem % dims[a]
			rem /= dims[a]
		}
		for row := lo; row < hi; row++ {
			src := base
			for a := range k {
				src += idx[a] * stride[a]
			}
			copy(dst[row*run:(row+1)*run], x[src:src+run])
			for a := k - 1; a >= 0; a-- {
				idx[a]++
				if idx[a] < dims[a] {
					break
				}
				idx[a] = 0
			}
		}
	})
	return []backends.Buffer{buf}, nil
}
