package trainer

import (
	"sort"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// SGD is stochastic gradient descent with (Nesterov) momentum, weight decay and gradient-norm clipping,
// in PyTorch's formulation (torch.optim.SGD after nn.utils.clip_grad_norm_):
//
//	g ← ∇w · min(1, ClipNorm/(‖∇‖ + 1e-6))  (‖∇‖ the global norm over all weights; no clipping when ClipNorm is 0)
//	g ← g + WeightDecay·w
//	b ← Momentum·b + g
//	w ← w − lr·(g + Momentum·b)  with Nesterov, else  w ← w − lr·b
//
// The clip coefficient is exactly clip_grad_norm_'s: max_norm/(total_norm + 1e-6), applied when below 1.
// It is the only momentum SGD of the module: the architecture search (package gaea) uses it for its
// weight step too, restricted to the supernet with VariablesScope.
//
// It updates every trainable variable of the context outside its own scope (only those under
// VariablesScope when that is set), visited in the order of their names (so the gradient norm is summed
// in the same order however the context was filled — a restored checkpoint lists its variables in
// another order). The learning rate is the scalar variable LRVariable, set between steps without
// recompiling. SGD implements GoMLX's optimizers.Interface.
type SGD struct {
	Momentum    float64
	Nesterov    bool
	WeightDecay float64
	ClipNorm    float64
	// Scope holds the optimizer's variables (learning rate, momentum buffers); "" means "sgd".
	Scope string
	// VariablesScope, when not empty, restricts the trained variables to those in this scope (an
	// absolute scope path without the leading separator, e.g. "supernet") or below it.
	VariablesScope string
}

var _ optimizers.Interface = (*SGD)(nil)

func (o *SGD) scope(ctx *context.Context) *context.Context {
	s := o.Scope
	if s == "" {
		s = "sgd"
	}
	return ctx.InAbsPath(context.RootScope + s).Checked(false)
}

// LRVariable returns the learning-rate variable (float64 scalar, created with value 0 if missing).
func (o *SGD) LRVariable(ctx *context.Context) *context.Variable {
	return o.scope(ctx).VariableWithValue("lr", 0.0).SetTrainable(false)
}

// Variables returns the variables SGD trains: the trainable ones outside its scope (and under
// VariablesScope when set), sorted by name.
func (o *SGD) Variables(ctx *context.Context) []*context.Variable {
	own := o.scope(ctx).Scope()
	under := func(scope, prefix string) bool {
		return scope == prefix || strings.HasPrefix(scope, prefix+context.ScopeSeparator)
	}
	var only string
	if o.VariablesScope != "" {
		only = ctx.InAbsPath(context.RootScope + o.VariablesScope).Scope()
	}
	var vs []*context.Variable
	for v := range ctx.IterVariables() {
		if v.Trainable && !under(v.Scope(), own) && (only == "" || under(v.Scope(), only)) {
			vs = append(vs, v)
		}
	}
	sort.Slice(vs, func(i, j int) bool { return vs[i].ParameterName() < vs[j].ParameterName() })
	return vs
}

// UpdateGraph adds the update of one step to the graph. See UpdateWithNorms for the norms it computes.
func (o *SGD) UpdateGraph(ctx *context.Context, g *graph.Graph, loss *graph.Node) {
	o.UpdateWithNorms(ctx, g, loss)
}

// UpdateWithNorms adds the update of one step to the graph and returns the global norm of the raw
// gradient and the squared global norm of the updated weights (both float32 scalars); the latter is
// NaN or +Inf when the update made any weight non-finite.
func (o *SGD) UpdateWithNorms(ctx *context.Context, g *graph.Graph, loss *graph.Node) (gradNorm, weightNormSq *graph.Node) {
	vars := o.Variables(ctx)
	values := make([]*graph.Node, len(vars))
	for i, v := range vars {
		values[i] = v.ValueGraph(g)
	}
	grads := graph.Gradient(loss, values...)
	dtype := loss.DType()
	lr := o.LRVariable(ctx).ValueGraph(g)

	normSq := graph.ScalarZero(g, dtype)
	for _, gr := range grads {
		normSq = graph.Add(normSq, graph.ConvertDType(graph.ReduceAllSum(graph.Square(gr)), dtype))
	}
	gradNorm = graph.Sqrt(normSq)
	scale := graph.ScalarOne(g, dtype)
	if o.ClipNorm > 0 {
		// PyTorch: clip_coef = max_norm / (total_norm + 1e-6), applied when < 1.
		coef := graph.Div(graph.Scalar(g, dtype, o.ClipNorm), graph.AddScalar(gradNorm, 1e-6))
		scale = graph.Min(scale, coef)
	}
	weightNormSq = graph.ScalarZero(g, dtype)
	for i, v := range vars {
		w := values[i]
		gr := grads[i]
		if o.ClipNorm > 0 {
			gr = graph.Mul(gr, graph.ConvertDType(scale, gr.DType()))
		}
		if o.WeightDecay != 0 {
			gr = graph.Add(gr, graph.MulScalar(w, o.WeightDecay))
		}
		if o.Momentum != 0 {
			buf := o.MomentumBuffer(ctx, v)
			b := graph.Add(graph.MulScalar(buf.ValueGraph(g), o.Momentum), gr)
			buf.SetValueGraph(b)
			if o.Nesterov {
				gr = graph.Add(gr, graph.MulScalar(b, o.Momentum))
			} else {
				gr = b
			}
		}
		nw := graph.Sub(w, graph.Mul(graph.ConvertDType(lr, w.DType()), gr))
		v.SetValueGraph(nw)
		weightNormSq = graph.Add(weightNormSq, graph.ConvertDType(graph.ReduceAllSum(graph.Square(nw)), dtype))
	}
	return gradNorm, weightNormSq
}

// MomentumBuffer returns the momentum buffer of the trained variable v (zeros of v's shape at first): the
// variable <Scope>/momentum/<v's scope and name with "/" replaced by ".">.
func (o *SGD) MomentumBuffer(ctx *context.Context, v *context.Variable) *context.Variable {
	return o.scope(ctx).In("momentum").WithInitializer(initializers.Zero).
		VariableWithShape(bufferName(v), v.Shape()).SetTrainable(false)
}

// bufferName flattens a variable's scope and name into one variable name.
func bufferName(v *context.Variable) string {
	return strings.ReplaceAll(strings.TrimPrefix(v.Scope()+"/"+v.Name(), "/"), "/", ".")
}

// Clear removes the momentum buffers.
func (o *SGD) Clear(ctx *context.Context) error {
	return o.scope(ctx).In("momentum").DeleteVariablesInScope()
}
