package purego

import (
	"unsafe"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// fastConvertDType runs ConvertDType from Bool to Float32/Float64 for tensors of at least fastMinSize
// elements: simplego branches on every element, which mispredicts half the time on a ReLU mask
// (spaces.ReLU multiplies by [x > 0]); this kernel converts each bool's byte (0 or 1) without a branch,
// on every core. The values are exactly simplego's (0 or 1).
func (b *Builder) fastConvertDType(x backends.Op, dtype dtypes.DType) (backends.Op, bool, error) {
	xs, err := shapeOf(b, x)
	if err != nil || xs.DType != dtypes.Bool || !floatDType(dtype) || xs.Size() < fastMinSize {
		return nil, false, nil
	}
	out := shapes.Make(dtype, xs.Dimensions...)
	res, err := b.custom1("ConvertDType", []backends.Op{x}, out, func(be *Backend, in []backends.Buffer) ([]backends.Buffer, error) {
		src, err := flatOf[bool](be, in[0])
		if err != nil {
			return nil, err
		}
		if dtype == dtypes.Float32 {
			return convertBool[float32](be, src, out)
		}
		return convertBool[float64](be, src, out)
	})
	return res, true, err
}

func convertBool[T float32 | float64](be *Backend, src []bool, out shapes.Shape) ([]backends.Buffer, error) {
	buf, dst, err := newBuffer[T](be, out)
	if err != nil {
		return nil, err
	}
	parallelFor(len(src), 1<<15, func(lo, hi int) {
		s, d := src[lo:hi], dst[lo:hi]
		d = d[:len(s)]
		for i := range s {
			// A Go bool is one byte holding 0 or 1.
			d[i] = T(*(*uint8)(unsafe.Pointer(&s[i])))
		}
	})
	return []backends.Buffer{buf}, nil
}
