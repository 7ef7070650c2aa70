package gemm

import (
	"sync"
	"unsafe"
)

// kernelFunc computes an mr×nr tile: C[i][j] (+)= Σ_p A(i,p)·B(p,j) for
// p in [0, kc), where A(i,p) = a[i*rsA + p*csA] and B(p,j) = b[p*nr + j]
// (a packed micro-panel). C[i][j] is c[i*ldc + j]. If acc is false C is
// overwritten, otherwise accumulated into.
type kernelFunc[T float32 | float64] func(kc int, a []T, rsA, csA int, b []T, c []T, ldc int, acc bool)

// chainFunc is a kernelFunc whose FMA chain starts from C instead of zero (mode 2 of the AVX2 float32
// kernels): calls over consecutive ranges of p then give the bits of one call over all of them.
type chainFunc[T float32 | float64] func(kc int, a []T, rsA, csA int, b []T, c []T, ldc int)

type kernel[T float32 | float64] struct {
	mr, nr int
	fn     kernelFunc[T]
	chain  chainFunc[T] // nil where the kernel has no such mode
	// Cache blocking (in elements): kc for the reduction dimension,
	// mc rows of A (multiple of mr), nc columns of B (multiple of nr).
	kc, mc, nc int
}

// workspace holds the reusable packing buffers of one goroutine.
type workspace[T float32 | float64] struct {
	packA, packB, edgeA, tile, red []T
}

func (w *workspace[T]) grow(buf *[]T, n int) []T {
	if cap(*buf) < n {
		*buf = make([]T, n)
	}
	*buf = (*buf)[:n]
	return *buf
}

var (
	pool32 = sync.Pool{New: func() any { return new(workspace[float32]) }}
	pool64 = sync.Pool{New: func() any { return new(workspace[float64]) }}
)

func isFloat32[T float32 | float64]() bool {
	var z T
	return unsafe.Sizeof(z) == 4
}

func getWorkspace[T float32 | float64]() *workspace[T] {
	if isFloat32[T]() {
		return pool32.Get().(*workspace[T])
	}
	return pool64.Get().(*workspace[T])
}

func putWorkspace[T float32 | float64](w *workspace[T]) {
	if isFloat32[T]() {
		pool32.Put(w)
	} else {
		pool64.Put(w)
	}
}

// serial runs the blocked GEMM on the current goroutine.
func serial[T float32 | float64](kern *kernel[T], p *problem[T]) {
	mr, nr := kern.mr, kern.nr
	m, n, k := p.m, p.n, p.k
	kcMax := min(kern.kc, k)
	mcMax := min(kern.mc, roundUp(m, mr))
	ncMax := min(kern.nc, roundUp(n, nr))

	ws := getWorkspace[T]()
	bufB := ws.grow(&ws.packB, kcMax*ncMax)
	// Pack A only if each packed micro-panel is reused by several B
	// micro-panels; otherwise read A in place.
	packA := n > 3*nr
	var bufA []T
	if packA {
		bufA = ws.grow(&ws.packA, kcMax*mcMax)
	}
	edgeA := ws.grow(&ws.edgeA, kcMax*mr)
	tile := ws.grow(&ws.tile, mr*nr)

	a, lda, c, ldc := p.a, p.lda, p.c, p.ldc
	for jc := 0; jc < n; jc += ncMax {
		ncb := min(ncMax, n-jc)
		for pc := 0; pc < k; pc += kcMax {
			kcb := min(kcMax, k-pc)
			acc := p.acc || pc > 0
			packBBlock(bufB, p.b, p.ldb, p.transB, pc, kcb, jc, ncb, nr)
			for ic := 0; ic < m; ic += mcMax {
				mcb := min(mcMax, m-ic)
				if packA {
					packABlock(bufA, a, lda, p.transA, ic, mcb, pc, kcb, mr)
				} else if mcb%mr != 0 {
					// Pack the partial last micro-panel with zero padding.
					ir := mcb - mcb%mr
					packABlock(edgeA, a, lda, p.transA, ic+ir, mcb-ir, pc, kcb, mr)
				}
				for jr := 0; jr < ncb; jr += nr {
					nrb := min(nr, ncb-jr)
					bp := bufB[(jr/nr)*kcb*nr:]
					for ir := 0; ir < mcb; ir += mr {
						mrb := min(mr, mcb-ir)
						var ap []T
						rs, cs := 1, mr
						switch {
						case packA:
							ap = bufA[(ir/mr)*kcb*mr:]
						case mrb < mr:
							ap = edgeA
						case p.transA:
							ap = a[pc*lda+ic+ir:]
							rs, cs = 1, lda
						default:
							ap = a[(ic+ir)*lda+pc:]
							rs, cs = lda, 1
						}
						cOff := (ic+ir)*ldc + jc + jr
						if mrb == mr && nrb == nr {
							kern.fn(kcb, ap, rs, cs, bp, c[cOff:], ldc, acc)
							continue
						}
						kern.fn(kcb, ap, rs, cs, bp, tile, nr, false)
						for i := 0; i < mrb; i++ {
							dst := c[cOff+i*ldc : cOff+i*ldc+nrb]
							src := tile[i*nr : i*nr+nrb]
							if acc {
								addTo(dst, src)
							} else {
								copy(dst, src)
							}
						}
					}
				}
			}
		}
	}
	putWorkspace(ws)
}

func roundUp(x, m int) int { return (x + m - 1) / m * m }

// packBBlock packs B(pc:pc+kcb, jc:jc+ncb) into micro-panels of nr columns:
// panel q holds B(pc+p, jc+q*nr+j) at dst[q*kcb*nr + p*nr + j], zero padded.
// B(p,j) is b[p*ldb+j], or b[j*ldb+p] if transB.
func packBBlock[T float32 | float64](dst, b []T, ldb int, transB bool, pc, kcb, jc, ncb, nr int) {
	for jr := 0; jr < ncb; jr += nr {
		nrb := min(nr, ncb-jr)
		panel := dst[(jr/nr)*kcb*nr : (jr/nr+1)*kcb*nr]
		if !transB {
			src := b[pc*ldb+jc+jr:]
			if nrb == nr {
				for p := 0; p < kcb; p++ {
					copy(panel[p*nr:p*nr+nr], src[p*ldb:p*ldb+nr])
				}
			} else {
				for p := 0; p < kcb; p++ {
					d := panel[p*nr : p*nr+nr]
					copy(d, src[p*ldb:p*ldb+nrb])
					clear(d[nrb:])
				}
			}
			continue
		}
		if nrb < nr {
			clear(panel)
		}
		for j := 0; j < nrb; j++ {
			src := b[(jc+jr+j)*ldb+pc:]
			src = src[:kcb]
			for p, v := range src {
				panel[p*nr+j] = v
			}
		}
	}
}

// packABlock packs A(ic:ic+mcb, pc:pc+kcb) into micro-panels of mr rows:
// panel q holds A(ic+q*mr+i, pc+p) at dst[q*kcb*mr + p*mr + i], zero padded.
// A(i,p) is a[i*lda+p], or a[p*lda+i] if transA.
func packABlock[T float32 | float64](dst, a []T, lda int, transA bool, ic, mcb, pc, kcb, mr int) {
	for ir := 0; ir < mcb; ir += mr {
		mrb := min(mr, mcb-ir)
		panel := dst[(ir/mr)*kcb*mr : (ir/mr+1)*kcb*mr]
		if transA {
			src := a[pc*lda+ic+ir:]
			if mrb < mr {
				clear(panel)
			}
			for p := 0; p < kcb; p++ {
				d := panel[p*mr : p*mr+mrb]
				for i, v := range src[p*lda : p*lda+mrb] {
					d[i] = v
				}
			}
			continue
		}
		if mrb < mr {
			clear(panel)
		}
		for i := 0; i < mrb; i++ {
			src := a[(ic+ir+i)*lda+pc:]
			src = src[:kcb]
			for p, v := range src {
				panel[p*mr+i] = v
			}
		}
	}
}
