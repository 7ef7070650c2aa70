package purego

import (
	"sync"
	"sync/atomic"

	"github.com/gaeanas/gaeanas/backend/internal/gemm"
)

// segmentsConvs counts the convolutions segmentsConv ran (for tests); segPaths is always true outside
// tests, which turn it off to compare with im2col + GEMM.
var (
	segmentsConvs atomic.Int64
	segPaths      = true
	padPool       = sync.Pool{New: func() any { return new([]float32) }}
)

// segSlack: pixels of zeros after the padded image, at least the GEMM kernels' tallest tile (AVX2: 12).
const segSlack = 16

// segmentsConv runs a float32 2-D convolution with unit strides, no input dilation, no groups, kernel
// dilation 1 along x and no negative padding — the 3×3 convolutions of NB201 and of image networks,
// and their input gradients — without im2col: for output pixel (b, y, x) and kernel row ky, the kernel
// row's kw·C inputs are consecutive in the zero-padded NHWC image, and the next pixel's are C elements
// further. So each output row is one gemm.SegmentsB product whose "A" rows are read from the padded
// image, one segment per kernel row (the patch matrix's row order: ky, kx, c). The bits are im2col +
// GEMM's (gemm.SegmentsB: one FMA chain per element, the padding's zeros included). It returns false,
// having done nothing, for any other convolution or where gemm cannot promise those bits (k = kh·kw·C
// above the kernel's kc, AVX-512).
func segmentsConv[T float32 | float64](xc, kc, oc []T, p *convParams, xcDims, kSp, outSp []int, cout int) bool {
	x32, ok := any(xc).([]float32)
	if !ok || !segPaths || len(kSp) != 2 || p.groups != 1 || p.bgroups != 1 || p.kDil[1] != 1 {
		return false
	}
	for a := range 2 {
		if p.strides[a] != 1 || p.inDil[a] != 1 || p.paddings[a][0] < 0 || p.paddings[a][1] < 0 {
			return false
		}
	}
	B, H, W, C := xcDims[0], xcDims[1], xcDims[2], xcDims[3]
	kh, kw, dy := kSp[0], kSp[1], p.kDil[0]
	padT, padB, padL, padR := p.paddings[0][0], p.paddings[0][1], p.paddings[1][0], p.paddings[1][1]
	Hp, Wp := H+padT+padB, W+padL+padR
	outH, outW := outSp[0], outSp[1]
	if outH != Hp-(kh-1)*dy || outW != Wp-(kw-1) || outH < 1 || outW < 1 {
		return false
	}
	sb := gemm.PackSegmentsB(cout, kh*kw*C, any(kc).([]float32), cout)
	if sb == nil {
		return false
	}
	segmentsConvs.Add(1)
	xp := x32
	if Hp != H || Wp != W {
		// The padded image, from a pool: each padded row is written whole (zeros, then the image row).
		// segSlack zeros after the image let the GEMM's last tile of a row read whole rows (SegmentsB.Mul).
		buf := padPool.Get().(*[]float32)
		defer padPool.Put(buf)
		n := B*Hp*Wp*C + segSlack*C
		if cap(*buf) < n {
			*buf = make([]float32, n)
		}
		xp = (*buf)[:n]
		clear(xp[B*Hp*Wp*C:])
		parallelFor(B*Hp, 64, func(lo, hi int) {
			for row := lo; row < hi; row++ {
				b, y := row/Hp, row%Hp-padT
				dst := xp[row*Wp*C : (row+1)*Wp*C]
				if y < 0 || y >= H {
					clear(dst)
					continue
				}
				clear(dst[:padL*C])
				copy(dst[padL*C:(padL+W)*C], x32[(b*H+y)*W*C:])
				clear(dst[(padL+W)*C:])
			}
		})
	}
	o32 := any(oc).([]float32)
	parallelFor(B*outH, 4, func(lo, hi int) {
		offs := make([]int, kh)
		for row := lo; row < hi; row++ {
			b, oy := row/outH, row%outH
			for ky := range offs {
				offs[ky] = (b*Hp + oy + ky*dy) * Wp * C
			}
			sb.Mul(outW, xp, offs, kw*C, C, o32[row*outW*cout:], cout)
		}
	})
	return true
}
