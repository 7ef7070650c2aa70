package nb1shot1

import (
	"iter"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/gaeanas/gaeanas/spaces/nb1shot1/nb101"
)

// parentConfigs yields every assignment of parents to the nodes (one of ParentChoices per node), the
// configuration space of the reference (search_space.py get_configuration_space, lines 84-96; the
// loops of generate_with_loose_ends in search_space_{1,2,3}.py). The yielded slice is reused.
func (s *Space) parentConfigs() iter.Seq[[][]int] {
	choices := make([][][]int, s.def.nodes+1)
	for i := range choices {
		choices[i] = s.ParentChoices(i + 1)
	}
	return func(yield func([][]int) bool) {
		cur := make([][]int, len(choices))
		var rec func(i int) bool
		rec = func(i int) bool {
			if i == len(choices) {
				return yield(cur)
			}
			for _, c := range choices[i] {
				cur[i] = c
				if !rec(i + 1) {
					return false
				}
			}
			return true
		}
		rec(0)
	}
}

// opAssignments yields every assignment of ops to n nodes, the first node varying slowest. The
// yielded slice is reused.
func opAssignments(n int) iter.Seq[[]Op] {
	return func(yield func([]Op) bool) {
		ops := make([]Op, n)
		for {
			if !yield(ops) {
				return
			}
			i := n - 1
			for i >= 0 && ops[i] == NumOps-1 {
				ops[i] = 0
				i--
			}
			if i < 0 {
				return
			}
			ops[i]++
		}
	}
}

// All yields every cell of the space: every parent configuration with every op assignment, loose ends
// included — the reference's configuration space, and every cell a search can end on. The cells are
// fresh copies.
func (s *Space) All() iter.Seq[Cell] {
	return func(yield func(Cell) bool) {
		for parents := range s.parentConfigs() {
			for ops := range opAssignments(s.def.nodes) {
				c := Cell{Space: s.number, Ops: slices.Clone(ops), Parents: make([][]int, len(parents))}
				for i, p := range parents {
					c.Parents[i] = slices.Clone(p)
				}
				if !yield(c) {
					return
				}
			}
		}
	}
}

// Counts are the sizes of a space under the definitions that matter for comparing with the paper.
type Counts struct {
	// Configurations is the number of cells All yields: parent configurations × 3^Nodes op choices.
	Configurations int
	// PaperRule counts each parent configuration 3^k times, k the number of choice nodes with an
	// outgoing edge: the ops of nodes that feed nothing are not counted (the rule of the reference's
	// generate_search_space_without_loose_ends, search_space.py lines 104-115, applied to every
	// configuration).
	PaperRule int
	// WithoutLooseEnds is the number of distinct cells once the nodes that do not reach the output are
	// removed (their parents and ops forgotten): distinct (pruned graph, ops of its nodes) pairs.
	WithoutLooseEnds int
	// Unique is the number of distinct NAS-Bench-101 modules (module hashes, which also merge
	// isomorphic graphs). Count fills it only when asked to hash.
	Unique int
}

// PaperCounts are the numbers of architectures the NAS-Bench-1Shot1 paper gives for spaces 1-3 (Zela,
// Siems, Hutter, ICLR 2020).
var PaperCounts = [4]int{1: 6240, 2: 29160, 3: 363648}

// Count counts the space; with hash it also hashes every distinct cell without loose ends (about a
// second for space 3 on two cores).
func (s *Space) Count(hash bool) Counts {
	var c Counts
	perConfig := pow3(s.def.nodes)
	for parents := range s.parentConfigs() {
		c.Configurations += perConfig
		feeds := make([]bool, s.def.nodes+1)
		for _, ps := range parents {
			for _, p := range ps {
				feeds[p] = true
			}
		}
		k := 0
		for v := 1; v <= s.def.nodes; v++ {
			if feeds[v] {
				k++
			}
		}
		c.PaperRule += pow3(k)
	}
	shapes := s.prunedShapes()
	for _, sh := range shapes {
		c.WithoutLooseEnds += pow3(len(sh.live))
	}
	if hash {
		c.Unique = len(s.hashes(shapes))
	}
	return c
}

func pow3(k int) int {
	n := 1
	for range k {
		n *= 3
	}
	return n
}

// prunedShape is a parent configuration with its loose ends removed: the parents of the output and of
// the live choice nodes.
type prunedShape struct {
	cell Cell  // parents of dead nodes nil, ops zero
	live []int // the live choice nodes
}

// prunedShapes returns the distinct parent configurations without loose ends.
func (s *Space) prunedShapes() []prunedShape {
	seen := map[string]bool{}
	var out []prunedShape
	for parents := range s.parentConfigs() {
		c := Cell{Space: s.number, Ops: make([]Op, s.def.nodes), Parents: make([][]int, len(parents))}
		for i, p := range parents {
			c.Parents[i] = p
		}
		live := c.live()
		var key strings.Builder
		var sh prunedShape
		for v := 1; v <= s.def.nodes+1; v++ {
			if !live[v] {
				c.Parents[v-1] = nil
				key.WriteString("-;")
				continue
			}
			c.Parents[v-1] = slices.Clone(c.Parents[v-1])
			if v <= s.def.nodes {
				sh.live = append(sh.live, v)
			}
			for _, p := range c.Parents[v-1] {
				key.WriteString(strconv.Itoa(p) + ",")
			}
			key.WriteByte(';')
		}
		if !seen[key.String()] {
			seen[key.String()] = true
			sh.cell = c
			out = append(out, sh)
		}
	}
	return out
}

// hashes returns the module hashes of every pruned shape with every op assignment of its live nodes.
func (s *Space) hashes(shapes []prunedShape) map[nb101.Hash]struct{} {
	workers := runtime.GOMAXPROCS(0)
	parts := make([]map[nb101.Hash]struct{}, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			set := map[nb101.Hash]struct{}{}
			for i := w; i < len(shapes); i += workers {
				sh := shapes[i]
				c := sh.cell
				c.Ops = slices.Clone(c.Ops)
				for ops := range opAssignments(len(sh.live)) {
					for k, v := range sh.live {
						c.Ops[v-1] = ops[k]
					}
					h, err := c.Hash()
					if err != nil {
						panic("nb1shot1: a cell of space " + strconv.Itoa(s.number) + " is not a NAS-Bench-101 module: " + err.Error())
					}
					set[h] = struct{}{}
				}
			}
			parts[w] = set
		}()
	}
	wg.Wait()
	all := parts[0]
	for _, p := range parts[1:] {
		for h := range p {
			all[h] = struct{}{}
		}
	}
	return all
}

// Hashes returns the set of NAS-Bench-101 module hashes of the space's cells.
func (s *Space) Hashes() map[nb101.Hash]struct{} { return s.hashes(s.prunedShapes()) }
