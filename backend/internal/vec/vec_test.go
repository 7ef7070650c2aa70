package vec

import (
	"math"
	"math/rand/v2"
	"testing"
)

// specials are the values whose results differ most between implementations: signed zeros,
// subnormals, the extremes, infinities and NaNs with payloads and both signs.
var specials = []float32{0, float32(math.Copysign(0, -1)), 1, -1, 1e-45, -1e-45, 1.1754942e-38, 1.1754944e-38,
	math.MaxFloat32, -math.MaxFloat32, float32(math.Inf(1)), float32(math.Inf(-1)),
	math.Float32frombits(0x7FC00000), math.Float32frombits(0xFFC00001), math.Float32frombits(0x7FA00000), 3, 0.1}

// values returns n floats: random bit patterns, ordinary numbers and the specials.
func values(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		switch r.IntN(3) {
		case 0:
			s[i] = math.Float32frombits(r.Uint32())
		case 1:
			s[i] = float32(r.NormFloat64())
		default:
			s[i] = specials[r.IntN(len(specials))]
		}
	}
	return s
}

// sameBits: equal bits, except that two NaNs count as equal: with NaNs on both sides of an
// operation, x86 returns the first source's, and Go's compiler may swap the operands of + and ·
// (two Go loops over the same expression already differ there).
func sameBits(t *testing.T, what string, got, want []float32) {
	t.Helper()
	for i := range want {
		if g, w := got[i], want[i]; math.Float32bits(g) != math.Float32bits(w) && !(g != g && w != w) {
			t.Fatalf("%s: element %d of %d: %v (%#08x), want %v (%#08x)", what, i, len(want), got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
		}
	}
}

func scalar(op Op, x, y float32) float32 {
	switch op {
	case Add:
		return x + y
	case Sub:
		return x - y
	case Mul:
		return x * y
	}
	return x / y
}

// TestSameBitsAsGo: every loop gives the scalar Go expression's bits, at every length from 0 to 100
// (the 32-, 8- and 1-element parts), for every operation, with the specials on both sides.
func TestSameBitsAsGo(t *testing.T) {
	if !Accelerated() {
		t.Log("no AVX2 here: the Go loops are checked against themselves")
	}
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n <= 100; n++ {
		x, y := values(r, n), values(r, n)
		s := specials[n%len(specials)]
		for _, op := range []Op{Add, Sub, Mul, Div} {
			want := make([]float32, n)
			got := make([]float32, n)
			for i := range want {
				want[i] = scalar(op, x[i], y[i])
			}
			VV(op, got, x, y)
			sameBits(t, "VV", got, want)
			for i := range want {
				want[i] = scalar(op, x[i], s)
			}
			VS(op, got, x, s)
			sameBits(t, "VS", got, want)
			for i := range want {
				want[i] = scalar(op, s, y[i])
			}
			SV(op, got, s, y)
			sameBits(t, "SV", got, want)
		}
		acc := values(r, n)
		want := make([]float32, n)
		got := append([]float32(nil), acc...)
		for i := range want {
			want[i] = acc[i] + x[i]*y[i]
		}
		MulAdd(got, x, y)
		sameBits(t, "MulAdd", got, want)
		for i := range want {
			var m float32
			if y[i] > 0 {
				m = 1
			}
			want[i] = x[i] * m
		}
		ReLUMul(got, x, y)
		sameBits(t, "ReLUMul", got, want)
	}
}

// TestInPlace: d may be an operand, and elements past len(d) are not touched.
func TestInPlace(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	x, y := values(r, 77), values(r, 77)
	want := make([]float32, 77)
	for i := range want {
		want[i] = x[i] * y[i]
	}
	want[70], want[71] = x[70], x[71]
	d := append([]float32(nil), x...)
	VV(Mul, d[:70], d, y)
	want = append(want[:72], x[72:]...)
	for i := 72; i < 77; i++ {
		want[i] = x[i]
	}
	sameBits(t, "in place", d, want)
}

func BenchmarkMulVV(b *testing.B) {
	r := rand.New(rand.NewPCG(5, 6))
	x, y := make([]float32, 1<<19), make([]float32, 1<<19)
	for i := range x {
		x[i], y[i] = float32(r.NormFloat64()), float32(r.NormFloat64())
	}
	d := make([]float32, len(x))
	b.Run("asm", func(b *testing.B) {
		for b.Loop() {
			VV(Mul, d, x, y)
		}
	})
	b.Run("go", func(b *testing.B) {
		for b.Loop() {
			for i := range d {
				d[i] = x[i] * y[i]
			}
		}
	})
}
