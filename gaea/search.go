package gaea

import (
	"errors"
	"fmt"
	"math"
	"math/rand"
	"slices"
	"strings"

	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gaeanas/gaeanas/trainer"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
)

// Record is one block step of the search, as kept in the history.
type Record struct {
	Step      int     `json:"step"`      // block steps so far (1-based)
	Iteration int     `json:"iteration"` // the iteration (architecture + weight step) the step belongs to
	Block     string  `json:"block"`     // "arch" or "weights"
	Loss      float64 `json:"loss"`      // the data loss (cross-entropy) of the step's batch, without penalties
	Acc       float64 `json:"acc"`
	// Penalty is, for an architecture step, λ·R of each regulariser whose λ was not 0, by name: the step
	// minimised Loss + Σ Penalty. Nil when every λ is 0, and for weight steps.
	Penalty  map[string]float64 `json:"penalty,omitempty"`
	Theta    [][]float64        `json:"theta"`          // mixture weights per edge after the step
	Beta     [][]float64        `json:"beta,omitempty"` // edge weights per node (EdgeGroups) or a BetaRower's rows
	Entropy  []float64          `json:"entropy"`        // per edge, in nats
	ArchLR   float64            `json:"arch_lr"`
	WeightLR float64            `json:"weight_lr"`
	// Valid is the supernet's evaluation on held-out data that ran after this step (Search.Validate; a
	// bilevel search's end of an epoch), nil otherwise.
	Valid *Validation `json:"valid,omitempty"`
}

// Search is an alternating weight-sharing search that notebooks and the command line drive block by
// block: StepArch, StepWeights, Step (both, in the configured order), Run(n).
type Search struct {
	cfg     Config
	be      backends.Backend
	ctx     *context.Context
	batches Batches
	opt     *ArchOptimizer
	sgd     *trainer.SGD // the weight step

	archExec, archExec2, weightExec, thetaExec *context.Exec
	evalExec                                   *context.Exec // BestOfRandom's candidates
	validExec                                  *context.Exec // Validate

	step, iteration int
	ran             [2]bool // the blocks (ArchBlock, WeightBlock) that ran in the current iteration
	history         []Record
	lastGrad        [][]float64
	weightLR        float64 // the weight learning rate last set (the cosine at the last weight step)
	onBlockStep     func(Record)
	graphBuilds     int // graphs built by the step functions (tests check lr changes don't add any)
}

// Scope names in the search's context.
const (
	supernetScope = "supernet"
	weightsScope  = "weights_opt"
)

// NewSearch prepares a search: θ initialised by the geometry (Geometry.Init), the hyperparameter
// variables set from cfg (LRVar, BetaLRVar when cfg.BetaLR is set, each regulariser's λ, GDAS's τ), the
// supernet's weights on first use. cfg must pass Validate.
func NewSearch(be backends.Backend, cfg Config, batches Batches) (*Search, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.Regularizers = slices.Clone(cfg.Regularizers)
	if cfg.BetaLR != nil {
		v := *cfg.BetaLR
		cfg.BetaLR = &v
	}
	s := &Search{cfg: cfg, be: be, ctx: context.New(), batches: batches}
	if err := s.ctx.SetRNGStateFromSeed(cfg.Seed); err != nil {
		return nil, err
	}
	s.ctx.SetParam(initializers.ParamInitialSeed, cfg.Seed)
	rows, cols := len(cfg.Space.Edges()), len(cfg.Space.Ops())
	init, err := initBlock(cfg.Geometry, rows, cols, rand.New(rand.NewSource(cfg.Seed)))
	if err != nil {
		return nil, err
	}
	if _, err := NewBlock(s.ctx, "theta", rows, cols, init, cfg.archDType()); err != nil {
		return nil, err
	}
	for i, group := range cfg.Space.EdgeGroups() {
		init, err := initBlock(cfg.Geometry.ForEdgeWeights(), 1, len(group), rand.New(rand.NewSource(cfg.Seed+int64(i)+1)))
		if err != nil {
			return nil, err
		}
		if _, err := NewBlock(s.ctx, fmt.Sprintf("%s%02d", BetaPrefix, i), 1, len(group), init, cfg.archDType()); err != nil {
			return nil, err
		}
	}
	// A BetaRower's rows are choices as θ's are: started and moved by θ's geometry (ArchOptimizer.BetaRows).
	betaRows := spaces.BetaRowsOf(cfg.Space)
	for i, row := range betaRows {
		init, err := initBlock(cfg.Geometry, 1, row.Choices, rand.New(rand.NewSource(cfg.Seed+int64(i)+1)))
		if err != nil {
			return nil, err
		}
		if _, err := NewBlock(s.ctx, fmt.Sprintf("%s%02d", BetaPrefix, i), 1, row.Choices, init, cfg.archDType()); err != nil {
			return nil, err
		}
	}
	s.opt = &ArchOptimizer{Geometry: cfg.Geometry, BetaRows: betaRows != nil}
	type setting struct {
		name  string
		value float64
	}
	hyper := []setting{{LRVar, cfg.ArchLR}}
	if cfg.BetaLR != nil {
		hyper = append(hyper, setting{BetaLRVar, *cfg.BetaLR})
	}
	for _, r := range cfg.Regularizers {
		s.opt.Regularizers = append(s.opt.Regularizers, r.Regularizer)
		hyper = append(hyper, setting{LambdaVar(r.Name()), r.Lambda})
	}
	for _, h := range hyper {
		if err := SetHyperparameter(s.ctx, h.name, h.value); err != nil {
			return nil, err
		}
	}
	if err := s.setTau(); err != nil {
		return nil, err
	}
	s.sgd = &trainer.SGD{Momentum: cfg.Momentum, Nesterov: cfg.Nesterov, WeightDecay: cfg.WeightDecay,
		ClipNorm: cfg.GradClip, Scope: weightsScope, VariablesScope: supernetScope}
	s.weightLR = cfg.WeightLRAt(s.iteration)
	if err := s.build(); err != nil {
		return nil, err
	}
	return s, nil
}

// setWeightLR sets the weight step's learning-rate variable.
func (s *Search) setWeightLR(lr float64) error {
	return s.sgd.LRVariable(s.ctx).SetValue(tensors.FromValue(lr))
}

// setTau sets GDAS's temperature for the current iteration (nothing for other samplings).
func (s *Search) setTau() error {
	if s.cfg.Sampling != GDAS {
		return nil
	}
	return SetHyperparameter(s.ctx, TauVar, s.cfg.TauAt(s.iteration))
}

// enter marks a block step of block: it starts a new iteration when the block already ran in the
// current one, or before the first (Step starts its own iteration first, so its block steps only mark).
func (s *Search) enter(block Block) {
	if s.iteration == 0 || s.ran[block] {
		s.iteration++
		s.ran = [2]bool{}
	}
	s.ran[block] = true
}

// StepArch runs one architecture step and appends it to the history. Called alone (not by Step), it
// starts a new iteration when the architecture step already ran in the current one, so the schedules
// (τ, and the weight learning rate of a second-order step) move as under Step.
func (s *Search) StepArch() (Record, error) {
	if s.cfg.Sampling == RSWS {
		return Record{}, errors.New("gaea: random search with weight sharing (rsws) has no architecture step")
	}
	s.enter(ArchBlock)
	if err := s.setTau(); err != nil {
		return Record{}, err
	}
	var train *batch
	if s.cfg.SecondOrder {
		images, labels, err := s.batches.Next(WeightBlock)
		if err != nil {
			return Record{}, fmt.Errorf("gaea: training batch for the unrolled step: %w", err)
		}
		train = &batch{images, labels}
	}
	return s.stepArch(train)
}

type batch struct{ images, labels *tensors.Tensor }

// stepArch runs the architecture step; train is the training batch of a second-order step.
func (s *Search) stepArch(train *batch) (Record, error) {
	images, labels, err := s.batches.Next(ArchBlock)
	if err != nil {
		return Record{}, fmt.Errorf("gaea: architecture batch: %w", err)
	}
	if s.cfg.SecondOrder {
		s.weightLR = s.cfg.WeightLRAt(s.iteration)
		if err := s.setWeightLR(s.weightLR); err != nil {
			return Record{}, err
		}
	}
	var out []*tensors.Tensor
	if train != nil {
		out, err = s.archExec2.Exec(train.images, train.labels, images, labels)
	} else {
		out, err = s.archExec.Exec(images, labels)
	}
	if err != nil {
		return Record{}, fmt.Errorf("gaea: architecture step %d (geometry %q): %w", s.step+1, s.cfg.Geometry.Name(), err)
	}
	s.lastGrad = rowsOf(out[2])
	return s.record(ArchBlock, out[0], out[1], out[3:])
}

// StepWeights runs one weight step (learning rate from the cosine schedule) and appends it to the
// history. Called alone, it starts a new iteration when the weight step already ran in the current one.
func (s *Search) StepWeights() (Record, error) {
	s.enter(WeightBlock)
	images, labels, err := s.batches.Next(WeightBlock)
	if err != nil {
		return Record{}, fmt.Errorf("gaea: weight batch: %w", err)
	}
	return s.stepWeights(&batch{images, labels})
}

func (s *Search) stepWeights(b *batch) (Record, error) {
	images, labels := b.images, b.labels
	s.weightLR = s.cfg.WeightLRAt(s.iteration)
	if err := s.setWeightLR(s.weightLR); err != nil {
		return Record{}, err
	}
	if err := s.setTau(); err != nil {
		return Record{}, err
	}
	out, err := s.weightExec.Exec(images, labels)
	if err != nil {
		return Record{}, fmt.Errorf("gaea: weight step %d: %w", s.step+1, err)
	}
	return s.record(WeightBlock, out[0], out[1], nil)
}

// Step runs one search iteration: the architecture step then the weight step (or the reverse with
// Config.WeightsFirst); only the weight step during the first Config.WarmupSteps iterations and with
// RSWS sampling.
func (s *Search) Step() error {
	s.iteration++
	s.ran = [2]bool{}
	if s.cfg.Sampling == RSWS || s.iteration <= s.cfg.WarmupSteps {
		_, err := s.StepWeights()
		return err
	}
	if s.cfg.SecondOrder {
		// DARTS's order: the unrolled architecture step and the weight step share the training batch.
		images, labels, err := s.batches.Next(WeightBlock)
		if err != nil {
			return fmt.Errorf("gaea: weight batch: %w", err)
		}
		train := &batch{images, labels}
		s.enter(ArchBlock)
		if _, err := s.stepArch(train); err != nil {
			return err
		}
		s.enter(WeightBlock)
		_, err = s.stepWeights(train)
		return err
	}
	first, second := s.StepArch, s.StepWeights
	if s.cfg.WeightsFirst {
		first, second = second, first
	}
	if _, err := first(); err != nil {
		return err
	}
	_, err := second()
	return err
}

// Run runs n iterations.
func (s *Search) Run(n int) error {
	for i := 0; i < n; i++ {
		if err := s.Step(); err != nil {
			return err
		}
	}
	return nil
}

// record appends the record of a block step (penalties: the architecture step's λ·R per regulariser)
// and calls the OnBlockStep function.
func (s *Search) record(block Block, lossT, accT *tensors.Tensor, penalties []*tensors.Tensor) (Record, error) {
	loss, acc := trainer.Scalar(lossT), trainer.Scalar(accT)
	s.step++
	theta, beta, err := s.weights()
	if err != nil {
		return Record{}, err
	}
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return Record{}, fmt.Errorf("gaea: %s step %d: loss is %v", block, s.step, loss)
	}
	for _, c := range []struct {
		what string
		rows [][]float64
	}{{"θ of edge", theta}, {"β of node", beta}} {
		for i, row := range c.rows {
			for _, v := range row {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					return Record{}, fmt.Errorf("gaea: %s step %d: %s %d is %v (geometry %q)", block, s.step, c.what, i, row, s.cfg.Geometry.Name())
				}
			}
		}
	}
	r := Record{Step: s.step, Iteration: s.iteration, Block: block.String(), Loss: loss, Acc: acc, Theta: theta,
		Beta: beta, Entropy: Entropies(theta), ArchLR: s.ArchLR(), WeightLR: s.weightLR}
	for i, p := range penalties {
		name := s.cfg.Regularizers[i].Name()
		if lambda, _ := Hyperparameter(s.ctx, LambdaVar(name)); lambda != 0 {
			if r.Penalty == nil {
				r.Penalty = map[string]float64{}
			}
			r.Penalty[name] = trainer.Scalar(p)
		}
	}
	s.history = append(s.history, r)
	if s.onBlockStep != nil {
		s.onBlockStep(r)
	}
	return r, nil
}

// OnBlockStep sets a function called with the record of every block step, after it is appended to the
// history (those of Step and Run included); nil removes it.
func (s *Search) OnBlockStep(f func(Record)) { s.onBlockStep = f }

// Entropies returns the entropy (nats) of each row.
func Entropies(rows [][]float64) []float64 {
	h := make([]float64, len(rows))
	for i, r := range rows {
		for _, p := range r {
			if p > 0 {
				h[i] -= p * math.Log(p)
			}
		}
	}
	return h
}

// Theta returns the current mixture weights, one row per edge (Space().Edges()), columns Space().Ops().
func (s *Search) Theta() ([][]float64, error) {
	theta, _, err := s.weights()
	return theta, err
}

// Beta returns the current edge weights, one row per node (Space().EdgeGroups()) or per BetaRows row of
// a spaces.BetaRower; nil for spaces without β.
func (s *Search) Beta() ([][]float64, error) {
	_, beta, err := s.weights()
	return beta, err
}

func (s *Search) weights() (theta, beta [][]float64, err error) {
	out, err := s.thetaExec.Exec()
	if err != nil {
		return nil, nil, err
	}
	theta = rowsOf(out[0])
	for _, t := range out[1:] {
		beta = append(beta, rowsOf(t)[0])
	}
	return theta, beta, nil
}

// LastGrad returns the gradient of the last architecture step's loss (with the penalties) w.r.t. the
// stored architecture parameters θ, or nil before the first one.
func (s *Search) LastGrad() [][]float64 { return s.lastGrad }

// History returns the records of all block steps so far.
func (s *Search) History() []Record { return append([]Record(nil), s.history...) }

// Iteration returns the current iteration: 0 before the first block step, then the iteration the last
// block step belonged to.
func (s *Search) Iteration() int { return s.iteration }

// Space returns the search space.
func (s *Search) Space() spaces.Space { return s.cfg.Space }

// Context returns the search's context: θ and β under ArchScope, the supernet's weights under
// "supernet" (created by the first step, or earlier by a graph that builds the supernet in that scope
// with Checked(false)), the weight step's state under "weights_opt". Tests read and set weights through it.
func (s *Search) Context() *context.Context { return s.ctx }

// Config returns the configuration the search was made with. Its ArchLR and λs are the initial values:
// ArchLR and Lambda return the current ones.
func (s *Search) Config() Config {
	c := s.cfg
	c.Regularizers = slices.Clone(c.Regularizers)
	return c
}

// ArchLR returns the current architecture learning rate (the variable LRVar).
func (s *Search) ArchLR() float64 {
	lr, _ := Hyperparameter(s.ctx, LRVar)
	return lr
}

// SetArchLR changes the architecture learning rate from the next architecture step on (no recompile).
// β's learning rate moves with it unless Config.BetaLR was set.
func (s *Search) SetArchLR(lr float64) error {
	if lr < 0 || math.IsNaN(lr) || math.IsInf(lr, 0) {
		return fmt.Errorf("gaea: architecture learning rate %v: want a finite number ≥ 0", lr)
	}
	return SetHyperparameter(s.ctx, LRVar, lr)
}

// regularizer checks that the search has a regulariser of that name.
func (s *Search) regularizer(name string) error {
	var names []string
	for _, r := range s.cfg.Regularizers {
		if r.Name() == name {
			return nil
		}
		names = append(names, r.Name())
	}
	return fmt.Errorf("gaea: no regularizer %q in this search (it has: %s)", name, strings.Join(names, ", "))
}

// Lambda returns the current λ of the regulariser name.
func (s *Search) Lambda(name string) (float64, error) {
	if err := s.regularizer(name); err != nil {
		return 0, err
	}
	lambda, _ := Hyperparameter(s.ctx, LambdaVar(name))
	return lambda, nil
}

// SetLambda changes λ of the regulariser name from the next architecture step on (no recompile; 0 turns
// it off). The regulariser must be one of Config.Regularizers.
func (s *Search) SetLambda(name string, lambda float64) error {
	if err := s.regularizer(name); err != nil {
		return err
	}
	if math.IsNaN(lambda) || math.IsInf(lambda, 0) {
		return fmt.Errorf("gaea: λ of %q is %v: want a finite number", name, lambda)
	}
	return SetHyperparameter(s.ctx, LambdaVar(name), lambda)
}

// Genotype discretises the current weights with the space's rule.
func (s *Search) Genotype() (spaces.Genotype, error) {
	theta, beta, err := s.weights()
	if err != nil {
		return nil, err
	}
	return s.cfg.Space.Discretize(theta, beta)
}
