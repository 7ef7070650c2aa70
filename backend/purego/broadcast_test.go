package purego

import (
	"fmt"
	"github.com/gaeanas/gaeanas/backend/internal/vec"
	"math"
	"math/rand"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/simplego"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// specialTensor is a tensor of normal values of varied magnitude with a few zeros, −0, ±Inf and NaN.
func specialTensor(rng *rand.Rand, dtype dtypes.DType, dims ...int) *tensors.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64() * math.Pow(10, float64(rng.Intn(6)-3))
		switch rng.Intn(400) {
		case 0:
			v[i] = 0
		case 1:
			v[i] = math.Copysign(0, -1)
		case 2:
			v[i] = math.Inf(1 - 2*rng.Intn(2))
		case 3:
			v[i] = math.NaN()
		}
	}
	if dtype == dtypes.Float64 {
		return tensors.FromFlatDataAndDimensions(v, dims...)
	}
	v32 := make([]float32, n)
	for i := range v {
		v32[i] = float32(v[i])
	}
	return tensors.FromFlatDataAndDimensions(v32, dims...)
}

// sameBits fails unless got and want hold the same bits (any NaN matches any NaN).
func sameBits(t *testing.T, name string, got, want *tensors.Tensor) {
	t.Helper()
	if !got.Shape().Equal(want.Shape()) {
		t.Fatalf("%s: shape %s, simplego %s", name, got.Shape(), want.Shape())
	}
	var g, w []float64
	if got.DType() == dtypes.Float32 {
		for _, v := range tensors.MustCopyFlatData[float32](got) {
			g = append(g, float64(v))
		}
		for _, v := range tensors.MustCopyFlatData[float32](want) {
			w = append(w, float64(v))
		}
	} else {
		g, w = tensors.MustCopyFlatData[float64](got), tensors.MustCopyFlatData[float64](want)
	}
	for i := range g {
		if math.Float64bits(g[i]) != math.Float64bits(w[i]) && !(math.IsNaN(g[i]) && math.IsNaN(w[i])) {
			t.Fatalf("%s: element %d = %v, simplego %v", name, i, g[i], w[i])
		}
	}
}

// TestBroadcastBinaryMatchesSimplego: purego's broadcasting, equal-shape and scalar Add/Sub/Mul/Div/Max/Min
// give simplego's bits.
func TestBroadcastBinaryMatchesSimplego(t *testing.T) {
	rng := rand.New(rand.NewSource(7))
	cases := []struct{ a, b []int }{
		{[]int{8, 16, 16, 8}, []int{1, 1, 1, 8}},   // conv bias
		{[]int{1, 1, 1, 8}, []int{8, 16, 16, 8}},   // operands swapped
		{[]int{8, 16, 16, 8}, []int{1, 16, 16, 1}}, // average-pool counts
		{[]int{8, 1, 16, 8}, []int{1, 16, 1, 8}},   // both broadcast
		{[]int{64, 300}, []int{64, 1}},             // per-row scalar
		{[]int{3, 1, 7000}, []int{3, 5, 7000}},
		{[]int{8, 16, 16, 8}, []int{8, 16, 16, 8}}, // equal shapes (the mixed op's sums and products)
		{[]int{3, 5, 7001}, []int{3, 5, 7001}},     // equal, odd size (vector loops' tails)
		{[]int{8, 16, 16, 8}, nil},                 // a scalar second (θ_k·out_k)
		{nil, []int{3, 5, 7001}},                   // a scalar first
	}
	ops := map[string]func(a, b *graph.Node) *graph.Node{"Add": graph.Add, "Sub": graph.Sub, "Mul": graph.Mul, "Div": graph.Div,
		"Max": graph.Max, "Min": graph.Min}
	for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		for _, c := range cases {
			a, b := specialTensor(rng, dtype, c.a...), specialTensor(rng, dtype, c.b...)
			for name, f := range ops {
				label := fmt.Sprintf("%s %v %v %s", name, c.a, c.b, dtype)
				got := graph.MustExecOnce(New(), f, clone(t, a), clone(t, b))
				want := graph.MustExecOnce(simple(t), f, clone(t, a), clone(t, b))
				sameBits(t, label, got, want)
			}
		}
	}
}

// TestReduceSumMatchesSimplego: purego's ReduceSum gives simplego's bits in float64 and on the cases
// it leaves to simplego; the float32 sums it runs itself equal simplego's float64 sum of the same
// values in the same order, rounded to float32 (float64 accumulation).
func TestReduceSumMatchesSimplego(t *testing.T) {
	rng := rand.New(rand.NewSource(8))
	cases := []struct {
		dims []int
		axes []int
		ours bool // purego's kernel (see TestFastPathsTaken)
	}{
		{[]int{8, 16, 16, 8}, []int{0, 1, 2}, true}, // bias gradient
		{[]int{8, 16, 16, 8}, []int{1, 2}, true},
		{[]int{8, 16, 16, 8}, []int{3}, true},
		{[]int{8, 16, 16, 8}, []int{0, 1, 2, 3}, true}, // mixed-op weight gradient
		{[]int{8, 16, 16, 8}, []int{0}, true},
		{[]int{8, 16, 16, 8}, []int{2, 3}, true},
		{[]int{4, 1, 16, 16, 8}, []int{0, 2, 3}, true},
		{[]int{8, 16, 16, 8}, []int{0, 2}, false}, // two blocks: simplego
		{[]int{1, 40000}, []int{1}, true},
		{[]int{8, 16, 16, 8}, nil, true},          // no axes: all (graph.ReduceAllSum)
		{[]int{8, 8, 8, 4}, []int{0, 1, 2}, true}, // small, but 512 float32 terms per sum
		{[]int{8, 8, 8, 4}, []int{3}, false},      // small, 4 terms per sum: simplego
	}
	for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		for _, c := range cases {
			x := specialTensor(rng, dtype, c.dims...)
			// Finite values too, so the sums are not all NaN.
			xf := graph.MustExecOnce(simple(t), func(x *graph.Node) *graph.Node {
				return graph.Where(graph.IsFinite(x), x, graph.ZerosLike(x))
			}, clone(t, x))
			f := func(x *graph.Node) *graph.Node { return graph.ReduceSum(x, c.axes...) }
			in64 := func(x *graph.Node) *graph.Node {
				return graph.ConvertDType(graph.ReduceSum(graph.ConvertDType(x, dtypes.Float64), c.axes...), dtypes.Float32)
			}
			for _, in := range []*tensors.Tensor{x, xf} {
				got := graph.MustExecOnce(New(), f, clone(t, in))
				name := fmt.Sprintf("ReduceSum %v axes %v %s", c.dims, c.axes, dtype)
				if dtype == dtypes.Float32 && c.ours {
					sameBits(t, name+" (float64 accumulation)", got, graph.MustExecOnce(simple(t), in64, clone(t, in)))
					continue
				}
				sameBits(t, name, got, graph.MustExecOnce(simple(t), f, clone(t, in)))
			}
		}
	}
}

// TestFloat32SumAccuracy: a float32 sum of many terms is within one rounding of the exact sum (here the
// float64 sum of values whose float64 sum is exact: small integers times a power of two), where a
// float32 running sum drifts by many ulps.
func TestFloat32SumAccuracy(t *testing.T) {
	rng := rand.New(rand.NewSource(9))
	const n = 1 << 16
	v := make([]float32, n)
	var exact float64
	var naive float32
	for i := range v {
		v[i] = float32(rng.Intn(1<<12)) / 1024 // exact in float32 and in any float64 partial sum
		exact += float64(v[i])
		naive += v[i]
	}
	got := graph.MustExecOnce(New(), func(x *graph.Node) *graph.Node { return graph.ReduceAllSum(x) },
		tensors.FromFlatDataAndDimensions(v, 1, n))
	if g := tensors.ToScalar[float32](got); g != float32(exact) {
		t.Errorf("sum of %d float32 terms: %v, exact %v (a float32 running sum gives %v)", n, g, float32(exact), naive)
	}
	if naive == float32(exact) {
		t.Error("the float32 running sum is exact here too: the case proves nothing")
	}
	t.Logf("exact %v, float32 running sum %v (%.0f ulps off)", float32(exact), naive, math.Abs(float64(naive)-exact)/float64(math.Nextafter32(float32(exact), 1e30)-float32(exact)))
}

// TestFastPathsTaken: the shapes of the supernet go to purego's kernels, small or unsupported ones to simplego.
func TestFastPathsTaken(t *testing.T) {
	b := New().Builder("t").(*Builder)
	param := func(dims ...int) backends.Op {
		op, err := b.Parameter(fmt.Sprint(dims), shapes.Make(dtypes.Float32, dims...), nil)
		if err != nil {
			t.Fatal(err)
		}
		return op
	}
	x, bias, counts, small := param(64, 16, 16, 8), param(1, 1, 1, 8), param(1, 16, 16, 1), param(2, 3, 4, 8)
	isCustom := func(op backends.Op, err error) bool {
		if err != nil {
			t.Fatal(err)
		}
		return op.(*node).custom != nil
	}
	if !isCustom(b.Add(x, bias)) || !isCustom(b.Div(x, counts)) || !isCustom(b.ReduceSum(x, 0, 1, 2)) || !isCustom(b.ReduceSum(x, 0, 1, 2, 3)) || !isCustom(b.ReduceSum(x)) {
		t.Error("a supernet-sized broadcasting op or reduction did not take purego's kernel")
	}
	scalar, smallScalar := param(), param()
	if !isCustom(b.Add(x, x)) || !isCustom(b.Mul(x, scalar)) || !isCustom(b.Sub(scalar, x)) || !isCustom(b.Max(x, scalar)) ||
		!isCustom(b.Min(x, x)) {
		t.Error("a supernet-sized same-shape op or op with a scalar did not take purego's kernel")
	}
	// GoMLX's activations.Relu: Max(x, ZerosLike(x)), a broadcast scalar.
	zeros, err := b.BroadcastInDim(scalar, shapes.Make(dtypes.Float32, 64, 16, 16, 8), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !isCustom(b.Max(x, zeros)) || !isCustom(b.Sub(x, zeros)) {
		t.Error("an op with a broadcast scalar did not take purego's kernel")
	}
	if isCustom(b.Add(small, bias)) || isCustom(b.Add(small, small)) || isCustom(b.Mul(small, scalar)) ||
		isCustom(b.Mul(scalar, smallScalar)) || isCustom(b.ReduceSum(x, 0, 2)) {
		t.Error("a small, scalar-only or two-block op took purego's kernel")
	}
}

func simple(t *testing.T) backends.Backend {
	be, err := simplego.New("")
	if err != nil {
		t.Fatal(err)
	}
	return be
}

// clone is a local copy of x, so that each backend gets its own tensor.
func clone(t *testing.T, x *tensors.Tensor) *tensors.Tensor {
	c, err := x.LocalClone()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestConvertBoolMatchesSimplego: purego's ConvertDType from Bool (a ReLU mask) gives simplego's
// values, and the mask-sized conversion takes purego's kernel.
func TestConvertBoolMatchesSimplego(t *testing.T) {
	rng := rand.New(rand.NewSource(10))
	for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		for _, n := range []int{100, 1 << 15} {
			x := make([]float32, n)
			for i := range x {
				x[i] = float32(rng.NormFloat64())
			}
			f := func(x *graph.Node) *graph.Node {
				return graph.ConvertDType(graph.GreaterThan(x, graph.ScalarZero(x.Graph(), x.DType())), dtype)
			}
			in := tensors.FromFlatDataAndDimensions(x, n)
			got := graph.MustExecOnce(New(), f, clone(t, in))
			want := graph.MustExecOnce(simple(t), f, clone(t, in))
			sameBits(t, fmt.Sprintf("ConvertDType(bool[%d], %s)", n, dtype), got, want)
		}
	}
	b := New().Builder("t").(*Builder)
	for _, c := range []struct {
		n    int
		fast bool
	}{{1 << 15, true}, {100, false}} {
		p, err := b.Parameter(fmt.Sprint(c.n), shapes.Make(dtypes.Bool, c.n), nil)
		if err != nil {
			t.Fatal(err)
		}
		op, err := b.ConvertDType(p, dtypes.Float32)
		if err != nil {
			t.Fatal(err)
		}
		if fast := op.(*node).custom != nil; fast != c.fast {
			t.Errorf("ConvertDType(bool[%d]): purego kernel %v, want %v", c.n, fast, c.fast)
		}
	}
}

// TestBinOpIsVecOp: broadcast.go hands binOp values to package vec as vec.Op.
func TestBinOpIsVecOp(t *testing.T) {
	for _, c := range []struct {
		b binOp
		v vec.Op
	}{{binAdd, vec.Add}, {binSub, vec.Sub}, {binMul, vec.Mul}, {binDiv, vec.Div}, {binMax, vec.Max}, {binMin, vec.Min}} {
		if vec.Op(c.b) != c.v {
			t.Errorf("%v is vec.Op %d, want %d", c.b, vec.Op(c.b), c.v)
		}
	}
}
