package gaea

import (
	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
)

// The graphs of a search: the architecture step (first or second order), the weight step, the mixture
// weights; the supernet's forward pass and the mixture it is given.

func (s *Search) build() error {
	var err error
	forward := s.forward
	s.archExec, err = context.NewExec(s.be, s.ctx, func(ctx *context.Context, images, labels *graph.Node) []*graph.Node {
		s.graphBuilds++
		ctx.SetTraining(images.Graph(), true)
		loss, acc := forward(ctx, images, labels)
		grads, penalties := s.opt.Update(ctx, images.Graph(), loss)
		return append([]*graph.Node{loss, acc, grads[0]}, penalties...)
	})
	if err != nil {
		return err
	}
	s.archExec2, err = context.NewExec(s.be, s.ctx, func(ctx *context.Context, trainX, trainY, validX, validY *graph.Node) []*graph.Node {
		s.graphBuilds++
		ctx.SetTraining(trainX.Graph(), true)
		loss, acc, grads, penalties := s.unrolledGradients(ctx, trainX, trainY, validX, validY)
		s.opt.Apply(ctx, trainX.Graph(), grads)
		return append([]*graph.Node{loss, acc, grads[0]}, penalties...)
	})
	if err != nil {
		return err
	}
	s.weightExec, err = context.NewExec(s.be, s.ctx, func(ctx *context.Context, images, labels *graph.Node) []*graph.Node {
		s.graphBuilds++
		ctx.SetTraining(images.Graph(), true)
		loss, acc := forward(ctx, images, labels)
		s.updateWeights(ctx, images.Graph(), loss)
		return []*graph.Node{loss, acc}
	})
	if err != nil {
		return err
	}
	s.thetaExec, err = context.NewExec(s.be, s.ctx, func(ctx *context.Context, g *graph.Graph) []*graph.Node {
		var out []*graph.Node
		for _, p := range s.opt.Params(ctx, g) {
			out = append(out, p.Mixture)
		}
		return out
	})
	return err
}

// forward returns the supernet's mean cross-entropy loss and accuracy on a batch.
func (s *Search) forward(ctx *context.Context, images, labels *graph.Node) (loss, acc *graph.Node) {
	return s.forwardWith(ctx, images, labels, s.mixture(ctx, images.Graph()))
}

// forwardWith is forward with a given mixture.
func (s *Search) forwardWith(ctx *context.Context, images, labels *graph.Node, mix spaces.Mixture) (loss, acc *graph.Node) {
	if s.cfg.DType != dtypes.InvalidDType && images.DType() != s.cfg.DType {
		images = graph.ConvertDType(images, s.cfg.DType)
	}
	// The two blocks build the same supernet: its variables are created once and reused.
	logits := s.cfg.Space.Supernet(ctx.In(supernetScope).Checked(false), images, mix)
	l32 := graph.Reshape(graph.ConvertDType(labels, dtypes.Int32), labels.Shape().Dimensions[0]) // [B] or [B, 1]
	loss = losses.SparseCategoricalCrossEntropyLogits([]*graph.Node{graph.ExpandAxes(l32, -1)}, []*graph.Node{logits})
	loss = graph.ReduceAllMean(loss)
	pred := graph.ArgMax(logits, -1, dtypes.Int32)
	acc = graph.ReduceAllMean(graph.ConvertDType(graph.Equal(pred, l32), dtypes.Float32))
	return loss, acc
}

// mixture builds the supernet's mixture from the architecture blocks: θ's weights (or a sample from them),
// and β placed at each edge's position (or a BetaRower's rows concatenated).
func (s *Search) mixture(ctx *context.Context, g *graph.Graph) spaces.Mixture {
	return s.mixtureWith(ctx, g, s.cfg.Sampling)
}

// mixtureWith is mixture with the given sampling (WeightedSum: no random draw).
func (s *Search) mixtureWith(ctx *context.Context, g *graph.Graph, sampling Sampling) spaces.Mixture {
	blocks := Blocks(ctx)
	w := s.cfg.Geometry.Mixture(blocks[0].ValueGraph(g))
	mix := spaces.Mixture{Weights: w, PartialChannels: s.cfg.PartialChannels}
	rows, cols := w.Shape().Dimensions[0], w.Shape().Dimensions[1]
	switch sampling {
	case GDAS:
		// Straight-through Gumbel-softmax: the forward value is one-hot at argmax((log w + G)/τ), the
		// gradient that of the soft sample. The space combines each edge's ops as the reference GDAS
		// (spaces.Mixture.Sampled): sampled op's output in value, every other weight's gradient the sum
		// of the upstream gradient; all ops are computed (GoMLX graphs have no conditional execution).
		tau := hyperparameter(ctx, g, TauVar, w)
		u := ctx.RandomUniform(g, w.Shape())
		u = graph.Max(u, graph.Scalar(g, w.DType(), 1e-10))
		gumbel := graph.Neg(graph.Log(graph.Neg(graph.Log(u))))
		logw := graph.Log(graph.Max(w, graph.Scalar(g, w.DType(), 1e-30)))
		soft := graph.Softmax(graph.Div(graph.Add(logw, gumbel), tau), -1)
		hard := graph.OneHot(graph.ArgMax(soft, -1, dtypes.Int32), cols, w.DType())
		mix.Weights = graph.Add(graph.Sub(hard, graph.StopGradient(soft)), soft)
		mix.OneHot = hard
		mix.Sampled = true
	case RSWS:
		idx := ctx.RandomIntN(g, int32(cols), shapes.Make(dtypes.Int32, rows))
		mix.Weights = graph.OneHot(idx, cols, w.DType())
		mix.OneHot = mix.Weights
		mix.Sampled = true
	}
	if groups := s.cfg.Space.EdgeGroups(); groups != nil {
		// β: concatenate the group rows, then put each value at its edge with a permutation matrix.
		var parts []*graph.Node
		var order []int
		for i, group := range groups {
			parts = append(parts, graph.Reshape(s.opt.geometryOf(blocks[1+i].Name()).Mixture(blocks[1+i].ValueGraph(g)), len(group)))
			order = append(order, group...)
		}
		flat := graph.Concatenate(parts, 0)
		perm := make([][]float32, len(order))
		for i, e := range order {
			perm[i] = make([]float32, rows)
			perm[i][e] = 1
		}
		p := graph.ConvertDType(graph.Const(g, perm), flat.DType())
		mix.Beta = graph.Reshape(graph.MatMul(graph.Reshape(flat, 1, len(order)), p), rows)
	} else if betaRows := spaces.BetaRowsOf(s.cfg.Space); betaRows != nil {
		// A BetaRower's rows: their mixture weights, concatenated in BetaRows order.
		parts := make([]*graph.Node, len(betaRows))
		for i, r := range betaRows {
			parts[i] = graph.Reshape(s.opt.geometryOf(blocks[1+i].Name()).Mixture(blocks[1+i].ValueGraph(g)), r.Choices)
		}
		mix.Beta = graph.Concatenate(parts, 0)
	}
	return mix
}

// updateWeights is the weight step: trainer.SGD on the supernet's variables (sorted by name, so the
// gradient norm is summed in the same order however the context was filled — created by a graph, or
// loaded from a checkpoint), with the learning rate read from its variable.
func (s *Search) updateWeights(ctx *context.Context, g *graph.Graph, loss *graph.Node) {
	s.sgd.UpdateGraph(ctx, g, loss)
}
