package purego

import (
	"math"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
)

// Sign implements backends.Builder. GoMLX's autodiff of ReLU and Max builds masks out of Sign, and
// simplego's Sign branches on every element, which mispredicts half the time on activations:
// for float32/float64 purego uses a branch-free multi-core kernel (NaN stays NaN, as in XLA);
// other dtypes go to simplego.
func (b *Builder) Sign(x backends.Op) (backends.Op, error) {
	xs, err := shapeOf(b, x)
	if err != nil {
		return nil, err
	}
	if !floatDType(xs.DType) || xs.Size() < signMinSize {
		outs, err := b.native("Sign", []backends.Op{x}, 1, func(ib backends.Builder, in []backends.Op) ([]backends.Op, error) {
			op, err := ib.Sign(in[0])
			return []backends.Op{op}, err
		})
		if err != nil {
			return nil, err
		}
		return outs[0], nil
	}
	return b.custom1("Sign", []backends.Op{x}, xs, func(be *Backend, in []backends.Buffer) ([]backends.Buffer, error) {
		if xs.DType == dtypes.Float32 {
			src, err := flatOf[float32](be, in[0])
			if err != nil {
				return nil, err
			}
			buf, dst, err := newBuffer[float32](be, xs)
			if err != nil {
				return nil, err
			}
			parallelFor(len(src), 1<<15, func(lo, hi int) { sign32(src[lo:hi], dst[lo:hi]) })
			return []backends.Buffer{buf}, nil
		}
		src, err := flatOf[float64](be, in[0])
		if err != nil {
			return nil, err
		}
		buf, dst, err := newBuffer[float64](be, xs)
		if err != nil {
			return nil, err
		}
		parallelFor(len(src), 1<<15, func(lo, hi int) { sign64(src[lo:hi], dst[lo:hi]) })
		return []backends.Buffer{buf}, nil
	})
}

// signMinSize: smaller tensors stay in simplego (no stage split for them).
const signMinSize = 1 << 14

// sign32 writes sign(x) (−1, 0 or +1; NaN for NaN; −0 and +0 give 0) without branches.
func sign32(x, out []float32) {
	out = out[:len(x)]
	for i, v := range x {
		u := math.Float32bits(v)
		abs := u & 0x7fffffff
		nonZero := -((abs + 0x7fffffff) >> 31)         // all ones unless v is ±0
		isNaN := -((0x7f800000 - abs) >> 31)           // all ones if v is NaN
		r := ((u & 0x80000000) | 0x3f800000) & nonZero // ±1.0 or +0
		out[i] = math.Float32frombits(r&^isNaN | u&isNaN)
	}
}

// sign64 is sign32 for float64.
func sign64(x, out []float64) {
	out = out[:len(x)]
	for i, v := range x {
		u := math.Float64bits(v)
		abs := u & 0x7fffffffffffffff
		nonZero := -((abs + 0x7fffffffffffffff) >> 63)
		isNaN := -((0x7ff0000000000000 - abs) >> 63)
		r := ((u & 0x8000000000000000) | 0x3ff0000000000000) & nonZero
		out[i] = math.Float64frombits(r&^isNaN | u&isNaN)
	}
}
