package gaea

import (
	"fmt"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// ArchScope is the context scope that holds the architecture parameter blocks (and the geometry's
// state under it); the shared weights live elsewhere, so each block of the alternating search touches
// only its own variables.
const ArchScope = "arch"

// Names of the scalar hyperparameter variables in ArchScope. They are graph inputs: setting them between
// steps (SetHyperparameter) changes the next update without recompiling.
const (
	LRVar         = "lr"          // architecture learning rate η
	EntropyRegVar = "entropy_reg" // λ of the entropic regulariser: LambdaVar(EntropyName)
	BetaLRVar     = "beta_lr"     // β's own learning rate (Config.BetaLR); absent: β reads LRVar
	TauVar        = "tau"         // temperature of GDAS's Gumbel-softmax sample
)

// BetaPrefix starts the names of edge-weight blocks (β, one per node of a space with EdgeGroups, or one
// per row of a spaces.BetaRower).
const BetaPrefix = "beta"

// ArchOptimizer moves the architecture parameter blocks — the trainable variables in ctx.In(ArchScope)
// — one step of its Geometry against the gradient of the loss plus the regularisers' penalties, and
// nothing else. It implements GoMLX's optimizers.Interface.
//
// Its hyperparameters are variables of the context, read when the graph runs (SetHyperparameter sets
// them; a graph built without one panics, naming it): the learning rate LRVar, each regulariser's λ
// (LambdaVar), and — for the edge-weight blocks β (names starting with BetaPrefix), which take the
// geometry's ForEdgeWeights step — BetaLRVar if the context has it, else LRVar.
type ArchOptimizer struct {
	Geometry     Geometry
	Regularizers []Regularizer
	// BetaRows says that the β blocks are the rows of a spaces.BetaRower (NAS-Bench-1Shot1's parent and
	// output weights), which are moved with Geometry itself, as θ — for GAEA with θ's 1e-5 floor, as
	// liamcli/nasbench-1shot1 optimizers/edarts/architect.py normalize (lines 51-53) treats its alphas
	// and edge weights alike — rather than with Geometry.ForEdgeWeights, PC-DARTS's edge normalisation.
	BetaRows bool
}

var _ optimizers.Interface = (*ArchOptimizer)(nil)

// Blocks returns the architecture parameter blocks in ctx: the trainable rank-2 variables directly in
// ArchScope, in creation order.
func Blocks(ctx *context.Context) []*context.Variable {
	var blocks []*context.Variable
	actx := ctx.In(ArchScope)
	prefix := actx.Scope()
	for v := range actx.IterVariablesInScope() {
		if v.Trainable && v.Scope() == prefix && v.Shape().Rank() == 2 {
			blocks = append(blocks, v)
		}
	}
	return blocks
}

// isEdgeWeights tells whether a block is one of β's.
func isEdgeWeights(block string) bool { return strings.HasPrefix(block, BetaPrefix) }

// SetHyperparameter sets (creating it if needed) the scalar hyperparameter variable name in ArchScope:
// LRVar, BetaLRVar, TauVar or a regulariser's LambdaVar. The next run of a graph that reads it uses
// the new value; nothing is recompiled.
func SetHyperparameter(ctx *context.Context, name string, value float64) error {
	v := ctx.In(ArchScope).Checked(false).VariableWithValue(name, value).SetTrainable(false)
	if err := v.SetValue(tensors.FromValue(value)); err != nil {
		return fmt.Errorf("gaea: setting %s to %v: %w", name, value, err)
	}
	return nil
}

// Hyperparameter returns the value of the scalar hyperparameter variable name in ArchScope, and false
// when it was never set.
func Hyperparameter(ctx *context.Context, name string) (float64, bool) {
	v := ctx.In(ArchScope).GetVariable(name)
	if v == nil {
		return 0, false
	}
	t, err := v.Value()
	if err != nil {
		return 0, false
	}
	f, ok := t.Value().(float64)
	return f, ok
}

// hyperparameter returns the value node of a scalar hyperparameter variable in ArchScope, in the dtype
// of dtypeOf.
func hyperparameter(ctx *context.Context, g *graph.Graph, name string, dtypeOf *graph.Node) *graph.Node {
	v := ctx.In(ArchScope).GetVariable(name)
	if v == nil {
		panic(fmt.Sprintf("gaea: the hyperparameter %q is not set: call SetHyperparameter(ctx, %q, value) before the graph is built", name, name))
	}
	return graph.ConvertDType(v.ValueGraph(g), dtypeOf.DType())
}

// geometryOf returns the geometry that moves a block: o.Geometry, or its ForEdgeWeights for the edge
// normalisation's β (not for a BetaRower's rows, which move as θ).
func (o *ArchOptimizer) geometryOf(block string) Geometry {
	if isEdgeWeights(block) && !o.BetaRows {
		return o.Geometry.ForEdgeWeights()
	}
	return o.Geometry
}

// learningRate returns the learning rate of a block. This is the one place of the rule "β follows the
// architecture learning rate unless it has its own": β's blocks read BetaLRVar when the context has it
// (Config.BetaLR set), every other block, and β without its own, LRVar.
func learningRate(ctx *context.Context, g *graph.Graph, block string, dtypeOf *graph.Node) *graph.Node {
	name := LRVar
	if isEdgeWeights(block) && ctx.In(ArchScope).GetVariable(BetaLRVar) != nil {
		name = BetaLRVar
	}
	return hyperparameter(ctx, g, name, dtypeOf)
}

// Params returns the architecture blocks of ctx as the regularisers see them, in Blocks order.
func (o *ArchOptimizer) Params(ctx *context.Context, g *graph.Graph) []ArchParam {
	var params []ArchParam
	for _, b := range Blocks(ctx) {
		v := b.ValueGraph(g)
		params = append(params, ArchParam{Name: b.Name(), EdgeWeights: isEdgeWeights(b.Name()), Value: v,
			Mixture: o.geometryOf(b.Name()).Mixture(v)})
	}
	return params
}

// Penalties returns λ·R of each regulariser (o.Regularizers order), scalars in dtype, with λ read from
// its variable LambdaVar(name).
func (o *ArchOptimizer) Penalties(ctx *context.Context, g *graph.Graph, dtype dtypes.DType) []*graph.Node {
	if len(o.Regularizers) == 0 {
		return nil
	}
	params := o.Params(ctx, g)
	out := make([]*graph.Node, len(o.Regularizers))
	for i, r := range o.Regularizers {
		term := r.Term(ctx, g, params)
		if term == nil || !term.Shape().IsScalar() {
			panic(fmt.Sprintf("gaea: regularizer %q: Term returned %v, want a scalar", r.Name(), term))
		}
		term = graph.ConvertDType(term, dtype)
		out[i] = graph.Mul(hyperparameter(ctx, g, LambdaVar(r.Name()), term), term)
	}
	return out
}

// sum adds the nodes in order; nil for none.
func sum(nodes []*graph.Node) *graph.Node {
	var total *graph.Node
	for _, n := range nodes {
		if total == nil {
			total = n
		} else {
			total = graph.Add(total, n)
		}
	}
	return total
}

// UpdateGraph implements optimizers.Interface: it adds the regularisers' penalties (always in the graph,
// so changing a λ never recompiles), takes the gradient w.r.t. every block and replaces each block by its
// geometry step.
func (o *ArchOptimizer) UpdateGraph(ctx *context.Context, g *graph.Graph, loss *graph.Node) {
	o.Update(ctx, g, loss)
}

// Update is UpdateGraph returning the gradient of (loss + penalties) w.r.t. each block, in Blocks order,
// and the penalties λ·R (o.Regularizers order).
func (o *ArchOptimizer) Update(ctx *context.Context, g *graph.Graph, loss *graph.Node) (grads, penalties []*graph.Node) {
	if !loss.Shape().IsScalar() {
		panic(fmt.Sprintf("gaea: ArchOptimizer needs a scalar loss, got %s", loss.Shape()))
	}
	blocks := Blocks(ctx)
	if len(blocks) == 0 {
		panic(fmt.Sprintf("gaea: no architecture parameters in scope %q", ctx.In(ArchScope).Scope()))
	}
	penalties = o.Penalties(ctx, g, loss.DType())
	total := loss
	if p := sum(penalties); p != nil {
		total = graph.Add(loss, p)
	}
	values := make([]*graph.Node, len(blocks))
	for i, b := range blocks {
		values[i] = b.ValueGraph(g)
	}
	grads = graph.Gradient(total, values...)
	o.Apply(ctx, g, grads)
	return grads, penalties
}

// Apply moves every block one geometry step against the given gradients (one per block, Blocks order).
func (o *ArchOptimizer) Apply(ctx *context.Context, g *graph.Graph, grads []*graph.Node) {
	blocks := Blocks(ctx)
	if len(grads) != len(blocks) {
		panic(fmt.Sprintf("gaea: %d gradients for %d architecture blocks", len(grads), len(blocks)))
	}
	values := make([]*graph.Node, len(blocks))
	for i, b := range blocks {
		values[i] = b.ValueGraph(g)
	}
	for i, b := range blocks {
		geometry := o.geometryOf(b.Name())
		lr := learningRate(ctx, g, b.Name(), values[i])
		next := geometry.Step(StateContext(ctx, b.Name()), values[i], grads[i], lr)
		if next == nil || !next.Shape().Equal(values[i].Shape()) {
			panic(fmt.Sprintf("gaea: geometry %q: Step returned %v for block %q of shape %s", geometry.Name(), next, b.Name(), values[i].Shape()))
		}
		b.SetValueGraph(next)
	}
}

// StateContext is the scope a geometry's Step keeps the state of one block in: ArchScope/state/<block>,
// unchecked. Unchecked, because the state may already exist when the step's graph is built: restored
// from a checkpoint (RestoreSearch), or created by another graph of the same search (a graph rebuilt
// for another batch shape, or the other architecture-step graph). Geometry.Step then reuses the variable
// and its value.
func StateContext(ctx *context.Context, block string) *context.Context {
	return ctx.In(ArchScope).In("state").In(block).Checked(false)
}

// Clear implements optimizers.Interface: it resets the geometry's state (Adam moments), not the blocks.
func (o *ArchOptimizer) Clear(ctx *context.Context) error {
	sctx := ctx.In(ArchScope).In("state")
	var errs []error
	for v := range sctx.IterVariablesInScope() {
		if err := v.Reset(); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("gaea: clearing optimizer state: %v", errs)
	}
	return nil
}

// NewBlock creates an architecture parameter block of rows×cols in ctx (scope ArchScope) with the given
// initial values (Geometry.Init), rows being edges (or nodes, for β) and columns their choices.
func NewBlock(ctx *context.Context, name string, rows, cols int, init []float64, dtype dtypes.DType) (*context.Variable, error) {
	if rows <= 0 || cols <= 0 {
		return nil, fmt.Errorf("gaea: block %q: bad shape %d×%d", name, rows, cols)
	}
	if len(init) != rows*cols {
		return nil, fmt.Errorf("gaea: block %q: %d initial values for %d×%d", name, len(init), rows, cols)
	}
	if dtype != dtypes.Float32 && dtype != dtypes.Float64 {
		return nil, fmt.Errorf("gaea: block %q: dtype %s (want Float32 or Float64)", name, dtype)
	}
	t := tensorOf(init, dtype, rows, cols)
	v := ctx.In(ArchScope).VariableWithValue(name, t).SetTrainable(true)
	return v, nil
}
