// Package gemm implements fast row-major dense matrix multiplication (GEMM)
// for float32 and float64.
//
// The implementation follows the classic blocked approach: the k dimension is
// split in blocks of kc, the B operand is packed into kc×nr micro-panels, the
// A operand is optionally packed into mr×kc micro-panels (or read in place
// when it will not be reused), and a register-blocked micro-kernel computes
// mr×nr tiles of C. On amd64 with AVX2+FMA an assembly micro-kernel is used;
// elsewhere a pure-Go kernel is used.
//
// Large problems are split across up to runtime.GOMAXPROCS(0) goroutines:
// over rows of C when m is large, over columns when n is large, and over k
// (with a final reduction of partial results) when both m and n are small.
//
// All functions are safe for concurrent use. C must not overlap A or B.
// With accumulate=false, C is overwritten without being read (NaNs in C do
// not propagate).
package gemm

import (
	"fmt"
	"github.com/gaeanas/gaeanas/backend/internal/parallel"
	"runtime"
)

// Gemm computes C = A·B (accumulate=false) or C += A·B (accumulate=true).
// A is m×k with row stride lda, B is k×n with row stride ldb, C is m×n with
// row stride ldc; all row-major.
// It uses up to runtime.GOMAXPROCS(0) goroutines for large problems and none
// for tiny ones.
func Gemm[T float32 | float64](m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int, accumulate bool) {
	gemm(false, false, m, n, k, a, lda, b, ldb, c, ldc, accumulate)
}

// GemmTA computes C (+)= Aᵀ·B where A is stored k×m (row stride lda).
// B is k×n (row stride ldb) and C is m×n (row stride ldc), all row-major.
func GemmTA[T float32 | float64](m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int, accumulate bool) {
	gemm(true, false, m, n, k, a, lda, b, ldb, c, ldc, accumulate)
}

// GemmTB computes C (+)= A·Bᵀ where B is stored n×k (row stride ldb).
// A is m×k (row stride lda) and C is m×n (row stride ldc), all row-major.
func GemmTB[T float32 | float64](m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int, accumulate bool) {
	gemm(false, true, m, n, k, a, lda, b, ldb, c, ldc, accumulate)
}

// checkOperand panics if a rows×cols row-major matrix with stride ld does not
// fit in a slice of length size.
func checkOperand(name string, rows, cols, ld, size int) {
	if rows <= 0 || cols <= 0 {
		return
	}
	if ld < cols {
		panic(fmt.Sprintf("gemm: %s has %d columns but row stride %d", name, cols, ld))
	}
	if need := (rows-1)*ld + cols; size < need {
		panic(fmt.Sprintf("gemm: %s is %d×%d with row stride %d: needs %d elements, slice has %d", name, rows, cols, ld, need, size))
	}
}

// GemmSerial is Gemm on the calling goroutine only: for callers that already spread their work
// over the cores (e.g. one small GEMM per worker).
func GemmSerial[T float32 | float64](m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int, accumulate bool) {
	gemmThreads(1, false, false, m, n, k, a, lda, b, ldb, c, ldc, accumulate)
}

// GemmTASerial is GemmTA on the calling goroutine only.
func GemmTASerial[T float32 | float64](m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int, accumulate bool) {
	gemmThreads(1, true, false, m, n, k, a, lda, b, ldb, c, ldc, accumulate)
}

// minWorkPerThread is the minimum number of multiply-adds (m·n·k) given to
// each goroutine.
const minWorkPerThread = 1 << 18

func gemm[T float32 | float64](transA, transB bool, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int, acc bool) {
	gemmThreads(runtime.GOMAXPROCS(0), transA, transB, m, n, k, a, lda, b, ldb, c, ldc, acc)
}

func gemmThreads[T float32 | float64](maxThreads int, transA, transB bool, m, n, k int, a []T, lda int, b []T, ldb int, c []T, ldc int, acc bool) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("gemm: negative dimension m=%d n=%d k=%d", m, n, k))
	}
	if transA {
		checkOperand("A (transposed, k×m)", k, m, lda, len(a))
	} else {
		checkOperand("A (m×k)", m, k, lda, len(a))
	}
	if transB {
		checkOperand("B (transposed, n×k)", n, k, ldb, len(b))
	} else {
		checkOperand("B (k×n)", k, n, ldb, len(b))
	}
	checkOperand("C (m×n)", m, n, ldc, len(c))
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		if !acc {
			for i := 0; i < m; i++ {
				clear(c[i*ldc : i*ldc+n])
			}
		}
		return
	}
	p := problem[T]{
		m: m, n: n, k: k,
		a: a, lda: lda, transA: transA,
		b: b, ldb: ldb, transB: transB,
		c: c, ldc: ldc, acc: acc,
	}
	kern := getKernel[T](n)

	threads := maxThreads
	if work := m * n * k / minWorkPerThread; work < threads {
		threads = max(work, 1)
	}
	if threads <= 1 {
		serial(kern, &p)
		return
	}
	mr, nr := kern.mr, kern.nr
	switch {
	case k >= threads*256 && m*n <= k:
		// Long reductions with a small C (e.g. convolution kernel gradients):
		// every goroutine reads a disjoint slice of A and B.
		splitK(kern, p, threads)
	case m >= threads*64 || (m >= threads*mr*2 && k < threads*512):
		splitM(kern, p, threads)
	case n >= threads*64:
		splitN(kern, p, threads)
	case k >= threads*256:
		splitK(kern, p, threads)
	case m >= threads*mr:
		splitM(kern, p, threads)
	case n >= threads*nr:
		splitN(kern, p, threads)
	default:
		serial(kern, &p)
	}
}

// problem describes one (sub-)GEMM.
type problem[T float32 | float64] struct {
	m, n, k int
	a       []T
	lda     int
	transA  bool
	b       []T
	ldb     int
	transB  bool
	c       []T
	ldc     int
	acc     bool
}

// subM returns the sub-problem for rows [i0, i1) of C.
func (p *problem[T]) subM(i0, i1 int) problem[T] {
	q := *p
	q.m = i1 - i0
	if p.transA {
		q.a = p.a[i0:]
	} else {
		q.a = p.a[i0*p.lda:]
	}
	q.c = p.c[i0*p.ldc:]
	return q
}

// subN returns the sub-problem for columns [j0, j1) of C.
func (p *problem[T]) subN(j0, j1 int) problem[T] {
	q := *p
	q.n = j1 - j0
	if p.transB {
		q.b = p.b[j0*p.ldb:]
	} else {
		q.b = p.b[j0:]
	}
	q.c = p.c[j0:]
	return q
}

// subK returns the sub-problem for the reduction range [p0, p1), writing into
// c (with stride ldc).
func (p *problem[T]) subK(p0, p1 int, c []T, ldc int, acc bool) problem[T] {
	q := *p
	q.k = p1 - p0
	if p.transA {
		q.a = p.a[p0*p.lda:]
	} else {
		q.a = p.a[p0:]
	}
	if p.transB {
		q.b = p.b[p0:]
	} else {
		q.b = p.b[p0*p.ldb:]
	}
	q.c, q.ldc, q.acc = c, ldc, acc
	return q
}

// split divides [0, total) into parts chunks, each a multiple of align
// (except the last), returning the boundaries.
func split(total, parts, align int) []int {
	units := (total + align - 1) / align
	if parts > units {
		parts = units
	}
	bounds := make([]int, parts+1)
	for i := 1; i <= parts; i++ {
		bounds[i] = min(total, (units*i/parts)*align)
	}
	return bounds
}

func runParallel(parts int, fn func(i int)) {
	parallel.Do(parts, fn)
}

func splitM[T float32 | float64](kern *kernel[T], p problem[T], threads int) {
	bounds := split(p.m, threads, kern.mr)
	runParallel(len(bounds)-1, func(i int) {
		q := p.subM(bounds[i], bounds[i+1])
		serial(kern, &q)
	})
}

func splitN[T float32 | float64](kern *kernel[T], p problem[T], threads int) {
	bounds := split(p.n, threads, kern.nr)
	runParallel(len(bounds)-1, func(i int) {
		q := p.subN(bounds[i], bounds[i+1])
		serial(kern, &q)
	})
}

func splitK[T float32 | float64](kern *kernel[T], p problem[T], threads int) {
	bounds := split(p.k, threads, 64)
	parts := len(bounds) - 1
	m, n := p.m, p.n
	ws := getWorkspace[T]()
	partial := ws.grow(&ws.red, (parts-1)*m*n)
	runParallel(parts, func(i int) {
		var q problem[T]
		if i == 0 {
			q = p.subK(bounds[0], bounds[1], p.c, p.ldc, p.acc)
		} else {
			q = p.subK(bounds[i], bounds[i+1], partial[(i-1)*m*n:i*m*n], n, false)
		}
		serial(kern, &q)
	})
	for part := 1; part < parts; part++ {
		src := partial[(part-1)*m*n:]
		for i := 0; i < m; i++ {
			addTo(p.c[i*p.ldc:i*p.ldc+n], src[i*n:i*n+n])
		}
	}
	putWorkspace(ws)
}

func addTo[T float32 | float64](dst, src []T) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] += v
	}
}
