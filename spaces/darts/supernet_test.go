package darts

import (
	"fmt"
	"math"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/gaeanas/gaeanas/spaces"
)

func TestEdgesAndGroups(t *testing.T) {
	s := New()
	edges := s.Edges()
	if len(edges) != 28 || edges[0] != "normal 2<-0" || edges[4] != "normal 3<-2" || edges[13] != "normal 5<-4" ||
		edges[14] != "reduce 2<-0" || edges[27] != "reduce 5<-4" {
		t.Errorf("Edges = %q", edges)
	}
	groups := s.EdgeGroups()
	want := "[[0 1] [2 3 4] [5 6 7 8] [9 10 11 12 13] [14 15] [16 17 18] [19 20 21 22] [23 24 25 26 27]]"
	if fmt.Sprint(groups) != want {
		t.Errorf("EdgeGroups = %v, want %s", groups, want)
	}
	if got := fmt.Sprint(s.Ops()); got != "[none max_pool_3x3 avg_pool_3x3 skip_connect sep_conv_3x3 sep_conv_5x5 dil_conv_3x3 dil_conv_5x5]" {
		t.Errorf("Ops = %s", got)
	}
	if got := New().WithNone(false).Ops(); len(got) != 7 || got[0] == OpNone {
		t.Errorf("WithNone(false): ops %v", got)
	}
	if got := fmt.Sprint(New().ExcludeNone(true).Ops()); got != fmt.Sprint(New().WithNone(false).Ops()) {
		t.Errorf("deprecated ExcludeNone(true): ops %s", got)
	}
	if s.Name() != "darts" {
		t.Errorf("Name = %q", s.Name())
	}
}

// supernetGradients runs the supernet (C=4, 3 layers: normal, reduce, reduce; 8×8 images) and returns
// the logits shape and the gradients of the summed logits² w.r.t. θ and β.
func supernetGradients(t *testing.T, s *Space, k int, withBeta bool) (logitsDims []int, gTheta, gBeta [][]float64) {
	t.Helper()
	nE, nO := len(s.Edges()), len(s.Ops())
	theta := make([]float32, nE*nO)
	for i := range theta {
		theta[i] = 1 / float32(nO) * (1 + 0.1*float32(i%5))
	}
	beta := make([]float32, nE)
	for i := range beta {
		beta[i] = 0.5 + 0.01*float32(i)
	}
	ctx := context.New()
	exec := context.MustNewExec(testBackend(t), ctx, func(ctx *context.Context, x, th, be *graph.Node) []*graph.Node {
		ctx.SetTraining(x.Graph(), true)
		mix := spaces.Mixture{Weights: th, PartialChannels: k}
		if withBeta {
			mix.Beta = be
		}
		logits := s.Supernet(ctx, x, mix)
		loss := graph.ReduceAllSum(graph.Square(logits))
		grads := graph.Gradient(loss, th, be)
		return []*graph.Node{logits, grads[0], grads[1]}
	})
	out := exec.MustExec(randomImages(2, 8, 8, 3), tensors.FromFlatDataAndDimensions(theta, nE, nO),
		tensors.FromFlatDataAndDimensions(beta, nE))
	gt := tensors.MustCopyFlatData[float32](out[1])
	gb := tensors.MustCopyFlatData[float32](out[2])
	for e := 0; e < nE; e++ {
		row := make([]float64, nO)
		for o := range row {
			row[o] = float64(gt[e*nO+o])
		}
		gTheta = append(gTheta, row)
	}
	gBeta = [][]float64{make([]float64, nE)}
	for e := range gb {
		gBeta[0][e] = float64(gb[e])
	}
	return out[0].Shape().Dimensions, gTheta, gBeta
}

// TestSupernetGradients: gradients reach every θ row (every non-`none` op) and every β, with partial
// channels (PC-DARTS, K=4) and without (DARTS).
func TestSupernetGradients(t *testing.T) {
	for _, k := range []int{4, 1} {
		s := New().Channels(4).Layers(3).Classes(5)
		dims, gTheta, gBeta := supernetGradients(t, s, k, true)
		if fmt.Sprint(dims) != "[2 5]" {
			t.Errorf("K=%d: logits shape %v", k, dims)
		}
		for e, row := range gTheta {
			for o, v := range row {
				if math.IsNaN(v) {
					t.Errorf("K=%d: θ gradient of %s/%s is NaN", k, s.Edges()[e], s.Ops()[o])
				}
				if o > 0 && v == 0 { // `none` (column 0) outputs zeros: its gradient is 0, as in the reference
					t.Errorf("K=%d: no gradient reaches θ of %s/%s", k, s.Edges()[e], s.Ops()[o])
				}
			}
		}
		for e, v := range gBeta[0] {
			if v == 0 || math.IsNaN(v) {
				t.Errorf("K=%d: β gradient of %s = %g", k, s.Edges()[e], v)
			}
		}
	}
}

// TestSupernetWithoutNoneNoBeta: 7 ops, β nil (all ones); β then gets no gradient.
func TestSupernetWithoutNoneNoBeta(t *testing.T) {
	s := New().Channels(4).Layers(3).Classes(3).WithNone(false)
	_, gTheta, gBeta := supernetGradients(t, s, 2, false)
	for e, row := range gTheta {
		for o, v := range row {
			if v == 0 || math.IsNaN(v) {
				t.Errorf("θ gradient of %s/%s = %g", s.Edges()[e], s.Ops()[o], v)
			}
		}
	}
	for _, v := range gBeta[0] {
		if v != 0 {
			t.Fatalf("β unused but got gradient %g", v)
		}
	}
}

// TestSupernetOneHot: with a one-hot mixture (GDAS) that selects skip_connect everywhere and no
// partial channels, a normal cell's nodes are sums of the preprocessed inputs — the supernet still runs
// and returns finite logits; and the search network's variable layout does not depend on the mixture.
func TestSupernetOneHot(t *testing.T) {
	s := New().Channels(4).Layers(3).Classes(3)
	nE, nO := len(s.Edges()), len(s.Ops())
	theta := make([]float32, nE*nO)
	for e := 0; e < nE; e++ {
		theta[e*nO+3] = 1
	}
	ctx := context.New()
	exec := context.MustNewExec(testBackend(t), ctx, func(ctx *context.Context, x, th *graph.Node) *graph.Node {
		return s.Supernet(ctx, x, spaces.Mixture{Weights: th, Sampled: true})
	})
	out := tensors.MustCopyFlatData[float32](exec.MustExec1(randomImages(2, 8, 8, 3), tensors.FromFlatDataAndDimensions(theta, nE, nO)))
	for _, v := range out {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			t.Fatalf("logits %v", out)
		}
	}
}

func TestSupernetBadWeightsPanics(t *testing.T) {
	s := New().Channels(4).Layers(3)
	defer func() {
		if r := recover(); r == nil {
			t.Error("no panic for a [28,7] mixture in an 8-op space")
		}
	}()
	g := graph.NewGraph(testBackend(t), "bad")
	x := graph.Parameter(g, "x", randomImages(1, 8, 8, 3).Shape())
	s.Supernet(context.New(), x, spaces.Mixture{Weights: graph.Zeros(g, tensors.FromFlatDataAndDimensions(make([]float32, 28*7), 28, 7).Shape())})
}

// TestSearchNetParams checks the search network's variable count against the closed form: stem, then
// per cell the preprocessing (no affine BN) and, per edge, every op's kernels on C/K channels.
func TestSearchNetParams(t *testing.T) {
	for _, k := range []int{1, 4} {
		s := New() // C=16, 8 layers
		ctx := context.New()
		buildOnly(t, ctx, randomImages(2, 32, 32, 3).Shape(), func(ctx *context.Context, x *graph.Node) []*graph.Node {
			th := graph.Zeros(x.Graph(), tensors.FromFlatDataAndDimensions(make([]float32, 28*8), 28, 8).Shape())
			return []*graph.Node{s.Supernet(ctx, x, spaces.Mixture{Weights: th, PartialChannels: k})}
		})
		c := 16
		want := 3*48*9 + 2*48
		cpp, cp := 48, 48
		for i := 0; i < 8; i++ {
			red := i == 2 || i == 5
			if red {
				c *= 2
			}
			want += cpp*c + cp*c // preprocessing: FactorizedReduce or 1×1 ReLUConvBN, and 1×1 ReLUConvBN; no affine BN
			ch := c / k
			for node := 2; node < 6; node++ {
				for j := 0; j < node; j++ {
					stride := 1
					if red && j < 2 {
						stride = 2
					}
					want += 2*(9*ch+ch*ch) + 2*(25*ch+ch*ch) + (9*ch + ch*ch) + (25*ch + ch*ch)
					if stride == 2 {
						want += ch * ch // FactorizedReduce kernels
					}
				}
			}
			cpp, cp = cp, 4*c
		}
		want += cp*10 + 10
		if got := trainableParams(ctx); got != want {
			t.Errorf("K=%d: search network has %d trainable parameters, want %d", k, got, want)
		}
	}
}
