package purego

import (
	"testing"

	"github.com/gaeanas/gaeanas/backend/internal/gemm"
)

// TestSegmentsConvSameBits: convolutions that run as segmentsConv (im2col-free) give im2col + GEMM's
// bits, forward and gradients, on NB201's and the conv-net's 3×3 shapes (8, 16 and 24 channels: the
// AVX2 narrow and wide kernels; odd widths: partial tiles) and on 80 random configurations of the
// robustness test (strides, dilations, paddings, groups, both layouts), at least 10 of which take it
// (samePathBits).
func TestSegmentsConvSameBits(t *testing.T) {
	defer func() { segPaths = true }()
	chained := gemm.Level() != "avx512" // AVX-512's kernels have no chained mode: im2col + GEMM there
	fixed := []convCase{
		{b: 2, h: 9, w: 10, c: 8, kh: 3, kw: 3, cout: 8, same: true},
		{b: 1, h: 8, w: 13, c: 16, kh: 3, kw: 3, cout: 16, same: true},
		{b: 1, h: 7, w: 7, c: 24, kh: 3, kw: 3, cout: 24, same: true},
		{b: 2, h: 8, w: 8, c: 3, kh: 3, kw: 3, cout: 16, same: true},
		{b: 1, h: 9, w: 9, c: 8, kh: 3, kw: 3, cout: 8, dil: [2]int{2, 1}, same: true},
	}
	for i, cc := range fixed {
		before := segmentsConvs.Load()
		if samePathBits(t, int64(i), 1, []convCase{cc}, func(convCase) bool { return true }, &segPaths, &segmentsConvs); segmentsConvs.Load() == before && chained {
			t.Errorf("%+v: did not run as segmentsConv", cc)
		}
	}
	hits := samePathBits(t, 29, 80, nil, func(convCase) bool { return true }, &segPaths, &segmentsConvs)
	t.Logf("%d of the 80 random cases ran as segmentsConv", hits)
	if hits < 10 && chained {
		t.Errorf("only %d of the 80 random cases ran as segmentsConv", hits)
	}
}
