package gaea

import (
	"fmt"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// ArchScope is the context scope that holds the architecture parameter blocks (and the geometry's
// state under it); the shared weights live elsewhere, so each block of the alternating search touches
// only its own variables.
const ArchScope = "arch"

// Names of the scalar hyperparameter variables in ArchScope. They are graph inputs: setting them between
// steps (Variable.SetValue) changes the next update without recompiling.
const (
	LRVar         = "lr"          // architecture learning rate η
	EntropyRegVar = "entropy_reg" // λ of the entropic regulariser λ·Σ θ log(Kθ)
	BetaLRVar     = "beta_lr"     // learning rate of the edge-weight blocks β (PC-DARTS)
	TauVar        = "tau"         // temperature of GDAS's Gumbel-softmax sample
)

// BetaPrefix starts the names of edge-weight blocks (β, one per node of a space with EdgeGroups).
const BetaPrefix = "beta"

// ArchOptimizer moves the architecture parameter blocks — the trainable variables in ctx.In(ArchScope)
// — one step of its Geometry against the gradient of the loss, and nothing else. It implements GoMLX's
// optimizers.Interface. The learning rate and the regulariser weight are read from the variables LRVar
// and EntropyRegVar (created with the given defaults when missing).
//
// Edge-weight blocks β (names starting with BetaPrefix) read their learning rate from BetaLRVar, and
// under the entropic geometry take the exponentiated-gradient step without the MinWeight floor (see
// Entropic); θ keeps the floor.
type ArchOptimizer struct {
	Geometry   Geometry
	LR         float64 // initial value of the learning-rate variable
	BetaLR     float64 // initial value of the β learning-rate variable (0 = LR)
	EntropyReg float64 // initial value of the regulariser variable
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

// hyperparameter returns the value node of a scalar hyperparameter variable in ArchScope.
func hyperparameter(ctx *context.Context, g *graph.Graph, name string, dtypeOf *graph.Node, initial float64) *graph.Node {
	v := ctx.In(ArchScope).Checked(false).VariableWithValue(name, initial).SetTrainable(false)
	return graph.ConvertDType(v.ValueGraph(g), dtypeOf.DType())
}

// Regularizer returns λ·Σ_rows Σ_k w log(K·w) over the mixture weights of every block: λ·KL(w‖uniform)
// summed over rows. It is 0 at uniform rows and grows as rows concentrate.
func Regularizer(ctx *context.Context, g *graph.Graph, geometry Geometry, lambda *graph.Node) *graph.Node {
	total := graph.ScalarZero(g, lambda.DType())
	for _, b := range Blocks(ctx) {
		w := geometry.Mixture(b.ValueGraph(g))
		k := float64(w.Shape().Dimensions[w.Rank()-1])
		tiny := graph.Scalar(g, w.DType(), 1e-30)
		kl := graph.ReduceAllSum(graph.Mul(w, graph.Log(graph.Max(graph.MulScalar(w, k), tiny))))
		total = graph.Add(total, graph.ConvertDType(kl, lambda.DType()))
	}
	return graph.Mul(lambda, total)
}

// UpdateGraph implements optimizers.Interface: it adds the regulariser (when its weight is not zero at
// run time it matters; the term is always in the graph so changing λ never recompiles), takes the
// gradient w.r.t. every block and replaces each block by its geometry step.
func (o *ArchOptimizer) UpdateGraph(ctx *context.Context, g *graph.Graph, loss *graph.Node) {
	o.Update(ctx, g, loss)
}

// Update is UpdateGraph returning the gradient of (loss + regulariser) w.r.t. each block, in Blocks order.
func (o *ArchOptimizer) Update(ctx *context.Context, g *graph.Graph, loss *graph.Node) []*graph.Node {
	if !loss.Shape().IsScalar() {
		panic(fmt.Sprintf("gaea: ArchOptimizer needs a scalar loss, got %s", loss.Shape()))
	}
	blocks := Blocks(ctx)
	if len(blocks) == 0 {
		panic(fmt.Sprintf("gaea: no architecture parameters in scope %q", ctx.In(ArchScope).Scope()))
	}
	lambda := hyperparameter(ctx, g, EntropyRegVar, loss, o.EntropyReg)
	total := graph.Add(loss, Regularizer(ctx, g, o.Geometry, lambda))
	values := make([]*graph.Node, len(blocks))
	for i, b := range blocks {
		values[i] = b.ValueGraph(g)
	}
	grads := graph.Gradient(total, values...)
	o.Apply(ctx, g, grads)
	return grads
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
		geometry := o.Geometry
		lr := hyperparameter(ctx, g, LRVar, values[i], o.LR)
		if strings.HasPrefix(b.Name(), BetaPrefix) {
			betaLR := o.BetaLR
			if betaLR == 0 {
				betaLR = o.LR
			}
			lr = hyperparameter(ctx, g, BetaLRVar, values[i], betaLR)
			geometry = unclamped(o.Geometry)
		}
		b.SetValueGraph(geometry.Step(StateContext(ctx, b.Name()), values[i], grads[i], lr))
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
