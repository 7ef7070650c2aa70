package spaces

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Building blocks of a cell space — a stack of cells whose nodes 0..n−1 are a DAG in which node i sums
// one (mixed) op applied to every earlier node, as NAS-Bench-201's cells and the teaching space tiny's
// — for a new space to reuse: the edges, the cell's forward pass, the mixed edge of a supernet, and the
// genotype with its NAS-Bench-201 string form. spaces/tiny is built from them.

// CellEdges names the edges of a cell of the given nodes in θ-row order: "i<-j" for i = 1..nodes−1,
// j < i (nodes·(nodes−1)/2 edges).
func CellEdges(nodes int) []string {
	var e []string
	for i := 1; i < nodes; i++ {
		for j := 0; j < i; j++ {
			e = append(e, fmt.Sprintf("%d<-%d", i, j))
		}
	}
	return e
}

// EdgeFunc computes edge e of a cell (CellEdges order) on its input h; ctx is the edge's scope. A nil
// result is an edge that contributes nothing (an op `none`).
type EdgeFunc func(ctx *context.Context, e int, h *graph.Node) *graph.Node

// Cell builds one cell on input h (node 0): node i = Σ_{j<i} edge(ctx.In("edge<i><-<j>"), e, node j),
// summed in order of j, zeros when every incoming edge gives nil; it returns the last node.
func Cell(ctx *context.Context, h *graph.Node, nodes int, edge EdgeFunc) *graph.Node {
	if nodes < 2 {
		panic(fmt.Sprintf("spaces: a cell needs at least 2 nodes, got %d", nodes))
	}
	ns := []*graph.Node{h}
	e := 0
	for i := 1; i < nodes; i++ {
		var sum *graph.Node
		for j := 0; j < i; j++ {
			out := edge(ctx.In(fmt.Sprintf("edge%d<-%d", i, j)), e, ns[j])
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
		if sum == nil {
			sum = graph.ZerosLike(h)
		}
		ns = append(ns, sum)
	}
	return ns[len(ns)-1]
}

// OpFunc applies the candidate op of the given name to h, its variables in ctx; nil for an op whose
// output is zeros (`none`).
type OpFunc func(ctx *context.Context, name string, h *graph.Node) *graph.Node

// MixedEdge returns the supernet's edge under a mixture: every op of ops runs on the input (its
// variables in ctx.In(op name)) and MixOps combines them with the edge's row of mix.Weights (and of
// mix.Hard() for a sampled mixture: the reference GDAS edge). The weights are converted to the dtype of
// the edge's input. mix.Beta and mix.PartialChannels are not applied. The function is for one graph.
func MixedEdge(mix Mixture, ops []string, op OpFunc) EdgeFunc {
	hard := mix.Hard()
	var w *graph.Node // mix.Weights in the inputs' dtype, converted once
	return func(ctx *context.Context, e int, h *graph.Node) *graph.Node {
		if w == nil || w.DType() != h.DType() {
			w = graph.ConvertDType(mix.Weights, h.DType())
		}
		row := graph.Reshape(graph.Slice(w, graph.AxisElem(e)), len(ops))
		var hardRow *graph.Node
		if hard != nil {
			hardRow = graph.Reshape(graph.Slice(hard, graph.AxisElem(e)), len(ops))
		}
		outs := make([]*graph.Node, len(ops))
		for k, name := range ops {
			outs[k] = op(ctx.In(name), name, h)
		}
		return MixOps(row, hardRow, outs)
	}
}

// CellGenotype is a discrete cell: the op of every edge. Its String is NAS-Bench-201's form, one
// |op~j| per incoming edge of node i = 1..Nodes−1, nodes joined by +, e.g. |conv_3x3~0|+|skip_connect~0|avg_pool_3x3~1|.
type CellGenotype struct {
	Nodes int
	Ops   []string // per edge, CellEdges order
}

var _ Genotype = CellGenotype{}

// String implements Genotype.
func (g CellGenotype) String() string {
	var sb strings.Builder
	e := 0
	for i := 1; i < g.Nodes; i++ {
		if i > 1 {
			sb.WriteString("+")
		}
		for j := 0; j < i; j++ {
			fmt.Fprintf(&sb, "|%s~%d", g.Ops[e], j)
			e++
		}
		sb.WriteString("|")
	}
	return sb.String()
}

// EdgeOps returns the op name of every edge, in CellEdges order.
func (g CellGenotype) EdgeOps() []string { return slices.Clone(g.Ops) }

// ParseCellGenotype parses NAS-Bench-201's string form of a cell of the given nodes whose ops are among
// ops. Errors say what is wrong and where ("spaces: parse …").
func ParseCellGenotype(str string, nodes int, ops []string) (CellGenotype, error) {
	nodeStrs := strings.Split(str, "+")
	if len(nodeStrs) != nodes-1 {
		return CellGenotype{}, fmt.Errorf("spaces: parse %q: %d nodes, want %d", str, len(nodeStrs), nodes-1)
	}
	g := CellGenotype{Nodes: nodes}
	for n, ns := range nodeStrs {
		i := n + 1
		if len(ns) < 2 || ns[0] != '|' || ns[len(ns)-1] != '|' {
			return CellGenotype{}, fmt.Errorf("spaces: parse %q: node %d %q is not of the form |op~j|…|", str, i, ns)
		}
		parts := strings.Split(ns[1:len(ns)-1], "|")
		if len(parts) != i {
			return CellGenotype{}, fmt.Errorf("spaces: parse %q: node %d has %d inputs, want %d", str, i, len(parts), i)
		}
		for j, p := range parts {
			op, in, ok := strings.Cut(p, "~")
			if !ok {
				return CellGenotype{}, fmt.Errorf("spaces: parse %q: %q is not op~input", str, p)
			}
			if !slices.Contains(ops, op) {
				return CellGenotype{}, fmt.Errorf("spaces: parse %q: unknown op %q (want one of %s)", str, op, strings.Join(ops, ", "))
			}
			if v, err := strconv.Atoi(in); err != nil || v != j {
				return CellGenotype{}, fmt.Errorf("spaces: parse %q: node %d input #%d is %q, want %d", str, i, j, in, j)
			}
			g.Ops = append(g.Ops, op)
		}
	}
	return g, nil
}

// ArgmaxCell discretises θ (one row per edge of a cell of the given nodes, columns ops): the op of
// largest weight on every edge, the first on ties.
func ArgmaxCell(theta [][]float64, nodes int, ops []string) (CellGenotype, error) {
	edges := nodes * (nodes - 1) / 2
	if len(theta) != edges {
		return CellGenotype{}, fmt.Errorf("spaces: %d rows of θ, want %d (one per edge)", len(theta), edges)
	}
	g := CellGenotype{Nodes: nodes, Ops: make([]string, edges)}
	for e, row := range theta {
		if len(row) != len(ops) {
			return CellGenotype{}, fmt.Errorf("spaces: θ row %d has %d entries, want %d (one per op)", e, len(row), len(ops))
		}
		best := 0
		for k, v := range row {
			if v > row[best] {
				best = k
			}
		}
		g.Ops[e] = ops[best]
	}
	return g, nil
}
