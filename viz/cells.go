package viz

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"math"
	"slices"
	"strings"
	"sync"

	"github.com/gaeanas/gaeanas/spaces/darts"
	"github.com/gaeanas/gaeanas/spaces/nb201"
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

// nb201Nodes writes the four nodes of a NAS-Bench-201 cell.
func nb201Nodes(b *strings.Builder) {
	for i := 0; i < nb201.NumNodes; i++ {
		fill, label := "#eeeeee", fmt.Sprint(i)
		switch i {
		case 0:
			fill, label = "#cfe8ff", "0\nin"
		case nb201.NumNodes - 1:
			fill, label = "#fff2b3", "3\nout"
		}
		fmt.Fprintf(b, "  n%d [shape=circle, width=0.6, fixedsize=true, fillcolor=%q, label=%s];\n", i, fill, dotQuote(label))
	}
}

// NB201Cell draws a NAS-Bench-201 cell: nodes 0 (input) to 3 (output), and every edge whose op is not
// `none` labelled with its op, in the op's colour. arch is the benchmark's architecture string.
func NB201Cell(arch string) (*Figure, error) {
	a, err := nb201.ParseArch(arch)
	if err != nil {
		return nil, fmt.Errorf("viz: NB201 cell: %w", err)
	}
	var b strings.Builder
	dotHeader(&b, "")
	fmt.Fprintf(&b, "  graph [ranksep=1.3, label=<NAS-Bench-201 cell<br/><font point-size=\"10\">%s</font>>];\n", html.EscapeString(a.String()))
	nb201Nodes(&b)
	for e, op := range a {
		if op == nb201.None {
			continue
		}
		from, to := nb201.EdgeNodes(e)
		c := hexColor(OpColor(op.String()))
		fmt.Fprintf(&b, "  n%d -> n%d [label=%s, color=%q, fontcolor=%q];\n", from, to, dotQuote(" "+op.String()+" "), c, c)
	}
	b.WriteString("}\n")
	return renderDOT("NB201 cell "+a.String(), b.String())
}

// nb201Ops maps op names to NAS-Bench-201 ops, in order.
func nb201Ops(what string, ops []string) ([]nb201.Op, error) {
	if len(ops) == 0 {
		return nil, fmt.Errorf("viz: %s: no ops", what)
	}
	out := make([]nb201.Op, len(ops))
	for i, name := range ops {
		op, err := nb201.ParseOp(name)
		if err != nil {
			return nil, fmt.Errorf("viz: %s: op %d: %w", what, i, err)
		}
		if slices.Contains(out[:i], op) {
			return nil, fmt.Errorf("viz: %s: op %q listed twice", what, name)
		}
		out[i] = op
	}
	return out, nil
}

func nb201EdgeNames() []string {
	names := make([]string, nb201.NumEdges)
	for e := range names {
		names[e] = nb201.EdgeName(e)
	}
	return names
}

// NB201Supernet draws the NAS-Bench-201 supernet's cell under θ: every candidate op of every edge as
// its own arrow in the op's colour, the line width proportional to its weight θ[e][k] (an op with
// θ = 0 is a hairline), the `none` op dashed. The strongest op of each edge (what discretisation keeps)
// is labelled with its weight. theta is 6 × len(ops), in edge order 1←0, 2←0, 2←1, 3←0, 3←1, 3←2; ops
// are NAS-Bench-201 op names (4 without `none` or all 5).
func NB201Supernet(theta [][]float64, ops []string) (*Figure, error) {
	nops, err := nb201Ops("NB201 supernet", ops)
	if err != nil {
		return nil, err
	}
	if err := checkTheta("NB201 supernet", theta, ops, nb201EdgeNames()); err != nil {
		return nil, err
	}
	var b strings.Builder
	dotHeader(&b, "NAS-Bench-201 supernet (line width ∝ θ)")
	b.WriteString("  graph [ranksep=1.4, nodesep=0.25];\n")
	nb201Nodes(&b)
	for e, row := range theta {
		from, to := nb201.EdgeNodes(e)
		best := 0
		for k, v := range row {
			if v > row[best] {
				best = k
			}
		}
		for k, v := range row {
			c := hexColor(OpColor(nops[k].String()))
			attrs := fmt.Sprintf("color=%q, penwidth=%.2f, arrowsize=0.5", c, 0.3+8*math.Max(0, math.Min(1, v)))
			if nops[k] == nb201.None {
				attrs += ", style=dashed"
			}
			if k == best {
				attrs += fmt.Sprintf(", label=%s, fontcolor=%q, fontsize=10", dotQuote(fmt.Sprintf("%.2f", v)), c)
			}
			fmt.Fprintf(&b, "  n%d -> n%d [%s];\n", from, to, attrs)
		}
	}
	b.WriteString(opLegend(ops, ""))
	b.WriteString("  { rank=sink; legend; }\n  n3 -> legend [style=invis];\n}\n")
	return renderDOT("NB201 supernet", b.String())
}

// DARTSCell draws the normal cell of a DARTS-space genotype (or its reduction cell when reduce is true):
// the inputs c_{k-2} and c_{k-1}, the intermediate nodes 0, 1, …, and the output c_{k}, which
// concatenates the states of the concat list; every edge labelled with its op, in the op's colour
// (`none` edges are left out). The genotype must be valid (darts.Genotype.Validate).
func DARTSCell(g darts.Genotype, reduce bool) (*Figure, error) {
	if err := g.Validate(); err != nil {
		return nil, fmt.Errorf("viz: DARTS cell: invalid genotype: %w", err)
	}
	cell, concat, kind := g.Normal, g.NormalConcat, "normal"
	if reduce {
		cell, concat, kind = g.Reduce, g.ReduceConcat, "reduction"
	}
	var b strings.Builder
	dotHeader(&b, "DARTS "+kind+" cell")
	b.WriteString("  node [shape=box, style=\"filled,rounded\", height=0.45];\n")
	state := func(s int) string { return fmt.Sprintf("s%d", s) }
	fmt.Fprintf(&b, "  s0 [fillcolor=\"#cfe8ff\", label=\"c_{k-2}\"];\n  s1 [fillcolor=\"#cfe8ff\", label=\"c_{k-1}\"];\n")
	nodes := len(cell) / 2
	for i := 0; i < nodes; i++ {
		fmt.Fprintf(&b, "  %s [fillcolor=\"#eeeeee\", label=\"%d\"];\n", state(i+2), i)
	}
	b.WriteString("  out [fillcolor=\"#fff2b3\", label=\"c_{k}\"];\n")
	for i, oi := range cell {
		if oi.Op == darts.OpNone {
			continue
		}
		c := hexColor(OpColor(oi.Op))
		fmt.Fprintf(&b, "  %s -> %s [label=%s, color=%q, fontcolor=%q];\n", state(oi.Input), state(i/2+2), dotQuote(" "+oi.Op+" "), c, c)
	}
	for _, s := range concat {
		fmt.Fprintf(&b, "  %s -> out [color=\"#888888\", penwidth=1.2];\n", state(s))
	}
	b.WriteString("}\n")
	return renderDOT("DARTS "+kind+" cell", b.String())
}
