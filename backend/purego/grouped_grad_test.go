package purego

// Gradients of channel-grouped convolutions (depthwise included) as computed by package gradients'
// replacement VJP (one convolution per gradient instead of GoMLX's 2·G): against central finite
// differences, and against GoMLX's original VJP where that one is right.

import (
	"math"
	"math/rand"
	"testing"
	"time"

	"github.com/gaeanas/gaeanas/backend/gradients"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
)

var groupedGradCases = []convCase{
	{name: "dw3x3/s1/p1/b1/even", b: 1, h: 6, w: 6, c: 4, kh: 3, kw: 3, cout: 4, groups: 4, pad: [2][2]int{{1, 1}, {1, 1}}},
	{name: "dw3x3/s1/p1/b3/odd", b: 3, h: 5, w: 7, c: 3, kh: 3, kw: 3, cout: 3, groups: 3, pad: [2][2]int{{1, 1}, {1, 1}}},
	{name: "dw5x5/s2/p2/b1/odd", b: 1, h: 7, w: 9, c: 3, kh: 5, kw: 5, cout: 3, groups: 3, stride: [2]int{2, 2}, pad: [2][2]int{{2, 2}, {2, 2}}},
	{name: "dw5x5/s2/p2/b3/even", b: 3, h: 8, w: 6, c: 2, kh: 5, kw: 5, cout: 2, groups: 2, stride: [2]int{2, 2}, pad: [2][2]int{{2, 2}, {2, 2}}},
	{name: "dw3x3/s2/same/even", b: 2, h: 6, w: 8, c: 3, kh: 3, kw: 3, cout: 3, groups: 3, stride: [2]int{2, 2}, same: true},
	{name: "dw3x3/dil2/p2/odd", b: 1, h: 7, w: 7, c: 3, kh: 3, kw: 3, cout: 3, groups: 3, dil: [2]int{2, 2}, pad: [2][2]int{{2, 2}, {2, 2}}},
	{name: "dw3x3/dil2/p2/b3/even", b: 3, h: 8, w: 6, c: 2, kh: 3, kw: 3, cout: 2, groups: 2, dil: [2]int{2, 2}, pad: [2][2]int{{2, 2}, {2, 2}}},
	{name: "dw5x5/dil2/same", b: 1, h: 9, w: 8, c: 2, kh: 5, kw: 5, cout: 2, groups: 2, dil: [2]int{2, 2}, same: true},
	{name: "dw/multiplier2", b: 1, h: 5, w: 6, c: 3, kh: 3, kw: 3, cout: 6, groups: 3, pad: [2][2]int{{1, 1}, {1, 1}}},
	{name: "dw/multiplier2/s2/b3", b: 3, h: 6, w: 5, c: 2, kh: 3, kw: 3, cout: 4, groups: 2, stride: [2]int{2, 2}, same: true},
	{name: "groups2/cg2/og3", b: 2, h: 5, w: 6, c: 4, kh: 3, kw: 3, cout: 6, groups: 2, same: true},
	{name: "groups3/cg2/og2/s2", b: 1, h: 7, w: 6, c: 6, kh: 3, kw: 3, cout: 6, groups: 3, stride: [2]int{2, 2}, same: true},
	{name: "groups3/cg3/og1/nopad", b: 3, h: 6, w: 7, c: 9, kh: 3, kw: 3, cout: 3, groups: 3},
	{name: "groups2/cg3/og2/dil2", b: 1, h: 8, w: 7, c: 6, kh: 3, kw: 3, cout: 4, groups: 2, dil: [2]int{2, 2}, same: true},
	{name: "nchw/dw3x3/s1/p1", b: 1, h: 6, w: 5, c: 4, kh: 3, kw: 3, cout: 4, groups: 4, pad: [2][2]int{{1, 1}, {1, 1}}, nchw: true},
	{name: "nchw/dw5x5/s2/p2/b3", b: 3, h: 7, w: 8, c: 2, kh: 5, kw: 5, cout: 2, groups: 2, stride: [2]int{2, 2}, pad: [2][2]int{{2, 2}, {2, 2}}, nchw: true},
	{name: "nchw/dw3x3/dil2/p2", b: 2, h: 7, w: 6, c: 3, kh: 3, kw: 3, cout: 3, groups: 3, dil: [2]int{2, 2}, pad: [2][2]int{{2, 2}, {2, 2}}, nchw: true},
	{name: "nchw/dw/multiplier2", b: 1, h: 5, w: 5, c: 3, kh: 3, kw: 3, cout: 6, groups: 3, same: true, nchw: true},
	{name: "nchw/groups2/cg2/og3/s2", b: 3, h: 6, w: 7, c: 4, kh: 3, kw: 3, cout: 6, groups: 2, stride: [2]int{2, 2}, same: true, nchw: true},
	{name: "nchw/groups3/cg2/og2", b: 1, h: 5, w: 6, c: 6, kh: 3, kw: 3, cout: 6, groups: 3, same: true, nchw: true},
}

// groupedGradCasesBeyondGoMLX are outside the domain of GoMLX's conv VJP (even kernels, paddings larger
// than "same": wrong or refused there); only checked against finite differences.
var groupedGradCasesBeyondGoMLX = []convCase{
	{name: "dw2x2/s1/p(0,1)", b: 2, h: 5, w: 6, c: 3, kh: 2, kw: 2, cout: 3, groups: 3, pad: [2][2]int{{0, 1}, {0, 1}}},
	{name: "dw2x4/s3x1/same", b: 1, h: 7, w: 6, c: 2, kh: 2, kw: 4, cout: 2, groups: 2, stride: [2]int{3, 1}, same: true},
	{name: "groups2/3x3/pad3", b: 1, h: 4, w: 5, c: 4, kh: 3, kw: 3, cout: 2, groups: 2, pad: [2][2]int{{3, 0}, {2, 3}}},
	{name: "nchw/dw4x3/s2/dil1", b: 2, h: 8, w: 7, c: 2, kh: 4, kw: 3, cout: 4, groups: 2, stride: [2]int{2, 2}, pad: [2][2]int{{1, 2}, {1, 1}}, nchw: true},
}

func TestGroupedConvGradientsFiniteDiff(t *testing.T) {
	be := New()
	rng := rand.New(rand.NewSource(40))
	maxErr := 0.0
	for _, cc := range append(append([]convCase(nil), groupedGradCases...), groupedGradCasesBeyondGoMLX...) {
		x, k := cc.data(rng)
		e := gradCheck(t, be, rng, cc.name, conv2(cc), x, k)
		t.Logf("%-26s max |autodiff - finite diff| %.3g", cc.name, e)
		maxErr = math.Max(maxErr, e)
	}

	// 1-D and 3-D depthwise convolutions, and stride with kernel dilation together (ConvGeneral itself:
	// GoMLX's Convolve builder refuses the latter).
	x1, k1 := randArr(rng, 2, 9, 3), randArr(rng, 3, 1, 3)
	e := gradCheck(t, be, rng, "1d/dw3/s2/same", func(ins []*Node) *Node {
		return Convolve(ins[0], ins[1]).StridePerAxis(2).PadSame().ChannelGroupCount(3).Done()
	}, x1, k1)
	t.Logf("%-26s max |autodiff - finite diff| %.3g", "1d/dw3/s2/same", e)
	maxErr = math.Max(maxErr, e)
	x3, k3 := randArr(rng, 1, 4, 5, 3, 4), randArr(rng, 3, 3, 2, 1, 4)
	e = gradCheck(t, be, rng, "3d/dw3x3x2/same", func(ins []*Node) *Node {
		return Convolve(ins[0], ins[1]).PadSame().ChannelGroupCount(4).Done()
	}, x3, k3)
	t.Logf("%-26s max |autodiff - finite diff| %.3g", "3d/dw3x3x2/same", e)
	maxErr = math.Max(maxErr, e)
	xs, ks := randArr(rng, 2, 11, 10, 4), randArr(rng, 3, 3, 2, 6)
	e = gradCheck(t, be, rng, "general/g2/s2/dil2/pad", func(ins []*Node) *Node {
		axes := backends.ConvolveAxesConfig{InputBatch: 0, InputSpatial: []int{1, 2}, InputChannels: 3,
			KernelSpatial: []int{0, 1}, KernelInputChannels: 2, KernelOutputChannels: 3,
			OutputBatch: 0, OutputSpatial: []int{1, 2}, OutputChannels: 3}
		return ConvGeneral(ins[0], ins[1], axes, []int{2, 2}, [][2]int{{2, 1}, {1, 2}}, nil, []int{2, 2}, 2, 1)
	}, xs, ks)
	t.Logf("%-26s max |autodiff - finite diff| %.3g", "general/g2/s2/dil2/pad", e)
	maxErr = math.Max(maxErr, e)
	t.Logf("grouped conv gradients: max |autodiff - finite diff| over all cases %.3g (tolerance %g)", maxErr, gradTol)
}

// groupedGrads returns (mine, GoMLX's) gradients of L = Σ w ⊙ conv(x, k) w.r.t. x and k.
func groupedGrads(t *testing.T, cc convCase, x, k, w arr) (mine, orig []arr) {
	t.Helper()
	f := cc.graphFn()
	outs, err := execN(New(), func(ins []*Node) []*Node {
		y := f(ins[0], ins[1])
		mine := Gradient(ReduceAllSum(Mul(y, ins[2])), ins[0], ins[1])
		orig := gradients.GoMLXConvGeneralVJP(y, []*Node{ins[2]}, y.Shape())
		return append(mine, orig...)
	}, x.tensor(dtypes.Float64), k.tensor(dtypes.Float64), w.tensor(dtypes.Float64))
	if err != nil {
		t.Fatalf("%s: %+v", cc.name, err)
	}
	for i, o := range outs {
		if i < 2 {
			mine = append(mine, fromTensor(o))
		} else {
			orig = append(orig, fromTensor(o))
		}
	}
	return mine, orig
}

func TestGroupedConvGradientsMatchGoMLX(t *testing.T) {
	rng := rand.New(rand.NewSource(41))
	maxDiff := 0.0
	for _, cc := range groupedGradCases {
		x, k := cc.data(rng)
		want := cc.reference(x, k)
		w := randArr(rng, want.dims...)
		mine, orig := groupedGrads(t, cc, x, k, w)
		d := 0.0
		for i := range mine {
			if !sameDims(mine[i].dims, orig[i].dims) {
				t.Fatalf("%s: gradient #%d shape %v, GoMLX's %v", cc.name, i, mine[i].dims, orig[i].dims)
			}
			for j := range mine[i].v {
				d = math.Max(d, math.Abs(mine[i].v[j]-orig[i].v[j]))
			}
		}
		if !(d <= 1e-10) {
			t.Errorf("%s: max |mine - GoMLX's| = %.3g", cc.name, d)
		}
		t.Logf("%-26s max |mine - GoMLX's| %.3g", cc.name, d)
		maxDiff = math.Max(maxDiff, d)
	}
	t.Logf("grouped conv gradients vs GoMLX's VJP: max difference %.3g", maxDiff)
}

// TestDepthwiseGradientTiming times the gradient of a depthwise 3×3 convolution (C=48, 16×16, batch 16,
// float32) on purego with this VJP and with GoMLX's (the registry entry swapped for the measurement).
func TestDepthwiseGradientTiming(t *testing.T) {
	if testing.Short() {
		t.Skip("timing")
	}
	be := New()
	rng := rand.New(rand.NewSource(42))
	const B, H, W, C = 16, 16, 16, 48
	x, k, w := randArr(rng, B, H, W, C), randArr(rng, 3, 3, 1, C), randArr(rng, B, H, W, C)
	grad := func(ins []*Node) []*Node {
		y := Convolve(ins[0], ins[1]).PadSame().ChannelGroupCount(C).Done()
		return Gradient(ReduceAllSum(Mul(y, ins[2])), ins[0], ins[1])
	}
	measure := func() (nodes int, build, run time.Duration, res []arr) {
		t0 := time.Now()
		e := MustNewExec(be, grad)
		defer e.Finalize()
		args := []any{x.tensor(dtypes.Float32), k.tensor(dtypes.Float32), w.tensor(dtypes.Float32)}
		out := e.MustExec(args...) // first call builds the graph
		build = time.Since(t0)
		for _, o := range out {
			res = append(res, fromTensor(o))
		}
		run = time.Hour
		for range 10 { // the fastest of 10 runs: the least disturbed by other processes
			t0 = time.Now()
			e.MustExec(args...)
			run = min(run, time.Since(t0))
		}
		return
	}
	_, bMine, rMine, mine := measure()
	mineVJP := VJPRegistration[NodeTypeConvGeneral]
	VJPRegistration[NodeTypeConvGeneral] = gradients.GoMLXConvGeneralVJP
	_, bOrig, rOrig, orig := measure()
	VJPRegistration[NodeTypeConvGeneral] = mineVJP
	d := 0.0
	for i := range mine {
		for j := range mine[i].v {
			d = math.Max(d, math.Abs(mine[i].v[j]-orig[i].v[j])/(1+math.Abs(orig[i].v[j])))
		}
	}
	if d > 1e-4 {
		t.Errorf("float32 gradients differ from GoMLX's by %.3g (relative)", d)
	}
	t.Logf("depthwise 3x3 gradient, B=%d %dx%d C=%d float32 on purego: GoMLX's VJP build+first run %v, run (best of 10) %v; "+
		"grouped VJP build+first run %v, run %v (max rel diff %.2g)", B, H, W, C, bOrig, rOrig, bMine, rMine, d)
}
