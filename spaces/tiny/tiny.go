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
	"strconv"
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

// Edges implements spaces.Space: "i<-j" for i = 1..nodes-1, j < i.
func (s *Space) Edges() []string {
	var e []string
	for i := 1; i < s.nodes; i++ {
		for j := 0; j < i; j++ {
			e = append(e, fmt.Sprintf("%d<-%d", i, j))
		}
	}
	return e
}

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
	w := graph.ConvertDType(mix.Weights, x.DType())
	hard := mix.Hard()
	return s.network(ctx, x, func(ctx *context.Context, e int, h *graph.Node) *graph.Node {
		row := graph.Reshape(graph.Slice(w, graph.AxisElem(e)), len(Ops))
		var hardRow *graph.Node
		if hard != nil {
			hardRow = graph.Reshape(graph.Slice(hard, graph.AxisElem(e)), len(Ops))
		}
		outs := make([]*graph.Node, len(Ops))
		for k := range Ops {
			outs[k] = applyOp(ctx.In(Ops[k]), k, h)
		}
		// With mix.Sampled (GDAS, RS-WS) this is the reference GDAS edge (spaces.MixOps): the sampled
		// op's output in value; every op still runs (a static graph).
		return spaces.MixOps(row, hardRow, outs)
	})
}

// network builds stem → cells → head; edge(ctx, e, h) computes edge e of a cell on input h.
func (s *Space) network(ctx *context.Context, x *graph.Node, edge func(ctx *context.Context, e int, h *graph.Node) *graph.Node) *graph.Node {
	h := layers.Convolution(spaces.WithTorchInit(ctx.In("stem"), spaces.ConvFanIn(x.Shape().Dimensions[3], 1, 3, 3)), x).
		Channels(s.channels).KernelSize(3).PadSame().UseBias(false).Done()
	h = batchnorm.New(ctx.In("stem"), h, -1).Done()
	for c := 0; c < s.cells; c++ {
		cctx := ctx.In(fmt.Sprintf("cell%d", c))
		nodes := []*graph.Node{h}
		e := 0
		for i := 1; i < s.nodes; i++ {
			var sum *graph.Node
			for j := 0; j < i; j++ {
				out := edge(cctx.In(fmt.Sprintf("edge%d<-%d", i, j)), e, nodes[j])
				e++
				if out == nil {
					continue
				}
				if sum == nil {
					sum = out
				} else {
					sum = graph.Add(sum, out)
				}
			}
			if sum == nil { // every incoming edge chose nothing (cannot happen with these ops)
				sum = graph.ZerosLike(h)
			}
			nodes = append(nodes, sum)
		}
		h = nodes[len(nodes)-1]
	}
	h = batchnorm.New(ctx.In("head"), h, -1).Done()
	h = spaces.ReLU(h)
	h = graph.ReduceMean(h, 1, 2)
	return layers.DenseWithBias(spaces.WithTorchInit(ctx.In("head"), h.Shape().Dimensions[1]), h, s.classes)
}

// applyOp builds candidate op k on h.
func applyOp(ctx *context.Context, k int, h *graph.Node) *graph.Node {
	switch Ops[k] {
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
	panic("tiny: unknown op " + Ops[k])
}

// Genotype is a discrete architecture of the teaching space: the op of every edge.
type Genotype struct {
	nodes int
	ops   []int // per edge, index into Ops
}

// String writes the genotype in the NAS-Bench-201 form, one |op~j| per incoming edge, nodes joined by +.
func (g Genotype) String() string {
	var sb strings.Builder
	e := 0
	for i := 1; i < g.nodes; i++ {
		if i > 1 {
			sb.WriteString("+")
		}
		for j := 0; j < i; j++ {
			fmt.Fprintf(&sb, "|%s~%d", Ops[g.ops[e]], j)
			e++
		}
		sb.WriteString("|")
	}
	return sb.String()
}

// EdgeOps returns the op name of every edge, in Edges order.
func (g Genotype) EdgeOps() []string {
	names := make([]string, len(g.ops))
	for i, k := range g.ops {
		names[i] = Ops[k]
	}
	return names
}

// Discretize implements spaces.Space: the argmax op of every edge (the first on ties).
func (s *Space) Discretize(theta, beta [][]float64) (spaces.Genotype, error) {
	edges := len(s.Edges())
	if len(theta) != edges {
		return nil, fmt.Errorf("tiny: %d rows of θ, want %d", len(theta), edges)
	}
	g := Genotype{nodes: s.nodes, ops: make([]int, edges)}
	for e, row := range theta {
		if len(row) != len(Ops) {
			return nil, fmt.Errorf("tiny: θ row %d has %d entries, want %d", e, len(row), len(Ops))
		}
		best := 0
		for k, v := range row {
			if v > row[best] {
				best = k
			}
		}
		g.ops[e] = best
	}
	return g, nil
}

// ParseGenotype implements spaces.Space for the NAS-Bench-201-style string of this space's node count.
func (s *Space) ParseGenotype(str string) (spaces.Genotype, error) {
	nodeStrs := strings.Split(str, "+")
	if len(nodeStrs) != s.nodes-1 {
		return nil, fmt.Errorf("tiny: parse %q: %d nodes, want %d", str, len(nodeStrs), s.nodes-1)
	}
	g := Genotype{nodes: s.nodes}
	for n, ns := range nodeStrs {
		i := n + 1
		if len(ns) < 2 || ns[0] != '|' || ns[len(ns)-1] != '|' {
			return nil, fmt.Errorf("tiny: parse %q: node %d %q is not of the form |op~j|…|", str, i, ns)
		}
		parts := strings.Split(ns[1:len(ns)-1], "|")
		if len(parts) != i {
			return nil, fmt.Errorf("tiny: parse %q: node %d has %d inputs, want %d", str, i, len(parts), i)
		}
		for j, p := range parts {
			op, in, ok := strings.Cut(p, "~")
			if !ok {
				return nil, fmt.Errorf("tiny: parse %q: %q is not op~input", str, p)
			}
			k := indexOf(Ops, op)
			if k < 0 {
				return nil, fmt.Errorf("tiny: parse %q: unknown op %q (want one of %s)", str, op, strings.Join(Ops, ", "))
			}
			if v, err := strconv.Atoi(in); err != nil || v != j {
				return nil, fmt.Errorf("tiny: parse %q: node %d input #%d is %q, want %d", str, i, j, in, j)
			}
			g.ops = append(g.ops, k)
		}
	}
	return g, nil
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// Network implements spaces.Space: the discrete network of a genotype (each edge runs only its op).
func (s *Space) Network(ctx *context.Context, x *graph.Node, g spaces.Genotype) *graph.Node {
	s.check()
	tg, ok := g.(Genotype)
	if !ok || tg.nodes != s.nodes {
		parsed, err := s.ParseGenotype(g.String())
		if err != nil {
			panic(err)
		}
		tg = parsed.(Genotype)
	}
	return s.network(ctx, x, func(ctx *context.Context, e int, h *graph.Node) *graph.Node {
		k := tg.ops[e]
		return applyOp(ctx.In(Ops[k]), k, h)
	})
}
