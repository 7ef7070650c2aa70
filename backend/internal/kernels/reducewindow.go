package kernels

import (
	"fmt"
	"math"

	"github.com/gaeanas/gaeanas/backend/internal/vec"

	"github.com/gomlx/gomlx/backends"
)

// windowConfig holds the normalized (defaults filled in) window parameters.
type windowConfig struct {
	dims, window, strides, baseDil, winDil, padLo, padHi, outDims []int
}

func newWindowConfig(dims, window, strides, baseDilations, windowDilations []int, paddings [][2]int) *windowConfig {
	rank := len(dims)
	w := &windowConfig{dims: dims}
	ones := func() []int {
		s := make([]int, rank)
		for i := range s {
			s[i] = 1
		}
		return s
	}
	w.window = window
	if len(w.window) == 0 {
		w.window = ones()
	}
	w.strides = strides
	if len(w.strides) == 0 {
		w.strides = w.window
	}
	w.baseDil = baseDilations
	if len(w.baseDil) == 0 {
		w.baseDil = ones()
	}
	w.winDil = windowDilations
	if len(w.winDil) == 0 {
		w.winDil = ones()
	}
	w.padLo = make([]int, rank)
	w.padHi = make([]int, rank)
	for a := 0; a < rank && a < len(paddings); a++ {
		w.padLo[a], w.padHi[a] = paddings[a][0], paddings[a][1]
	}
	w.outDims = make([]int, rank)
	for a := range rank {
		effIn := 0
		if dims[a] > 0 {
			effIn = (dims[a]-1)*w.baseDil[a] + 1
		}
		effWin := (w.window[a]-1)*w.winDil[a] + 1
		num := effIn + w.padLo[a] + w.padHi[a] - effWin
		if num < 0 {
			w.outDims[a] = 0
		} else {
			w.outDims[a] = num/w.strides[a] + 1
		}
	}
	return w
}

// ReduceWindowDims returns the output dimensions of ReduceWindow (and the dimensions of the
// source of SelectAndScatter, with nil dilations): for each axis
// floor(((dim-1)*baseDilation + 1 + padLow + padHigh - ((window-1)*windowDilation + 1)) / stride) + 1,
// or 0 if the effective window doesn't fit. Defaults are as in ReduceWindow.
func ReduceWindowDims(dims []int, window, strides, baseDilations, windowDilations []int, paddings [][2]int) []int {
	return newWindowConfig(dims, window, strides, baseDilations, windowDilations, paddings).outDims
}

// nhwc reports whether the window is trivial (size 1, stride 1, no padding) on the first and
// last axes, with no dilations anywhere and rank 3 or 4: that is, pooling of a channels-last
// image (or sequence) tensor.
func (w *windowConfig) nhwc() bool {
	rank := len(w.dims)
	if rank != 3 && rank != 4 {
		return false
	}
	for _, a := range []int{0, rank - 1} {
		if w.window[a] != 1 || w.strides[a] != 1 || w.padLo[a] != 0 || w.padHi[a] != 0 {
			return false
		}
	}
	for a := range rank {
		if w.baseDil[a] != 1 || w.winDil[a] != 1 {
			return false
		}
	}
	return true
}

// nhwcParams returns the 2-D spatial parameters of the nhwc() case (rank 3 becomes H=1).
type nhwcParams struct{ N, H, W, C, KH, KW, SH, SW, PH, PW, OH, OW int }

func (w *windowConfig) nhwcParams() nhwcParams {
	if len(w.dims) == 3 {
		return nhwcParams{N: w.dims[0], H: 1, W: w.dims[1], C: w.dims[2], KH: 1, KW: w.window[1],
			SH: 1, SW: w.strides[1], PH: 0, PW: w.padLo[1], OH: 1, OW: w.outDims[1]}
	}
	return nhwcParams{N: w.dims[0], H: w.dims[1], W: w.dims[2], C: w.dims[3], KH: w.window[1], KW: w.window[2],
		SH: w.strides[1], SW: w.strides[2], PH: w.padLo[1], PW: w.padLo[2], OH: w.outDims[1], OW: w.outDims[2]}
}

// axisOffsets returns, for each axis, the flat input offsets (index * element stride) of the
// valid (non-padding, non-hole) window elements for each output index, in window order:
// offs[a][start[a][o]:start[a][o+1]].
func (w *windowConfig) axisOffsets() (offs, start [][]int) {
	rank := len(w.dims)
	inStrides := stridesOf(w.dims)
	offs = make([][]int, rank)
	start = make([][]int, rank)
	for a := range rank {
		d, bd := w.dims[a], w.baseDil[a]
		effIn := (d-1)*bd + 1
		start[a] = make([]int, w.outDims[a]+1)
		for o := range w.outDims[a] {
			start[a][o] = len(offs[a])
			for k := range w.window[a] {
				p := o*w.strides[a] + k*w.winDil[a] - w.padLo[a]
				if p < 0 || p >= effIn || p%bd != 0 {
					continue
				}
				offs[a] = append(offs[a], (p/bd)*inStrides[a])
			}
		}
		start[a][w.outDims[a]] = len(offs[a])
	}
	return
}

func identity[T Float](op backends.ReduceOpType) T {
	switch op {
	case backends.ReduceOpSum:
		return 0
	case backends.ReduceOpProduct:
		return 1
	case backends.ReduceOpMax:
		return T(math.Inf(-1))
	case backends.ReduceOpMin:
		return T(math.Inf(1))
	}
	panic(fmt.Sprintf("kernels.ReduceWindow: unsupported reduction %s", op))
}

// addRow: o[i] += in[i] (o[i] + in[i], in package vec's loop: AVX for long float32 rows).
func addRow[T Float](o, in []T) { vec.VV(vec.Add, o, o, in) }

func mulRow[T Float](o, in []T) {
	in = in[:len(o)]
	for i, v := range in {
		o[i] *= v
	}
}

// maxRow and minRow propagate NaNs, like XLA.
func maxRow[T Float](o, in []T) {
	in = in[:len(o)]
	for i, v := range in {
		o[i] = max(o[i], v) // Builtin max propagates NaNs and is branchless.
	}
}

func minRow[T Float](o, in []T) {
	in = in[:len(o)]
	for i, v := range in {
		o[i] = min(o[i], v)
	}
}

func rowCombiner[T Float](op backends.ReduceOpType) func(o, in []T) {
	switch op {
	case backends.ReduceOpSum:
		return addRow[T]
	case backends.ReduceOpProduct:
		return mulRow[T]
	case backends.ReduceOpMax:
		return maxRow[T]
	case backends.ReduceOpMin:
		return minRow[T]
	}
	panic(fmt.Sprintf("kernels.ReduceWindow: unsupported reduction %s", op))
}

// ReduceWindow reduces (op: sum, product, max or min) each window of x into out, whose size
// must be prod(ReduceWindowDims(...)). window must have one entry per axis (nil means all 1);
// nil strides default to window; nil dilations to 1; nil paddings to 0. Padding and base
// dilation holes take the reduction's identity (0 for sum, 1 for product, -inf for max,
// +inf for min). Max and min propagate NaNs.
func ReduceWindow[T Float](x []T, dims []int, op backends.ReduceOpType, window, strides, baseDilations, windowDilations []int, paddings [][2]int, out []T) {
	id := identity[T](op)
	rank := len(dims)
	if rank == 0 {
		if len(out) > 0 && len(x) > 0 {
			out[0] = x[0]
		}
		return
	}
	w := newWindowConfig(dims, window, strides, baseDilations, windowDilations, paddings)
	nOut := prod(w.outDims)
	if nOut == 0 {
		return
	}
	out = out[:nOut]
	if prod(dims) == 0 {
		fillParallel(out, id)
		return
	}
	if w.nhwc() {
		reduceWindowNHWC(x, w.nhwcParams(), rowCombiner[T](op), op == backends.ReduceOpSum, id, out)
		return
	}
	reduceWindowGeneral(x, w, op, id, out)
}

// reduceWindowNHWC: sum says that combine is addRow (the separable form then adds the few
// channels of a horizontal window in place, without a call per pixel).
func reduceWindowNHWC[T Float](x []T, p nhwcParams, combine func(o, in []T), sum bool, id T, out []T) {
	N, H, W, C := p.N, p.H, p.W, p.C
	KH, KW, OH, OW := p.KH, p.KW, p.OH, p.OW
	if KH > 1 && KH*W+OW*KW < OW*KH*KW {
		reduceWindowNHWCSeparable(x, p, combine, sum, id, out)
		return
	}
	parallelFor(N*OH, N*OH*OW*C*KH*KW, func(lo, hi int) {
		for u := lo; u < hi; u++ {
			n, oh := u/OH, u%OH
			h0 := oh*p.SH - p.PH
			kh0, kh1 := max(0, -h0), min(KH, H-h0)
			for ow := range OW {
				w0 := ow*p.SW - p.PW
				kw0, kw1 := max(0, -w0), min(KW, W-w0)
				o := out[(u*OW+ow)*C : (u*OW+ow+1)*C]
				if kh0 >= kh1 || kw0 >= kw1 {
					fillSlice(o, id)
					continue
				}
				first := true
				for kh := kh0; kh < kh1; kh++ {
					base := ((n*H+h0+kh)*W + w0) * C
					for kw := kw0; kw < kw1; kw++ {
						in := x[base+kw*C : base+(kw+1)*C]
						if first {
							copy(o, in)
							first = false
						} else {
							combine(o, in)
						}
					}
				}
			}
		}
	})
}

func reduceWindowGeneral[T Float](x []T, w *windowConfig, op backends.ReduceOpType, id T, out []T) {
	rank := len(w.dims)
	offs, start := w.axisOffsets()
	nOut := len(out)
	winSize := prod(w.window)
	parallelFor(nOut, nOut*winSize, func(lo, hi int) {
		coords := make([]int, rank)
		pos := make([]int, rank)
		lists := make([][]int, rank)
		decode(lo, w.outDims, coords)
		for i := lo; i < hi; i++ {
			empty := false
			for a := range rank {
				lists[a] = offs[a][start[a][coords[a]]:start[a][coords[a]+1]]
				if len(lists[a]) == 0 {
					empty = true
				}
				pos[a] = 0
			}
			acc := id
			if !empty {
				last := lists[rank-1]
				for {
					base := 0
					for a := 0; a < rank-1; a++ {
						base += lists[a][pos[a]]
					}
					switch op {
					case backends.ReduceOpSum:
						for _, o := range last {
							acc += x[base+o]
						}
					case backends.ReduceOpProduct:
						for _, o := range last {
							acc *= x[base+o]
						}
					case backends.ReduceOpMax:
						for _, o := range last {
							acc = max(acc, x[base+o])
						}
					case backends.ReduceOpMin:
						for _, o := range last {
							acc = min(acc, x[base+o])
						}
					}
					a := rank - 2
					for ; a >= 0; a-- {
						pos[a]++
						if pos[a] < len(lists[a]) {
							break
						}
						pos[a] = 0
					}
					if a < 0 {
						break
					}
				}
			}
			out[i] = acc
			increment(w.outDims, coords)
		}
	})
}

// reduceWindowNHWCSeparable is used when windows overlap vertically: for each output row it
// first reduces the KH input rows (long contiguous loops) into a temporary row, and then
// reduces the horizontal windows of that row. Valid since the reductions are associative and
// commutative (the rounding order of sums and products changes, as with any ordering).
//
// With sum (combine is addRow) a horizontal window's channels are added in one loop, the taps in
// window order from the first valid one: the same operations, in the same order, as copy and
// addRow, so the same bits; at 8 channels addRow's call per pixel and tap cost more than the adds.
func reduceWindowNHWCSeparable[T Float](x []T, p nhwcParams, combine func(o, in []T), sum bool, id T, out []T) {
	N, H, W, C := p.N, p.H, p.W, p.C
	KH, KW, OH, OW := p.KH, p.KW, p.OH, p.OW
	rowLen := W * C
	parallelFor(N*OH, N*OH*(KH*W+OW*KW)*C, func(lo, hi int) {
		tmp := make([]T, rowLen)
		for u := lo; u < hi; u++ {
			n, oh := u/OH, u%OH
			h0 := oh*p.SH - p.PH
			kh0, kh1 := max(0, -h0), min(KH, H-h0)
			orow := out[u*OW*C : (u+1)*OW*C]
			if kh0 >= kh1 {
				fillSlice(orow, id)
				continue
			}
			base := (n*H + h0) * rowLen
			copy(tmp, x[base+kh0*rowLen:base+(kh0+1)*rowLen])
			for kh := kh0 + 1; kh < kh1; kh++ {
				combine(tmp, x[base+kh*rowLen:base+(kh+1)*rowLen])
			}
			// Stride-1 float32 sums: the outputs whose window lies inside the row add whole shifted
			// runs of tmp with package vec's loops (per element the same adds in the same order).
			skipLo, skipHi := 0, -1
			if t32, ok := any(tmp).([]float32); ok && sum && p.SW == 1 && vec.Accelerated() {
				lo, hi := p.PW, W-KW+p.PW // first and last output with all KW taps valid
				hi = min(hi, OW-1)
				if lo <= hi {
					o32 := any(orow).([]float32)[lo*C : (hi+1)*C]
					tap := func(kw int) []float32 { return t32[(lo-p.PW+kw)*C : (hi-p.PW+kw+1)*C] }
					if KW == 1 {
						copy(o32, tap(0))
					} else {
						vec.VV(vec.Add, o32, tap(0), tap(1))
						for kw := 2; kw < KW; kw++ {
							vec.VV(vec.Add, o32, o32, tap(kw))
						}
					}
					skipLo, skipHi = lo, hi
				}
			}
			for ow := 0; ow < OW; ow++ {
				if ow == skipLo && skipHi >= skipLo {
					ow = skipHi
					continue
				}
				w0 := ow*p.SW - p.PW
				kw0, kw1 := max(0, -w0), min(KW, W-w0)
				o := orow[ow*C : (ow+1)*C]
				if kw0 >= kw1 {
					fillSlice(o, id)
					continue
				}
				if sum {
					first := tmp[(w0+kw0)*C : (w0+kw1)*C]
					for c := range o {
						acc := first[c]
						for t := C + c; t < len(first); t += C {
							acc += first[t]
						}
						o[c] = acc
					}
					continue
				}
				copy(o, tmp[(w0+kw0)*C:(w0+kw0+1)*C])
				for kw := kw0 + 1; kw < kw1; kw++ {
					combine(o, tmp[(w0+kw)*C:(w0+kw+1)*C])
				}
			}
		}
	})
}
