package trainer

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
)

// Model builds a network's logits [batch, classes] for images [batch, height, width, channels] and,
// optionally, the logits of an auxiliary head (nil if none). It creates its variables in ctx, and may
// ask ctx.IsTraining(images.Graph()) whether it builds the training or the evaluation graph (e.g. to
// leave the auxiliary head or drop-path out of evaluation).
type Model func(ctx *context.Context, images *graph.Node) (logits, aux *graph.Node)

// Config configures a Trainer.
type Config struct {
	Model     Model
	Optimizer SGD     // the weight optimizer
	AuxWeight float64 // weight of the auxiliary head's loss (DARTS: 0.4); ignored when the model has none
	Seed      int64   // weight initialisation and the random numbers of the training graph (drop-path)
}

// ModelScope is the scope of the model's variables in the Trainer's context.
const ModelScope = "model"

// Trainer trains a Model. Create it with New (or Restore), then call SetLR and Step per batch and
// Evaluate after each epoch; Save checkpoints it.
type Trainer struct {
	cfg                 Config
	be                  backends.Backend
	ctx                 *context.Context
	trainExec, evalExec *context.Exec
	steps               int64
}

// StepResult is what one training step reports. Loss and Acc are the batch means of the main head.
type StepResult struct {
	Loss, Acc    float64
	Correct      int     // correctly classified images of the batch
	Size         int     // images in the batch
	GradNorm     float64 // global norm of the raw gradient (before clipping)
	WeightNormSq float64 // squared global norm of the weights after the update
}

// Metrics are the results of an evaluation.
type Metrics struct {
	Loss, Acc float64 // mean cross-entropy and accuracy over all images
	Correct   int
	Images    int
}

// New prepares a Trainer; the model's variables are created (with Config.Seed) when the first step or
// evaluation builds its graph.
func New(be backends.Backend, cfg Config) (*Trainer, error) {
	if cfg.Model == nil {
		return nil, errors.New("trainer: Config.Model is nil")
	}
	t := &Trainer{cfg: cfg, be: be, ctx: context.New()}
	if err := t.ctx.SetRNGStateFromSeed(cfg.Seed); err != nil {
		return nil, err
	}
	t.ctx.SetParam(initializers.ParamInitialSeed, cfg.Seed)
	t.cfg.Optimizer.LRVariable(t.ctx)
	var err error
	t.trainExec, err = context.NewExec(be, t.ctx, t.trainGraph)
	if err != nil {
		return nil, err
	}
	t.evalExec, err = context.NewExec(be, t.ctx, t.evalGraph)
	if err != nil {
		return nil, err
	}
	return t, nil
}

// Context returns the Trainer's context (all variables).
func (t *Trainer) Context() *context.Context { return t.ctx }

// ModelContext returns the context scope the model is built in (unchecked: variables are reused by
// the training and evaluation graphs). Hyperparameter variables a model reads, such as DARTS's
// drop-path probability, can be created and set here before the first step.
func (t *Trainer) ModelContext() *context.Context { return t.ctx.In(ModelScope).Checked(false) }

// Steps returns the number of training steps taken (restored by Restore).
func (t *Trainer) Steps() int64 { return t.steps }

// SetLR sets the learning rate of the following steps (no recompilation).
func (t *Trainer) SetLR(lr float64) error {
	return t.cfg.Optimizer.LRVariable(t.ctx).SetValue(tensors.FromValue(lr))
}

// SetScalar sets a scalar float64 variable in the model's scope (scope path relative to it, e.g.
// "drop_path"), creating it if needed.
func (t *Trainer) SetScalar(scope, name string, value float64) error {
	ctx := t.ModelContext()
	for _, s := range strings.Split(scope, "/") {
		if s != "" {
			ctx = ctx.In(s)
		}
	}
	return ctx.VariableWithValue(name, value).SetTrainable(false).SetValue(tensors.FromValue(value))
}

// crossEntropy returns the mean cross-entropy and the number of correct predictions.
func crossEntropy(logits, labels *graph.Node) (loss, correct *graph.Node) {
	n := labels.Shape().Dimensions[0]
	l32 := graph.Reshape(graph.ConvertDType(labels, dtypes.Int32), n, 1)
	loss = losses.SparseCategoricalCrossEntropyLogits([]*graph.Node{l32}, []*graph.Node{logits})
	loss = graph.ReduceAllMean(loss)
	pred := graph.ArgMax(logits, -1, dtypes.Int32)
	correct = graph.ReduceAllSum(graph.ConvertDType(graph.Equal(pred, graph.Reshape(l32, n)), dtypes.Float32))
	return loss, correct
}

func (t *Trainer) trainGraph(ctx *context.Context, images, labels *graph.Node) []*graph.Node {
	g := images.Graph()
	ctx.SetTraining(g, true)
	logits, aux := t.cfg.Model(ctx.In(ModelScope).Checked(false), images)
	loss, correct := crossEntropy(logits, labels)
	total := loss
	if aux != nil && t.cfg.AuxWeight != 0 {
		auxLoss, _ := crossEntropy(aux, labels)
		total = graph.Add(total, graph.MulScalar(auxLoss, t.cfg.AuxWeight))
	}
	gradNorm, wNormSq := t.cfg.Optimizer.UpdateWithNorms(ctx, g, total)
	f32 := func(x *graph.Node) *graph.Node { return graph.ConvertDType(x, dtypes.Float32) }
	return []*graph.Node{f32(loss), f32(correct), f32(gradNorm), f32(wNormSq)}
}

func (t *Trainer) evalGraph(ctx *context.Context, images, labels *graph.Node) []*graph.Node {
	g := images.Graph()
	ctx.SetTraining(g, false)
	logits, _ := t.cfg.Model(ctx.In(ModelScope).Checked(false), images)
	loss, correct := crossEntropy(logits, labels)
	return []*graph.Node{graph.ConvertDType(loss, dtypes.Float32), correct}
}

// Step runs one training step on a batch (images [B, H, W, C] float32, labels [B] or [B, 1] int32)
// with the current learning rate. A non-finite loss or update is reported as an error wrapping
// ErrNotFinite; the weights are then already updated, so the caller must not save them.
func (t *Trainer) Step(images, labels *tensors.Tensor) (StepResult, error) {
	out, err := t.trainExec.Exec(images, labels)
	if err != nil {
		return StepResult{}, fmt.Errorf("trainer: step %d: %w", t.steps+1, err)
	}
	t.steps++
	n := images.Shape().Dimensions[0]
	r := StepResult{Loss: Scalar(out[0]), Correct: int(Scalar(out[1])), Size: n, GradNorm: Scalar(out[2]),
		WeightNormSq: Scalar(out[3])}
	r.Acc = float64(r.Correct) / float64(n)
	switch {
	case !finite(r.Loss):
		return r, fmt.Errorf("%w: loss is %v", ErrNotFinite, r.Loss)
	case !finite(r.GradNorm):
		return r, fmt.Errorf("%w: gradient norm is %v (loss %.4g)", ErrNotFinite, r.GradNorm, r.Loss)
	case !finite(r.WeightNormSq):
		return r, fmt.Errorf("%w: the update made the weights %v (loss %.4g, gradient norm %.4g)", ErrNotFinite,
			r.WeightNormSq, r.Loss, r.GradNorm)
	}
	return r, nil
}

// ErrNotFinite is wrapped by the errors of steps and evaluations that produced NaN or ±Inf.
var ErrNotFinite = errors.New("not finite")

// Evaluate runs the model in inference mode over the batches next returns until io.EOF.
func (t *Trainer) Evaluate(next func() (images, labels *tensors.Tensor, err error)) (Metrics, error) {
	var m Metrics
	var lossSum float64
	for {
		images, labels, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return m, err
		}
		out, err := t.evalExec.Exec(images, labels)
		if err != nil {
			return m, fmt.Errorf("trainer: evaluate: %w", err)
		}
		n := images.Shape().Dimensions[0]
		lossSum += Scalar(out[0]) * float64(n)
		m.Correct += int(Scalar(out[1]))
		m.Images += n
	}
	if m.Images == 0 {
		return m, errors.New("trainer: evaluate: no images")
	}
	m.Loss = lossSum / float64(m.Images)
	m.Acc = float64(m.Correct) / float64(m.Images)
	if !finite(m.Loss) {
		return m, fmt.Errorf("%w: evaluation loss is %v", ErrNotFinite, m.Loss)
	}
	return m, nil
}

// Params returns the number of trainable parameters in the model's scope, leaving out the variables
// whose scope contains any of the exclude strings (e.g. "auxiliary_head": the reference counts the
// DARTS network without its auxiliary head). The model must have been built (a step, an evaluation or
// a Restore).
func (t *Trainer) Params(exclude ...string) int {
	n := 0
	prefix := context.RootScope + ModelScope
next:
	for v := range t.ctx.IterVariables() {
		if !v.Trainable || !(v.Scope() == prefix || strings.HasPrefix(v.Scope(), prefix+context.ScopeSeparator)) {
			continue
		}
		for _, e := range exclude {
			if strings.Contains(v.Scope(), e) {
				continue next
			}
		}
		n += v.Shape().Size()
	}
	return n
}

// Scalar reads a float32 or float64 scalar tensor as a float64 (NaN for any other dtype). It is the one
// scalar reader of the module (package gaea uses it too).
func Scalar(t *tensors.Tensor) float64 {
	switch v := t.Value().(type) {
	case float32:
		return float64(v)
	case float64:
		return v
	}
	return math.NaN()
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// Cosine is the cosine-annealing schedule: lrMax at t = 0 down to lrMin at t = 1 (PyTorch's
// CosineAnnealingLR with T_max = 1).
func Cosine(lrMax, lrMin, t float64) float64 {
	t = math.Max(0, math.Min(1, t))
	return lrMin + 0.5*(lrMax-lrMin)*(1+math.Cos(math.Pi*t))
}
