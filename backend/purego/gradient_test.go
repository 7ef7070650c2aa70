package purego

// Gradient tests: GoMLX autodiff (graph.Gradient) run ON purego against central finite differences of
// L = Σ w ⊙ op(inputs), w fixed random, all in float64.

import (
	"fmt"
	_ "github.com/gaeanas/gaeanas/backend/gradients"
	"math"
	"math/rand"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/core/tensors/images"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers/batchnorm"
)

const (
	fdEps   = 1e-5
	gradTol = 1e-6
)

// gradCheck compares the autodiff gradient of L = Σ w⊙f(inputs) w.r.t. every input with central finite
// differences and returns the max abs error over all inputs.
func gradCheck(t *testing.T, be backends.Backend, rng *rand.Rand, name string, f func(ins []*Node) *Node, inputs ...arr) float64 {
	t.Helper()
	n := len(inputs)
	fwd, err := ExecOnce(be, f, tensorsOf(inputs)...)
	if err != nil {
		t.Errorf("%s: forward: %+v", name, err)
		return math.Inf(1)
	}
	w := randArr(rng, fwd.Shape().Dimensions...)
	loss := func(ins []*Node) *Node { return ReduceAllSum(Mul(f(ins[:n]), ins[n])) }
	grads, err := execN(be, func(ins []*Node) []*Node {
		return Gradient(loss(ins), ins[:n]...)
	}, append(hostTensors(inputs), w.tensor(dtypes.Float64))...)
	if err != nil {
		t.Errorf("%s: gradient: %+v", name, err)
		return math.Inf(1)
	}
	lossExec := MustNewExec(be, loss)
	defer lossExec.Finalize()
	evalLoss := func(ins []arr) float64 {
		args := make([]any, 0, n+1)
		for _, a := range ins {
			args = append(args, a.tensor(dtypes.Float64))
		}
		args = append(args, w.tensor(dtypes.Float64))
		out, err := lossExec.Exec(args...)
		if err != nil {
			t.Fatalf("%s: loss: %+v", name, err)
		}
		return out[0].Value().(float64)
	}
	maxErr := 0.0
	for i := range inputs {
		g := fromTensor(grads[i])
		if !sameDims(g.dims, inputs[i].dims) {
			t.Errorf("%s: gradient #%d shape %v, want %v", name, i, g.dims, inputs[i].dims)
			return math.Inf(1)
		}
		ins := make([]arr, n)
		copy(ins, inputs)
		pert := arr{append([]float64(nil), inputs[i].v...), inputs[i].dims}
		ins[i] = pert
		errI, worst := 0.0, -1
		for j := range pert.v {
			orig := pert.v[j]
			pert.v[j] = orig + fdEps
			lp := evalLoss(ins)
			pert.v[j] = orig - fdEps
			lm := evalLoss(ins)
			pert.v[j] = orig
			fd := (lp - lm) / (2 * fdEps)
			if d := math.Abs(fd - g.v[j]); !(d <= errI) {
				errI, worst = d, j
			}
		}
		if !(errI <= gradTol) {
			t.Errorf("%s: d/d(input #%d): max |autodiff - finite diff| = %.3g at element %d (autodiff %g)",
				name, i, errI, worst, g.v[worst])
		}
		maxErr = math.Max(maxErr, errI)
	}
	return maxErr
}

func hostTensors(as []arr) []*tensors.Tensor {
	res := make([]*tensors.Tensor, len(as))
	for i, a := range as {
		res[i] = a.tensor(dtypes.Float64)
	}
	return res
}

func tensorsOf(as []arr) []any {
	res := make([]any, len(as))
	for i, a := range as {
		res[i] = a.tensor(dtypes.Float64)
	}
	return res
}

// conv2 wraps a convCase graph function as a []*Node function.
func conv2(cc convCase) func(ins []*Node) *Node {
	f := cc.graphFn()
	return func(ins []*Node) *Node { return f(ins[0], ins[1]) }
}

func pool1(pc poolCase) func(ins []*Node) *Node {
	f := pc.graphFn()
	return func(ins []*Node) *Node { return f(ins[0]) }
}

func TestConvGradients(t *testing.T) {
	be := New()
	rng := rand.New(rand.NewSource(20))
	cases := []convCase{
		{name: "3x3/s1/same", b: 2, h: 5, w: 6, c: 3, kh: 3, kw: 3, cout: 4, same: true},
		{name: "3x3/s2/same/odd", b: 2, h: 7, w: 5, c: 3, kh: 3, kw: 3, cout: 4, stride: [2]int{2, 2}, same: true},
		{name: "3x3/s2/same/even", b: 1, h: 6, w: 8, c: 3, kh: 3, kw: 3, cout: 4, stride: [2]int{2, 2}, same: true},
		{name: "3x3/s2/nopad/odd", b: 2, h: 7, w: 9, c: 2, kh: 3, kw: 3, cout: 3, stride: [2]int{2, 2}},
		{name: "3x3/s2/nopad/even", b: 1, h: 8, w: 6, c: 3, kh: 3, kw: 3, cout: 2, stride: [2]int{2, 2}},
		{name: "3x3/dil2/pad2", b: 1, h: 7, w: 7, c: 3, kh: 3, kw: 3, cout: 3, dil: [2]int{2, 2}, pad: [2][2]int{{2, 2}, {2, 2}}},
		{name: "grouped2", b: 2, h: 5, w: 5, c: 4, kh: 3, kw: 3, cout: 6, groups: 2, same: true},
		{name: "depthwise3x3", b: 2, h: 6, w: 5, c: 4, kh: 3, kw: 3, cout: 4, groups: 4, same: true},
		{name: "depthwise3x3/s2", b: 1, h: 7, w: 6, c: 3, kh: 3, kw: 3, cout: 3, groups: 3, stride: [2]int{2, 2}, same: true},
		{name: "depthwise5x5", b: 1, h: 7, w: 7, c: 3, kh: 5, kw: 5, cout: 3, groups: 3, same: true},
		{name: "depthwise3x3/dil2", b: 1, h: 7, w: 7, c: 3, kh: 3, kw: 3, cout: 3, groups: 3, dil: [2]int{2, 2}, same: true},
		{name: "1x1", b: 2, h: 4, w: 5, c: 3, kh: 1, kw: 1, cout: 5},
		{name: "nchw/3x3/s2/same", b: 2, h: 6, w: 7, c: 3, kh: 3, kw: 3, cout: 4, stride: [2]int{2, 2}, same: true, nchw: true},
		{name: "nchw/depthwise3x3", b: 1, h: 6, w: 6, c: 4, kh: 3, kw: 3, cout: 4, groups: 4, same: true, nchw: true},
	}
	for _, cc := range cases {
		x, k := cc.data(rng)
		e := gradCheck(t, be, rng, cc.name, conv2(cc), x, k)
		t.Logf("%-22s max grad err %.3g", cc.name, e)
	}

	// DARTS separable conv: ReLU → depthwise k×k (stride s) → pointwise 1×1, w.r.t. input and both kernels.
	for _, sc := range []struct {
		name      string
		k, stride int
	}{{"sep3x3", 3, 1}, {"sep5x5", 5, 1}, {"sep3x3/s2", 3, 2}} {
		C, Cout := 3, 4
		x := randArr(rng, 2, 6, 6, C)
		dw := randArr(rng, sc.k, sc.k, 1, C)
		pw := randArr(rng, 1, 1, C, Cout)
		e := gradCheck(t, be, rng, sc.name, func(ins []*Node) *Node {
			h := Max(ins[0], ZerosLike(ins[0]))
			h = Convolve(h, ins[1]).StridePerAxis(sc.stride, sc.stride).PadSame().ChannelGroupCount(C).Done()
			return Convolve(h, ins[2]).Done()
		}, x, dw, pw)
		t.Logf("%-22s max grad err %.3g", sc.name, e)
	}
}

func TestPoolGradients(t *testing.T) {
	be := New()
	rng := rand.New(rand.NewSource(21))
	cases := []poolCase{
		{name: "avg3/s1/p1(excl pad)", kind: "avg", b: 2, h: 5, w: 6, c: 3, win: 3, stride: 1, pad: 1},
		{name: "avg3/PadSame", kind: "avg", b: 1, h: 5, w: 5, c: 2, win: 3, padSame: true},
		{name: "avg3/s2/p1/odd", kind: "avg", b: 2, h: 7, w: 5, c: 2, win: 3, stride: 2, pad: 1},
		{name: "avg3/s2/p1/even", kind: "avg", b: 1, h: 6, w: 8, c: 3, win: 3, stride: 2, pad: 1},
		{name: "avg2/s2", kind: "avg", b: 2, h: 6, w: 4, c: 3, win: 2, noPad: true},
		{name: "max3/s1/p1", kind: "max", b: 2, h: 5, w: 6, c: 3, win: 3, stride: 1, pad: 1},
		{name: "max3/s2/p1/odd", kind: "max", b: 2, h: 7, w: 5, c: 2, win: 3, stride: 2, pad: 1},
		{name: "max3/s2/p1/even", kind: "max", b: 1, h: 6, w: 8, c: 3, win: 3, stride: 2, pad: 1},
		{name: "max2/s2", kind: "max", b: 1, h: 6, w: 6, c: 2, win: 2, noPad: true},
		{name: "nchw/avg3/s1/p1", kind: "avg", b: 1, h: 5, w: 4, c: 3, win: 3, stride: 1, pad: 1, nchw: true},
		{name: "nchw/max3/s2/p1", kind: "max", b: 1, h: 5, w: 6, c: 3, win: 3, stride: 2, pad: 1, nchw: true},
	}
	for _, pc := range cases {
		e := gradCheck(t, be, rng, pc.name, pool1(pc), pc.data(rng))
		t.Logf("%-22s max grad err %.3g", pc.name, e)
	}
}

func TestBatchNormGradients(t *testing.T) {
	be := New()
	rng := rand.New(rand.NewSource(22))
	for _, bc := range []bnCase{{"nhwc", []int{2, 3, 4, 3}, 3}, {"nchw", []int{3, 2, 3, 4}, 1}, {"rank2", []int{6, 4}, 1}} {
		x := randArr(rng, bc.dims...)
		C := bc.dims[bc.axis]
		scale, offset := randArr(rng, C), randArr(rng, C)
		e := gradCheck(t, be, rng, "train/"+bc.name, func(ins []*Node) *Node {
			n, _, _ := InternalBatchNormForTraining(ins[0], ins[1], ins[2], bnEps, bc.axis)
			return n
		}, x, scale, offset)
		t.Logf("BatchNormForTraining %-6s max grad err %.3g", bc.name, e)
	}
}

// TestBatchNormLayer runs GoMLX's batchnorm layer in a context, in training mode (the backend's
// BatchNormForTraining and its gradient) and in inference mode, against the naive reference; gradients
// w.r.t. x, scale and offset against finite differences of the naive reference.
func TestBatchNormLayer(t *testing.T) {
	be := New()
	rng := rand.New(rand.NewSource(23))
	dims := []int{3, 4, 3, 5}
	C := 5
	x := randArr(rng, dims...)
	scale, offset := randArr(rng, C), randArr(rng, C)
	w := randArr(rng, dims...)
	eps := float64(float32(1e-3)) // the layer's default epsilon, passed to the op as float32

	ctx := context.New().Checked(false)
	bnCtx := ctx.In("batch_normalization")
	bnCtx.VariableWithValue("scale", scale.tensor(dtypes.Float64))
	bnCtx.VariableWithValue("offset", offset.tensor(dtypes.Float64))
	scaleVar, offsetVar := bnCtx.GetVariable("scale"), bnCtx.GetVariable("offset")

	train := func(ctx *context.Context, x, w *Node) []*Node {
		g := x.Graph()
		ctx.SetTraining(g, true)
		y := batchnorm.New(ctx, x, -1).Done()
		l := ReduceAllSum(Mul(y, w))
		grads := Gradient(l, x, scaleVar.ValueGraph(g), offsetVar.ValueGraph(g))
		return append([]*Node{y}, grads...)
	}
	outs, err := context.ExecOnceN(be, ctx, train, x.tensor(dtypes.Float64), w.tensor(dtypes.Float64))
	if err != nil {
		t.Fatalf("training: %+v", err)
	}
	bm, bv := bnStats(x, 3)
	want := naiveBN(x, 3, scale.v, offset.v, bm, bv, eps)
	d := compare(t, "layer/train", fromTensor(outs[0]), want, dtypes.Float64)

	// Finite differences of the naive reference (host-side, independent of GoMLX).
	refLoss := func(xv, sv, ov []float64) float64 {
		xa := arr{xv, dims}
		m, v := bnStats(xa, 3)
		y := naiveBN(xa, 3, sv, ov, m, v, eps)
		s := 0.0
		for i := range y.v {
			s += y.v[i] * w.v[i]
		}
		return s
	}
	params := [][]float64{x.v, scale.v, offset.v}
	maxErr := 0.0
	for p, vals := range params {
		g := fromTensor(outs[1+p])
		for j := range vals {
			cp := make([][]float64, 3)
			cm := make([][]float64, 3)
			for q := range params {
				cp[q] = append([]float64(nil), params[q]...)
				cm[q] = append([]float64(nil), params[q]...)
			}
			cp[p][j] += fdEps
			cm[p][j] -= fdEps
			fd := (refLoss(cp[0], cp[1], cp[2]) - refLoss(cm[0], cm[1], cm[2])) / (2 * fdEps)
			maxErr = math.Max(maxErr, math.Abs(fd-g.v[j]))
		}
	}
	if !(maxErr <= gradTol) {
		t.Errorf("layer/train: max gradient error %.3g", maxErr)
	}
	t.Logf("batchnorm layer training: forward err %.3g, max grad err (x, scale, offset) %.3g", d, maxErr)

	// The training step updated the moving averages: with momentum 0.99 and avg_weight 0 → 1, the
	// debiased momentum is 0, so they now hold the batch statistics.
	meanT, err := bnCtx.GetVariable("mean").Value()
	if err != nil {
		t.Fatal(err)
	}
	varT, err := bnCtx.GetVariable("variance").Value()
	if err != nil {
		t.Fatal(err)
	}
	compare(t, "layer/moving-mean", fromTensor(meanT), arr{bm, []int{C}}, dtypes.Float64)
	compare(t, "layer/moving-variance", fromTensor(varT), arr{bv, []int{C}}, dtypes.Float64)

	// Inference mode, backend op (default) and the differentiable graph version, on a new input.
	x2 := randArr(rng, 2, 3, 3, C)
	for _, backendOp := range []bool{true, false} {
		infer := func(ctx *context.Context, x *Node) *Node {
			ctx.SetTraining(x.Graph(), false)
			return batchnorm.New(ctx, x, -1).UseBackendInference(backendOp).Done()
		}
		out, err := context.ExecOnce(be, ctx, infer, x2.tensor(dtypes.Float64))
		if err != nil {
			t.Fatalf("inference: %+v", err)
		}
		want := naiveBN(x2, 3, scale.v, offset.v, fromTensor(meanT).v, fromTensor(varT).v, eps)
		t.Logf("batchnorm layer inference (backend op %v): err %.3g", backendOp,
			compare(t, "layer/inference", fromTensor(out), want, dtypes.Float64))
	}
	// Inference-mode gradient (graph version: BatchNormForInference has no VJP in GoMLX).
	mv, vv := fromTensor(meanT), fromTensor(varT)
	e := gradCheck(t, be, rng, "inference-graph", func(ins []*Node) *Node {
		dimsB := []int{1, 1, 1, C}
		m := Reshape(Const(ins[0].Graph(), mv.v), dimsB...)
		v := Reshape(Const(ins[0].Graph(), vv.v), dimsB...)
		n := Div(Sub(ins[0], m), Sqrt(AddScalar(v, eps)))
		return Add(Mul(n, Reshape(ins[1], dimsB...)), Reshape(ins[2], dimsB...))
	}, x2, scale, offset)
	t.Logf("batchnorm inference (graph) max grad err %.3g", e)
}

// TestSliceAndPadGradients: Slice with strides (its gradient is Pad with interior padding), and Pad and
// Reverse themselves, whose gradients GoMLX v0.26.0 lacks and package gradients (imported here) adds.
func TestSliceAndPadGradients(t *testing.T) {
	be := New()
	rng := rand.New(rand.NewSource(24))
	x := randArr(rng, 2, 9, 7, 3)
	e := gradCheck(t, be, rng, "slice-strided", func(ins []*Node) *Node {
		return Slice(ins[0], AxisRange(), AxisRange(1, 8).Stride(3), AxisRange(0, 7).Stride(2), AxisRange(1))
	}, x)
	t.Logf("strided Slice max grad err %.3g", e)
	e = gradCheck(t, be, rng, "slice-plain", func(ins []*Node) *Node {
		return Slice(ins[0], AxisRange(1), AxisRange(2, 5), AxisRange(), AxisRange(0, 2))
	}, x)
	t.Logf("Slice max grad err %.3g", e)

	small := randArr(rng, 3, 4, 2)
	fill := randArr(rng) // a scalar: the gradient w.r.t. the fill value is checked too
	for _, c := range []struct {
		name string
		cfg  []backends.PadAxis
	}{
		{"start-end", []backends.PadAxis{{Start: 1, End: 2}, {Start: 0, End: 1}}},
		{"interior", []backends.PadAxis{{Start: 1, Interior: 1}, {Interior: 2}, {End: 1, Interior: 1}}},
		{"negative", []backends.PadAxis{{Start: -1, End: 1}, {Start: 2, End: -2}}},
		{"negative-interior", []backends.PadAxis{{Start: -2, End: -1, Interior: 1}, {Start: 1, Interior: 1}, {Start: -1}}},
		{"crop-all-of-axis", []backends.PadAxis{{Start: -3}}},
	} {
		e := gradCheck(t, be, rng, "pad-"+c.name, func(ins []*Node) *Node {
			return Pad(ins[0], ins[1], c.cfg...)
		}, small, fill)
		t.Logf("Pad %s max grad err %.3g", c.name, e)
	}
	for _, axes := range [][]int{{0}, {1, 2}, {0, 1, 2}} {
		e := gradCheck(t, be, rng, fmt.Sprintf("reverse-%v", axes), func(ins []*Node) *Node {
			return Reverse(ins[0], axes...)
		}, small)
		t.Logf("Reverse %v max grad err %.3g", axes, e)
	}
}

// TestTinyNetworkGradient: conv → BN (training) → ReLU → conv stride 2 → global mean → dense, gradient
// w.r.t. the input and all weights.
func TestTinyNetworkGradient(t *testing.T) {
	be := New()
	rng := rand.New(rand.NewSource(25))
	x := randArr(rng, 2, 6, 5, 3)
	k1 := randArr(rng, 3, 3, 3, 4)
	scale, offset := randArr(rng, 4), randArr(rng, 4)
	k2 := randArr(rng, 3, 3, 4, 5)
	dense := randArr(rng, 5, 3)
	bias := randArr(rng, 3)
	for _, nchw := range []bool{false, true} {
		xx, kk1, kk2 := x, k1, k2
		axis, spatial := 3, []int{1, 2}
		cfg := images.ChannelsLast
		if nchw {
			xx, kk1, kk2 = transposeArr(x, nhwcToNCHW...), transposeArr(k1, 3, 2, 0, 1), transposeArr(k2, 3, 2, 0, 1)
			axis, spatial, cfg = 1, []int{2, 3}, images.ChannelsFirst
		}
		net := func(ins []*Node) *Node {
			h := Convolve(ins[0], ins[1]).ChannelsAxis(cfg).PadSame().Done()
			h, _, _ = InternalBatchNormForTraining(h, ins[2], ins[3], bnEps, axis)
			h = Max(h, ZerosLike(h))
			h = Convolve(h, ins[4]).ChannelsAxis(cfg).StridePerAxis(2, 2).PadSame().Done()
			h = ReduceMean(h, spatial...) // [B, 5]
			return Add(Dot(h, ins[5]), ExpandAxes(ins[6], 0))
		}
		name := "tiny-net/nhwc"
		if nchw {
			name = "tiny-net/nchw"
		}
		e := gradCheck(t, be, rng, name, net, xx, kk1, scale, offset, kk2, dense, bias)
		t.Logf("%s: max grad err over x, k1, scale, offset, k2, dense, bias: %.3g", name, e)
	}
}
