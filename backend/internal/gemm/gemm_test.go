package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"
)

type shape struct {
	m, n, k          int
	padA, padB, padC int // extra elements per row beyond the width
}

var testShapes = []shape{
	{1, 1, 1, 0, 0, 0},
	{1, 1, 7, 0, 0, 0},
	{1, 5, 1, 0, 0, 0},
	{3, 1, 2, 1, 2, 3},
	{2, 3, 4, 0, 0, 0},
	{5, 7, 3, 2, 1, 4},
	{6, 16, 9, 0, 0, 0},
	{7, 17, 13, 3, 5, 2},
	{12, 32, 20, 0, 0, 0},
	{13, 33, 31, 1, 1, 1},
	{31, 15, 257, 0, 3, 0},
	{150, 40, 300, 5, 0, 7},
	{1024, 10, 64, 0, 0, 0},
	{2000, 16, 27, 0, 0, 0},
	{1500, 16, 144, 0, 0, 0},
	{144, 16, 3000, 0, 0, 0},
	{27, 16, 5000, 1, 2, 3},
	{2000, 144, 16, 0, 0, 0},
	{300, 64, 576, 0, 0, 0},
	{40, 1100, 70, 0, 0, 0},
	{8, 600, 40, 0, 0, 0},
	{100, 100, 600, 3, 3, 3},
}

type variant int

const (
	plain variant = iota
	transA
	transB
	serialPlain // GemmSerial
	serialTA    // GemmTASerial
)

func (v variant) String() string {
	return [...]string{"Gemm", "GemmTA", "GemmTB", "GemmSerial", "GemmTASerial"}[v]
}

func randSlice[T float32 | float64](r *rand.Rand, n int) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = T(r.Float64()*2 - 1)
	}
	return s
}

func checkGemm[T float32 | float64](t *testing.T, v variant, s shape, acc bool, tol float64) {
	t.Helper()
	r := rand.New(rand.NewPCG(uint64(s.m*1000003+s.n*1009+s.k), uint64(v)))
	m, n, k := s.m, s.n, s.k
	// Stored shapes.
	aRows, aCols := m, k
	if v == transA || v == serialTA {
		aRows, aCols = k, m
	}
	bRows, bCols := k, n
	if v == transB {
		bRows, bCols = n, k
	}
	lda, ldb, ldc := aCols+s.padA, bCols+s.padB, n+s.padC
	a := randSlice[T](r, (aRows-1)*lda+aCols)
	b := randSlice[T](r, (bRows-1)*ldb+bCols)
	c := randSlice[T](r, (m-1)*ldc+n+s.padC) // extra trailing elements must be untouched
	orig := append([]T(nil), c...)
	A := func(i, p int) float64 {
		if v == transA || v == serialTA {
			return float64(a[p*lda+i])
		}
		return float64(a[i*lda+p])
	}
	B := func(p, j int) float64 {
		if v == transB {
			return float64(b[j*ldb+p])
		}
		return float64(b[p*ldb+j])
	}
	switch v {
	case plain:
		Gemm(m, n, k, a, lda, b, ldb, c, ldc, acc)
	case transA:
		GemmTA(m, n, k, a, lda, b, ldb, c, ldc, acc)
	case transB:
		GemmTB(m, n, k, a, lda, b, ldb, c, ldc, acc)
	case serialPlain:
		GemmSerial(m, n, k, a, lda, b, ldb, c, ldc, acc)
	case serialTA:
		GemmTASerial(m, n, k, a, lda, b, ldb, c, ldc, acc)
	}
	errors := 0
	for i := 0; i < m; i++ {
		for j := 0; j < ldc; j++ {
			idx := i*ldc + j
			if idx >= len(c) {
				break
			}
			if j >= n {
				if c[idx] != orig[idx] {
					t.Fatalf("%v %+v acc=%v: padding C[%d][%d] modified", v, s, acc, i, j)
				}
				continue
			}
			var want, scale float64
			if acc {
				want = float64(orig[idx])
				scale = math.Abs(want)
			}
			for p := 0; p < k; p++ {
				x := A(i, p) * B(p, j)
				want += x
				scale += math.Abs(x)
			}
			got := float64(c[idx])
			if math.Abs(got-want) > tol*(scale+1e-30) {
				errors++
				if errors <= 5 {
					t.Errorf("%v %+v acc=%v: C[%d][%d]=%g, want %g (scale %g)", v, s, acc, i, j, got, want, scale)
				}
			}
		}
	}
	if errors > 0 {
		t.Fatalf("%v %+v acc=%v: %d wrong elements", v, s, acc, errors)
	}
}

func runAll(t *testing.T) {
	for _, v := range []variant{plain, transA, transB, serialPlain, serialTA} {
		for _, s := range testShapes {
			for _, acc := range []bool{false, true} {
				checkGemm[float32](t, v, s, acc, 2e-5)
				checkGemm[float64](t, v, s, acc, 1e-12)
			}
		}
	}
}

func TestGemm(t *testing.T) {
	if !hasAsm {
		t.Log("assembly kernels not available on this CPU/architecture; testing pure Go only")
	}
	t.Run("default", runAll)
	t.Run("pureGo", func(t *testing.T) {
		defer func(old bool) { useAsm = old }(useAsm)
		useAsm = false
		runAll(t)
	})
	t.Run("serial", func(t *testing.T) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
		runAll(t)
	})
	t.Run("manyThreads", func(t *testing.T) {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(7))
		runAll(t)
	})
}

func TestZeroSizes(t *testing.T) {
	c := []float32{1, 2, 3, 4}
	Gemm(2, 2, 0, nil, 0, nil, 2, c, 2, true)
	if c[0] != 1 || c[3] != 4 {
		t.Fatalf("k=0 accumulate modified C: %v", c)
	}
	Gemm(2, 2, 0, nil, 0, nil, 2, c, 2, false)
	for _, x := range c {
		if x != 0 {
			t.Fatalf("k=0 did not zero C: %v", c)
		}
	}
	Gemm[float64](0, 3, 4, nil, 4, make([]float64, 12), 3, nil, 3, false)
	Gemm[float64](3, 0, 4, make([]float64, 12), 4, nil, 0, nil, 0, false)
}

func TestPanics(t *testing.T) {
	expectPanic := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s: expected panic", name)
			}
		}()
		f()
	}
	a, b, c := make([]float32, 6), make([]float32, 6), make([]float32, 4)
	expectPanic("short A", func() { Gemm(2, 2, 4, a, 4, b, 2, c, 2, false) })
	expectPanic("short C", func() { Gemm(2, 3, 3, a, 3, make([]float32, 9), 3, c, 3, false) })
	expectPanic("bad ldb", func() { Gemm(2, 2, 3, a, 3, b, 1, c, 2, false) })
	expectPanic("short B TB", func() { GemmTB(2, 2, 4, make([]float32, 8), 4, b, 4, c, 2, false) })
}

type benchShape struct {
	name    string
	v       variant
	m, n, k int
}

var benchShapes = []benchShape{
	{"fwd_k144", plain, 65536, 16, 144},
	{"fwd_k27", plain, 65536, 16, 27},
	{"fwd_n96_k864", plain, 16384, 96, 864},
	{"kgrad_TA", transA, 144, 16, 65536},
	{"igrad_TB", transB, 65536, 144, 16},
	{"igrad", plain, 65536, 144, 16},
	{"mid", plain, 4096, 64, 576},
	{"small", plain, 1024, 10, 64},
	{"square512", plain, 512, 512, 512},
}

func benchGemm[T float32 | float64](b *testing.B, s benchShape) {
	r := rand.New(rand.NewPCG(1, 2))
	a := randSlice[T](r, s.m*s.k)
	bb := randSlice[T](r, s.k*s.n)
	c := make([]T, s.m*s.n)
	lda, ldb := s.k, s.n
	if s.v == transA {
		lda = s.m
	}
	if s.v == transB {
		ldb = s.k
	}
	f := Gemm[T]
	switch s.v {
	case transA:
		f = GemmTA[T]
	case transB:
		f = GemmTB[T]
	}
	b.ResetTimer()
	for b.Loop() {
		f(s.m, s.n, s.k, a, lda, bb, ldb, c, s.n, false)
	}
	flops := 2 * float64(s.m) * float64(s.n) * float64(s.k) * float64(b.N)
	b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func BenchmarkGemm(b *testing.B) {
	for _, s := range benchShapes {
		name := fmt.Sprintf("%s_%dx%dx%d", s.name, s.m, s.n, s.k)
		b.Run("f32/"+name, func(b *testing.B) { benchGemm[float32](b, s) })
	}
	for _, s := range benchShapes {
		name := fmt.Sprintf("%s_%dx%dx%d", s.name, s.m, s.n, s.k)
		b.Run("f64/"+name, func(b *testing.B) { benchGemm[float64](b, s) })
	}
	if hasAsm {
		for _, s := range benchShapes[:3] {
			name := fmt.Sprintf("%s_%dx%dx%d", s.name, s.m, s.n, s.k)
			b.Run("f32_purego/"+name, func(b *testing.B) {
				defer func(old bool) { useAsm = old }(useAsm)
				useAsm = false
				benchGemm[float32](b, s)
			})
		}
	}
}
