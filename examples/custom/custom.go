// Package custom is a researcher's own search pieces, written outside the library as a notebook or a
// scratch module would write them, and run through the library's extension points:
//
//   - Tsallis, a geometry: mirror descent with the Tsallis entropy (q = 1/2) as mirror map;
//   - L2, a regulariser on θ: Σ_edges ‖θ_e‖², which holds the rows back from their vertices;
//   - TwoNode, a search space of one cell of two nodes (one edge), built from the teaching space's
//     exported building blocks (tiny.Stem, tiny.Op, tiny.Head) and the cell helpers of package spaces.
//
// Register names the geometry and the regulariser in gaea's registries ("tsallis", "l2") and the space
// in the spaces registry ("two-node", with its preset rows), so that anything that looks them up by
// name (the command line, a settings file, a resumed run) finds them. custom_test.go runs them through
// gaea.Search: several regularisers at once with λ changed at run time, block steps driven one by one
// with OnBlockStep, a save and a bit-identical resume. experiment_test.go runs them through
// experiment.Search by name: a run folder whose settings.json names them, its report, SIGTERM and a
// byte-identical resume, and a resume refused for a geometry that is not registered or not the one the
// checkpoint was made with.
package custom

import (
	"math/rand"
	"sync"

	"github.com/gaeanas/gaeanas/gaea"
	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gaeanas/gaeanas/spaces/tiny"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Tsallis is mirror descent on the simplex with the Tsallis entropy ψ(θ) = −2 Σ √θ_k (q = 1/2, the
// mirror map of Tsallis-INF): ∇ψ(θ') = ∇ψ(θ) − η g + ν·1, i.e.
//
//	θ'_k = (θ_k^{−1/2} + η g_k − ν)^{−2},  ν < min_k (θ_k^{−1/2} + η g_k) with Σ_k θ'_k = 1,
//
// ν found per row by Newton's method from ν₀ = min_k(…) − 1, where the sum is ≥ 1: the sum is increasing
// and convex in ν, so the iterates decrease monotonically to the root. θ is stored on the simplex and
// starts uniform; at θ = 0 the map is undefined (θ^{−1/2} = ∞), which is why a geometry's Init matters.
type Tsallis struct{}

// TsallisNewton is the number of Newton iterations of a step (unrolled in the graph).
const TsallisNewton = 30

func (Tsallis) Name() string                                { return "tsallis" }
func (Tsallis) Init(rows, cols int, _ *rand.Rand) []float64 { return gaea.Uniform(rows, cols) }
func (Tsallis) Mixture(p *graph.Node) *graph.Node           { return p }
func (t Tsallis) ForEdgeWeights() gaea.Geometry             { return t }
func (Tsallis) sum(x *graph.Node) *graph.Node               { return graph.ReduceAndKeep(x, graph.ReduceSum, -1) }
func (Tsallis) powScalar(x *graph.Node, p float64) *graph.Node {
	return graph.Pow(x, graph.Scalar(x.Graph(), x.DType(), p))
}

// Step implements gaea.Geometry.
func (Tsallis) Step(_ *context.Context, theta, grad, lr *graph.Node) *graph.Node {
	a := graph.Add(graph.Rsqrt(theta), graph.Mul(lr, grad))
	nu := graph.AddScalar(graph.ReduceAndKeep(a, graph.ReduceMin, -1), -1)
	for i := 0; i < TsallisNewton; i++ {
		d := graph.Sub(a, nu)
		f := graph.AddScalar(rowSum(pow(d, -2)), -1)
		df := graph.MulScalar(rowSum(pow(d, -3)), 2)
		nu = graph.Sub(nu, graph.Div(f, df))
	}
	w := pow(graph.Sub(a, nu), -2)
	return graph.Div(w, rowSum(w)) // removes the last rounding of the sum
}

func rowSum(x *graph.Node) *graph.Node { return graph.ReduceAndKeep(x, graph.ReduceSum, -1) }
func pow(x *graph.Node, p float64) *graph.Node {
	return graph.Pow(x, graph.Scalar(x.Graph(), x.DType(), p))
}

// L2 is the regulariser R = Σ_edges Σ_k θ_{e,k}² over θ's mixture weights (not β): 1/K per row at
// uniform, 1 at a vertex.
type L2 struct{}

func (L2) Name() string { return "l2" }

// Term implements gaea.Regularizer.
func (L2) Term(_ *context.Context, g *graph.Graph, params []gaea.ArchParam) *graph.Node {
	for _, p := range params {
		if !p.EdgeWeights {
			return graph.ReduceAllSum(graph.Square(p.Mixture))
		}
	}
	return graph.ScalarZero(g, params[0].Mixture.DType())
}

var register sync.Once

// Register adds Tsallis and L2 to gaea's registries and TwoNode to the spaces registry, once (a second
// call does nothing).
func Register() {
	register.Do(func() {
		gaea.RegisterGeometry("tsallis", func() gaea.Geometry { return Tsallis{} })
		gaea.RegisterRegularizer("l2", func() gaea.Regularizer { return L2{} })
		spaces.Register(spaces.Descriptor{
			Name:    "two-node",
			Summary: "one cell of two nodes: a single edge choosing among the teaching space's ops",
			New: func(o spaces.Options) (spaces.Space, error) {
				return TwoNode{Channels: o.Channels, Classes: o.Classes}, nil
			},
			Defaults:     spaces.Options{Channels: 4, Cells: 1, Classes: 10},
			Capabilities: spaces.Capabilities{SinglePath: true},
			Presets:      twoNodePresets,
		})
	})
}

// twoNodePresets are the space's rows of the preset table: what a search on it takes unless told
// otherwise (the algorithms' own values come from the library's table).
var twoNodePresets = []spaces.Row{
	{Key: "dataset", Value: "cifar10-sample", Source: "examples/custom: the embedded CIFAR-10 sample"},
	{Key: "level", Value: "single", Source: "examples/custom: ERM, as GAEA on NAS-Bench-201"},
	{Key: "epochs", Value: 2, Source: "examples/custom: seconds on a CPU"},
	{Key: "schedule_epochs", Value: 2, Source: "examples/custom: the cosine over the run"},
	{Key: "batch", Value: 16, Source: "examples/custom"},
	{Key: "channels", Value: 4, Source: "examples/custom"},
	{Key: "cells", Value: 1, Source: "examples/custom: one cell"},
	{Key: "with_none", Value: false, Source: "examples/custom: tiny's ops have no none"},
	{Key: "weight_lr", Value: 0.05, Source: "examples/custom"},
	{Key: "weight_lr_min", Value: 0.001, Source: "examples/custom"},
	{Key: "weight_decay", Value: 3e-4, Source: "examples/custom"},
	{Key: "arch_lr", Value: 0.3, Source: "examples/custom"},
	{Key: "subset", Value: 64, Source: "examples/custom: the first 64 images of each split"},
}

// TwoNode is a search space of one cell with two nodes — a single edge 1←0 choosing among tiny's ops —
// between tiny's stem and head: the smallest space with something to search.
type TwoNode struct {
	Channels, Classes int
}

var _ spaces.Space = TwoNode{}

func (TwoNode) Name() string        { return "two-node" }
func (TwoNode) Ops() []string       { return append([]string(nil), tiny.Ops...) }
func (TwoNode) Edges() []string     { return spaces.CellEdges(2) }
func (TwoNode) EdgeGroups() [][]int { return nil }
func (s TwoNode) network(ctx *context.Context, x *graph.Node, edge spaces.EdgeFunc) *graph.Node {
	h := tiny.Stem(ctx, x, s.Channels)
	h = spaces.Cell(ctx.In("cell"), h, 2, edge)
	return tiny.Head(ctx, h, s.Classes)
}

// Supernet implements spaces.Space: the edge mixes every op (spaces.MixedEdge).
func (s TwoNode) Supernet(ctx *context.Context, x *graph.Node, mix spaces.Mixture) *graph.Node {
	return s.network(ctx, x, spaces.MixedEdge(mix, tiny.Ops, tiny.Op))
}

// Discretize implements spaces.Space: the argmax op.
func (TwoNode) Discretize(theta, _ [][]float64) (spaces.Genotype, error) {
	return spaces.ArgmaxCell(theta, 2, tiny.Ops)
}

// ParseGenotype implements spaces.Space: "|op~0|".
func (TwoNode) ParseGenotype(s string) (spaces.Genotype, error) {
	return spaces.ParseCellGenotype(s, 2, tiny.Ops)
}

// Network implements spaces.Space: the edge runs its op only.
func (s TwoNode) Network(ctx *context.Context, x *graph.Node, g spaces.Genotype) *graph.Node {
	cg, err := spaces.ParseCellGenotype(g.String(), 2, tiny.Ops)
	if err != nil {
		panic(err)
	}
	return s.network(ctx, x, func(ctx *context.Context, _ int, h *graph.Node) *graph.Node {
		return tiny.Op(ctx.In(cg.Ops[0]), cg.Ops[0], h)
	})
}
