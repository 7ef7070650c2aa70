package spaces

import "fmt"

// The data of a space's pictures. Package viz draws them (viz.Cells, viz.Supernet) and knows no space;
// a space offers its pictures by implementing these optional interfaces on its Space.

// CellDrawer is implemented by spaces that draw a genotype's cells.
type CellDrawer interface {
	// CellGraphs returns one graph per cell type of a genotype (NAS-Bench-201: one; DARTS: the normal
	// and the reduction cell).
	CellGraphs(g Genotype) ([]CellGraph, error)
}

// SupernetDrawer is implemented by spaces that draw their search cell under θ.
type SupernetDrawer interface {
	// SupernetGraph returns the search cell: its nodes and one edge per θ row (GraphEdge.Row), without
	// ops (the picture draws every candidate op of an edge, weighted by θ).
	SupernetGraph() CellGraph
}

// CellGraph is a cell diagram: nodes and the edges between them.
type CellGraph struct {
	Title    string // "NAS-Bench-201 cell"
	Subtitle string // e.g. the genotype's text, under the title
	Round    bool   // small round nodes (else rounded boxes)
	Nodes    []GraphNode
	Edges    []GraphEdge
}

// NodeKind colours a node: the cell's inputs, its intermediate nodes, its output.
type NodeKind int

// The node kinds.
const (
	InnerNode NodeKind = iota
	InputNode
	OutputNode
)

// GraphNode is one node of a cell diagram.
type GraphNode struct {
	ID    string // a DOT identifier: letters, digits, '_'
	Label string // may hold a line break
	Kind  NodeKind
}

// GraphEdge is one edge of a cell diagram: Op labels it in the op's colour; an edge without Op is a
// plain grey connection (e.g. into a concatenating output). Row is the edge's θ row in a supernet graph.
type GraphEdge struct {
	From, To string
	Op       string
	Row      int
}

// ParamFreeCounter is implemented by spaces that count a genotype's edges whose op has no parameters
// (none, skip, pooling): the drift of DARTS towards such cells shows in a sweep's tables.
type ParamFreeCounter interface {
	ParamFreeEdges(g Genotype) int
}

// Graph is the diagram of a cell genotype (the cell spaces' genotype, CellGenotype): nodes 0 (input) to
// Nodes−1 (output), every edge labelled with its op but none.
func (g CellGenotype) Graph(title string) CellGraph {
	c := CellGraph{Title: title, Subtitle: g.String(), Round: true}
	for i := 0; i < g.Nodes; i++ {
		n := GraphNode{ID: fmt.Sprintf("n%d", i), Label: fmt.Sprint(i)}
		switch i {
		case 0:
			n.Label, n.Kind = "0\nin", InputNode
		case g.Nodes - 1:
			n.Label, n.Kind = fmt.Sprintf("%d\nout", i), OutputNode
		}
		c.Nodes = append(c.Nodes, n)
	}
	e := 0
	for i := 1; i < g.Nodes; i++ {
		for j := 0; j < i; j++ {
			if e < len(g.Ops) && g.Ops[e] != "none" {
				c.Edges = append(c.Edges, GraphEdge{From: fmt.Sprintf("n%d", j), To: fmt.Sprintf("n%d", i), Op: g.Ops[e], Row: e})
			}
			e++
		}
	}
	return c
}
