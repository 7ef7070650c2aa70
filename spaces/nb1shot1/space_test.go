package nb1shot1

import (
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/spaces/nb1shot1/nb101"
)

// reference holds the facts of liamcli/nasbench-1shot1 (commit e369bd7) this package must reproduce:
// num_parents_per_node of search_space_{1,2,3}.py (nodes 1.., the output last), test_min_error and
// valid_min_error, and the lengths of alphas_inputs (range(begin, steps+1), begin 3 for space 1 and 2
// otherwise) and alphas_output (steps+1) of optimizers/darts/model_search.py lines 212-221.
var reference = []struct {
	space            int
	inDegree         []int
	testMin, valMin  float64
	inputRows        []int
	outputCandidates int
}{
	{1, []int{1, 2, 2, 2, 2}, 0.05448716878890991, 0.049278855323791504, []int{3, 4}, 5},
	{2, []int{1, 1, 2, 2, 3}, 0.057592153549194336, 0.051582515239715576, []int{2, 3, 4}, 5},
	{3, []int{1, 1, 1, 2, 2, 2}, 0.05338543653488159, 0.04847759008407593, []int{2, 3, 4, 5}, 6},
}

func binomial(n, k int) int {
	r := 1
	for i := 0; i < k; i++ {
		r = r * (n - i) / (i + 1)
	}
	return r
}

// TestDefinitions: nodes, in-degrees (at most NAS-Bench-101's 9 edges), parent choices, minimum errors
// and the rows of parent weights are the reference's.
func TestDefinitions(t *testing.T) {
	for _, r := range reference {
		s := New(r.space)
		if s.Nodes() != len(r.inDegree)-1 || s.Name() != "nb1shot1-"+string(rune('0'+r.space)) {
			t.Errorf("space %d: %d nodes, name %q", r.space, s.Nodes(), s.Name())
		}
		edges := 0
		for node := 1; node <= s.Nodes()+1; node++ {
			k := r.inDegree[node-1]
			edges += k
			if s.InDegree(node) != k {
				t.Errorf("space %d node %d: in-degree %d, want %d", r.space, node, s.InDegree(node), k)
			}
			if got, want := len(s.ParentChoices(node)), binomial(node, k); got != want {
				t.Errorf("space %d node %d: %d parent choices, want C(%d,%d) = %d", r.space, node, got, node, k, want)
			}
		}
		if edges > nb101.MaxEdges {
			t.Errorf("space %d: %d edges, NAS-Bench-101 allows %d", r.space, edges, nb101.MaxEdges)
		}
		if s.TestMinError() != r.testMin || s.ValidMinError() != r.valMin {
			t.Errorf("space %d: min errors %v, %v", r.space, s.TestMinError(), s.ValidMinError())
		}
		rows := s.ParentRows()
		if len(rows) != len(r.inputRows)+1 {
			t.Fatalf("space %d: %d β rows, want %d", r.space, len(rows), len(r.inputRows)+1)
		}
		for i, n := range r.inputRows {
			if rows[i].Candidates != n || rows[i].Node != n || rows[i].Keep != r.inDegree[n-1] {
				t.Errorf("space %d: β row %d is %+v, want node %d with %d candidates", r.space, i, rows[i], n, n)
			}
		}
		if out := rows[len(rows)-1]; out.Name != "output" || out.Candidates != r.outputCandidates || out.Keep != r.inDegree[len(r.inDegree)-1] {
			t.Errorf("space %d: output row %+v", r.space, out)
		}
		if len(s.Edges()) != s.Nodes() || s.Edges()[0] != "node1" || len(s.Ops()) != 3 || s.Ops()[0] != "maxpool3x3" {
			t.Errorf("space %d: θ rows %v, columns %v", r.space, s.Edges(), s.Ops())
		}
	}
	for _, name := range []string{"nb1shot1-0", "nb1shot1-4", "nb1shot1", "nb201", "nb1shot1-1x", "nb1shot1-01", "+1", ""} {
		if _, err := Parse(name); err == nil || !strings.Contains(err.Error(), "want nb1shot1-1, nb1shot1-2 or nb1shot1-3") {
			t.Errorf("Parse(%q): %v", name, err)
		}
	}
	if s, err := Parse("nb1shot1-3"); err != nil || s.Number() != 3 {
		t.Errorf("Parse(nb1shot1-3): %v", err)
	}
}

// Counts of each space, checked against independent computations: Configurations is the closed form
// Π_nodes C(node, in-degree) · 3^Nodes; the other counts were computed by an independent script from the
// reference definitions (itertools over the same configurations, NAS-Bench-101's hash_module).
var wantCounts = [4]Counts{
	1: {Configurations: 14580, PaperRule: 6240, WithoutLooseEnds: 3702, Unique: 2685},
	2: {Configurations: 29160, PaperRule: 16632, WithoutLooseEnds: 12474, Unique: 7773},
	3: {Configurations: 1312200, PaperRule: 363648, WithoutLooseEnds: 135900, Unique: 55854},
}

// TestCounts sets the enumeration beside the paper's figures (6,240 / 29,160 / 363,648):
//
//   - All yields every parent configuration with every op assignment: 14,580 / 29,160 / 1,312,200 cells.
//   - The paper's spaces 1 and 3 are PaperRule: each configuration counted 3^k times, k the choice nodes
//     with an outgoing edge — the ops of loose ends that feed nothing are not counted, though the loose
//     ends themselves (and their parent choices) are. The paper's space 2 figure is instead the full
//     configuration count 360·3^4; the same rule as for spaces 1 and 3 gives 16,632 there.
//   - Removing the loose ends (nodes that do not reach the output) leaves 3,702 / 12,474 / 135,900
//     distinct cells, and NAS-Bench-101's hash, which also merges isomorphic graphs, 2,685 / 7,773 /
//     55,854 distinct modules: what a search can actually find and be evaluated on.
func TestCounts(t *testing.T) {
	for n := 1; n <= 3; n++ {
		s := New(n)
		want := wantCounts[n]
		closed := pow3(s.Nodes())
		for node := 1; node <= s.Nodes()+1; node++ {
			closed *= binomial(node, s.InDegree(node))
		}
		all := 0
		for range s.All() {
			all++
		}
		hash := n < 3 || os.Getenv("GAEA_TEST_LONG") != "" // space 3's 135,900 hashes take seconds
		got := s.Count(hash)
		if !hash {
			got.Unique = want.Unique
		}
		if got != want || closed != want.Configurations || all != want.Configurations {
			t.Errorf("space %d: Count = %+v (All yields %d, closed form %d), want %+v", n, got, all, closed, want)
		}
	}
	if wantCounts[1].PaperRule != PaperCounts[1] || wantCounts[3].PaperRule != PaperCounts[3] || wantCounts[2].Configurations != PaperCounts[2] {
		t.Errorf("paper figures %v", PaperCounts)
	}
}

// TestUniqueBruteForce: hashing every cell of space 1 (loose ends included) gives the same set as the
// shortcut Count and Hashes take (one hash per distinct cell without loose ends).
func TestUniqueBruteForce(t *testing.T) {
	s := New(1)
	set := map[nb101.Hash]bool{}
	for c := range s.All() {
		h, err := c.Hash()
		if err != nil {
			t.Fatal(err)
		}
		set[h] = true
	}
	short := s.Hashes()
	if len(set) != len(short) {
		t.Fatalf("brute force: %d modules, Hashes: %d", len(set), len(short))
	}
	for h := range short {
		if !set[h] {
			t.Errorf("%s from Hashes is not a module of the space", h)
		}
	}
}

// TestCellText: Cell.String and ParseCell are inverse on random cells of every space, and
// malformed or out-of-space cells are refused with one-line errors.
func TestCellText(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 1; n <= 3; n++ {
		s := New(n)
		for range 300 {
			c := randomCell(s, rng)
			got, err := s.ParseCell(c.String())
			if err != nil || got.String() != c.String() {
				t.Errorf("space %d: ParseCell(%q) = %q, %v", n, c, got, err)
			}
			if g, err := s.ParseGenotype(c.String()); err != nil || g.String() != c.String() {
				t.Errorf("space %d: ParseGenotype(%q): %v", n, c, err)
			}
		}
	}
	s := New(1)
	const good = "1:conv3x3-bn-relu(0) 2:maxpool3x3(0,1) 3:conv1x1-bn-relu(1,2) 4:conv3x3-bn-relu(0,3) out(2,4)"
	if _, err := s.ParseCell(good); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ cell, want string }{
		{"", "want 4 nodes and the output"},
		{strings.Replace(good, "out(2,4)", "", 1), "want 4 nodes and the output"},
		{strings.Replace(good, "conv3x3-bn-relu(0)", "conv5x5(0)", 1), `unknown op "conv5x5"`},
		{strings.Replace(good, "2:maxpool3x3", "3:maxpool3x3", 1), "want node 2 as 2:<op>(<parents>)"},
		{strings.Replace(good, "2:maxpool3x3(0,1)", "2:maxpool3x3(0)", 1), "node 2 has 1 parents [0], want 2"},
		{strings.Replace(good, "3:conv1x1-bn-relu(1,2)", "3:conv1x1-bn-relu(2,1)", 1), "want distinct increasing nodes below 3"},
		{strings.Replace(good, "3:conv1x1-bn-relu(1,2)", "3:conv1x1-bn-relu(1,3)", 1), "want distinct increasing nodes below 3"},
		{strings.Replace(good, "out(2,4)", "out(2,x)", 1), `parent "x" of field 5 is not a number`},
		{strings.Replace(good, "out(2,4)", "output(2,4)", 1), "want out(<parents>)"},
		{strings.Replace(good, "out(2,4)", "out(2,3,4)", 1), "the output has 3 parents"},
		{strings.Replace(good, "(0,3)", "[0,3]", 1), "is not <node>:<op>(<parents>)"},
	}
	for _, c := range cases {
		_, err := s.ParseCell(c.cell)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("ParseCell(%q): %v, want one line containing %q", c.cell, err, c.want)
		}
	}
	if err := New(2).CheckCell(mustCell(s, good)); err == nil || !strings.Contains(err.Error(), "cell of space 1 given to space 2") {
		t.Errorf("cross-space check: %v", err)
	}
}

// randomCell draws a cell of s: a random op per node and a random parent choice per node.
func randomCell(s *Space, rng *rand.Rand) Cell {
	c := Cell{Space: s.Number()}
	for node := 1; node <= s.Nodes()+1; node++ {
		if node <= s.Nodes() {
			c.Ops = append(c.Ops, Op(rng.IntN(NumOps)))
		}
		choices := s.ParentChoices(node)
		c.Parents = append(c.Parents, choices[rng.IntN(len(choices))])
	}
	return c
}

// mustCell is ParseCell for tests.
func mustCell(s *Space, str string) Cell {
	c, err := s.ParseCell(str)
	if err != nil {
		panic(err)
	}
	return c
}

// TestCellSpec: the NAS-Bench-101 matrix and ops of cells, as the reference's evaluation builds them
// (create_nasbench_adjacency_matrix: edges into the output and into the nodes that reach it; spaces 1
// and 2 upscaled with an empty vertex 5 labelled conv1x1-bn-relu), worked out by hand.
func TestCellSpec(t *testing.T) {
	cases := []struct {
		space      int
		cell       string
		matrix     string // 7 rows of 7 digits
		ops        string
		looseEnds  []int
		prunedVert int // vertices after NAS-Bench-101's pruning
	}{
		{1, "1:conv3x3-bn-relu(0) 2:maxpool3x3(0,1) 3:conv1x1-bn-relu(1,2) 4:conv3x3-bn-relu(0,3) out(2,4)",
			"0110100 0011000 0001001 0000100 0000001 0000000 0000000",
			"input,conv3x3-bn-relu,maxpool3x3,conv1x1-bn-relu,conv3x3-bn-relu,conv1x1-bn-relu,output", nil, 6},
		// Node 4 feeds nothing: its edges are dropped (only the output's ancestors keep theirs).
		{1, "1:conv1x1-bn-relu(0) 2:conv3x3-bn-relu(0,1) 3:maxpool3x3(0,2) 4:conv3x3-bn-relu(1,3) out(2,3)",
			"0111000 0010000 0001001 0000001 0000000 0000000 0000000",
			"input,conv1x1-bn-relu,conv3x3-bn-relu,maxpool3x3,conv3x3-bn-relu,conv1x1-bn-relu,output", []int{4}, 5},
		// Space 2: output with three parents, node 3 a loose end.
		{2, "1:maxpool3x3(0) 2:conv3x3-bn-relu(1) 3:conv1x1-bn-relu(0,2) 4:conv1x1-bn-relu(0,1) out(0,2,4)",
			"0100101 0010100 0000001 0000000 0000001 0000000 0000000",
			"input,maxpool3x3,conv3x3-bn-relu,conv1x1-bn-relu,conv1x1-bn-relu,conv1x1-bn-relu,output", []int{3}, 5},
		// Space 3: 7 vertices, no upscaling; nodes 1 and 2 are loose ends.
		{3, "1:conv3x3-bn-relu(0) 2:conv1x1-bn-relu(1) 3:maxpool3x3(0) 4:conv3x3-bn-relu(0,3) 5:conv1x1-bn-relu(3,4) out(4,5)",
			"0001100 0000000 0000000 0000110 0000011 0000001 0000000",
			"input,conv3x3-bn-relu,conv1x1-bn-relu,maxpool3x3,conv3x3-bn-relu,conv1x1-bn-relu,output", []int{1, 2}, 5},
	}
	for _, c := range cases {
		s := New(c.space)
		cell := mustCell(s, c.cell)
		spec := cell.Spec()
		want := strings.ReplaceAll(c.matrix, " ", "") + " " + c.ops
		if spec.String() != want {
			t.Errorf("space %d %s:\nSpec %s\nwant %s", c.space, c.cell, spec, want)
		}
		if got := cell.LooseEnds(); len(got) != len(c.looseEnds) || (len(got) > 0 && got[0] != c.looseEnds[0]) {
			t.Errorf("space %d %s: loose ends %v, want %v", c.space, c.cell, got, c.looseEnds)
		}
		if p, ok := spec.Prune(); !ok || p.Vertices() != c.prunedVert {
			t.Errorf("space %d %s: %d vertices after pruning, want %d", c.space, c.cell, p.Vertices(), c.prunedVert)
		}
	}
}

// TestCellHashPublished: three modules of NASLib's NAS-Bench-101 asset (automl/NASLib
// tests/assets/nb101_dummy.pkl; ff968f80… and ff97db03… are also named in tests/test_nb101_search_space.py
// lines 85-86) are cells of spaces 2 and 3: the cells' hashes are the dataset's keys.
func TestCellHashPublished(t *testing.T) {
	cases := []struct {
		space      int
		cell, hash string
	}{
		{2, "1:conv1x1-bn-relu(0) 2:conv1x1-bn-relu(0) 3:conv3x3-bn-relu(0,1) 4:conv3x3-bn-relu(1,2) out(0,3,4)", "ff9713ff8e7d4d6a2ea61994a8bdd447"},
		{3, "1:conv1x1-bn-relu(0) 2:maxpool3x3(1) 3:conv3x3-bn-relu(1) 4:maxpool3x3(2,3) 5:conv1x1-bn-relu(2,4) out(4,5)", "ff968f800464555f97c776c71481826d"},
		{3, "1:maxpool3x3(0) 2:maxpool3x3(1) 3:conv1x1-bn-relu(2) 4:maxpool3x3(0,3) 5:conv3x3-bn-relu(3,4) out(4,5)", "ff97db031fa41552d437b079b2befd80"},
	}
	for _, c := range cases {
		h, err := mustCell(New(c.space), c.cell).Hash()
		if err != nil || h.String() != c.hash {
			t.Errorf("space %d %s: hash %s (%v), want %s", c.space, c.cell, h, err, c.hash)
		}
	}
}
