package kernels

import (
	"math"

	"github.com/gaeanas/gaeanas/backend/internal/vec"
)

// bnLayout views a tensor as [outer, C, inner], with C the feature axis dimension.
func bnLayout(dims []int, featureAxis int) (outer, c, inner int) {
	if featureAxis < 0 {
		featureAxis += len(dims)
	}
	return prod(dims[:featureAxis]), dims[featureAxis], prod(dims[featureAxis+1:])
}

// channelReduce computes, for each channel c, float64 sums f over all elements of the channel,
// in parallel. For each element at flat position i of channel c, accumulate(acc1, acc2, c, ...)
// is abstracted by the two kernels below, which share this chunking logic.
//
// kind 0 (statistics): s1[c] = Σ (x - shift[c]),     s2[c] = Σ (x - shift[c])²
// kind 1 (gradient):   s1[c] = Σ g,                  s2[c] = Σ g·(x - shift[c])
// bnBlockRows: channelReduce's vec path sums 8 channels over this many rows, then the next 8, so
// that a block of rows stays in the L1/L2 cache across its channel chunks.
const bnBlockRows = 256

func channelReduce[T Float](x, g []T, outer, C, inner int, shift []float64, kind int) (s1, s2 []float64) {
	s1 = make([]float64, C)
	s2 = make([]float64, C)
	total := outer * C * inner
	if total == 0 {
		return
	}
	if inner == 1 {
		// Feature axis last: x is [outer, C]; split rows.
		p := numChunks(outer, total)
		parts1 := make([][]float64, p)
		parts2 := make([][]float64, p)
		runChunks(outer, p, func(w, lo, hi int) {
			a1 := make([]float64, C)
			a2 := make([]float64, C)
			sh := shift[:C]
			if x32, ok := any(x).([]float32); ok && vec.ChannelsOK(C) {
				// The same sums in package vec's loops, 8 channels at a time over blocks of rows (each
				// channel still adds its rows in order).
				g32, _ := any(g).([]float32)
				for r0 := lo; r0 < hi; r0 += bnBlockRows {
					n := min(bnBlockRows, hi-r0)
					for c0 := 0; c0 < C; c0 += 8 {
						if kind == 0 {
							vec.SumShiftedRows(x32[r0*C+c0:], n, C, sh[c0:], a1[c0:], a2[c0:])
						} else {
							vec.SumGradRows(x32[r0*C+c0:], g32[r0*C+c0:], n, C, sh[c0:], a1[c0:], a2[c0:])
						}
					}
				}
				parts1[w], parts2[w] = a1, a2
				return
			}
			for r := lo; r < hi; r++ {
				row := x[r*C : r*C+C]
				a1, a2 := a1[:len(row)], a2[:len(row)]
				sh := sh[:len(row)]
				if kind == 0 {
					for c, v := range row {
						d := float64(v) - sh[c]
						a1[c] += d
						a2[c] += d * d
					}
				} else {
					grow := g[r*C : r*C+C]
					grow = grow[:len(row)]
					for c, v := range row {
						gv := float64(grow[c])
						a1[c] += gv
						a2[c] += gv * (float64(v) - sh[c])
					}
				}
			}
			parts1[w], parts2[w] = a1, a2
		})
		for w := range parts1 {
			for c := range C {
				s1[c] += parts1[w][c]
				s2[c] += parts2[w][c]
			}
		}
		return
	}

	// General: split the outer*C rows of `inner` contiguous elements.
	nRows := outer * C
	p := numChunks(nRows, total)
	parts1 := make([][]float64, p)
	parts2 := make([][]float64, p)
	runChunks(nRows, p, func(w, lo, hi int) {
		a1 := make([]float64, C)
		a2 := make([]float64, C)
		for r := lo; r < hi; r++ {
			c := r % C
			row := x[r*inner : (r+1)*inner]
			sh := shift[c]
			var b1, b2 float64
			if kind == 0 {
				for _, v := range row {
					d := float64(v) - sh
					b1 += d
					b2 += d * d
				}
			} else {
				grow := g[r*inner : (r+1)*inner]
				grow = grow[:len(row)]
				for i, v := range row {
					gv := float64(grow[i])
					b1 += gv
					b2 += gv * (float64(v) - sh)
				}
			}
			a1[c] += b1
			a2[c] += b2
		}
		parts1[w], parts2[w] = a1, a2
	})
	for w := range parts1 {
		for c := range C {
			s1[c] += parts1[w][c]
			s2[c] += parts2[w][c]
		}
	}
	return
}

// bnAffine writes out = k1[c]*(x - m[c]) + k0[c] (+ k2[c]*g when g != nil), for each element of
// channel c.
func bnAffine[T Float](x, g []T, outer, C, inner int, m, k1, k0, k2 []T, out []T) {
	total := outer * C * inner
	if total == 0 {
		return
	}
	if inner == 1 {
		parallelFor(outer, total, func(lo, hi int) {
			if x32, ok := any(x).([]float32); ok && vec.ChannelsOK(C) {
				// The same expression in package vec's loop.
				o32, m32, k132, k032 := any(out).([]float32), any(m).([]float32), any(k1).([]float32), any(k0).([]float32)
				var g32, k232 []float32
				if g != nil {
					g32, k232 = any(g).([]float32)[lo*C:], any(k2).([]float32)
				}
				vec.AffineRows(x32[lo*C:], g32, o32[lo*C:], hi-lo, C, m32, k132, k032, k232)
				return
			}
			for r := lo; r < hi; r++ {
				row := x[r*C : r*C+C]
				o := out[r*C : r*C+C]
				o = o[:len(row)]
				m, k1, k0 := m[:len(row)], k1[:len(row)], k0[:len(row)]
				if g == nil {
					for c, v := range row {
						o[c] = k1[c]*(v-m[c]) + k0[c]
					}
				} else {
					grow := g[r*C : r*C+C]
					grow = grow[:len(row)]
					k2 := k2[:len(row)]
					for c, v := range row {
						o[c] = k1[c]*(v-m[c]) + k2[c]*grow[c] + k0[c]
					}
				}
			}
		})
		return
	}
	parallelFor(outer*C, total, func(lo, hi int) {
		for r := lo; r < hi; r++ {
			c := r % C
			row := x[r*inner : (r+1)*inner]
			o := out[r*inner : (r+1)*inner]
			o = o[:len(row)]
			mc, a, b := m[c], k1[c], k0[c]
			if g == nil {
				for i, v := range row {
					o[i] = a*(v-mc) + b
				}
			} else {
				grow := g[r*inner : (r+1)*inner]
				grow = grow[:len(row)]
				gk := k2[c]
				for i, v := range row {
					o[i] = a*(v-mc) + gk*grow[i] + b
				}
			}
		}
	})
}

// BatchNormTraining normalizes x with the batch statistics of each feature (the biased batch
// variance), writing out = (x - mean) * scale / sqrt(variance + eps) + offset, and the batch
// mean and variance (each of length dims[featureAxis]). Statistics are accumulated in float64.
func BatchNormTraining[T Float](x []T, dims []int, scale, offset []T, eps float32, featureAxis int, out, mean, variance []T) {
	outer, C, inner := bnLayout(dims, featureAxis)
	n := outer * inner
	if C == 0 {
		return
	}
	if n == 0 {
		for c := range C {
			mean[c], variance[c] = T(math.NaN()), T(math.NaN())
		}
		return
	}
	// Shift each channel by its first element for a numerically stable one-pass variance.
	shift := make([]float64, C)
	for c := range C {
		shift[c] = float64(x[c*inner])
	}
	s1, s2 := channelReduce[T](x, nil, outer, C, inner, shift, 0)
	m := make([]T, C)
	k1 := make([]T, C)
	k0 := make([]T, C)
	fn := float64(n)
	for c := range C {
		d := s1[c] / fn
		mu := shift[c] + d
		v := max(s2[c]/fn-d*d, 0)
		mean[c], variance[c] = T(mu), T(v)
		m[c] = T(mu)
		k1[c] = T(float64(scale[c]) / math.Sqrt(v+float64(eps)))
		k0[c] = offset[c]
	}
	bnAffine(x, nil, outer, C, inner, m, k1, k0, nil, out)
}

// BatchNormInference writes out = (x - mean) * scale / sqrt(variance + eps) + offset, with the
// given per-feature mean and variance.
func BatchNormInference[T Float](x []T, dims []int, scale, offset, mean, variance []T, eps float32, featureAxis int, out []T) {
	outer, C, inner := bnLayout(dims, featureAxis)
	k1 := make([]T, C)
	for c := range C {
		k1[c] = T(float64(scale[c]) / math.Sqrt(float64(variance[c])+float64(eps)))
	}
	bnAffine(x, nil, outer, C, inner, mean[:C], k1, offset[:C], nil, out)
}

// BatchNormGradient computes the gradients of batch normalization in training mode, where mean
// and variance are the batch statistics of x, given gradOut, the gradient wrt the BN output
// (XLA's BatchNormGrad):
//
//	gradOffset = Σ gradOut
//	gradScale  = Σ gradOut·(x-mean) / sqrt(variance+eps)
//	gradX      = scale/sqrt(variance+eps) · (gradOut - mean(gradOut) - (x-mean)·mean(gradOut·(x-mean))/(variance+eps))
//
// where sums and means are over all axes but the feature axis.
func BatchNormGradient[T Float](x []T, dims []int, scale, mean, variance, gradOut []T, eps float32, featureAxis int, gradX, gradScale, gradOffset []T) {
	outer, C, inner := bnLayout(dims, featureAxis)
	n := outer * inner
	if C == 0 {
		return
	}
	shift := make([]float64, C)
	for c := range C {
		shift[c] = float64(mean[c])
	}
	sG, sGX := channelReduce(x, gradOut, outer, C, inner, shift, 1)
	if n == 0 {
		for c := range C {
			gradScale[c], gradOffset[c] = 0, 0
		}
		return
	}
	fn := float64(n)
	k1 := make([]T, C) // multiplies (x - mean)
	k2 := make([]T, C) // multiplies gradOut
	k0 := make([]T, C) // constant
	for c := range C {
		ve := float64(variance[c]) + float64(eps)
		inv := 1 / math.Sqrt(ve)
		sc := float64(scale[c]) * inv
		gradOffset[c] = T(sG[c])
		gradScale[c] = T(sGX[c] * inv)
		k2[c] = T(sc)
		k1[c] = T(-sc * sGX[c] / (fn * ve))
		k0[c] = T(-sc * sG[c] / fn)
	}
	bnAffine(x, gradOut, outer, C, inner, mean[:C], k1, k0, k2, gradX)
}
