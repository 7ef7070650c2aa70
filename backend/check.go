package backend

import (
	"fmt"
	"math"
	"math/rand"
	"time"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/layers/batchnorm"
	"github.com/gomlx/gomlx/pkg/ml/train"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// TrainingCheck is what CheckTraining reports.
type TrainingCheck struct {
	Steps      int     `json:"steps"`
	Batch      int     `json:"batch"`
	FirstLoss  float64 `json:"first_loss"`
	LastLoss   float64 `json:"last_loss"`
	MsPerStep  float64 `json:"ms_per_step"`
	LossFalls  bool    `json:"loss_falls"`
	CompileSec float64 `json:"compile_seconds"`
}

// CheckTraining fits a tiny conv net (conv+batch-norm+ReLU twice, max-pool, dense) to one fixed random
// batch with the backend New returns, for a few steps, and reports the losses, the time per step and
// whether the loss falls: `gaea backend` uses it to show that a backend trains.
func CheckTraining(steps, batch int) (*TrainingCheck, error) {
	const size, classes = 16, 10
	rng := rand.New(rand.NewSource(1))
	images := make([]float32, batch*size*size*3)
	for i := range images {
		images[i] = float32(rng.NormFloat64())
	}
	labels := make([]int32, batch)
	for i := range labels {
		labels[i] = int32(rng.Intn(classes))
	}
	x := tensors.FromFlatDataAndDimensions(images, batch, size, size, 3)
	y := tensors.FromFlatDataAndDimensions(labels, batch, 1)

	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(1); err != nil {
		return nil, err
	}
	model := func(ctx *context.Context, _ any, inputs []*graph.Node) []*graph.Node {
		h := inputs[0]
		for i, ch := range []int{8, 16} {
			c := ctx.In(fmt.Sprintf("block%d", i))
			h = layers.Convolution(c, h).Channels(ch).KernelSize(3).PadSame().Strides(1 + i).UseBias(false).Done()
			h = batchnorm.New(c, h, -1).Done()
			h = activations.Relu(h)
		}
		h = graph.MaxPool(h).Window(3).Strides(1).PadSame().Done()
		h = graph.ReduceMean(h, 1, 2)
		return []*graph.Node{layers.DenseWithBias(ctx.In("head"), h, classes)}
	}
	be, err := New()
	if err != nil {
		return nil, err
	}
	trainer := train.NewTrainer(be, ctx, model, losses.SparseCategoricalCrossEntropyLogits,
		optimizers.StochasticGradientDescent().WithDecay(false).WithLearningRate(0.1).Done(), nil, nil)
	run := &TrainingCheck{Steps: steps, Batch: batch}
	start := time.Now()
	var loopStart time.Time
	for s := 0; s < steps; s++ {
		if s == 1 {
			loopStart = time.Now()
			run.CompileSec = loopStart.Sub(start).Seconds()
		}
		m, err := trainer.TrainStep(nil, []*tensors.Tensor{x}, []*tensors.Tensor{y})
		if err != nil {
			return nil, err
		}
		loss := tensors.ToScalar[float32](m[0])
		if math.IsNaN(float64(loss)) || math.IsInf(float64(loss), 0) {
			return nil, fmt.Errorf("loss is %v at step %d", loss, s)
		}
		if s == 0 {
			run.FirstLoss = float64(loss)
		}
		run.LastLoss = float64(loss)
	}
	run.MsPerStep = float64(time.Since(loopStart).Milliseconds()) / float64(steps-1)
	run.LossFalls = run.LastLoss < run.FirstLoss
	return run, nil
}
