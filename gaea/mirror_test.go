package gaea

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gaeanas/gaeanas/backend"
)

// TestMirrorMatchesGraphGeometries: the plain-Go steps are the graph geometries' steps (Entropic's floor
// at MinWeight is never reached here).
func TestMirrorMatchesGraphGeometries(t *testing.T) {
	be := backend.MustNew()
	costs := []float64{0.3, -0.2, 0.9, 0.1, 0.5}
	for _, c := range []struct {
		m   Mirror
		geo Geometry
		lr  float64
	}{
		{NegEntropy(), Entropic(), 0.7},
		{HalfSquared(), Euclidean(), 0.15},
	} {
		const steps = 12
		traj, err := Linear(costs).Trajectory(be, c.geo, c.lr, steps)
		if err != nil {
			t.Fatal(err)
		}
		theta := uniformRow(len(costs))
		for s := 1; s <= steps; s++ {
			c.m.Step(theta, costs, c.lr)
			for k := range theta {
				if d := math.Abs(theta[k] - traj[s][k]); d > 1e-9 {
					t.Fatalf("%s step %d: plain Go %v, graph %v", c.m.Name(), s, theta, traj[s])
				}
			}
		}
		if c.m.Name() != c.geo.Name() {
			t.Errorf("mirror %q, geometry %q", c.m.Name(), c.geo.Name())
		}
	}
}

// randomSimplex draws a point of the simplex (a few entries exactly 0 when zeros is set).
func randomSimplex(rng *rand.Rand, k int, zeros bool) []float64 {
	v := make([]float64, k)
	s := 0.0
	for i := range v {
		v[i] = -math.Log(rng.Float64())
		if zeros && i%3 == 2 {
			v[i] = 0
		}
		s += v[i]
	}
	for i := range v {
		v[i] /= s
	}
	return v
}

// TestMirrorStepIsArgmin: θ⁺ minimises η⟨g, u⟩ + D(u, θ) over the simplex: no random point of the simplex
// and no point between θ⁺ and one does better.
func TestMirrorStepIsArgmin(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, m := range []Mirror{NegEntropy(), HalfSquared()} {
		for trial := 0; trial < 20; trial++ {
			k := 2 + trial%6
			theta := randomSimplex(rng, k, false)
			g := make([]float64, k)
			for i := range g {
				g[i] = 4*rng.Float64() - 2
			}
			eta := math.Pow(10, 2*rng.Float64()-1)
			next := slices.Clone(theta)
			m.Step(next, g, eta)
			obj := func(u []float64) float64 { return eta*dot(g, u) + m.Divergence(u, theta) }
			if s := sumOf(next); math.Abs(s-1) > 1e-12 || slices.Min(next) < 0 {
				t.Fatalf("%s: step left the simplex: %v (sum %v)", m.Name(), next, s)
			}
			best := obj(next)
			for j := 0; j < 200; j++ {
				u := randomSimplex(rng, k, j%2 == 0)
				for _, a := range []float64{1, 0.1, 0.01} {
					mix := make([]float64, k)
					for i := range mix {
						mix[i] = (1-a)*next[i] + a*u[i]
					}
					if v := obj(mix); v < best-1e-12 {
						t.Fatalf("%s (η %v, g %v, θ %v): %v at %v is below %v at the step %v", m.Name(), eta, g, theta, v, mix, best, next)
					}
				}
			}
		}
	}
}

func sumOf(v []float64) float64 {
	s := 0.0
	for _, x := range v {
		s += x
	}
	return s
}

func TestDivergence(t *testing.T) {
	u, v := []float64{0.5, 0.5, 0}, []float64{0.25, 0.25, 0.5}
	for _, c := range []struct {
		m    Mirror
		a, b []float64
		want float64
	}{
		{NegEntropy(), u, v, math.Log(2)},                   // ½ log 2 + ½ log 2, the 0 entry adds nothing
		{NegEntropy(), v, u, math.Inf(1)},                   // v has mass where u has none
		{NegEntropy(), v, v, 0},                             //
		{HalfSquared(), u, v, (1.0/16 + 1.0/16 + 0.25) / 2}, //
		{HalfSquared(), v, u, (1.0/16 + 1.0/16 + 0.25) / 2}, // symmetric
		{HalfSquared(), u, u, 0},
	} {
		if got := c.m.Divergence(c.a, c.b); !(math.Abs(got-c.want) < 1e-15 || got == c.want) {
			t.Errorf("%s D(%v, %v) = %v, want %v", c.m.Name(), c.a, c.b, got, c.want)
		}
	}
}

// TestStationarity: Δ_λ is 0 at the minimiser of a linear objective and positive elsewhere; for EG it is
// ⟨c, θ − θ̂⟩/λ (the symmetrised KL of one EG step), for the Euclidean step at an interior point with a
// small λ it is ‖c − mean(c)‖², the squared norm of the projected gradient.
func TestStationarity(t *testing.T) {
	c := []float64{0, 1, 1, 2}
	vertex := []float64{1, 0, 0, 0}
	uniform := uniformRow(4)
	for _, m := range []Mirror{NegEntropy(), HalfSquared()} {
		if s := Stationarity(m, vertex, c, 0.5); s != 0 {
			t.Errorf("%s: Δ at the minimiser = %v, want 0", m.Name(), s)
		}
		if s := Stationarity(m, uniform, c, 0.5); !(s > 0) {
			t.Errorf("%s: Δ at the uniform point = %v, want > 0", m.Name(), s)
		}
	}
	const lambda = 0.7
	hat := slices.Clone(uniform)
	NegEntropy().Step(hat, c, lambda)
	want := (dot(c, uniform) - dot(c, hat)) / lambda
	if got := Stationarity(NegEntropy(), uniform, c, lambda); math.Abs(got-want) > 1e-12 {
		t.Errorf("EG: Δ = %v, want ⟨c, θ − θ̂⟩/λ = %v", got, want)
	}
	// mean(c) = 1: ‖c − 1‖² = 1 + 0 + 0 + 1.
	if got := Stationarity(HalfSquared(), uniform, c, 1e-3); math.Abs(got-2) > 1e-9 {
		t.Errorf("Euclidean: Δ at small λ = %v, want ‖c − mean c‖² = 2", got)
	}
}

func TestStepsToStationary(t *testing.T) {
	for _, c := range []struct {
		measure []float64
		eps     float64
		want    int
	}{
		{[]float64{0.5}, 0.5, 1},
		{[]float64{1, 0, 0, 0}, 0.3, 4},      // means 1, 0.5, 0.33, 0.25
		{[]float64{1, 0, 0, 0}, 0.34, 3},     //
		{[]float64{0.2, 5, 0, 0, 0}, 0.2, 1}, // the first iterate alone is enough
		{[]float64{1, 1, 1}, 0.5, 0},         // never
		{nil, 1, 0},
	} {
		if got := StepsToStationary(c.measure, c.eps); got != c.want {
			t.Errorf("StepsToStationary(%v, %v) = %d, want %d", c.measure, c.eps, got, c.want)
		}
	}
}

func TestFitLine(t *testing.T) {
	x := []float64{1, 2, 3, 4}
	y := []float64{3, 5, 7, 9}
	slope, icpt, r2, err := FitLine(x, y)
	if err != nil || math.Abs(slope-2) > 1e-12 || math.Abs(icpt-1) > 1e-12 || math.Abs(r2-1) > 1e-12 {
		t.Errorf("FitLine of y = 2x + 1: %v, %v, R² %v, %v", slope, icpt, r2, err)
	}
	if _, _, r2, _ := FitLine(x, []float64{1, 3, 2, 4}); !(r2 > 0 && r2 < 1) {
		t.Errorf("R² of a noisy line = %v, want in (0, 1)", r2)
	}
	for _, bad := range [][2][]float64{{{1}, {1}}, {{1, 2}, {1}}, {{2, 2}, {1, 3}}} {
		if _, _, _, err := FitLine(bad[0], bad[1]); err == nil {
			t.Errorf("FitLine(%v, %v): no error", bad[0], bad[1])
		}
	}
}

// TestNoisyLinearRun: without noise EG from uniform is softmax(−ηtc) and its gap is f − min f; the same
// seed gives the same run; StopAt ends the run at the first ε-stationary prefix; bad settings are errors.
func TestNoisyLinearRun(t *testing.T) {
	c := []float64{0.5, 0, 1}
	tr, err := NoisyLinear{Costs: c}.Run(NegEntropy(), RunConfig{Eta: 0.4, Steps: 30, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	z := make([]float64, len(c))
	for i := range c {
		z[i] = -0.4 * 30 * c[i]
	}
	want := softmaxRef(z)
	for i := range want {
		if math.Abs(tr.Theta[i]-want[i]) > 1e-12 {
			t.Fatalf("θ_30 = %v, want softmax(−ηtc) = %v", tr.Theta, want)
		}
	}
	if len(tr.Gap) != 30 || math.Abs(tr.Gap[0]-0.5) > 1e-15 || tr.Bregman != nil {
		t.Fatalf("gap %d values starting %v (want 30 from 0.5), Bregman %v (want none)", len(tr.Gap), tr.Gap[0], tr.Bregman)
	}
	for i := 1; i < len(tr.Gap); i++ {
		if tr.Gap[i] >= tr.Gap[i-1] {
			t.Fatalf("the noiseless gap does not decrease at step %d: %v", i, tr.Gap)
		}
	}

	p := NoisyLinear{Costs: []float64{0, 1, 1, 1, 1, 1}, Noise: 1}
	for _, m := range []Mirror{NegEntropy(), HalfSquared()} {
		a, _ := p.Run(m, RunConfig{Eta: 0.3, Steps: 200, Seed: 7, Lambda: 0.5})
		b, _ := p.Run(m, RunConfig{Eta: 0.3, Steps: 200, Seed: 7, Lambda: 0.5})
		d, _ := p.Run(m, RunConfig{Eta: 0.3, Steps: 200, Seed: 8})
		if !slices.Equal(a.Gap, b.Gap) || !slices.Equal(a.Bregman, b.Bregman) || len(a.Bregman) != 200 {
			t.Errorf("%s: the same seed gave different runs (or no Bregman measure)", m.Name())
		}
		if slices.Equal(a.Gap, d.Gap) {
			t.Errorf("%s: seeds 7 and 8 gave the same noise", m.Name())
		}
		n := StepsToStationary(a.Gap, 0.2)
		if n == 0 {
			t.Fatalf("%s: not 0.2-stationary in 200 steps", m.Name())
		}
		stopped, _ := p.Run(m, RunConfig{Eta: 0.3, Steps: 200, Seed: 7, StopAt: 0.2})
		if len(stopped.Gap) != n || !slices.Equal(stopped.Gap, a.Gap[:n]) {
			t.Errorf("%s: StopAt ran %d steps, want the %d of the first 0.2-stationary prefix", m.Name(), len(stopped.Gap), n)
		}
	}

	for _, rc := range []RunConfig{{Eta: 0, Steps: 1}, {Eta: math.Inf(1), Steps: 1}, {Eta: 1, Steps: 0}, {Eta: 1, Steps: 1, Lambda: -1}, {Eta: 1, Steps: 1, StopAt: math.NaN()}} {
		if _, err := p.Run(NegEntropy(), rc); err == nil {
			t.Errorf("Run(%+v): no error", rc)
		}
	}
	if _, err := (NoisyLinear{Costs: []float64{1}}).Run(NegEntropy(), RunConfig{Eta: 1, Steps: 1}); err == nil {
		t.Error("one op: no error")
	}
}

// TestSharedWeights: the gradients are the derivatives of L; without noise both geometries reach the
// global vertex (θ on the smallest floor, w at its centre) and the gap goes to 0; Run checks its settings.
func TestSharedWeights(t *testing.T) {
	p := SharedWeights{
		Centers: [][]float64{{1, 0}, {0, 1}, {-1, 0}},
		Floors:  []float64{0.2, 0, 0.3},
	}
	L := func(w, theta []float64) float64 {
		s := 0.0
		for k, c := range p.Centers {
			d := (w[0]-c[0])*(w[0]-c[0]) + (w[1]-c[1])*(w[1]-c[1])
			s += theta[k] * (d/2 + p.Floors[k])
		}
		return s
	}
	w, theta := []float64{0.3, -0.2}, []float64{0.2, 0.5, 0.3}
	gT, gW := make([]float64, 3), make([]float64, 2)
	p.grads(w, theta, gT, gW)
	const h = 1e-6
	for i := range w {
		wp, wm := slices.Clone(w), slices.Clone(w)
		wp[i] += h
		wm[i] -= h
		if fd := (L(wp, theta) - L(wm, theta)) / (2 * h); math.Abs(fd-gW[i]) > 1e-7 {
			t.Errorf("∂L/∂w_%d = %v, finite difference %v", i, gW[i], fd)
		}
	}
	for k := range theta {
		tp := slices.Clone(theta)
		tp[k] += h
		if fd := (L(w, tp) - L(w, theta)) / h; math.Abs(fd-gT[k]) > 1e-6 {
			t.Errorf("∂L/∂θ_%d = %v, finite difference %v", k, gT[k], fd)
		}
	}
	for _, m := range []Mirror{NegEntropy(), HalfSquared()} {
		tr, err := p.Run(m, RunConfig{Eta: 0.5, EtaW: 0.3, Steps: 400, Seed: 1, Lambda: 0.5})
		if err != nil {
			t.Fatal(err)
		}
		if tr.Theta[1] < 0.999 || tr.Gap[len(tr.Gap)-1] > 1e-4 || tr.Bregman[len(tr.Bregman)-1] > 1e-4 || tr.Gap[0] <= 0 {
			t.Errorf("%s: θ %v, gap %v → %v, Bregman → %v: want the vertex of op 1 and both measures near 0", m.Name(), tr.Theta, tr.Gap[0], tr.Gap[len(tr.Gap)-1], tr.Bregman[len(tr.Bregman)-1])
		}
	}
	for _, bad := range []struct {
		p  SharedWeights
		rc RunConfig
	}{
		{p, RunConfig{Eta: 1, Steps: 1}}, // no weight step size
		{SharedWeights{Centers: p.Centers, Floors: p.Floors[:2]}, RunConfig{Eta: 1, EtaW: 1, Steps: 1}},
		{SharedWeights{Centers: [][]float64{{1}, {1, 2}}, Floors: []float64{0, 0}}, RunConfig{Eta: 1, EtaW: 1, Steps: 1}},
	} {
		if _, err := bad.p.Run(NegEntropy(), bad.rc); err == nil {
			t.Errorf("Run(%+v, %+v): no error", bad.p, bad.rc)
		}
	}
}

// TestTune: the step size with the fewest steps on the tuning seeds is chosen and run on the evaluation
// seeds (whole runs); a run that never gets there counts as twice its length; overlapping seeds are refused.
func TestTune(t *testing.T) {
	// A fake method: with step size η the gap is 1 for |log10 η + 1|·10 steps, then 0 — fastest at η = 0.1;
	// η = 10 never gets there.
	var calls []float64
	run := func(eta float64, seed uint64, stopAt float64) (Trace, error) {
		calls = append(calls, stopAt)
		n := int(math.Round(math.Abs(math.Log10(eta)+1)*10)) + 1
		gap := make([]float64, 100)
		for i := range gap {
			if i < n || eta >= 10 {
				gap[i] = 1
			}
		}
		return Trace{Gap: gap}, nil
	}
	got, err := Tune([]float64{10, 1, 0.1, 0.01}, []uint64{1, 2}, []uint64{3, 4, 5}, 0.5, run)
	if err != nil {
		t.Fatal(err)
	}
	if got.Eta != 0.1 || !slices.Equal(got.Steps, []int{2, 2, 2}) || len(got.Traces) != 3 {
		t.Errorf("Tune chose η %v with steps %v (%d traces), want 0.1 and [2 2 2]", got.Eta, got.Steps, len(got.Traces))
	}
	if want := []float64{0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0, 0, 0}; !slices.Equal(calls, want) {
		t.Errorf("stopAt of the calls %v, want %v (tuning at ε, evaluation whole)", calls, want)
	}
	if _, err := Tune([]float64{1}, []uint64{1, 2}, []uint64{2}, 0.5, run); err == nil {
		t.Error("a seed both tuning and evaluating: no error")
	}
	if _, err := Tune(nil, []uint64{1}, []uint64{2}, 0.5, run); err == nil {
		t.Error("no step sizes: no error")
	}
}
