package tiny

import (
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

func TestEdgesAndGenotypeRoundTrip(t *testing.T) {
	s := New()
	if got := strings.Join(s.Edges(), " "); got != "1<-0 2<-0 2<-1" {
		t.Errorf("edges %q", got)
	}
	theta := [][]float64{{0.1, 0.8, 0.1}, {0.6, 0.2, 0.2}, {0.2, 0.3, 0.5}}
	g, err := s.Discretize(theta, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "|conv_3x3~0|+|skip_connect~0|avg_pool_3x3~1|"
	if g.String() != want {
		t.Fatalf("genotype %q, want %q", g.String(), want)
	}
	p, err := s.ParseGenotype(want)
	if err != nil || p.String() != want {
		t.Fatalf("round trip: %v, %v", p, err)
	}
	for _, bad := range []string{"", "|conv_3x3~0|", "|conv_5x5~0|+|skip_connect~0|avg_pool_3x3~1|",
		"|conv_3x3~1|+|skip_connect~0|avg_pool_3x3~1|", "|conv_3x3~0|+|skip_connect~0|", "conv_3x3~0+|a~0|b~1|"} {
		if _, err := s.ParseGenotype(bad); err == nil {
			t.Errorf("ParseGenotype(%q): no error", bad)
		}
	}
	if _, err := s.Discretize(theta[:2], nil); err == nil {
		t.Error("Discretize with 2 rows: no error")
	}
}

// TestShapesAndGradients: the supernet gives [batch, classes] logits and a gradient for every θ entry;
// the discrete network of a genotype gives the same shape.
func TestShapesAndGradients(t *testing.T) {
	be := backend.MustNew()
	s := New().Channels(4).Cells(2).Classes(5)
	ctx := context.New()
	exec := context.MustNewExec(be, ctx, func(ctx *context.Context, x, w *graph.Node) []*graph.Node {
		ctx.SetTraining(x.Graph(), true)
		logits := s.Supernet(ctx.In("net"), x, spaces.Mixture{Weights: w})
		loss := graph.ReduceAllSum(graph.Square(logits))
		return []*graph.Node{logits, graph.Gradient(loss, w)[0]}
	})
	x := graph.MustExecOnce(be, func(g *graph.Graph) *graph.Node {
		return graph.IotaFull(g, shapes.Make(dtypes.Float32, 3, 6, 6, 2))
	})
	w := graph.MustExecOnce(be, func(g *graph.Graph) *graph.Node {
		return graph.DivScalar(graph.OnesLike(graph.Zeros(g, shapes.Make(dtypes.Float32, 3, 3))), 3)
	})
	out := exec.MustExec(x, w)
	if d := out[0].Shape().Dimensions; len(d) != 2 || d[0] != 3 || d[1] != 5 {
		t.Fatalf("logits shape %v", d)
	}
	grad := out[1].Value().([][]float32)
	for e, row := range grad {
		for k, v := range row {
			if v == 0 {
				t.Errorf("∂loss/∂θ[%d][%d] = 0", e, k)
			}
		}
	}
	g, _ := s.ParseGenotype("|conv_3x3~0|+|skip_connect~0|avg_pool_3x3~1|")
	net := context.MustNewExec(be, context.New(), func(ctx *context.Context, x *graph.Node) *graph.Node {
		return s.Network(ctx, x, g)
	})
	if d := net.MustExec(x)[0].Shape().Dimensions; d[0] != 3 || d[1] != 5 {
		t.Fatalf("network logits shape %v", d)
	}
}

// TestSampledEdgesAreGDAS: with a sampled mixture the supernet is the sampled genotype's network in value,
// and the gradient w.r.t. every non-sampled weight of the edges entering the output node is the same
// number — the sum of that node's upstream gradient — whatever the op (the reference GDAS edge).
func TestSampledEdgesAreGDAS(t *testing.T) {
	be := backend.MustNew()
	s := New().Channels(4).Classes(3)
	ctx := context.New()
	g, _ := s.ParseGenotype("|conv_3x3~0|+|skip_connect~0|avg_pool_3x3~1|")
	onehot := [][]float32{{0, 1, 0}, {1, 0, 0}, {0, 0, 1}}
	exec := context.MustNewExec(be, ctx, func(ctx *context.Context, x, w *graph.Node) []*graph.Node {
		ctx.SetTraining(x.Graph(), true)
		ctx = ctx.Checked(false) // the network reuses the supernet's variables
		logits := s.Supernet(ctx, x, spaces.Mixture{Weights: w, Sampled: true, OneHot: graph.StopGradient(w)})
		net := s.Network(ctx, x, g)
		loss := graph.ReduceAllSum(graph.Mul(logits, graph.IotaFull(x.Graph(), logits.Shape())))
		return []*graph.Node{logits, net, graph.Gradient(loss, w)[0]}
	})
	x := graph.MustExecOnce(be, func(g *graph.Graph) *graph.Node {
		return graph.Sin(graph.IotaFull(g, shapes.Make(dtypes.Float32, 3, 6, 6, 2)))
	})
	out := exec.MustExec(x, onehot)
	sup, net := out[0].Value().([][]float32), out[1].Value().([][]float32)
	for i := range sup {
		for j := range sup[i] {
			if d := sup[i][j] - net[i][j]; d > 1e-5 || d < -1e-5 {
				t.Fatalf("supernet %v, network %v", sup, net)
			}
		}
	}
	grad := out[2].Value().([][]float32)
	ref := grad[1][1] // edge 2<-0, op conv_3x3: not sampled
	if ref == 0 {
		t.Fatal("zero upstream gradient: the test checks nothing")
	}
	for e := 1; e < 3; e++ {
		for k := range grad[e] {
			if onehot[e][k] == 0 {
				if d := grad[e][k] - ref; d > 1e-4*(1+abs(ref)) || d < -1e-4*(1+abs(ref)) {
					t.Errorf("∂L/∂w[%d][%d] = %v, want %v (Σ upstream at node 2, same for every non-sampled op)", e, k, grad[e][k], ref)
				}
			}
		}
	}
}

func abs(x float32) float32 {
	if x < 0 {
		return -x
	}
	return x
}
