package gaea

import (
	"math"
	"testing"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gaeanas/gaeanas/spaces/tiny"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
)

// smoothSpace is a one-edge space made only of smooth functions (no ReLU kinks, which would make finite
// differences of the unrolled objective meaningless): identity, tanh(conv3×3), 3×3 average pool.
type smoothSpace struct{}

func (smoothSpace) Name() string                                                       { return "smooth" }
func (smoothSpace) Ops() []string                                                      { return []string{"id", "tanh_conv", "pool"} }
func (smoothSpace) Edges() []string                                                    { return []string{"1<-0"} }
func (smoothSpace) EdgeGroups() [][]int                                                { return nil }
func (smoothSpace) ParseGenotype(string) (spaces.Genotype, error)                      { return nil, nil }
func (smoothSpace) Discretize(_, _ [][]float64) (spaces.Genotype, error)               { return nil, nil }
func (smoothSpace) Network(*context.Context, *graph.Node, spaces.Genotype) *graph.Node { return nil }
func (smoothSpace) Supernet(ctx *context.Context, x *graph.Node, mix spaces.Mixture) *graph.Node {
	h := layers.Convolution(ctx.In("stem"), x).Channels(3).KernelSize(3).PadSame().Done()
	w := graph.ConvertDType(mix.Weights, x.DType())
	wk := func(k int) *graph.Node { return graph.Reshape(graph.Slice(w, graph.AxisElem(0), graph.AxisElem(k))) }
	conv := graph.Tanh(layers.Convolution(ctx.In("op"), h).Channels(3).KernelSize(3).PadSame().Done())
	pool := graph.MeanPool(h).Window(3).Strides(1).PadSame().Done()
	y := graph.Add(graph.Add(graph.Mul(h, wk(0)), graph.Mul(conv, wk(1))), graph.Mul(pool, wk(2)))
	return layers.DenseWithBias(ctx.In("head"), graph.ReduceMean(graph.Tanh(y), 1, 2), 2)
}

func batch64(d Dataset, n int) (*tensors.Tensor, *tensors.Tensor) {
	size := d.Height * d.Width * d.Channel
	x := make([]float64, n*size)
	for i := range x {
		x[i] = float64(d.Images[i])
	}
	return tensors.FromFlatDataAndDimensions(x, n, d.Height, d.Width, d.Channel),
		tensors.FromFlatDataAndDimensions(append([]int32(nil), d.Labels[:n]...), n)
}

// TestUnrolledGradient compares DARTS's second-order architecture gradient (finite-difference
// Hessian-vector product) with central differences of the unrolled objective itself,
// F(α) = L_val(w − ξ(∇w L_train(w, α) + wd·w), α).
func TestUnrolledGradient(t *testing.T) {
	be := backend.MustNew()
	b, err := NewMemoryBatches(stripes(64, 1), stripes(64, 2), BiLevel, 16, 12)
	if err != nil {
		t.Fatal(err)
	}
	cfg := conf(Config{Space: smoothSpace{}, Geometry: Softmax(), SecondOrder: true, WeightLR: 0.5, Steps: 10, Seed: 12})
	cfg.Momentum = 0
	s, err := NewSearch(be, cfg, b)
	if err != nil {
		t.Fatal(err)
	}
	// float64 inputs: the supernet's weights are created in float64 by the first graph.
	trainX, trainY := batch64(stripes(16, 3), 16)
	validX, validY := batch64(stripes(16, 4), 16)
	xi := s.cfg.WeightLRAt(s.iteration)
	if err := s.setWeightLR(xi); err != nil {
		t.Fatal(err)
	}

	gradExec := context.MustNewExec(be, s.ctx, func(ctx *context.Context, tx, ty, vx, vy *graph.Node) *graph.Node {
		ctx.SetTraining(tx.Graph(), true)
		_, _, grads, _ := s.unrolledGradients(ctx, tx, ty, vx, vy)
		return grads[0]
	})
	got := rowsOf(gradExec.MustExec(trainX, trainY, validX, validY)[0])

	theta := Blocks(s.ctx)[0]
	orig := tensors.MustCopyFlatData[float32](theta.MustValue())
	unrolled := context.MustNewExec(be, s.ctx, func(ctx *context.Context, tx, ty, vx, vy *graph.Node) *graph.Node {
		ctx.SetTraining(tx.Graph(), true)
		g := tx.Graph()
		vars := s.sgd.Variables(ctx)
		w := make([]*graph.Node, len(vars))
		for i, v := range vars {
			w[i] = v.ValueGraph(g)
		}
		lt, _ := s.forward(ctx, tx, ty)
		gw := graph.Gradient(lt, w...)
		for i, v := range vars {
			d := graph.Add(gw[i], graph.MulScalar(w[i], s.cfg.WeightDecay))
			v.SetValueGraph(graph.Sub(w[i], graph.MulScalar(d, xi)))
		}
		lv, _ := s.forward(ctx, vx, vy)
		for i, v := range vars {
			v.SetValueGraph(w[i]) // leave the weights as they were
		}
		return lv
	})
	F := func(i int, delta float64) float64 {
		a := append([]float32(nil), orig...)
		a[i] += float32(delta)
		theta.MustSetValue(tensors.FromFlatDataAndDimensions(a, len(orig)/3, 3))
		v := unrolled.MustExec(trainX, trainY, validX, validY)[0].Value().(float64)
		theta.MustSetValue(tensors.FromFlatDataAndDimensions(append([]float32(nil), orig...), len(orig)/3, 3))
		return v
	}
	maxGrad, maxErr := 0.0, 0.0
	for i := range orig {
		const h = 1e-4
		fd := (F(i, h) - F(i, -h)) / (2 * h)
		g := got[i/3][i%3]
		maxGrad = math.Max(maxGrad, math.Abs(fd))
		maxErr = math.Max(maxErr, math.Abs(fd-g))
		t.Logf("α[%d]: unrolled (DARTS) %+.6f, finite differences %+.6f", i, g, fd)
	}
	if maxGrad < 1e-4 {
		t.Fatalf("gradients too small to compare (%g)", maxGrad)
	}
	if maxErr > 0.01*maxGrad {
		t.Errorf("max |DARTS − finite differences| = %.3g, more than 1%% of max |gradient| %.3g", maxErr, maxGrad)
	}
}

// TestSecondOrderSearchRuns: a second-order DARTS search on the teaching space (convolutions, batch
// norm, momentum) runs, shares each training batch between its two blocks, and moves α.
func TestSecondOrderSearchRuns(t *testing.T) {
	b, err := NewMemoryBatches(stripes(64, 1), stripes(64, 2), BiLevel, 16, 13)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSearch(backend.MustNew(), conf(Config{Space: tiny.New().Channels(3).Classes(2), Geometry: Softmax(),
		ArchLR: 0.01, SecondOrder: true, Steps: 10, Seed: 13}), b)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run(3); err != nil {
		t.Fatal(err)
	}
	if d := b.Draws(); d["weights"] != 3 || d["arch"] != 3 {
		t.Errorf("draws %v: want 3 training batches (shared by both blocks) and 3 validation batches", d)
	}
	h := s.History()
	if len(h) != 6 || h[0].Theta[0][0] == h[4].Theta[0][0] {
		t.Errorf("history %d records; θ[0][0] %v → %v", len(h), h[0].Theta[0][0], h[4].Theta[0][0])
	}
	if _, err := NewSearch(backend.MustNew(), conf(Config{Space: tiny.New(), SecondOrder: true, Sampling: GDAS}), b); err == nil {
		t.Error("second order with GDAS sampling: no error")
	}
}
