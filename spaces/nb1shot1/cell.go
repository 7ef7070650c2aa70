package nb1shot1

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gaeanas/gaeanas/spaces/nb1shot1/nb101"
)

// Cell is an architecture of a search space (its genotype): the op of every choice node and the
// parents of every node, the output included. Node 0 is the cell's input, nodes 1..Nodes the choice
// nodes, node Nodes+1 the output; a node's parents are lower-numbered nodes.
//
// A Cell keeps every choice the search made, also for nodes that do not reach the output ("loose
// ends"); Spec drops those as the reference's evaluation does.
type Cell struct {
	Space   int     // 1, 2 or 3
	Ops     []Op    // Ops[i] is the op of node i+1
	Parents [][]int // Parents[i] lists the parents of node i+1 in increasing order; the last is the output's
}

// String is the cell's text form, each node as "<node>:<op>(<parents>)" and the output as
// "out(<parents>)", e.g. for space 1:
//
//	1:conv3x3-bn-relu(0) 2:maxpool3x3(0,1) 3:conv1x1-bn-relu(1,2) 4:conv3x3-bn-relu(0,3) out(2,4)
//
// Space.ParseGenotype (ParseCell) reads it back.
func (c Cell) String() string {
	var b strings.Builder
	for i := range c.Parents {
		if i > 0 {
			b.WriteByte(' ')
		}
		if i < len(c.Ops) {
			b.WriteString(strconv.Itoa(i+1) + ":" + c.Ops[i].String())
		} else {
			b.WriteString("out")
		}
		b.WriteByte('(')
		for k, p := range c.Parents[i] {
			if k > 0 {
				b.WriteByte(',')
			}
			b.WriteString(strconv.Itoa(p))
		}
		b.WriteByte(')')
	}
	return b.String()
}

// ParentChoices lists the parent sets node (1..Nodes+1) may have: the combinations of InDegree(node)
// of the nodes below it, in lexicographic order (search_space.py parent_combinations, lines 15-19,
// which also fixes node 1's parents to (0,)). A node with a single choice has no parent weights.
func (s *Space) ParentChoices(node int) [][]int {
	k := s.InDegree(node)
	var out [][]int
	var rec func(start int, cur []int)
	rec = func(start int, cur []int) {
		if len(cur) == k {
			out = append(out, slices.Clone(cur))
			return
		}
		for p := start; p < node; p++ {
			rec(p+1, append(cur, p))
		}
	}
	rec(0, nil)
	return out
}

// CheckCell reports whether c is a cell of this space: the right number of ops and parent lists, valid
// ops, and every parent list one of ParentChoices.
func (s *Space) CheckCell(c Cell) error {
	if c.Space != s.number {
		return fmt.Errorf("nb1shot1: cell of space %d given to space %d", c.Space, s.number)
	}
	if len(c.Ops) != s.def.nodes || len(c.Parents) != s.def.nodes+1 {
		return fmt.Errorf("nb1shot1: space %d: a cell has %d ops and %d parent lists, got %d and %d",
			s.number, s.def.nodes, s.def.nodes+1, len(c.Ops), len(c.Parents))
	}
	for i, o := range c.Ops {
		if o < 0 || o >= NumOps {
			return fmt.Errorf("nb1shot1: space %d: node %d has invalid op %d", s.number, i+1, int(o))
		}
	}
	for i, ps := range c.Parents {
		node := i + 1
		if len(ps) != s.InDegree(node) {
			return fmt.Errorf("nb1shot1: space %d: %s has %d parents %v, want %d", s.number, nodeName(s, node), len(ps), ps, s.InDegree(node))
		}
		for k, p := range ps {
			if p < 0 || p >= node || (k > 0 && p <= ps[k-1]) {
				return fmt.Errorf("nb1shot1: space %d: %s has parents %v, want distinct increasing nodes below %d", s.number, nodeName(s, node), ps, node)
			}
		}
	}
	return nil
}

func nodeName(s *Space, node int) string {
	if node == s.def.nodes+1 {
		return "the output"
	}
	return "node " + strconv.Itoa(node)
}

// ParseCell reads a cell in the text form of Cell.String.
func (s *Space) ParseCell(str string) (Cell, error) {
	fields := strings.Fields(str)
	if len(fields) != s.def.nodes+1 {
		return Cell{}, fmt.Errorf("nb1shot1: space %d cell %q: want %d nodes and the output, like %q", s.number, str, s.def.nodes, s.exampleCell())
	}
	c := Cell{Space: s.number, Ops: make([]Op, s.def.nodes), Parents: make([][]int, s.def.nodes+1)}
	for i, f := range fields {
		head, rest, ok := strings.Cut(f, "(")
		if !ok || !strings.HasSuffix(rest, ")") {
			return Cell{}, fmt.Errorf("nb1shot1: space %d cell %q: %q is not <node>:<op>(<parents>)", s.number, str, f)
		}
		if i < s.def.nodes {
			num, op, ok := strings.Cut(head, ":")
			if !ok || num != strconv.Itoa(i+1) {
				return Cell{}, fmt.Errorf("nb1shot1: space %d cell %q: field %d is %q, want node %d as %d:<op>(<parents>)", s.number, str, i+1, f, i+1, i+1)
			}
			o, err := ParseOp(op)
			if err != nil {
				return Cell{}, fmt.Errorf("nb1shot1: space %d cell %q: node %d: %w", s.number, str, i+1, err)
			}
			c.Ops[i] = o
		} else if head != "out" {
			return Cell{}, fmt.Errorf("nb1shot1: space %d cell %q: the last field is %q, want out(<parents>)", s.number, str, f)
		}
		list := strings.TrimSuffix(rest, ")")
		c.Parents[i] = []int{}
		if list != "" {
			for _, p := range strings.Split(list, ",") {
				v, err := strconv.Atoi(p)
				if err != nil {
					return Cell{}, fmt.Errorf("nb1shot1: space %d cell %q: parent %q of field %d is not a number", s.number, str, p, i+1)
				}
				c.Parents[i] = append(c.Parents[i], v)
			}
		}
	}
	if err := s.CheckCell(c); err != nil {
		return Cell{}, err
	}
	return c, nil
}

// exampleCell is the first cell of the space, for messages.
func (s *Space) exampleCell() string {
	c := Cell{Space: s.number, Ops: make([]Op, s.def.nodes)}
	for node := 1; node <= s.def.nodes+1; node++ {
		c.Parents = append(c.Parents, s.ParentChoices(node)[0])
	}
	return c.String()
}

// ParseGenotype parses a cell in the text form of Cell.String; the Genotype is a Cell.
func (s *Space) ParseGenotype(str string) (spaces.Genotype, error) {
	c, err := s.ParseCell(str)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// live marks the nodes that reach the output (the output itself included); node 0 always does.
func (c Cell) live() []bool {
	n := len(c.Parents) + 1 // nodes 0..output
	live := make([]bool, n)
	live[n-1] = true
	for v := n - 1; v >= 1; v-- {
		if live[v] {
			for _, p := range c.Parents[v-1] {
				live[p] = true
			}
		}
	}
	return live
}

// LooseEnds lists the choice nodes whose output reaches no node that reaches the cell's output. The
// reference's evaluation drops them (and their ops do not matter).
func (c Cell) LooseEnds() []int {
	var out []int
	for v, l := range c.live()[:len(c.Parents)] {
		if v > 0 && !l {
			out = append(out, v)
		}
	}
	return out
}

// Spec is the cell as the NAS-Bench-101 module the reference evaluation queries
// (nasbench_analysis/eval_darts_one_shot_model_in_nasbench.py lines 51-110): the edges into the output
// and into every node that reaches it, walking back from the output (search_space.py
// _create_adjacency_matrix, lines 148-158, which leaves the loose ends without edges); for spaces 1 and
// 2 the 6×6 matrix is upscaled to NAS-Bench-101's 7×7 by an unused vertex 5 before the output
// (nasbench_analysis/utils.py upscale_to_nasbench_format, lines 114-124) labelled conv1x1-bn-relu (eval
// script lines 65 and 81). NAS-Bench-101's own pruning (nb101.Spec.Prune) then removes vertex 5 and the
// loose ends.
func (c Cell) Spec() nb101.Spec {
	n := len(c.Parents) + 1
	live := c.live()
	m := make([][]bool, n)
	for i := range m {
		m[i] = make([]bool, n)
	}
	for v := 1; v < n; v++ {
		if live[v] {
			for _, p := range c.Parents[v-1] {
				m[p][v] = true
			}
		}
	}
	ops := []string{nb101.Input}
	for _, o := range c.Ops {
		ops = append(ops, o.String())
	}
	ops = append(ops, nb101.Output)
	if n == nb101.MaxVertices-1 { // spaces 1 and 2: insert the unused vertex 5
		const at = 5
		up := make([][]bool, n+1)
		for i := range up {
			up[i] = make([]bool, n+1)
		}
		shift := func(i int) int {
			if i >= at {
				return i + 1
			}
			return i
		}
		for i := range m {
			for j := range m[i] {
				up[shift(i)][shift(j)] = m[i][j]
			}
		}
		m = up
		ops = slices.Insert(ops, at, nb101.Conv1x1)
	}
	return nb101.Spec{Matrix: m, Ops: ops}
}

// Hash is the NAS-Bench-101 module hash of the cell (of Spec after NAS-Bench-101's pruning): the key of
// its results in the dataset.
func (c Cell) Hash() (nb101.Hash, error) { return c.Spec().Hash() }
