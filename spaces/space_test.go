package spaces

import (
	"math"
	"math/rand"
	"os"
	"testing"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gomlx/gomlx/pkg/core/graph"
)

func TestMain(m *testing.M) {
	if _, ok := os.LookupEnv(backend.EnvVar); !ok {
		os.Setenv(backend.EnvVar, "go")
	}
	os.Exit(m.Run())
}

// TestMixOpsGDAS checks the GDAS edge against a hand computation: with w = one_hot − stop(p) + p,
// p = softmax(z), op_k(x) = a_k·x_k (a different input per op) and loss = Σ c ⊙ out (random c):
//   - out = op_{k*}(x) (the sampled op's output);
//   - ∂L/∂w_k = Σ c for every k ≠ k* (independent of op k), ⟨c, op_{k*}⟩ for k*;
//   - ∂L/∂a_k = 0 for the non-sampled ops;
//   - ∂L/∂z_j = p_j (g_j − Σ_k p_k g_k), g = ∂L/∂w (straight-through);
//
// and, without the one-hot, the weighted sum Σ_k w_k·op_k with ∂L/∂w_k = ⟨c, op_k⟩.
func TestMixOpsGDAS(t *testing.T) {
	const K, n = 4, 6
	rng := rand.New(rand.NewSource(3))
	rnd := func(m int) []float64 {
		v := make([]float64, m)
		for i := range v {
			v[i] = rng.NormFloat64()
		}
		return v
	}
	z, a, c := rnd(K), rnd(K), rnd(n)
	xs := make([][]float64, K)
	for k := range xs {
		xs[k] = rnd(n)
	}
	const sampled = 2
	onehot := make([]float64, K)
	onehot[sampled] = 1
	be := backend.MustNew()
	for _, gdas := range []bool{true, false} {
		exec := graph.MustNewExec(be, func(zN, aN, cN, xN, hN *graph.Node) []*graph.Node {
			p := graph.Softmax(zN, -1)
			w := p
			var hard *graph.Node
			if gdas {
				hard = graph.StopGradient(hN)
				w = graph.Add(graph.Sub(hard, graph.StopGradient(p)), p)
			}
			outs := make([]*graph.Node, K)
			for k := range outs {
				ak := graph.Reshape(graph.Slice(aN, graph.AxisElem(k)))
				outs[k] = graph.Mul(ak, graph.Reshape(graph.Slice(xN, graph.AxisElem(k)), n))
			}
			out := MixOps(w, hard, outs)
			loss := graph.ReduceAllSum(graph.Mul(cN, out))
			grads := graph.Gradient(loss, w, aN, zN)
			return append([]*graph.Node{out, p}, grads...)
		})
		res := exec.MustExec(z, a, c, xs, onehot)
		out := res[0].Value().([]float64)
		p := res[1].Value().([]float64)
		gw, ga, gz := res[2].Value().([]float64), res[3].Value().([]float64), res[4].Value().([]float64)
		sumC := 0.0
		for _, v := range c {
			sumC += v
		}
		for k := 0; k < K; k++ {
			dot := 0.0 // ⟨c, op_k(x)⟩
			for i := range c {
				dot += c[i] * a[k] * xs[k][i]
			}
			wantGW, wantGA := dot, dot/a[k]*p[k] // weighted sum
			if gdas && k == sampled {
				wantGW, wantGA = dot, dot/a[k] // w_{k*} = 1 in value
			} else if gdas {
				wantGW, wantGA = sumC, 0
			}
			if math.Abs(gw[k]-wantGW) > 1e-12 || math.Abs(ga[k]-wantGA) > 1e-12 {
				t.Errorf("gdas=%v op %d: ∂L/∂w = %v (want %v), ∂L/∂a = %v (want %v)", gdas, k, gw[k], wantGW, ga[k], wantGA)
			}
		}
		for i := range out {
			want := 0.0
			for k := 0; k < K; k++ {
				if gdas && k == sampled {
					want = a[k] * xs[k][i]
				} else if !gdas {
					want += p[k] * a[k] * xs[k][i]
				}
			}
			if math.Abs(out[i]-want) > 1e-12 {
				t.Errorf("gdas=%v: out[%d] = %v, want %v", gdas, i, out[i], want)
			}
		}
		pg := 0.0
		for k := range p {
			pg += p[k] * gw[k]
		}
		for j := range z {
			if want := p[j] * (gw[j] - pg); math.Abs(gz[j]-want) > 1e-12 {
				t.Errorf("gdas=%v: ∂L/∂z_%d = %v, want %v", gdas, j, gz[j], want)
			}
		}
	}
}

// TestMixOpsNone: a nil output (`none`) adds nothing to the value; sampled or not, its weight's gradient
// is Σ upstream when it is not the sampled op.
func TestMixOpsNone(t *testing.T) {
	be := backend.MustNew()
	exec := graph.MustNewExec(be, func(w, x *graph.Node) []*graph.Node {
		hard := graph.Const(w.Graph(), []float64{0, 1})
		out := MixOps(w, hard, []*graph.Node{nil, x})
		loss := graph.ReduceAllSum(graph.Mul(out, graph.Const(w.Graph(), []float64{2, 3})))
		return []*graph.Node{out, graph.Gradient(loss, w)[0]}
	})
	res := exec.MustExec([]float64{0, 1}, []float64{5, 7})
	if got := res[0].Value().([]float64); got[0] != 5 || got[1] != 7 {
		t.Errorf("out = %v, want [5 7]", got)
	}
	if got := res[1].Value().([]float64); got[0] != 5 || got[1] != 2*5+3*7 {
		t.Errorf("∂L/∂w = %v, want [5 31]", got)
	}
}
