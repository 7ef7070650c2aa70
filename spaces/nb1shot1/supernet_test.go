package nb1shot1

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/gaeanas/gaeanas/spaces"
)

// referenceSupernetParams counts the parameters of the reference's one-shot network from its layer
// shapes, as PyTorch's model.parameters() does (liamcli/nasbench-1shot1 optimizers/darts/model_search.py
// and operations.py; optimizers/epc_edarts/model_search.py for k = 4):
//
//	ConvBnRelu(k, in, out)  = k·k·in·out + 2·out     Conv2d(bias=False) + BatchNorm2d(affine=True), operations.py 34-50
//	stem                    = ConvBnRelu(3, 3, C)                                                    model_search.py 131
//	cell i (C_in, C)        = (nodes+1)·ConvBnRelu(1, C_in, C) input projections                    lines 64-77
//	                          + nodes·(ConvBnRelu(3, c, c) + ConvBnRelu(1, c, c)), c = C // k       MixedOp lines 9-21; maxpool has none
//	                          C_in = C_prev for cell 0, C_prev·(nodes+1) after                      line 68
//	postprocess             = C·(nodes+1)·C   ReLUConvBN(affine=False): bias-free conv, BN without parameters, lines 144-145
//	classifier              = C·classes + classes                                                   line 147
//
// C doubles at cells layers//3 and 2·layers//3 (lines 135-139). The architecture weights are not
// module parameters.
func referenceSupernetParams(nodes, C, layers, classes, k int) int {
	convBnRelu := func(kk, in, out int) int { return kk*kk*in*out + 2*out }
	total := convBnRelu(3, 3, C)
	cCurr, cPrev := C, C
	for i := 0; i < layers; i++ {
		if i == layers/3 || i == 2*layers/3 {
			cCurr *= 2
		}
		cIn := cPrev
		if i > 0 {
			cIn = cPrev * (nodes + 1)
		}
		c := cCurr / k
		total += (nodes+1)*convBnRelu(1, cIn, cCurr) + nodes*(convBnRelu(3, c, c)+convBnRelu(1, c, c))
		cPrev = cCurr
	}
	return total + cPrev*(nodes+1)*cCurr + cPrev*classes + classes
}

// buildSupernet builds (without running) the supernet of s on [2, h, w, 3] images and returns ctx.
func buildSupernet(t testing.TB, s *Space, h, k int) *context.Context {
	t.Helper()
	ctx := context.New()
	g := graph.NewGraph(testBackend(t), "build")
	x := graph.Parameter(g, "x", shapes.Make(dtypes.Float32, 2, h, h, 3))
	w := graph.Parameter(g, "w", shapes.Make(dtypes.Float32, s.Nodes(), NumOps))
	beta := graph.Parameter(g, "beta", shapes.Make(dtypes.Float32, s.betaLen()))
	out := s.Supernet(ctx, x, spaces.Mixture{Weights: w, Beta: beta, PartialChannels: k})
	if got := fmt.Sprint(out.Shape().Dimensions); got != fmt.Sprintf("[2 %d]", s.classes) {
		t.Errorf("logits %s", got)
	}
	return ctx
}

func trainableParams(ctx *context.Context) int {
	n := 0
	for v := range ctx.IterVariables() {
		if v.Trainable {
			n += v.Shape().Size()
		}
	}
	return n
}

// TestSupernetParamCount: the GoMLX supernet's trainable variables hold exactly as many values as the
// reference's parameters (referenceSupernetParams), for the three spaces, DARTS (K=1) and PC-DARTS
// (K=4), the reference's size (C=16, 9 cells: 1,009,530 / 400,698 parameters with 4 nodes, 1,323,610 /
// 562,570 with 5) and others.
func TestSupernetParamCount(t *testing.T) {
	pinned := map[[2]int]int{{4, 1}: 1009530, {4, 4}: 400698, {5, 1}: 1323610, {5, 4}: 562570}
	cases := []struct{ space, c, cells, classes, k, h int }{
		{1, 16, 9, 10, 1, 32}, {1, 16, 9, 10, 4, 32}, {2, 16, 9, 10, 1, 32}, {2, 16, 9, 10, 4, 32},
		{3, 16, 9, 10, 1, 32}, {3, 16, 9, 10, 4, 32},
		{1, 8, 3, 5, 1, 16}, {3, 4, 2, 7, 4, 8}, {2, 12, 1, 10, 4, 8}, {3, 8, 6, 100, 1, 8},
	}
	for _, c := range cases {
		s := New(c.space).Channels(c.c).Cells(c.cells).Classes(c.classes)
		want := referenceSupernetParams(s.Nodes(), c.c, c.cells, c.classes, c.k)
		if c.c == 16 && c.cells == 9 && pinned[[2]int{s.Nodes(), c.k}] != want {
			t.Errorf("reference count %d for %d nodes, K=%d", want, s.Nodes(), c.k)
		}
		if got := trainableParams(buildSupernet(t, s, c.h, c.k)); got != want {
			t.Errorf("%s K=%d: %d trainable values, reference %d", s, c.k, got, want)
		}
	}
}

// runSupernet runs the supernet of s (training mode) on 2 images 8×8 and returns the logits and the
// gradients of Σ logits² w.r.t. the op weights and the flat β.
func runSupernet(t *testing.T, s *Space, k int, w, beta []float32) (logits []float32, gw, gb []float32) {
	t.Helper()
	ctx := context.New()
	exec := context.MustNewExec(testBackend(t), ctx, func(ctx *context.Context, x, w, b *graph.Node) []*graph.Node {
		ctx.SetTraining(x.Graph(), true)
		out := s.Supernet(ctx, x, spaces.Mixture{Weights: w, Beta: b, PartialChannels: k})
		grads := graph.Gradient(graph.ReduceAllSum(graph.Square(out)), w, b)
		return []*graph.Node{out, grads[0], grads[1]}
	})
	out := exec.MustExec(images(2, 8, 3), tensors.FromFlatDataAndDimensions(w, s.Nodes(), NumOps),
		tensors.FromFlatDataAndDimensions(beta, s.betaLen()))
	return tensors.MustCopyFlatData[float32](out[0]), tensors.MustCopyFlatData[float32](out[1]), tensors.MustCopyFlatData[float32](out[2])
}

// images is a [n, h, h, c] tensor of deterministic values in [-1, 1).
func images(n, h, c int) *tensors.Tensor {
	data := make([]float32, n*h*h*c)
	s := uint32(12345)
	for i := range data {
		s = s*1664525 + 1013904223
		data[i] = float32(s>>8)/float32(1<<23) - 1
	}
	return tensors.FromFlatDataAndDimensions(data, n, h, h, c)
}

// TestSupernetGradients: every op weight of every node and every parent and output weight gets a
// finite, non-zero gradient (each weight scales a tensor that reaches the logits), with (K=4) and
// without partial channels, in every space.
func TestSupernetGradients(t *testing.T) {
	for n := 1; n <= 3; n++ {
		for _, k := range []int{1, 4} {
			s := New(n).Channels(4).Cells(3).Classes(5)
			w := make([]float32, s.Nodes()*NumOps)
			for i := range w {
				w[i] = 0.2 + 0.05*float32(i%4)
			}
			beta := make([]float32, s.betaLen())
			for i := range beta {
				beta[i] = 0.3 + 0.02*float32(i%7)
			}
			logits, gw, gb := runSupernet(t, s, k, w, beta)
			if len(logits) != 2*5 {
				t.Fatalf("%s K=%d: %d logits", s, k, len(logits))
			}
			for i, v := range append(append([]float32{}, logits...), gw...) {
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					t.Fatalf("%s K=%d: value %d not finite", s, k, i)
				}
			}
			for i, v := range gw {
				if v == 0 {
					t.Errorf("%s K=%d: no gradient reaches node %d's %s weight", s, k, i/NumOps+1, Op(i%NumOps))
				}
			}
			at := 0
			for _, r := range s.ParentRows() {
				for j := 0; j < r.Candidates; j++ {
					if v := gb[at+j]; v == 0 || math.IsNaN(float64(v)) {
						t.Errorf("%s K=%d: %s's weight of candidate %d has gradient %g", s, k, r.Name, j, v)
					}
				}
				at += r.Candidates
			}
		}
	}
}

// TestSupernetMixForms: Supernet with the flat β equals SupernetMix with the rows, and β nil equals β of
// ones (inference mode, shared variables).
func TestSupernetMixForms(t *testing.T) {
	s := New(2).Channels(4).Cells(2).Classes(3)
	ctx := context.New()
	exec := context.MustNewExec(testBackend(t), ctx, func(ctx *context.Context, x, w, b *graph.Node) []*graph.Node {
		flat := s.Supernet(ctx, x, spaces.Mixture{Weights: w, Beta: b})
		var rows []*graph.Node
		at := 0
		for _, r := range s.ParentRows() {
			rows = append(rows, graph.Slice(b, graph.AxisRange(at, at+r.Candidates)))
			at += r.Candidates
		}
		byRows := s.SupernetMix(ctx.Reuse(), x, Mix{Ops: w, Parents: rows})
		none := s.Supernet(ctx.Reuse(), x, spaces.Mixture{Weights: w})
		ones := s.Supernet(ctx.Reuse(), x, spaces.Mixture{Weights: w, Beta: graph.OnesLike(b)})
		return []*graph.Node{graph.ReduceAllMax(graph.Abs(graph.Sub(flat, byRows))), graph.ReduceAllMax(graph.Abs(graph.Sub(none, ones))),
			graph.ReduceAllMax(graph.Abs(graph.Sub(flat, none)))}
	})
	w := make([]float32, s.Nodes()*NumOps)
	for i := range w {
		w[i] = float32(i%5) / 4
	}
	beta := make([]float32, s.betaLen())
	for i := range beta {
		beta[i] = float32(i%3) / 2
	}
	out := exec.MustExec(images(2, 8, 3), tensors.FromFlatDataAndDimensions(w, s.Nodes(), NumOps), tensors.FromFlatDataAndDimensions(beta, s.betaLen()))
	d := []float32{out[0].Value().(float32), out[1].Value().(float32), out[2].Value().(float32)}
	if d[0] != 0 || d[1] != 0 {
		t.Errorf("flat vs rows differ by %g, nil vs ones by %g", d[0], d[1])
	}
	if d[2] == 0 {
		t.Error("the parent weights change nothing")
	}
}

// TestMaxPoolPadding: the supernet's pools pad with −∞ as PyTorch's nn.MaxPool2d does: on an all-negative
// 4×4 image the 2×2 stride-2 padding-1 downsampling gives the 3×3 of window maxima, and the 3×3 op keeps
// the image's values.
func TestMaxPoolPadding(t *testing.T) {
	data := make([]float32, 16)
	for i := range data {
		data[i] = float32(i - 16) // x[i][j] = 4i + j − 16
	}
	exec := graph.MustNewExec(testBackend(t), func(x *graph.Node) []*graph.Node {
		down := graph.MaxPool(x).Window(2).Strides(2).PaddingPerDim([][2]int{{1, 1}, {1, 1}}).Done()
		op := graph.MaxPool(x).Window(3).Strides(1).PaddingPerDim([][2]int{{1, 1}, {1, 1}}).Done()
		return []*graph.Node{down, op}
	})
	out := exec.MustExec(tensors.FromFlatDataAndDimensions(data, 1, 4, 4, 1))
	// Windows cover rows {0}, {1,2}, {3} (and the same columns): maxima at rows/cols 0, 2, 3.
	if got, want := fmt.Sprint(tensors.MustCopyFlatData[float32](out[0])), "[-16 -14 -13 -8 -6 -5 -4 -2 -1]"; got != want {
		t.Errorf("downsampling: %s, want %s", got, want)
	}
	if got, want := fmt.Sprint(tensors.MustCopyFlatData[float32](out[1])[:4]), "[-11 -10 -9 -9]"; got != want {
		t.Errorf("3×3 pool, first row: %s, want %s", got, want)
	}
}

// TestSupernetPanics: misuse stops with a message that says what to pass.
func TestSupernetPanics(t *testing.T) {
	s := New(1).Channels(5).Cells(1) // C doubles at cell 0: 10 channels
	cases := []struct {
		name string
		mix  func(g *graph.Graph) spaces.Mixture
		want string
	}{
		{"weights shape", func(g *graph.Graph) spaces.Mixture {
			return spaces.Mixture{Weights: graph.Zeros(g, shapes.Make(dtypes.Float32, 5, 3))}
		}, "op weights must be [4, 3]"},
		{"beta length", func(g *graph.Graph) spaces.Mixture {
			return spaces.Mixture{Weights: graph.Zeros(g, shapes.Make(dtypes.Float32, 4, 3)), Beta: graph.Zeros(g, shapes.Make(dtypes.Float32, 5))}
		}, "Mixture.Beta must be [12] (the rows node3, node4, output concatenated)"},
		{"sampled", func(g *graph.Graph) spaces.Mixture {
			return spaces.Mixture{Weights: graph.Zeros(g, shapes.Make(dtypes.Float32, 4, 3)), Sampled: true}
		}, "sampled mixtures"},
		{"partial channels", func(g *graph.Graph) spaces.Mixture {
			return spaces.Mixture{Weights: graph.Zeros(g, shapes.Make(dtypes.Float32, 4, 3)), PartialChannels: 4}
		}, "not divisible by PartialChannels 4"},
	}
	for _, c := range cases {
		msg := func() (msg string) {
			defer func() { msg = fmt.Sprint(recover()) }()
			g := graph.NewGraph(testBackend(t), "panic")
			x := graph.Parameter(g, "x", shapes.Make(dtypes.Float32, 1, 8, 8, 3))
			s.Supernet(context.New(), x, c.mix(g))
			return ""
		}()
		if !strings.Contains(msg, c.want) {
			t.Errorf("%s: panic %q, want %q", c.name, msg, c.want)
		}
	}
}
