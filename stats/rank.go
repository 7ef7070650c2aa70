// Package stats holds the statistics gaeanas reports about rankings: Kendall's τ-b and Spearman's ρ
// between two scores of the same items (e.g. an architecture's accuracy on the supernet's shared weights
// and its stand-alone accuracy in NAS-Bench-201), with confidence intervals by Fisher's z transform and
// by the bootstrap over items.
//
// gonum's stat package (gonum.org/v1/gonum/stat, v0.16) has neither: its Kendall is τ-a, which counts a
// tied pair as concordant or discordant by the sign bit of a zero difference, and it has no Spearman. The
// functions here are the definitions scipy.stats.kendalltau (variant "b") and scipy.stats.spearmanr
// compute, checked against them in the tests.
package stats

import (
	"errors"
	"fmt"
	"math"
	"slices"
)

// check refuses samples that no correlation can be computed on.
func check(what string, x, y []float64) error {
	if len(x) != len(y) {
		return fmt.Errorf("stats: %s: %d x values and %d y values", what, len(x), len(y))
	}
	if len(x) < 2 {
		return fmt.Errorf("stats: %s: %d pairs, need at least 2", what, len(x))
	}
	for i := range x {
		if math.IsNaN(x[i]) || math.IsNaN(y[i]) {
			return fmt.Errorf("stats: %s: pair %d is (%g, %g): NaN has no rank", what, i, x[i], y[i])
		}
	}
	return nil
}

// ErrConstant is returned (wrapped) when one of the samples has a single value: no correlation is defined.
var ErrConstant = errors.New("a sample is constant")

// Ranks returns the ranks of x, 1 for the smallest, ties given the mean of the ranks they span
// (scipy.stats.rankdata's "average" method): ranks of 10, 20, 20, 30 are 1, 2.5, 2.5, 4.
func Ranks(x []float64) []float64 {
	idx := make([]int, len(x))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case x[a] < x[b]:
			return -1
		case x[a] > x[b]:
			return 1
		}
		return 0
	})
	r := make([]float64, len(x))
	for i := 0; i < len(idx); {
		j := i + 1
		for j < len(idx) && x[idx[j]] == x[idx[i]] {
			j++
		}
		mean := float64(i+1+j) / 2 // ranks i+1 … j
		for k := i; k < j; k++ {
			r[idx[k]] = mean
		}
		i = j
	}
	return r
}

// Pearson returns the Pearson correlation of x and y.
func Pearson(x, y []float64) (float64, error) {
	if err := check("pearson", x, y); err != nil {
		return 0, err
	}
	n := float64(len(x))
	var mx, my float64
	for i := range x {
		mx += x[i]
		my += y[i]
	}
	mx, my = mx/n, my/n
	var sxy, sxx, syy float64
	for i := range x {
		dx, dy := x[i]-mx, y[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return 0, fmt.Errorf("stats: pearson: %w", ErrConstant)
	}
	return math.Max(-1, math.Min(1, sxy/math.Sqrt(sxx*syy))), nil
}

// Spearman returns Spearman's rank correlation ρ of x and y: the Pearson correlation of their ranks
// (Ranks: ties take the mean rank), as scipy.stats.spearmanr.
func Spearman(x, y []float64) (float64, error) {
	if err := check("spearman", x, y); err != nil {
		return 0, err
	}
	rho, err := Pearson(Ranks(x), Ranks(y))
	if err != nil {
		return 0, fmt.Errorf("stats: spearman: %w", ErrConstant)
	}
	return rho, nil
}

// KendallTauB returns Kendall's τ-b of x and y (Kendall 1945), which accounts for ties:
//
//	τ_b = (C − D) / √((P − T_x)(P − T_y))
//
// over the P = n(n−1)/2 pairs of items, C concordant (both samples order the pair alike), D discordant,
// T_x the pairs tied in x and T_y those tied in y (a pair tied in both counts in both). Without ties it is
// τ-a, (C − D)/P. It is what scipy.stats.kendalltau returns (variant "b", the default). O(n²).
func KendallTauB(x, y []float64) (float64, error) {
	if err := check("kendall", x, y); err != nil {
		return 0, err
	}
	var s, untiedX, untiedY int64 // C − D, P − T_x, P − T_y
	for i := range x {
		for j := i + 1; j < len(x); j++ {
			sx, sy := sign(x[i]-x[j]), sign(y[i]-y[j])
			s += sx * sy
			untiedX += sx * sx
			untiedY += sy * sy
		}
	}
	if untiedX == 0 || untiedY == 0 {
		return 0, fmt.Errorf("stats: kendall: %w", ErrConstant)
	}
	return math.Max(-1, math.Min(1, float64(s)/math.Sqrt(float64(untiedX))/math.Sqrt(float64(untiedY)))), nil
}

func sign(v float64) int64 {
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}
