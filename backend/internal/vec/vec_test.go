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
	case Max:
		return max(x, y)
	case Min:
		return min(x, y)
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
		for _, op := range []Op{Add, Sub, Mul, Div, Max, Min} {
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
		for i := range want { // GoMLX's chain for Max(y, 0)'s gradient: x·sign(sign(y − 0) + 1)
			s, u := []float32{y[i] - 0}, []float32{0}
			sign32(u, s)
			u[0]++
			sign32(s, u)
			want[i] = x[i] * s[0]
		}
		NonNegMul(got, x, y)
		sameBits(t, "NonNegMul", got, want)
		sign32(want, x)
		Sign(got, x)
		for i := range want { // exact, NaN payloads too: Sign returns a NaN operand itself
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("Sign: element %d of %d: sign(%#08x) = %#08x, want %#08x", i, n, math.Float32bits(x[i]), math.Float32bits(got[i]), math.Float32bits(want[i]))
			}
		}
	}
}

// TestSignValues checks sign32 itself against its definition: ±1 with the sign bit, +0 for ±0, the
// NaN operand unchanged.
func TestSignValues(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	x := append(values(r, 1000), specials...)
	d := make([]float32, len(x))
	sign32(d, x)
	d64 := make([]float64, len(x))
	x64 := make([]float64, len(x))
	for i, v := range x {
		x64[i] = float64(v)
	}
	Sign(d64, x64)
	// Float64 values no float32 holds: the smallest subnormals, the extremes, a NaN payload.
	for _, v := range []float64{5e-324, -5e-324, math.MaxFloat64, -math.MaxFloat64, math.Float64frombits(0x7FF0000000000001)} {
		got := make([]float64, 1)
		Sign(got, []float64{v})
		want := math.Copysign(1, v)
		if v != v {
			want = v
		}
		if math.Float64bits(got[0]) != math.Float64bits(want) {
			t.Errorf("sign64(%v = %#016x) = %#016x, want %#016x", v, math.Float64bits(v), math.Float64bits(got[0]), math.Float64bits(want))
		}
	}
	for i, v := range x {
		var want float32
		switch {
		case v != v:
			want = v
		case v > 0:
			want = 1
		case v < 0:
			want = -1
		}
		if math.Float32bits(d[i]) != math.Float32bits(want) {
			t.Fatalf("sign32(%v = %#08x) = %v (%#08x), want %v", v, math.Float32bits(v), d[i], math.Float32bits(d[i]), want)
		}
		if w64 := float64(want); math.Float64bits(d64[i]) != math.Float64bits(w64) && !(v != v && d64[i] != d64[i]) {
			t.Fatalf("sign64(%v) = %v, want %v", x64[i], d64[i], w64)
		}
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

// TestNonNegMul64: the float64 loop gives GoMLX's chain a·sign(sign(x − 0) + 1) in float64, on the
// specials (every pair) and random values.
func TestNonNegMul64(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	var a, x []float64
	for _, u := range specials {
		for _, v := range specials {
			a, x = append(a, float64(u)), append(x, float64(v))
		}
	}
	for _, v := range values(r, 500) {
		a, x = append(a, r.NormFloat64()), append(x, float64(v))
	}
	got := make([]float64, len(x))
	NonNegMul(got, a, x)
	for i := range x {
		s, u := []float64{x[i] - 0}, []float64{0}
		sign64(u, s)
		u[0]++
		sign64(s, u)
		w := a[i] * s[0]
		if g := got[i]; math.Float64bits(g) != math.Float64bits(w) && !(g != g && w != w) {
			t.Fatalf("NonNegMul(%v, %v) = %v, want %v", a[i], x[i], g, w)
		}
	}
}
