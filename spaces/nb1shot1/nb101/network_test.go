package nb101

import (
	"fmt"
	"math"
	"os"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

func TestMain(m *testing.M) {
	if _, ok := os.LookupEnv(backend.EnvVar); !ok {
		_ = os.Setenv(backend.EnvVar, "go")
	}
	os.Exit(m.Run())
}

// TestVertexChannels: the cases of NAS-Bench-101's own tests of compute_vertex_channels
// (nasbench/tests/model_builder_test.py lines 28-122).
func TestVertexChannels(t *testing.T) {
	cases := []struct {
		digits  string
		in, out int
		want    string
	}{
		{"0100" + "0010" + "0001" + "0000", 8, 8, "[8 8 8 8]"},
		{"0100" + "0010" + "0001" + "0000", 8, 16, "[8 16 16 16]"},
		{"0100" + "0010" + "0001" + "0000", 16, 8, "[16 8 8 8]"},
		{"0100", 1, 1, "[1 1]"},
		{"0100", 1, 5, "[1 5]"},
		{"0100", 5, 1, "[5 1]"},
		{"01100" + "00010" + "00010" + "00001" + "00000", 8, 8, "[8 8 8 8 8]"},
		{"01100" + "00010" + "00010" + "00001" + "00000", 8, 16, "[8 16 16 16 16]"},
		{"01100" + "00010" + "00010" + "00001" + "00000", 16, 8, "[16 8 8 8 8]"},
		{"0110" + "0001" + "0001" + "0000", 8, 8, "[8 4 4 8]"},
		{"0110" + "0001" + "0001" + "0000", 8, 16, "[8 8 8 16]"},
		{"0110" + "0001" + "0001" + "0000", 16, 8, "[16 4 4 8]"},
		{"0110" + "0001" + "0001" + "0000", 8, 15, "[8 8 7 15]"},
		{"01110" + "00001" + "00001" + "00001" + "00000", 8, 8, "[8 3 3 2 8]"},
		{"01110" + "00001" + "00001" + "00001" + "00000", 8, 15, "[8 5 5 5 15]"},
		{"01000" + "00110" + "00001" + "00001" + "00000", 8, 8, "[8 4 4 4 8]"},
		{"01000" + "00110" + "00001" + "00001" + "00000", 8, 9, "[8 5 5 4 9]"},
		{"01010" + "00101" + "00010" + "00001" + "00000", 8, 8, "[8 4 4 4 8]"},
		{"01010" + "00101" + "00010" + "00001" + "00000", 8, 15, "[8 8 7 7 15]"},
	}
	for _, c := range cases {
		v := 2
		for v*v < len(c.digits) {
			v++
		}
		ops := []string{Input}
		for i := 1; i < v-1; i++ {
			ops = append(ops, Conv3x3)
		}
		s := specFromDigits(t, c.digits, strings.Join(append(ops, Output), ","))
		if got := fmt.Sprint(VertexChannels(s, c.in, c.out)); got != c.want {
			t.Errorf("VertexChannels(%s, %d, %d) = %s, want %s", c.digits, c.in, c.out, got, c.want)
		}
	}
}

// buildNetwork builds (without running) NAS-Bench-101's network of s on [2, h, h, 3] images and returns
// the number of trainable values and the logits shape.
func buildNetwork(t testing.TB, s Spec, cfg NetworkConfig, h int) (int, []int) {
	t.Helper()
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.New()
	g := graph.NewGraph(b, "build")
	out := Network(ctx, graph.Parameter(g, "x", shapes.Make(dtypes.Float32, 2, h, h, 3)), s, cfg)
	n := 0
	for v := range ctx.IterVariables() {
		if v.Trainable {
			n += v.Shape().Size()
		}
	}
	return n, out.Shape().Dimensions
}

// TestNetworkParams: the GoMLX network has exactly the dataset's trainable_parameters for published
// modules, and ParamCount's count in smaller configurations.
func TestNetworkParams(t *testing.T) {
	for i, p := range published {
		if i%6 != 0 {
			continue
		}
		s := specFromDigits(t, p.adjacency, p.ops)
		if n, dims := buildNetwork(t, s, DefaultNetwork, 32); n != p.params || fmt.Sprint(dims) != "[2 10]" {
			t.Errorf("%s: %d trainable values, logits %v; dataset %d parameters", p.hash, n, dims, p.params)
		}
		small := NetworkConfig{Stem: 8, Stacks: 2, Modules: 2, Classes: 3}
		want, err := ParamCount(s, small)
		if n, _ := buildNetwork(t, s, small, 8); err != nil || n != want {
			t.Errorf("%s %+v: %d trainable values, ParamCount %d (%v)", p.hash, small, n, want, err)
		}
	}
}

// TestNetworkForward: a small network of a published module runs in training mode and gives finite
// logits and gradients.
func TestNetworkForward(t *testing.T) {
	p := published[9]
	s := specFromDigits(t, p.adjacency, p.ops)
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.New()
	exec := context.MustNewExec(b, ctx, func(ctx *context.Context, x *graph.Node) []*graph.Node {
		ctx.SetTraining(x.Graph(), true)
		out := Network(ctx, x, s, NetworkConfig{Stem: 8, Stacks: 3, Modules: 1, Classes: 4})
		loss := graph.ReduceAllSum(graph.Square(out))
		grads := graph.Gradient(loss, x)
		return []*graph.Node{out, graph.ReduceAllSum(graph.Abs(grads[0]))}
	})
	data := make([]float32, 2*8*8*3)
	for i := range data {
		data[i] = float32(math.Sin(float64(i)))
	}
	out := exec.MustExec(tensors.FromFlatDataAndDimensions(data, 2, 8, 8, 3))
	logits := tensors.MustCopyFlatData[float32](out[0])
	g := out[1].Value().(float32)
	if len(logits) != 8 || g == 0 || math.IsNaN(float64(g)) {
		t.Errorf("logits %v, |∂/∂x| %g", logits, g)
	}
	for _, v := range logits {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			t.Fatalf("logits %v", logits)
		}
	}
}
