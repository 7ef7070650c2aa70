package nb1shot1

import (
	"slices"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/spaces"
)

// TestCellGraphs: a cell is drawn as the NAS-Bench-101 module it is evaluated as — the input, the live
// choice nodes labelled with their ops, the output, the edges into live nodes — and its loose ends are
// left out and named under the title.
func TestCellGraphs(t *testing.T) {
	s := New(1)
	// Node 4 feeds nothing that reaches the output: a loose end.
	c := mustCell(s, "1:conv3x3-bn-relu(0) 2:maxpool3x3(0,1) 3:conv1x1-bn-relu(0,2) 4:maxpool3x3(0,1) out(0,3)")
	gs, err := s.CellGraphs(c)
	if err != nil || len(gs) != 1 {
		t.Fatalf("CellGraphs: %v, %d graphs", err, len(gs))
	}
	g := gs[0]
	var nodes, edges []string
	for _, n := range g.Nodes {
		nodes = append(nodes, n.ID+"="+strings.ReplaceAll(n.Label, "\n", " "))
		if (n.ID == "v0") != (n.Kind == spaces.InputNode) || (n.ID == "v5") != (n.Kind == spaces.OutputNode) {
			t.Errorf("node %s has kind %v", n.ID, n.Kind)
		}
	}
	for _, e := range g.Edges {
		if e.Op != "" {
			t.Errorf("edge %s->%s labelled %q: NAS-Bench-101 puts the ops on the vertices", e.From, e.To, e.Op)
		}
		edges = append(edges, e.From+"->"+e.To)
	}
	wantNodes := []string{"v0=0 input", "v1=1 conv3x3-bn-relu", "v2=2 maxpool3x3", "v3=3 conv1x1-bn-relu", "v5=output"}
	wantEdges := []string{"v0->v1", "v0->v2", "v1->v2", "v0->v3", "v2->v3", "v0->v5", "v3->v5"}
	if !slices.Equal(nodes, wantNodes) || !slices.Equal(edges, wantEdges) {
		t.Errorf("nodes %v, edges %v; want %v, %v", nodes, edges, wantNodes, wantEdges)
	}
	if !strings.HasPrefix(g.Subtitle, c.String()) || !strings.Contains(g.Subtitle, "loose ends dropped: node 4") {
		t.Errorf("subtitle %q", g.Subtitle)
	}
	if _, err := s.CellGraphs(mustCell(New(2), "1:conv1x1-bn-relu(0) 2:conv1x1-bn-relu(0) 3:conv3x3-bn-relu(0,1) 4:conv3x3-bn-relu(1,2) out(0,3,4)")); err == nil {
		t.Error("a cell of space 2 drawn as one of space 1")
	}
}
