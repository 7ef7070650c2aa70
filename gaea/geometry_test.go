package gaea

import (
	"math"
	"math/rand"
	"reflect"
	"sort"
	"testing"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

func softmaxRef(x []float64) []float64 {
	m := math.Inf(-1)
	for _, v := range x {
		m = math.Max(m, v)
	}
	out := make([]float64, len(x))
	s := 0.0
	for i, v := range x {
		out[i] = math.Exp(v - m)
		s += out[i]
	}
	for i := range out {
		out[i] /= s
	}
	return out
}

// TestEntropicLinearIsSoftmax: on c·w from uniform, EG after t steps is softmax(−η t c).
func TestEntropicLinearIsSoftmax(t *testing.T) {
	be := backend.MustNew()
	costs := []float64{1, 2, 3, 0.5}
	const lr, steps = 0.3, 12
	traj, err := Linear(costs).Trajectory(be, Entropic(), lr, steps)
	if err != nil {
		t.Fatal(err)
	}
	if len(traj) != steps+1 {
		t.Fatalf("%d rows, want %d", len(traj), steps+1)
	}
	for s, w := range traj {
		z := make([]float64, len(costs))
		for i, c := range costs {
			z[i] = -lr * float64(s) * c
		}
		want := softmaxRef(z)
		for i := range w {
			if d := math.Abs(w[i] - want[i]); d > 1e-6 {
				t.Fatalf("step %d: w=%v, softmax(−ηtc)=%v (diff %g)", s, w, want, d)
			}
		}
	}
}

// projectRef is the sorting algorithm (Held, Wolfe, Crowder; Duchi et al. 2008) in float64.
func projectRef(v []float64) []float64 {
	u := append([]float64(nil), v...)
	sort.Sort(sort.Reverse(sort.Float64Slice(u)))
	cum, rho, tau := 0.0, 0, 0.0
	for j, x := range u {
		cum += x
		if x-(cum-1)/float64(j+1) > 0 {
			rho = j + 1
			tau = (cum - 1) / float64(rho)
		}
	}
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = math.Max(x-tau, 0)
	}
	return out
}

func TestProjectSimplex(t *testing.T) {
	be := backend.MustNew()
	rng := rand.New(rand.NewSource(5))
	const rows, cols = 200, 6
	v := make([]float64, rows*cols)
	for i := range v {
		v[i] = rng.NormFloat64() * math.Pow(10, float64(rng.Intn(3)-1))
	}
	// Ties, already-on-simplex rows, a vertex and a constant row.
	copy(v[0:6], []float64{0.5, 0.5, 0.5, -1, 0.5, 0})
	copy(v[6:12], []float64{0.1, 0.2, 0.3, 0.4, 0, 0})
	copy(v[12:18], []float64{0, 0, 1, 0, 0, 0})
	copy(v[18:24], []float64{7, 7, 7, 7, 7, 7})
	out := graph.MustExecOnce(be, ProjectSimplex, tensors.FromFlatDataAndDimensions(v, rows, cols))
	got := tensors.MustCopyFlatData[float64](out)
	for r := 0; r < rows; r++ {
		want := projectRef(v[r*cols : (r+1)*cols])
		sum := 0.0
		for c := 0; c < cols; c++ {
			x := got[r*cols+c]
			sum += x
			if x < 0 {
				t.Fatalf("row %d: negative weight %g", r, x)
			}
			if d := math.Abs(x - want[c]); d > 1e-12 {
				t.Fatalf("row %d: got %v, want %v", r, got[r*cols:(r+1)*cols], want)
			}
		}
		if math.Abs(sum-1) > 1e-12 {
			t.Fatalf("row %d sums to %g", r, sum)
		}
	}
}

// TestSoftmaxMatchesHandAdam: the softmax geometry on c·softmax(α) equals Adam (betas 0.5/0.999, L2 1e-3)
// written out by hand with the softmax Jacobian, on one row.
func TestSoftmaxMatchesHandAdam(t *testing.T) {
	be := backend.MustNew()
	costs := []float64{0.3, -1.2, 2.0, 0.7, 0.1}
	rng := rand.New(rand.NewSource(6))
	alpha0 := Softmax().Init(1, len(costs), rng)
	const lr, steps = 0.05, 15

	ctx := context.New()
	if _, err := NewBlock(ctx, "alpha", 1, len(costs), alpha0, dtypes.Float64); err != nil {
		t.Fatal(err)
	}
	opt := archOptimizer(t, ctx, Softmax(), lr)
	step := context.MustNewExec(be, ctx, func(ctx *context.Context, g *graph.Graph) *graph.Node {
		w := Softmax().Mixture(Blocks(ctx)[0].ValueGraph(g))
		loss := Linear(costs).Objective(w)
		opt.UpdateGraph(ctx, g, loss)
		return Blocks(ctx)[0].ValueGraph(g)
	})
	// Hand-written Adam.
	a := append([]float64(nil), alpha0...)
	m := make([]float64, len(a))
	v := make([]float64, len(a))
	for s := 1; s <= steps; s++ {
		w := softmaxRef(a)
		cw := 0.0
		for i := range w {
			cw += costs[i] * w[i]
		}
		for i := range a {
			g := w[i]*(costs[i]-cw) + DARTSAdamWeightDecay*a[i] // ∂(c·softmax(α))/∂α_i + L2
			m[i] = DARTSAdamBeta1*m[i] + (1-DARTSAdamBeta1)*g
			v[i] = DARTSAdamBeta2*v[i] + (1-DARTSAdamBeta2)*g*g
			mh := m[i] / (1 - math.Pow(DARTSAdamBeta1, float64(s)))
			vh := v[i] / (1 - math.Pow(DARTSAdamBeta2, float64(s)))
			a[i] -= lr * mh / (math.Sqrt(vh) + DARTSAdamEpsilon)
		}
		step.MustExec()
		got := tensors.MustCopyFlatData[float64](Blocks(ctx)[0].MustValue())
		for i := range a {
			if d := math.Abs(got[i] - a[i]); d > 1e-9 {
				t.Fatalf("step %d: α=%v, hand Adam %v", s, got, a)
			}
		}
	}
}

// TestRowsStayOnSimplex: 1,000 steps against random costs keep every row summing to 1 (± 1e-6) with
// positive entries (entropic) or non-negative ones (Euclidean), in float32 as a search runs.
func TestRowsStayOnSimplex(t *testing.T) {
	be := backend.MustNew()
	const rows, cols, steps = 6, 5, 1000
	for _, geo := range []Geometry{Entropic(), Euclidean()} {
		ctx := context.New()
		if _, err := NewBlock(ctx, "theta", rows, cols, geo.Init(rows, cols, nil), dtypes.Float32); err != nil {
			t.Fatal(err)
		}
		opt := archOptimizer(t, ctx, geo, 0.7)
		step := context.MustNewExec(be, ctx, func(ctx *context.Context, costs *graph.Node) *graph.Node {
			theta := Blocks(ctx)[0].ValueGraph(costs.Graph())
			opt.UpdateGraph(ctx, costs.Graph(), graph.ReduceAllSum(graph.Mul(geo.Mixture(theta), costs)))
			return Blocks(ctx)[0].ValueGraph(costs.Graph())
		})
		rng := rand.New(rand.NewSource(7))
		c := make([]float32, rows*cols)
		for s := 0; s < steps; s++ {
			for i := range c {
				c[i] = float32(rng.NormFloat64() * 3)
			}
			out := step.MustExec(tensors.FromFlatDataAndDimensions(c, rows, cols))[0]
			theta := tensors.MustCopyFlatData[float32](out)
			for r := 0; r < rows; r++ {
				sum := 0.0
				for k := 0; k < cols; k++ {
					x := float64(theta[r*cols+k])
					sum += x
					// Entropic entries are clamped to ≥ 1e-5 before the row is renormalised (the reference
					// order), so they stay strictly positive; Euclidean ones may be exactly 0.
					if x < 0 || x == 0 && geo.Name() == "entropic" || math.IsNaN(x) {
						t.Fatalf("%s step %d row %d: entry %g", geo.Name(), s, r, x)
					}
				}
				if math.Abs(sum-1) > 1e-6 {
					t.Fatalf("%s step %d row %d sums to %.9f", geo.Name(), s, r, sum)
				}
			}
		}
	}
}

// TestLRChangeWithoutRecompile: setting the learning-rate variable between steps changes the next
// update, and the step's graph is built once.
func TestLRChangeWithoutRecompile(t *testing.T) {
	be := backend.MustNew()
	ctx := context.New()
	costs := []float64{1, 0, 2}
	if _, err := NewBlock(ctx, "theta", 1, 3, Uniform(1, 3), dtypes.Float64); err != nil {
		t.Fatal(err)
	}
	opt := archOptimizer(t, ctx, Entropic(), 0.1)
	builds := 0
	step := context.MustNewExec(be, ctx, func(ctx *context.Context, g *graph.Graph) *graph.Node {
		builds++
		theta := Blocks(ctx)[0].ValueGraph(g)
		opt.UpdateGraph(ctx, g, Linear(costs).Objective(theta))
		return Blocks(ctx)[0].ValueGraph(g)
	})
	ratio := func(out *tensors.Tensor) float64 { // θ_0/θ_1 grows by exp(η·(c_1−c_0)) = exp(−η) per step
		th := tensors.MustCopyFlatData[float64](out)
		return th[0] / th[1]
	}
	r0 := 1.0
	r1 := ratio(step.MustExec()[0])
	ctx.In(ArchScope).GetVariableByScopeAndName(ctx.In(ArchScope).Scope(), LRVar).MustSetValue(tensors.FromValue(0.5))
	r2 := ratio(step.MustExec()[0])
	if d := math.Abs(math.Log(r1/r0) - (-0.1)); d > 1e-9 {
		t.Errorf("first step with lr 0.1: log ratio change %g, want -0.1", math.Log(r1/r0))
	}
	if d := math.Abs(math.Log(r2/r1) - (-0.5)); d > 1e-9 {
		t.Errorf("second step with lr 0.5: log ratio change %g, want -0.5", math.Log(r2/r1))
	}
	if builds != 1 {
		t.Errorf("the step graph was built %d times, want 1", builds)
	}
}

// TestGeometryByName: the shipped geometries come first in GeometryNames (tests may register more), by
// name and by alias.
func TestGeometryByName(t *testing.T) {
	names := GeometryNames()
	if len(names) < 4 || !reflect.DeepEqual(names[:4], []string{"entropic", "euclidean", "softmax", "softmax-sgd"}) {
		t.Errorf("GeometryNames() = %v", names)
	}
	for _, n := range names {
		g, err := GeometryByName(n)
		if err != nil || g.Name() != n {
			t.Errorf("GeometryByName(%q) = %v, %v", n, g, err)
		}
	}
	for alias, want := range map[string]string{"eg": "entropic", "gaea": "entropic", "euclid": "euclidean", "darts": "softmax"} {
		if g, err := GeometryByName(alias); err != nil || g.Name() != want {
			t.Errorf("GeometryByName(%q) = %v, %v; want %s", alias, g, err, want)
		}
	}
	if _, err := GeometryByName("nope"); err == nil {
		t.Error("no error for an unknown geometry")
	}
}

// TestEntropicStepFormula checks one EG step against the update written out in Go: θ·exp(−ηg), entries
// clamped to ≥ 1e-5, rows renormalised — including rows where the clamp is active.
func TestEntropicStepFormula(t *testing.T) {
	be := backend.MustNew()
	rng := rand.New(rand.NewSource(8))
	const rows, cols = 20, 5
	theta := make([]float64, rows*cols)
	grad := make([]float64, rows*cols)
	for r := 0; r < rows; r++ {
		s := 0.0
		for k := 0; k < cols; k++ {
			theta[r*cols+k] = rng.Float64() + 1e-3
			s += theta[r*cols+k]
		}
		for k := 0; k < cols; k++ {
			theta[r*cols+k] /= s
			grad[r*cols+k] = rng.NormFloat64() * float64(1+r) // large gradients: clamp active
		}
	}
	const lr = 0.9
	out := graph.MustExecOnce(be, func(th, g *graph.Node) *graph.Node {
		return Entropic().Step(nil, th, g, graph.Scalar(th.Graph(), dtypes.Float64, lr))
	}, tensors.FromFlatDataAndDimensions(theta, rows, cols), tensors.FromFlatDataAndDimensions(grad, rows, cols))
	got := tensors.MustCopyFlatData[float64](out)
	clamped := 0
	for r := 0; r < rows; r++ {
		u := make([]float64, cols)
		s := 0.0
		for k := range u {
			u[k] = theta[r*cols+k] * math.Exp(-lr*grad[r*cols+k])
			if u[k] < MinWeight {
				u[k] = MinWeight
				clamped++
			}
			s += u[k]
		}
		for k := range u {
			if d := math.Abs(got[r*cols+k] - u[k]/s); d > 1e-12 {
				t.Fatalf("row %d: got %v, want %v", r, got[r*cols:(r+1)*cols], u)
			}
		}
	}
	if clamped == 0 {
		t.Fatal("test data never hit the clamp")
	}
}
