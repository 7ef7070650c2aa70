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
	// gaea.Config takes 0 as "the default" and a negative value as an explicit 0.
	zero := func(v float64) float64 {
		if v == 0 {
			return -1
		}
		return v
	}
	cfg := gaea.Config{
		Space:           space,
		Geometry:        s.Geometry(),
		ArchLR:          s.ArchLR,
		EntropyReg:      s.EntropyReg,
		WeightLR:        s.WeightLR,
		WeightLRMin:     zero(s.WeightLRMin),
		Momentum:        s.Momentum,
		NoMomentum:      s.Momentum == 0,
		Nesterov:        s.Nesterov,
		WeightDecay:     zero(s.WeightDecay),
		GradClip:        zero(s.GradClip),
		Steps:           s.ScheduleEpochs * stepsPerEpoch,
		StepsPerEpoch:   stepsPerEpoch,
		LREpochOffset:   s.ScheduleOffset,
		Epochs:          s.Epochs,
		WarmupSteps:     s.WarmupEpochs * stepsPerEpoch,
		TauMax:          s.TauMax,
		TauMin:          s.TauMin,
		SecondOrder:     s.SecondOrder,
		PartialChannels: s.PartialChannels,
		WeightsFirst:    s.WeightsFirst,
		Seed:            s.Seed,
	}
	switch {
	case s.Algo.gdas():
		cfg.Sampling = gaea.GDAS
	case s.Algo == RSWS:
		cfg.Sampling = gaea.RSWS
	}
	return cfg
}
