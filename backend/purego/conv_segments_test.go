package purego

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/gaeanas/gaeanas/backend/internal/gemm"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// TestSegmentsConvSameBits: convolutions that run as segmentsConv (im2col-free) give im2col + GEMM's
// bits, forward and gradients, on NB201's and the conv-net's 3×3 shapes (8, 16 and 24 channels: the
// AVX2 narrow and wide kernels; odd widths: partial tiles) and on 80 random configurations of the
// robustness test (strides, dilations, paddings, groups, both layouts), at least 15 of which take it.
func TestSegmentsConvSameBits(t *testing.T) {
	defer func() { segPaths = true }()
	chained := gemm.Level() != "avx512" // AVX-512's kernels have no chained mode: im2col + GEMM there
	rng := rand.New(rand.NewSource(29))
	hits := 0
	fixed := []convCase{
		{b: 2, h: 9, w: 10, c: 8, kh: 3, kw: 3, cout: 8, same: true},
		{b: 1, h: 8, w: 13, c: 16, kh: 3, kw: 3, cout: 16, same: true},
		{b: 1, h: 7, w: 7, c: 24, kh: 3, kw: 3, cout: 24, same: true},
		{b: 2, h: 8, w: 8, c: 3, kh: 3, kw: 3, cout: 16, same: true},
		{b: 1, h: 9, w: 9, c: 8, kh: 3, kw: 3, cout: 8, dil: [2]int{2, 1}, same: true},
	}
	for i := range 80 {
		cc := randomConvCase(rng, i, true)
		if i < len(fixed) {
			cc = fixed[i]
		}
		name := fmt.Sprintf("%+v", cc)
		run := func(on bool) []*tensors.Tensor {
			segPaths = on
			return cc.runWithGrads(t, New(), rand.New(rand.NewSource(int64(i))))
		}
		want := run(false)
		before := segmentsConvs.Load()
		got := run(true)
		if segmentsConvs.Load() > before {
			hits++
		} else if i < len(fixed) && chained {
			t.Errorf("%s: did not run as segmentsConv", name)
		}
		for o := range want {
			w, g := tensors.MustCopyFlatData[float32](want[o]), tensors.MustCopyFlatData[float32](got[o])
			for j := range w {
				if math.Float32bits(w[j]) != math.Float32bits(g[j]) {
					t.Fatalf("%s output %d element %d: %v with segments, %v without", name, o, j, g[j], w[j])
				}
			}
		}
	}
	t.Logf("%d of the 80 cases ran as segmentsConv", hits)
	if hits < 15 && chained {
		t.Errorf("only %d of the 80 cases ran as segmentsConv", hits)
	}
}
