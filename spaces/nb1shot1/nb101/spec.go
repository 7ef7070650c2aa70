package nb101

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// NAS-Bench-101's op labels (nasbench/lib/base_ops.py OP_MAP, lines 183-191) and the labels of the
// module's input and output vertices (nasbench/api.py ModelSpec docs, model_spec.py line 139).
const (
	Input      = "input"
	Output     = "output"
	Conv3x3    = "conv3x3-bn-relu"
	Conv1x1    = "conv1x1-bn-relu"
	MaxPool3x3 = "maxpool3x3"
)

// The dataset's search-space limits and hashing order (nasbench/lib/config.py lines 45-53, 94-96).
const (
	MaxVertices = 7
	MaxEdges    = 9
	NumRepeats  = 3
)

// AvailableOps are the ops of the dataset in their canonical order; an op's index is its label in the
// module hash (config.py line 52 'available_ops', model_spec.py line 139).
var AvailableOps = []string{Conv3x3, Conv1x1, MaxPool3x3}

// Spec is a module (cell): an upper-triangular adjacency matrix over V vertices (vertex 0 the input,
// V−1 the output) and one op label per vertex (nasbench/lib/model_spec.py ModelSpec).
type Spec struct {
	Matrix [][]bool
	Ops    []string
}

// NewSpec checks matrix and ops as ModelSpec.__init__ does (model_spec.py lines 54-62: square, one op
// per vertex, strictly upper triangular) and that matrix holds only 0 and 1.
func NewSpec(matrix [][]int, ops []string) (Spec, error) {
	v := len(matrix)
	if v != len(ops) {
		return Spec{}, fmt.Errorf("nb101: spec: %d ops for a %d-vertex matrix", len(ops), v)
	}
	m := make([][]bool, v)
	for i, row := range matrix {
		if len(row) != v {
			return Spec{}, fmt.Errorf("nb101: spec: matrix is not square (row %d has %d entries, want %d)", i, len(row), v)
		}
		m[i] = make([]bool, v)
		for j, x := range row {
			switch {
			case x != 0 && x != 1:
				return Spec{}, fmt.Errorf("nb101: spec: matrix[%d][%d] = %d, want 0 or 1", i, j, x)
			case x == 1 && j <= i:
				return Spec{}, fmt.Errorf("nb101: spec: matrix is not upper triangular (matrix[%d][%d] = 1)", i, j)
			}
			m[i][j] = x == 1
		}
	}
	return Spec{Matrix: m, Ops: slices.Clone(ops)}, nil
}

// Vertices is the number of vertices.
func (s Spec) Vertices() int { return len(s.Matrix) }

// Edges is the number of edges.
func (s Spec) Edges() int {
	n := 0
	for _, row := range s.Matrix {
		for _, e := range row {
			if e {
				n++
			}
		}
	}
	return n
}

// String prints the spec in the dataset's record form: the row-major adjacency digits and the
// comma-separated ops, e.g. "0110000…000 input,conv3x3-bn-relu,…,output".
func (s Spec) String() string { return s.digits() + " " + strings.Join(s.Ops, ",") }

// digits is the row-major adjacency as a string of 0s and 1s (the dataset's raw_adjacency).
func (s Spec) digits() string {
	var b strings.Builder
	for _, row := range s.Matrix {
		for _, e := range row {
			if e {
				b.WriteByte('1')
			} else {
				b.WriteByte('0')
			}
		}
	}
	return b.String()
}

// Prune removes the vertices that are not on a path from the input to the output, as
// ModelSpec._prune does (model_spec.py lines 77-126): a forward search from the input, a backward
// search from the output, and deletion of the vertices outside both, keeping the order of the rest. ok
// is false when fewer than two vertices remain (the input does not reach the output: an invalid spec).
func (s Spec) Prune() (pruned Spec, ok bool) {
	v := s.Vertices()
	if v == 0 {
		return Spec{}, false
	}
	fromInput := make([]bool, v)
	fromInput[0] = true
	for i := 0; i < v; i++ { // topological order: the matrix is upper triangular
		if !fromInput[i] {
			continue
		}
		for j := i + 1; j < v; j++ {
			if s.Matrix[i][j] {
				fromInput[j] = true
			}
		}
	}
	toOutput := make([]bool, v)
	toOutput[v-1] = true
	for j := v - 1; j >= 0; j-- {
		if !toOutput[j] {
			continue
		}
		for i := 0; i < j; i++ {
			if s.Matrix[i][j] {
				toOutput[i] = true
			}
		}
	}
	var keep []int
	for i := 0; i < v; i++ {
		if fromInput[i] && toOutput[i] {
			keep = append(keep, i)
		}
	}
	if len(keep) < 2 {
		return Spec{}, false
	}
	p := Spec{Matrix: make([][]bool, len(keep)), Ops: make([]string, len(keep))}
	for a, i := range keep {
		p.Matrix[a] = make([]bool, len(keep))
		for b, j := range keep {
			p.Matrix[a][b] = s.Matrix[i][j]
		}
		p.Ops[a] = s.Ops[i]
	}
	return p, true
}

// Hash is a module's MD5 fingerprint, the key of the dataset's records.
type Hash [md5.Size]byte

// String is the 32-digit lower-case hex form used in the dataset.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// ParseHash reads the 32-digit hex form.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 2*len(h) {
		return h, fmt.Errorf("nb101: module hash %q: want %d hex digits, got %d", s, 2*len(h), len(s))
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return h, fmt.Errorf("nb101: module hash %q: not hex", s)
	}
	return h, nil
}

// Hash prunes the spec, checks that the result lies in the dataset's space (nasbench/api.py _check_spec,
// lines 368-391: connected, at most 7 vertices and 9 edges, input and output at the ends, dataset ops
// inside) and returns its module hash (ModelSpec.hash_spec, model_spec.py lines 128-140). Isomorphic
// specs have the same hash.
func (s Spec) Hash() (Hash, error) {
	p, ok := s.Prune()
	if !ok {
		return Hash{}, fmt.Errorf("nb101: spec %s: the input is not connected to the output", s)
	}
	if v := p.Vertices(); v > MaxVertices {
		return Hash{}, fmt.Errorf("nb101: spec %s: %d vertices after pruning, at most %d", s, v, MaxVertices)
	}
	if e := p.Edges(); e > MaxEdges {
		return Hash{}, fmt.Errorf("nb101: spec %s: %d edges after pruning, at most %d", s, e, MaxEdges)
	}
	if p.Ops[0] != Input || p.Ops[len(p.Ops)-1] != Output {
		return Hash{}, fmt.Errorf("nb101: spec %s: the first op must be %q and the last %q", s, Input, Output)
	}
	labels := make([]int, p.Vertices())
	labels[0], labels[len(labels)-1] = -1, -2
	for i := 1; i < len(labels)-1; i++ {
		labels[i] = slices.Index(AvailableOps, p.Ops[i])
		if labels[i] < 0 {
			return Hash{}, fmt.Errorf("nb101: spec %s: op %q is not one of %v", s, p.Ops[i], AvailableOps)
		}
	}
	return HashModule(p.Matrix, labels), nil
}

// HashModule is NAS-Bench-101's graph-invariant hash of an adjacency matrix and integer vertex labels
// (nasbench/lib/graph_util.py hash_module, lines 95-127): each vertex starts from the MD5 of the Python
// text of (out-degree, in-degree, label), is re-hashed V times from the sorted hashes of its in- and
// out-neighbours, and the fingerprint is the MD5 of the Python text of the sorted vertex hashes. The
// hashes are handled as their 32 hex digits, as in the reference.
func HashModule(matrix [][]bool, labels []int) Hash {
	v := len(matrix)
	hashes := make([]hexHash, v)
	for i := range hashes {
		out, in := 0, 0
		for j := 0; j < v; j++ {
			if matrix[i][j] {
				out++
			}
			if matrix[j][i] {
				in++
			}
		}
		// str((out, in, label)) of a Python tuple of ints.
		hashes[i] = md5Hex([]byte("(" + strconv.Itoa(out) + ", " + strconv.Itoa(in) + ", " + strconv.Itoa(labels[i]) + ")"))
	}
	next := make([]hexHash, v)
	var in, out []hexHash
	buf := make([]byte, 0, (2*v+1)*32+2)
	for range v {
		for i := 0; i < v; i++ {
			in, out = in[:0], out[:0]
			for j := 0; j < v; j++ {
				if matrix[j][i] {
					in = append(in, hashes[j])
				}
				if matrix[i][j] {
					out = append(out, hashes[j])
				}
			}
			sortHex(in)
			sortHex(out)
			// ''.join(sorted(in)) + '|' + ''.join(sorted(out)) + '|' + hashes[v]
			buf = buf[:0]
			for _, h := range in {
				buf = append(buf, h[:]...)
			}
			buf = append(buf, '|')
			for _, h := range out {
				buf = append(buf, h[:]...)
			}
			buf = append(buf, '|')
			buf = append(buf, hashes[i][:]...)
			next[i] = md5Hex(buf)
		}
		hashes, next = next, hashes
	}
	sortHex(hashes)
	// str(sorted(hashes)): a Python list of str, "['…', '…']".
	buf = append(buf[:0], "['"...)
	for i, h := range hashes {
		if i > 0 {
			buf = append(buf, "', '"...)
		}
		buf = append(buf, h[:]...)
	}
	buf = append(buf, "']"...)
	return md5.Sum(buf)
}

// hexHash is an MD5 as 32 lower-case hex digits (Python's hexdigest()).
type hexHash [2 * md5.Size]byte

func md5Hex(b []byte) hexHash {
	sum := md5.Sum(b)
	var h hexHash
	hex.Encode(h[:], sum[:])
	return h
}

// sortHex sorts a few hashes in place (insertion sort; byte order is Python's string order here).
func sortHex(hs []hexHash) {
	for i := 1; i < len(hs); i++ {
		for j := i; j > 0 && bytes.Compare(hs[j][:], hs[j-1][:]) < 0; j-- {
			hs[j], hs[j-1] = hs[j-1], hs[j]
		}
	}
}
