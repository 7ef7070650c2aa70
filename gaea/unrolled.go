package gaea

import (
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// unrolledGradients computes DARTS's second-order architecture gradient (Liu et al., 2019, eq. 7–8):
// the gradient of L_val(w′, α) with w′ = w − ξ(μ·buf + ∇w L_train(w, α) + wd·w) the weights after one
// virtual SGD step (ξ the current weight learning rate, buf the momentum buffers),
//
//	∇α L_val(w′, α) − ξ · [∇α L_train(w⁺, α) − ∇α L_train(w⁻, α)] / (2ε),  w± = w ± ε ∇w′ L_val(w′, α),
//
// with ε = 0.01/‖∇w′ L_val(w′, α)‖ (the finite-difference Hessian-vector product). The virtual step is
// DARTS's (classical momentum, unclipped gradient) whatever Config.Nesterov and GradClip say; the
// buffers and the learning rate are those of the weight step's trainer.SGD. It returns the
// validation loss and accuracy at w′, the gradient per architecture block (the penalties' included)
// and the penalties λ·R; the weights are left as they were.
func (s *Search) unrolledGradients(ctx *context.Context, trainX, trainY, validX, validY *graph.Node) (loss, acc *graph.Node, grads, penalties []*graph.Node) {
	g := trainX.Graph()
	blocks := Blocks(ctx)
	alphas := make([]*graph.Node, len(blocks))
	for i, b := range blocks {
		alphas[i] = b.ValueGraph(g)
	}
	// The first forward pass creates the supernet's variables when this is the first graph built.
	lossTrain, _ := s.forward(ctx, trainX, trainY)
	vars := s.sgd.Variables(ctx)
	w := make([]*graph.Node, len(vars))
	for i, v := range vars {
		w[i] = v.ValueGraph(g)
	}
	set := func(vals []*graph.Node) {
		for i, v := range vars {
			v.SetValueGraph(vals[i])
		}
	}
	dtype := trainX.DType()
	xi := graph.ConvertDType(s.sgd.LRVariable(ctx).ValueGraph(g), dtype)

	// Virtual step.
	gw := graph.Gradient(lossTrain, w...)
	wPrime := make([]*graph.Node, len(w))
	for i := range vars {
		d := gw[i]
		if s.cfg.WeightDecay != 0 {
			d = graph.Add(d, graph.MulScalar(w[i], s.cfg.WeightDecay))
		}
		wPrime[i] = graph.Sub(w[i], graph.Mul(graph.ConvertDType(xi, w[i].DType()), d))
	}
	if s.cfg.Momentum != 0 {
		for i, v := range vars {
			buf := s.sgd.MomentumBuffer(ctx, v)
			wPrime[i] = graph.Sub(wPrime[i], graph.Mul(graph.ConvertDType(xi, w[i].DType()),
				graph.MulScalar(buf.ValueGraph(g), s.cfg.Momentum)))
		}
	}

	// Validation loss at w′: its partial gradients w.r.t. α and w′ (w′ is held fixed: no path from
	// the validation loss back through ∇w L_train).
	for i := range wPrime {
		wPrime[i] = holdFixed(wPrime[i])
	}
	set(wPrime)
	loss, acc = s.forward(ctx, validX, validY)
	all := graph.Gradient(loss, append(append([]*graph.Node(nil), alphas...), wPrime...)...)
	dAlpha, dW := all[:len(alphas)], all[len(alphas):]

	// ε = 0.01/‖dW‖, then ∇α L_train at w ± ε·dW.
	normSq := graph.ScalarZero(g, dtype)
	for _, d := range dW {
		normSq = graph.Add(normSq, graph.ConvertDType(graph.ReduceAllSum(graph.Square(d)), dtype))
	}
	eps := graph.Div(graph.Scalar(g, dtype, 0.01), graph.Max(graph.Sqrt(normSq), graph.Scalar(g, dtype, 1e-12)))
	shifted := func(sign float64) []*graph.Node {
		out := make([]*graph.Node, len(w))
		for i := range w {
			step := graph.Mul(graph.ConvertDType(graph.MulScalar(eps, sign), w[i].DType()), dW[i])
			out[i] = holdFixed(graph.Add(w[i], step))
		}
		set(out)
		l, _ := s.forward(ctx, trainX, trainY)
		return graph.Gradient(l, alphas...)
	}
	gPlus := shifted(1)
	gMinus := shifted(-1)
	set(w) // the architecture step leaves the weights alone

	penalties = s.opt.Penalties(ctx, g, loss.DType())
	var reg []*graph.Node
	if p := sum(penalties); p != nil {
		reg = graph.Gradient(p, alphas...)
	}
	grads = make([]*graph.Node, len(alphas))
	for i := range alphas {
		hvp := graph.Div(graph.Sub(gPlus[i], gMinus[i]), graph.ConvertDType(graph.MulScalar(eps, 2), alphas[i].DType()))
		grads[i] = graph.Sub(dAlpha[i], graph.Mul(graph.ConvertDType(xi, alphas[i].DType()), hvp))
		if reg != nil {
			grads[i] = graph.Add(grads[i], reg[i])
		}
	}
	return loss, acc, grads, penalties
}

// holdFixed returns x as a point at which gradients can be taken but through which none flow back: an
// identity after a stop-gradient. (graph.StopGradient alone reports a zero gradient at itself, and a
// custom zero gradient would still make autodiff walk — and differentiate — the graph behind x.)
func holdFixed(x *graph.Node) *graph.Node {
	return graph.Identity(graph.StopGradient(x))
}
