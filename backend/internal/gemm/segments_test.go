package gemm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// TestSegmentsSameBits: SegmentsB.Mul gives GemmSerial's bits on the stored matrix A, at every kernel
// level with a chained mode (AVX2's wide and narrow float32 kernels, the Go kernel), for row counts
// with and without a partial last tile, n below, at and above one tile, one to nine segments, windows
// that overlap (rs < seglen, as a convolution's) and that do not; and PackSegmentsB refuses k above kc.
func TestSegmentsSameBits(t *testing.T) {
	forEachLevel(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(11, 12))
		tested := 0
		for _, n := range []int{1, 4, 8, 16, 24, 32, 40} {
			for _, sh := range []struct{ segs, seglen, rs int }{{1, 7, 7}, {3, 48, 16}, {3, 24, 8}, {9, 16, 16}, {3, 72, 24}, {2, 100, 33}, {5, 3, 9}} {
				for _, m := range []int{1, 5, 6, 12, 13, 32, 37} {
					k := sh.segs * sh.seglen
					span := 20 + m*sh.rs + sh.segs*50 + sh.seglen
					a := randSlice[float32](r, span)
					for i := range a { // zeros of both signs, as a convolution's padding and ReLUs give
						if r.IntN(8) == 0 {
							a[i] = float32(math.Copysign(0, float64(r.IntN(2)*2-1)))
						}
					}
					offs := make([]int, sh.segs)
					for s := range offs {
						offs[s] = r.IntN(span - (m-1)*sh.rs - sh.seglen + 1)
					}
					stored := make([]float32, m*k)
					for i := range m {
						for s, off := range offs {
							copy(stored[i*k+s*sh.seglen:], a[off+i*sh.rs:off+i*sh.rs+sh.seglen])
						}
					}
					ldb, ldc := n+3, n+1
					b := randSlice[float32](r, k*ldb)
					want := make([]float32, m*ldc)
					GemmSerial(m, n, k, stored, k, b, ldb, want, ldc, false)
					sb := PackSegmentsB(n, k, b, ldb)
					if sb == nil {
						if getKernel[float32](n).chain != nil {
							t.Fatalf("n=%d k=%d: PackSegmentsB refused a kernel with a chained mode", n, k)
						}
						continue
					}
					got := make([]float32, m*ldc)
					for i := range got {
						got[i] = float32(math.NaN()) // overwritten, never read
					}
					sb.Mul(m, a, offs, sh.seglen, sh.rs, got, ldc)
					name := fmt.Sprintf("m=%d n=%d %+v", m, n, sh)
					for i := range m {
						for j := range n {
							g, w := got[i*ldc+j], want[i*ldc+j]
							if math.Float32bits(g) != math.Float32bits(w) {
								t.Fatalf("%s: C[%d][%d] = %v, GemmSerial %v", name, i, j, g, w)
							}
						}
					}
					tested++
				}
			}
		}
		if kernelLevel != levelAVX512 && tested == 0 {
			t.Fatal("no case ran")
		}
		if PackSegmentsB(16, 257, make([]float32, 257*16), 16) != nil {
			t.Error("PackSegmentsB accepted k = 257, above kc")
		}
	})
}

// TestChainedMode calls each micro-kernel with a chained mode directly: a call over p in [0, k1) and a
// chained call over [k1, k) give the bits of one call over [0, k), and C's entries outside the tile
// (a wider matrix) stay untouched.
func TestChainedMode(t *testing.T) {
	for _, l := range supportedLevels() {
		for _, kern := range levelKernels[float32](l) {
			if kern.chain == nil {
				continue
			}
			t.Run(fmt.Sprintf("%v/%dx%d", l, kern.mr, kern.nr), func(t *testing.T) {
				mr, nr := kern.mr, kern.nr
				r := rand.New(rand.NewPCG(uint64(mr), 7))
				for _, k := range []int{2, 3, 16, 48, 144, 255} {
					a, b := randSlice[float32](r, mr*k), randSlice[float32](r, k*nr)
					ldc := nr + 3
					want := make([]float32, mr*ldc)
					kern.fn(k, a, k, 1, b, want, ldc, false)
					for _, k1 := range []int{1, k / 2, k - 1} {
						if k1 < 1 || k1 >= k {
							continue
						}
						got := make([]float32, mr*ldc)
						for i := range got {
							got[i] = float32(math.NaN())
						}
						kern.fn(k1, a, k, 1, b, got, ldc, false)
						kern.chain(k-k1, a[k1:], k, 1, b[k1*nr:], got, ldc)
						for i := range mr {
							for j := range ldc {
								g, w := got[i*ldc+j], want[i*ldc+j]
								if j >= nr {
									if g == g {
										t.Fatalf("k=%d k1=%d: C[%d][%d] outside the tile written", k, k1, i, j)
									}
									continue
								}
								if math.Float32bits(g) != math.Float32bits(w) {
									t.Fatalf("k=%d k1=%d: C[%d][%d] = %v, one call %v", k, k1, i, j, g, w)
								}
							}
						}
					}
				}
			})
		}
	}
}
