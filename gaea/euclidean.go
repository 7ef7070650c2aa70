package gaea

import (
	"math/rand"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Euclidean is the ablation geometry: θ stored on the simplex (uniform at first), a plain gradient step,
// then the exact Euclidean projection of each row onto the simplex, θ ← Π_Δ(θ − η ∇θ L).
func Euclidean() Geometry { return euclidean{} }

type euclidean struct{}

func (euclidean) Name() string { return "euclidean" }

func (euclidean) Init(rows, cols int, _ *rand.Rand) []float64 { return Uniform(rows, cols) }

func (e euclidean) ForEdgeWeights() Geometry { return e }

func (euclidean) Mixture(p *graph.Node) *graph.Node { return p }

func (euclidean) Step(_ *context.Context, theta, grad, lr *graph.Node) *graph.Node {
	return ProjectSimplex(graph.Sub(theta, graph.Mul(lr, grad)))
}

// ProjectSimplex returns the Euclidean projection of each row of v ([rows, cols]) onto the probability
// simplex: w = max(v − τ, 0) with the row's τ chosen so that w sums to 1.
//
// With the row sorted in decreasing order u₁ ≥ … ≥ u_K, τ = max_j (u₁ + … + u_j − 1)/j (the maximum is
// reached at the size of the support). Rows are short (the candidate ops of an edge), so instead of
// sorting we form every prefix at once: for element j, the prefix is {i : v_i ≥ v_j}, whose sum and size
// come from a K×K comparison mask. Ties put all tied elements in one prefix, which is one of the sorted
// prefixes, so the maximum is unchanged.
func ProjectSimplex(v *graph.Node) *graph.Node {
	g := v.Graph()
	rows, cols := v.Shape().Dimensions[0], v.Shape().Dimensions[1]
	vi := graph.Reshape(v, rows, 1, cols) // v_i along the last axis
	vj := graph.Reshape(v, rows, cols, 1) // v_j along the middle axis
	mask := graph.ConvertDType(graph.GreaterOrEqual(vi, vj), v.DType())
	sums := graph.ReduceSum(graph.Mul(mask, vi), -1) // [rows, cols]: Σ_{i: v_i ≥ v_j} v_i
	counts := graph.ReduceSum(mask, -1)
	one := graph.Scalar(g, v.DType(), 1)
	tau := graph.ReduceAndKeep(graph.Div(graph.Sub(sums, one), counts), graph.ReduceMax, -1)
	return graph.Max(graph.Sub(v, tau), graph.ScalarZero(g, v.DType()))
}
