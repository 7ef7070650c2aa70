// Command convnet times training steps of a small convolutional network on the backend chosen by
// package backend (GOMLX_BACKEND, else XLA if a PJRT plugin is installed, else the pure-Go backend).
//
// The net: stem conv3×3(3→16, same padding, no bias) + BatchNorm, then 3 × [ReLU → conv3×3(16→16,
// same, no bias) → BatchNorm], global average pool, dense 10 with bias. Input NHWC float32
// batch×size×size×3, random inputs and labels (fixed seed), softmax cross-entropy loss. One step is
// forward + backward + plain SGD update (learning rate 0.1, no momentum, no decay), exactly what
// bench/convnet/torch_convnet.py does in PyTorch.
//
// Usage (from the repository root):
//
//	go run ./bench/convnet -batch 64 -steps 10 -warmup 2 -size 32 [-json]
//	go run ./bench/convnet -check        # 20 steps on one batch; exit 1 unless the loss decreases
//
// Each timed step ends by reading the step's loss back to the host, which waits for the device.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/gaeanas/gaeanas/bench/internal/host"

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

const (
	channels     = 16
	numBlocks    = 3
	numClasses   = 10
	learningRate = 0.1
	checkSteps   = 20
	seed         = 42
)

var (
	flagBatch    = flag.Int("batch", 64, "batch size")
	flagSteps    = flag.Int("steps", 10, "timed training steps")
	flagWarmup   = flag.Int("warmup", 2, "untimed warm-up steps (the first one compiles the graph)")
	flagSize     = flag.Int("size", 32, "image height and width")
	flagJSON     = flag.Bool("json", false, "print one JSON object instead of the table")
	flagCheck    = flag.Bool("check", false, "run 20 steps on one fixed batch and exit 1 unless the loss decreases")
	flagProfile  = flag.String("cpuprofile", "", "write a Go CPU profile of the timed steps (after the warm-up) to this file")
	flagBNDirect = flag.Bool("bn-direct", false,
		"build BatchNorm from plain ops (batchnorm UseBackendInference(false)) instead of the backend's fused BatchNorm ops")
)

// Result is what one benchmark run reports (also its JSON form).
type Result struct {
	Program     string    `json:"program"`
	Backend     string    `json:"backend"`
	Batch       int       `json:"batch"`
	Size        int       `json:"size"`
	Warmup      int       `json:"warmup"`
	Steps       int       `json:"steps"`
	Params      int       `json:"params"`
	Optimizer   string    `json:"optimizer"`
	BNFused     bool      `json:"bn_fused"`
	FirstStepMs float64   `json:"first_step_ms"` // includes graph compilation
	MedianMs    float64   `json:"median_ms"`
	MinMs       float64   `json:"min_ms"`
	MeanMs      float64   `json:"mean_ms"`
	ImagesPerS  float64   `json:"images_per_s"`
	FirstLoss   float64   `json:"first_loss"`
	LastLoss    float64   `json:"last_loss"`
	StepMs      []float64 `json:"step_ms"`
	CPU         string    `json:"cpu"`
	GOMAXPROCS  int       `json:"gomaxprocs"`
	Threads     int       `json:"threads"` // same as GOMAXPROCS here; named like the PyTorch field
	Device      string    `json:"device"`
}

// convNet is the benchmark model: it returns the logits [batch, numClasses].
func convNet(bnDirect bool) train.ModelFn {
	return func(ctx *context.Context, _ any, inputs []*graph.Node) []*graph.Node {
		bn := func(ctx *context.Context, x *graph.Node) *graph.Node {
			b := batchnorm.New(ctx, x, -1)
			if bnDirect {
				b = b.UseBackendInference(false)
			}
			return b.Done()
		}
		conv := func(ctx *context.Context, x *graph.Node) *graph.Node {
			return layers.Convolution(ctx, x).Channels(channels).KernelSize(3).PadSame().UseBias(false).Done()
		}
		x := inputs[0]
		sub := ctx.In("stem")
		x = bn(sub, conv(sub, x))
		for i := range numBlocks {
			sub := ctx.In(fmt.Sprintf("block_%d", i))
			x = activations.Relu(x)
			x = conv(sub, x)
			x = bn(sub, x)
		}
		x = graph.ReduceMean(x, 1, 2) // global average pool: [batch, channels]
		logits := layers.DenseWithBias(ctx.In("head"), x, numClasses)
		return []*graph.Node{logits}
	}
}

// randomBatch returns NHWC float32 inputs in [-1, 1) and int32 labels [batch, 1], from a fixed seed.
func randomBatch(rng *rand.Rand, batch, size int) (*tensors.Tensor, *tensors.Tensor) {
	x := make([]float32, batch*size*size*3)
	for i := range x {
		x[i] = 2*rng.Float32() - 1
	}
	y := make([]int32, batch)
	for i := range y {
		y[i] = int32(rng.Intn(numClasses))
	}
	return tensors.FromFlatDataAndDimensions(x, batch, size, size, 3), tensors.FromFlatDataAndDimensions(y, batch, 1)
}

// countParams counts the trainable variables' elements (BatchNorm moving averages, the optimizer's
// learning rate and global step are not trainable and so not counted).
func countParams(ctx *context.Context) int {
	n := 0
	for v := range ctx.IterVariables() {
		if v.Trainable {
			n += v.Shape().Size()
		}
	}
	return n
}

func scalar(t *tensors.Tensor) float64 {
	switch v := t.Value().(type) {
	case float32:
		return float64(v)
	case float64:
		return v
	default:
		return math.NaN()
	}
}

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintf(os.Stderr, "convnet: %v\n", err)
		os.Exit(1)
	}
}

func run() error {
	be, err := backend.New()
	if err != nil {
		return err
	}
	batch, size := *flagBatch, *flagSize
	steps, warmup := *flagSteps, *flagWarmup
	if *flagCheck {
		steps, warmup = checkSteps, 0
	}
	if batch < 1 || size < 1 || steps < 1 || warmup < 0 {
		return fmt.Errorf("need -batch, -size, -steps >= 1 and -warmup >= 0")
	}

	ctx := context.New()
	if err := ctx.SetRNGStateFromSeed(seed); err != nil { // fixed initial weights
		return err
	}
	opt := optimizers.StochasticGradientDescent().WithDecay(false).WithLearningRate(learningRate)
	trainer := train.NewTrainer(be, ctx, convNet(*flagBNDirect), losses.SparseCategoricalCrossEntropyLogits, opt, nil, nil)

	rng := rand.New(rand.NewSource(seed))
	x, y := randomBatch(rng, batch, size)
	// Keep the batch on the device, as the PyTorch side does: the steps then time no host→device copy.
	if err := x.MaterializeOnDevice(be, false, 0); err != nil {
		return fmt.Errorf("moving inputs to the device: %w", err)
	}
	if err := y.MaterializeOnDevice(be, false, 0); err != nil {
		return fmt.Errorf("moving labels to the device: %w", err)
	}

	step := func() (loss float64, ms float64, err error) {
		start := time.Now()
		metrics, err := trainer.TrainStep(nil, []*tensors.Tensor{x}, []*tensors.Tensor{y})
		if err != nil {
			return 0, 0, err
		}
		loss = scalar(metrics[0]) // reads the loss back: waits for the step to finish
		ms = float64(time.Since(start).Microseconds()) / 1000
		for _, m := range metrics {
			_ = m.FinalizeAll()
		}
		return loss, ms, nil
	}

	res := Result{
		Program: "gomlx", Backend: backend.Name(), Batch: batch, Size: size, Warmup: warmup, Steps: steps,
		Optimizer: fmt.Sprintf("SGD lr=%g momentum=0", learningRate), BNFused: !*flagBNDirect,
		CPU: host.CPUModel(), GOMAXPROCS: runtime.GOMAXPROCS(0), Device: host.Description(be),
	}
	res.Threads = res.GOMAXPROCS
	var losses []float64
	for i := range warmup + steps {
		if i == warmup && *flagProfile != "" {
			stop, err := startProfile(*flagProfile)
			if err != nil {
				return err
			}
			defer stop()
		}
		loss, ms, err := step()
		if err != nil {
			return fmt.Errorf("step %d: %w", i, err)
		}
		if i == 0 {
			res.FirstStepMs = ms
			res.Params = countParams(ctx)
		}
		losses = append(losses, loss)
		if i >= warmup {
			res.StepMs = append(res.StepMs, ms)
		}
		if *flagCheck && !*flagJSON {
			fmt.Printf("check step %2d: loss %.5f (%.1f ms)\n", i, loss, ms)
		}
	}
	res.FirstLoss, res.LastLoss = losses[0], losses[len(losses)-1]
	sorted := slices.Clone(res.StepMs)
	slices.Sort(sorted)
	res.MinMs = sorted[0]
	if n := len(sorted); n%2 == 1 {
		res.MedianMs = sorted[n/2]
	} else {
		res.MedianMs = (sorted[n/2-1] + sorted[n/2]) / 2
	}
	for _, ms := range sorted {
		res.MeanMs += ms
	}
	res.MeanMs /= float64(len(sorted))
	res.ImagesPerS = float64(batch) / (res.MedianMs / 1000)

	if *flagJSON {
		out, _ := json.Marshal(res)
		fmt.Println(string(out))
	} else {
		printTable(res)
	}
	if *flagCheck {
		ok := !math.IsNaN(res.LastLoss) && res.LastLoss < res.FirstLoss
		if !ok {
			fmt.Printf("CHECK FAILED: loss did not decrease over %d steps (%.5f -> %.5f)\n", steps, res.FirstLoss, res.LastLoss)
			os.Exit(1)
		}
		fmt.Printf("CHECK OK: loss decreased over %d steps on backend %s (%.5f -> %.5f)\n",
			steps, res.Backend, res.FirstLoss, res.LastLoss)
	}
	return nil
}

func printTable(r Result) {
	rows := [][2]string{
		{"program", r.Program},
		{"backend", r.Backend},
		{"device", r.Device},
		{"host", fmt.Sprintf("%s, GOMAXPROCS=%d", r.CPU, r.GOMAXPROCS)},
		{"batch / size", fmt.Sprintf("%d / %d×%d×3", r.Batch, r.Size, r.Size)},
		{"params", fmt.Sprint(r.Params)},
		{"optimizer", r.Optimizer},
		{"bn fused op", fmt.Sprint(r.BNFused)},
		{"warmup / steps", fmt.Sprintf("%d / %d", r.Warmup, r.Steps)},
		{"first step ms", fmt.Sprintf("%.1f (includes compilation)", r.FirstStepMs)},
		{"median ms", fmt.Sprintf("%.2f", r.MedianMs)},
		{"min ms", fmt.Sprintf("%.2f", r.MinMs)},
		{"mean ms", fmt.Sprintf("%.2f", r.MeanMs)},
		{"images/s", fmt.Sprintf("%.1f", r.ImagesPerS)},
		{"loss first → last", fmt.Sprintf("%.5f → %.5f", r.FirstLoss, r.LastLoss)},
	}
	for _, row := range rows {
		fmt.Printf("%-18s %s\n", row[0], row[1])
	}
}

// startProfile starts a CPU profile written to path; the returned function stops it and closes the file.
func startProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("-cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("-cpuprofile: %w", err)
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
