package experiment

import (
	"fmt"

	"github.com/gaeanas/gaeanas/gaea"
	"github.com/gaeanas/gaeanas/setting"
	"github.com/gaeanas/gaeanas/spaces"
)

// ArchGeometry returns the geometry of the architecture parameters: the one Settings.Geometry names,
// else the algorithm's.
func (s *Settings) ArchGeometry() (gaea.Geometry, error) {
	if s.Geometry != "" {
		g, err := gaea.GeometryByName(s.Geometry)
		if err != nil {
			return nil, setting.Errorf("geometry", "%q: %v", s.Geometry, err)
		}
		return g, nil
	}
	switch s.Algo {
	case DARTSV1, DARTSV2, GDAS, PCDARTS:
		return gaea.Softmax(), nil
	case EuclidDARTS:
		return gaea.Euclidean(), nil
	}
	return gaea.Entropic(), nil
}

// validateExtensions checks the names of a researcher's registered extensions.
func (s *Settings) validateExtensions() error {
	if _, err := s.ArchGeometry(); err != nil {
		return err
	}
	return nil
}

// Config maps the settings to the search configuration for a space and a number of iterations per
// epoch: the algorithm's geometry and sampling, the cosine schedule over ScheduleEpochs, the warm-up,
// GDAS's temperatures.
func (s *Settings) Config(space spaces.Space, stepsPerEpoch int) (gaea.Config, error) {
	geo, err := s.ArchGeometry()
	if err != nil {
		return gaea.Config{}, err
	}
	if space == nil {
		return gaea.Config{}, fmt.Errorf("experiment: Config: no space")
	}
	// gaea.Config takes 0 as "the default" and a negative value as an explicit 0.
	zero := func(v float64) float64 {
		if v == 0 {
			return -1
		}
		return v
	}
	cfg := gaea.Config{
		Space:           space,
		Geometry:        geo,
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
	return cfg, nil
}
