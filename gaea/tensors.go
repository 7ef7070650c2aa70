package gaea

import (
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// tensorOf makes a float32 or float64 tensor of the given dims from float64 values.
func tensorOf(v []float64, dtype dtypes.DType, dims ...int) *tensors.Tensor {
	if dtype == dtypes.Float64 {
		return tensors.FromFlatDataAndDimensions(append([]float64(nil), v...), dims...)
	}
	f := make([]float32, len(v))
	for i, x := range v {
		f[i] = float32(x)
	}
	return tensors.FromFlatDataAndDimensions(f, dims...)
}

// rowsOf converts a rank-2 float32 or float64 tensor to rows of float64.
func rowsOf(t *tensors.Tensor) [][]float64 {
	dims := t.Shape().Dimensions
	rows, cols := dims[0], dims[1]
	out := make([][]float64, rows)
	var flat []float64
	switch v := t.Value().(type) {
	case [][]float32:
		for _, r := range v {
			for _, x := range r {
				flat = append(flat, float64(x))
			}
		}
	case [][]float64:
		for _, r := range v {
			flat = append(flat, r...)
		}
	}
	for i := range out {
		out[i] = flat[i*cols : (i+1)*cols]
	}
	return out
}
