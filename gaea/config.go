package gaea

import (
	"errors"
	"fmt"
	"math"

	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
)

// Config configures an alternating search. A literal zero means zero (0 momentum is plain SGD, 0 weight
// decay none, 0 GradClip no clipping, 0 λ no penalty); DefaultConfig gives the defaults.
type Config struct {
	Space    spaces.Space
	Geometry Geometry // for θ (and β, see Geometry.ForEdgeWeights)

	// ArchLR is the initial architecture learning rate η (DARTSArchLR with Softmax). The search keeps the
	// current one in the hyperparameter variable LRVar (Search.ArchLR, Search.SetArchLR).
	ArchLR float64
	// BetaLR, when set, is the fixed learning rate of the edge-weight blocks β (spaces with EdgeGroups).
	// Nil: β follows the architecture learning rate, SetArchLR included.
	BetaLR *float64
	// Regularizers are the penalties of the architecture step, each with its initial λ (Search.SetLambda
	// changes it at run time). DefaultConfig has the entropic one, Entropy(), at λ = 0.
	Regularizers []Regularization

	// The weight step is trainer.SGD (PyTorch's torch.optim.SGD after clip_grad_norm_) on the supernet's
	// variables, with the learning rate of trainer.Cosine from WeightLR to WeightLRMin over Steps.
	WeightLR, WeightLRMin float64
	Momentum              float64 // 0: plain SGD
	Nesterov              bool    // Nesterov momentum (the NAS-Bench-201 baselines' optimizer)
	WeightDecay           float64
	// GradClip is the max global norm of the weight gradients, PyTorch's clip_grad_norm_: the gradients
	// are scaled by GradClip/(‖g‖ + 1e-6) when that is below 1. 0: no clipping.
	GradClip float64
	Steps    int // iterations the cosine schedule (and τ's per-iteration schedule) spans; ≥ 1

	// Sampling: WeightedSum ("") mixes every op weighted by θ (GAEA, DARTS); GDAS mixes a straight-through
	// Gumbel sample over log θ / τ (τ linear from TauMax to TauMin over Steps); RSWS trains the weights on a
	// uniformly random op per edge and has no architecture step (random search with weight sharing).
	Sampling       Sampling
	TauMax, TauMin float64 // GDAS temperatures (> 0 with GDAS)

	// StepsPerEpoch > 0 makes the weight learning rate and GDAS's τ epoch schedules, as in every
	// reference: constant within an epoch e = (iteration − 1)/StepsPerEpoch. The learning rate is the
	// cosine at (e + LREpochOffset)/(Steps/StepsPerEpoch); τ = TauMax − (TauMax − TauMin)·e'/(Epochs − 1)
	// with e' = max(e − warm-up epochs, 0) (τ stays TauMax through the warm-up, then falls as
	// liamcli/gaea_release architect_egdas.py and AutoDL-Projects GDAS.py set it). 0 keeps
	// per-iteration schedules over Steps.
	StepsPerEpoch int
	// LREpochOffset 1 makes epoch e use the cosine's value at e+1 (quark0/darts and PC-DARTS call
	// scheduler.step() at the start of each epoch).
	LREpochOffset int
	// Epochs is τ's span in epochs when StepsPerEpoch > 0; 0 = ⌈Steps/StepsPerEpoch⌉.
	Epochs int
	// WarmupSteps: Step runs only the weight step for the first WarmupSteps iterations (no θ update and no
	// architecture record in the history), as GAEA GDAS's warm-up. StepArch called directly still runs.
	WarmupSteps int

	// SecondOrder uses DARTS's unrolled (second-order) architecture gradient: the validation loss after
	// one virtual weight step on the training batch. Step then feeds that same training batch to the
	// weight step. Weighted-sum sampling only.
	SecondOrder bool

	PartialChannels int // PC-DARTS K (spaces that support it); 0 or 1 = off

	WeightsFirst bool  // run the weight step before the architecture step in Step (default: arch first)
	Seed         int64 // initial θ (softmax geometry) and the network's initial weights

	// DType, when set (Float32 or Float64), is the floating-point type of the whole search: θ, β, the
	// supernet's weights and all the arithmetic (the images are converted). Zero keeps θ and β in
	// float32 and builds the supernet in the dtype of the images. Float64 is for numerical checks
	// (bench/twin compares a float64 search with a PyTorch twin).
	DType dtypes.DType
}

// DefaultConfig returns the settings of GAEA DARTS on NAS-Bench-201 (liamcli/gaea_release
// configs/cnn/mode/search_nasbench201.yaml): entropic geometry, arch lr 0.1, the entropic regulariser
// at λ = 0, weight lr 0.025 → 0.001 (cosine over 1000 iterations), momentum 0.9, weight decay 3e-4,
// gradient-norm clip 5, and GDAS's temperatures 10 → 0.1 (used only with GDAS sampling). Space is left
// for the caller.
func DefaultConfig() Config {
	return Config{
		Geometry:     Entropic(),
		ArchLR:       0.1,
		Regularizers: []Regularization{{Regularizer: Entropy(), Lambda: 0}},
		WeightLR:     0.025,
		WeightLRMin:  0.001,
		Momentum:     0.9,
		WeightDecay:  3e-4,
		GradClip:     5,
		Steps:        1000,
		TauMax:       10,
		TauMin:       0.1,
	}
}

// Validate checks the configuration; the error names the field.
func (c Config) Validate() error {
	bad := func(format string, args ...any) error { return fmt.Errorf("gaea: Config."+format, args...) }
	switch {
	case c.Space == nil:
		return errors.New("gaea: Config.Space is nil")
	case c.Geometry == nil:
		return errors.New("gaea: Config.Geometry is nil (DefaultConfig sets Entropic())")
	case c.Steps < 1:
		return bad("Steps is %d, want ≥ 1 (the span of the schedules; DefaultConfig sets 1000)", c.Steps)
	case c.StepsPerEpoch < 0 || c.Epochs < 0 || c.WarmupSteps < 0 || c.LREpochOffset < 0 || c.PartialChannels < 0:
		return bad("StepsPerEpoch (%d), Epochs (%d), WarmupSteps (%d), LREpochOffset (%d) and PartialChannels (%d) must not be negative",
			c.StepsPerEpoch, c.Epochs, c.WarmupSteps, c.LREpochOffset, c.PartialChannels)
	case c.DType != dtypes.InvalidDType && c.DType != dtypes.Float32 && c.DType != dtypes.Float64:
		return bad("DType %s: want Float32 or Float64", c.DType)
	case c.SecondOrder && c.Sampling != WeightedSum:
		return fmt.Errorf("gaea: Config.SecondOrder: the second-order architecture gradient needs weighted-sum sampling, not %q", c.Sampling)
	}
	if _, err := ParseSampling(string(c.Sampling)); err != nil {
		return err
	}
	if rows := spaces.BetaRowsOf(c.Space); rows != nil {
		if c.Space.EdgeGroups() != nil {
			return fmt.Errorf("gaea: space %s has both EdgeGroups and BetaRows: β is one or the other", c.Space.Name())
		}
		for _, r := range rows {
			if r.Choices < 1 {
				return fmt.Errorf("gaea: space %s: β row %q has %d entries", c.Space.Name(), r.Name, r.Choices)
			}
		}
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"ArchLR", c.ArchLR}, {"WeightLR", c.WeightLR}, {"WeightLRMin", c.WeightLRMin}, {"Momentum", c.Momentum},
		{"WeightDecay", c.WeightDecay}, {"GradClip", c.GradClip}, {"TauMax", c.TauMax}, {"TauMin", c.TauMin}} {
		if f.v < 0 || math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return bad("%s is %v, want a finite number ≥ 0", f.name, f.v)
		}
	}
	if c.BetaLR != nil && (*c.BetaLR < 0 || math.IsNaN(*c.BetaLR) || math.IsInf(*c.BetaLR, 0)) {
		return bad("BetaLR is %v, want a finite number ≥ 0", *c.BetaLR)
	}
	if c.Sampling == GDAS && (c.TauMax == 0 || c.TauMin == 0) {
		return bad("TauMax (%v) and TauMin (%v) must be > 0 with GDAS sampling (DefaultConfig sets 10 and 0.1)", c.TauMax, c.TauMin)
	}
	seen := map[string]bool{}
	for i, r := range c.Regularizers {
		if r.Regularizer == nil {
			return bad("Regularizers[%d] has no Regularizer", i)
		}
		name := r.Name()
		if err := checkName("regularizer", name); err != nil {
			return bad("Regularizers[%d]: %v", i, err)
		}
		if seen[name] {
			return bad("Regularizers: %q twice", name)
		}
		seen[name] = true
		if math.IsNaN(r.Lambda) || math.IsInf(r.Lambda, 0) {
			return bad("Regularizers[%d] (%q): λ is %v, want a finite number", i, name, r.Lambda)
		}
	}
	return nil
}

// archDType is the dtype of θ and β: DType, or float32 when DType is not set.
func (c Config) archDType() dtypes.DType {
	if c.DType == dtypes.InvalidDType {
		return dtypes.Float32
	}
	return c.DType
}
