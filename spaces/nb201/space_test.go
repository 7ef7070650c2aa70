package nb201

import (
	"math"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

func TestSpaceConfig(t *testing.T) {
	var s spaces.Space = New()
	if s.Name() != "nb201" || s.EdgeGroups() != nil {
		t.Errorf("Name %q, EdgeGroups %v", s.Name(), s.EdgeGroups())
	}
	if got := strings.Join(s.Ops(), ","); got != "none,skip_connect,nor_conv_1x1,nor_conv_3x3,avg_pool_3x3" {
		t.Errorf("Ops = %s", got)
	}
	if got := strings.Join(New().WithNone(false).Ops(), ","); got != "skip_connect,nor_conv_1x1,nor_conv_3x3,avg_pool_3x3" {
		t.Errorf("Ops without none = %s", got)
	}
	if got := strings.Join(s.Edges(), ","); got != "1<-0,2<-0,2<-1,3<-0,3<-1,3<-2" {
		t.Errorf("Edges = %s", got)
	}
	if got := New().Channels(24).Cells(3).Classes(100).WithNone(false).String(); got != "nb201(C=24, N=3, classes=100, ops=4)" {
		t.Errorf("String = %s", got)
	}
	g, err := s.ParseGenotype(bestC10)
	if err != nil || g.String() != bestC10 {
		t.Errorf("ParseGenotype = %v, %v", g, err)
	}
	if _, err := s.ParseGenotype("|x~0|"); err == nil {
		t.Error("ParseGenotype(bad): no error")
	}
	for _, f := range []func(){func() { New().Channels(0) }, func() { New().Cells(0) }, func() { New().Classes(-1) }} {
		if msg := panics(f); !strings.HasPrefix(msg, "nb201: ") {
			t.Errorf("bad config: panic %q", msg)
		}
	}
}

func TestDiscretize(t *testing.T) {
	s := New().WithNone(false) // skip, 1x1, 3x3, avg
	theta := [][]float64{
		{0.1, 0.2, 0.6, 0.1},     // 3x3
		{0.4, 0.2, 0.2, 0.2},     // skip
		{0.25, 0.25, 0.25, 0.25}, // tie → first (skip)
		{0.1, 0.5, 0.3, 0.1},     // 1x1
		{0, 0, 0, 1},             // avg
		{0.2, 0.2, 0.3, 0.3},     // tie → 3x3
	}
	g, err := s.Discretize(theta, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Arch{Conv3x3, Skip, Skip, Conv1x1, AvgPool3x3, Conv3x3}
	if g.(Arch) != want {
		t.Errorf("Discretize = %v, want %v", g, want)
	}
	// With none: column 0 is none and can win.
	theta5 := [][]float64{{0.9, 0.1, 0, 0, 0}, {0, 1, 0, 0, 0}, {0, 0, 1, 0, 0}, {0, 0, 0, 1, 0}, {0, 0, 0, 0, 1}, {0.1, 0.2, 0.3, 0.2, 0.2}}
	g, err = New().Discretize(theta5, nil)
	if err != nil || g.(Arch) != (Arch{None, Skip, Conv1x1, Conv3x3, AvgPool3x3, Conv1x1}) {
		t.Errorf("Discretize with none = %v, %v", g, err)
	}
	bad := []struct {
		theta [][]float64
		beta  [][]float64
		want  string
	}{
		{theta[:5], nil, "5 rows, want 6"},
		{theta5, nil, "has 5 values, want 4"},
		{append(slices.Clone(theta[:5]), []float64{0, math.NaN(), 0, 0}), nil, "NaN"},
		{theta, [][]float64{{1}}, "beta"},
	}
	for _, c := range bad {
		if _, err := s.Discretize(c.theta, c.beta); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Discretize: error %v, want %q", err, c.want)
		}
	}
}

// run executes fn on the test backend with training mode set as given; inputs are tensors.
func run(t testing.TB, ctx *context.Context, training bool, fn func(ctx *context.Context, inputs []*graph.Node) []*graph.Node, inputs ...any) []*tensors.Tensor {
	t.Helper()
	exec, err := context.NewExec(testBackend(t), ctx, func(ctx *context.Context, in []*graph.Node) []*graph.Node {
		ctx.SetTraining(in[0].Graph(), training)
		return fn(ctx, in)
	})
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Exec(inputs...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func randomImages(rng *rand.Rand, dims ...int) *tensors.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return tensors.FromFlatDataAndDimensions(v, dims...)
}

func TestOpShapes(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	x := randomImages(rng, 2, 8, 8, 4)
	for op := Op(0); op < NumOps; op++ {
		for _, affine := range []bool{true, false} {
			out := run(t, context.New(), true, func(ctx *context.Context, in []*graph.Node) []*graph.Node {
				return []*graph.Node{ApplyOp(ctx, in[0], op, affine)}
			}, x)
			if !out[0].Shape().Equal(x.Shape()) {
				t.Errorf("%s (affine %v): shape %s, want %s", op, affine, out[0].Shape(), x.Shape())
			}
		}
	}
	out := run(t, context.New(), true, func(ctx *context.Context, in []*graph.Node) []*graph.Node {
		return []*graph.Node{ResidualBlock(ctx, in[0], 8)}
	}, x)
	if want := shapes.Make(dtypes.Float32, 2, 4, 4, 8); !out[0].Shape().Equal(want) {
		t.Errorf("residual block: shape %s, want %s", out[0].Shape(), want)
	}
}

// TestAvgPoolExcludesPadding: on a constant image the average pool is that constant everywhere (counting
// the padding would give 4/9 and 6/9 at corners and borders); on a ramp, corner values are exact means.
func TestAvgPoolExcludesPadding(t *testing.T) {
	v := make([]float32, 16)
	for i := range v {
		v[i] = float32(i)
	}
	x := tensors.FromFlatDataAndDimensions(v, 1, 4, 4, 1)
	out := run(t, context.New(), false, func(ctx *context.Context, in []*graph.Node) []*graph.Node {
		return []*graph.Node{ApplyOp(ctx, in[0], AvgPool3x3, true), ApplyOp(ctx, graph.OnesLike(in[0]), AvgPool3x3, true)}
	}, x)
	got := tensors.MustCopyFlatData[float32](out[0])
	// corner (0,0): mean of 0,1,4,5 = 2.5; border (0,1): mean of 0,1,2,4,5,6 = 3; centre (1,1): mean of 0..2,4..6,8..10 = 5.
	for _, c := range []struct {
		i    int
		want float32
	}{{0, 2.5}, {1, 3}, {5, 5}, {15, 12.5}} {
		if got[c.i] != c.want {
			t.Errorf("avg pool at %d = %v, want %v", c.i, got[c.i], c.want)
		}
	}
	for i, o := range tensors.MustCopyFlatData[float32](out[1]) {
		if o != 1 {
			t.Fatalf("avg pool of ones at %d = %v", i, o)
		}
	}
}

func TestNoneAndSkip(t *testing.T) {
	x := randomImages(rand.New(rand.NewSource(2)), 1, 4, 4, 2)
	out := run(t, context.New(), false, func(ctx *context.Context, in []*graph.Node) []*graph.Node {
		return []*graph.Node{ApplyOp(ctx, in[0], None, true), ApplyOp(ctx, in[0], Skip, true)}
	}, x)
	xs := tensors.MustCopyFlatData[float32](x)
	for i, v := range tensors.MustCopyFlatData[float32](out[0]) {
		if v != 0 {
			t.Fatalf("none at %d = %v", i, v)
		}
	}
	if !slices.Equal(tensors.MustCopyFlatData[float32](out[1]), xs) {
		t.Error("skip_connect is not the identity")
	}
}

func TestNetworkShapes(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	cases := []struct {
		s    *Space
		arch string
		dims []int
	}{
		{New(), bestC10, []int{2, 32, 32, 3}},               // full size, CIFAR
		{New().Classes(120), mixedAll, []int{1, 16, 16, 3}}, // ImageNet16-120
		{New().Channels(4).Cells(1).Classes(3), allNone, []int{2, 8, 8, 3}},
	}
	for _, c := range cases {
		for _, training := range []bool{true, false} {
			out := run(t, context.New(), training, func(ctx *context.Context, in []*graph.Node) []*graph.Node {
				return []*graph.Node{c.s.Network(ctx, in[0], MustParseArch(c.arch))}
			}, randomImages(rng, c.dims...))
			if want := shapes.Make(dtypes.Float32, c.dims[0], c.s.classes); !out[0].Shape().Equal(want) {
				t.Errorf("%s %s: logits %s, want %s", c.s, c.arch, out[0].Shape(), want)
			}
			for _, v := range tensors.MustCopyFlatData[float32](out[0]) {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					t.Fatalf("%s %s: non-finite logit", c.s, c.arch)
				}
			}
		}
	}
}

func TestSupernetShapes(t *testing.T) {
	for _, withNone := range []bool{true, false} {
		s := New().Channels(4).Cells(1).Classes(5).WithNone(withNone)
		k := len(s.Ops())
		theta := uniformTheta(k)
		out := run(t, context.New(), true, func(ctx *context.Context, in []*graph.Node) []*graph.Node {
			return []*graph.Node{s.Supernet(ctx, in[0], spaces.Mixture{Weights: in[1]})}
		}, randomImages(rand.New(rand.NewSource(4)), 2, 8, 8, 3), theta)
		if want := shapes.Make(dtypes.Float32, 2, 5); !out[0].Shape().Equal(want) {
			t.Errorf("%s: logits %s, want %s", s, out[0].Shape(), want)
		}
	}
}

func uniformTheta(k int) *tensors.Tensor {
	v := make([]float32, NumEdges*k)
	for i := range v {
		v[i] = 1 / float32(k)
	}
	return tensors.FromFlatDataAndDimensions(v, NumEdges, k)
}

// TestSupernetGradients: the loss's gradient reaches every θ row (non-zero), with and without none,
// through the weighted-sum supernet in training mode.
func TestSupernetGradients(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	for _, withNone := range []bool{false, true} {
		s := New().Channels(4).Cells(1).Classes(3).WithNone(withNone)
		k := len(s.Ops())
		x := randomImages(rng, 2, 8, 8, 3)
		probe := randomImages(rng, 2, 3)
		out := run(t, context.New(), true, func(ctx *context.Context, in []*graph.Node) []*graph.Node {
			logits := s.Supernet(ctx, in[0], spaces.Mixture{Weights: in[1]})
			loss := graph.ReduceAllSum(graph.Mul(logits, in[2]))
			return graph.Gradient(loss, in[1])
		}, x, uniformTheta(k), probe)
		grad := tensors.MustCopyFlatData[float32](out[0])
		for e := 0; e < NumEdges; e++ {
			row := grad[e*k : (e+1)*k]
			norm := 0.0
			for j, g := range row {
				if math.IsNaN(float64(g)) {
					t.Fatalf("none=%v: NaN gradient at θ[%d][%d]", withNone, e, j)
				}
				if s.ops()[j] != None {
					norm += float64(g) * float64(g)
				}
			}
			if norm == 0 {
				t.Errorf("none=%v: θ row %d (%s) gets zero gradient: %v", withNone, e, EdgeName(e), row)
			}
		}
	}
}

// TestSupernetOneHotIsNetwork: with SearchAffine(true) the supernet's ops have the discrete network's
// variables (same scopes and shapes), so a one-hot θ must give exactly the network's logits.
func TestSupernetOneHotIsNetwork(t *testing.T) {
	s := New().Channels(4).Cells(1).Classes(3).WithNone(false).SearchAffine(true)
	arch := MustParseArch("|nor_conv_3x3~0|+|avg_pool_3x3~0|nor_conv_1x1~1|+|skip_connect~0|skip_connect~1|nor_conv_3x3~2|")
	theta := make([]float32, NumEdges*4)
	for e, op := range arch {
		theta[e*4+int(op)-1] = 1
	}
	x := randomImages(rand.New(rand.NewSource(6)), 2, 8, 8, 3)
	ctx := context.New()
	super := run(t, ctx, false, func(ctx *context.Context, in []*graph.Node) []*graph.Node {
		return []*graph.Node{s.Supernet(ctx, in[0], spaces.Mixture{Weights: in[1], Sampled: true})}
	}, x, tensors.FromFlatDataAndDimensions(theta, NumEdges, 4))
	net := run(t, ctx.Reuse(), false, func(ctx *context.Context, in []*graph.Node) []*graph.Node {
		return []*graph.Node{s.Network(ctx, in[0], arch)}
	}, x)
	a, b := tensors.MustCopyFlatData[float32](super[0]), tensors.MustCopyFlatData[float32](net[0])
	for i := range a {
		if math.Abs(float64(a[i]-b[i])) > 1e-5*(1+math.Abs(float64(b[i]))) {
			t.Fatalf("logit %d: supernet %v, network %v", i, a[i], b[i])
		}
	}
}

func TestSupernetPanics(t *testing.T) {
	s := New().Channels(2).Cells(1)
	cases := []struct {
		mix  func(w *graph.Node) spaces.Mixture
		want string
	}{
		{func(w *graph.Node) spaces.Mixture { return spaces.Mixture{Weights: w, Beta: w} }, "Beta is not supported"},
		{func(w *graph.Node) spaces.Mixture { return spaces.Mixture{Weights: w, PartialChannels: 4} }, "PartialChannels=4 is not supported"},
		{func(w *graph.Node) spaces.Mixture { return spaces.Mixture{Weights: graph.Reshape(w, 5, 6)} }, "must be [6, 5]"},
		{func(w *graph.Node) spaces.Mixture { return spaces.Mixture{} }, "got nil"},
	}
	for _, c := range cases {
		msg := panics(func() {
			g := graph.NewGraph(testBackend(t), "panics")
			x := graph.Parameter(g, "x", shapes.Make(dtypes.Float32, 1, 8, 8, 3))
			w := graph.Parameter(g, "w", shapes.Make(dtypes.Float32, 6, 5))
			s.Supernet(context.New(), x, c.mix(w))
		})
		if !strings.Contains(msg, c.want) {
			t.Errorf("panic %q, want %q", msg, c.want)
		}
	}
	msg := panics(func() {
		g := graph.NewGraph(testBackend(t), "panics")
		s.Network(context.New(), graph.Parameter(g, "x", shapes.Make(dtypes.Float32, 1, 10, 10, 3)), Arch{})
	})
	if !strings.Contains(msg, "multiples of 4") {
		t.Errorf("Network on 10×10: panic %q", msg)
	}
	msg = panics(func() {
		g := graph.NewGraph(testBackend(t), "panics")
		s.Network(context.New(), graph.Parameter(g, "x", shapes.Make(dtypes.Float32, 1, 8, 8, 3)), otherGenotype{})
	})
	if !strings.Contains(msg, "needs an nb201.Arch") {
		t.Errorf("Network of a foreign genotype: panic %q", msg)
	}
}

type otherGenotype struct{}

func (otherGenotype) String() string { return "other" }

// panics runs f and returns the panic's message ("" if none).
func panics(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			switch v := r.(type) {
			case error:
				msg = v.Error()
			case string:
				msg = v
			default:
				msg = "non-string panic"
			}
		}
	}()
	f()
	return ""
}
