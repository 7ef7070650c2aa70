package purego

import (
	"math"
	"math/rand"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

func refSign(v float64) float64 {
	switch {
	case math.IsNaN(v):
		return math.NaN()
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// TestSignOp checks the op on the backend, on a tensor large enough for the Go kernel, in both dtypes.
func TestSignOp(t *testing.T) {
	rng := rand.New(rand.NewSource(4))
	n := signMinSize * 3
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
		if i%97 == 0 {
			v[i] = 0
		}
	}
	res := graph.MustExecOnce(New(), graph.Sign, tensors.FromFlatDataAndDimensions(v, n))
	got := tensors.MustCopyFlatData[float64](res)
	for i := range v {
		if got[i] != refSign(v[i]) {
			t.Fatalf("float64 Sign(%v) = %v", v[i], got[i])
		}
	}
	v32 := make([]float32, n)
	for i := range v {
		v32[i] = float32(v[i])
	}
	res32 := graph.MustExecOnce(New(), graph.Sign, tensors.FromFlatDataAndDimensions(v32, 3, n/3))
	got32 := tensors.MustCopyFlatData[float32](res32)
	for i := range v32 {
		if float64(got32[i]) != refSign(float64(v32[i])) {
			t.Fatalf("float32 Sign(%v) = %v", v32[i], got32[i])
		}
	}
}
