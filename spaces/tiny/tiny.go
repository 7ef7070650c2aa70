// Package tiny is a teaching search space that trains in seconds on the pure-Go backend: one or two
// NAS-Bench-201-style cells over small images, three candidate ops per edge.
//
// The supernet: stem conv3×3 (→ C channels) + BN, then Cells cells, each with nodes 0..Nodes-1 where
// node i = Σ_{j<i} mixed_op(i←j)(node j) and the cell's output is its last node; then BN → ReLU →
// global average pool → dense. Every edge chooses among
//
//	skip_connect   identity
//	conv_3x3       ReLU → conv3×3 (no bias) → BN
//	avg_pool_3x3   3×3 average pool, stride 1, padding 1 not counted
//
// With the default 3 nodes a cell has 3 edges (1←0, 2←0, 2←1): θ is 3×3 per cell and all cells share
// θ, as in NAS-Bench-201. Genotypes are written in the NAS-Bench-201 string form, e.g.
// `|conv_3x3~0|+|skip_connect~0|avg_pool_3x3~1|`.
package tiny

import (
	"fmt"
	"slices"
	"strings"

	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/batchnorm"
)

// Ops are the candidate operations of every edge, in θ-column order.
var Ops = []string{"skip_connect", "conv_3x3", "avg_pool_3x3"}

// Space is the teaching space. Build it with New and the builder methods, as nb201:
//
//	tiny.New().Channels(8).Cells(1).Nodes(3).Classes(10)
type Space struct {
	channels, cells, nodes, classes int
}

var _ spaces.Space = (*Space)(nil)

// New returns the default teaching space: 8 channels, 1 cell of 3 nodes, 10 classes.
func New() *Space { return &Space{channels: 8, cells: 1, nodes: 3, classes: 10} }

// Channels sets the width C of the stem and the cells.
func (s *Space) Channels(c int) *Space { s.channels = c; return s }

// Cells sets how many cells are stacked (they share θ).
func (s *Space) Cells(n int) *Space { s.cells = n; return s }

// Nodes sets the nodes per cell (≥ 2; edges = nodes·(nodes−1)/2).
func (s *Space) Nodes(n int) *Space { s.nodes = n; return s }

// Classes sets the number of output classes.
func (s *Space) Classes(n int) *Space { s.classes = n; return s }

// WithChannels is Channels.
//
// Deprecated: use Channels (the builder names of nb201 and darts).
func (s *Space) WithChannels(c int) *Space { return s.Channels(c) }

// WithCells is Cells.
//
// Deprecated: use Cells.
func (s *Space) WithCells(n int) *Space { return s.Cells(n) }

// WithNodes is Nodes.
//
// Deprecated: use Nodes.
func (s *Space) WithNodes(n int) *Space { return s.Nodes(n) }

// WithClasses is Classes.
//
// Deprecated: use Classes.
func (s *Space) WithClasses(n int) *Space { return s.Classes(n) }

// Name implements spaces.Space.
func (s *Space) Name() string { return "tiny" }

// Ops implements spaces.Space.
func (s *Space) Ops() []string { return append([]string(nil), Ops...) }

// Edges implements spaces.Space: "i<-j" for i = 1..nodes-1, j < i (spaces.CellEdges).
func (s *Space) Edges() []string { return spaces.CellEdges(s.nodes) }

// EdgeGroups implements spaces.Space: no edge normalisation here.
func (s *Space) EdgeGroups() [][]int { return nil }

func (s *Space) check() {
	if s.channels < 1 || s.cells < 1 || s.nodes < 2 || s.classes < 2 {
		panic(fmt.Sprintf("tiny: invalid configuration %+v", *s))
	}
}

// Supernet implements spaces.Space. Beta and PartialChannels are not supported.
func (s *Space) Supernet(ctx *context.Context, x *graph.Node, mix spaces.Mixture) *graph.Node {
	s.check()
	if mix.Beta != nil || mix.PartialChannels > 1 {
		panic("tiny: the teaching space has no edge weights β or partial channels")
	}
	edges := len(s.Edges())
	if d := mix.Weights.Shape().Dimensions; len(d) != 2 || d[0] != edges || d[1] != len(Ops) {
		panic(fmt.Sprintf("tiny: mixture weights have shape %v, want [%d %d]", d, edges, len(Ops)))
	}
	// With mix.Sampled (GDAS, RS-WS) this is the reference GDAS edge (spaces.MixOps): the sampled op's
	// output in value; every op still runs (a static graph).
	return s.network(ctx, x, spaces.MixedEdge(mix, Ops, Op))
}

// network builds Stem → Cells cells (spaces.Cell, scopes "cell0", "cell1", …) → Head; edge computes
// an edge of a cell.
func (s *Space) network(ctx *context.Context, x *graph.Node, edge spaces.EdgeFunc) *graph.Node {
	h := Stem(ctx, x, s.channels)
	for c := 0; c < s.cells; c++ {
		h = spaces.Cell(ctx.In(fmt.Sprintf("cell%d", c)), h, s.nodes, edge)
	}
	return Head(ctx, h, s.classes)
}

// Stem is the network's input layer, in ctx.In("stem"): conv 3×3 (no bias, PyTorch's initialisation) to
// the given channels, then batch norm.
func Stem(ctx *context.Context, x *graph.Node, channels int) *graph.Node {
	h := layers.Convolution(spaces.WithTorchInit(ctx.In("stem"), spaces.ConvFanIn(x.Shape().Dimensions[3], 1, 3, 3)), x).
		Channels(channels).KernelSize(3).PadSame().UseBias(false).Done()
	return batchnorm.New(ctx.In("stem"), h, -1).Done()
}

// Head is the network's classifier, in ctx.In("head"): batch norm → ReLU → global average pool →
// dense to classes logits (PyTorch's initialisation).
func Head(ctx *context.Context, h *graph.Node, classes int) *graph.Node {
	h = batchnorm.New(ctx.In("head"), h, -1).Done()
	h = spaces.ReLU(h)
	h = graph.ReduceMean(h, 1, 2)
	return layers.DenseWithBias(spaces.WithTorchInit(ctx.In("head"), h.Shape().Dimensions[1]), h, classes)
}

// Op applies the candidate op of that name (one of Ops) to h, keeping its shape, with its variables in
// ctx: skip_connect (identity), conv_3x3 (ReLU → conv 3×3 without bias → batch norm), avg_pool_3x3
// (stride 1, padding 1 not counted). It is a spaces.OpFunc.
func Op(ctx *context.Context, name string, h *graph.Node) *graph.Node {
	switch name {
	case "skip_connect":
		return h
	case "conv_3x3":
		c := h.Shape().Dimensions[3]
		y := layers.Convolution(spaces.WithTorchInit(ctx, spaces.ConvFanIn(c, 1, 3, 3)), spaces.ReLU(h)).
			Channels(c).KernelSize(3).PadSame().UseBias(false).Done()
		return batchnorm.New(ctx, y, -1).Done()
	case "avg_pool_3x3":
		return graph.MeanPool(h).Window(3).Strides(1).PadSame().Done()
	}
	panic(fmt.Sprintf("tiny: unknown op %q (want one of %s)", name, strings.Join(Ops, ", ")))
}

// Genotype is a discrete architecture of the teaching space: the op of every edge, in the
// NAS-Bench-201 string form (spaces.CellGenotype).
type Genotype = spaces.CellGenotype

// Discretize implements spaces.Space: the argmax op of every edge (the first on ties).
func (s *Space) Discretize(theta, beta [][]float64) (spaces.Genotype, error) {
	g, err := spaces.ArgmaxCell(theta, s.nodes, Ops)
	if err != nil {
		return nil, fmt.Errorf("tiny: %w", err)
	}
	return g, nil
}

// ParseGenotype implements spaces.Space for the NAS-Bench-201-style string of this space's node count.
func (s *Space) ParseGenotype(str string) (spaces.Genotype, error) {
	g, err := spaces.ParseCellGenotype(str, s.nodes, Ops)
	if err != nil {
		return nil, fmt.Errorf("tiny: %w", err)
	}
	return g, nil
}

// Network implements spaces.Space: the discrete network of a genotype (each edge runs only its op).
func (s *Space) Network(ctx *context.Context, x *graph.Node, g spaces.Genotype) *graph.Node {
	s.check()
	tg, ok := g.(Genotype)
	if !ok || tg.Nodes != s.nodes || !validOps(tg.Ops) {
		parsed, err := spaces.ParseCellGenotype(g.String(), s.nodes, Ops)
		if err != nil {
			panic(fmt.Errorf("tiny: %w", err))
		}
		tg = parsed
	}
	return s.network(ctx, x, func(ctx *context.Context, e int, h *graph.Node) *graph.Node {
		return Op(ctx.In(tg.Ops[e]), tg.Ops[e], h)
	})
}

// validOps tells whether every op is one of Ops.
func validOps(ops []string) bool {
	for _, op := range ops {
		if !slices.Contains(Ops, op) {
			return false
		}
	}
	return true
}
