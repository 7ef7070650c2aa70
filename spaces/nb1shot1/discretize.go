package nb1shot1

import (
	"fmt"
	"math"
	"slices"
	"strconv"

	"github.com/gaeanas/gaeanas/spaces"
)

// ParentRow is one row of parent (or output) weights: the node it belongs to, its candidates (the nodes
// below it, 0 being the cell input) and how many of them the discretisation keeps.
type ParentRow struct {
	Name       string // "node3", …, "output"
	Node       int    // the node (Nodes+1 for the output)
	Candidates int    // the row's length: nodes 0..Candidates-1
	Keep       int    // the node's in-degree
}

// ParentRows lists the rows of parent weights in β order: one per choice node with more than one parent
// choice, in node order, then the output's. They are the reference's alphas_inputs, which start at node
// 3 in space 1 (its node 2 has the single choice (0,1)) and at node 2 otherwise, and alphas_output over
// the input and all choice nodes (optimizers/darts/model_search.py lines 212-221; model_search.py line
// 89 gives nodes without a row unweighted inputs).
func (s *Space) ParentRows() []ParentRow {
	var rows []ParentRow
	for node := 1; node <= s.def.nodes; node++ {
		if len(s.ParentChoices(node)) > 1 {
			rows = append(rows, ParentRow{Name: "node" + strconv.Itoa(node), Node: node, Candidates: node, Keep: s.InDegree(node)})
		}
	}
	out := s.def.nodes + 1
	return append(rows, ParentRow{Name: "output", Node: out, Candidates: out, Keep: s.InDegree(out)})
}

// betaLen is the total length of the β rows (the length of a flat Mixture.Beta).
func (s *Space) betaLen() int {
	n := 0
	for _, r := range s.ParentRows() {
		n += r.Candidates
	}
	return n
}

// Weights are a space's architecture weights in the reference's layout (model_search.py
// _initialize_alphas, lines 207-228).
type Weights struct {
	// Ops is [Nodes][3]: the op weights of every choice node, columns in Ops() order.
	Ops [][]float64
	// Parents has one row per ParentRows entry: the weights of a node's candidate parents (the last row is
	// the output's).
	Parents [][]float64
}

// DiscretizeWeights turns architecture weights into a cell as the reference evaluation does
// (nasbench_analysis/eval_darts_one_shot_model_in_nasbench.py lines 41-110): every choice node takes the
// op of largest weight (lines 44-47), every node with parent weights (the output included) its InDegree
// parents of largest weight (utils.py get_top_k, lines 88-89; eval script lines 51-97), and the nodes
// without parent weights their single choice. The reference passes the weights through a softmax first,
// which does not change the order, so the raw weights are compared here. Exact ties go to the lower
// index: numpy's argmax does so for the ops, while the order np.argpartition gives tied parents is
// unspecified (they arise only from exactly equal weights, e.g. a uniform start before any update).
func (s *Space) DiscretizeWeights(w Weights) (Cell, error) {
	if len(w.Ops) != s.def.nodes {
		return Cell{}, fmt.Errorf("nb1shot1: space %d: discretize: %d op-weight rows, want %d (one per choice node)", s.number, len(w.Ops), s.def.nodes)
	}
	rows := s.ParentRows()
	if len(w.Parents) != len(rows) {
		return Cell{}, fmt.Errorf("nb1shot1: space %d: discretize: %d parent-weight rows, want %d (%s)", s.number, len(w.Parents), len(rows), rowNames(rows))
	}
	c := Cell{Space: s.number, Ops: make([]Op, s.def.nodes), Parents: make([][]int, s.def.nodes+1)}
	for i, row := range w.Ops {
		if len(row) != NumOps {
			return Cell{}, fmt.Errorf("nb1shot1: space %d: discretize: op weights of node %d have %d values, want %d %v", s.number, i+1, len(row), NumOps, s.Ops())
		}
		if err := finite(row); err != nil {
			return Cell{}, fmt.Errorf("nb1shot1: space %d: discretize: op weights of node %d: %w", s.number, i+1, err)
		}
		c.Ops[i] = Op(topK(row, 1)[0])
	}
	for node := 1; node <= s.def.nodes+1; node++ {
		if choices := s.ParentChoices(node); len(choices) == 1 {
			c.Parents[node-1] = slices.Clone(choices[0])
		}
	}
	for i, r := range rows {
		row := w.Parents[i]
		if len(row) != r.Candidates {
			return Cell{}, fmt.Errorf("nb1shot1: space %d: discretize: parent weights of %s have %d values, want %d (nodes 0..%d)", s.number, r.Name, len(row), r.Candidates, r.Candidates-1)
		}
		if err := finite(row); err != nil {
			return Cell{}, fmt.Errorf("nb1shot1: space %d: discretize: parent weights of %s: %w", s.number, r.Name, err)
		}
		c.Parents[r.Node-1] = topK(row, r.Keep)
	}
	return c, nil
}

func rowNames(rows []ParentRow) string {
	s := ""
	for i, r := range rows {
		if i > 0 {
			s += ", "
		}
		s += r.Name
	}
	return s
}

func finite(row []float64) error {
	for k, v := range row {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("value %d is %v", k, v)
		}
	}
	return nil
}

// topK returns the indices of the k largest values of row, in increasing index order; of equal values
// the lower index ranks higher.
func topK(row []float64, k int) []int {
	idx := make([]int, len(row))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case row[a] > row[b]:
			return -1
		case row[a] < row[b]:
			return 1
		}
		return 0
	})
	top := slices.Clone(idx[:k])
	slices.Sort(top)
	return top
}

// Discretize implements spaces.Space: theta is Weights.Ops (one row per choice node) and beta
// Weights.Parents (the ParentRows, in order).
func (s *Space) Discretize(theta, beta [][]float64) (spaces.Genotype, error) {
	c, err := s.DiscretizeWeights(Weights{Ops: theta, Parents: beta})
	if err != nil {
		return nil, err
	}
	return c, nil
}

var _ spaces.BetaRower = (*Space)(nil)

// BetaRows implements spaces.BetaRower: the ParentRows as a search keeps them, each row's length its
// candidates and Keep the node's in-degree.
func (s *Space) BetaRows() []spaces.BetaRow {
	var out []spaces.BetaRow
	for _, r := range s.ParentRows() {
		out = append(out, spaces.BetaRow{Name: r.Name, Choices: r.Candidates, Keep: r.Keep})
	}
	return out
}
