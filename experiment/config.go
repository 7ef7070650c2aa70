package experiment

import (
	"fmt"
	"sort"

	"github.com/gaeanas/gaeanas/gaea"
	"github.com/gaeanas/gaeanas/setting"
	"github.com/gaeanas/gaeanas/spaces"
)

// ArchGeometry returns the geometry of the architecture parameters: the registered one Settings.Geometry
// names (gaea.RegisterGeometry), else the algorithm's.
func (s *Settings) ArchGeometry() (gaea.Geometry, error) {
	if s.Geometry != "" {
		g, err := gaea.GeometryByName(s.Geometry)
		if err != nil {
			return nil, setting.Errorf("geometry", "%q: %v (a geometry of your own must be registered with gaea.RegisterGeometry before the search or its resume)", s.Geometry, err)
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

// regularizations are the architecture loss's regularisers: the entropic one with λ = entropy_reg, then
// the registered ones Settings.Regularizers names (gaea.RegisterRegularizer), by name, with their λ.
func (s *Settings) regularizations() ([]gaea.Regularization, error) {
	regs := []gaea.Regularization{{Regularizer: gaea.Entropy(), Lambda: s.EntropyReg}}
	names := make([]string, 0, len(s.Regularizers))
	for name := range s.Regularizers {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		r, err := gaea.RegularizerByName(name)
		if err != nil {
			return nil, setting.Errorf("regularizers", "%q: %v (a regulariser of your own must be registered with gaea.RegisterRegularizer before the search or its resume)", name, err)
		}
		if r.Name() == gaea.Entropy().Name() {
			return nil, setting.Errorf("regularizers", "%q: the entropic regulariser's λ is entropy_reg", name)
		}
		regs = append(regs, gaea.Regularization{Regularizer: r, Lambda: s.Regularizers[name]})
	}
	return regs, nil
}

// validateExtensions checks that the geometry and regularisers the settings name are registered.
func (s *Settings) validateExtensions() error {
	if _, err := s.ArchGeometry(); err != nil {
		return err
	}
	_, err := s.regularizations()
	return err
}

// Config maps the settings to the search configuration for a space and a number of iterations per
// epoch: the algorithm's (or the named) geometry and sampling, the regularisers, the cosine schedule
// over ScheduleEpochs, the warm-up, GDAS's temperatures. In gaea.Config a literal zero means zero;
// the keys below whose 0 has always meant gaea's default keep meaning it.
func (s *Settings) Config(space spaces.Space, stepsPerEpoch int) (gaea.Config, error) {
	if space == nil {
		return gaea.Config{}, fmt.Errorf("experiment: Config: no space")
	}
	geo, err := s.ArchGeometry()
	if err != nil {
		return gaea.Config{}, err
	}
	regs, err := s.regularizations()
	if err != nil {
		return gaea.Config{}, err
	}
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
	cfg.Geometry = geo
	cfg.Regularizers = regs
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
	return cfg, nil
}
