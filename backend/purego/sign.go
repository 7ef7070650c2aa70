package purego

import (
	"github.com/gaeanas/gaeanas/backend/internal/vec"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
)

// Sign implements backends.Builder. GoMLX's autodiff of ReLU and Max builds masks out of Sign, and
// simplego's Sign branches on every element, which mispredicts half the time on activations: for
// float32/float64 purego runs vec.Sign over the cores (branch-free; AVX2 where the CPU has it; a NaN
// stays NaN, as in XLA); other dtypes go to simplego.
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
			parallelFor(len(src), 1<<15, func(lo, hi int) { vec.Sign(dst[lo:hi], src[lo:hi]) })
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
		parallelFor(len(src), 1<<15, func(lo, hi int) { vec.Sign(dst[lo:hi], src[lo:hi]) })
		return []backends.Buffer{buf}, nil
	})
}

// signMinSize: smaller tensors stay in simplego (no stage split for them).
const signMinSize = 1 << 14
