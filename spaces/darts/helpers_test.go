package darts

import (
	"os"
	"testing"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

func TestMain(m *testing.M) {
	// The tests are sized for the pure-Go backend; an explicit $GOMLX_BACKEND is honoured.
	if _, ok := os.LookupEnv(backend.EnvVar); !ok {
		os.Setenv(backend.EnvVar, "go")
	}
	os.Exit(m.Run())
}

func testBackend(t testing.TB) backends.Backend {
	t.Helper()
	b, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// trainableParams sums the sizes of the trainable variables of ctx.
func trainableParams(ctx *context.Context) int {
	total := 0
	for v := range ctx.IterVariables() {
		if v.Trainable {
			total += v.Shape().Size()
		}
	}
	return total
}

// buildOnly builds (without compiling or running) a graph with fn on an input of the given shape, so
// that fn creates its variables in ctx; it returns the output shapes.
func buildOnly(t testing.TB, ctx *context.Context, input shapes.Shape, fn func(ctx *context.Context, x *graph.Node) []*graph.Node) []shapes.Shape {
	t.Helper()
	g := graph.NewGraph(testBackend(t), "build")
	x := graph.Parameter(g, "x", input)
	var out []shapes.Shape
	for _, n := range fn(ctx, x) {
		if n != nil {
			out = append(out, n.Shape())
		}
	}
	return out
}

// randomImages returns a [n, h, w, c] float32 tensor of deterministic pseudo-random values in [-1, 1).
func randomImages(n, h, w, c int) *tensors.Tensor {
	data := make([]float32, n*h*w*c)
	s := uint32(12345)
	for i := range data {
		s = s*1664525 + 1013904223
		data[i] = float32(s>>8)/float32(1<<23) - 1
	}
	return tensors.FromFlatDataAndDimensions(data, n, h, w, c)
}
