package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand"
	"os"
	"time"

	"github.com/gaeanas/gaeanas/backend"
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

type backendReport struct {
	Backend     string    `json:"backend"`
	Reason      string    `json:"reason"`
	Detail      string    `json:"detail,omitempty"`
	Description string    `json:"description"`
	Devices     int       `json:"devices"`
	Check       *trainRun `json:"check,omitempty"`
}

type trainRun struct {
	Steps      int     `json:"steps"`
	Batch      int     `json:"batch"`
	FirstLoss  float64 `json:"first_loss"`
	LastLoss   float64 `json:"last_loss"`
	MsPerStep  float64 `json:"ms_per_step"`
	LossFalls  bool    `json:"loss_falls"`
	CompileSec float64 `json:"compile_seconds"`
}

func runBackend(args []string) error {
	fs := flag.NewFlagSet("backend", flag.ContinueOnError)
	check := fs.Bool("check", true, "train a small conv net (conv+batch-norm+ReLU, pooling) for a few steps on fixed random data")
	steps := fs.Int("steps", 8, "training steps for -check")
	batch := fs.Int("batch", 16, "batch size for -check")
	asJSON := fs.Bool("json", false, "print one JSON object instead of text")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gaea backend [flags]\n\nSays which GoMLX backend is used (set GOMLX_BACKEND=go|xla|xla:cuda to choose) and checks that it trains.\n\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *steps < 2 || *batch < 1 {
		return usagef("-steps must be ≥ 2 and -batch ≥ 1 (got %d, %d)", *steps, *batch)
	}
	be, err := backend.New()
	if err != nil {
		return err
	}
	choice, _ := backend.Chosen()
	rep := backendReport{Backend: choice.Config, Reason: choice.Reason, Detail: choice.Detail, Description: be.Description(), Devices: be.NumDevices()}
	if *check {
		run, err := checkTraining(*steps, *batch)
		if err != nil {
			return fmt.Errorf("training check failed: %w", err)
		}
		rep.Check = run
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		fmt.Printf("backend:     %s\nreason:      %s\ndescription: %s\ndevices:     %d\n", rep.Backend, rep.Reason, rep.Description, rep.Devices)
		if c := rep.Check; c != nil {
			fmt.Printf("check:       %d steps at batch %d: loss %.4f → %.4f, %.1f ms/step (first step incl. compile: %.1f s)\n",
				c.Steps, c.Batch, c.FirstLoss, c.LastLoss, c.MsPerStep, c.CompileSec)
		}
	}
	if rep.Check != nil && !rep.Check.LossFalls {
		return fmt.Errorf("loss did not fall (%.4f → %.4f)", rep.Check.FirstLoss, rep.Check.LastLoss)
	}
	return nil
}

// checkTraining fits a tiny conv net to one fixed random batch and reports whether the loss falls.
func checkTraining(steps, batch int) (*trainRun, error) {
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
	be, err := backend.New()
	if err != nil {
		return nil, err
	}
	trainer := train.NewTrainer(be, ctx, model, losses.SparseCategoricalCrossEntropyLogits,
		optimizers.StochasticGradientDescent().WithDecay(false).WithLearningRate(0.1).Done(), nil, nil)
	run := &trainRun{Steps: steps, Batch: batch}
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
