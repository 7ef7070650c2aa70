package viz

import (
	"fmt"
	"math"

	"github.com/gaeanas/gaeanas/gaea"
)

// checkTheta checks that theta is a len(edges) × len(ops) matrix of finite numbers.
func checkTheta(what string, theta [][]float64, ops, edges []string) error {
	if len(ops) == 0 {
		return fmt.Errorf("viz: %s: no ops", what)
	}
	if len(theta) != len(edges) {
		return fmt.Errorf("viz: %s: theta has %d rows, want %d (one per edge %v)", what, len(theta), len(edges), edges)
	}
	for e, row := range theta {
		if len(row) != len(ops) {
			return fmt.Errorf("viz: %s: theta row %d (edge %s) has %d values, want %d (ops %v)", what, e, edges[e], len(row), len(ops), ops)
		}
		for k, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("viz: %s: theta[%d][%d] (edge %s, op %s) is %v", what, e, k, edges[e], ops[k], v)
			}
		}
	}
	return nil
}

// finite reports whether v is neither NaN nor infinite.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// thetaRecords returns the records of history that carry θ, checking each against ops and edges.
func thetaRecords(what string, history []gaea.Record, ops, edges []string) ([]gaea.Record, error) {
	if len(history) == 0 {
		return nil, fmt.Errorf("viz: %s: empty history", what)
	}
	if len(edges) == 0 {
		return nil, fmt.Errorf("viz: %s: no edges", what)
	}
	var out []gaea.Record
	for _, r := range history {
		if len(r.Theta) == 0 {
			continue
		}
		if err := checkTheta(fmt.Sprintf("%s: step %d", what, r.Step), r.Theta, ops, edges); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("viz: %s: no record of the history (%d records) carries theta", what, len(history))
	}
	return out, nil
}

// fixRange widens a degenerate axis range (one step, a constant series) so that it can be drawn.
func fixRange(min, max *float64, pad float64) {
	if *min > *max { // nothing was added
		*min, *max = 0, 1
		return
	}
	if *max-*min < 1e-12 {
		*min -= pad
		*max += pad
	}
}
