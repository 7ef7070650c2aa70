package gaea

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand"
	"os"
	"path/filepath"

	"github.com/gaeanas/gaeanas/internal/ckpt"
	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gaeanas/gaeanas/trainer"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/checkpoints"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
)

// Config configures an alternating search. Zero fields take the defaults of GAEA DARTS on NAS-Bench-201
// (liamcli/gaea_release configs/cnn/mode/search_nasbench201.yaml): entropic geometry, arch lr 0.1, weight lr 0.025 → 0.001 (cosine), momentum 0.9,
// weight decay 3e-4, gradient-norm clip 5.
type Config struct {
	Space    spaces.Space
	Geometry Geometry // for θ; nil = Entropic

	ArchLR     float64 // η for θ; 0 = 0.1 (use DARTSArchLR with Softmax)
	EntropyReg float64 // λ of the entropic regulariser (0 = off)

	// The weight step is trainer.SGD (PyTorch's torch.optim.SGD after clip_grad_norm_) on the supernet's
	// variables, with the learning rate of trainer.Cosine over Steps.
	WeightLR, WeightLRMin float64 // cosine schedule over Steps; 0 = 0.025 and 0.001
	Momentum              float64 // 0 = 0.9 (set NoMomentum for plain SGD)
	NoMomentum            bool
	Nesterov              bool    // Nesterov momentum (the NAS-Bench-201 baselines' optimizer)
	WeightDecay           float64 // 0 = 3e-4
	// GradClip is the max global norm of the weight gradients, PyTorch's clip_grad_norm_: the gradients
	// are scaled by GradClip/(‖g‖ + 1e-6) when that is below 1. 0 = 5.
	GradClip float64
	Steps    int // iterations the cosine schedule spans; 0 = 1000

	// Sampling: WeightedSum ("") mixes every op weighted by θ (GAEA, DARTS); GDAS mixes a straight-through
	// Gumbel sample over log θ / τ (τ linear from TauMax to TauMin over Steps); RSWS trains the weights on a
	// uniformly random op per edge and has no architecture step (random search with weight sharing).
	Sampling       Sampling
	TauMax, TauMin float64 // GDAS temperatures; 0 = 10 and 0.1

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

	// BetaLR is the learning rate of β (spaces with EdgeGroups). 0 = β follows the architecture learning
	// rate: ArchLR at first, then whatever SetArchLR sets. A value set here stays fixed.
	BetaLR          float64
	PartialChannels int // PC-DARTS K (spaces that support it); 0 or 1 = off

	WeightsFirst bool  // run the weight step before the architecture step in Step (default: arch first)
	Seed         int64 // initial θ (softmax geometry) and the network's initial weights

	// DType, when set (Float32 or Float64), is the floating-point type of the whole search: θ, β, the
	// supernet's weights and all the arithmetic (the images are converted). Zero keeps θ and β in
	// float32 and builds the supernet in the dtype of the images. Float64 is for numerical checks
	// (bench/twin compares a float64 search with a PyTorch twin).
	DType dtypes.DType
}

func (c *Config) defaults() {
	if c.Geometry == nil {
		c.Geometry = Entropic()
	}
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&c.ArchLR, 0.1)
	def(&c.WeightLR, 0.025)
	def(&c.WeightLRMin, 0.001)
	if !c.NoMomentum {
		def(&c.Momentum, 0.9)
	}
	def(&c.WeightDecay, 3e-4)
	def(&c.GradClip, 5)
	// A negative value asks for an explicit zero (0 itself takes the default).
	for _, v := range []*float64{&c.WeightLRMin, &c.WeightDecay, &c.GradClip} {
		if *v < 0 {
			*v = 0
		}
	}
	if c.Steps == 0 {
		c.Steps = 1000
	}
	def(&c.TauMax, 10)
	def(&c.TauMin, 0.1)
}

// archDType is the dtype of θ and β: DType, or float32 when DType is not set.
func (c *Config) archDType() dtypes.DType {
	if c.DType == dtypes.InvalidDType {
		return dtypes.Float32
	}
	return c.DType
}

// Record is one block step of the search, as kept in the history.
type Record struct {
	Step      int         `json:"step"`      // block steps so far (1-based)
	Iteration int         `json:"iteration"` // search iterations (architecture + weight step) started
	Block     string      `json:"block"`     // "arch" or "weights"
	Loss      float64     `json:"loss"`
	Acc       float64     `json:"acc"`
	Theta     [][]float64 `json:"theta"`          // mixture weights per edge after the step
	Beta      [][]float64 `json:"beta,omitempty"` // edge weights per node (spaces with EdgeGroups)
	Entropy   []float64   `json:"entropy"`        // per edge, in nats
	ArchLR    float64     `json:"arch_lr"`
	WeightLR  float64     `json:"weight_lr"`
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
	history         []Record
	lastGrad        [][]float64
	archLR          float64
	weightLR        float64
	graphBuilds     int // graphs built by the step functions (tests check lr changes don't add any)
}

// Scope names in the search's context.
const (
	supernetScope = "supernet"
	weightsScope  = "weights_opt"
)

// NewSearch prepares a search: θ initialised by the geometry, the supernet's weights on first use.
func NewSearch(be backends.Backend, cfg Config, batches Batches) (*Search, error) {
	cfg.defaults()
	if cfg.Space == nil {
		return nil, errors.New("gaea: Config.Space is nil")
	}
	if _, err := ParseSampling(string(cfg.Sampling)); err != nil {
		return nil, err
	}
	if cfg.StepsPerEpoch < 0 || cfg.Epochs < 0 || cfg.WarmupSteps < 0 {
		return nil, fmt.Errorf("gaea: negative StepsPerEpoch (%d), Epochs (%d) or WarmupSteps (%d)",
			cfg.StepsPerEpoch, cfg.Epochs, cfg.WarmupSteps)
	}
	if cfg.DType != dtypes.InvalidDType && cfg.DType != dtypes.Float32 && cfg.DType != dtypes.Float64 {
		return nil, fmt.Errorf("gaea: Config.DType %s: want Float32 or Float64", cfg.DType)
	}
	if cfg.SecondOrder && cfg.Sampling != WeightedSum {
		return nil, fmt.Errorf("gaea: the second-order architecture gradient needs weighted-sum sampling, not %q", cfg.Sampling)
	}
	s := &Search{cfg: cfg, be: be, ctx: context.New(), batches: batches, archLR: cfg.ArchLR}
	if err := s.ctx.SetRNGStateFromSeed(cfg.Seed); err != nil {
		return nil, err
	}
	s.ctx.SetParam(initializers.ParamInitialSeed, cfg.Seed)
	rows, cols := len(cfg.Space.Edges()), len(cfg.Space.Ops())
	init := cfg.Geometry.Init(rows, cols, rand.New(rand.NewSource(cfg.Seed)))
	if _, err := NewBlock(s.ctx, "theta", rows, cols, init, cfg.archDType()); err != nil {
		return nil, err
	}
	for i, group := range cfg.Space.EdgeGroups() {
		init := cfg.Geometry.Init(1, len(group), rand.New(rand.NewSource(cfg.Seed+int64(i)+1)))
		if _, err := NewBlock(s.ctx, fmt.Sprintf("%s%02d", BetaPrefix, i), 1, len(group), init, cfg.archDType()); err != nil {
			return nil, err
		}
	}
	s.opt = &ArchOptimizer{Geometry: cfg.Geometry, LR: cfg.ArchLR, BetaLR: cfg.BetaLR, EntropyReg: cfg.EntropyReg}
	s.sgd = &trainer.SGD{Momentum: cfg.Momentum, Nesterov: cfg.Nesterov, WeightDecay: cfg.WeightDecay,
		ClipNorm: cfg.GradClip, Scope: weightsScope, VariablesScope: supernetScope}
	s.weightLR = s.scheduledWeightLR()
	if err := s.build(); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Search) build() error {
	var err error
	forward := s.forward
	s.archExec, err = context.NewExec(s.be, s.ctx, func(ctx *context.Context, images, labels *graph.Node) []*graph.Node {
		s.graphBuilds++
		ctx.SetTraining(images.Graph(), true)
		loss, acc := forward(ctx, images, labels)
		grads := s.opt.Update(ctx, images.Graph(), loss)
		return []*graph.Node{loss, acc, grads[0]}
	})
	if err != nil {
		return err
	}
	s.archExec2, err = context.NewExec(s.be, s.ctx, func(ctx *context.Context, trainX, trainY, validX, validY *graph.Node) []*graph.Node {
		s.graphBuilds++
		ctx.SetTraining(trainX.Graph(), true)
		loss, acc, grads := s.unrolledGradients(ctx, trainX, trainY, validX, validY)
		s.opt.Apply(ctx, trainX.Graph(), grads)
		return []*graph.Node{loss, acc, grads[0]}
	})
	if err != nil {
		return err
	}
	s.weightExec, err = context.NewExec(s.be, s.ctx, func(ctx *context.Context, images, labels *graph.Node) []*graph.Node {
		s.graphBuilds++
		ctx.SetTraining(images.Graph(), true)
		loss, acc := forward(ctx, images, labels)
		s.updateWeights(ctx, images.Graph(), loss)
		return []*graph.Node{loss, acc}
	})
	if err != nil {
		return err
	}
	s.thetaExec, err = context.NewExec(s.be, s.ctx, func(ctx *context.Context, g *graph.Graph) []*graph.Node {
		var out []*graph.Node
		for _, b := range Blocks(ctx) {
			out = append(out, s.cfg.Geometry.Mixture(b.ValueGraph(g)))
		}
		return out
	})
	return err
}

// forward returns the supernet's mean cross-entropy loss and accuracy on a batch.
func (s *Search) forward(ctx *context.Context, images, labels *graph.Node) (loss, acc *graph.Node) {
	return s.forwardWith(ctx, images, labels, s.mixture(ctx, images.Graph()))
}

// forwardWith is forward with a given mixture.
func (s *Search) forwardWith(ctx *context.Context, images, labels *graph.Node, mix spaces.Mixture) (loss, acc *graph.Node) {
	if s.cfg.DType != dtypes.InvalidDType && images.DType() != s.cfg.DType {
		images = graph.ConvertDType(images, s.cfg.DType)
	}
	// The two blocks build the same supernet: its variables are created once and reused.
	logits := s.cfg.Space.Supernet(ctx.In(supernetScope).Checked(false), images, mix)
	l32 := graph.Reshape(graph.ConvertDType(labels, dtypes.Int32), labels.Shape().Dimensions[0]) // [B] or [B, 1]
	loss = losses.SparseCategoricalCrossEntropyLogits([]*graph.Node{graph.ExpandAxes(l32, -1)}, []*graph.Node{logits})
	loss = graph.ReduceAllMean(loss)
	pred := graph.ArgMax(logits, -1, dtypes.Int32)
	acc = graph.ReduceAllMean(graph.ConvertDType(graph.Equal(pred, l32), dtypes.Float32))
	return loss, acc
}

// mixture builds the supernet's mixture from the architecture blocks: θ's weights (or a sample from them),
// and β placed at each edge's position.
func (s *Search) mixture(ctx *context.Context, g *graph.Graph) spaces.Mixture {
	return s.mixtureWith(ctx, g, s.cfg.Sampling)
}

// mixtureWith is mixture with the given sampling (WeightedSum: no random draw).
func (s *Search) mixtureWith(ctx *context.Context, g *graph.Graph, sampling Sampling) spaces.Mixture {
	blocks := Blocks(ctx)
	w := s.cfg.Geometry.Mixture(blocks[0].ValueGraph(g))
	mix := spaces.Mixture{Weights: w, PartialChannels: s.cfg.PartialChannels}
	rows, cols := w.Shape().Dimensions[0], w.Shape().Dimensions[1]
	switch sampling {
	case GDAS:
		// Straight-through Gumbel-softmax: the forward value is one-hot at argmax((log w + G)/τ), the
		// gradient that of the soft sample. The space combines each edge's ops as the reference GDAS
		// (spaces.Mixture.Sampled): sampled op's output in value, every other weight's gradient the sum
		// of the upstream gradient; all ops are computed (GoMLX graphs have no conditional execution).
		tau := hyperparameter(ctx, g, TauVar, w, s.cfg.TauMax)
		u := ctx.RandomUniform(g, w.Shape())
		u = graph.Max(u, graph.Scalar(g, w.DType(), 1e-10))
		gumbel := graph.Neg(graph.Log(graph.Neg(graph.Log(u))))
		logw := graph.Log(graph.Max(w, graph.Scalar(g, w.DType(), 1e-30)))
		soft := graph.Softmax(graph.Div(graph.Add(logw, gumbel), tau), -1)
		hard := graph.OneHot(graph.ArgMax(soft, -1, dtypes.Int32), cols, w.DType())
		mix.Weights = graph.Add(graph.Sub(hard, graph.StopGradient(soft)), soft)
		mix.OneHot = hard
		mix.Sampled = true
	case RSWS:
		idx := ctx.RandomIntN(g, int32(cols), shapes.Make(dtypes.Int32, rows))
		mix.Weights = graph.OneHot(idx, cols, w.DType())
		mix.OneHot = mix.Weights
		mix.Sampled = true
	}
	if groups := s.cfg.Space.EdgeGroups(); groups != nil {
		// β: concatenate the group rows, then put each value at its edge with a permutation matrix.
		var parts []*graph.Node
		var order []int
		for i, group := range groups {
			parts = append(parts, graph.Reshape(s.cfg.Geometry.Mixture(blocks[1+i].ValueGraph(g)), len(group)))
			order = append(order, group...)
		}
		flat := graph.Concatenate(parts, 0)
		perm := make([][]float32, len(order))
		for i, e := range order {
			perm[i] = make([]float32, rows)
			perm[i][e] = 1
		}
		p := graph.ConvertDType(graph.Const(g, perm), flat.DType())
		mix.Beta = graph.Reshape(graph.MatMul(graph.Reshape(flat, 1, len(order)), p), rows)
	}
	return mix
}

// updateWeights is the weight step: trainer.SGD on the supernet's variables (sorted by name, so the
// gradient norm is summed in the same order however the context was filled — created by a graph, or
// loaded from a checkpoint), with the learning rate read from its variable.
func (s *Search) updateWeights(ctx *context.Context, g *graph.Graph, loss *graph.Node) {
	s.sgd.UpdateGraph(ctx, g, loss)
}

// tau is GDAS's temperature at the current iteration: per epoch (StepsPerEpoch > 0) or linear from
// TauMax to TauMin over Steps (see Config).
func (s *Search) tau() float64 {
	if n := s.cfg.StepsPerEpoch; n > 0 {
		total := s.cfg.Epochs
		if total == 0 {
			total = (s.cfg.Steps + n - 1) / n
		}
		if total <= 1 {
			return s.cfg.TauMax
		}
		epoch := min(max(0, (max(0, s.iteration-1)/n)-s.cfg.WarmupSteps/n), total-1)
		return s.cfg.TauMax - (s.cfg.TauMax-s.cfg.TauMin)*float64(epoch)/float64(total-1)
	}
	t := math.Min(float64(s.iteration), float64(s.cfg.Steps)) / float64(s.cfg.Steps)
	return s.cfg.TauMax - (s.cfg.TauMax-s.cfg.TauMin)*t
}

// scheduledWeightLR is the cosine schedule at the current iteration.
func (s *Search) scheduledWeightLR() float64 {
	if n := s.cfg.StepsPerEpoch; n > 0 {
		epoch := max(0, s.iteration-1) / n
		return trainer.Cosine(s.cfg.WeightLR, s.cfg.WeightLRMin, float64(epoch+s.cfg.LREpochOffset)/(float64(s.cfg.Steps)/float64(n)))
	}
	return trainer.Cosine(s.cfg.WeightLR, s.cfg.WeightLRMin, float64(s.iteration)/float64(s.cfg.Steps))
}

// setWeightLR sets the weight step's learning-rate variable.
func (s *Search) setWeightLR(lr float64) error {
	return s.sgd.LRVariable(s.ctx).SetValue(tensors.FromValue(lr))
}

func (s *Search) setVar(scope, name string, v float64) error {
	vv := s.ctx.In(scope).Checked(false).VariableWithValue(name, v).SetTrainable(false)
	return vv.SetValue(tensors.FromValue(v))
}

// StepArch runs one architecture step and appends it to the history.
func (s *Search) StepArch() (Record, error) {
	if s.cfg.Sampling == RSWS {
		return Record{}, errors.New("gaea: random search with weight sharing (rsws) has no architecture step")
	}
	if err := s.setVar(ArchScope, TauVar, s.tau()); err != nil {
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
	if err := s.setVar(ArchScope, LRVar, s.archLR); err != nil {
		return Record{}, err
	}
	if s.cfg.BetaLR == 0 && s.cfg.Space.EdgeGroups() != nil {
		if err := s.setVar(ArchScope, BetaLRVar, s.archLR); err != nil {
			return Record{}, err
		}
	}
	if s.cfg.SecondOrder {
		s.weightLR = s.scheduledWeightLR()
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
		return Record{}, fmt.Errorf("gaea: architecture step %d: %w", s.step+1, err)
	}
	s.lastGrad = rowsOf(out[2])
	return s.record(ArchBlock, out[0], out[1])
}

// StepWeights runs one weight step (learning rate from the cosine schedule) and appends it to the history.
func (s *Search) StepWeights() (Record, error) {
	images, labels, err := s.batches.Next(WeightBlock)
	if err != nil {
		return Record{}, fmt.Errorf("gaea: weight batch: %w", err)
	}
	return s.stepWeights(&batch{images, labels})
}

func (s *Search) stepWeights(b *batch) (Record, error) {
	images, labels := b.images, b.labels
	s.weightLR = s.scheduledWeightLR()
	if err := s.setWeightLR(s.weightLR); err != nil {
		return Record{}, err
	}
	if err := s.setVar(ArchScope, TauVar, s.tau()); err != nil {
		return Record{}, err
	}
	out, err := s.weightExec.Exec(images, labels)
	if err != nil {
		return Record{}, fmt.Errorf("gaea: weight step %d: %w", s.step+1, err)
	}
	return s.record(WeightBlock, out[0], out[1])
}

// Step runs one search iteration: the architecture step then the weight step (or the reverse with
// Config.WeightsFirst); only the weight step during the first Config.WarmupSteps iterations and with
// RSWS sampling.
func (s *Search) Step() error {
	s.iteration++
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
		if _, err := s.stepArch(train); err != nil {
			return err
		}
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

func (s *Search) record(block Block, lossT, accT *tensors.Tensor) (Record, error) {
	loss, acc := trainer.Scalar(lossT), trainer.Scalar(accT)
	s.step++
	theta, beta, err := s.weights()
	if err != nil {
		return Record{}, err
	}
	if math.IsNaN(loss) || math.IsInf(loss, 0) {
		return Record{}, fmt.Errorf("gaea: %s step %d: loss is %v", block, s.step, loss)
	}
	for e, row := range theta {
		for _, v := range row {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return Record{}, fmt.Errorf("gaea: %s step %d: θ of edge %d is %v", block, s.step, e, row)
			}
		}
	}
	r := Record{Step: s.step, Iteration: s.iteration, Block: block.String(), Loss: loss, Acc: acc, Theta: theta,
		Beta: beta, Entropy: Entropies(theta), ArchLR: s.archLR, WeightLR: s.weightLR}
	s.history = append(s.history, r)
	return r, nil
}

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

// Beta returns the current edge weights, one row per node (Space().EdgeGroups()); nil for spaces without β.
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

// LastGrad returns the gradient of the last architecture step's loss (with regulariser) w.r.t. the
// stored architecture parameters, or nil before the first one.
func (s *Search) LastGrad() [][]float64 { return s.lastGrad }

// History returns the records of all block steps so far.
func (s *Search) History() []Record { return append([]Record(nil), s.history...) }

// Space returns the search space.
func (s *Search) Space() spaces.Space { return s.cfg.Space }

// Context returns the search's context: θ and β under ArchScope, the supernet's weights under
// "supernet" (created by the first step, or earlier by a graph that builds the supernet in that scope
// with Checked(false)), the weight step's state under "weights_opt". Tests read and set weights through it.
func (s *Search) Context() *context.Context { return s.ctx }

// Config returns the configuration (with defaults filled in).
func (s *Search) Config() Config { return s.cfg }

// SetArchLR changes the architecture learning rate from the next architecture step on (no recompile).
// β's learning rate moves with it unless Config.BetaLR was set.
func (s *Search) SetArchLR(lr float64) { s.archLR = lr }

// SetEntropyReg changes λ of the entropic regulariser from the next architecture step on.
func (s *Search) SetEntropyReg(lambda float64) error {
	return s.setVar(ArchScope, EntropyRegVar, lambda)
}

// Genotype discretises the current weights with the space's rule.
func (s *Search) Genotype() (spaces.Genotype, error) {
	theta, beta, err := s.weights()
	if err != nil {
		return nil, err
	}
	return s.cfg.Space.Discretize(theta, beta)
}

// searchState is what Save writes besides the variables.
type searchState struct {
	Step      int             `json:"step"`
	Iteration int             `json:"iteration"`
	ArchLR    float64         `json:"arch_lr"`
	History   []Record        `json:"history"`
	LastGrad  [][]float64     `json:"last_grad"`
	Batches   json.RawMessage `json:"batches"`
}

// Save writes the whole search state to dir/checkpoint: every variable of the context (weights, θ,
// optimizer state; the files are named after the block step), search.json (counters, history, data
// position) and MANIFEST.sha256 (the SHA-256 of every file). The folder is written under a temporary
// name and renamed; the previous checkpoint is kept as dir/checkpoint.prev, so that a checkpoint
// found corrupt on restore falls back to the one before it.
func (s *Search) Save(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(dir, ".saving-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	h, err := checkpoints.Build(s.ctx).Dir(tmp).Keep(1).Done()
	if err != nil {
		return err
	}
	if err := ckpt.SetStep(s.ctx, int64(s.step)); err != nil {
		return err
	}
	if err := h.Save(); err != nil {
		return err
	}
	bs, err := s.batches.State()
	if err != nil {
		return err
	}
	st := searchState{Step: s.step, Iteration: s.iteration, ArchLR: s.archLR, History: s.history,
		LastGrad: s.lastGrad, Batches: bs}
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(tmp, "search.json"), data, 0o644); err != nil {
		return err
	}
	if err := ckpt.WriteManifest(tmp); err != nil {
		return err
	}
	final := filepath.Join(dir, "checkpoint")
	prev := filepath.Join(dir, "checkpoint.prev")
	if dirExists(final) {
		if err := os.RemoveAll(prev); err != nil {
			return err
		}
		if err := os.Rename(final, prev); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, final); err != nil {
		return err
	}
	_ = os.RemoveAll(filepath.Join(dir, ".old-checkpoint")) // the previous layout's leftover
	return nil
}

// RestoreSearch recreates a search saved with Save in dir, with the same configuration and a batch
// source positioned anywhere (it is moved to the saved position). Continuing it gives the same results,
// bit for bit on the same backend, as the search that was saved.
//
// The newest complete checkpoint whose files match its manifest is used: dir/checkpoint, else
// dir/checkpoint.prev (a Save killed between its renames, or a corrupt newest checkpoint: one line
// on stderr says so). When none is usable the error names the bad file.
func RestoreSearch(be backends.Backend, cfg Config, batches Batches, dir string) (*Search, error) {
	var (
		final    string
		st       searchState
		firstErr error
	)
	for _, name := range []string{"checkpoint", "checkpoint.prev", ".old-checkpoint"} {
		p := filepath.Join(dir, name)
		if !dirExists(p) {
			continue
		}
		err := ckpt.Verify(p)
		if err == nil {
			var data []byte
			if data, err = os.ReadFile(filepath.Join(p, "search.json")); err == nil {
				if err = json.Unmarshal(data, &st); err != nil {
					err = fmt.Errorf("%s: %w", filepath.Join(p, "search.json"), err)
				}
			}
		}
		if err == nil {
			final = p
			break
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	switch {
	case final == "" && firstErr != nil:
		return nil, fmt.Errorf("gaea: restore: no usable checkpoint in %s: %v", dir, firstErr)
	case final == "":
		return nil, fmt.Errorf("gaea: restore: no checkpoint in %s: %w", dir, os.ErrNotExist)
	case firstErr != nil:
		fmt.Fprintf(os.Stderr, "gaea: newest checkpoint is unusable (%v); resuming from %s\n", firstErr, final)
	}
	s, err := NewSearch(be, cfg, batches)
	if err != nil {
		return nil, err
	}
	if _, err := checkpoints.Build(s.ctx).Dir(final).Immediate().Done(); err != nil {
		return nil, fmt.Errorf("gaea: restore variables from %s: %w", final, err)
	}
	if err := batches.SetState(st.Batches); err != nil {
		return nil, err
	}
	s.step, s.iteration, s.archLR, s.history, s.lastGrad = st.Step, st.Iteration, st.ArchLR, st.History, st.LastGrad
	s.weightLR = s.scheduledWeightLR()
	return s, nil
}

func dirExists(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}
