package kernels

import (
	"slices"

	"github.com/gomlx/gomlx/backends"
)

// PadDims returns the output dimensions of Pad: for each axis
// Start + End + dim + (dim-1)*Interior (clamped at 0). Missing axes in cfg are not padded.
func PadDims(dims []int, cfg []backends.PadAxis) []int {
	out := slices.Clone(dims)
	for a := 0; a < len(dims) && a < len(cfg); a++ {
		c := cfg[a]
		d := dims[a]
		n := d + c.Start + c.End
		if d > 0 {
			n += (d - 1) * c.Interior
		}
		out[a] = max(n, 0)
	}
	return out
}

// Pad writes into out (of size prod(PadDims(dims, cfg))) the tensor x padded with fill,
// following XLA's Pad semantics: Start/End padding may be negative (cropping, applied after the
// interior padding), Interior padding (>= 0) inserts that many fill values between consecutive
// elements of the axis. Missing axes in cfg are not padded.
func Pad[T any](x []T, dims []int, fill T, cfg []backends.PadAxis, out []T) {
	rank := len(dims)
	if rank == 0 {
		if len(out) > 0 && len(x) > 0 {
			out[0] = x[0]
		}
		return
	}
	cfgs := make([]backends.PadAxis, rank)
	copy(cfgs, cfg)
	outDims := PadDims(dims, cfgs)
	total := prod(outDims)
	if total == 0 {
		return
	}
	out = out[:total]
	if prod(dims) == 0 {
		fillParallel(out, fill)
		return
	}

	// Axes after k are not padded at all: they are handled as contiguous blocks of B elements.
	k := rank - 1
	for k > 0 && cfgs[k] == (backends.PadAxis{}) {
		k--
	}
	B := prod(dims[k+1:])
	hasInterior := false
	for a := 0; a <= k; a++ {
		if cfgs[a].Interior != 0 {
			hasInterior = true
		}
	}
	inStrides := stridesOf(dims)
	outStrides := stridesOf(outDims)
	s, d, od := cfgs[k].Start, dims[k], outDims[k]

	if !hasInterior {
		// Fast path: each output row (along axis k, times B) is fill + contiguous copy + fill.
		lo, hi := max(0, -s), min(d, od-s) // Range of input indices along axis k that survive.
		rowLen := od * B
		outerDims := outDims[:k]
		nRows := prod(outerDims)
		parallelFor(nRows, total, func(r0, r1 int) {
			coords := make([]int, k)
			decode(r0, outerDims, coords)
			for r := r0; r < r1; r++ {
				orow := out[r*rowLen : (r+1)*rowLen]
				inOff, valid := 0, true
				for a := 0; a < k; a++ {
					i := coords[a] - cfgs[a].Start
					if i < 0 || i >= dims[a] {
						valid = false
						break
					}
					inOff += i * inStrides[a]
				}
				if !valid || hi <= lo {
					fillSlice(orow, fill)
				} else {
					fillSlice(orow[:(lo+s)*B], fill)
					copy(orow[(lo+s)*B:(hi+s)*B], x[inOff+lo*B:inOff+hi*B])
					fillSlice(orow[(hi+s)*B:], fill)
				}
				increment(outerDims, coords)
			}
		})
		return
	}

	// General path (interior padding): fill everything, then scatter the input rows.
	fillParallel(out, fill)
	outerDims := dims[:k]
	nRows := prod(outerDims)
	step := cfgs[k].Interior + 1
	parallelFor(nRows, prod(dims), func(r0, r1 int) {
		coords := make([]int, k)
		decode(r0, outerDims, coords)
		for r := r0; r < r1; r++ {
			outOff, valid := 0, true
			for a := 0; a < k; a++ {
				o := cfgs[a].Start + coords[a]*(cfgs[a].Interior+1)
				if o < 0 || o >= outDims[a] {
					valid = false
					break
				}
				outOff += o * outStrides[a]
			}
			if valid {
				inRow := x[r*d*B : (r+1)*d*B]
				if B == 1 {
					orow := out[outOff : outOff+od]
					for i, v := range inRow {
						o := s + i*step
						if o < 0 {
							continue
						}
						if o >= od {
							break
						}
						orow[o] = v
					}
				} else {
					for i := 0; i < d; i++ {
						o := s + i*step
						if o < 0 {
							continue
						}
						if o >= od {
							break
						}
						copy(out[outOff+o*B:outOff+(o+1)*B], inRow[i*B:(i+1)*B])
					}
				}
			}
			increment(outerDims, coords)
		}
	})
}

// Reverse writes into out (same shape as x) the tensor x with the given axes reversed.
func Reverse[T any](x []T, dims []int, axes []int, out []T) {
	rank := len(dims)
	n := prod(dims)
	if n == 0 {
		return
	}
	rev := make([]bool, rank)
	for _, a := range axes {
		if a < 0 {
			a += rank
		}
		rev[a] = true
	}
	r := -1
	for a := rank - 1; a >= 0; a-- {
		if rev[a] && dims[a] > 1 {
			r = a
			break
		}
	}
	if r < 0 {
		copyParallel(out[:n], x[:n])
		return
	}
	// Axes after r are copied as contiguous blocks of B elements; axis r is reversed block-wise;
	// axes before r are iterated.
	B := prod(dims[r+1:])
	D := dims[r]
	outerDims := dims[:r]
	strides := stridesOf(dims)
	parallelFor(prod(outerDims), n, func(r0, r1 int) {
		coords := make([]int, r)
		decode(r0, outerDims, coords)
		for row := r0; row < r1; row++ {
			inOff := 0
			for a := 0; a < r; a++ {
				c := coords[a]
				if rev[a] {
					c = dims[a] - 1 - c
				}
				inOff += c * strides[a]
			}
			outRow := out[row*D*B : (row+1)*D*B]
			inRow := x[inOff : inOff+D*B]
			if B == 1 {
				for j := range outRow {
					outRow[j] = inRow[D-1-j]
				}
			} else {
				for j := 0; j < D; j++ {
					copy(outRow[j*B:(j+1)*B], inRow[(D-1-j)*B:(D-j)*B])
				}
			}
			increment(outerDims, coords)
		}
	})
}
