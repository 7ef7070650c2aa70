package purego

import (
	"slices"
	"sync/atomic"

	"github.com/gaeanas/gaeanas/backend/internal/vec"
)

// The kernel gradient of a depthwise 2-D convolution (the separable and dilated convolutions of the
// DARTS space), as GoMLX's autodiff builds it: a convolution whose "batch" is the channel axis of the
// forward input x [B, H, W, C], whose "input channels" are its batch, whose kernel is the output
// gradient g [B, GH, GW, C], with C batch groups. Its output is the kernel shape [KH, KW, 1, C]:
//
//	out[ky, kx, 0, c] = Σ_{b, i, j} x[b, ky·s₀ + i·d₀ − p₀, kx·s₁ + j·d₁ − p₁, c] · g[b, i, j, c]
//
// (terms outside x are 0). im2col + GEMM runs it as C products of a KH·KW × B·GH·GW patch matrix by one
// column: a single useful lane of the micro-kernel's eight, after transposing x and g and packing both
// (a third of a PC-DARTS search iteration at C = 16). Here, per tap, every channel at once: along each
// row of g the terms of all its pixels and channels are one contiguous run, multiplied by the matching
// run of x and added into a row-sized accumulator with vec.MulAdd; the accumulator's pixels are summed
// at the end. Each sum adds its B·GH·GW terms in another order than the GEMM's blocked chain (float32
// either way; the error bound is smaller here: B·GH terms deep, then GW), so the bits differ from
// im2col + GEMM's.

// dwGradConvs counts the convolutions depthwiseKernelGrad ran (for tests).
var dwGradConvs atomic.Int64

// dwGrad holds the sizes of a depthwise kernel gradient.
type dwGrad struct {
	b, h, w, c int // x
	gh, gw     int // g
	kh, kw     int // out
	s, d, pad  [2]int
}

// asDepthwiseKernelGrad reports whether p is a depthwise kernel gradient in the layout above.
func asDepthwiseKernelGrad(p *convParams) (dwGrad, bool) {
	ax := p.axes
	if len(ax.InputSpatial) != 2 || p.groups != 1 || p.bgroups < 2 ||
		ax.InputBatch != 3 || ax.InputChannels != 0 || !slices.Equal(ax.InputSpatial, []int{1, 2}) ||
		ax.KernelInputChannels != 0 || ax.KernelOutputChannels != 3 || !slices.Equal(ax.KernelSpatial, []int{1, 2}) ||
		ax.OutputBatch != 2 || ax.OutputChannels != 3 || !slices.Equal(ax.OutputSpatial, []int{0, 1}) {
		return dwGrad{}, false
	}
	x, k, o := p.in.Dimensions, p.kernel.Dimensions, p.out.Dimensions
	c := x[3]
	if p.bgroups != c || k[0] != x[0] || k[3] != c || o[2] != 1 || o[3] != c || p.inDil[0] != 1 || p.inDil[1] != 1 {
		return dwGrad{}, false
	}
	return dwGrad{b: x[0], h: x[1], w: x[2], c: c, gh: k[1], gw: k[2], kh: o[0], kw: o[1],
		s: [2]int{p.strides[0], p.strides[1]}, d: [2]int{p.kDil[0], p.kDil[1]},
		pad: [2]int{p.paddings[0][0], p.paddings[1][0]}}, true
}

// jRange returns the g columns j whose x column kx·s + j·d − p lies in [0, w): [j0, j1).
func (q *dwGrad) jRange(kx int) (j0, j1 int) {
	off := kx*q.s[1] - q.pad[1] // x column of j = 0
	for j0 = 0; j0 < q.gw && off+j0*q.d[1] < 0; j0++ {
	}
	for j1 = q.gw; j1 > j0 && off+(j1-1)*q.d[1] >= q.w; j1-- {
	}
	return j0, j1
}

// depthwiseKernelGrad computes out (the [KH, KW, 1, C] kernel gradient) from x and g, one tap per
// task over the cores: each output element's sum is the same whatever the split.
func depthwiseKernelGrad(x, g, out []float32, q dwGrad) {
	dwGradConvs.Add(1)
	C, rowLen := q.c, q.gw*q.c
	parallelTasks(q.kh*q.kw, func(tap int, scratch *[]float32) {
		ky, kx := tap/q.kw, tap%q.kw
		if cap(*scratch) < 2*rowLen {
			*scratch = make([]float32, 2*rowLen)
		}
		acc, gathered := (*scratch)[:rowLen], (*scratch)[rowLen:2*rowLen]
		clear(acc)
		j0, j1 := q.jRange(kx)
		if j1 > j0 {
			x0 := kx*q.s[1] + j0*q.d[1] - q.pad[1] // x column of j0
			n := (j1 - j0) * C
			for b := range q.b {
				for i := range q.gh {
					y := ky*q.s[0] + i*q.d[0] - q.pad[0]
					if y < 0 || y >= q.h {
						continue
					}
					xr := x[((b*q.h+y)*q.w+x0)*C:]
					if q.d[1] == 1 {
						xr = xr[:n]
					} else {
						vec.CopyRows(gathered, C, xr, q.d[1]*C, j1-j0, C)
						xr = gathered[:n]
					}
					gr := g[((b*q.gh+i)*q.gw+j0)*C:][:n]
					vec.MulAdd(acc[j0*C:j1*C], xr, gr)
				}
			}
		}
		o := out[tap*C : (tap+1)*C]
		clear(o)
		for j := range q.gw {
			vec.VV(vec.Add, o, o, acc[j*C:(j+1)*C])
		}
	})
}
