package gaea

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// The synthetic problems of notebook 06: how many steps mirror descent needs to reach an ε-stationary
// point on the simplex as the number of ops K grows, with stochastic gradients whose every coordinate is
// bounded (the ℓ∞ bound of the GAEA paper's guarantee for exponentiated gradient).

// NoisyLinear is min_{θ ∈ Δ} c·θ with stochastic gradients g = c + ξ, ξ_k independent and uniform on
// [−Noise, Noise]: ‖g‖∞ ≤ max|c| + Noise whatever K is, while ‖g‖₂ grows like √K. With one smallest
// cost the minimiser is a vertex (one op: a sparse optimum).
type NoisyLinear struct {
	Costs []float64
	Noise float64
}

// Trace is one run of a mirror-descent method: measures at the iterates θ_0, …, θ_{T−1} (before each
// step) and the last iterate θ_T.
type Trace struct {
	// Gap is the stationarity gap at each iterate, the same for every geometry: for NoisyLinear the
	// Frank–Wolfe gap max_{u ∈ Δ} ⟨∇f(θ_t), θ_t − u⟩, which for a linear f is f(θ_t) − min f; for
	// SharedWeights that gap in θ plus ½‖∇_w L‖² (= L(w_t, θ_t) − min_w L(w, θ_t)). It is 0 exactly at a
	// stationary point.
	Gap []float64
	// Bregman is the paper's measure Δ_λ(θ_t) in the method's own geometry (see Stationarity); nil when
	// the run was asked for no λ.
	Bregman []float64
	// Theta is the last iterate θ_T (for SharedWeights, the architecture block).
	Theta []float64
}

// RunConfig is one run of a mirror-descent method on a synthetic problem.
type RunConfig struct {
	Eta  float64 // step size of θ
	EtaW float64 // step size of the shared weights (SharedWeights only)
	// Steps is the largest number of iterations.
	Steps int
	// Seed draws the gradient noise.
	Seed uint64
	// Lambda > 0 records the paper's measure Δ_λ (Trace.Bregman).
	Lambda float64
	// StopAt > 0 ends the run as soon as StepsToStationary(Gap, StopAt) > 0.
	StopAt float64
}

func (rc RunConfig) check(what string, k int) error {
	switch {
	case k < 2:
		return fmt.Errorf("gaea: %s: need at least 2 ops, got %d", what, k)
	case !(rc.Eta > 0) || math.IsInf(rc.Eta, 0):
		return fmt.Errorf("gaea: %s: step size must be positive and finite, got %v", what, rc.Eta)
	case rc.Lambda < 0 || math.IsNaN(rc.Lambda) || math.IsInf(rc.Lambda, 0):
		return fmt.Errorf("gaea: %s: λ of the stationarity measure must be 0 (not measured) or positive and finite, got %v", what, rc.Lambda)
	case rc.StopAt < 0 || math.IsNaN(rc.StopAt):
		return fmt.Errorf("gaea: %s: StopAt must be 0 (run every step) or positive, got %v", what, rc.StopAt)
	case rc.Steps < 1:
		return fmt.Errorf("gaea: %s: need at least 1 step, got %d", what, rc.Steps)
	}
	return nil
}

// recorder appends the measures of one iterate and says when the run may stop.
type recorder struct {
	rc  RunConfig
	tr  Trace
	sum float64
}

func (r *recorder) add(gap, bregman float64) (stop bool) {
	r.tr.Gap = append(r.tr.Gap, gap)
	if r.rc.Lambda > 0 {
		r.tr.Bregman = append(r.tr.Bregman, bregman)
	}
	r.sum += gap
	return r.rc.StopAt > 0 && r.sum <= r.rc.StopAt*float64(len(r.tr.Gap))
}

// Run runs m from the uniform θ with the settings of rc.
func (p NoisyLinear) Run(m Mirror, rc RunConfig) (Trace, error) {
	k := len(p.Costs)
	if err := rc.check("noisy linear", k); err != nil {
		return Trace{}, err
	}
	rng := rand.New(rand.NewPCG(rc.Seed, 0x9e3779b97f4a7c15))
	best := slices.Min(p.Costs)
	theta := uniformRow(k)
	g := make([]float64, k)
	r := recorder{rc: rc}
	for t := 0; t < rc.Steps; t++ {
		b := 0.0
		if rc.Lambda > 0 {
			b = Stationarity(m, theta, p.Costs, rc.Lambda)
		}
		if r.add(dot(p.Costs, theta)-best, b) {
			break
		}
		for i := range g {
			g[i] = p.Costs[i] + p.Noise*(2*rng.Float64()-1)
		}
		m.Step(theta, g, rc.Eta)
	}
	r.tr.Theta = theta
	return r.tr, nil
}

// SharedWeights is the block problem of notebook 06: shared weights w ∈ R^d and architecture weights
// θ ∈ Δ_K with
//
//	L(w, θ) = Σ_k θ_k (½‖w − Centers[k]‖² + Floors[k]),
//
// each op k pulling the shared weights towards its own centre. Its vertices (θ = e_k, w = Centers[k])
// are local minima when the centres are far apart, the global one at the smallest floor. The stochastic
// gradients add independent noise uniform on [−Noise, Noise] to every coordinate of ∇_θ L and ∇_w L.
type SharedWeights struct {
	Centers [][]float64
	Floors  []float64
	Noise   float64
}

// grads writes ∇_θ L and ∇_w L at (w, θ).
func (p SharedWeights) grads(w, theta, gTheta, gW []float64) {
	clear(gW)
	for k, c := range p.Centers {
		d2 := 0.0
		for i := range w {
			d := w[i] - c[i]
			d2 += d * d
			gW[i] += theta[k] * d
		}
		gTheta[k] = d2/2 + p.Floors[k]
	}
}

// Run alternates steps of m on θ (size rc.Eta) and SGD steps on w (size rc.EtaW), architecture first, from
// θ uniform and w = 0, measuring before each iteration. With rc.Lambda > 0 it also records the paper's measure on the product geometry ψ(θ) + ½‖w‖², in its gradient-mapping form:
// (D_ψ(θ̂, θ) + D_ψ(θ, θ̂) + ‖ŵ − w‖²)/λ² with (θ̂, ŵ) one exact-gradient step of size λ on both blocks.
func (p SharedWeights) Run(m Mirror, rc RunConfig) (Trace, error) {
	k := len(p.Centers)
	if len(p.Floors) != k {
		return Trace{}, fmt.Errorf("gaea: shared weights: %d centres and %d floors", k, len(p.Floors))
	}
	if err := rc.check("shared weights", k); err != nil {
		return Trace{}, err
	}
	if !(rc.EtaW > 0) || math.IsInf(rc.EtaW, 0) {
		return Trace{}, fmt.Errorf("gaea: shared weights: weight step size must be positive and finite, got %v", rc.EtaW)
	}
	d := len(p.Centers[0])
	for i, c := range p.Centers {
		if len(c) != d || d == 0 {
			return Trace{}, fmt.Errorf("gaea: shared weights: centre %d has %d coordinates, centre 0 has %d", i, len(c), d)
		}
	}
	rng := rand.New(rand.NewPCG(rc.Seed, 0x9e3779b97f4a7c15))
	noise := func(v []float64) {
		for i := range v {
			v[i] += p.Noise * (2*rng.Float64() - 1)
		}
	}
	theta, w := uniformRow(k), make([]float64, d)
	gTheta, gW := make([]float64, k), make([]float64, d)
	r := recorder{rc: rc}
	for t := 0; t < rc.Steps; t++ {
		p.grads(w, theta, gTheta, gW)
		b := 0.0
		if rc.Lambda > 0 {
			b = Stationarity(m, theta, gTheta, rc.Lambda) + dot(gW, gW)
		}
		if r.add(dot(theta, gTheta)-slices.Min(gTheta)+dot(gW, gW)/2, b) {
			break
		}
		// The architecture block, then the weight block at the new θ, each with fresh noise.
		noise(gTheta)
		m.Step(theta, gTheta, rc.Eta)
		p.grads(w, theta, gTheta, gW)
		noise(gW)
		for i := range w {
			w[i] -= rc.EtaW * gW[i]
		}
	}
	r.tr.Theta = theta
	return r.tr, nil
}

func uniformRow(k int) []float64 {
	row := make([]float64, k)
	for i := range row {
		row[i] = 1 / float64(k)
	}
	return row
}

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// StepsToStationary is the number of steps T after which the output of the paper's guarantee — an
// iterate drawn uniformly from θ_0, …, θ_{T−1} — is ε-stationary in expectation over that draw: the
// smallest T with (1/T)·Σ_{t<T} measure[t] ≤ eps. It returns 0 when no prefix of measure gets there.
func StepsToStationary(measure []float64, eps float64) int {
	sum := 0.0
	for t, v := range measure {
		sum += v
		if sum <= eps*float64(t+1) {
			return t + 1
		}
	}
	return 0
}

// FitLine is the least-squares line y ≈ slope·x + intercept and its coefficient of determination R².
func FitLine(x, y []float64) (slope, intercept, r2 float64, err error) {
	if len(x) != len(y) || len(x) < 2 {
		return 0, 0, 0, fmt.Errorf("gaea: fit line: need two series of the same length ≥ 2, got %d and %d", len(x), len(y))
	}
	n := float64(len(x))
	var mx, my float64
	for i := range x {
		mx += x[i] / n
		my += y[i] / n
	}
	var sxx, sxy, syy float64
	for i := range x {
		sxx += (x[i] - mx) * (x[i] - mx)
		sxy += (x[i] - mx) * (y[i] - my)
		syy += (y[i] - my) * (y[i] - my)
	}
	if sxx == 0 {
		return 0, 0, 0, fmt.Errorf("gaea: fit line: every x is %v", x[0])
	}
	slope = sxy / sxx
	intercept = my - slope*mx
	r2 = 1.0
	if syy > 0 {
		r2 = sxy * sxy / (sxx * syy)
	}
	return slope, intercept, r2, nil
}

// Tuned is what Tune found: the step size and its runs on the evaluation seeds.
type Tuned struct {
	Eta    float64
	Steps  []int   // StepsToStationary(Gap, eps) of each evaluation run; 0 = not within the run
	Traces []Trace // the evaluation runs, in the order of the seeds
}

// Tune chooses a step size from grid by the mean number of steps to an eps-stationary point
// (StepsToStationary of the gap) over the tuning seeds — a run that does not get there within its steps
// counts as twice its length, ties go to the smaller step size — and then runs the chosen step size on the
// evaluation seeds, which must differ from the tuning seeds (so that the reported steps are not the
// minimum of noisy estimates). run runs one step size on one seed; stopAt is eps while tuning (the run may
// end early) and 0 for the evaluation runs (the whole run, so that its last iterate is comparable).
func Tune(grid []float64, tune, eval []uint64, eps float64, run func(eta float64, seed uint64, stopAt float64) (Trace, error)) (Tuned, error) {
	if len(grid) == 0 || len(tune) == 0 || len(eval) == 0 {
		return Tuned{}, fmt.Errorf("gaea: tune: need step sizes (%d), tuning seeds (%d) and evaluation seeds (%d)", len(grid), len(tune), len(eval))
	}
	if !(eps > 0) {
		return Tuned{}, fmt.Errorf("gaea: tune: ε must be positive, got %v", eps)
	}
	for _, s := range eval {
		if slices.Contains(tune, s) {
			return Tuned{}, fmt.Errorf("gaea: tune: seed %d is both a tuning and an evaluation seed", s)
		}
	}
	grid = slices.Clone(grid)
	slices.Sort(grid)
	best, bestCost := 0.0, math.Inf(1)
	for _, eta := range grid {
		cost := 0.0
		for _, seed := range tune {
			tr, err := run(eta, seed, eps)
			if err != nil {
				return Tuned{}, err
			}
			n := StepsToStationary(tr.Gap, eps)
			if n == 0 {
				n = 2 * len(tr.Gap)
			}
			cost += float64(n)
		}
		if cost < bestCost {
			best, bestCost = eta, cost
		}
	}
	out := Tuned{Eta: best}
	for _, seed := range eval {
		tr, err := run(best, seed, 0)
		if err != nil {
			return Tuned{}, err
		}
		out.Steps = append(out.Steps, StepsToStationary(tr.Gap, eps))
		out.Traces = append(out.Traces, tr)
	}
	return out, nil
}
