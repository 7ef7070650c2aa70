package darts

import (
	"slices"
	"strings"
	"testing"
)

// uniformTheta returns 28 rows of 8 equal weights.
func uniformTheta(nOps int) [][]float64 {
	theta := make([][]float64, 2*EdgesPerCell)
	for e := range theta {
		theta[e] = make([]float64, nOps)
		for k := range theta[e] {
			theta[e][k] = 1 / float64(nOps)
		}
	}
	return theta
}

func discretizeString(t *testing.T, s *Space, theta, beta [][]float64) string {
	t.Helper()
	g, err := s.Discretize(theta, beta)
	if err != nil {
		t.Fatal(err)
	}
	return g.String()
}

// TestDiscretizeTies: all weights equal — every node keeps its edges from states 0 and 1 (stable order)
// and the first non-none op, max_pool_3x3.
func TestDiscretizeTies(t *testing.T) {
	got := discretizeString(t, New(), uniformTheta(8), nil)
	cell := "[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('max_pool_3x3', 1)]"
	want := "Genotype(normal=" + cell + ", normal_concat=range(2, 6), reduce=" + cell + ", reduce_concat=range(2, 6))"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// TestDiscretizeHandMade sets weights that reproduce PC_DARTS, with `none` the largest weight on many
// edges (it must be ignored), and distractor edges whose only large weight is `none`.
func TestDiscretizeHandMade(t *testing.T) {
	s := New()
	ops := s.Ops()
	idx := map[string]int{}
	for k, o := range ops {
		idx[o] = k
	}
	theta := uniformTheta(8)
	for e := range theta {
		theta[e][idx[OpNone]] = 0.9 // `none` dominates everywhere
	}
	set := func(offset int, cell []OpInput) {
		e0 := offset
		for node := 2; node < 6; node++ {
			a, b := cell[2*(node-2)], cell[2*(node-2)+1]
			theta[e0+a.Input][idx[a.Op]] = 0.5 // first listed: strongest
			theta[e0+b.Input][idx[b.Op]] = 0.4
			e0 += node
		}
	}
	set(0, PC_DARTS.Normal)
	set(EdgesPerCell, PC_DARTS.Reduce)
	if got := discretizeString(t, s, theta, nil); got != PC_DARTS.String() {
		t.Errorf("got  %s\nwant %s", got, PC_DARTS)
	}

	// β reorders the edges: scaling node 2's edge from state 0 (normal) by 2 makes it the strongest.
	beta := make([][]float64, 8)
	for i, g := range s.EdgeGroups() {
		beta[i] = make([]float64, len(g))
		for j := range beta[i] {
			beta[i][j] = 1
		}
	}
	beta[0][0] = 2 // 0.4·2 > 0.5
	got := discretizeString(t, s, theta, beta)
	if !strings.HasPrefix(got, "Genotype(normal=[('skip_connect', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0)") {
		t.Errorf("with β: %s", got)
	}
	// β can also drop an edge: shrinking node 3's edge from state 1 below the uniform edges brings in state 2
	// (uniform weight 1/8, the first in stable order after state 0).
	beta[0][0] = 1
	beta[1][1] = 0.1 // 0.5·0.1 = 0.05 < 1/8
	got = discretizeString(t, s, theta, beta)
	if !strings.Contains(got, "('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 0), ('max_pool_3x3', 2), ('sep_conv_5x5', 0)") {
		t.Errorf("with small β: %s", got)
	}
}

// TestDiscretizeOpTie: two non-none ops tie on an edge: the earlier op in Ops() wins.
func TestDiscretizeOpTie(t *testing.T) {
	s := New()
	theta := uniformTheta(8)
	theta[0][5], theta[0][7] = 0.3, 0.3 // sep_conv_5x5 and dil_conv_5x5 on normal 2<-0
	got := discretizeString(t, s, theta, nil)
	if !strings.HasPrefix(got, "Genotype(normal=[('sep_conv_5x5', 0), ('max_pool_3x3', 1)") {
		t.Errorf("got %s", got)
	}
}

func TestDiscretizeWithoutNone(t *testing.T) {
	s := New().WithNone(false)
	theta := uniformTheta(7)
	theta[EdgesPerCell+13][6] = 1 // reduce 5<-4: dil_conv_5x5 (column 6 of 7)
	got := discretizeString(t, s, theta, nil)
	if !strings.HasSuffix(got, "('dil_conv_5x5', 4), ('max_pool_3x3', 0)], reduce_concat=range(2, 6))") {
		t.Errorf("got %s", got)
	}
}

func TestDiscretizeErrors(t *testing.T) {
	s := New()
	short := uniformTheta(8)[:27]
	wideRow := uniformTheta(8)
	wideRow[3] = append(wideRow[3], 0)
	nan := uniformTheta(8)
	var zero float64
	nan[5][2] = zero / zero
	cases := []struct {
		theta, beta [][]float64
		want        string
	}{
		{short, nil, "theta has 27 rows"},
		{wideRow, nil, "theta row 3 (normal 3<-1) has 9 values"},
		{nan, nil, "theta row 5 (normal 4<-0) has NaN"},
		{uniformTheta(8), [][]float64{{1, 1}}, "beta has 1 rows"},
		{uniformTheta(8), [][]float64{{1, 1}, {1, 1}, {1, 1, 1, 1}, {1, 1, 1, 1, 1}, {1, 1}, {1, 1, 1}, {1, 1, 1, 1}, {1, 1, 1, 1, 1}}, "beta row 1 has 2 values, want 3"},
	}
	for _, c := range cases {
		_, err := s.Discretize(c.theta, c.beta)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want %q", err, c.want)
		}
	}
}

// TestDiscretizeWithoutEdgeWeights: with EdgeWeights(false) there are no β groups, and Discretize keeps
// per node the 2 incoming edges with the largest non-`none` θ (quark0/darts _parse), ignoring a large
// `none` weight.
func TestDiscretizeWithoutEdgeWeights(t *testing.T) {
	s := New().EdgeWeights(false)
	if g := s.EdgeGroups(); g != nil {
		t.Fatalf("EdgeGroups() = %v with EdgeWeights(false)", g)
	}
	if New().EdgeGroups() == nil {
		t.Fatal("the default space lost its β groups")
	}
	ops := s.Ops()
	col := func(name string) int { return slices.Index(ops, name) }
	theta := make([][]float64, 2*EdgesPerCell)
	for e := range theta {
		theta[e] = make([]float64, len(ops))
		for k := range theta[e] {
			theta[e][k] = 0.05
		}
	}
	// (node, source) → (op, weight) of the strong entries, the same in both cells.
	type entry struct {
		node, src int
		op        string
		w         float64
	}
	entries := []entry{
		{2, 0, "sep_conv_3x3", 0.5}, {2, 1, "skip_connect", 0.4},
		{3, 0, "max_pool_3x3", 0.2}, {3, 1, "avg_pool_3x3", 0.3}, {3, 2, "dil_conv_3x3", 0.6},
		{4, 3, "sep_conv_5x5", 0.7}, {4, 0, "dil_conv_5x5", 0.65}, {4, 1, "none", 0.99},
		{5, 4, "skip_connect", 0.5}, {5, 1, "sep_conv_3x3", 0.45}, {5, 2, "none", 0.9},
	}
	for _, cell := range []int{0, EdgesPerCell} {
		for _, en := range entries {
			e := cell + (en.node*(en.node-1))/2 - 1 + en.src // edges before node n: 2+3+…+(n−1)
			theta[e][col(en.op)] = en.w
		}
	}
	g, err := s.Discretize(theta, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []OpInput{{"sep_conv_3x3", 0}, {"skip_connect", 1}, {"dil_conv_3x3", 2}, {"avg_pool_3x3", 1},
		{"sep_conv_5x5", 3}, {"dil_conv_5x5", 0}, {"skip_connect", 4}, {"sep_conv_3x3", 1}}
	geno := g.(*Genotype)
	if !slices.Equal(geno.Normal, want) || !slices.Equal(geno.Reduce, want) {
		t.Errorf("genotype %v\nwant normal = reduce = %v", g, want)
	}
	if _, err := s.Discretize(theta, make([][]float64, 8)); err == nil {
		t.Error("Discretize accepted β on a space without edge weights")
	}
}
