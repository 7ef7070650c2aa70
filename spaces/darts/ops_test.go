package darts

import (
	"fmt"
	"math"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TestOpShapes runs every op at stride 1 and 2, with and without affine BN, and checks the output shape
// and the number of trainable parameters.
func TestOpShapes(t *testing.T) {
	b := testBackend(t)
	const n, h, c = 2, 8, 4
	for _, op := range allOps {
		for _, stride := range []int{1, 2} {
			for _, affine := range []bool{true, false} {
				name := fmt.Sprintf("%s/stride%d/affine=%v", op, stride, affine)
				ctx := context.New()
				exec := context.MustNewExec(b, ctx, func(ctx *context.Context, x *graph.Node) *graph.Node {
					ctx.SetTraining(x.Graph(), true)
					return Op(ctx, op, x, stride, affine, !affine)
				})
				out := exec.MustExec1(randomImages(n, h, h, c))
				want := []int{n, h / stride, h / stride, c}
				if got := out.Shape().Dimensions; fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s: shape %v, want %v", name, got, want)
				}
				wantParams := 0
				if affine {
					wantParams = OpParams(op, c, stride)
				} else if op != OpSkipConnect && op != OpNone && op != OpMaxPool3x3 && op != OpAvgPool3x3 {
					// Without affine BN only the convolution kernels remain.
					wantParams = OpParams(op, c, stride) - map[string]int{OpSepConv3x3: 4 * c, OpSepConv5x5: 4 * c, OpDilConv3x3: 2 * c, OpDilConv5x5: 2 * c}[op]
				} else if op == OpSkipConnect && stride == 2 {
					wantParams = c * c
				}
				if got := trainableParams(ctx); got != wantParams {
					t.Errorf("%s: %d trainable parameters, want %d", name, got, wantParams)
				}
			}
		}
	}
}

func run1(t *testing.T, fn func(x *graph.Node) *graph.Node, x *tensors.Tensor) []float32 {
	t.Helper()
	out := graph.MustExecOnce(testBackend(t), fn, x)
	return tensors.MustCopyFlatData[float32](out)
}

// TestPools checks padding semantics on a 3×3 single-channel image: the average excludes the padding
// (count_include_pad=False) and the max ignores it even when all values are negative.
func TestPools(t *testing.T) {
	img := []float32{-1, -2, -3, -4, -5, -6, -7, -8, -9}
	x := tensors.FromFlatDataAndDimensions(img, 1, 3, 3, 1)
	avg := run1(t, func(x *graph.Node) *graph.Node { return pool3x3(x, 1, false) }, x)
	// Corner (0,0) averages -1,-2,-4,-5 over 4 values: -3; centre averages all 9: -5.
	if math.Abs(float64(avg[0]+3)) > 1e-6 || math.Abs(float64(avg[4]+5)) > 1e-6 {
		t.Errorf("avg pool = %v", avg)
	}
	mx := run1(t, func(x *graph.Node) *graph.Node { return pool3x3(x, 1, true) }, x)
	want := []float32{-1, -1, -2, -1, -1, -2, -4, -4, -5}
	if fmt.Sprint(mx) != fmt.Sprint(want) {
		t.Errorf("max pool = %v, want %v", mx, want)
	}
	mx2 := run1(t, func(x *graph.Node) *graph.Node { return pool3x3(x, 2, true) }, x)
	if fmt.Sprint(mx2) != fmt.Sprint([]float32{-1, -2, -4, -5}) {
		t.Errorf("max pool stride 2 = %v", mx2)
	}
}

// TestChannelShuffle checks the PC-DARTS shuffle on a hand-made tensor: 8 channels in 4 groups of 2,
// [a0 a1 | b0 b1 | c0 c1 | d0 d1] → [a0 b0 c0 d0 a1 b1 c1 d1].
func TestChannelShuffle(t *testing.T) {
	data := make([]float32, 2*8)
	for i := range data {
		data[i] = float32(i) // pixel p, channel c = 8p + c
	}
	x := tensors.FromFlatDataAndDimensions(data, 1, 1, 2, 8)
	got := run1(t, func(x *graph.Node) *graph.Node { return ChannelShuffle(x, 4) }, x)
	want := []float32{0, 2, 4, 6, 1, 3, 5, 7, 8, 10, 12, 14, 9, 11, 13, 15}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ChannelShuffle = %v, want %v", got, want)
	}
	got = run1(t, func(x *graph.Node) *graph.Node { return ChannelShuffle(x, 2) }, x)
	want = []float32{0, 4, 1, 5, 2, 6, 3, 7, 8, 12, 9, 13, 10, 14, 11, 15}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("ChannelShuffle(2) = %v, want %v", got, want)
	}
}

// TestStridedDilatedConv checks that the dilated stride-2 convolution (computed at stride 1 and then
// subsampled) equals a direct evaluation of the strided formula.
func TestStridedDilatedConv(t *testing.T) {
	const h, k, pad, dil, stride = 7, 3, 2, 2, 2
	img := make([]float32, h*h)
	for i := range img {
		img[i] = float32((i*7)%11) - 5
	}
	ctx := context.New()
	exec := context.MustNewExec(testBackend(t), ctx, func(ctx *context.Context, x *graph.Node) *graph.Node {
		return Conv2D(ctx, x, 1, k, stride, pad, dil, 1)
	})
	out := tensors.MustCopyFlatData[float32](exec.MustExec1(tensors.FromFlatDataAndDimensions(img, 1, h, h, 1)))
	w := tensors.MustCopyFlatData[float32](ctx.GetVariableByScopeAndName("/", "weights").MustValue())
	ho := (h+2*pad-dil*(k-1)-1)/stride + 1
	if len(out) != ho*ho {
		t.Fatalf("output has %d values, want %d", len(out), ho*ho)
	}
	for i := 0; i < ho; i++ {
		for j := 0; j < ho; j++ {
			var want float32
			for a := 0; a < k; a++ {
				for b := 0; b < k; b++ {
					y, x := i*stride+a*dil-pad, j*stride+b*dil-pad
					if y >= 0 && y < h && x >= 0 && x < h {
						want += w[a*k+b] * img[y*h+x]
					}
				}
			}
			if d := math.Abs(float64(out[i*ho+j] - want)); d > 1e-4 {
				t.Errorf("out[%d,%d] = %g, want %g", i, j, out[i*ho+j], want)
			}
		}
	}
}

func TestFactorizedReduceOddChannelsPanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	buildOnly(t, context.New(), shapes.Make(dtypes.Float32, 1, 4, 4, 3), func(ctx *context.Context, x *graph.Node) []*graph.Node {
		return []*graph.Node{FactorizedReduce(ctx, x, 3, true)}
	})
}
