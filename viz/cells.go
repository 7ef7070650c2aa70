package viz

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"math"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/gaeanas/gaeanas/spaces"
	"github.com/goccy/go-graphviz"
)

// Graphviz runs as WebAssembly; starting the runtime costs more than a layout, so one instance serves
// the package, one layout at a time.
var (
	gvMu   sync.Mutex
	gvInst *graphviz.Graphviz
)

const gvFont = "Helvetica,Arial,sans-serif"

// renderDOT lays out a DOT graph with Graphviz's dot and returns the SVG figure.
func renderDOT(title, dot string) (fig *Figure, err error) {
	gvMu.Lock()
	defer gvMu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			fig, err = nil, fmt.Errorf("viz: graphviz %q: %v", title, r)
		}
	}()
	ctx := context.Background()
	if gvInst == nil {
		g, err := graphviz.New(ctx)
		if err != nil {
			return nil, fmt.Errorf("viz: start graphviz: %w", err)
		}
		gvInst = g
	}
	graph, err := graphviz.ParseBytes([]byte(dot))
	if err != nil {
		return nil, fmt.Errorf("viz: graphviz %q: parse: %w", title, err)
	}
	defer graph.Close()
	var buf bytes.Buffer
	if err := gvInst.Render(ctx, graph, graphviz.SVG, &buf); err != nil {
		return nil, fmt.Errorf("viz: graphviz %q: render: %w", title, err)
	}
	return &Figure{Title: title, SVG: buf.Bytes()}, nil
}

// dotQuote quotes s as a DOT string.
func dotQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

// dotHeader starts a left-to-right cell diagram (at most 800 px wide).
func dotHeader(b *strings.Builder, label string) {
	fmt.Fprintf(b, "digraph cell {\n")
	fmt.Fprintf(b, "  graph [rankdir=LR, bgcolor=white, pad=0.25, nodesep=0.35, ranksep=1.0, size=\"8.3,7\", fontname=%q, fontsize=15, labelloc=t, label=%s];\n", gvFont, dotQuote(label))
	fmt.Fprintf(b, "  node [fontname=%q, fontsize=13, style=filled, penwidth=1.2];\n", gvFont)
	fmt.Fprintf(b, "  edge [fontname=%q, fontsize=11, penwidth=2, arrowsize=0.7];\n", gvFont)
}

// opLegend returns a DOT node drawing a key of op colours (an HTML-like table).
func opLegend(ops []string, note string) string {
	var b strings.Builder
	b.WriteString(`  legend [shape=plaintext, style="", margin=0, label=<<table border="0" cellborder="0" cellspacing="1" cellpadding="2">`)
	if note != "" {
		fmt.Fprintf(&b, `<tr><td colspan="2" align="left"><font point-size="10">%s</font></td></tr>`, html.EscapeString(note))
	}
	for _, op := range ops {
		c := hexColor(OpColor(op))
		fmt.Fprintf(&b, `<tr><td bgcolor="%s" width="22" height="6" fixedsize="true"></td><td align="left"><font point-size="11">%s</font></td></tr>`, c, html.EscapeString(op))
	}
	b.WriteString("</table>>];\n")
	return b.String()
}

// nodeStyle is the fill of a node kind.
var nodeStyle = map[spaces.NodeKind]string{spaces.InputNode: "#cfe8ff", spaces.InnerNode: "#eeeeee", spaces.OutputNode: "#fff2b3"}

// graphNodes writes a cell diagram's nodes: small circles (Round) or rounded boxes.
func graphNodes(b *strings.Builder, g spaces.CellGraph) {
	if !g.Round {
		b.WriteString("  node [shape=box, style=\"filled,rounded\", height=0.45];\n")
	}
	for _, n := range g.Nodes {
		shape := ""
		if g.Round {
			shape = "shape=circle, width=0.6, fixedsize=true, "
		}
		fmt.Fprintf(b, "  %s [%sfillcolor=%q, label=%s];\n", n.ID, shape, nodeStyle[n.Kind], dotQuote(n.Label))
	}
}

// graphHeader starts a cell diagram with its title and subtitle.
func graphHeader(b *strings.Builder, g spaces.CellGraph) {
	if g.Subtitle == "" {
		dotHeader(b, g.Title)
		return
	}
	dotHeader(b, "")
	fmt.Fprintf(b, "  graph [ranksep=1.3, label=<%s<br/><font point-size=\"10\">%s</font>>];\n", html.EscapeString(g.Title), html.EscapeString(g.Subtitle))
}

// Cell draws a cell diagram (spaces.CellGraph): every edge with an op labelled with it in the op's
// colour, the others (e.g. into a concatenating output) plain grey.
func Cell(g spaces.CellGraph) (*Figure, error) { return cellAt(g, "") }

// cellAt is Cell with the drawing's size limit in inches ("w,h"; "" for dotHeader's).
func cellAt(g spaces.CellGraph, size string) (*Figure, error) {
	if len(g.Nodes) == 0 {
		return nil, fmt.Errorf("viz: cell %q: no nodes", g.Title)
	}
	var b strings.Builder
	graphHeader(&b, g)
	if size != "" {
		fmt.Fprintf(&b, "  graph [size=%q];\n", size)
	}
	graphNodes(&b, g)
	for _, e := range g.Edges {
		if e.Op == "" {
			fmt.Fprintf(&b, "  %s -> %s [color=\"#888888\", penwidth=1.2];\n", e.From, e.To)
			continue
		}
		c := hexColor(OpColor(e.Op))
		fmt.Fprintf(&b, "  %s -> %s [label=%s, color=%q, fontcolor=%q];\n", e.From, e.To, dotQuote(" "+e.Op+" "), c, c)
	}
	b.WriteString("}\n")
	title := g.Title
	if g.Subtitle != "" {
		title += " " + g.Subtitle
	}
	return renderDOT(title, b.String())
}

// Cells draws the cells of a genotype (in the space's text form) with the diagram data its space
// supplies (spaces.CellDrawer): one figure per cell type, all at one scale (the smallest Graphviz needs
// to keep any of them within the size limit), so that their labels have one size.
func Cells(space spaces.Space, genotype string) ([]*Figure, error) {
	d, ok := space.(spaces.CellDrawer)
	if !ok {
		return nil, fmt.Errorf("viz: the %s space draws no cells", space.Name())
	}
	g, err := space.ParseGenotype(genotype)
	if err != nil {
		return nil, fmt.Errorf("viz: %s cell: %w", space.Name(), err)
	}
	graphs, err := d.CellGraphs(g)
	if err != nil {
		return nil, fmt.Errorf("viz: %s cell: %w", space.Name(), err)
	}
	var figs []*Figure
	scales := make([]svgScale, len(graphs))
	least := 1.0
	for i, c := range graphs {
		f, err := Cell(c)
		if err != nil {
			return nil, err
		}
		figs = append(figs, f)
		scales[i] = scaleOf(f.SVG)
		least = min(least, scales[i].s)
	}
	// One scale for all the cells, so that their labels have one size: Graphviz shrinks a drawing
	// wider than the size limit (a reduction cell often is), and the others are drawn as small.
	for i, c := range graphs {
		if sc := scales[i]; sc.ok && sc.s > least*1.001 {
			k := least / sc.s
			f, err := cellAt(c, fmt.Sprintf("%.4f,%.4f", sc.w*k/72, sc.h*k/72))
			if err != nil {
				return nil, err
			}
			figs[i] = f
		}
	}
	return figs, nil
}

// svgScale is a Graphviz SVG's size in points and the scale it drew at (1: natural size).
type svgScale struct {
	w, h, s float64
	ok      bool
}

var (
	svgSizeRE  = regexp.MustCompile(`<svg width="([0-9.]+)pt" height="([0-9.]+)pt"`)
	svgScaleRE = regexp.MustCompile(`scale\(([0-9.]+) [0-9.]+\)`)
)

// scaleOf reads the size and scale of a Graphviz SVG ({s: 1} when it cannot).
func scaleOf(svg []byte) svgScale {
	m, n := svgSizeRE.FindSubmatch(svg), svgScaleRE.FindSubmatch(svg)
	if m == nil || n == nil {
		return svgScale{s: 1}
	}
	w, err1 := strconv.ParseFloat(string(m[1]), 64)
	h, err2 := strconv.ParseFloat(string(m[2]), 64)
	s, err3 := strconv.ParseFloat(string(n[1]), 64)
	if err1 != nil || err2 != nil || err3 != nil || s <= 0 {
		return svgScale{s: 1}
	}
	return svgScale{w: w, h: h, s: s, ok: true}
}

// Supernet draws a space's search cell under θ (spaces.SupernetDrawer): every candidate op of every
// edge as its own arrow in the op's colour, the line width proportional to its weight θ[e][k] (an op
// with θ = 0 is a hairline), the `none` op dashed. The strongest op of each edge (what discretisation
// keeps) is labelled with its weight. theta is len(space.Edges()) × len(space.Ops()).
func Supernet(space spaces.Space, theta [][]float64) (*Figure, error) {
	d, ok := space.(spaces.SupernetDrawer)
	if !ok {
		return nil, fmt.Errorf("viz: the %s space draws no supernet", space.Name())
	}
	what := space.Name() + " supernet"
	ops := space.Ops()
	if err := checkTheta(what, theta, ops, space.Edges()); err != nil {
		return nil, err
	}
	g := d.SupernetGraph()
	var b strings.Builder
	dotHeader(&b, g.Title)
	b.WriteString("  graph [ranksep=1.4, nodesep=0.25];\n")
	graphNodes(&b, g)
	out := g.Nodes[len(g.Nodes)-1].ID
	for _, n := range g.Nodes {
		if n.Kind == spaces.OutputNode {
			out = n.ID
		}
	}
	for _, e := range g.Edges {
		if e.Row < 0 || e.Row >= len(theta) {
			return nil, fmt.Errorf("viz: %s: edge %s->%s has θ row %d of %d", what, e.From, e.To, e.Row, len(theta))
		}
		row := theta[e.Row]
		best := 0
		for k, v := range row {
			if v > row[best] {
				best = k
			}
		}
		for k, v := range row {
			c := hexColor(OpColor(ops[k]))
			attrs := fmt.Sprintf("color=%q, penwidth=%.2f, arrowsize=0.5", c, 0.3+8*math.Max(0, math.Min(1, v)))
			if ops[k] == "none" {
				attrs += ", style=dashed"
			}
			if k == best {
				attrs += fmt.Sprintf(", label=%s, fontcolor=%q, fontsize=10", dotQuote(fmt.Sprintf("%.2f", v)), c)
			}
			fmt.Fprintf(&b, "  %s -> %s [%s];\n", e.From, e.To, attrs)
		}
	}
	b.WriteString(opLegend(ops, ""))
	fmt.Fprintf(&b, "  { rank=sink; legend; }\n  %s -> legend [style=invis];\n}\n", out)
	return renderDOT(what, b.String())
}
