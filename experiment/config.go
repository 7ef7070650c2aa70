package experiment

import (
	"github.com/gaeanas/gaeanas/gaea"
	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gaeanas/gaeanas/spaces/darts"
	"github.com/gaeanas/gaeanas/spaces/nb201"
	"github.com/gaeanas/gaeanas/spaces/tiny"
)

// BuildSpace returns the search space of the settings for a data set with the given number of classes.
func (s *Settings) BuildSpace(classes int) spaces.Space {
	switch s.Space {
	case NB201:
		return nb201.New().Channels(s.Channels).Cells(s.Cells).Classes(classes).WithNone(s.WithNone)
	case DARTS:
		return darts.New().Channels(s.Channels).Layers(s.Cells).Classes(classes).WithNone(s.WithNone).EdgeWeights(s.EdgeWeights)
	}
	return tiny.New().Channels(s.Channels).Cells(s.Cells).Classes(classes)
}

// Geometry returns the geometry of the architecture parameters of the algorithm.
func (s *Settings) Geometry() gaea.Geometry {
	switch s.Algo {
	case DARTSV1, DARTSV2, GDAS, PCDARTS:
		return gaea.Softmax()
	case EuclidDARTS:
		return gaea.Euclidean()
	}
	return gaea.Entropic()
}

// Config maps the settings to the search configuration for a space and a number of iterations per
// epoch: the algorithm's geometry and sampling, the cosine schedule over ScheduleEpochs, the warm-up,
// GDAS's temperatures.
func (s *Settings) Config(space spaces.Space, stepsPerEpoch int) gaea.Config {
	cfg := gaea.DefaultConfig()
	// A setting of 0 for these keys has always meant gaea's default (RS-WS's arch_lr 0 and the non-GDAS
	// algorithms' tau_max/tau_min 0 record and save the defaults): kept, so that no history changes.
	keep := func(dst *float64, v float64) {
		if v != 0 {
			*dst = v
		}
	}
	keep(&cfg.ArchLR, s.ArchLR)
	keep(&cfg.WeightLR, s.WeightLR)
	keep(&cfg.TauMax, s.TauMax)
	keep(&cfg.TauMin, s.TauMin)
	if steps := s.ScheduleEpochs * stepsPerEpoch; steps != 0 {
		cfg.Steps = steps
	}
	cfg.Space = space
	cfg.Geometry = s.Geometry()
	cfg.Regularizers = []gaea.Regularization{{Regularizer: gaea.Entropy(), Lambda: s.EntropyReg}}
	cfg.WeightLRMin = s.WeightLRMin
	cfg.Momentum = s.Momentum
	cfg.Nesterov = s.Nesterov
	cfg.WeightDecay = s.WeightDecay
	cfg.GradClip = s.GradClip
	cfg.StepsPerEpoch = stepsPerEpoch
	cfg.LREpochOffset = s.ScheduleOffset
	cfg.Epochs = s.Epochs
	cfg.WarmupSteps = s.WarmupEpochs * stepsPerEpoch
	cfg.SecondOrder = s.SecondOrder
	cfg.PartialChannels = s.PartialChannels
	cfg.WeightsFirst = s.WeightsFirst
	cfg.Seed = s.Seed
	switch {
	case s.Algo.gdas():
		cfg.Sampling = gaea.GDAS
	case s.Algo == RSWS:
		cfg.Sampling = gaea.RSWS
	}
	return cfg
}
