package purego

import (
	"fmt"
	"github.com/gaeanas/gaeanas/backend/internal/parallel"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/gaeanas/gaeanas/backend/internal/gemm"
	"github.com/gaeanas/gaeanas/backend/internal/vec"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/shapeinference"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// ConvGeneral implements backends.Builder. For float32/float64 it runs as im2col + multi-core GEMM over a
// canonical layout (input [B, spatial…, C], kernel [spatial…, Cin, Cout], output [B, spatial…, Cout]); any
// other axes layout is transposed in and out. Every option of the op is supported: strides, paddings
// (also negative), input dilation, kernel dilation, channel groups and batch groups. Nil strides and
// dilations mean 1.
func (b *Builder) ConvGeneral(input, kernel backends.Op, axes backends.ConvolveAxesConfig, strides []int, paddings [][2]int,
	inputDilations, kernelDilations []int, channelGroupCount, batchGroupCount int) (backends.Op, error) {
	ss, err := shapesOf(b, input, kernel)
	if err != nil {
		return nil, err
	}
	inShape, kShape := ss[0], ss[1]
	channelGroupCount, batchGroupCount = max(channelGroupCount, 1), max(batchGroupCount, 1)
	r := inShape.Rank() - 2
	// GoMLX passes nil or zeros for "unset" strides and dilations (simplego's own conv crashes on them).
	strides, inputDilations, kernelDilations = onesIfNil(strides, r), onesIfNil(inputDilations, r), onesIfNil(kernelDilations, r)
	outShape, err := shapeinference.ConvGeneralOp(inShape, kShape, axes, strides, paddings, inputDilations, kernelDilations,
		channelGroupCount, batchGroupCount)
	if err != nil {
		return nil, fmt.Errorf("purego: %w", err)
	}
	p := convParams{
		axes:     axes.Clone(),
		strides:  onesIfNil(strides, r),
		inDil:    onesIfNil(inputDilations, r),
		kDil:     onesIfNil(kernelDilations, r),
		paddings: make([][2]int, r),
		groups:   channelGroupCount,
		bgroups:  batchGroupCount,
		in:       inShape, kernel: kShape, out: outShape,
	}
	copy(p.paddings, paddings)
	if channelGroupCount > 1 && batchGroupCount > 1 {
		return nil, fmt.Errorf("purego: ConvGeneral: channel groups (%d) and batch groups (%d) cannot both be > 1", channelGroupCount, batchGroupCount)
	}
	if !floatDType(inShape.DType) {
		// Other dtypes: simplego's own implementation, with explicit strides/dilations (it misreads nil).
		outs, err := b.native("ConvGeneral", []backends.Op{input, kernel}, 1, func(ib backends.Builder, in []backends.Op) ([]backends.Op, error) {
			op, err := ib.ConvGeneral(in[0], in[1], p.axes, p.strides, p.paddings, p.inDil, p.kDil, p.groups, p.bgroups)
			return []backends.Op{op}, err
		})
		if err != nil {
			return nil, err
		}
		return outs[0], nil
	}
	out, err := b.custom1("ConvGeneral", []backends.Op{input, kernel}, outShape, func(be *Backend, in []backends.Buffer) ([]backends.Buffer, error) {
		if inShape.DType == dtypes.Float32 {
			return convRun[float32](be, in, &p)
		}
		return convRun[float64](be, in, &p)
	})
	if err == nil {
		out.(*node).custom.flops = convFLOPs(outShape, kShape, axes.KernelOutputChannels, p.inDil)
	}
	return out, err
}

func onesIfNil(s []int, n int) []int {
	res := make([]int, n)
	for i := range res {
		res[i] = 1
		if i < len(s) && s[i] > 0 {
			res[i] = s[i]
		}
	}
	return res
}

type convParams struct {
	axes                 backends.ConvolveAxesConfig
	strides, inDil, kDil []int
	paddings             [][2]int
	groups, bgroups      int
	in, kernel, out      shapes.Shape
}

func convRun[T float32 | float64](be *Backend, in []backends.Buffer, p *convParams) ([]backends.Buffer, error) {
	x, err := flatOf[T](be, in[0])
	if err != nil {
		return nil, err
	}
	k, err := flatOf[T](be, in[1])
	if err != nil {
		return nil, err
	}
	outBuf, out, err := newBuffer[T](be, p.out)
	if err != nil {
		return nil, err
	}
	convolve(x, k, out, p)
	return []backends.Buffer{outBuf}, nil
}

// canonPerm lists the source axes in canonical order: first, spatial…, last.
func canonPerm(first int, spatial []int, last int) []int {
	perm := append([]int{first}, spatial...)
	return append(perm, last)
}

// convolve computes out = conv(x, k) as described by p, all flat row-major in their own layouts.
func convolve[T float32 | float64](x, k, out []T, p *convParams) {
	ax := p.axes
	r := len(ax.InputSpatial)
	if q, ok := asDepthwiseKernelGrad(p); ok && dwGradPath {
		if x32, ok := any(x).([]float32); ok {
			depthwiseKernelGrad(x32, any(k).([]float32), any(out).([]float32), q)
			return
		}
	}
	if useSwapped(p) {
		convolveSwapped(x, k, out, p)
		return
	}

	// Canonical input [B, S…, C].
	inPerm := canonPerm(ax.InputBatch, ax.InputSpatial, ax.InputChannels)
	xc, xcDims := transposed(x, p.in.Dimensions, inPerm)
	// Canonical kernel [K…, Cin, Cout].
	kPerm := append(append([]int(nil), ax.KernelSpatial...), ax.KernelInputChannels, ax.KernelOutputChannels)
	kc, kcDims := transposed(k, p.kernel.Dimensions, kPerm)
	// Canonical output [B', O…, Cout].
	outPerm := canonPerm(ax.OutputBatch, ax.OutputSpatial, ax.OutputChannels)
	ocDims := make([]int, r+2)
	for i, a := range outPerm {
		ocDims[i] = p.out.Dimensions[a]
	}
	oc := out
	canonOut := isIdentity(outPerm)
	if !canonOut {
		oc = make([]T, len(out))
	}

	B, C := xcDims[0], xcDims[r+1]
	inSp := xcDims[1 : r+1]
	kSp := kcDims[:r]
	cin, cout := kcDims[r], kcDims[r+1]
	outSp := ocDims[1 : r+1]
	bOut := ocDims[0]
	M, KS := prod(outSp), prod(kSp)
	nGroups := p.groups * p.bgroups
	coutG := cout / nGroups
	kdim := KS * cin

	// Per axis: for output coordinate o and kernel coordinate j, the input coordinate or -1.
	tables := make([][]int, r)
	for a := 0; a < r; a++ {
		dilated := (inSp[a]-1)*p.inDil[a] + 1
		t := make([]int, outSp[a]*kSp[a])
		for o := 0; o < outSp[a]; o++ {
			for j := 0; j < kSp[a]; j++ {
				pos := o*p.strides[a] + j*p.kDil[a] - p.paddings[a][0]
				v := -1
				if pos >= 0 && pos < dilated && pos%p.inDil[a] == 0 {
					v = pos / p.inDil[a]
				}
				t[o*kSp[a]+j] = v
			}
		}
		tables[a] = t
	}
	// Element strides of the canonical input's spatial axes.
	spStride := make([]int, r)
	st := C
	for a := r - 1; a >= 0; a-- {
		spStride[a] = st
		st *= inSp[a]
	}
	imgSize := st

	// Fast path: the input already is the patch matrix (1×1 kernel, unit strides, no padding, no groups).
	direct := KS == 1 && nGroups == 1 && M == prod(inSp)
	for a := 0; a < r && direct; a++ {
		direct = p.strides[a] == 1 && p.paddings[a] == [2]int{} && outSp[a] == inSp[a]
	}
	depthwise := r == 2 && p.bgroups == 1 && nGroups == C && cin == 1 && coutG == 1
	if direct {
		gemm.Gemm(B*M, cout, C, xc, C, kc, cout, oc, cout, false)
	} else if depthwise {
		depthwiseRows2D(xc, kc, oc, bOut*M, M, outSp, kSp, tables, spStride, imgSize, C)
	} else if segmentsConv(xc, kc, oc, p, xcDims, kSp, outSp, cout) {
		// done: unit strides, im2col-free (conv_segments.go)
	} else if kdim <= fusedMaxK {
		// Each worker builds a cache-sized block of patch rows and multiplies it at once.
		rowsPerTask := max(48, fusedBlock/kdim)
		rows := bOut * M
		tasksPerGroup := (rows + rowsPerTask - 1) / rowsPerTask
		parallelTasks(nGroups*tasksPerGroup, func(task int, scratch *[]T) {
			g, t := task/tasksPerGroup, task%tasksPerGroup
			chOff, bOff := groupOffsets(p, g, cin, bOut)
			lo := t * rowsPerTask
			hi := min(rows, lo+rowsPerTask)
			if cap(*scratch) < rowsPerTask*kdim {
				*scratch = make([]T, rowsPerTask*kdim)
			}
			patches := (*scratch)[:(hi-lo)*kdim]
			im2colRows(xc, patches, lo, hi, bOff, M, r, outSp, kSp, tables, spStride, imgSize, chOff, cin, kdim, lo)
			gemm.GemmSerial(hi-lo, coutG, kdim, patches, kdim, kc[g*coutG:], cout, oc[lo*cout+g*coutG:], cout, false)
		})
	} else {
		// Long patch rows (e.g. the kernel gradient, whose "kernel" is a whole image): big chunks,
		// the GEMM splits its long reduction over the cores.
		const budget = 1 << 22 // elements of one patch matrix chunk
		nb := max(1, min(bOut, budget/max(1, M*kdim)))
		patches := make([]T, nb*M*kdim)
		for g := 0; g < nGroups; g++ {
			chOff, bOff := groupOffsets(p, g, cin, bOut)
			for b0 := 0; b0 < bOut; b0 += nb {
				n := min(nb, bOut-b0)
				rows := n * M
				parallelFor(rows, 8, func(lo, hi int) {
					im2colRows(xc, patches[lo*kdim:hi*kdim], b0*M+lo, b0*M+hi, bOff, M, r, outSp, kSp, tables, spStride, imgSize, chOff, cin, kdim, b0*M+lo)
				})
				gemm.Gemm(rows, coutG, kdim, patches, kdim, kc[g*coutG:], cout, oc[b0*M*cout+g*coutG:], cout, false)
			}
		}
	}
	if !canonOut {
		// oc is [B', O…, Cout]; out's axis j is canonical axis q[j].
		q := make([]int, r+2)
		for i, a := range outPerm {
			q[a] = i
		}
		transposeInto(oc, ocDims, q, out)
	}
}

// im2colRows fills the patch rows of output rows [lo, hi) (row = output image*M + output position) into
// patches, whose first row is output row first. Output image b reads input image b+bOff.
func im2colRows[T float32 | float64](xc, patches []T, lo, hi, bOff, M, r int, outSp, kSp []int, tables [][]int,
	spStride []int, imgSize, chOff, cin, kdim, first int) {
	if r == 2 {
		im2colRows2D(xc, patches, lo, hi, bOff, M, outSp, kSp, tables, spStride, imgSize, chOff, cin, kdim, first)
		return
	}
	oIdx := make([]int, r)
	kIdx := make([]int, r)
	for row := lo; row < hi; row++ {
		img := bOff + row/M
		o := row % M
		for a := r - 1; a >= 0; a-- {
			oIdx[a] = o % outSp[a]
			o /= outSp[a]
		}
		dst := patches[(row-first)*kdim : (row-first+1)*kdim]
		base := img*imgSize + chOff
		for i := range kIdx {
			kIdx[i] = 0
		}
		for kp := 0; ; {
			off, ok := base, true
			for a := 0; a < r; a++ {
				v := tables[a][oIdx[a]*kSp[a]+kIdx[a]]
				if v < 0 {
					ok = false
					break
				}
				off += v * spStride[a]
			}
			seg := dst[kp*cin : (kp+1)*cin]
			if ok {
				copy(seg, xc[off:off+cin])
			} else {
				clear(seg)
			}
			kp++
			// Advance the kernel odometer.
			a := r - 1
			for ; a >= 0; a-- {
				kIdx[a]++
				if kIdx[a] < kSp[a] {
					break
				}
				kIdx[a] = 0
			}
			if a < 0 {
				break
			}
		}
	}
}

// im2colRows2D is im2colRows for two spatial axes, the convolutions of image networks. Along the
// kernel's x axis the valid taps of one output position read a run of consecutive input columns when
// the kernel is not dilated (and no input dilation): with all channels of a group contiguous (cin
// equals the image's channel count), a kernel row is then one copy instead of one per tap.
func im2colRows2D[T float32 | float64](xc, patches []T, lo, hi, bOff, M int, outSp, kSp []int, tables [][]int,
	spStride []int, imgSize, chOff, cin, kdim, first int) {
	outW, kh, kw := outSp[1], kSp[0], kSp[1]
	tyAll, txAll := tables[0], tables[1]
	sy, sx := spStride[0], spStride[1]
	run := sx == cin && consecutiveTaps(txAll, outSp[1], kw)
	if p32, ok := any(patches).([]float32); ok && run && kw > 1 && vec.Accelerated() && vecPaths {
		im2colRunBlocks.Add(1)
		im2colRows2DRuns(any(xc).([]float32), p32, lo, hi, bOff, M, outSp, kSp, tables, spStride, imgSize, chOff, cin, kdim, first)
		return
	}
	for row := lo; row < hi; row++ {
		img := bOff + row/M
		o := row % M
		oy, ox := o/outW, o%outW
		dst := patches[(row-first)*kdim : (row-first+1)*kdim]
		base := img*imgSize + chOff
		ty := tyAll[oy*kh : (oy+1)*kh]
		tx := txAll[ox*kw : (ox+1)*kw]
		if run {
			kx0, kx1 := 0, kw
			for kx0 < kw && tx[kx0] < 0 {
				kx0++
			}
			for kx1 > kx0 && tx[kx1-1] < 0 {
				kx1--
			}
			for ky, iy := range ty {
				seg := dst[ky*kw*cin : (ky+1)*kw*cin]
				if iy < 0 || kx0 == kx1 {
					clear(seg)
					continue
				}
				clear(seg[:kx0*cin])
				src := base + iy*sy + tx[kx0]*sx
				copy(seg[kx0*cin:kx1*cin], xc[src:src+(kx1-kx0)*cin])
				clear(seg[kx1*cin:])
			}
			continue
		}
		for ky, iy := range ty {
			for kx, ix := range tx {
				kp := ky*kw + kx
				if iy < 0 || ix < 0 {
					clear(dst[kp*cin : (kp+1)*cin])
					continue
				}
				off := base + iy*sy + ix*sx
				if cin == 1 {
					dst[kp] = xc[off]
				} else {
					copy(dst[kp*cin:(kp+1)*cin], xc[off:off+cin])
				}
			}
		}
	}
}

// depthwiseRows2D is the convolution of one channel per group (depthwise, channel multiplier 1: the
// separable and dilated convolutions of the DARTS space, and their input gradients) for two spatial
// axes: per output position, the sum over taps of the input pixel's channel vector times the tap's
// kernel vector. im2col + GEMM would build a patch matrix per channel and multiply it by a single
// column.
func depthwiseRows2D[T float32 | float64](xc, kc, oc []T, rows, M int, outSp, kSp []int, tables [][]int,
	spStride []int, imgSize, C int) {
	outW, kh, kw := outSp[1], kSp[0], kSp[1]
	sy, sx := spStride[0], spStride[1]
	// One unit of work is a row of output pixels (image, y); per output element the taps are added
	// in (ky, kx) order whatever the split.
	lines := rows / outW
	// Float32 with adjacent pixels (sx = C): for each kx, the outputs whose tap kx is valid read
	// consecutive input pixels (stride 1) — one run of the row, multiplied by the tap's kernel vector
	// tiled along it and added in one vec.MulAdd (per element the same product and sum, in the same
	// tap order).
	runs := depthwiseRuns(tables[1], outW, kw, sx == C)
	var tiles []float32
	if _, ok := any(kc).([]float32); ok && runs != nil && vec.Accelerated() && vecPaths {
		k32 := any(kc).([]float32)
		depthwiseRunConvs.Add(1)
		tp := getScratch[float32](kh * kw * outW * C)
		defer putScratch(tp)
		tiles = *tp
		for tap := range kh * kw {
			for ox := range outW {
				copy(tiles[(tap*outW+ox)*C:(tap*outW+ox+1)*C], k32[tap*C:(tap+1)*C])
			}
		}
	}
	parallelFor(lines, max(1, 4096/(outW*C*kh*kw)), func(lo, hi int) {
		for line := lo; line < hi; line++ {
			img, oy := line*outW/M, (line*outW%M)/outW
			dst := oc[line*outW*C : (line+1)*outW*C]
			clear(dst)
			for ky, iy := range tables[0][oy*kh : (oy+1)*kh] {
				if iy < 0 {
					continue
				}
				rowBase := img*imgSize + iy*sy
				if tiles != nil {
					d32, x32 := any(dst).([]float32), any(xc).([]float32)
					for kx, r := range runs {
						if r.n == 0 {
							continue
						}
						src := rowBase + r.ix0*sx
						tap := (ky*kw + kx) * outW * C
						vec.MulAdd(d32[r.ox0*C:(r.ox0+r.n)*C], x32[src:src+r.n*C], tiles[tap:tap+r.n*C])
					}
					continue
				}
				for kx := 0; kx < kw; kx++ {
					w := kc[(ky*kw+kx)*C : (ky*kw+kx+1)*C]
					for ox := 0; ox < outW; ox++ {
						ix := tables[1][ox*kw+kx]
						if ix < 0 {
							continue
						}
						axpyVec(dst[ox*C:(ox+1)*C], xc[rowBase+ix*sx:rowBase+ix*sx+C], w)
					}
				}
			}
		}
	})
}

// im2colRows2DRuns is im2colRows2D's run case (consecutive kernel taps over channel-contiguous pixels)
// for float32, a segment of pixels along one output row at a time: the pixels whose kernel taps are
// all valid get each kernel row with one vec.CopyRows over the segment (one strided copy instead of a
// memmove per pixel and kernel row); the border pixels and the kernel rows above or below the image
// as im2colRows2D writes them. The patch matrix is the same, element for element.
func im2colRows2DRuns(xc, patches []float32, lo, hi, bOff, M int, outSp, kSp []int, tables [][]int,
	spStride []int, imgSize, chOff, cin, kdim, first int) {
	outW, kh, kw := outSp[1], kSp[0], kSp[1]
	tyAll, txAll := tables[0], tables[1]
	sy, sx := spStride[0], spStride[1]
	width := kw * cin
	for row := lo; row < hi; {
		img := bOff + row/M
		o := row % M
		oy, ox0 := o/outW, o%outW
		end := min(hi, row+outW-ox0)
		base := img*imgSize + chOff
		ty := tyAll[oy*kh : (oy+1)*kh]
		// The pixels of the segment with every tap valid: an interval [full0, full1).
		full0, full1 := -1, -1
		for ox := ox0; ox < ox0+end-row; ox++ {
			if txAll[ox*kw] >= 0 && txAll[ox*kw+kw-1] >= 0 {
				if full0 < 0 {
					full0 = ox
				}
				full1 = ox + 1
			}
		}
		// Every pixel of the interval must have all taps valid, at input columns a constant step apart
		// (always so without input dilation); otherwise the segment goes pixel by pixel.
		for ox := full0; full0 >= 0 && ox < full1; ox++ {
			if txAll[ox*kw] < 0 || txAll[ox*kw+kw-1] < 0 ||
				(ox > full0+1 && txAll[ox*kw]-txAll[(ox-1)*kw] != txAll[(full0+1)*kw]-txAll[full0*kw]) {
				full0, full1 = -1, -1
			}
		}
		for ox := ox0; ox < ox0+end-row; ox++ {
			dst := patches[(row+ox-ox0-first)*kdim : (row+ox-ox0-first+1)*kdim]
			tx := txAll[ox*kw : (ox+1)*kw]
			inner := ox >= full0 && ox < full1
			kx0, kx1 := 0, kw
			for kx0 < kw && tx[kx0] < 0 {
				kx0++
			}
			for kx1 > kx0 && tx[kx1-1] < 0 {
				kx1--
			}
			for ky, iy := range ty {
				seg := dst[ky*width : (ky+1)*width]
				if iy < 0 || kx0 == kx1 {
					clear(seg)
					continue
				}
				if inner {
					continue // copied below
				}
				clear(seg[:kx0*cin])
				src := base + iy*sy + tx[kx0]*sx
				copy(seg[kx0*cin:kx1*cin], xc[src:src+(kx1-kx0)*cin])
				clear(seg[kx1*cin:])
			}
		}
		if n := full1 - full0; full0 >= 0 && n > 0 {
			step := 0
			if n > 1 {
				step = (txAll[(full0+1)*kw] - txAll[full0*kw]) * sx
			}
			for ky, iy := range ty {
				if iy < 0 {
					continue
				}
				d := (row + full0 - ox0 - first) * kdim
				src := base + iy*sy + txAll[full0*kw]*sx
				vec.CopyRows(patches[d+ky*width:], kdim, xc[src:], step, n, width)
			}
		}
		row = end
	}
}

// vecPaths is always true outside tests, which turn it off to compare the vector runs of the depthwise
// convolution and of im2col with the per-pixel loops bit for bit.
var vecPaths = true

// dwGradPath is always true outside tests, which turn it off to compare depthwiseKernelGrad with
// im2col + GEMM.
var dwGradPath = true

// depthwiseRunConvs counts the depthwise convolutions that ran as vector runs, im2colRunBlocks the
// blocks of patch rows im2col wrote with strided copies (for tests).
var depthwiseRunConvs, im2colRunBlocks atomic.Int64

// depthwiseRun: the outputs ox0 … ox0+n−1 have their tap valid, reading input pixels ix0 … ix0+n−1.
type depthwiseRun struct{ ox0, ix0, n int }

// depthwiseRuns returns, per kernel tap kx, the run of outputs whose tap is valid, when for every tap
// those outputs are consecutive and read consecutive input pixels (stride 1, any padding or kernel
// dilation) and pixels are adjacent in memory; otherwise nil.
func depthwiseRuns(table []int, outW, kw int, adjacent bool) []depthwiseRun {
	if !adjacent {
		return nil
	}
	runs := make([]depthwiseRun, kw)
	for kx := range kw {
		r := &runs[kx]
		for ox := range outW {
			ix := table[ox*kw+kx]
			if ix < 0 {
				if r.n > 0 {
					// A valid run ended: every later output must be invalid too.
					for o := ox + 1; o < outW; o++ {
						if table[o*kw+kx] >= 0 {
							return nil
						}
					}
					break
				}
				continue
			}
			if r.n == 0 {
				r.ox0, r.ix0 = ox, ix
			} else if ix != r.ix0+r.n {
				return nil
			}
			r.n++
		}
	}
	return runs
}

// axpyVec adds s[c]·w[c] to d[c], four at a time where it can.
func axpyVec[T float32 | float64](d, s, w []T) {
	n := len(d)
	s, w = s[:n], w[:n]
	c := 0
	for ; c+4 <= n; c += 4 {
		dd, ss, ww := d[c:c+4:c+4], s[c:c+4:c+4], w[c:c+4:c+4]
		dd[0] += ss[0] * ww[0]
		dd[1] += ss[1] * ww[1]
		dd[2] += ss[2] * ww[2]
		dd[3] += ss[3] * ww[3]
	}
	for ; c < n; c++ {
		d[c] += s[c] * w[c]
	}
}

// consecutiveTaps reports whether, for every output position, the valid entries of its kernel taps
// (table row o: input coordinate of tap j, or -1) are one run of consecutive input coordinates.
func consecutiveTaps(table []int, outN, k int) bool {
	for o := 0; o < outN; o++ {
		t := table[o*k : (o+1)*k]
		j := 0
		for j < k && t[j] < 0 {
			j++
		}
		for j+1 < k && t[j+1] >= 0 {
			if t[j+1] != t[j]+1 {
				return false
			}
			j++
		}
		for j++; j < k; j++ {
			if t[j] >= 0 {
				return false
			}
		}
	}
	return true
}

const (
	fusedMaxK  = 4096      // longest patch row for the fused im2col+GEMM path
	fusedBlock = 32 * 1024 // elements of patch rows one worker builds and multiplies at once
)

// groupOffsets returns, for group g, the first input channel and the input-image offset it reads.
func groupOffsets(p *convParams, g, cin, bOut int) (chOff, bOff int) {
	if p.groups > 1 {
		chOff = g * cin
	}
	if p.bgroups > 1 {
		bOff = g * bOut
	}
	return chOff, bOff
}

// parallelTasks runs task(0…n-1) on up to GOMAXPROCS goroutines; each goroutine keeps its own scratch
// slice across the tasks it runs. A panic in a task is re-raised on the caller's goroutine.
func parallelTasks[T any](n int, task func(i int, scratch *[]T)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		scratch := getScratch[T](0)
		for i := 0; i < n; i++ {
			task(i, scratch)
		}
		putScratch(scratch)
		return
	}
	var next atomic.Int64
	parallelFor(workers, 1, func(lo, hi int) {
		scratch := getScratch[T](0)
		for w := lo; w < hi; w++ {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					break
				}
				task(i, scratch)
			}
		}
		putScratch(scratch)
	})
}

// Scratch slices of the convolution kernels, reused across calls (a darts-pc iteration made 180 MB of
// them as garbage, which raised the heap the collector lets grow before it runs). getScratch returns
// one of length n, contents arbitrary (n = 0: whatever capacity the pool had, for tasks that grow it).
var scratchPools sync.Map // key: a nil *T (one per type); value: a *sync.Pool of *[]T

func getScratch[T any](n int) *[]T {
	pool := scratchPool[T]()
	s, _ := pool.Get().(*[]T)
	if s == nil {
		s = new([]T)
	}
	if cap(*s) < n {
		*s = make([]T, n)
	}
	*s = (*s)[:n]
	return s
}

func putScratch[T any](s *[]T) { scratchPool[T]().Put(s) }

func scratchPool[T any]() *sync.Pool {
	var key *T
	p, ok := scratchPools.Load(key)
	if !ok {
		p, _ = scratchPools.LoadOrStore(key, new(sync.Pool))
	}
	return p.(*sync.Pool)
}

// parallelFor splits [0, n) into contiguous parts over the available cores (at least minPart each).
func parallelFor(n, minPart int, f func(lo, hi int)) {
	workers := min(runtime.GOMAXPROCS(0), max(1, n/minPart))
	if workers <= 1 {
		f(0, n)
		return
	}
	part := (n + workers - 1) / workers
	parallel.Do((n+part-1)/part, func(w int) { f(w*part, min(n, (w+1)*part)) })
}

func prod(s []int) int {
	p := 1
	for _, v := range s {
		p *= v
	}
	return p
}

func isIdentity(perm []int) bool {
	for i, v := range perm {
		if i != v {
			return false
		}
	}
	return true
}

// transposed returns x with axes permuted (result axis i = source axis perm[i]); x itself if perm is the identity.
func transposed[T any](x []T, dims, perm []int) ([]T, []int) {
	outDims := make([]int, len(perm))
	for i, a := range perm {
		outDims[i] = dims[a]
	}
	if isIdentity(perm) {
		return x, outDims
	}
	out := make([]T, len(x))
	transposeInto(x, dims, perm, out)
	return out, outDims
}

// transposeInto writes into out the transposition of x (dims) where out's axis i is x's axis perm[i].
func transposeInto[T any](x []T, dims, perm []int, out []T) {
	rank := len(dims)
	if rank == 0 || len(x) == 0 {
		copy(out, x)
		return
	}
	srcStride := make([]int, rank)
	s := 1
	for a := rank - 1; a >= 0; a-- {
		srcStride[a] = s
		s *= dims[a]
	}
	outDims := make([]int, rank)
	strides := make([]int, rank) // source stride for each output axis
	for i, a := range perm {
		outDims[i] = dims[a]
		strides[i] = srcStride[a]
	}
	last := rank - 1
	inner, innerStride := outDims[last], strides[last]
	outer := len(x) / inner
	// Leading axes that stay in place, then a short permuted block whose inner rows are not contiguous
	// (PC-DARTS's channel shuffle: [B, H, W, g, C/g] → [B, H, W, C/g, g], rows of g elements): each
	// block is the same gather, from a table built once.
	q := 0
	for q < rank && perm[q] == q {
		q++
	}
	if block := prod(dims[q:]); innerStride != 1 && block <= 4096 && block < len(x) {
		table := make([]int, block)
		transposeInto(iotaInts(block), dims[q:], subPerm(perm[q:], q), table)
		parallelFor(len(x)/block, max(1, 4096/block), func(lo, hi int) {
			for blk := lo; blk < hi; blk++ {
				src, dst := x[blk*block:(blk+1)*block], out[blk*block:(blk+1)*block]
				for i, j := range table {
					dst[i] = src[j]
				}
			}
		})
		return
	}
	parallelFor(outer, 256, func(lo, hi int) {
		idx := make([]int, rank)
		rem := lo
		for a := last - 1; a >= 0; a-- {
			idx[a] = rem % outDims[a]
			rem /= outDims[a]
		}
		for row := lo; row < hi; row++ {
			src := 0
			for a := 0; a < last; a++ {
				src += idx[a] * strides[a]
			}
			dst := out[row*inner : (row+1)*inner]
			if innerStride == 1 {
				copy(dst, x[src:src+inner])
			} else {
				for i := range dst {
					dst[i] = x[src+i*innerStride]
				}
			}
			for a := last - 1; a >= 0; a-- {
				idx[a]++
				if idx[a] < outDims[a] {
					break
				}
				idx[a] = 0
			}
		}
	})
}

// iotaInts returns 0, 1, …, n−1.
func iotaInts(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// subPerm returns perm's entries less q: the permutation of the axes from q on, numbered from 0.
func subPerm(perm []int, q int) []int {
	s := make([]int, len(perm))
	for i, a := range perm {
		s[i] = a - q
	}
	return s
}

// useSwapped tells whether a convolution is better computed by convolveSwapped: ungrouped, no input
// dilation, and a kernel with more spatial positions than the output — the shape of the kernel
// gradient that GoMLX's autodiff builds (input = x with batch and channels swapped, kernel = the
// output gradient).
func useSwapped(p *convParams) bool {
	if p.groups != 1 || p.bgroups != 1 {
		return false
	}
	for _, d := range p.inDil {
		if d != 1 {
			return false
		}
	}
	kSize, oSize := 1, 1
	for i, a := range p.axes.KernelSpatial {
		kSize *= p.kernel.Dimensions[a]
		oSize *= p.out.Dimensions[p.axes.OutputSpatial[i]]
	}
	return kSize > 4*oSize || forceSwapped
}

// convolveSwapped computes out[b, o, co] = Σ_{c, k} in[b, o·s + k·d − p, c] · ker[c, k, co] with the
// roles of kernel and output positions exchanged: the patch matrix has one row per (input channel c,
// kernel position k) and one column per (output position o, batch b),
//
//	Q[(c, k), (o, b)] = in[b, k·d + o·s − p, c],
//
// so out[(o, b), co] = Qᵀ · K with K[(c, k), co] = ker[c, k, co]. For GoMLX's kernel gradients both
// operands are then used in their own memory layout (no transposition), and the long reduction over
// (c, k) is split over the cores, each worker building cache-sized blocks of Q.
func convolveSwapped[T float32 | float64](x, k, out []T, p *convParams) {
	ax := p.axes
	r := len(ax.InputSpatial)
	// Input as [C, S…, B] and kernel as [Cin, K…, Cout]: the identity for GoMLX's kernel gradients.
	xs, xsDims := transposed(x, p.in.Dimensions, canonPerm(ax.InputChannels, ax.InputSpatial, ax.InputBatch))
	ks, ksDims := transposed(k, p.kernel.Dimensions, canonPerm(ax.KernelInputChannels, ax.KernelSpatial, ax.KernelOutputChannels))
	C, B := xsDims[0], xsDims[r+1]
	inSp := xsDims[1 : r+1]
	kSp := ksDims[1 : r+1]
	cout := ksDims[r+1]
	outSp := make([]int, r)
	for i, a := range ax.OutputSpatial {
		outSp[i] = p.out.Dimensions[a]
	}
	K, O := prod(kSp), prod(outSp)
	width := O * B // columns of Q

	// Per axis: for kernel coordinate j (a row of Q) and output coordinate o (a column), the input
	// coordinate or -1. (Same layout as in convolve, with the two roles exchanged.)
	tables := make([][]int, r)
	for a := 0; a < r; a++ {
		t := make([]int, kSp[a]*outSp[a])
		for j := 0; j < kSp[a]; j++ {
			for o := 0; o < outSp[a]; o++ {
				pos := o*p.strides[a] + j*p.kDil[a] - p.paddings[a][0]
				v := -1
				if pos >= 0 && pos < inSp[a] {
					v = pos
				}
				t[j*outSp[a]+o] = v
			}
		}
		tables[a] = t
	}
	spStride := make([]int, r)
	st := B
	for a := r - 1; a >= 0; a-- {
		spStride[a] = st
		st *= inSp[a]
	}
	imgSize := st

	rows := C * K
	rowsPerTask := max(48, fusedBlock/max(1, width))
	tasks := (rows + rowsPerTask - 1) / rowsPerTask
	// Tasks are dealt to workers in fixed contiguous ranges and the partial sums are added in worker
	// order, so the result does not depend on scheduling (a restored search must replay bit for bit).
	workers := min(runtime.GOMAXPROCS(0), tasks)
	partials := make([]*[]T, workers)
	parallelFor(workers, 1, func(lo, hi int) {
		for w := lo; w < hi; w++ {
			acc := getScratch[T](width * cout)
			clear(*acc)
			patches := getScratch[T](rowsPerTask * width)
			for t := w * tasks / workers; t < (w+1)*tasks/workers; t++ {
				r0 := t * rowsPerTask
				r1 := min(rows, r0+rowsPerTask)
				q := (*patches)[:(r1-r0)*width]
				im2colRows(xs, q, r0, r1, 0, K, r, kSp, outSp, tables, spStride, imgSize, 0, B, width, r0)
				gemm.GemmTASerial(width, cout, r1-r0, q, width, ks[r0*cout:], cout, *acc, cout, true)
			}
			putScratch(patches)
			partials[w] = acc
		}
	})
	sum := *partials[0]
	for _, part := range partials[1:] {
		for i, v := range *part {
			sum[i] += v
		}
		putScratch(part)
	}
	defer putScratch(partials[0])
	// sum is [O…, B, Cout]; out's axes: batch, spatial…, channels in its own order.
	sumDims := append(append([]int(nil), outSp...), B, cout)
	perm := make([]int, r+2) // out axis j is sum axis perm[j]
	perm[ax.OutputBatch] = r
	perm[ax.OutputChannels] = r + 1
	for i, a := range ax.OutputSpatial {
		perm[a] = i
	}
	transposeInto(sum, sumDims, perm, out)
}

// forceSwapped makes every eligible convolution take convolveSwapped (tests).
var forceSwapped bool
