package kernels

// SelectAndScatter computes XLA's SelectAndScatter with a GE (selectMax) or LE (!selectMax)
// select function and an add scatter with 0 init: out (with operand's shape) is zeroed, then,
// for each window of operand (as in ReduceWindow with the given window, strides and paddings,
// no dilations; nil strides default to window), the value of source at the window's position
// is added to out at the position of the selected element: the first maximum (minimum) in
// window order. Padding positions are never selected; a window with no valid element drops
// its source value. source must have ReduceWindowDims(dims, window, strides, nil, nil, paddings).
//
// This is the gradient of ReduceWindow max (min) wrt its input, with source the output gradient.
func SelectAndScatter[T Float](operand []T, dims []int, source []T, window, strides []int, paddings [][2]int, selectMax bool, out []T) {
	n := prod(dims)
	out = out[:n]
	if len(dims) == 0 {
		if n > 0 && len(source) > 0 {
			out[0] = source[0]
		}
		return
	}
	w := newWindowConfig(dims, window, strides, nil, nil, paddings)
	if n == 0 {
		return
	}
	if prod(w.outDims) == 0 {
		fillParallel(out, 0)
		return
	}
	if w.nhwc() {
		selectAndScatterNHWC(operand, source, w.nhwcParams(), selectMax, out)
		return
	}
	selectAndScatterGeneral(operand, source, w, selectMax, out)
}

func selectAndScatterNHWC[T Float](x, src []T, p nhwcParams, selectMax bool, out []T) {
	N, H, W, C := p.N, p.H, p.W, p.C
	KH, KW, OH, OW := p.KH, p.KW, p.OH, p.OW
	work := N * OH * OW * C * KH * KW
	// Parallel units own disjoint parts of out: one image n, and a block of channels.
	nCB := 1
	if pp := numChunks(N*C, work); N < pp {
		nCB = min(C, (pp+N-1)/N)
	}
	parallelFor(N*nCB, work, func(lo, hi int) {
		best := make([]T, C)
		bestIdx := make([]int, C)
		for u := lo; u < hi; u++ {
			n, cb := u/nCB, u%nCB
			c0, c1 := C*cb/nCB, C*(cb+1)/nCB
			cw := c1 - c0
			if cw == 0 {
				continue
			}
			if nCB == 1 {
				clear(out[n*H*W*C : (n+1)*H*W*C])
			} else {
				for q := range H * W {
					off := (n*H*W+q)*C + c0
					clear(out[off : off+cw])
				}
			}
			b, bi := best[:cw], bestIdx[:cw]
			for oh := range OH {
				h0 := oh*p.SH - p.PH
				kh0, kh1 := max(0, -h0), min(KH, H-h0)
				if kh0 >= kh1 {
					continue
				}
				for ow := range OW {
					w0 := ow*p.SW - p.PW
					kw0, kw1 := max(0, -w0), min(KW, W-w0)
					if kw0 >= kw1 {
						continue
					}
					first := true
					for kh := kh0; kh < kh1; kh++ {
						for kw := kw0; kw < kw1; kw++ {
							off := ((n*H+h0+kh)*W+w0+kw)*C + c0
							in := x[off : off+cw]
							if first {
								copy(b, in)
								for c := range bi {
									bi[c] = off + c
								}
								first = false
								continue
							}
							if selectMax {
								selectMaxRow(in, b, bi, off)
							} else {
								selectMinRow(in, b, bi, off)
							}
						}
					}
					for c, bv := range b {
						if bv != bv { // NaN: redo the exact XLA select for this channel.
							bi[c] = selectScalar(x, ((n*H+h0)*W+w0)*C+c0+c, W*C, C, kh0, kh1, kw0, kw1, selectMax)
						}
					}
					s := src[((n*OH+oh)*OW+ow)*C+c0 : ((n*OH+oh)*OW+ow)*C+c1]
					for c, sv := range s {
						out[bi[c]] += sv
					}
				}
			}
		}
	})
}

func selectAndScatterGeneral[T Float](x, src []T, w *windowConfig, selectMax bool, out []T) {
	clear(out)
	rank := len(w.dims)
	offs, start := w.axisOffsets()
	nSrc := prod(w.outDims)
	coords := make([]int, rank)
	pos := make([]int, rank)
	lists := make([][]int, rank)
	for i := range nSrc {
		empty := false
		for a := range rank {
			lists[a] = offs[a][start[a][coords[a]]:start[a][coords[a]+1]]
			if len(lists[a]) == 0 {
				empty = true
			}
			pos[a] = 0
		}
		if !empty {
			last := lists[rank-1]
			bestOff := -1
			var best T
			for {
				base := 0
				for a := 0; a < rank-1; a++ {
					base += lists[a][pos[a]]
				}
				for _, o := range last {
					v := x[base+o]
					if bestOff < 0 || (selectMax && !(best >= v)) || (!selectMax && !(best <= v)) {
						best, bestOff = v, base+o
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
			out[bestOff] += src[i]
		}
		increment(w.outDims, coords)
	}
}

// selectScalar returns the flat index selected (XLA GE/LE select, first wins) in the window
// of one channel: positions base + kh*rowStride + kw*colStride for kh in [kh0,kh1), kw in [kw0,kw1).
func selectScalar[T Float](x []T, base, rowStride, colStride, kh0, kh1, kw0, kw1 int, selectMax bool) int {
	bestIdx := -1
	var best T
	for kh := kh0; kh < kh1; kh++ {
		for kw := kw0; kw < kw1; kw++ {
			i := base + kh*rowStride + kw*colStride
			v := x[i]
			if bestIdx < 0 || (selectMax && !(best >= v)) || (!selectMax && !(best <= v)) {
				best, bestIdx = v, i
			}
		}
	}
	return bestIdx
}

// selectMaxRow updates the running selection (b: best values, bi: their flat indices) of a row
// of channels with the candidates in (at flat indices off+c). The index is selected without
// branches (CMOV) with XLA's GE select (the first maximum wins); the running best value uses
// the builtin max, which differs from XLA's select only after a NaN: callers redo those.
// Not inlined: as its own function the loop keeps everything in registers.
//
//go:noinline
func selectMaxRow[T Float](in, b []T, bi []int, off int) {
	in = in[:len(b)]
	bi = bi[:len(b)]
	for c, v := range in {
		bv, k := b[c], bi[c]
		if !(bv >= v) {
			k = off + c
		}
		bi[c] = k
		b[c] = max(bv, v)
	}
}

// selectMinRow is like selectMaxRow, with XLA's LE select (the first minimum wins).
//
//go:noinline
func selectMinRow[T Float](in, b []T, bi []int, off int) {
	in = in[:len(b)]
	bi = bi[:len(b)]
	for c, v := range in {
		bv, k := b[c], bi[c]
		if !(bv <= v) {
			k = off + c
		}
		bi[c] = k
		b[c] = min(bv, v)
	}
}
