package spaces

import (
	"reflect"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TestCellGenotype: the edges of cells of 2–4 nodes, argmax discretisation (first on ties), the
// NAS-Bench-201 string and its parse round trip, and the parse errors.
func TestCellGenotype(t *testing.T) {
	ops := []string{"skip", "conv", "pool"}
	for _, c := range []struct {
		nodes int
		edges string
		theta [][]float64
		want  string
	}{
		{2, "1<-0", [][]float64{{0.2, 0.5, 0.3}}, "|conv~0|"},
		{3, "1<-0 2<-0 2<-1", [][]float64{{0.1, 0.8, 0.1}, {0.6, 0.2, 0.2}, {0.2, 0.3, 0.5}}, "|conv~0|+|skip~0|pool~1|"},
		{3, "1<-0 2<-0 2<-1", [][]float64{{0.4, 0.4, 0.2}, {0.3, 0.3, 0.4}, {1, 1, 1}}, "|skip~0|+|pool~0|skip~1|"},
		{4, "1<-0 2<-0 2<-1 3<-0 3<-1 3<-2", [][]float64{{0, 1, 0}, {0, 0, 1}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {1, 0, 0}},
			"|conv~0|+|pool~0|skip~1|+|conv~0|pool~1|skip~2|"},
	} {
		if got := strings.Join(CellEdges(c.nodes), " "); got != c.edges {
			t.Errorf("CellEdges(%d) = %q, want %q", c.nodes, got, c.edges)
		}
		g, err := ArgmaxCell(c.theta, c.nodes, ops)
		if err != nil {
			t.Fatal(err)
		}
		if g.String() != c.want {
			t.Errorf("ArgmaxCell(%v) = %q, want %q", c.theta, g, c.want)
		}
		p, err := ParseCellGenotype(c.want, c.nodes, ops)
		if err != nil || !reflect.DeepEqual(p, g) {
			t.Errorf("ParseCellGenotype(%q) = %+v, %v; want %+v", c.want, p, err, g)
		}
	}
	for _, c := range []struct{ s, err string }{
		{"", "1 nodes, want 2"},
		{"|conv~0|", "1 nodes, want 2"},
		{"|conv~0|+|skip~0|", "node 2 has 1 inputs, want 2"},
		{"|conv~1|+|skip~0|pool~1|", `node 1 input #0 is "1", want 0`},
		{"|dil~0|+|skip~0|pool~1|", `unknown op "dil"`},
		{"conv~0+|skip~0|pool~1|", "is not of the form"},
		{"|conv0|+|skip~0|pool~1|", "is not op~input"},
	} {
		if _, err := ParseCellGenotype(c.s, 3, ops); err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("ParseCellGenotype(%q): %v, want an error with %q", c.s, err, c.err)
		}
	}
	for _, theta := range [][][]float64{{{1, 0, 0}}, {{1, 0}, {1, 0}, {1, 0}}} {
		if _, err := ArgmaxCell(theta, 3, ops); err == nil {
			t.Errorf("ArgmaxCell(%v): no error", theta)
		}
	}
}

// TestCellAndMixedEdge: a 3-node cell of scalar ops — node 1 = e0(x), node 2 = e1(x) + e2(node 1) —
// under a weighted mixture gives the hand-computed sum, and an edge func that returns nil everywhere
// gives zeros.
func TestCellAndMixedEdge(t *testing.T) {
	be := backend.MustNew()
	scale := map[string]float64{"a": 2, "b": -1, "none": 0}
	ops := []string{"a", "b", "none"}
	op := func(_ *context.Context, name string, h *graph.Node) *graph.Node {
		if name == "none" {
			return nil
		}
		return graph.MulScalar(h, scale[name])
	}
	w := [][]float64{{0.5, 0.5, 0}, {1, 0, 0}, {0.25, 0.25, 0.5}}
	exec := context.MustNewExec(be, context.New(), func(ctx *context.Context, x, weights *graph.Node) []*graph.Node {
		cell := Cell(ctx, x, 3, MixedEdge(Mixture{Weights: weights}, ops, op))
		empty := Cell(ctx, x, 3, func(*context.Context, int, *graph.Node) *graph.Node { return nil })
		return []*graph.Node{cell, empty}
	})
	x := []float64{1, -3}
	out := exec.MustExec(x, w)
	// Edge weights' effective scales: e0 0.5·2 − 0.5 = 0.5, e1 2, e2 0.5 − 0.25 = 0.25.
	got := out[0].Value().([]float64)
	for i, v := range x {
		want := 2*v + 0.25*(0.5*v)
		if d := got[i] - want; d > 1e-12 || d < -1e-12 {
			t.Errorf("cell(%v)[%d] = %v, want %v", x, i, got[i], want)
		}
	}
	if e := out[1].Value().([]float64); e[0] != 0 || e[1] != 0 {
		t.Errorf("cell of nil edges = %v, want zeros", e)
	}
}
