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

func TestSignKernels(t *testing.T) {
	special := []float64{0, math.Copysign(0, -1), 1, -1, math.Inf(1), math.Inf(-1), math.NaN(), -math.NaN(),
		5e-324, -5e-324, 1e-45, -1e-45, math.MaxFloat64, -math.MaxFloat64, 0.5, -3}
	rng := rand.New(rand.NewSource(3))
	for i := 0; i < 1000; i++ {
		special = append(special, rng.NormFloat64()*math.Pow(10, float64(rng.Intn(20)-10)))
	}
	out64 := make([]float64, len(special))
	sign64(special, out64)
	in32 := make([]float32, len(special))
	for i, v := range special {
		in32[i] = float32(v)
	}
	out32 := make([]float32, len(special))
	sign32(in32, out32)
	for i, v := range special {
		want := refSign(v)
		if got := out64[i]; !(got == want || math.IsNaN(got) && math.IsNaN(want)) || math.Signbit(got) && want == 0 {
			t.Errorf("sign64(%v) = %v, want %v", v, got, want)
		}
		want32 := refSign(float64(in32[i]))
		if got := float64(out32[i]); !(got == want32 || math.IsNaN(got) && math.IsNaN(want32)) || math.Signbit(got) && want32 == 0 {
			t.Errorf("sign32(%v) = %v, want %v", in32[i], got, want32)
		}
	}
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
