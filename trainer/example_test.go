package trainer_test

import (
	"fmt"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/data"
	"github.com/gaeanas/gaeanas/spaces/nb201"
	"github.com/gaeanas/gaeanas/trainer"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Train a small NAS-Bench-201 network on the embedded Fashion-MNIST sample for one epoch with the
// NB201 optimizer (SGD, Nesterov momentum 0.9, weight decay 5e-4, cosine learning rate per step), then
// evaluate it in inference mode. `gaea train` is this loop with checkpoints, schedules and logging.
func Example() {
	be := backend.MustNew()
	ds, _ := data.Embedded()
	arch := nb201.MustParseArch("|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|")
	space := nb201.New().Channels(4).Cells(1).Classes(10)
	tr, _ := trainer.New(be, trainer.Config{
		Model: func(ctx *context.Context, x *graph.Node) (logits, aux *graph.Node) {
			return space.Network(ctx, x, arch), nil
		},
		Optimizer: trainer.SGD{Momentum: 0.9, Nesterov: true, WeightDecay: 5e-4},
		Seed:      1,
	})
	tf, _ := data.TrainTransform("embedded", 0)
	it, _ := data.NewIterator(ds.Train, 64).Seed(1).Transform(tf).Done()
	steps := (ds.Train.Len() + 63) / 64
	for s := 0; s < steps; s++ {
		b, _ := it.Next()
		_ = tr.SetLR(trainer.Cosine(0.1, 0, float64(s)/float64(steps)))
		if _, err := tr.Step(b.Images, b.Labels); err != nil {
			fmt.Println(err) // e.g. a NaN loss: wraps trainer.ErrNotFinite
			return
		}
	}
	testTF, _ := data.TestTransform("embedded")
	test, _ := data.NewIterator(ds.Test, 250).Shuffle(false).Transform(testTF).Done()
	m, _ := tr.Evaluate(func() (*tensors.Tensor, *tensors.Tensor, error) {
		b, err := test.Next()
		if err != nil {
			return nil, nil, err
		}
		return b.Images, b.Labels, nil
	})
	fmt.Printf("test accuracy %.1f%% on %d images, %d parameters\n", 100*m.Acc, m.Images, tr.Params())
}
