package purego

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
)

// Tests of the build-time graph rewrites (rewrite.go): every rewritten graph gives simplego's bits,
// forward and backward, each rewrite fires on the patterns it is meant for, and leaves the others alone.

// withSimplegoSums leaves float32 ReduceSums to simplego for the rest of the test (see
// float32SumsInFloat64), so that whole gradient graphs can be compared with simplego bit for bit.
func withSimplegoSums(t *testing.T) {
	t.Helper()
	old := float32SumsInFloat64
	float32SumsInFloat64 = false
	t.Cleanup(func() { float32SumsInFloat64 = old })
}

// buildFunc builds a graph's outputs from its parameters, on any backend's builder.
type buildFunc func(b backends.Builder, params []backends.Op) ([]backends.Op, error)

// execBuild builds f on be with one parameter per input, compiles and runs it, and returns its outputs
// as tensors, with the purego Executable when be is purego (else nil).
func execBuild(t *testing.T, be backends.Backend, f buildFunc, ins ...*tensors.Tensor) ([]*tensors.Tensor, *Executable) {
	t.Helper()
	b := be.Builder("rewrite_test")
	params := make([]backends.Op, len(ins))
	bufs := make([]backends.Buffer, len(ins))
	for i, in := range ins {
		var err error
		if params[i], err = b.Parameter(fmt.Sprintf("p%d", i), in.Shape(), nil); err != nil {
			t.Fatal(err)
		}
		if bufs[i], err = be.BufferFromFlatData(0, flatCopy(t, in), in.Shape()); err != nil {
			t.Fatal(err)
		}
	}
	outs, err := f(b, params)
	if err != nil {
		t.Fatalf("%s: building: %v", be.Name(), err)
	}
	exec, err := b.Compile(outs, nil)
	if err != nil {
		t.Fatalf("%s: compiling: %v", be.Name(), err)
	}
	defer exec.Finalize()
	res, err := exec.Execute(bufs, nil, 0)
	if err != nil {
		t.Fatalf("%s: executing: %v", be.Name(), err)
	}
	got := make([]*tensors.Tensor, len(res))
	for i, buf := range res {
		got[i] = bufferTensor(t, be, buf)
	}
	pe, _ := exec.(*Executable)
	return got, pe
}

// flatCopy is a copy of a float tensor's flat data.
func flatCopy(t *testing.T, x *tensors.Tensor) any {
	t.Helper()
	switch x.DType() {
	case dtypes.Float32:
		return tensors.MustCopyFlatData[float32](x)
	case dtypes.Float64:
		return tensors.MustCopyFlatData[float64](x)
	}
	t.Fatalf("flatCopy: dtype %s", x.DType())
	return nil
}

// bufferTensor copies a float buffer of be into a local tensor.
func bufferTensor(t *testing.T, be backends.Backend, buf backends.Buffer) *tensors.Tensor {
	t.Helper()
	shape, err := be.BufferShape(buf)
	if err != nil {
		t.Fatal(err)
	}
	switch shape.DType {
	case dtypes.Float32:
		flat := make([]float32, shape.Size())
		if err := be.BufferToFlatData(buf, flat); err != nil {
			t.Fatal(err)
		}
		return tensors.FromFlatDataAndDimensions(flat, shape.Dimensions...)
	case dtypes.Float64:
		flat := make([]float64, shape.Size())
		if err := be.BufferToFlatData(buf, flat); err != nil {
			t.Fatal(err)
		}
		return tensors.FromFlatDataAndDimensions(flat, shape.Dimensions...)
	}
	t.Fatalf("bufferTensor: dtype %s", shape.DType)
	return nil
}

// binary builds op(x, y) on any builder.
func binary(b backends.Builder, op binOp, x, y backends.Op) (backends.Op, error) {
	switch op {
	case binAdd:
		return b.Add(x, y)
	case binSub:
		return b.Sub(x, y)
	case binMul:
		return b.Mul(x, y)
	case binMax:
		return b.Max(x, y)
	case binMin:
		return b.Min(x, y)
	}
	return b.Div(x, y)
}

var binOps = []binOp{binAdd, binSub, binMul, binDiv, binMax, binMin}

// ---- Identity -----------------------------------------------------------------------------------

// TestIdentityIsItsOperand: Identity returns its operand (no copy), refuses another builder's op, and
// an executable whose outputs are an input's identity, or one value twice (GoMLX's Compile makes the
// second an Identity), still hands back independent buffers with the right values.
func TestIdentityIsItsOperand(t *testing.T) {
	be := New()
	b := be.Builder("t").(*Builder)
	p, err := b.Parameter("x", shapes.Make(dtypes.Float32, 3, 5), nil)
	if err != nil {
		t.Fatal(err)
	}
	id, err := b.Identity(p)
	if err != nil || id != p {
		t.Fatalf("Identity(x) = %v, %v: want x itself", id, err)
	}
	other, _ := be.Builder("other").Parameter("y", shapes.Make(dtypes.Float32, 3), nil)
	if _, err := b.Identity(other); err == nil {
		t.Error("Identity of another builder's op: no error")
	}

	x := tensors.FromFlatDataAndDimensions([]float32{1, -2, 3, 0, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}, 3, 5)
	f := func(x *graph.Node) []*graph.Node {
		y := graph.Mul(x, x)
		return []*graph.Node{graph.Identity(x), graph.StopGradient(y), y, y}
	}
	ins, err := be.BufferFromFlatData(0, tensors.MustCopyFlatData[float32](x), x.Shape())
	if err != nil {
		t.Fatal(err)
	}
	// The backend executable, run directly to see its buffers.
	pb := be.Builder("direct").(*Builder)
	pp, _ := pb.Parameter("x", x.Shape(), nil)
	sq, _ := pb.Mul(pp, pp)
	idx, _ := pb.Identity(pp)
	idsq, _ := pb.Identity(sq)
	exec, err := pb.Compile([]backends.Op{idx, sq, idsq, sq}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer exec.Finalize()
	res, err := exec.Execute([]backends.Buffer{ins}, nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[backends.Buffer]int{ins: -1}
	for i, r := range res {
		if j, ok := seen[r]; ok {
			t.Fatalf("output %d is the same buffer as %d (-1: the input)", i, j)
		}
		seen[r] = i
	}
	// Each buffer lives on its own: finalize all but the last of each value, then read the others.
	for _, i := range []int{0, 1, 2} {
		if err := be.BufferFinalize(res[i]); err != nil {
			t.Fatal(err)
		}
	}
	in := tensors.MustCopyFlatData[float32](x)
	got := tensors.MustCopyFlatData[float32](bufferTensor(t, be, res[3]))
	back := tensors.MustCopyFlatData[float32](bufferTensor(t, be, ins))
	for i, v := range in {
		if got[i] != v*v || back[i] != v {
			t.Fatalf("element %d: x·x = %v, input now %v; want %v, %v", i, got[i], back[i], v*v, v)
		}
	}
	// And through GoMLX's Exec (duplicate outputs become Identity ops in graph.Compile).
	gotG := graph.MustExecOnceN(be, f, clone(t, x))
	wantG := graph.MustExecOnceN(simple(t), f, clone(t, x))
	for i := range wantG {
		sameBits(t, fmt.Sprintf("output %d", i), gotG[i], wantG[i])
	}
}

// ---- Broadcast folding -------------------------------------------------------------------------

// foldCase is one BroadcastInDim(src, out, axes) used as an operand of a binary op.
type foldCase struct {
	src, out, axes []int
	fold           bool // a pure repeat of a smaller tensor: the binary op reads src instead
}

var foldCases = []foldCase{
	{nil, []int{8, 16, 16, 8}, nil, true},                               // a scalar, fastMinSize elements
	{nil, []int{2, 3, 4, 5}, nil, true},                                 // a scalar, small
	{[]int{8}, []int{8, 16, 16, 8}, []int{3}, true},                     // a bias on the last axis
	{[]int{1, 1, 1, 9}, []int{8, 16, 16, 9}, []int{0, 1, 2, 3}, true},   // graph.mulVJP's BroadcastToShape
	{[]int{5}, []int{2, 3, 4, 5}, []int{3}, true},                       // a bias, small
	{[]int{1, 16, 16, 1}, []int{8, 16, 16, 8}, []int{0, 1, 2, 3}, true}, // the average pool's counts
	{[]int{16, 16}, []int{8, 16, 16, 8}, []int{1, 2}, true},
	{[]int{8}, []int{8, 16, 16, 8}, []int{0}, true},                    // the first axis
	{[]int{16}, []int{8, 16, 16, 8}, []int{2}, true},                   // a middle axis
	{[]int{8, 8}, []int{8, 16, 16, 8}, []int{0, 3}, true},              // two kept axes apart
	{[]int{8, 1, 16, 1}, []int{8, 16, 16, 8}, []int{0, 1, 2, 3}, true}, // ones between kept axes
	{[]int{127}, []int{127, 129}, []int{0}, true},                      // fastMinSize−1 elements
	{[]int{129}, []int{127, 129}, []int{1}, true},
	{[]int{128}, []int{128, 128}, []int{1}, true},            // fastMinSize elements
	{[]int{128}, []int{1, 128, 1, 129}, []int{1}, true},      // output axes of size 1
	{[]int{3, 7}, []int{3, 5, 7, 200}, []int{0, 2}, true},    // above fastMinSize, odd sizes
	{[]int{1, 7, 1}, []int{3, 7, 900}, []int{0, 1, 2}, true}, // rank-equal, ones at both ends
	// Axes out of order: a transpose in XLA's semantics. (simplego v0.26 does not transpose: it fills
	// the output in the source's order, as a reshape would; purego leaves the op to it, so the bits
	// still agree. GoMLX's graph package only emits increasing axes.)
	{[]int{16, 8}, []int{8, 4, 4, 16}, []int{3, 0}, false},
	{[]int{8, 16}, []int{16, 8, 128}, []int{1, 0}, false},       // fastMinSize elements
	{[]int{128, 128}, []int{128, 1, 128}, []int{0, 2}, false},   // as many elements: nothing to save
	{[]int{128, 128}, []int{128, 128}, []int{0, 1}, false},      // the same shape
	{[]int{1, 128, 1}, []int{1, 128, 1}, []int{0, 1, 2}, false}, // the same shape, ones
	{[]int{2, 1, 2}, []int{2, 4096, 2}, []int{0, 1, 2}, true},   // rank-equal, a one in the middle
	{[]int{1}, []int{128, 129}, []int{1}, true},                 // one element, not a scalar
	{[]int{1, 1}, []int{2, 3}, []int{0, 1}, true},               // one element, small
	{[]int{4, 1}, []int{4, 4096}, []int{0, 1}, true},            // per-row scalar
	{[]int{1, 4096}, []int{4, 4096}, []int{0, 1}, true},         // per-column
	{[]int{4096}, []int{4, 4096}, []int{1}, true},
	{[]int{4}, []int{4, 4096}, []int{0}, true},
	{[]int{2, 3, 4}, []int{2, 3, 4, 700}, []int{0, 1, 2}, true}, // a new last axis
	{[]int{700}, []int{2, 3, 4, 700}, []int{3}, true},           // new leading axes
	{[]int{2, 700}, []int{2, 3, 4, 700}, []int{0, 3}, true},     // both
	{[]int{3, 4}, []int{2, 3, 4, 700}, []int{1, 2}, true},       // neither end
	{[]int{1, 4}, []int{2, 3, 4, 700}, []int{1, 2}, true},       // a one among them
	{[]int{7, 1}, []int{7, 3000}, []int{0, 1}, true},
	{[]int{3000, 1}, []int{3000, 7}, []int{0, 1}, true},
	{[]int{1, 1, 1, 1}, []int{8, 16, 16, 8}, []int{0, 1, 2, 3}, true}, // one element, rank 4
}

func (c foldCase) String() string { return fmt.Sprintf("%v→%v axes %v", c.src, c.out, c.axes) }

// TestFoldBroadcastMatchesSimplego: Add/Sub/Mul/Div of a full tensor and a BroadcastInDim give
// simplego's bits, with the broadcast on either side, in float32 and float64, on inputs with ±0, ±Inf
// and NaN; the broadcast is folded away (dead in the compiled graph) exactly when it only repeats a
// smaller tensor along axes in order.
func TestFoldBroadcastMatchesSimplego(t *testing.T) {
	rng := rand.New(rand.NewSource(22))
	for _, c := range foldCases {
		for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
			full, src := specialTensor(rng, dtype, c.out...), specialTensor(rng, dtype, c.src...)
			for _, op := range binOps {
				for _, bcLeft := range []bool{false, true} {
					name := fmt.Sprintf("%s %s, broadcast on the left %v, %s", op, c, bcLeft, dtype)
					var bc, res backends.Op
					f := func(b backends.Builder, p []backends.Op) ([]backends.Op, error) {
						var err error
						if bc, err = b.BroadcastInDim(p[1], shapes.Make(dtype, c.out...), c.axes); err != nil {
							return nil, err
						}
						if bcLeft {
							res, err = binary(b, op, bc, p[0])
						} else {
							res, err = binary(b, op, p[0], bc)
						}
						return []backends.Op{res}, err
					}
					want, _ := execBuild(t, simple(t), f, full, src)
					got, exec := execBuild(t, New(), f, full, src)
					sameBits(t, name, got[0], want[0])
					n := bc.(*node)
					if marked := n.bcastSrc != nil; marked != c.fold {
						t.Errorf("%s: broadcast marked as a repeat: %v, want %v", name, marked, c.fold)
					}
					if live := exec.live[n.idx]; live == c.fold {
						t.Errorf("%s: the broadcast is computed: %v, want %v", name, live, !c.fold)
					}
				}
			}
		}
	}
}

// TestBroadcastInDimMatchesSimplego: a broadcast computed on its own (an output here; in a gradient,
// the repeat of a mean that batch norm's gradient reads) gives simplego's bits on every fold case, in float32 and float64; from fastMinSize elements it runs purego's row copies.
func TestBroadcastInDimMatchesSimplego(t *testing.T) {
	rng := rand.New(rand.NewSource(25))
	for _, c := range foldCases {
		for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
			src := specialTensor(rng, dtype, c.src...)
			var bc backends.Op
			f := func(b backends.Builder, p []backends.Op) ([]backends.Op, error) {
				var err error
				bc, err = b.BroadcastInDim(p[0], shapes.Make(dtype, c.out...), c.axes)
				return []backends.Op{bc}, err
			}
			name := fmt.Sprintf("BroadcastInDim %s, %s", c, dtype)
			want, _ := execBuild(t, simple(t), f, src)
			got, _ := execBuild(t, New(), f, src)
			sameBits(t, name, got[0], want[0])
			size := shapes.Make(dtype, c.out...).Size()
			if fast := bc.(*node).custom != nil; fast != (c.fold && size >= fastMinSize) {
				t.Errorf("%s: purego kernel %v, want %v", name, fast, !fast)
			}
		}
	}
}

// TestFoldBroadcastEdges: both operands broadcasts, a broadcast that is also an output (it stays,
// and the op still reads its source), and bad broadcasts and dtype mismatches reported as errors.
func TestFoldBroadcastEdges(t *testing.T) {
	rng := rand.New(rand.NewSource(23))
	out := shapes.Make(dtypes.Float32, 8, 16, 16, 8)
	bias, s := specialTensor(rng, dtypes.Float32, 8), specialTensor(rng, dtypes.Float32)
	x := specialTensor(rng, dtypes.Float32, out.Dimensions...)
	for _, op := range binOps {
		var b1, b2, res backends.Op
		f := func(b backends.Builder, p []backends.Op) ([]backends.Op, error) {
			var err error
			if b1, err = b.BroadcastInDim(p[0], out, []int{3}); err != nil {
				return nil, err
			}
			if b2, err = b.BroadcastInDim(p[1], out, nil); err != nil {
				return nil, err
			}
			if res, err = binary(b, op, b1, b2); err != nil {
				return nil, err
			}
			r2, err := binary(b, op, p[2], b1)
			return []backends.Op{res, r2, b1}, err
		}
		want, _ := execBuild(t, simple(t), f, bias, s, x)
		got, exec := execBuild(t, New(), f, bias, s, x)
		for i := range want {
			sameBits(t, fmt.Sprintf("%s, output %d", op, i), got[i], want[i])
		}
		if !exec.live[b1.(*node).idx] {
			t.Errorf("%s: a broadcast that is an output is not computed", op)
		}
	}

	b := New().Builder("t").(*Builder)
	p2, _ := b.Parameter("p2", shapes.Make(dtypes.Float32, 2), nil)
	if _, err := b.BroadcastInDim(p2, shapes.Make(dtypes.Float32, 4), []int{0}); err == nil {
		t.Error("BroadcastInDim [2] → [4]: no error")
	}
	if _, err := b.BroadcastInDim(p2, shapes.Make(dtypes.Float32, 2, 3), []int{0, 1}); err == nil {
		t.Error("BroadcastInDim with more axes than the operand's rank: no error")
	}
	p64, _ := b.Parameter("p64", shapes.Make(dtypes.Float64, 4, 2), nil)
	bc, err := b.BroadcastInDim(p2, shapes.Make(dtypes.Float32, 4, 2), []int{1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Mul(p64, bc); err == nil {
		t.Error("Mul of float64 and a float32 broadcast: no error")
	}
}

// finiteTensor is a tensor of finite values of varied magnitude, with zeros, −0 and subnormals.
func finiteTensor(rng *rand.Rand, dtype dtypes.DType, dims ...int) *tensors.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64() * math.Pow(10, float64(rng.Intn(6)-3))
		switch rng.Intn(200) {
		case 0:
			v[i] = 0
		case 1:
			v[i] = math.Copysign(0, -1)
		case 2:
			v[i] = math.Copysign(math.SmallestNonzeroFloat32, rng.NormFloat64())
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

// recorder is purego recording the builders it hands out, to inspect the graphs GoMLX builds.
type recorder struct {
	*Backend
	builders []*Builder
}

func (r *recorder) Builder(name string) backends.Builder {
	b := newBuilder(r.Backend, name)
	r.builders = append(r.builders, b)
	return b
}

// repeatReads counts the binary ops of b that read a broadcast that only repeats a smaller tensor
// next to an operand of the same shape that is not one (those that the folding missed). An op of two
// repeats (divVJP's b·b) keeps one of them: folding reads the other's source.
func repeatReads(b *Builder) int {
	n := 0
	for _, nd := range b.nodes {
		var name string
		var ins []*node
		switch {
		case nd.call != nil && nd.call.outputs[0] == nd:
			name, ins = nd.call.name, nd.call.inputs
		case nd.custom != nil && nd.outIdx == 0:
			name, ins = nd.custom.name, nd.custom.inputs
		}
		if name != "Add" && name != "Sub" && name != "Mul" && name != "Div" {
			continue
		}
		if len(ins) == 2 && ins[0].shape.Equal(ins[1].shape) && (ins[0].bcastSrc != nil) != (ins[1].bcastSrc != nil) {
			n++
		}
	}
	return n
}

// customOps counts b's custom ops of that name.
func customOps(b *Builder, name string) int {
	n := 0
	for _, st := range b.stages {
		for _, c := range st.customs {
			if c.name == name {
				n++
			}
		}
	}
	return n
}

// gradCase is a binary op of x and an operand made from s that GoMLX broadcasts: forward (an
// explicit BroadcastInDim) or in the gradient (graph.mulVJP and divVJP broadcast the other operand).
type gradCase struct {
	name    string
	x, s    []int
	operand func(s, x *graph.Node) *graph.Node
}

func implicit(s, _ *graph.Node) *graph.Node { return s }

func expandTo(axes ...int) func(s, x *graph.Node) *graph.Node {
	return func(s, x *graph.Node) *graph.Node { return graph.ExpandAndBroadcast(s, x.Shape().Dimensions, axes) }
}

var gradCases = []gradCase{
	{"scalar", []int{8, 16, 16, 8}, nil, implicit},
	{"scalar, small", []int{2, 3, 4, 5}, nil, implicit},
	{"bias", []int{8, 16, 16, 8}, []int{1, 1, 1, 8}, implicit},
	{"bias, small", []int{2, 3, 4, 5}, []int{1, 1, 1, 5}, implicit},
	{"bias expanded", []int{8, 16, 16, 9}, []int{9}, expandTo(0, 1, 2)},
	{"counts", []int{8, 16, 16, 8}, []int{1, 16, 16, 1}, implicit},
	{"per example", []int{8, 16, 16, 8}, []int{8, 1, 1, 1}, implicit},
	{"middle axis expanded", []int{8, 16, 16, 8}, []int{16}, expandTo(0, 2, 3)},
	{"rows, fastMinSize", []int{128, 128}, []int{128, 1}, implicit},
	{"columns, fastMinSize−1", []int{127, 129}, []int{1, 129}, implicit},
}

// TestFoldBroadcastGradientsMatchSimplego: the value and the gradients (w.r.t. x, s and the adjoint's
// weights c) of ReduceAllSum(op(x, S)·c) and ReduceAllSum(op(S, x)·c), S a broadcast of s, are
// simplego's bits (float32 sums left to simplego, see withSimplegoSums), and no binary op of those
// graphs reads a broadcast that only repeats a smaller tensor next to a full operand (repeatReads).
func TestFoldBroadcastGradientsMatchSimplego(t *testing.T) {
	withSimplegoSums(t)
	rng := rand.New(rand.NewSource(24))
	ops := map[binOp]func(a, b *graph.Node) *graph.Node{binAdd: graph.Add, binSub: graph.Sub, binMul: graph.Mul, binDiv: graph.Div,
		binMax: graph.Max, binMin: graph.Min}
	for _, c := range gradCases {
		for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
			x, s, w := finiteTensor(rng, dtype, c.x...), finiteTensor(rng, dtype, c.s...), finiteTensor(rng, dtype, c.x...)
			for _, op := range binOps {
				for _, sLeft := range []bool{false, true} {
					name := fmt.Sprintf("%s %s, s on the left %v, %s", op, c.name, sLeft, dtype)
					f := func(x, s, w *graph.Node) []*graph.Node {
						var y *graph.Node
						if sLeft {
							y = ops[op](c.operand(s, x), x)
						} else {
							y = ops[op](x, c.operand(s, x))
						}
						loss := graph.ReduceAllSum(graph.Mul(y, w))
						return append([]*graph.Node{y}, graph.Gradient(loss, x, s, w)...)
					}
					want := graph.MustExecOnceN(simple(t), f, clone(t, x), clone(t, s), clone(t, w))
					rec := &recorder{Backend: New()}
					got := graph.MustExecOnceN(rec, f, clone(t, x), clone(t, s), clone(t, w))
					for i, label := range []string{"value", "∂x", "∂s", "∂c"} {
						sameBits(t, name+" "+label, got[i], want[i])
					}
					repeats := 0
					for _, b := range rec.builders {
						if n := repeatReads(b); n > 0 {
							t.Errorf("%s: %d binary ops read a broadcast repeat", name, n)
						}
						for _, nd := range b.nodes {
							if nd.bcastSrc != nil {
								repeats++
							}
						}
					}
					if repeats == 0 { // ReduceAllSum's gradient alone broadcasts a scalar
						t.Errorf("%s: no broadcast repeat in the graph: the case tests nothing", name)
					}
				}
			}
		}
	}
}

// ---- ReLU mask product -------------------------------------------------------------------------

// reluSpecials32 are the float32 values around x > 0's edges: ±0, the smallest and largest
// subnormals, the smallest normal, ±1, the largest finite, ±Inf and NaNs of both signs.
var reluSpecials32 = []uint32{
	0x00000000, 0x80000000, 0x00000001, 0x80000001, 0x007FFFFF, 0x807FFFFF, 0x00800000, 0x80800000,
	0x3F800000, 0xBF800000, 0x7F7FFFFF, 0xFF7FFFFF, 0x7F800000, 0xFF800000, 0x7FC00000, 0xFFC00000,
	0x7F800001, 0xFF800001, 0x7FFFFFFF, 0xFFFFFFFF,
}

var reluSpecials64 = []uint64{
	0, 1 << 63, 1, 1<<63 | 1, 0x000FFFFFFFFFFFFF, 0x800FFFFFFFFFFFFF, 0x0010000000000000, 0x8010000000000000,
	0x3FF0000000000000, 0xBFF0000000000000, 0x7FEFFFFFFFFFFFFF, 0xFFEFFFFFFFFFFFFF, 0x7FF0000000000000,
	0xFFF0000000000000, 0x7FF8000000000000, 0xFFF8000000000000, 0x7FF0000000000001, 0xFFFFFFFFFFFFFFFF,
}

// reluTensor returns n values: every special value, then random values of varied magnitude and sign
// with zeros, subnormals, infinities and NaNs mixed in.
func reluTensor(rng *rand.Rand, dtype dtypes.DType, n int) *tensors.Tensor {
	if dtype == dtypes.Float32 {
		v := make([]float32, n)
		for i := range v {
			switch {
			case i < len(reluSpecials32):
				v[i] = math.Float32frombits(reluSpecials32[i])
			case rng.Intn(8) == 0:
				v[i] = math.Float32frombits(reluSpecials32[rng.Intn(len(reluSpecials32))])
			default:
				v[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.Intn(80)-40)))
			}
		}
		return tensors.FromFlatDataAndDimensions(v, n)
	}
	v := make([]float64, n)
	for i := range v {
		switch {
		case i < len(reluSpecials64):
			v[i] = math.Float64frombits(reluSpecials64[i])
		case rng.Intn(8) == 0:
			v[i] = math.Float64frombits(reluSpecials64[rng.Intn(len(reluSpecials64))])
		default:
			v[i] = rng.NormFloat64() * math.Pow(10, float64(rng.Intn(600)-300))
		}
	}
	return tensors.FromFlatDataAndDimensions(v, n)
}

// reluMulWant is a·[x > 0] element by element, in the tensors' dtype, as IEEE (Go) computes it.
func reluMulWant(a, x *tensors.Tensor) *tensors.Tensor {
	if a.DType() == dtypes.Float32 {
		av, xv := tensors.MustCopyFlatData[float32](a), tensors.MustCopyFlatData[float32](x)
		for i, v := range xv {
			var m float32
			if v > 0 {
				m = 1
			}
			av[i] *= m
		}
		return tensors.FromFlatDataAndDimensions(av, a.Shape().Dimensions...)
	}
	av, xv := tensors.MustCopyFlatData[float64](a), tensors.MustCopyFlatData[float64](x)
	for i, v := range xv {
		var m float64
		if v > 0 {
			m = 1
		}
		av[i] *= m
	}
	return tensors.FromFlatDataAndDimensions(av, a.Shape().Dimensions...)
}

// reluMask builds ConvertDType(GreaterThan(x, zero), dtype) with zero a scalar constant, then
// Identity (spaces.ReLU's StopGradient), on any builder.
func reluMask(b backends.Builder, x backends.Op, zero any) (backends.Op, error) {
	z, err := b.Constant(zero)
	if err != nil {
		return nil, err
	}
	gt, err := b.GreaterThan(x, z)
	if err != nil {
		return nil, err
	}
	shape, err := b.OpShape(x)
	if err != nil {
		return nil, err
	}
	m, err := b.ConvertDType(gt, shape.DType)
	if err != nil {
		return nil, err
	}
	return b.Identity(m)
}

// TestReLUMulMatchesSimplego: Mul(a, [x > 0]) and Mul([x > 0], a) (a = x: ReLU forward; a another
// tensor: its backward) give simplego's bits and a·[x > 0] as Go computes it, for every special
// float (NaN → 0·a, −0 → 0·a, +Inf → a, subnormals > 0 → a), sizes below, at and above fastMinSize
// and above the kernel's parallel split, and take the fused kernel exactly when the size allows.
func TestReLUMulMatchesSimplego(t *testing.T) {
	rng := rand.New(rand.NewSource(25))
	for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		var zero any = []float32{0}
		if dtype == dtypes.Float64 {
			zero = []float64{0}
		}
		for _, n := range []int{100, fastMinSize - 1, fastMinSize, 70001} {
			x, a := reluTensor(rng, dtype, n), reluTensor(rng, dtype, n)
			for _, c := range []struct {
				name            string
				self, maskFirst bool
			}{{"x·mask", true, false}, {"mask·x", true, true}, {"a·mask", false, false}, {"mask·a", false, true}} {
				name := fmt.Sprintf("%s, %d %s", c.name, n, dtype)
				var res backends.Op
				f := func(b backends.Builder, p []backends.Op) ([]backends.Op, error) {
					m, err := reluMask(b, p[0], zero)
					if err != nil {
						return nil, err
					}
					other := p[1]
					if c.self {
						other = p[0]
					}
					if c.maskFirst {
						res, err = b.Mul(m, other)
					} else {
						res, err = b.Mul(other, m)
					}
					return []backends.Op{res}, err
				}
				want, _ := execBuild(t, simple(t), f, x, a)
				got, exec := execBuild(t, New(), f, x, a)
				sameBits(t, name, got[0], want[0])
				other := a
				if c.self {
					other = x
				}
				sameBits(t, name+" (Go's a·[x > 0])", got[0], reluMulWant(other, x))
				rn := res.(*node)
				fused := rn.custom != nil && rn.custom.name == "ReLUMul"
				if fused != (n >= fastMinSize) {
					t.Errorf("%s: fused %v, want %v", name, fused, n >= fastMinSize)
				}
				if fused {
					for _, in := range rn.custom.inputs {
						if in.call != nil && (in.call.name == "GreaterThan" || in.call.name == "ConvertDType") {
							t.Errorf("%s: the fused op reads the mask", name)
						}
					}
					if dead := countLive(exec, "GreaterThan") + countLive(exec, "ConvertDType"); dead != 0 {
						t.Errorf("%s: %d mask ops still computed", name, dead)
					}
				}
			}
		}
	}
}

// countLive counts the live ops of exec built by simplego calls or custom ops of that name.
func countLive(e *Executable, name string) int {
	n := 0
	for _, st := range e.stages {
		for _, c := range st.calls {
			if c.name == name && anyLive(e.live, c.outputs) {
				n++
			}
		}
		for _, c := range st.customs {
			if c.name == name && anyLive(e.live, c.outputs) {
				n++
			}
		}
	}
	return n
}

// TestReLUMulLeftAlone: products that are not a·[x > 0] are not fused: another threshold, ≥, the
// operands of > swapped, a non-constant or non-scalar zero, a mask of another shape's tensor, a mask
// converted to another dtype than x's (then cast back). Their values still are simplego's.
func TestReLUMulLeftAlone(t *testing.T) {
	rng := rand.New(rand.NewSource(26))
	const n = 1 << 15
	x, a := reluTensor(rng, dtypes.Float32, n), reluTensor(rng, dtypes.Float32, n)
	cases := []struct {
		name string
		mask func(b backends.Builder, x, a backends.Op) (backends.Op, error)
	}{
		{"x > 1", func(b backends.Builder, x, _ backends.Op) (backends.Op, error) {
			return maskOf(b, x, func(z backends.Op) (backends.Op, error) { return b.GreaterThan(x, z) }, []float32{1})
		}},
		{"x > NaN", func(b backends.Builder, x, _ backends.Op) (backends.Op, error) {
			return maskOf(b, x, func(z backends.Op) (backends.Op, error) { return b.GreaterThan(x, z) }, []float32{float32(math.NaN())})
		}},
		{"x ≥ 0", func(b backends.Builder, x, _ backends.Op) (backends.Op, error) {
			return maskOf(b, x, func(z backends.Op) (backends.Op, error) { return b.GreaterOrEqual(x, z) }, []float32{0})
		}},
		{"0 > x", func(b backends.Builder, x, _ backends.Op) (backends.Op, error) {
			return maskOf(b, x, func(z backends.Op) (backends.Op, error) { return b.GreaterThan(z, x) }, []float32{0})
		}},
		{"x > a", func(b backends.Builder, x, a backends.Op) (backends.Op, error) {
			gt, err := b.GreaterThan(x, a)
			if err != nil {
				return nil, err
			}
			return b.ConvertDType(gt, dtypes.Float32)
		}},
		{"x > [0] (rank 1)", func(b backends.Builder, x, _ backends.Op) (backends.Op, error) {
			z, err := b.Constant([]float32{0}, 1)
			if err != nil {
				return nil, err
			}
			gt, err := b.GreaterThan(x, z)
			if err != nil {
				return nil, err
			}
			return b.ConvertDType(gt, dtypes.Float32)
		}},
		{"reshaped x > 0", func(b backends.Builder, x, _ backends.Op) (backends.Op, error) {
			xr, err := b.Reshape(x, 2, n/2)
			if err != nil {
				return nil, err
			}
			m, err := reluMask(b, xr, []float32{0})
			if err != nil {
				return nil, err
			}
			return b.Reshape(m, n)
		}},
		{"float64 mask cast back", func(b backends.Builder, x, _ backends.Op) (backends.Op, error) {
			z, err := b.Constant([]float32{0})
			if err != nil {
				return nil, err
			}
			gt, err := b.GreaterThan(x, z)
			if err != nil {
				return nil, err
			}
			m, err := b.ConvertDType(gt, dtypes.Float64)
			if err != nil {
				return nil, err
			}
			return b.ConvertDType(m, dtypes.Float32)
		}},
	}
	for _, c := range cases {
		var res backends.Op
		f := func(b backends.Builder, p []backends.Op) ([]backends.Op, error) {
			m, err := c.mask(b, p[0], p[1])
			if err != nil {
				return nil, err
			}
			res, err = b.Mul(p[1], m)
			return []backends.Op{res}, err
		}
		want, _ := execBuild(t, simple(t), f, x, a)
		got, _ := execBuild(t, New(), f, x, a)
		sameBits(t, c.name, got[0], want[0])
		if rn := res.(*node); rn.custom != nil && rn.custom.name == "ReLUMul" {
			t.Errorf("%s: fused as a ReLU mask", c.name)
		}
	}
}

// maskOf is ConvertDType(cmp(zero), float32) with zero a scalar constant.
func maskOf(b backends.Builder, x backends.Op, cmp func(z backends.Op) (backends.Op, error), zero []float32) (backends.Op, error) {
	z, err := b.Constant(zero)
	if err != nil {
		return nil, err
	}
	c, err := cmp(z)
	if err != nil {
		return nil, err
	}
	return b.ConvertDType(c, dtypes.Float32)
}

// TestReLUGradientsMatchSimplego: spaces.ReLU's value and gradient (w.r.t. x and the adjoint's
// weights c, of ReduceAllSum(ReLU(x)·c)) are simplego's bits, on the special floats; the forward
// and the backward mask products are fused (one ReLUMul each) from fastMinSize elements on.
func TestReLUGradientsMatchSimplego(t *testing.T) {
	withSimplegoSums(t)
	rng := rand.New(rand.NewSource(27))
	for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		for _, dims := range [][]int{{4, 5, 5, 3}, {8, 16, 16, 8}, {3, 5, 7, 211}} {
			n := 1
			for _, d := range dims {
				n *= d
			}
			x, c := reluTensor(rng, dtype, n), finiteTensor(rng, dtype, n)
			f := func(x, c *graph.Node) []*graph.Node {
				x = graph.Reshape(x, dims...)
				y := spaces.ReLU(x)
				loss := graph.ReduceAllSum(graph.Mul(y, graph.Reshape(c, dims...)))
				return append([]*graph.Node{y}, graph.Gradient(loss, x, c)...)
			}
			name := fmt.Sprintf("ReLU %v %s", dims, dtype)
			want := graph.MustExecOnceN(simple(t), f, clone(t, x), clone(t, c))
			rec := &recorder{Backend: New()}
			got := graph.MustExecOnceN(rec, f, clone(t, x), clone(t, c))
			for i, label := range []string{"value", "∂x", "∂c"} {
				sameBits(t, name+" "+label, got[i], want[i])
			}
			wantFused := 0
			if n >= fastMinSize {
				wantFused = 2
			}
			fused := 0
			for _, b := range rec.builders {
				fused += customOps(b, "ReLUMul")
			}
			if fused != wantFused {
				t.Errorf("%s: %d fused mask products, want %d", name, fused, wantFused)
			}
		}
	}
}

// TestReLUMul32Bits: the branch-free float32 kernel's x > 0 is IEEE's on every special value and on
// a sweep of bit patterns (every 65,521st of the 2³² and each one's neighbours), with a = 1, −2.5,
// −0, +Inf and NaN.
func TestReLUMul32Bits(t *testing.T) {
	var xs []float32
	for _, u := range reluSpecials32 {
		xs = append(xs, math.Float32frombits(u))
	}
	for u := uint64(0); u < 1<<32; u += 65521 {
		for _, d := range []uint64{0, 1, 2} {
			xs = append(xs, math.Float32frombits(uint32(u+d)))
		}
	}
	for _, av := range []float32{1, -2.5, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.NaN())} {
		a := make([]float32, len(xs))
		for i := range a {
			a[i] = av
		}
		d := make([]float32, len(xs))
		reluMul32(d, a, xs)
		for i, v := range xs {
			var m float32
			if v > 0 {
				m = 1
			}
			want := av * m
			if math.Float32bits(d[i]) != math.Float32bits(want) && !(d[i] != d[i] && want != want) {
				t.Fatalf("reluMul32(a=%v, x=%#08x) = %v, want %v", av, math.Float32bits(v), d[i], want)
			}
		}
	}
}

// TestMaxGradientsSameBits: the gradients of activations.Relu (Max(x, 0)) and of Max(x, y) — whose
// masks GoMLX builds as NonNegativeIndicator, Sign(Add(Sign(x − y), 1)) — give the unfused graph's bits
// with the NonNegMul rewrite (x with every special float: ±0, NaN, ±Inf, subnormals; a NaN where the
// unfused graph has one), and the rewrite fires once per gradient from fastMinSize elements on (x's
// side; y's multiplies OneMinus of the mask), reading x itself for Relu. The unfused graph is purego's:
// its Sign keeps a NaN (XLA's), where simplego's gives 0, so where x − y is NaN simplego passes the
// adjoint and both purego graphs give NaN; everywhere else all three agree (checked).
func TestMaxGradientsSameBits(t *testing.T) {
	defer func() { nonNegMulPath = true }()
	if signMinSize > fastMinSize {
		// The fused op keeps a NaN as purego's Sign does; simplego's Sign (below signMinSize) maps it to 0.
		t.Fatalf("signMinSize %d > fastMinSize %d: a fused mask could differ from the unfused one at a NaN", signMinSize, fastMinSize)
	}
	withSimplegoSums(t)
	rng := rand.New(rand.NewSource(41))
	for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		for _, dims := range [][]int{{4, 5, 5, 3}, {8, 16, 16, 8}, {3, 5, 7, 211}} {
			n := 1
			for _, d := range dims {
				n *= d
			}
			for _, relu := range []bool{true, false} {
				x, y, c := reluTensor(rng, dtype, n), reluTensor(rng, dtype, n), reluTensor(rng, dtype, n)
				f := func(x, y, c *graph.Node) []*graph.Node {
					x, y = graph.Reshape(x, dims...), graph.Reshape(y, dims...)
					var out *graph.Node
					if relu {
						out = activations.Relu(x)
					} else {
						out = graph.Max(x, y)
					}
					loss := graph.ReduceAllSum(graph.Mul(out, graph.Reshape(c, dims...)))
					return append([]*graph.Node{out}, graph.Gradient(loss, x, y)...)
				}
				name := fmt.Sprintf("Relu=%v %v %s", relu, dims, dtype)
				nonNegMulPath = false
				want := graph.MustExecOnceN(New(), f, clone(t, x), clone(t, y), clone(t, c))
				nonNegMulPath = true
				rec := &recorder{Backend: New()}
				got := graph.MustExecOnceN(rec, f, clone(t, x), clone(t, y), clone(t, c))
				ref := graph.MustExecOnceN(simple(t), f, clone(t, x), clone(t, y), clone(t, c))
				xv, yv := flat64(x), flat64(y)
				nan := func(i int) bool { // x − y (x − 0 for Relu) is NaN at flat index i
					if relu {
						return math.IsNaN(xv[i])
					}
					return math.IsNaN(xv[i] - yv[i])
				}
				for i, label := range []string{"value", "∂x", "∂y"} {
					sameBits(t, name+" "+label, got[i], want[i])
					g, r := flat64(got[i]), flat64(ref[i])
					for j := range g {
						if !nan(j) && math.Float64bits(g[j]) != math.Float64bits(r[j]) && !(math.IsNaN(g[j]) && math.IsNaN(r[j])) {
							t.Fatalf("%s %s: element %d = %v, simplego %v", name, label, j, g[j], r[j])
						}
					}
				}
				wantFused := 0
				if n >= fastMinSize {
					wantFused = 1
				}
				fused := 0
				for _, b := range rec.builders {
					fused += customOps(b, "NonNegMul")
					for _, st := range b.stages {
						for _, op := range st.customs {
							if op.name != "NonNegMul" || !relu {
								continue
							}
							if in := op.inputs[1]; in.paramIdx < 0 && (in.call == nil || in.call.name != "Reshape") {
								t.Errorf("%s: the fused mask reads %v, not x", name, in.custom)
							}
						}
					}
				}
				if fused != wantFused {
					t.Errorf("%s: %d fused masks, want %d", name, fused, wantFused)
				}
			}
		}
	}
}

// flat64 is a float tensor's flat data in float64.
func flat64(x *tensors.Tensor) []float64 {
	if x.DType() == dtypes.Float64 {
		return tensors.MustCopyFlatData[float64](x)
	}
	var v []float64
	for _, e := range tensors.MustCopyFlatData[float32](x) {
		v = append(v, float64(e))
	}
	return v
}
