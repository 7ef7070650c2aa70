package nb201

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gaeanas/gaeanas/internal/text"
)

// Op is a candidate operation of a NAS-Bench-201 cell edge. The values are NAS-Bench-201's own op order
// (none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3), which is also the column order of the
// architecture weights θ of a Space that includes none.
type Op uint8

// The five NAS-Bench-201 operations.
const (
	None       Op = iota // none: the edge outputs zeros (it is absent)
	Skip                 // skip_connect: identity
	Conv1x1              // nor_conv_1x1: ReLU → conv 1×1 → batch norm
	Conv3x3              // nor_conv_3x3: ReLU → conv 3×3 (pad 1) → batch norm
	AvgPool3x3           // avg_pool_3x3: average pool 3×3, stride 1, pad 1, padding not counted
)

// NumOps is the number of NAS-Bench-201 operations.
const NumOps = 5

var opNames = [NumOps]string{"none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"}

// String returns the op's NAS-Bench-201 name, e.g. "nor_conv_3x3".
func (o Op) String() string {
	if int(o) < NumOps {
		return opNames[o]
	}
	return fmt.Sprintf("Op(%d)", uint8(o))
}

// ParseOp returns the op with the given NAS-Bench-201 name.
func ParseOp(name string) (Op, error) {
	for i, n := range opNames {
		if n == name {
			return Op(i), nil
		}
	}
	return 0, fmt.Errorf("unknown op %q (want one of %s)", text.Abbrev(name), strings.Join(opNames[:], ", "))
}

// NumEdges is the number of edges of a cell: 1←0, 2←0, 2←1, 3←0, 3←1, 3←2.
const NumEdges = 6

// NumNodes is the number of nodes of a cell: node 0 is the cell input, node 3 its output.
const NumNodes = 4

// NumArchs is the number of architectures in the space, 5^6.
const NumArchs = 15625

// edgeFrom and edgeTo give the input and output node of each edge, in edge order.
var (
	edgeFrom = [NumEdges]int{0, 0, 1, 0, 1, 2}
	edgeTo   = [NumEdges]int{1, 2, 2, 3, 3, 3}
)

// EdgeNodes returns the input node j and the output node i of edge e (edge e is "i<-j").
func EdgeNodes(e int) (from, to int) { return edgeFrom[e], edgeTo[e] }

// EdgeName returns the name of edge e in the reference code's form, e.g. "2<-1".
func EdgeName(e int) string { return fmt.Sprintf("%d<-%d", edgeTo[e], edgeFrom[e]) }

// Arch is a NAS-Bench-201 cell: the op of each edge, in edge order 1←0, 2←0, 2←1, 3←0, 3←1, 3←2 (see
// EdgeNodes). It is the space's genotype (spaces.Genotype); the zero value is the all-none cell.
type Arch [NumEdges]Op

// String returns the standard NAS-Bench-201 architecture string, e.g.
// "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|".
// Node i's entries list its inputs j = 0..i-1 in order; ParseArch reads it back.
func (a Arch) String() string {
	var b strings.Builder
	b.Grow(100)
	e := 0
	for node := 1; node < NumNodes; node++ {
		if node > 1 {
			b.WriteByte('+')
		}
		b.WriteByte('|')
		for j := 0; j < node; j++ {
			b.WriteString(a[e].String())
			b.WriteByte('~')
			b.WriteByte(byte('0' + j))
			b.WriteByte('|')
			e++
		}
	}
	return b.String()
}

// Valid reports whether every op of a is one of the five NAS-Bench-201 ops.
func (a Arch) Valid() bool {
	for _, o := range a {
		if o >= NumOps {
			return false
		}
	}
	return true
}

// Code returns the arch's position in the lexicographic enumeration of the space: the ops read as a
// 6-digit base-5 number, edge 1←0 most significant (the all-none cell is 0, the all-avg-pool cell 15624).
// This is NOT the benchmark index (see Index); it is the order of All's enumeration in AutoDL's
// Structure.gen_all.
func (a Arch) Code() int {
	c := 0
	for _, o := range a {
		c = c*NumOps + int(o)
	}
	return c
}

// FromCode is the inverse of Arch.Code.
func FromCode(code int) (Arch, error) {
	if code < 0 || code >= NumArchs {
		return Arch{}, fmt.Errorf("nb201: code %d out of range [0, %d)", code, NumArchs)
	}
	var a Arch
	for e := NumEdges - 1; e >= 0; e-- {
		a[e] = Op(code % NumOps)
		code /= NumOps
	}
	return a, nil
}

// ParseArch parses a NAS-Bench-201 architecture string (the form Arch.String prints). It is strict:
// exactly three nodes separated by '+', node i written "|op~0|op~1|…|op~(i-1)|" with its i inputs in
// order, op names from NAS-Bench-201's list, no spaces. The error names what is wrong.
func ParseArch(s string) (Arch, error) {
	a, err := parseArch(s)
	if err != nil {
		return Arch{}, fmt.Errorf("nb201: parse %q: %w", text.Abbrev(s), err)
	}
	return a, nil
}

func parseArch(s string) (Arch, error) {
	var a Arch
	if s == "" {
		return a, fmt.Errorf("empty architecture string")
	}
	nodes := strings.Split(s, "+")
	if len(nodes) != NumNodes-1 {
		return a, fmt.Errorf("%d nodes separated by '+', want %d", len(nodes), NumNodes-1)
	}
	e := 0
	for i, ns := range nodes {
		node := i + 1
		if len(ns) < 2 || ns[0] != '|' || ns[len(ns)-1] != '|' {
			return a, fmt.Errorf("node %d: %q must start and end with '|'", node, text.Abbrev(ns))
		}
		entries := strings.Split(ns[1:len(ns)-1], "|")
		if len(entries) != node {
			return a, fmt.Errorf("node %d: %d inputs, want %d", node, len(entries), node)
		}
		for j, entry := range entries {
			name, idx, ok := strings.Cut(entry, "~")
			if !ok {
				return a, fmt.Errorf("node %d: entry %q is not op~input", node, text.Abbrev(entry))
			}
			op, err := ParseOp(name)
			if err != nil {
				return a, fmt.Errorf("node %d: %w", node, err)
			}
			if idx != strconv.Itoa(j) {
				return a, fmt.Errorf("node %d: entry %d %q has input %q, want %d (inputs are listed 0..%d in order)",
					node, j+1, text.Abbrev(entry), text.Abbrev(idx), j, node-1)
			}
			a[e] = op
			e++
		}
	}
	return a, nil
}

// MustParseArch is like ParseArch but panics on error; for constants in programs and tests.
func MustParseArch(s string) Arch {
	a, err := ParseArch(s)
	if err != nil {
		panic(err)
	}
	return a
}

// All returns all 15,625 architectures in benchmark index order: All()[i].Index() == i.
// It loads the embedded benchmark table (see Lookup).
func All() []Arch {
	t := table()
	out := make([]Arch, NumArchs)
	for i := range out {
		out[i] = t.arch[i]
	}
	return out
}

// Index returns the arch's NAS-Bench-201 benchmark index (its row in the benchmark's table, 0..15624).
// It loads the embedded benchmark table; it panics if a is not Valid.
func (a Arch) Index() int {
	if !a.Valid() {
		panic(fmt.Sprintf("nb201: Index of invalid arch %v", [NumEdges]Op(a)))
	}
	return int(table().byCode[a.Code()])
}

// ArchAt returns the architecture with the given benchmark index.
func ArchAt(index int) (Arch, error) {
	if index < 0 || index >= NumArchs {
		return Arch{}, fmt.Errorf("nb201: index %d out of range [0, %d)", index, NumArchs)
	}
	return table().arch[index], nil
}
