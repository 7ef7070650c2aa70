package gaea

import (
	"math"

	"github.com/gaeanas/gaeanas/trainer"
)

// The schedules of a search are functions of the iteration (1-based: the iteration that a block step
// belongs to; 0 before the first).

// WeightLRAt is the weight learning rate of an iteration: the cosine from WeightLR to WeightLRMin over
// Steps, per epoch when StepsPerEpoch > 0 (see Config).
func (c Config) WeightLRAt(iteration int) float64 {
	if n := c.StepsPerEpoch; n > 0 {
		epoch := max(0, iteration-1) / n
		return trainer.Cosine(c.WeightLR, c.WeightLRMin, float64(epoch+c.LREpochOffset)/(float64(c.Steps)/float64(n)))
	}
	return trainer.Cosine(c.WeightLR, c.WeightLRMin, float64(iteration)/float64(c.Steps))
}

// TauAt is GDAS's temperature at an iteration: per epoch (StepsPerEpoch > 0) or linear from TauMax to
// TauMin over Steps (see Config).
func (c Config) TauAt(iteration int) float64 {
	if n := c.StepsPerEpoch; n > 0 {
		total := c.Epochs
		if total == 0 {
			total = (c.Steps + n - 1) / n
		}
		if total <= 1 {
			return c.TauMax
		}
		epoch := min(max(0, (max(0, iteration-1)/n)-c.WarmupSteps/n), total-1)
		return c.TauMax - (c.TauMax-c.TauMin)*float64(epoch)/float64(total-1)
	}
	t := math.Min(float64(iteration), float64(c.Steps)) / float64(c.Steps)
	return c.TauMax - (c.TauMax-c.TauMin)*t
}
