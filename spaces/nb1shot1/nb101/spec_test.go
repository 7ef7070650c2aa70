package nb101

import (
	"strings"
	"testing"
)

// specFromDigits builds a Spec from the dataset's adjacency digits and comma-separated ops.
func specFromDigits(t testing.TB, digits, ops string) Spec {
	t.Helper()
	opList := strings.Split(ops, ",")
	v := len(opList)
	if len(digits) != v*v {
		t.Fatalf("%d digits for %d ops", len(digits), v)
	}
	m := make([][]int, v)
	for i := range m {
		m[i] = make([]int, v)
		for j := range m[i] {
			m[i][j] = int(digits[i*v+j] - '0')
		}
	}
	s, err := NewSpec(m, opList)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestHashPublished: the hash of every module of NASLib's NAS-Bench-101 asset is its key in the dataset.
func TestHashPublished(t *testing.T) {
	for _, p := range published {
		h, err := specFromDigits(t, p.adjacency, p.ops).Hash()
		if err != nil {
			t.Fatal(err)
		}
		if h.String() != p.hash {
			t.Errorf("Hash(%s %s) = %s, dataset key %s", p.adjacency, p.ops, h, p.hash)
		}
	}
}

// permuted relabels the interior vertices of s by perm (perm[i] is the new index of interior vertex i+1);
// ok is false when the result is not upper triangular (not a topological order).
func permuted(s Spec, perm []int) (Spec, bool) {
	v := s.Vertices()
	to := func(i int) int {
		if i == 0 || i == v-1 {
			return i
		}
		return perm[i-1] + 1
	}
	m := make([][]int, v)
	for i := range m {
		m[i] = make([]int, v)
	}
	ops := make([]string, v)
	for i := 0; i < v; i++ {
		ops[to(i)] = s.Ops[i]
		for j := 0; j < v; j++ {
			if s.Matrix[i][j] {
				if to(i) >= to(j) {
					return Spec{}, false
				}
				m[to(i)][to(j)] = 1
			}
		}
	}
	p, err := NewSpec(m, ops)
	return p, err == nil
}

func permutations(n int) [][]int {
	if n == 0 {
		return [][]int{{}}
	}
	var out [][]int
	for _, p := range permutations(n - 1) {
		for pos := 0; pos <= len(p); pos++ {
			q := append(append(append([]int{}, p[:pos]...), n-1), p[pos:]...)
			out = append(out, q)
		}
	}
	return out
}

// TestHashIsomorphism: every relabelling of the interior vertices that keeps the matrix upper
// triangular gives the same hash; changing one op label gives another.
func TestHashIsomorphism(t *testing.T) {
	for _, p := range published[:8] {
		s := specFromDigits(t, p.adjacency, p.ops)
		want, _ := s.Hash()
		tried := 0
		for _, perm := range permutations(s.Vertices() - 2) {
			q, ok := permuted(s, perm)
			if !ok {
				continue
			}
			tried++
			if got, err := q.Hash(); err != nil || got != want {
				t.Errorf("%s relabelled by %v: hash %s (err %v), want %s", p.hash, perm, got, err, want)
			}
		}
		if tried < 1 {
			t.Errorf("%s: no relabelling tried", p.hash)
		}
		q := specFromDigits(t, p.adjacency, p.ops)
		for i := 1; i < len(q.Ops)-1; i++ {
			if q.Ops[i] != MaxPool3x3 {
				q.Ops[i] = MaxPool3x3
				break
			}
		}
		if got, _ := q.Hash(); got == want {
			t.Errorf("%s: changing an op kept the hash", p.hash)
		}
	}
}

// TestInceptionCell: the Inception-like module of NAS-Bench-101's README (google-research/nasbench
// README.md lines 129-139, example.py) and the form the dataset stores it in, which a query prints
// (gary9987/tensorflow-get-started gcn/NAS_BENCH_101.md: module_adjacency, module_operations,
// trainable_parameters 2694282), are isomorphic: same hash, and the parameter count is the dataset's.
func TestInceptionCell(t *testing.T) {
	readme := specFromDigits(t,
		"0111010"+"0000001"+"0000001"+"0000100"+"0000001"+"0000001"+"0000000",
		"input,conv1x1-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu,maxpool3x3,output")
	stored := specFromDigits(t,
		"0111100"+"0000001"+"0000001"+"0000001"+"0000010"+"0000001"+"0000000",
		"input,conv3x3-bn-relu,conv1x1-bn-relu,maxpool3x3,conv3x3-bn-relu,conv3x3-bn-relu,output")
	h1, err1 := readme.Hash()
	h2, err2 := stored.Hash()
	if err1 != nil || err2 != nil || h1 != h2 {
		t.Errorf("README form %s (%v), stored form %s (%v): want equal hashes", h1, err1, h2, err2)
	}
	for _, s := range []Spec{readme, stored} {
		if n, err := ParamCount(s, DefaultNetwork); err != nil || n != 2694282 {
			t.Errorf("ParamCount(%s) = %d, %v; the dataset reports 2694282", s, n, err)
		}
	}
}

// TestParamCountPublished: ParamCount of every module of the asset is the dataset's trainable_parameters.
func TestParamCountPublished(t *testing.T) {
	for _, p := range published {
		n, err := ParamCount(specFromDigits(t, p.adjacency, p.ops), DefaultNetwork)
		if err != nil || n != p.params {
			t.Errorf("ParamCount(%s) = %d, %v; dataset %d", p.hash, n, err, p.params)
		}
	}
}

// TestPrune: pruning as ModelSpec._prune — vertices off every input→output path go, the order of the
// others is kept, and an input that does not reach the output makes the spec invalid.
func TestPrune(t *testing.T) {
	cases := []struct {
		name, digits, ops string
		want              string // pruned digits and ops, "" for invalid
	}{
		{"already pruned", "0110" + "0001" + "0001" + "0000", "input,conv3x3-bn-relu,maxpool3x3,output",
			"0110000100010000 input,conv3x3-bn-relu,maxpool3x3,output"},
		{"dead end (no path to output)", "0110" + "0001" + "0000" + "0000", "input,conv3x3-bn-relu,maxpool3x3,output",
			"010001000 input,conv3x3-bn-relu,output"},
		{"unreachable from input", "0001" + "0011" + "0001" + "0000", "input,conv3x3-bn-relu,maxpool3x3,output",
			"0100 input,output"},
		{"NB-1Shot1 dummy vertex 5", "0100000" + "0010000" + "0001000" + "0000100" + "0000001" + "0000000" + "0000000",
			"input,conv1x1-bn-relu,conv3x3-bn-relu,maxpool3x3,conv3x3-bn-relu,conv1x1-bn-relu,output",
			"010000" + "001000" + "000100" + "000010" + "000001" + "000000 input,conv1x1-bn-relu,conv3x3-bn-relu,maxpool3x3,conv3x3-bn-relu,output"},
		{"input not connected", "0100" + "0010" + "0000" + "0000", "input,conv3x3-bn-relu,maxpool3x3,output", ""},
	}
	for _, c := range cases {
		p, ok := specFromDigits(t, c.digits, c.ops).Prune()
		got := ""
		if ok {
			got = p.String()
		}
		if got != c.want {
			t.Errorf("%s: Prune = %q, want %q", c.name, got, c.want)
		}
	}
}
