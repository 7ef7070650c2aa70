package gaea

import (
	"math/rand"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// MinWeight is the floor of every architecture weight after an exponentiated-gradient step, before the
// row is renormalised (as in the reference code); it keeps every op reachable.
const MinWeight = 1e-5

// Entropic is GAEA's geometry: θ is stored on the simplex (initialised uniform) and moved by
// exponentiated gradient — mirror descent with the negative-entropy mirror map:
//
//	θ ← θ ⊙ exp(−η ∇θ L);  θ ← max(θ, 1e-5);  θ ← θ / Σ_row θ
//
// No momentum, no state, no weight decay.
//
// As in the reference code, the floor applies to the unnormalised product θ·exp(−ηg). So in the extreme
// case where a step's η·g is so large that every entry of a row falls below 1e-5, the row resets to
// uniform (exact EG would be unaffected by adding a constant to g). NAS gradients are O(1) and η ≈ 0.1, far
// from that regime; in teaching experiments keep η·g below ~10.
//
// The edge-weight blocks β (PC-DARTS, one row per node) take the same step WITHOUT the floor,
// β ← β ⊙ exp(−η ∇β L) renormalised per row, as GAEA PC-DARTS does: ForEdgeWeights returns that step,
// and ArchOptimizer applies it to the blocks named BetaPrefix…. A β entry may go below MinWeight, a θ
// entry never does before renormalisation.
func Entropic() Geometry { return entropic{floor: true} }

type entropic struct {
	floor bool // clamp to MinWeight before renormalising (θ); false for β
}

func (entropic) Name() string { return "entropic" }

func (entropic) Init(rows, cols int, _ *rand.Rand) []float64 { return Uniform(rows, cols) }

// ForEdgeWeights implements Geometry: exponentiated gradient without the floor.
func (entropic) ForEdgeWeights() Geometry { return entropic{floor: false} }

func (entropic) Mixture(p *graph.Node) *graph.Node { return p }

func (e entropic) Step(_ *context.Context, theta, grad, lr *graph.Node) *graph.Node {
	t := graph.Mul(theta, graph.Exp(graph.Neg(graph.Mul(lr, grad))))
	if e.floor {
		t = graph.Max(t, graph.Scalar(theta.Graph(), theta.DType(), MinWeight))
	}
	return graph.Div(t, graph.ReduceAndKeep(t, graph.ReduceSum, -1))
}
