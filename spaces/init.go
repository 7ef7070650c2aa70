package spaces

import (
	"fmt"
	"math"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// PyTorch's default initialisation, which every reference network of the spaces keeps (none of
// liamcli/gaea_release, D-X-Y/AutoDL-Projects' search and NAS-Bench-201 cells, quark0/darts or
// yuhuixu1993/PC-DARTS re-initialises a layer):
//
//   - nn.Conv2d and nn.Linear reset_parameters: the weight by kaiming_uniform_(a=√5), i.e. uniform on
//     ±gain·√(3/fan_in) with gain = √(2/(1+a²)) = √(1/3): ±1/√fan_in; the bias uniform on ±1/√fan_in,
//     fan_in of the weight (in_channels/groups · kh · kw; in_features);
//   - nn.BatchNorm2d: weight 1, bias 0 (GoMLX's batchnorm layer starts its scale at 1 and offset at 0).
//
// GoMLX's default initializer (He normal, N(0, 2/fan_in)) has √6 ≈ 2.45 times that standard deviation
// and zero biases.

// TorchUniformBound is the bound 1/√fanIn of PyTorch's default initialisation of a layer with the
// given fan-in.
func TorchUniformBound(fanIn int) float64 {
	if fanIn < 1 {
		panic(fmt.Sprintf("spaces: fan-in %d, want ≥ 1", fanIn))
	}
	return 1 / math.Sqrt(float64(fanIn))
}

// TorchUniform returns the initializer of PyTorch's default nn.Conv2d and nn.Linear parameters for a
// layer whose weight has the given fan-in: every float value uniform on [−1/√fanIn, 1/√fanIn), weight
// and bias alike (see the package notes above). It draws from ctx's random-number generator, as GoMLX's
// own initializers do, so a seeded context gives the same weights every time. Non-float variables
// start at 0.
func TorchUniform(ctx *context.Context, fanIn int) context.VariableInitializer {
	bound := TorchUniformBound(fanIn)
	return func(g *graph.Graph, shape shapes.Shape) *graph.Node {
		if !shape.DType.IsFloat() {
			return graph.Zeros(g, shape)
		}
		u := ctx.RandomUniform(g, shape)
		return graph.AddScalar(graph.MulScalar(u, 2*bound), -bound)
	}
}

// WithTorchInit returns ctx with TorchUniform(ctx, fanIn) as its initializer: the variables a
// convolution or dense layer creates under it (kernel and bias) start as PyTorch's would.
func WithTorchInit(ctx *context.Context, fanIn int) *context.Context {
	return ctx.WithInitializer(TorchUniform(ctx, fanIn))
}

// ConvFanIn is the fan-in of a convolution kernel: input channels per group times the window area,
// as torch.nn.init computes it from the weight [out, in/groups, kh, kw].
func ConvFanIn(inChannels, groups, kernelH, kernelW int) int {
	return inChannels / groups * kernelH * kernelW
}
