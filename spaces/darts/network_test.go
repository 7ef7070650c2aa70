package darts

import (
	"fmt"
	"math"
	"testing"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TestNetworkForward runs small CIFAR and ImageNet networks with the auxiliary head, in training (drop-path
// on) and inference, and checks the output shapes and that the values are finite.
func TestNetworkForward(t *testing.T) {
	cases := []struct {
		name string
		cfg  *NetworkConfig
		size int
	}{
		{"cifar/mixed", NewNetwork(mixedGenotype).Channels(4).Layers(3).Classes(5).Auxiliary(true).DropPath(0.3), 32},
		{"cifar/DARTS_V2", NewNetwork(DARTS_V2).Channels(4).Layers(4).Classes(5).Auxiliary(true), 32},
		{"imagenet/PC_DARTS_IMAGENET", NewNetwork(PC_DARTS_IMAGENET).Channels(4).Layers(3).Classes(5).ImageNet(true).Auxiliary(true).DropPath(0.1), 224},
	}
	for _, c := range cases {
		for _, training := range []bool{true, false} {
			ctx := context.New()
			exec := context.MustNewExec(testBackend(t), ctx, func(ctx *context.Context, x *graph.Node) []*graph.Node {
				ctx.SetTraining(x.Graph(), training)
				logits, aux := c.cfg.Build(ctx, x)
				return []*graph.Node{logits, aux}
			})
			out := exec.MustExec(randomImages(2, c.size, c.size, 3))
			for i, o := range out {
				if fmt.Sprint(o.Shape().Dimensions) != "[2 5]" {
					t.Errorf("%s training=%v: output %d shaped %v", c.name, training, i, o.Shape().Dimensions)
				}
				for _, v := range tensors.MustCopyFlatData[float32](o) {
					if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
						t.Errorf("%s training=%v: output %d not finite", c.name, training, i)
						break
					}
				}
			}
			if v := DropPathVariable(ctx); (v != nil) != (training && c.cfg.dropPath > 0) {
				t.Errorf("%s training=%v: drop-path variable %v", c.name, training, v)
			}
		}
	}
}

// TestDropPath: with p = 0.5 each example is zeroed or doubled.
func TestDropPath(t *testing.T) {
	ctx := context.New()
	exec := context.MustNewExec(testBackend(t), ctx, func(ctx *context.Context, x *graph.Node) *graph.Node {
		return dropPath(ctx, x, graph.Scalar(x.Graph(), x.DType(), 0.5))
	})
	ones := make([]float32, 64*2*2*1)
	for i := range ones {
		ones[i] = 1
	}
	out := tensors.MustCopyFlatData[float32](exec.MustExec1(tensors.FromFlatDataAndDimensions(ones, 64, 2, 2, 1)))
	zeros := 0
	for i := 0; i < 64; i++ {
		v := out[4*i]
		for _, w := range out[4*i : 4*i+4] {
			if w != v || (v != 0 && v != 2) {
				t.Fatalf("example %d: %v", i, out[4*i:4*i+4])
			}
		}
		if v == 0 {
			zeros++
		}
	}
	if zeros < 10 || zeros > 54 {
		t.Errorf("%d of 64 examples dropped at p=0.5", zeros)
	}
}

// TestSpaceNetwork: Space.Network builds the configured evaluation network (logits only).
func TestSpaceNetwork(t *testing.T) {
	s := New().Classes(7).Evaluation(NewNetwork(nil).Channels(4).Layers(3).Auxiliary(true))
	g, err := s.ParseGenotype(PC_DARTS.String())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.New()
	shapes := buildOnly(t, ctx, randomImages(2, 32, 32, 3).Shape(), func(ctx *context.Context, x *graph.Node) []*graph.Node {
		return []*graph.Node{s.Network(ctx, x, g)}
	})
	if len(shapes) != 1 || fmt.Sprint(shapes[0].Dimensions) != "[2 7]" {
		t.Errorf("Network output %v", shapes)
	}
	want := NewNetwork(PC_DARTS).Channels(4).Layers(3).Classes(7).Auxiliary(true).ParamCount()
	if got := trainableParams(ctx); got != want {
		t.Errorf("Space.Network: %d parameters, want %d", got, want)
	}
}
