package nb1shot1

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// TestDiscretize: weights → cell as the reference evaluation (eval_darts_one_shot_model_in_nasbench.py
// lines 41-110): argmax op per node (ties: numpy's first index), top-k parents per node with weights by
// utils.get_top_k (k = in-degree), output top-k, fixed parents for nodes without weights (node 1: 0;
// space 1's node 2: 0 and 1). The expected cells are worked out by hand from those rules.
func TestDiscretize(t *testing.T) {
	cases := []struct {
		name    string
		space   int
		ops     [][]float64
		parents [][]float64
		want    string
		spec    string // the NAS-Bench-101 form, "" to skip
	}{
		{"space 1, node 4 a loose end", 1,
			[][]float64{{0.1, 0.5, 0.4}, {0.6, 0.3, 0.1}, {0.2, 0.3, 0.5}, {0.3, 0.35, 0.35}},
			[][]float64{{0.5, 0.1, 0.4}, {0.1, 0.2, 0.3, 0.4}, {0.3, 0.1, 0.2, 0.25, 0.15}},
			"1:conv3x3-bn-relu(0) 2:maxpool3x3(0,1) 3:conv1x1-bn-relu(0,2) 4:conv3x3-bn-relu(2,3) out(0,3)",
			"0111001001000000010000000001000000000000000000000 input,conv3x3-bn-relu,maxpool3x3,conv1x1-bn-relu,conv3x3-bn-relu,conv1x1-bn-relu,output"},
		{"space 2, output keeps 3, tie 0~1 for node 3", 2,
			[][]float64{{1, 2, 3}, {3, 2, 1}, {2, 3, 1}, {-1, -2, -3}},
			[][]float64{{-1, 2}, {0, 0, 1}, {5, -3, 2, 4}, {0.1, 0.9, 0.3, 0.2, 0.8}},
			"1:conv1x1-bn-relu(0) 2:maxpool3x3(1) 3:conv3x3-bn-relu(0,2) 4:maxpool3x3(0,3) out(1,2,4)",
			"0101100001000100010010000100000000100000000000000 input,conv1x1-bn-relu,maxpool3x3,conv3x3-bn-relu,maxpool3x3,conv1x1-bn-relu,output"},
		{"space 3, three-way tie for node 5", 3,
			[][]float64{{0, 0, 1}, {0, 1, 0}, {1, 0, 0}, {0, 0, 1}, {0, 1, 0}},
			[][]float64{{0.7, 0.3}, {0.2, 0.3, 0.5}, {0.1, 0.6, 0.2, 0.1}, {0.05, 0.05, 0.3, 0.3, 0.3}, {0, 0, 0, 0, 1, 2}},
			"1:conv1x1-bn-relu(0) 2:conv3x3-bn-relu(0) 3:maxpool3x3(2) 4:conv1x1-bn-relu(1,2) 5:conv3x3-bn-relu(2,3) out(4,5)",
			"0110000000010000011100000010000000100000010000000 input,conv1x1-bn-relu,conv3x3-bn-relu,maxpool3x3,conv1x1-bn-relu,conv3x3-bn-relu,output"},
		{"space 1, uniform start (GAEA): lowest indices", 1, uniformRows(4, 3), [][]float64{uniform(3), uniform(4), uniform(5)},
			"1:maxpool3x3(0) 2:maxpool3x3(0,1) 3:maxpool3x3(0,1) 4:maxpool3x3(0,1) out(0,1)", ""},
		{"space 3, uniform start", 3, uniformRows(5, 3), [][]float64{uniform(2), uniform(3), uniform(4), uniform(5), uniform(6)},
			"1:maxpool3x3(0) 2:maxpool3x3(0) 3:maxpool3x3(0) 4:maxpool3x3(0,1) 5:maxpool3x3(0,1) out(0,1)", ""},
	}
	for _, c := range cases {
		s := New(c.space)
		cell, err := s.DiscretizeWeights(Weights{Ops: c.ops, Parents: c.parents})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if cell.String() != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, cell, c.want)
		}
		if c.spec != "" && cell.Spec().String() != c.spec {
			t.Errorf("%s: spec\n got %s\nwant %s", c.name, cell.Spec(), c.spec)
		}
		g, err := s.Discretize(c.ops, c.parents)
		if err != nil || g.String() != c.want {
			t.Errorf("%s: Discretize (spaces.Space) = %v, %v", c.name, g, err)
		}
	}
}

func uniform(n int) []float64 {
	r := make([]float64, n)
	for i := range r {
		r[i] = 1 / float64(n)
	}
	return r
}

func uniformRows(rows, n int) [][]float64 {
	out := make([][]float64, rows)
	for i := range out {
		out[i] = uniform(n)
	}
	return out
}

func softmax(row []float64) []float64 {
	m := math.Inf(-1)
	for _, v := range row {
		m = math.Max(m, v)
	}
	out := make([]float64, len(row))
	sum := 0.0
	for i, v := range row {
		out[i] = math.Exp(v - m)
		sum += out[i]
	}
	for i := range out {
		out[i] /= sum
	}
	return out
}

// TestDiscretizeSoftmaxInvariant: the reference discretises softmax(α) (DARTS's α at 1e-3·randn scale,
// model_search.py lines 207-221); the cell is the same as from α itself.
func TestDiscretizeSoftmaxInvariant(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for n := 1; n <= 3; n++ {
		s := New(n)
		for range 200 {
			var raw, soft Weights
			for range s.Nodes() {
				r := []float64{1e-3 * rng.NormFloat64(), 1e-3 * rng.NormFloat64(), 1e-3 * rng.NormFloat64()}
				raw.Ops = append(raw.Ops, r)
				soft.Ops = append(soft.Ops, softmax(r))
			}
			for _, row := range s.ParentRows() {
				r := make([]float64, row.Candidates)
				for i := range r {
					r[i] = 1e-3 * rng.NormFloat64()
				}
				raw.Parents = append(raw.Parents, r)
				soft.Parents = append(soft.Parents, softmax(r))
			}
			a, err1 := s.DiscretizeWeights(raw)
			b, err2 := s.DiscretizeWeights(soft)
			if err1 != nil || err2 != nil || a.String() != b.String() {
				t.Fatalf("space %d: %s (%v) vs softmax %s (%v)", n, a, err1, b, err2)
			}
			if err := s.CheckCell(a); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// TestDiscretizeErrors: weights of the wrong shape or not finite give one-line errors.
func TestDiscretizeErrors(t *testing.T) {
	s := New(1)
	ops := uniformRows(4, 3)
	par := [][]float64{uniform(3), uniform(4), uniform(5)}
	nan := [][]float64{uniform(3), {0, math.NaN(), 0, 0}, uniform(5)}
	inf := uniformRows(4, 3)
	inf[2] = []float64{0, math.Inf(1), 0}
	cases := []struct {
		name     string
		ops, par [][]float64
		want     string
	}{
		{"3 op rows", ops[:3], par, "3 op-weight rows, want 4 (one per choice node)"},
		{"op row of 4", append(uniformRows(3, 3), uniform(4)), par, "op weights of node 4 have 4 values, want 3"},
		{"2 parent rows", ops, par[:2], "2 parent-weight rows, want 3 (node3, node4, output)"},
		{"short output row", ops, [][]float64{uniform(3), uniform(4), uniform(4)}, "parent weights of output have 4 values, want 5 (nodes 0..4)"},
		{"NaN", ops, nan, "parent weights of node4: value 1 is NaN"},
		{"Inf", inf, par, "op weights of node 3: value 1 is +Inf"},
	}
	for _, c := range cases {
		_, err := s.DiscretizeWeights(Weights{Ops: c.ops, Parents: c.par})
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want one line containing %q", c.name, err, c.want)
		}
	}
}
