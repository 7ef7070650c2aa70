package stats

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// formula is a deterministic sample with many ties, exact in float64 (testdata/reference.py builds the
// same one for SciPy).
func formula(n, a, b, c int) (x, y []float64) {
	for i := 0; i < n; i++ {
		x = append(x, float64((i*a)%23))
		y = append(y, float64((i*i*b+i*c)%17)+x[i]/2)
	}
	return x, y
}

// reference holds SciPy's values (testdata/reference.py: scipy.stats.kendalltau variant "b",
// scipy.stats.spearmanr, and the Fisher intervals at 95 % with numpy's arctanh/tanh and
// scipy.stats.norm.ppf).
var reference = []struct {
	name                       string
	x, y                       []float64
	tau, rho                   float64
	tauLo, tauHi, rhoLo, rhoHi float64 // 0 for "hand", which has too few pairs
}{
	// By hand: of the 6 pairs, 4 are concordant, none discordant, one tied in x only and one in y only:
	// τ-b = 4/√(5·5) = 0.8. Ranks (1, 2.5, 2.5, 4) and (1, 2, 3.5, 3.5): ρ = 3.75/4.5 = 5/6.
	{"hand", []float64{1, 2, 2, 3}, []float64{1, 2, 3, 3}, 0.7999999999999999, 0.8333333333333335, 0, 0, 0, 0},
	{"no ties", []float64{0.3, 1.2, -0.5, 2.2, 0.9, 1.7, -1.1, 0.1}, []float64{1.0, 0.4, -0.2, 2.5, 1.1, 0.8, -0.9, 0.0},
		0.7142857142857142, 0.8095238095238096, 0.24308765665888127, 0.9127410766023283, 0.11516551855826487, 0.9724553496263006},
	{"negative", []float64{1, 2, 3, 4, 5, 6, 7}, []float64{7, 5, 6, 4, 2, 3, 1},
		-0.8095238095238096, -0.9285714285714288, -0.9539276300640879, -0.36062148823326534, -0.9929231761356401, -0.4426892330796356},
	{"formula n=30", nil, nil, 0.4649532710280373, 0.599220059429831, 0.24446152439625055, 0.6397265897079062, 0.2750062854515714, 0.801068395438687},
	{"formula n=150", nil, nil, 0.4014012525335271, 0.5306436841334581, 0.3077781200408357, 0.4873258012253454, 0.3955651228770374, 0.6432517714197957},
	{"formula n=150 other", nil, nil, 0.36375717090816806, 0.47986700045609143, 0.2673245345121808, 0.4529760363655354, 0.33823986681345064, 0.6002380899306715},
}

func init() {
	reference[3].x, reference[3].y = formula(30, 37, 11, 5)
	reference[4].x, reference[4].y = formula(150, 37, 11, 5)
	reference[5].x, reference[5].y = formula(150, 7, 3, 13)
}

func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12 }

// TestAgainstSciPy: τ-b, ρ and the Fisher intervals equal SciPy's to 1e-12.
func TestAgainstSciPy(t *testing.T) {
	for _, c := range reference {
		tau, err := KendallTauB(c.x, c.y)
		if err != nil {
			t.Fatal(err)
		}
		rho, err := Spearman(c.x, c.y)
		if err != nil {
			t.Fatal(err)
		}
		if !near(tau, c.tau) || !near(rho, c.rho) {
			t.Errorf("%s: τ-b %.17g ρ %.17g, SciPy %.17g %.17g", c.name, tau, rho, c.tau, c.rho)
		}
		if len(c.x) <= 4 {
			continue
		}
		ti, err := KendallFisherCI(tau, len(c.x), 0.95)
		if err != nil {
			t.Fatal(err)
		}
		ri, err := SpearmanFisherCI(rho, len(c.x), 0.95)
		if err != nil {
			t.Fatal(err)
		}
		if !near(ti.Lo, c.tauLo) || !near(ti.Hi, c.tauHi) || !near(ri.Lo, c.rhoLo) || !near(ri.Hi, c.rhoHi) {
			t.Errorf("%s: intervals τ %v ρ %v, reference τ [%.17g, %.17g] ρ [%.17g, %.17g]", c.name, ti, ri, c.tauLo, c.tauHi, c.rhoLo, c.rhoHi)
		}
	}
}

// TestRanksQuantilesNormal: average ranks, interpolated quantiles and normal quantiles as SciPy/numpy.
func TestRanksQuantilesNormal(t *testing.T) {
	if got, want := Ranks([]float64{10, 20, 20, 30, 5, 20}), []float64{2, 4, 4, 6, 1, 4}; !reflect.DeepEqual(got, want) {
		t.Errorf("Ranks %v, scipy.stats.rankdata %v", got, want)
	}
	for _, c := range []struct{ p, want float64 }{{0.975, 1.959963984540054}, {0.05, -1.6448536269514729}, {0.9, 1.2815515655446004}} {
		if got := NormalQuantile(c.p); math.Abs(got-c.want) > 1e-14 {
			t.Errorf("NormalQuantile(%g) = %.17g, scipy.stats.norm.ppf %.17g", c.p, got, c.want)
		}
	}
	v := []float64{1, 2, 4, 8, 16}
	for _, c := range []struct{ p, want float64 }{{0.025, 1.1}, {0.9, 12.8}, {0, 1}, {1, 16}} {
		if got := Quantile(v, c.p); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("Quantile(%v, %g) = %g, numpy.quantile %g", v, c.p, got, c.want)
		}
	}
}

// TestInvariances: both statistics depend on the orders only (a monotone map of either sample changes
// nothing), are symmetric in x and y, flip sign when one order is reversed, and are ±1 for a monotone
// relation.
func TestInvariances(t *testing.T) {
	x, y := formula(60, 37, 11, 5)
	tau, _ := KendallTauB(x, y)
	rho, _ := Spearman(x, y)
	mapped := make([]float64, len(x))
	neg := make([]float64, len(x))
	for i, v := range x {
		mapped[i] = math.Exp(v / 3)
		neg[i] = -v
	}
	for _, c := range []struct {
		name     string
		x, y     []float64
		tau, rho float64
	}{
		{"monotone map of x", mapped, y, tau, rho},
		{"swapped", y, x, tau, rho},
		{"x reversed", neg, y, -tau, -rho},
		{"monotone relation", x, mapped, 1, 1},
		{"decreasing relation", x, neg, -1, -1},
	} {
		gt, err := KendallTauB(c.x, c.y)
		if err != nil {
			t.Fatal(err)
		}
		gr, err := Spearman(c.x, c.y)
		if err != nil {
			t.Fatal(err)
		}
		if !near(gt, c.tau) || !near(gr, c.rho) {
			t.Errorf("%s: τ-b %g ρ %g, want %g %g", c.name, gt, gr, c.tau, c.rho)
		}
	}
}

// TestErrors: samples with no defined correlation, and bad interval requests, are refused with errors
// that name the problem.
func TestErrors(t *testing.T) {
	stat := map[string]Statistic{"kendall": KendallTauB, "spearman": Spearman, "pearson": Pearson}
	for _, c := range []struct {
		name string
		x, y []float64
		want string
	}{
		{"lengths", []float64{1, 2, 3}, []float64{1, 2}, "3 x values and 2 y values"},
		{"one pair", []float64{1}, []float64{2}, "need at least 2"},
		{"NaN", []float64{1, math.NaN(), 3}, []float64{1, 2, 3}, "NaN has no rank"},
		{"constant", []float64{1, 2, 3}, []float64{5, 5, 5}, "a sample is constant"},
	} {
		for name, f := range stat {
			_, err := f(c.x, c.y)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), name) {
				t.Errorf("%s %s: error %v, want one naming %s and containing %q", name, c.name, err, name, c.want)
			}
		}
	}
	if _, err := KendallTauB([]float64{1, 2}, []float64{3, 3}); !errors.Is(err, ErrConstant) {
		t.Errorf("constant y: %v, want ErrConstant", err)
	}
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"kendall n=4", second(KendallFisherCI(0.5, 4, 0.95)), "more than 4 pairs"},
		{"spearman n=3", second(SpearmanFisherCI(0.5, 3, 0.95)), "more than 3 pairs"},
		{"tau > 1", second(KendallFisherCI(1.5, 40, 0.95)), "-1 ≤ τ ≤ 1"},
		{"level 95", second(SpearmanFisherCI(0.5, 40, 95)), "confidence level 95"},
		{"no statistic", second(BootstrapCI([]float64{1, 2, 3}, []float64{1, 2, 3}, nil, 100, 0.95, 1)), "at least one statistic"},
		{"few resamples", second(BootstrapCI([]float64{1, 2, 3}, []float64{1, 2, 3}, []Statistic{Spearman}, 5, 0.95, 1)), "10 resamples"},
		{"two distinct pairs", second(BootstrapCI([]float64{1, 2}, []float64{1, 2}, []Statistic{Spearman}, 100, 0.95, 1)), "too few distinct values"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, c.err, c.want)
		}
	}
}

func second[T any](_ T, err error) error { return err }

// TestBootstrap: the bootstrap interval is reproducible from its seed, brackets the sample's statistic
// here, is [1, 1] for a monotone relation, and RankCorrelations reports the same intervals.
func TestBootstrap(t *testing.T) {
	x, y := formula(150, 37, 11, 5)
	a, err := BootstrapCI(x, y, []Statistic{KendallTauB, Spearman}, 400, 0.95, 7)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := BootstrapCI(x, y, []Statistic{KendallTauB, Spearman}, 400, 0.95, 7)
	c, _ := BootstrapCI(x, y, []Statistic{KendallTauB, Spearman}, 400, 0.95, 8)
	if !reflect.DeepEqual(a, b) || reflect.DeepEqual(a, c) {
		t.Errorf("seed 7 twice: %v, %v; seed 8: %v (want the first two equal, the third not)", a, b, c)
	}
	r, err := RankCorrelations(x, y, 0.95, 400, 7)
	if err != nil {
		t.Fatal(err)
	}
	if r.Tau.Bootstrap != a[0] || r.Rho.Bootstrap != a[1] || !near(r.Tau.Value, reference[4].tau) || !near(r.Rho.Value, reference[4].rho) {
		t.Errorf("RankCorrelations %+v, BootstrapCI %v", r, a)
	}
	if !a[0].Contains(r.Tau.Value) || !a[1].Contains(r.Rho.Value) || a[0].Hi-a[0].Lo > 0.4 {
		t.Errorf("intervals %v do not bracket τ %g, ρ %g tightly", a, r.Tau.Value, r.Rho.Value)
	}
	mono := make([]float64, len(x))
	for i := range x {
		mono[i] = 2*x[i] + 1
	}
	m, err := BootstrapCI(x, mono, []Statistic{KendallTauB, Spearman}, 100, 0.9, 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, iv := range m {
		if !near(iv.Lo, 1) || !near(iv.Hi, 1) {
			t.Errorf("monotone relation: intervals %v, want [1, 1]", m)
		}
	}
}

// TestCoverage: on samples from a bivariate normal population with correlation r, whose Kendall τ is
// (2/π)·asin r and Spearman ρ (6/π)·asin(r/2), the 95 % intervals contain the population value in about
// 95 % of samples (400 samples of 60 pairs for Fisher's, 150 samples of 40 pairs with 300 resamples for
// the bootstrap; the bounds allow 3 binomial standard errors, plus the bootstrap's known undercoverage
// at small n).
func TestCoverage(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const r = 0.6
	tauPop, rhoPop := 2/math.Pi*math.Asin(r), 6/math.Pi*math.Asin(r/2)
	sample := func(n int) (x, y []float64) {
		for i := 0; i < n; i++ {
			a, b := rng.NormFloat64(), rng.NormFloat64()
			x, y = append(x, a), append(y, r*a+math.Sqrt(1-r*r)*b)
		}
		return x, y
	}
	var fisherTau, fisherRho int
	const fisherRuns = 400
	for i := 0; i < fisherRuns; i++ {
		x, y := sample(60)
		tau, _ := KendallTauB(x, y)
		rho, _ := Spearman(x, y)
		ti, _ := KendallFisherCI(tau, len(x), 0.95)
		ri, _ := SpearmanFisherCI(rho, len(x), 0.95)
		if ti.Contains(tauPop) {
			fisherTau++
		}
		if ri.Contains(rhoPop) {
			fisherRho++
		}
	}
	var bootTau, bootRho int
	const bootRuns = 150
	for i := 0; i < bootRuns; i++ {
		x, y := sample(40)
		b, err := BootstrapCI(x, y, []Statistic{KendallTauB, Spearman}, 300, 0.95, uint64(i))
		if err != nil {
			t.Fatal(err)
		}
		if b[0].Contains(tauPop) {
			bootTau++
		}
		if b[1].Contains(rhoPop) {
			bootRho++
		}
	}
	for _, c := range []struct {
		name      string
		hit, runs int
		lo        float64
	}{
		{"Fisher τ", fisherTau, fisherRuns, 0.917},
		{"Fisher ρ", fisherRho, fisherRuns, 0.917},
		{"bootstrap τ", bootTau, bootRuns, 0.88},
		{"bootstrap ρ", bootRho, bootRuns, 0.88},
	} {
		if cov := float64(c.hit) / float64(c.runs); cov < c.lo || cov > 0.99 {
			t.Errorf("%s: coverage %.3f (%d of %d), want within [%.3f, 0.99]", c.name, cov, c.hit, c.runs, c.lo)
		} else {
			t.Logf("%s: coverage %.3f of %d", c.name, cov, c.runs)
		}
	}
}
