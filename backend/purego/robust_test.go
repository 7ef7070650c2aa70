package purego

// Robustness: many random valid conv/pool configurations run forward and backward without panicking
// (no recover anywhere: a panic in a kernel goroutine would kill the test binary) and give the values of
// the references; invalid configurations return errors.

import (
	"fmt"
	"math"
	"math/rand"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// randomConvCase draws a valid configuration (GoMLX's Convolve does not allow stride and dilation > 1
// together, so at most one of them is).
func randomConvCase(rng *rand.Rand, i int, inVJPDomain bool) convCase {
	for {
		cc := convCase{
			b: 1 + rng.Intn(3), h: 1 + rng.Intn(9), w: 1 + rng.Intn(9),
			kh: 1 + rng.Intn(5), kw: 1 + rng.Intn(5),
			nchw: rng.Intn(4) == 0,
		}
		if rng.Intn(2) == 0 {
			cc.stride = [2]int{1 + rng.Intn(3), 1 + rng.Intn(3)}
		} else {
			cc.dil = [2]int{1 + rng.Intn(2), 1 + rng.Intn(2)}
		}
		if rng.Intn(4) == 0 {
			cc.same = true
		} else {
			cc.pad = [2][2]int{{rng.Intn(3), rng.Intn(3)}, {rng.Intn(3), rng.Intn(3)}}
		}
		if inVJPDomain { // odd kernels, paddings up to "same"
			cc.kh, cc.kw = 1+2*rng.Intn(3), 1+2*rng.Intn(3)
			if !cc.same {
				s := cc.spec()
				for a, k := range []int{cc.kh, cc.kw} {
					eff := (k-1)*s.dil[a] + 1
					cc.pad[a] = [2]int{rng.Intn((eff-1)/2 + 1), rng.Intn(eff/2 + 1)}
				}
			}
		}
		switch rng.Intn(3) {
		case 0: // plain
			cc.groups = 1
			cc.c, cc.cout = 1+rng.Intn(5), 1+rng.Intn(5)
		case 1: // grouped
			cc.groups = 2 + rng.Intn(2)
			cc.c, cc.cout = cc.groups*(1+rng.Intn(2)), cc.groups*(1+rng.Intn(2))
		case 2: // depthwise
			cc.c = 1 + rng.Intn(5)
			cc.groups, cc.cout = cc.c, cc.c
		}
		s := cc.spec()
		if !fits(cc.h, cc.kh, s.dil[0], s.pad[0]) || !fits(cc.w, cc.kw, s.dil[1], s.pad[1]) {
			continue
		}
		cc.name = fmt.Sprintf("#%d b%d %dx%dx%d k%dx%d→%d s%v d%v p%v same=%v g%d nchw=%v", i, cc.b, cc.h, cc.w, cc.c,
			cc.kh, cc.kw, cc.cout, s.stride, s.dil, s.pad, cc.same, cc.groups, cc.nchw)
		return cc
	}
}

// fits reports whether a window of k elements dilated by dil fits in the padded input.
func fits(in, k, dil int, pad [2]int) bool {
	return in+pad[0]+pad[1] >= (k-1)*dil+1
}

func randomPoolCase(rng *rand.Rand, i int) poolCase {
	kinds := []string{"avg", "max", "sum"}
	for {
		pc := poolCase{
			kind: kinds[rng.Intn(3)],
			b:    1 + rng.Intn(3), h: 1 + rng.Intn(9), w: 1 + rng.Intn(9), c: 1 + rng.Intn(4),
			win: 1 + rng.Intn(4), stride: 1 + rng.Intn(3),
			nchw: rng.Intn(4) == 0,
		}
		pc.pad = rng.Intn(min(3, pc.win)) // < window: every window holds at least one real element
		if !fits(min(pc.h, pc.w), pc.win, 1, [2]int{pc.pad, pc.pad}) {
			continue
		}
		pc.name = fmt.Sprintf("#%d %s b%d %dx%dx%d w%d s%d p%d nchw=%v", i, pc.kind, pc.b, pc.h, pc.w, pc.c, pc.win, pc.stride, pc.pad, pc.nchw)
		return pc
	}
}

// directionalCheck compares the autodiff gradient of L = Σ w⊙f(inputs) along a random direction d,
// Σᵢ <∇ᵢL, dᵢ>, with the central difference (L(in+εd) - L(in-εd)) / 2ε, and checks all gradients are finite.
func directionalCheck(t *testing.T, be backends.Backend, rng *rand.Rand, name string, f func(ins []*Node) *Node,
	outDims []int, inputs ...arr) float64 {
	t.Helper()
	n := len(inputs)
	w := randArr(rng, outDims...)
	loss := func(ins []*Node) *Node { return ReduceAllSum(Mul(f(ins[:n]), ins[n])) }
	args := append(hostTensors(inputs), w.tensor(dtypes.Float64))
	grads, err := execN(be, func(ins []*Node) []*Node { return Gradient(loss(ins), ins[:n]...) }, args...)
	if err != nil {
		t.Errorf("%s: gradient: %+v", name, err)
		return math.Inf(1)
	}
	dirs := make([]arr, n)
	ad := 0.0
	for i := range inputs {
		dirs[i] = randArr(rng, inputs[i].dims...)
		g := fromTensor(grads[i])
		if !sameDims(g.dims, inputs[i].dims) {
			t.Errorf("%s: gradient #%d shape %v, want %v", name, i, g.dims, inputs[i].dims)
			return math.Inf(1)
		}
		for j, v := range g.v {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Errorf("%s: gradient #%d element %d is %g", name, i, j, v)
				return math.Inf(1)
			}
			ad += v * dirs[i].v[j]
		}
	}
	lossAt := func(sign float64) float64 {
		ins := make([]*tensors.Tensor, 0, n+1)
		for i, a := range inputs {
			v := make([]float64, len(a.v))
			for j := range v {
				v[j] = a.v[j] + sign*fdEps*dirs[i].v[j]
			}
			ins = append(ins, arr{v, a.dims}.tensor(dtypes.Float64))
		}
		ins = append(ins, w.tensor(dtypes.Float64))
		l, err := execN(be, func(ins []*Node) []*Node { return []*Node{loss(ins)} }, ins...)
		if err != nil {
			t.Fatalf("%s: loss: %+v", name, err)
		}
		return l[0].Value().(float64)
	}
	fd := (lossAt(1) - lossAt(-1)) / (2 * fdEps)
	d := math.Abs(fd - ad)
	if !(d <= gradTol*math.Max(1, math.Abs(fd))) {
		t.Errorf("%s: directional derivative: autodiff %.12g, finite differences %.12g (diff %.3g)", name, ad, fd, d)
	}
	return d
}

// gomlxConvVJPHandles reports whether GoMLX v0.26.0's convolution VJP (graph.convVJPWrtX) builds a correct
// gradient for cc: odd kernel sizes and paddings no larger than "same" padding. With larger paddings it
// returns an error ("failed to set up reverse Convolve()"); with even kernel sizes its input gradient is
// wrong (misaligned by one), e.g. kernel 1×2, stride 1×3, PadSame on a 1×6 input. Neither is purego's doing:
// purego computes the convolutions it is asked for exactly (TestRobustConvGeneralParams).
func gomlxConvVJPHandles(cc convCase) bool {
	s := cc.spec()
	for a, k := range []int{cc.kh, cc.kw} {
		eff := (k-1)*s.dil[a] + 1
		if k%2 == 0 || s.pad[a][0] > (eff-1)/2 || s.pad[a][1] > eff/2 {
			return false
		}
	}
	return true
}

func TestRobustRandomConvs(t *testing.T) {
	be := New()
	rng := rand.New(rand.NewSource(30))
	maxFwd, maxGrad := 0.0, 0.0
	checked, gomlxErrors := 0, 0
	for i := range 80 {
		cc := randomConvCase(rng, i, i%2 == 1)
		x, k := cc.data(rng)
		want := cc.reference(x, k)
		out, err := ExecOnce(be, cc.graphFn(), x.tensor(dtypes.Float64), k.tensor(dtypes.Float64))
		if err != nil {
			t.Errorf("%s: forward: %+v", cc.name, err)
			continue
		}
		maxFwd = math.Max(maxFwd, compare(t, cc.name, fromTensor(out), want, dtypes.Float64))
		if gomlxConvVJPHandles(cc) {
			maxGrad = math.Max(maxGrad, directionalCheck(t, be, rng, cc.name, conv2(cc), want.dims, x, k))
			checked++
			continue
		}
		// Outside what GoMLX's conv VJP handles: it must still run without crashing, and either return an
		// error (GoMLX's "failed to set up reverse Convolve()") or finite, correctly shaped gradients.
		w := randArr(rng, want.dims...)
		f := conv2(cc)
		grads, err := execN(be, func(ins []*Node) []*Node {
			return Gradient(ReduceAllSum(Mul(f(ins[:2]), ins[2])), ins[0], ins[1])
		}, x.tensor(dtypes.Float64), k.tensor(dtypes.Float64), w.tensor(dtypes.Float64))
		if err != nil {
			gomlxErrors++
			continue
		}
		for i, g := range grads {
			ga := fromTensor(g)
			if !sameDims(ga.dims, []arr{x, k}[i].dims) {
				t.Errorf("%s: gradient #%d shape %v", cc.name, i, ga.dims)
			}
			for _, v := range ga.v {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Errorf("%s: gradient #%d not finite", cc.name, i)
					break
				}
			}
		}
	}
	t.Logf("80 random convs: max forward err %.3g; %d gradients checked, max directional-derivative err %.3g; "+
		"%d configurations beyond GoMLX's conv VJP returned errors", maxFwd, checked, maxGrad, gomlxErrors)
}

func TestRobustRandomPools(t *testing.T) {
	be := New()
	rng := rand.New(rand.NewSource(31))
	maxFwd, maxGrad := 0.0, 0.0
	for i := range 30 {
		pc := randomPoolCase(rng, i)
		x := pc.data(rng)
		want := pc.reference(x)
		out, err := ExecOnce(be, pc.graphFn(), x.tensor(dtypes.Float64))
		if err != nil {
			t.Errorf("%s: forward: %+v", pc.name, err)
			continue
		}
		maxFwd = math.Max(maxFwd, compare(t, pc.name, fromTensor(out), want, dtypes.Float64))
		maxGrad = math.Max(maxGrad, directionalCheck(t, be, rng, pc.name, pool1(pc), want.dims, x))
	}
	t.Logf("30 random pools: max forward err %.3g, max directional-derivative err %.3g", maxFwd, maxGrad)
}

// TestRobustConvGeneralParams: graph.ConvGeneral with random input dilations, kernel dilations, strides and
// paddings (also negative), as GoMLX's gradients use them, against zero-stuffing + cropping/padding + the
// naive convolution.
func TestRobustConvGeneralParams(t *testing.T) {
	be := New()
	rng := rand.New(rand.NewSource(33))
	nhwc := backends.ConvolveAxesConfig{
		InputBatch: 0, InputSpatial: []int{1, 2}, InputChannels: 3,
		KernelSpatial: []int{0, 1}, KernelInputChannels: 2, KernelOutputChannels: 3,
		OutputBatch: 0, OutputSpatial: []int{1, 2}, OutputChannels: 3,
	}
	maxErr := 0.0
	for i := 0; i < 40; {
		B, C, Co := 1+rng.Intn(2), 1+rng.Intn(3), 1+rng.Intn(3)
		dims := []int{1 + rng.Intn(6), 1 + rng.Intn(6)}
		ks := []int{1 + rng.Intn(4), 1 + rng.Intn(4)}
		strides := []int{1 + rng.Intn(3), 1 + rng.Intn(3)}
		inDil := []int{1 + rng.Intn(3), 1 + rng.Intn(3)}
		kDil := []int{1 + rng.Intn(2), 1 + rng.Intn(2)}
		pads := [][2]int{{rng.Intn(4) - 1, rng.Intn(4) - 1}, {rng.Intn(4) - 1, rng.Intn(4) - 1}}
		ok := true
		for a := range 2 {
			stuffed := (dims[a]-1)*inDil[a] + 1 + pads[a][0] + pads[a][1]
			ok = ok && stuffed >= (ks[a]-1)*kDil[a]+1
		}
		if !ok {
			continue
		}
		i++
		x := randArr(rng, B, dims[0], dims[1], C)
		k := randArr(rng, ks[0], ks[1], C, Co)
		out := run(t, be, func(ins []*Node) *Node {
			return ConvGeneral(ins[0], ins[1], nhwc, strides, pads, inDil, kDil, 1, 1)
		}, x.tensor(dtypes.Float64), k.tensor(dtypes.Float64))
		xs := naivePad(x, 0, []backends.PadAxis{{},
			{Start: pads[0][0], End: pads[0][1], Interior: inDil[0] - 1},
			{Start: pads[1][0], End: pads[1][1], Interior: inDil[1] - 1}})
		want := naiveConv(xs, k, convSpec{stride: [2]int{strides[0], strides[1]}, dil: [2]int{kDil[0], kDil[1]}, groups: 1})
		name := fmt.Sprintf("#%d x%v k%v s%v inDil%v kDil%v pads%v", i, x.dims, k.dims, strides, inDil, kDil, pads)
		maxErr = math.Max(maxErr, compare(t, name, fromTensor(out), want, dtypes.Float64))
	}
	t.Logf("40 random ConvGeneral configurations: max abs err %.3g", maxErr)
}

// TestInvalidConfigsReturnErrors: invalid ops give errors from Exec (nothing crashes), and the backend
// keeps working afterwards.
func TestInvalidConfigsReturnErrors(t *testing.T) {
	be := New()
	rng := rand.New(rand.NewSource(32))
	f64 := func(dims ...int) *tensors.Tensor { return randArr(rng, dims...).tensor(dtypes.Float64) }
	nhwc := backends.ConvolveAxesConfig{
		InputBatch: 0, InputSpatial: []int{1, 2}, InputChannels: 3,
		KernelSpatial: []int{0, 1}, KernelInputChannels: 2, KernelOutputChannels: 3,
		OutputBatch: 0, OutputSpatial: []int{1, 2}, OutputChannels: 3,
	}
	cases := []struct {
		name string
		f    func(ins []*Node) *Node
		ins  []*tensors.Tensor
	}{
		{"kernel larger than input", func(ins []*Node) *Node { return Convolve(ins[0], ins[1]).Done() },
			[]*tensors.Tensor{f64(1, 3, 3, 2), f64(5, 5, 2, 2)}},
		{"dilated kernel larger than padded input", func(ins []*Node) *Node {
			return Convolve(ins[0], ins[1]).DilationPerAxis(3, 3).PaddingPerDim([][2]int{{1, 0}, {0, 0}}).Done()
		}, []*tensors.Tensor{f64(1, 5, 5, 2), f64(3, 3, 2, 2)}},
		{"kernel larger than input (ConvGeneral)", func(ins []*Node) *Node {
			return ConvGeneral(ins[0], ins[1], nhwc, nil, nil, nil, nil, 1, 1)
		}, []*tensors.Tensor{f64(1, 3, 3, 2), f64(4, 1, 2, 2)}},
		{"channels not divisible by groups (Convolve)", func(ins []*Node) *Node {
			return Convolve(ins[0], ins[1]).ChannelGroupCount(2).Done()
		}, []*tensors.Tensor{f64(1, 4, 4, 5), f64(3, 3, 2, 2)}},
		{"channels not divisible by groups (ConvGeneral)", func(ins []*Node) *Node {
			return ConvGeneral(ins[0], ins[1], nhwc, []int{1, 1}, nil, nil, nil, 2, 1)
		}, []*tensors.Tensor{f64(1, 4, 4, 5), f64(3, 3, 2, 2)}},
		{"output channels not divisible by groups", func(ins []*Node) *Node {
			return ConvGeneral(ins[0], ins[1], nhwc, []int{1, 1}, nil, nil, nil, 2, 1)
		}, []*tensors.Tensor{f64(1, 4, 4, 4), f64(3, 3, 2, 3)}},
		{"kernel input channels mismatch", func(ins []*Node) *Node {
			return ConvGeneral(ins[0], ins[1], nhwc, []int{1, 1}, nil, nil, nil, 1, 1)
		}, []*tensors.Tensor{f64(1, 4, 4, 3), f64(3, 3, 2, 3)}},
		{"max pool window larger than input", func(ins []*Node) *Node { return MaxPool(ins[0]).Window(5).Done() },
			[]*tensors.Tensor{f64(1, 3, 3, 2)}},
		{"avg pool window larger than input", func(ins []*Node) *Node {
			return MeanPool(ins[0]).Window(4).Strides(1).PaddingPerDim([][2]int{{0, 0}, {0, 0}}).Done()
		}, []*tensors.Tensor{f64(2, 3, 5, 2)}},
		{"pad to negative size", func(ins []*Node) *Node {
			return Pad(ins[0], ScalarZero(ins[0].Graph(), dtypes.Float64), backends.PadAxis{Start: -2, End: -2})
		}, []*tensors.Tensor{f64(3)}},
		{"negative interior padding", func(ins []*Node) *Node {
			return Pad(ins[0], ScalarZero(ins[0].Graph(), dtypes.Float64), backends.PadAxis{Interior: -1})
		}, []*tensors.Tensor{f64(3)}},
		{"batch norm scale of wrong size", func(ins []*Node) *Node {
			n, _, _ := InternalBatchNormForTraining(ins[0], ins[1], ins[1], bnEps, -1)
			return n
		}, []*tensors.Tensor{f64(2, 3, 3, 4), f64(3)}},
		{"batch norm on int32", func(ins []*Node) *Node {
			return InternalBatchNormForInference(ins[0], ins[0], ins[0], ins[0], ins[0], bnEps, 0)
		}, []*tensors.Tensor{tensors.FromFlatDataAndDimensions([]int32{1, 2, 3}, 3)}},
	}
	for _, c := range cases {
		args := make([]any, len(c.ins))
		for i, x := range c.ins {
			args[i] = x
		}
		out, err := ExecOnce(be, c.f, args...)
		if err == nil {
			t.Errorf("%s: no error, got output %s", c.name, out.Shape())
			continue
		}
		t.Logf("%-46s error: %s", c.name, firstLineOf(err.Error()))
	}
	// Still usable.
	x := randArr(rng, 1, 4, 4, 2)
	k := randArr(rng, 3, 3, 2, 3)
	out := run(t, be, func(ins []*Node) *Node { return Convolve(ins[0], ins[1]).PadSame().Done() },
		x.tensor(dtypes.Float64), k.tensor(dtypes.Float64))
	compare(t, "after errors", fromTensor(out), naiveConv(x, k, convSpec{stride: [2]int{1, 1}, dil: [2]int{1, 1},
		pad: [2][2]int{{1, 1}, {1, 1}}, groups: 1}), dtypes.Float64)
}

func firstLineOf(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
