// Package kernels implements pure-Go compute kernels, on flat row-major slices, for the
// operations that GoMLX's simplego backend lacks and that convolutional-network training needs:
// Pad, Reverse, BatchNorm (training, inference and gradient), ReduceWindow and SelectAndScatter.
//
// Semantics follow the GoMLX backend interface (backends.Builder), which in turn follows XLA's
// operation semantics. All tensors are given as a flat slice plus its dimensions; outputs are
// written into caller-provided slices of the right size (see PadDims and ReduceWindowDims).
//
// Large tensors are processed in parallel over runtime.GOMAXPROCS(0) goroutines.
package kernels

import (
	"github.com/gaeanas/gaeanas/backend/internal/parallel"
	"runtime"
)

// Float is the constraint for the floating-point kernels.
type Float interface{ ~float32 | ~float64 }

// parallelThreshold is the amount of work (roughly, elements touched) below which kernels run
// on the calling goroutine only.
const parallelThreshold = 1 << 16

// numChunks returns how many parallel chunks to split n units of work into, where the whole
// work costs roughly `work` element operations.
func numChunks(n, work int) int {
	if n <= 1 || work < parallelThreshold {
		return 1
	}
	p := runtime.GOMAXPROCS(0)
	if m := work / (parallelThreshold / 2); m < p {
		p = m
	}
	if p > n {
		p = n
	}
	if p < 1 {
		p = 1
	}
	return p
}

// runChunks splits [0, n) in p contiguous chunks and runs fn(chunk, lo, hi) on each, in parallel
// (a panic in any chunk is re-raised on the calling goroutine).
func runChunks(n, p int, fn func(chunk, lo, hi int)) {
	if n <= 0 {
		return
	}
	if p <= 1 {
		fn(0, 0, n)
		return
	}
	parallel.Do(p, func(w int) { fn(w, n*w/p, n*(w+1)/p) })
}

// parallelFor runs fn over [0, n) split in chunks, in parallel if work is large enough.
func parallelFor(n, work int, fn func(lo, hi int)) {
	runChunks(n, numChunks(n, work), func(_, lo, hi int) { fn(lo, hi) })
}

// prod returns the product of the dimensions (1 for an empty list).
func prod(dims []int) int {
	n := 1
	for _, d := range dims {
		n *= d
	}
	return n
}

// stridesOf returns the row-major element strides of the dimensions.
func stridesOf(dims []int) []int {
	s := make([]int, len(dims))
	acc := 1
	for a := len(dims) - 1; a >= 0; a-- {
		s[a] = acc
		acc *= dims[a]
	}
	return s
}

// fillSlice sets all elements of s to v.
func fillSlice[T any](s []T, v T) {
	if len(s) == 0 {
		return
	}
	s[0] = v
	for i := 1; i < len(s); i *= 2 {
		copy(s[i:], s[:i])
	}
}

// fillParallel sets all elements of s to v, in parallel for large slices.
func fillParallel[T any](s []T, v T) {
	const block = 1 << 14
	nBlocks := (len(s) + block - 1) / block
	parallelFor(nBlocks, len(s), func(lo, hi int) {
		fillSlice(s[lo*block:min(hi*block, len(s))], v)
	})
}

// copyParallel copies src into dst (same length), in parallel for large slices.
func copyParallel[T any](dst, src []T) {
	const block = 1 << 14
	n := min(len(dst), len(src))
	nBlocks := (n + block - 1) / block
	parallelFor(nBlocks, n, func(lo, hi int) {
		copy(dst[lo*block:min(hi*block, n)], src[lo*block:min(hi*block, n)])
	})
}

// decode sets coords to the row-major coordinates of flat index idx within dims.
func decode(idx int, dims, coords []int) {
	for a := len(dims) - 1; a >= 0; a-- {
		coords[a] = idx % dims[a]
		idx /= dims[a]
	}
}

// increment advances coords to the next row-major position within dims.
func increment(dims, coords []int) {
	for a := len(dims) - 1; a >= 0; a-- {
		coords[a]++
		if coords[a] < dims[a] {
			return
		}
		coords[a] = 0
	}
}
