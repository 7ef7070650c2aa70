package stats

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// Interval is a confidence interval [Lo, Hi].
type Interval struct {
	Lo float64 `json:"lo"`
	Hi float64 `json:"hi"`
}

// Contains reports whether v lies in the interval (ends included).
func (i Interval) Contains(v float64) bool { return i.Lo <= v && v <= i.Hi }

// String prints the interval as [lo, hi] with 3 decimals; an end that is not 0 but rounds to ±0.000 is
// written with two significant digits (-3.2e-04), so that which side of 0 it lies on stays readable.
func (i Interval) String() string { return "[" + bound(i.Lo) + ", " + bound(i.Hi) + "]" }

func bound(v float64) string {
	s := fmt.Sprintf("%.3f", v)
	if v != 0 && (s == "0.000" || s == "-0.000") {
		return fmt.Sprintf("%.1e", v)
	}
	if s == "-0.000" { // -0 itself
		return "0.000"
	}
	return s
}

// NormalQuantile returns the p-quantile of the standard normal distribution (NormalQuantile(0.975) ≈
// 1.96), for 0 < p < 1.
func NormalQuantile(p float64) float64 { return math.Sqrt2 * math.Erfinv(2*p-1) }

func checkLevel(level float64) error {
	if !(level > 0 && level < 1) {
		return fmt.Errorf("stats: confidence level %g: want one in (0, 1), e.g. 0.95", level)
	}
	return nil
}

// fisher is the interval tanh(atanh(r) ± z·se).
func fisher(r, se, level float64) Interval {
	z, q := math.Atanh(r), NormalQuantile(1-(1-level)/2)
	return Interval{Lo: math.Tanh(z - q*se), Hi: math.Tanh(z + q*se)}
}

// KendallFisherCI is the confidence interval of Kendall's τ from n pairs by Fisher's z transform with
// the variance of atanh(τ) of Fieller, Hartley & Pearson (1957), 0.437/(n − 4), as Bonett & Wright
// (2000, Psychometrika 65:23–28) recommend: tanh(atanh(τ) ± z_{(1+level)/2}·√(0.437/(n − 4))). It
// assumes pairs drawn independently from one population (bivariate normal in the derivation). n > 4.
func KendallFisherCI(tau float64, n int, level float64) (Interval, error) {
	if err := checkLevel(level); err != nil {
		return Interval{}, err
	}
	if n <= 4 || !(tau >= -1 && tau <= 1) {
		return Interval{}, fmt.Errorf("stats: kendall interval of τ = %g from %d pairs: need -1 ≤ τ ≤ 1 and more than 4 pairs", tau, n)
	}
	return fisher(tau, math.Sqrt(0.437/float64(n-4)), level), nil
}

// SpearmanFisherCI is the confidence interval of Spearman's ρ from n pairs by Fisher's z transform with
// Bonett & Wright's (2000) variance of atanh(ρ), (1 + ρ²/2)/(n − 3): tanh(atanh(ρ) ± z_{(1+level)/2}·
// √((1 + ρ²/2)/(n − 3))). It assumes pairs drawn independently from one population. n > 3.
func SpearmanFisherCI(rho float64, n int, level float64) (Interval, error) {
	if err := checkLevel(level); err != nil {
		return Interval{}, err
	}
	if n <= 3 || !(rho >= -1 && rho <= 1) {
		return Interval{}, fmt.Errorf("stats: spearman interval of ρ = %g from %d pairs: need -1 ≤ ρ ≤ 1 and more than 3 pairs", rho, n)
	}
	return fisher(rho, math.Sqrt((1+rho*rho/2)/float64(n-3)), level), nil
}

// Statistic is a statistic of paired samples, e.g. KendallTauB or Spearman.
type Statistic func(x, y []float64) (float64, error)

// BootstrapCI is the percentile bootstrap interval of stats over pairs (Efron & Tibshirani 1993, ch. 13):
// resamples times, draw n pairs (x_i, y_i) with replacement and compute every statistic on them; each
// interval is the (1 − level)/2 and (1 + level)/2 quantiles of its statistic over the resamples (linear
// interpolation between order statistics). The draws come from seed (PCG), so the same call gives the
// same intervals. A resample on which a statistic is undefined (ErrConstant: every pair drawn tied) is
// drawn again; more than resamples/10 such redraws is an error.
func BootstrapCI(x, y []float64, stats []Statistic, resamples int, level float64, seed uint64) ([]Interval, error) {
	if err := check("bootstrap", x, y); err != nil {
		return nil, err
	}
	if err := checkLevel(level); err != nil {
		return nil, err
	}
	if len(stats) == 0 || resamples < 10 {
		return nil, fmt.Errorf("stats: bootstrap of %d statistics with %d resamples: need at least one statistic and 10 resamples", len(stats), resamples)
	}
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	n := len(x)
	bx, by := make([]float64, n), make([]float64, n)
	values := make([][]float64, len(stats))
	redraws := 0
	for len(values[0]) < resamples {
		for i := range bx {
			k := rng.IntN(n)
			bx[i], by[i] = x[k], y[k]
		}
		vs := make([]float64, len(stats))
		ok := true
		for j, st := range stats {
			v, err := st(bx, by)
			if errors.Is(err, ErrConstant) {
				ok = false
				break
			}
			if err != nil {
				return nil, fmt.Errorf("stats: bootstrap: %w", err)
			}
			vs[j] = v
		}
		if !ok {
			if redraws++; redraws > resamples/10 {
				return nil, fmt.Errorf("stats: bootstrap: %d resamples had a constant sample: too few distinct values among %d pairs", redraws, n)
			}
			continue
		}
		for j, v := range vs {
			values[j] = append(values[j], v)
		}
	}
	out := make([]Interval, len(stats))
	for j, v := range values {
		slices.Sort(v)
		out[j] = Interval{Lo: Quantile(v, (1-level)/2), Hi: Quantile(v, (1+level)/2)}
	}
	return out, nil
}

// Quantile returns the p-quantile of sorted (ascending, not empty) by linear interpolation between the
// order statistics at (len−1)·p (numpy.quantile's default, "linear"; Hyndman & Fan's type 7).
func Quantile(sorted []float64, p float64) float64 {
	h := float64(len(sorted)-1) * p
	lo := int(math.Floor(h))
	if lo >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	if lo < 0 {
		return sorted[0]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}

// Correlation is a rank correlation with its confidence intervals.
type Correlation struct {
	Value     float64  `json:"value"`
	Fisher    Interval `json:"fisher"`    // Fisher's z transform (KendallFisherCI, SpearmanFisherCI)
	Bootstrap Interval `json:"bootstrap"` // percentile bootstrap over pairs (BootstrapCI)
}

// RankCorrelation is Kendall's τ-b and Spearman's ρ of paired samples, with their intervals.
type RankCorrelation struct {
	N         int         `json:"n"`
	Level     float64     `json:"level"`     // confidence level of every interval, e.g. 0.95
	Resamples int         `json:"resamples"` // bootstrap resamples
	Seed      uint64      `json:"seed"`      // bootstrap seed
	Tau       Correlation `json:"kendall_tau_b"`
	Rho       Correlation `json:"spearman_rho"`
}

// RankCorrelations computes Kendall's τ-b and Spearman's ρ of x and y with both intervals at level: by
// Fisher's z (KendallFisherCI, SpearmanFisherCI) and by the percentile bootstrap over pairs (BootstrapCI,
// one set of resamples for both statistics).
func RankCorrelations(x, y []float64, level float64, resamples int, seed uint64) (RankCorrelation, error) {
	r := RankCorrelation{N: len(x), Level: level, Resamples: resamples, Seed: seed}
	var err error
	if r.Tau.Value, err = KendallTauB(x, y); err != nil {
		return r, err
	}
	if r.Rho.Value, err = Spearman(x, y); err != nil {
		return r, err
	}
	if r.Tau.Fisher, err = KendallFisherCI(r.Tau.Value, len(x), level); err != nil {
		return r, err
	}
	if r.Rho.Fisher, err = SpearmanFisherCI(r.Rho.Value, len(x), level); err != nil {
		return r, err
	}
	boot, err := BootstrapCI(x, y, []Statistic{KendallTauB, Spearman}, resamples, level, seed)
	if err != nil {
		return r, err
	}
	r.Tau.Bootstrap, r.Rho.Bootstrap = boot[0], boot[1]
	return r, nil
}
