package gemm

import "fmt"

// SegmentsB is a k×n float32 matrix B packed once for products A·B whose A is not stored as a matrix:
// row i of A is the concatenation, over segments s, of seglen consecutive elements of a slice,
// a[offs[s] + i·rs : offs[s] + i·rs + seglen] (k = len(offs)·seglen). A 2-D convolution with unit
// strides has that form: the rows of one kernel window, read straight from the (padded) NHWC image,
// one segment per kernel row, the next output pixel rs = C elements further. That removes the im2col
// copy of every window into a patch matrix.
//
// Each element of C is computed with the bits of GemmSerial on the stored A: one FMA chain from zero
// over p in order (k is at most the kernel's kc), carried from one segment to the next by the kernels'
// chained mode. PackSegmentsB returns nil where that cannot be promised (k above kc, or a kernel level
// without a chained mode: AVX-512); the caller then builds the matrix.
type SegmentsB struct {
	kern   *kernel[float32]
	n, k   int
	panels []float32
}

// PackSegmentsB packs B (k×n, row stride ldb) for Mul, or returns nil (see SegmentsB).
func PackSegmentsB(n, k int, b []float32, ldb int) *SegmentsB {
	kern := getKernel[float32](n)
	if kern.chain == nil || k < 1 || k > kern.kc || n < 1 {
		return nil
	}
	checkOperand("B (k×n)", k, n, ldb, len(b))
	nr := kern.nr
	panels := make([]float32, roundUp(n, nr)*k)
	packBBlock(panels, b, ldb, false, 0, k, 0, n, nr)
	return &SegmentsB{kern: kern, n: n, k: k, panels: panels}
}

// Mul sets C (m×n, row stride ldc) to A·B on the calling goroutine, A given by a, offs, seglen and rs
// (see SegmentsB; len(offs)·seglen must be B's k).
func (sb *SegmentsB) Mul(m int, a []float32, offs []int, seglen, rs int, c []float32, ldc int) {
	k, n := sb.k, sb.n
	if len(offs)*seglen != k {
		panic(fmt.Sprintf("gemm: %d segments of %d elements for a B of k = %d", len(offs), seglen, k))
	}
	if m <= 0 {
		return
	}
	if rs < 1 || seglen < 1 {
		panic(fmt.Sprintf("gemm: segments of %d elements with row stride %d", seglen, rs))
	}
	for _, off := range offs {
		if off < 0 || off+(m-1)*rs+seglen > len(a) {
			panic(fmt.Sprintf("gemm: segment at %d, %d rows of stride %d and %d elements: past the slice's %d", off, m, rs, seglen, len(a)))
		}
	}
	checkOperand("C (m×n)", m, n, ldc, len(c))
	kern := sb.kern
	mr, nr := kern.mr, kern.nr
	ws := getWorkspace[float32]()
	tile := ws.grow(&ws.tile, mr*nr)
	edgeA := ws.grow(&ws.edgeA, mr*k)
	for ir := 0; ir < m; ir += mr {
		mrb := min(mr, m-ir)
		// A partial last tile reads its missing rows where they would be, if they are inside the slice
		// (a padded image's next pixels: their results go to the tile buffer and are dropped); else it
		// gathers the rows it has.
		gather := false
		if mrb < mr {
			for _, off := range offs {
				gather = gather || off+(ir+mr-1)*rs+seglen > len(a)
			}
		}
		if gather {
			// The last rows: gathered into a zero-padded mr×k panel, one chain over k.
			clear(edgeA)
			for i := range mrb {
				for s, off := range offs {
					copy(edgeA[i*k+s*seglen:i*k+(s+1)*seglen], a[off+(ir+i)*rs:])
				}
			}
		}
		for jr := 0; jr < n; jr += nr {
			nrb := min(nr, n-jr)
			bp := sb.panels[(jr/nr)*k*nr:]
			dst, ldd := c[ir*ldc+jr:], ldc
			if mrb < mr || nrb < nr {
				dst, ldd = tile, nr
			}
			if gather {
				kern.fn(k, edgeA, k, 1, bp, dst, ldd, false)
			} else {
				for s, off := range offs {
					ap, bs := a[off+ir*rs:], bp[s*seglen*nr:]
					if s == 0 {
						kern.fn(seglen, ap, rs, 1, bs, dst, ldd, false)
					} else {
						kern.chain(seglen, ap, rs, 1, bs, dst, ldd)
					}
				}
			}
			if mrb < mr || nrb < nr {
				for i := range mrb {
					copy(c[(ir+i)*ldc+jr:(ir+i)*ldc+jr+nrb], tile[i*nr:i*nr+nrb])
				}
			}
		}
	}
	putWorkspace(ws)
}
