package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
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

// forEachLevel runs f as a subtest under every kernel level this CPU
// supports (see supportedLevels), restoring kernelLevel afterwards.
func forEachLevel(t *testing.T, f func(t *testing.T)) {
	t.Helper()
	for _, l := range supportedLevels() {
		t.Run(l.String(), func(t *testing.T) {
			defer func(old level) { kernelLevel = old }(kernelLevel)
			kernelLevel = l
			f(t)
		})
	}
}

// gemmCase is one product with its inputs and the exact (float64) result.
type gemmCase[T float32 | float64] struct {
	v           variant
	s           shape
	acc         bool
	a, b, c0    []T
	lda, ldb    int
	ldc         int
	want, scale []float64 // m×n: reference and Σ|a||b| (+|C| if acc)
}

func newCase[T float32 | float64](v variant, s shape, acc bool) *gemmCase[T] {
	r := rand.New(rand.NewPCG(uint64(s.m*1000003+s.n*1009+s.k), uint64(v)))
	m, n, k := s.m, s.n, s.k
	tA := v == transA || v == serialTA
	tB := v == transB
	// Stored shapes.
	aRows, aCols := m, k
	if tA {
		aRows, aCols = k, m
	}
	bRows, bCols := k, n
	if tB {
		bRows, bCols = n, k
	}
	g := &gemmCase[T]{v: v, s: s, acc: acc, lda: aCols + s.padA, ldb: bCols + s.padB, ldc: n + s.padC}
	g.a = randSlice[T](r, (aRows-1)*g.lda+aCols)
	g.b = randSlice[T](r, (bRows-1)*g.ldb+bCols)
	g.c0 = randSlice[T](r, (m-1)*g.ldc+n+s.padC) // entries past column n must stay untouched
	if !acc {
		// Overwrite must not read C: NaNs there must not propagate.
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				g.c0[i*g.ldc+j] = T(math.NaN())
			}
		}
	}
	A := make([]float64, m*k) // A(i,p) at i*k+p
	for i := 0; i < m; i++ {
		for p := 0; p < k; p++ {
			if tA {
				A[i*k+p] = float64(g.a[p*g.lda+i])
			} else {
				A[i*k+p] = float64(g.a[i*g.lda+p])
			}
		}
	}
	B := make([]float64, k*n) // B(p,j) at j*k+p
	for p := 0; p < k; p++ {
		for j := 0; j < n; j++ {
			if tB {
				B[j*k+p] = float64(g.b[j*g.ldb+p])
			} else {
				B[j*k+p] = float64(g.b[p*g.ldb+j])
			}
		}
	}
	g.want = make([]float64, m*n)
	g.scale = make([]float64, m*n)
	for i := 0; i < m; i++ {
		ai := A[i*k : i*k+k]
		for j := 0; j < n; j++ {
			bj := B[j*k : j*k+k]
			var want, scale float64
			if acc {
				want = float64(g.c0[i*g.ldc+j])
				scale = math.Abs(want)
			}
			for p, x := range ai {
				x *= bj[p]
				want += x
				scale += math.Abs(x)
			}
			g.want[i*n+j], g.scale[i*n+j] = want, scale
		}
	}
	return g
}

// run computes the product into a fresh copy of C: with the public
// function for threads == 0, else with at most threads goroutines.
func (g *gemmCase[T]) run(threads int) []T {
	m, n, k := g.s.m, g.s.n, g.s.k
	c := append([]T(nil), g.c0...)
	if threads == 0 {
		f := [...]func(m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int, accumulate bool){
			plain: Gemm[T], transA: GemmTA[T], transB: GemmTB[T],
			serialPlain: GemmSerial[T], serialTA: GemmTASerial[T],
		}[g.v]
		f(m, n, k, g.a, g.lda, g.b, g.ldb, c, g.ldc, g.acc)
		return c
	}
	tA := g.v == transA || g.v == serialTA
	gemmThreads(threads, tA, g.v == transB, m, n, k, g.a, g.lda, g.b, g.ldb, c, g.ldc, g.acc)
	return c
}

// check compares c with the reference: |got-want| <= tol·Σ|a||b| per entry
// and the entries past column n unchanged.
func (g *gemmCase[T]) check(t *testing.T, c []T, tol float64, what string) {
	t.Helper()
	m, n := g.s.m, g.s.n
	errors := 0
	for i := 0; i < m; i++ {
		for j := 0; j < g.ldc; j++ {
			idx := i*g.ldc + j
			if idx >= len(c) {
				break
			}
			if j >= n {
				if c[idx] != g.c0[idx] {
					t.Fatalf("%s %v %+v acc=%v: padding C[%d][%d] modified", what, g.v, g.s, g.acc, i, j)
				}
				continue
			}
			got, want, scale := float64(c[idx]), g.want[i*n+j], g.scale[i*n+j]
			if !(math.Abs(got-want) <= tol*(scale+1e-30)) { // NaN fails
				errors++
				if errors <= 5 {
					t.Errorf("%s %v %+v acc=%v: C[%d][%d]=%g, want %g (scale %g)", what, g.v, g.s, g.acc, i, j, got, want, scale)
				}
			}
		}
	}
	if errors > 0 {
		t.Fatalf("%s %v %+v acc=%v: %d wrong elements", what, g.v, g.s, g.acc, errors)
	}
}

// checkGemm runs one product under every supported kernel level, with the
// public function (GOMAXPROCS goroutines) and with 1 and 7 goroutines,
// against the naive triple loop.
func checkGemm[T float32 | float64](t *testing.T, v variant, s shape, acc bool, tol float64) {
	t.Helper()
	g := newCase[T](v, s, acc)
	threads := []int{0, 1, 7}
	if v == serialPlain || v == serialTA {
		threads = []int{0}
	}
	defer func(old level) { kernelLevel = old }(kernelLevel)
	for _, l := range supportedLevels() {
		kernelLevel = l
		for _, th := range threads {
			g.check(t, g.run(th), tol, fmt.Sprintf("%v threads=%d", l, th))
		}
	}
}

var variants = []variant{plain, transA, transB, serialPlain, serialTA}

const (
	tol32 = 2e-5
	tol64 = 1e-12
)

func TestGemm(t *testing.T) {
	t.Logf("kernel levels on this CPU: %v (default %v)", supportedLevels(), kernelLevel)
	for _, v := range variants {
		for _, s := range testShapes {
			for _, acc := range []bool{false, true} {
				checkGemm[float32](t, v, s, acc, tol32)
				checkGemm[float64](t, v, s, acc, tol64)
			}
		}
	}
}

// TestOddSizes covers every (m, n, k) from a set of sizes around and off the
// micro-tile sizes (mr ∈ {4, 6, 14, 16}, nr ∈ {4, 8, 16, 32}), with row
// strides larger than the widths for some of them.
func TestOddSizes(t *testing.T) {
	sizes := []int{1, 2, 5, 13, 31, 33, 47, 65, 130}
	if testing.Short() {
		sizes = []int{1, 5, 13, 33, 65}
	}
	for _, v := range variants {
		for _, m := range sizes {
			for _, n := range sizes {
				for _, k := range sizes {
					pad := (m + 2*n + 3*k) % 4 // 0…3, varies over the combinations
					s := shape{m, n, k, pad, (pad + 1) % 4, (pad + 2) % 4}
					acc := (m+n+k)%2 == 0
					checkGemm[float32](t, v, s, acc, tol32)
					checkGemm[float64](t, v, s, !acc, tol64)
				}
			}
		}
	}
}

// levelKernels returns the distinct micro-kernels of level l (AVX-512 has a
// narrow and a wide one).
func levelKernels[T float32 | float64](l level) []*kernel[T] {
	defer func(old level) { kernelLevel = old }(kernelLevel)
	kernelLevel = l
	var ks []*kernel[T]
	for _, n := range []int{1, 1 << 20} {
		k := getKernel[T](n)
		if len(ks) == 0 || ks[len(ks)-1] != k {
			ks = append(ks, k)
		}
	}
	return ks
}

// TestMicroKernels calls every micro-kernel the CPU supports directly, with
// packed and in-place A, against the naive product; the C tile sits in a
// wider matrix whose other entries must stay untouched.
func TestMicroKernels(t *testing.T) {
	for _, l := range supportedLevels() {
		for _, k := range levelKernels[float32](l) {
			t.Run(fmt.Sprintf("f32/%v/%dx%d", l, k.mr, k.nr), func(t *testing.T) { checkKernel(t, k, tol32) })
		}
		for _, k := range levelKernels[float64](l) {
			t.Run(fmt.Sprintf("f64/%v/%dx%d", l, k.mr, k.nr), func(t *testing.T) { checkKernel(t, k, tol64) })
		}
	}
}

func checkKernel[T float32 | float64](t *testing.T, kern *kernel[T], tol float64) {
	mr, nr := kern.mr, kern.nr
	r := rand.New(rand.NewPCG(uint64(mr), uint64(nr)))
	for _, kc := range []int{1, 2, 3, 7, 64, 257} {
		for _, packed := range []bool{true, false} {
			for _, acc := range []bool{false, true} {
				rs, cs := 1, mr // packed micro-panel
				if !packed {
					rs, cs = kc+3, 1 // row-major A read in place
				}
				a := randSlice[T](r, (mr-1)*rs+(kc-1)*cs+1)
				b := randSlice[T](r, kc*nr)
				ldc := nr + 5
				c := randSlice[T](r, (mr+2)*ldc)
				tile := c[ldc+2:] // rows 1…mr, columns 2…nr+1
				orig := append([]T(nil), c...)
				if !acc {
					for i := 0; i < mr; i++ {
						for j := 0; j < nr; j++ {
							tile[i*ldc+j] = T(math.NaN())
						}
					}
				}
				kern.fn(kc, a, rs, cs, b, tile, ldc, acc)
				for idx := range c {
					i, j := idx/ldc-1, idx%ldc-2
					if i < 0 || i >= mr || j < 0 || j >= nr {
						if c[idx] != orig[idx] {
							t.Fatalf("kc=%d packed=%v acc=%v: C outside the tile modified at %d", kc, packed, acc, idx)
						}
						continue
					}
					var want, scale float64
					if acc {
						want = float64(orig[idx])
						scale = math.Abs(want)
					}
					for p := 0; p < kc; p++ {
						x := float64(a[i*rs+p*cs]) * float64(b[p*nr+j])
						want += x
						scale += math.Abs(x)
					}
					if got := float64(c[idx]); !(math.Abs(got-want) <= tol*(scale+1e-30)) {
						t.Fatalf("kc=%d packed=%v acc=%v: C[%d][%d]=%g, want %g", kc, packed, acc, i, j, got, want)
					}
				}
			}
		}
	}
}

// TestDeterminism: for a fixed GOMAXPROCS the same call gives bit-identical
// results (the work split, and so the summation order, depends only on the
// sizes and the thread count).
func TestDeterminism(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	shapes := []struct {
		v variant
		s shape
	}{
		{plain, shape{4096, 16, 144, 0, 0, 0}},  // split over m
		{plain, shape{40, 1100, 70, 0, 0, 0}},   // split over n
		{transA, shape{144, 16, 8192, 0, 0, 0}}, // split over k, with reduction
		{transB, shape{300, 33, 130, 1, 2, 3}},  // odd sizes
		{serialPlain, shape{65, 47, 31, 0, 0, 0}},
	}
	forEachLevel(t, func(t *testing.T) {
		for _, x := range shapes {
			for _, acc := range []bool{false, true} {
				g32 := newCase[float32](x.v, x.s, acc)
				if c1, c2 := g32.run(0), g32.run(0); !bitsEqual(c1, c2) {
					t.Errorf("float32 %v %+v acc=%v: two calls differ", x.v, x.s, acc)
				}
				g64 := newCase[float64](x.v, x.s, acc)
				if c1, c2 := g64.run(0), g64.run(0); !bitsEqual(c1, c2) {
					t.Errorf("float64 %v %+v acc=%v: two calls differ", x.v, x.s, acc)
				}
			}
		}
	})
}

func bitsEqual[T float32 | float64](x, y []T) bool {
	for i := range x {
		if math.Float64bits(float64(x[i])) != math.Float64bits(float64(y[i])) {
			return false
		}
	}
	return len(x) == len(y)
}

// TestLevels: the default level is the best supported one (or the one
// GAEA_GEMM_KERNEL names), levels are selected by name, an unsupported name
// is refused, and at AVX-512 the narrow kernel is used exactly when n needs
// an odd number (< 8) of vectors.
func TestLevels(t *testing.T) {
	levels := supportedLevels()
	want := levels[len(levels)-1]
	if v := os.Getenv(EnvVar); v != "" {
		want, _ = parseLevel(v)
	}
	if levels[0] != levelGo || kernelLevel != want {
		t.Fatalf("levels %v, default %v", levels, kernelLevel)
	}
	defer func(old level) { kernelLevel = old }(kernelLevel)
	for _, name := range Levels() {
		if err := SetLevel(name); err != nil || Level() != name {
			t.Errorf("SetLevel(%q): %v, level now %s", name, err, Level())
		}
	}
	for _, bad := range []string{"", "sse", "AVX2", "avx1024"} {
		if err := SetLevel(bad); err == nil {
			t.Errorf("SetLevel(%q) accepted", bad)
		}
	}
	for _, c := range []struct {
		n, w   int
		narrow bool
	}{{1, 16, true}, {16, 16, true}, {17, 16, false}, {32, 16, false}, {33, 16, true},
		{48, 16, true}, {64, 16, false}, {8, 8, true}, {16, 8, false}, {40, 8, true}, {56, 8, true}, {120, 8, false}} {
		if got := narrowFor(c.n, c.w); got != c.narrow {
			t.Errorf("narrowFor(%d, %d) = %v", c.n, c.w, got)
		}
	}
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
	// im2col GEMMs of our conv nets (rows = batch·pixels, n = output
	// channels, k = 3·3·input channels).
	{"conv", plain, 4096, 16, 144},
	{"conv", plain, 1024, 32, 288},
	{"conv", plain, 4096, 8, 72},
	{"conv", plain, 256, 64, 576},
	// Larger training-time shapes.
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

// BenchmarkGemm: f32|f64 / shape / kernel level, e.g. compare AVX2 with
// AVX-512 on the conv shapes, one goroutine:
//
//	go test -run '^$' -bench 'Gemm/f32/conv' -cpu 1 ./backend/internal/gemm
func BenchmarkGemm(b *testing.B) {
	levels := supportedLevels()
	for _, typ := range []string{"f32", "f64"} {
		for _, s := range benchShapes {
			name := fmt.Sprintf("%s/%s_m%dn%dk%d", typ, s.name, s.m, s.n, s.k)
			for _, l := range levels {
				b.Run(name+"/"+l.String(), func(b *testing.B) {
					defer func(old level) { kernelLevel = old }(kernelLevel)
					kernelLevel = l
					if typ == "f32" {
						benchGemm[float32](b, s)
					} else {
						benchGemm[float64](b, s)
					}
				})
			}
		}
	}
}

// TestNarrowWideSameBits: a level's narrow and wide kernels (AVX2 12×8 and 6×16, AVX-512 16×16 and
// 14×32, …) give the same bits for any product: each C element is one FMA chain in p order per kc
// block (the same kc for both), then added to C. Run through the blocked driver with k over two kc
// blocks, transposed A and B, and accumulation, on sizes that leave partial tiles on both sides, and
// through the parallel dispatch at several thread counts (whose choice of split must not depend on the
// kernel: m = 40, n = 24, k = 600 at 2 threads split the reduction with the 12×8 kernel and the rows
// with 6×16 before dispatchTile).
func TestNarrowWideSameBits(t *testing.T) {
	for _, l := range supportedLevels() {
		ks32, ks64 := levelKernels[float32](l), levelKernels[float64](l)
		if len(ks32) == 2 {
			t.Run(fmt.Sprintf("f32/%v", l), func(t *testing.T) { checkSameBits(t, ks32[0], ks32[1]) })
		}
		if len(ks64) == 2 {
			t.Run(fmt.Sprintf("f64/%v", l), func(t *testing.T) { checkSameBits(t, ks64[0], ks64[1]) })
		}
	}
}

func checkSameBits[T float32 | float64](t *testing.T, k1, k2 *kernel[T]) {
	if k1.kc != k2.kc {
		t.Fatalf("%dx%d and %dx%d block k differently (%d, %d): their sums would differ", k1.mr, k1.nr, k2.mr, k2.nr, k1.kc, k2.kc)
	}
	r := rand.New(rand.NewPCG(7, 11))
	for _, m := range []int{1, 13, 40, 70, 200} {
		for _, n := range []int{1, 8, 10, 24, 33} {
			for _, k := range []int{1, 72, 2*k1.kc + 5, 600, 4608} {
				for _, tr := range [][2]bool{{false, false}, {true, false}, {false, true}} {
					for _, acc := range []bool{false, true} {
						a := randSlice[T](r, m*k)
						b := randSlice[T](r, k*n)
						c0 := randSlice[T](r, m*n)
						lda, ldb := k, n
						if tr[0] {
							lda = m
						}
						if tr[1] {
							ldb = k
						}
						for _, threads := range []int{1, 2, 3, 16} {
							var outs [2][]T
							for i, kern := range []*kernel[T]{k1, k2} {
								c := append([]T(nil), c0...)
								parallelGemm(kern, threads, problem[T]{m: m, n: n, k: k, a: a, lda: lda, transA: tr[0], b: b, ldb: ldb, transB: tr[1], c: c, ldc: n, acc: acc})
								outs[i] = c
							}
							if !bitsEqual(outs[0], outs[1]) {
								t.Errorf("m=%d n=%d k=%d trans=%v acc=%v threads=%d: %dx%d and %dx%d differ", m, n, k, tr, acc, threads, k1.mr, k1.nr, k2.mr, k2.nr)
							}
						}
					}
				}
			}
		}
	}
}
