package nb201

import (
	"encoding/json"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// torchParams are sum(p.numel() for p in net.parameters()) of testdata/torch_reference.py's PyTorch
// twin of the reference network (`/usr/bin/python3 testdata/torch_reference.py params`, torch 1.13).
var torchParams = []struct {
	arch                     string
	channels, cells, classes int
	params                   int
}{
	{"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", 16, 5, 10, 73306},
	{"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", 16, 5, 100, 79156},
	{"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", 16, 5, 120, 80456},
	{"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", 24, 5, 10, 163714},
	{"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", 8, 2, 10, 18738},
	{"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|", 4, 1, 3, 4775},
	{"|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|", 16, 5, 10, 73306},
	{"|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|", 16, 5, 100, 79156},
	{"|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|", 16, 5, 120, 80456},
	{"|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|", 24, 5, 10, 163714},
	{"|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|", 8, 2, 10, 18738},
	{"|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|", 4, 1, 3, 4775},
	{"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|", 16, 5, 10, 1073466},
	{"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|", 16, 5, 100, 1079316},
	{"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|", 16, 5, 120, 1080616},
	{"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|", 24, 5, 10, 2409874},
	{"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|", 8, 2, 10, 119314},
	{"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|", 4, 1, 3, 17487},
	{"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|", 16, 5, 10, 1288506},
	{"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|", 16, 5, 100, 1294356},
	{"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|", 16, 5, 120, 1295656},
	{"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|", 24, 5, 10, 2893714},
	{"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|", 8, 2, 10, 140818},
	{"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|", 4, 1, 3, 20175},
	{"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|", 16, 5, 10, 1531546},
	{"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|", 16, 5, 100, 1537396},
	{"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|", 16, 5, 120, 1538696},
	{"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|", 24, 5, 10, 3439714},
	{"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|", 8, 2, 10, 165234},
	{"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|", 4, 1, 3, 23255},
	{"|nor_conv_1x1~0|+|nor_conv_1x1~0|nor_conv_1x1~1|+|nor_conv_1x1~0|nor_conv_1x1~1|nor_conv_1x1~2|", 16, 5, 10, 241306},
	{"|nor_conv_1x1~0|+|nor_conv_1x1~0|nor_conv_1x1~1|+|nor_conv_1x1~0|nor_conv_1x1~1|nor_conv_1x1~2|", 16, 5, 100, 247156},
	{"|nor_conv_1x1~0|+|nor_conv_1x1~0|nor_conv_1x1~1|+|nor_conv_1x1~0|nor_conv_1x1~1|nor_conv_1x1~2|", 16, 5, 120, 248456},
	{"|nor_conv_1x1~0|+|nor_conv_1x1~0|nor_conv_1x1~1|+|nor_conv_1x1~0|nor_conv_1x1~1|nor_conv_1x1~2|", 24, 5, 10, 536674},
	{"|nor_conv_1x1~0|+|nor_conv_1x1~0|nor_conv_1x1~1|+|nor_conv_1x1~0|nor_conv_1x1~1|nor_conv_1x1~2|", 8, 2, 10, 36210},
	{"|nor_conv_1x1~0|+|nor_conv_1x1~0|nor_conv_1x1~1|+|nor_conv_1x1~0|nor_conv_1x1~1|nor_conv_1x1~2|", 4, 1, 3, 7127},
	{"|avg_pool_3x3~0|+|avg_pool_3x3~0|avg_pool_3x3~1|+|avg_pool_3x3~0|avg_pool_3x3~1|avg_pool_3x3~2|", 16, 5, 10, 73306},
	{"|avg_pool_3x3~0|+|avg_pool_3x3~0|avg_pool_3x3~1|+|avg_pool_3x3~0|avg_pool_3x3~1|avg_pool_3x3~2|", 16, 5, 100, 79156},
	{"|avg_pool_3x3~0|+|avg_pool_3x3~0|avg_pool_3x3~1|+|avg_pool_3x3~0|avg_pool_3x3~1|avg_pool_3x3~2|", 16, 5, 120, 80456},
	{"|avg_pool_3x3~0|+|avg_pool_3x3~0|avg_pool_3x3~1|+|avg_pool_3x3~0|avg_pool_3x3~1|avg_pool_3x3~2|", 24, 5, 10, 163714},
	{"|avg_pool_3x3~0|+|avg_pool_3x3~0|avg_pool_3x3~1|+|avg_pool_3x3~0|avg_pool_3x3~1|avg_pool_3x3~2|", 8, 2, 10, 18738},
	{"|avg_pool_3x3~0|+|avg_pool_3x3~0|avg_pool_3x3~1|+|avg_pool_3x3~0|avg_pool_3x3~1|avg_pool_3x3~2|", 4, 1, 3, 4775},
	{"|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|", 16, 5, 10, 129306},
	{"|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|", 16, 5, 100, 135156},
	{"|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|", 16, 5, 120, 136456},
	{"|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|", 24, 5, 10, 288034},
	{"|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|", 8, 2, 10, 24562},
	{"|avg_pool_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|nor_conv_1x1~0|skip_connect~1|skip_connect~2|", 4, 1, 3, 5559},
	{"|nor_conv_3x3~0|+|avg_pool_3x3~0|nor_conv_1x1~1|+|skip_connect~0|none~1|nor_conv_3x3~2|", 16, 5, 10, 587386},
	{"|nor_conv_3x3~0|+|avg_pool_3x3~0|nor_conv_1x1~1|+|skip_connect~0|none~1|nor_conv_3x3~2|", 16, 5, 100, 593236},
	{"|nor_conv_3x3~0|+|avg_pool_3x3~0|nor_conv_1x1~1|+|skip_connect~0|none~1|nor_conv_3x3~2|", 16, 5, 120, 594536},
	{"|nor_conv_3x3~0|+|avg_pool_3x3~0|nor_conv_1x1~1|+|skip_connect~0|none~1|nor_conv_3x3~2|", 24, 5, 10, 1317874},
	{"|nor_conv_3x3~0|+|avg_pool_3x3~0|nor_conv_1x1~1|+|skip_connect~0|none~1|nor_conv_3x3~2|", 8, 2, 10, 70482},
	{"|nor_conv_3x3~0|+|avg_pool_3x3~0|nor_conv_1x1~1|+|skip_connect~0|none~1|nor_conv_3x3~2|", 4, 1, 3, 11327},
}

func TestParamCountMatchesPyTorch(t *testing.T) {
	for _, c := range torchParams {
		if got := ParamCount(MustParseArch(c.arch), c.channels, c.cells, c.classes); got != c.params {
			t.Errorf("ParamCount(%s, C=%d, N=%d, classes=%d) = %d, PyTorch %d", c.arch, c.channels, c.cells, c.classes, got, c.params)
		}
	}
	// NAS-Bench-201 reports the best CIFAR-10 cell (index 6111) at 1.073 M parameters.
	if got := New().ParamCount(MustParseArch(bestC10)); got != 1073466 {
		t.Errorf("index 6111: %d params", got)
	}
}

// trainableParams builds fn's graph (without running it) and counts the trainable variables' values.
func trainableParams(t *testing.T, dims []int, fn func(ctx *context.Context, x *graph.Node)) int {
	t.Helper()
	ctx := context.New()
	g := graph.NewGraph(testBackend(t), "params")
	fn(ctx, graph.Parameter(g, "x", shapes.Make(dtypes.Float32, dims...)))
	n := 0
	for v := range ctx.IterVariables() {
		if v.Trainable {
			n += v.Shape().Size()
		}
	}
	return n
}

// TestNetworkParamCount: the GoMLX network's trainable variables hold exactly ParamCount values (which
// TestParamCountMatchesPyTorch ties to PyTorch), for the PyTorch table's archs and configurations and
// for random archs.
func TestNetworkParamCount(t *testing.T) {
	type cfg struct {
		arch                     Arch
		channels, cells, classes int
	}
	var cases []cfg
	for _, c := range torchParams {
		cases = append(cases, cfg{MustParseArch(c.arch), c.channels, c.cells, c.classes})
	}
	for _, i := range []int{0, 1, 2, 1000, 5000, 9999, 15624} {
		a, _ := ArchAt(i)
		cases = append(cases, cfg{a, 16, 5, 10})
	}
	for _, c := range cases {
		s := New().Channels(c.channels).Cells(c.cells).Classes(c.classes)
		got := trainableParams(t, []int{1, 32, 32, 3}, func(ctx *context.Context, x *graph.Node) { s.Network(ctx, x, c.arch) })
		if want := s.ParamCount(c.arch); got != want {
			t.Errorf("%s %s: network has %d trainable values, ParamCount %d", s, c.arch, got, want)
		}
	}
}

// TestSupernetParamCount: the supernet's shared weights are the discrete network's skeleton plus one
// op of each kind per edge and cell (non-affine BN unless SearchAffine; bias-free convs either way).
func TestSupernetParamCount(t *testing.T) {
	for _, affine := range []bool{false, true} {
		for _, withNone := range []bool{false, true} {
			s := New().Channels(8).Cells(2).Classes(10).WithNone(withNone).SearchAffine(affine)
			got := trainableParams(t, []int{1, 32, 32, 3}, func(ctx *context.Context, x *graph.Node) {
				w := graph.Ones(x.Graph(), shapes.Make(dtypes.Float32, NumEdges, len(s.Ops())))
				s.Supernet(ctx, x, spaces.Mixture{Weights: w})
			})
			// skeleton = network of the all-skip cell; every edge adds a 1×1 and a 3×3 conv op.
			want := s.ParamCount(Arch{Skip, Skip, Skip, Skip, Skip, Skip})
			full := Arch{Conv1x1, Conv3x3, Conv1x1, Conv3x3, Conv1x1, Conv3x3} // 3 of each: ×2 covers all 6 edges
			for c := s.channels; c <= 4*s.channels; c *= 2 {
				want += 2 * s.cells * cellParams(full, c, affine)
			}
			if got != want {
				t.Errorf("%s affine=%v: supernet has %d trainable values, want %d", s, affine, got, want)
			}
		}
	}
}

// forwardRef is testdata/forward_ref.json, written by `torch_reference.py forward`.
type forwardRef struct {
	Arch                     string
	Channels, Cells, Classes int
	X                        refTensor `json:"x_nhwc"`
	Vars                     map[string]refTensor
	TrainLogits              []float64 `json:"train_logits"`
	EvalLogits               []float64 `json:"eval_logits"`
	Params                   int
}

type refTensor struct {
	Shape  []int
	Values []float64
}

// TestNetworkMatchesPyTorch loads the PyTorch twin's weights (and batch-norm running statistics) into
// the GoMLX network, in float64, and compares the logits in training mode (batch statistics) and in
// inference mode (running statistics). It pins the numerics: symmetric padding of the stride-2 conv,
// average pooling without the padding, zeros for none, the cell sums and the head.
func TestNetworkMatchesPyTorch(t *testing.T) {
	data, err := os.ReadFile("testdata/forward_ref.json")
	if err != nil {
		t.Fatal(err)
	}
	var ref forwardRef
	if err := json.Unmarshal(data, &ref); err != nil {
		t.Fatal(err)
	}
	s := New().Channels(ref.Channels).Cells(ref.Cells).Classes(ref.Classes)
	arch := MustParseArch(ref.Arch)
	if s.ParamCount(arch) != ref.Params {
		t.Errorf("ParamCount %d, PyTorch %d", s.ParamCount(arch), ref.Params)
	}
	for _, training := range []bool{true, false} {
		ctx := context.New().Checked(false)
		for path, v := range ref.Vars {
			i := strings.LastIndex(path, "/")
			ctx.InAbsPath(path[:i]).VariableWithValue(path[i+1:], tensors.FromFlatDataAndDimensions(v.Values, v.Shape...))
		}
		nvars := 0
		for range ctx.IterVariables() {
			nvars++
		}
		x := tensors.FromFlatDataAndDimensions(ref.X.Values, ref.X.Shape...)
		out := run(t, ctx, training, func(ctx *context.Context, in []*graph.Node) []*graph.Node {
			return []*graph.Node{s.Network(ctx, in[0], arch)}
		}, x)
		// Every PyTorch tensor was used: no variable was created besides GoMLX's own avg_weight counters.
		for v := range ctx.IterVariables() {
			if _, ok := ref.Vars[v.Scope()+"/"+v.Name()]; !ok && v.Name() != "avg_weight" {
				t.Errorf("variable %s/%s is not in the PyTorch twin", v.Scope(), v.Name())
			}
		}
		want := ref.EvalLogits
		if training {
			want = ref.TrainLogits
		}
		got := tensors.MustCopyFlatData[float64](out[0])
		if len(got) != len(want) {
			t.Fatalf("training=%v: %d logits, want %d", training, len(got), len(want))
		}
		for i := range got {
			if math.Abs(got[i]-want[i]) > 1e-8*(1+math.Abs(want[i])) {
				t.Errorf("training=%v: logit %d = %.12g, PyTorch %.12g", training, i, got[i], want[i])
			}
		}
	}
}
