package nb1shot1

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gaeanas/gaeanas/spaces/nb1shot1/nb101"
)

// Op is the operation of a choice node. Its value is its θ column: the reference's PRIMITIVES order
// (liamcli/nasbench-1shot1 optimizers/darts/genotypes.py lines 5-9, the same in optimizers/edarts).
type Op int

// The three candidate ops, with NAS-Bench-101's labels (nasbench_analysis/utils.py lines 14-16).
const (
	MaxPool3x3 Op = iota // maxpool3x3: 3×3 max pool, stride 1, padding 1
	Conv3x3              // conv3x3-bn-relu: 3×3 conv (no bias) → batch norm → ReLU
	Conv1x1              // conv1x1-bn-relu: 1×1 conv (no bias) → batch norm → ReLU
	NumOps     = 3
)

var opNames = [NumOps]string{nb101.MaxPool3x3, nb101.Conv3x3, nb101.Conv1x1}

// String is the NAS-Bench-101 label of the op.
func (o Op) String() string {
	if o < 0 || o >= NumOps {
		return "Op(" + strconv.Itoa(int(o)) + ")"
	}
	return opNames[o]
}

// ParseOp reads a NAS-Bench-101 op label.
func ParseOp(s string) (Op, error) {
	for i, n := range opNames {
		if s == n {
			return Op(i), nil
		}
	}
	return 0, fmt.Errorf("nb1shot1: unknown op %q (want %s, %s or %s)", s, opNames[0], opNames[1], opNames[2])
}

// definition is one search space as the reference defines it.
type definition struct {
	nodes   int   // choice blocks (intermediate nodes 1..nodes; the output is node nodes+1)
	parents []int // parents[i] is the in-degree of node i+1; the last entry is the output's
	// The space's lowest test and validation errors as the reference hard-codes them; regret is
	// measured against them. (Its analysis() takes such minima over single runs, not over the mean of
	// the three: search_space_1.py lines 89-94 and 127.)
	testMinError, validMinError float64
}

// definitions are the three spaces of liamcli/nasbench-1shot1 (the fork GAEA used, commit e369bd7;
// identical in automl/nasbench-1shot1 cb0f0ec) nasbench_analysis/search_spaces/:
//
//	space 1: search_space_1.py lines 13 (4 nodes), 17-24 (parents), 28-29 (min errors)
//	space 2: search_space_2.py lines 17 (4 nodes), 23-30 (parents), 34-35 (min errors)
//	space 3: search_space_3.py lines 14 (5 nodes), 20-28 (parents), 32-33 (min errors)
var definitions = [4]definition{
	1: {nodes: 4, parents: []int{1, 2, 2, 2, 2}, testMinError: 0.05448716878890991, validMinError: 0.049278855323791504},
	2: {nodes: 4, parents: []int{1, 1, 2, 2, 3}, testMinError: 0.057592153549194336, validMinError: 0.051582515239715576},
	3: {nodes: 5, parents: []int{1, 1, 1, 2, 2, 2}, testMinError: 0.05338543653488159, validMinError: 0.04847759008407593},
}

// Space is one of the three NAS-Bench-1Shot1 search spaces with its supernet, configured builder-style:
//
//	s := nb1shot1.New(3).Channels(16).Cells(9).Classes(10)
//
// It implements spaces.Space (see the package documentation for how its architecture weights map onto
// θ and β). The zero value is not usable; create it with New or Parse.
type Space struct {
	number                   int
	def                      definition
	channels, cells, classes int
}

var _ spaces.Space = (*Space)(nil)

// New returns search space 1, 2 or 3 with the reference supernet's defaults: 16 initial channels, 9 cells,
// 10 classes (optimizers/darts/train_search.py init_channels and layers; CIFAR_CLASSES). It panics for
// another number; Parse returns an error instead.
func New(number int) *Space {
	if number < 1 || number > 3 {
		panic(fmt.Sprintf("nb1shot1: New(%d): NAS-Bench-1Shot1 has search spaces 1, 2 and 3", number))
	}
	return &Space{number: number, def: definitions[number], channels: 16, cells: 9, classes: 10}
}

// Parse returns the space named "nb1shot1-1", "nb1shot1-2" or "nb1shot1-3" (or just "1", "2", "3").
func Parse(name string) (*Space, error) {
	switch strings.TrimPrefix(name, "nb1shot1-") {
	case "1":
		return New(1), nil
	case "2":
		return New(2), nil
	case "3":
		return New(3), nil
	}
	return nil, fmt.Errorf("nb1shot1: unknown search space %q (want nb1shot1-1, nb1shot1-2 or nb1shot1-3)", name)
}

// Channels sets the channels of the first cells (doubled twice, before cell Cells/3 and 2·Cells/3).
// Default 16.
func (s *Space) Channels(c int) *Space {
	if c < 1 {
		panic(fmt.Sprintf("nb1shot1: Channels(%d): must be ≥ 1", c))
	}
	s.channels = c
	return s
}

// Cells sets the number of cells of the supernet. Default 9.
func (s *Space) Cells(n int) *Space {
	if n < 1 {
		panic(fmt.Sprintf("nb1shot1: Cells(%d): must be ≥ 1", n))
	}
	s.cells = n
	return s
}

// Classes sets the number of output classes. Default 10.
func (s *Space) Classes(k int) *Space {
	if k < 1 {
		panic(fmt.Sprintf("nb1shot1: Classes(%d): must be ≥ 1", k))
	}
	s.classes = k
	return s
}

// Number is the space's number, 1, 2 or 3.
func (s *Space) Number() int { return s.number }

// Nodes is the number of choice nodes (intermediate nodes 1..Nodes; the output is node Nodes+1).
func (s *Space) Nodes() int { return s.def.nodes }

// InDegree is the number of parents of node (1..Nodes+1; Nodes+1 is the output).
func (s *Space) InDegree(node int) int {
	if node < 1 || node > s.def.nodes+1 {
		panic(fmt.Sprintf("nb1shot1: space %d has nodes 1..%d, not %d", s.number, s.def.nodes+1, node))
	}
	return s.def.parents[node-1]
}

// TestMinError is the space's lowest NAS-Bench-101 test error, from the reference; test regret is
// measured against it.
func (s *Space) TestMinError() float64 { return s.def.testMinError }

// ValidMinError is the space's lowest NAS-Bench-101 validation error, from the reference.
func (s *Space) ValidMinError() float64 { return s.def.validMinError }

// Name is "nb1shot1-1", "nb1shot1-2" or "nb1shot1-3".
func (s *Space) Name() string { return "nb1shot1-" + strconv.Itoa(s.number) }

// String describes the configuration, e.g. "nb1shot1-1(C=16, cells=9, classes=10)".
func (s *Space) String() string {
	return fmt.Sprintf("%s(C=%d, cells=%d, classes=%d)", s.Name(), s.channels, s.cells, s.classes)
}

// Ops lists the candidate op names in θ-column order: maxpool3x3, conv3x3-bn-relu, conv1x1-bn-relu.
func (s *Space) Ops() []string { return opNames[:] }

// Edges names the rows of θ. In NAS-Bench-1Shot1 the ops sit on the nodes, not the edges, so θ has one
// row per choice node: "node1" … "node4" ("node5" in space 3), the reference's alphas_mixed_op
// (optimizers/darts/model_search.py line 210).
func (s *Space) Edges() []string {
	names := make([]string, s.def.nodes)
	for i := range names {
		names[i] = "node" + strconv.Itoa(i+1)
	}
	return names
}

// EdgeGroups returns nil: the parent and output weights are not groups of θ rows; they are the rows
// ParentRows lists (spaces.BetaRower).
func (s *Space) EdgeGroups() [][]int { return nil }
