package darts

import (
	"fmt"
	"slices"

	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/batchnorm"
)

// The candidate operations of the DARTS space, in θ-column order (PRIMITIVES in the reference code).
const (
	OpNone        = "none"
	OpMaxPool3x3  = "max_pool_3x3"
	OpAvgPool3x3  = "avg_pool_3x3"
	OpSkipConnect = "skip_connect"
	OpSepConv3x3  = "sep_conv_3x3"
	OpSepConv5x5  = "sep_conv_5x5"
	OpDilConv3x3  = "dil_conv_3x3"
	OpDilConv5x5  = "dil_conv_5x5"
)

var allOps = []string{OpNone, OpMaxPool3x3, OpAvgPool3x3, OpSkipConnect, OpSepConv3x3, OpSepConv5x5, OpDilConv3x3, OpDilConv5x5}

// AllOps returns the 8 DARTS ops in θ-column order: none, max_pool_3x3, avg_pool_3x3, skip_connect,
// sep_conv_3x3, sep_conv_5x5, dil_conv_3x3, dil_conv_5x5.
func AllOps() []string { return slices.Clone(allOps) }

// Images are NHWC ([batch, height, width, channels]) throughout, as GoMLX's default.

// BatchNorm is PyTorch's BatchNorm2d: momentum 0.1 (GoMLX's 0.9), ε = 1e-5, a learned scale and offset
// (2·C parameters) only when affine.
func BatchNorm(ctx *context.Context, x *graph.Node, affine bool) *graph.Node {
	return batchnorm.New(ctx, x, -1).Momentum(0.9).Epsilon(1e-5).Center(affine).Scale(affine).Done()
}

// Conv2D is a bias-free 2-D convolution with PyTorch's symmetric zero padding, stride, dilation and
// channel groups (groups = input channels: depthwise). Its kernel, [k, k, in/groups, out], is the variable
// "weights" in ctx's scope, initialised as PyTorch's nn.Conv2d (spaces.TorchUniform, fan-in in/groups·k²).
//
// GoMLX's convolution (and its gradient) takes either strides or dilations; a strided dilated convolution
// is computed dilated at stride 1 and then subsampled, which gives exactly the strided result.
func Conv2D(ctx *context.Context, x *graph.Node, out, k, stride, pad, dilation, groups int) *graph.Node {
	in := x.Shape().Dim(-1)
	ctx = spaces.WithTorchInit(ctx, spaces.ConvFanIn(in, groups, k, k))
	w := ctx.VariableWithShape("weights", shapes.Make(x.DType(), k, k, in/groups, out)).ValueGraph(x.Graph())
	c := graph.Convolve(x, w).PaddingPerDim([][2]int{{pad, pad}, {pad, pad}}).ChannelGroupCount(groups)
	subsample := dilation > 1 && stride > 1
	if dilation > 1 {
		c.DilationPerAxis(dilation, dilation)
	}
	if subsample {
		c.StridePerAxis(1, 1)
	} else {
		c.StridePerAxis(stride, stride)
	}
	y := c.Done()
	if subsample {
		y = graph.Slice(y, graph.AxisRange(), graph.AxisRange().Stride(stride), graph.AxisRange().Stride(stride), graph.AxisRange())
	}
	return y
}

// ReLUConvBN is ReLU → k×k convolution → BN (the cells' 1×1 preprocessing).
func ReLUConvBN(ctx *context.Context, x *graph.Node, out, k, stride, pad int, affine bool) *graph.Node {
	h := Conv2D(ctx.In("conv"), spaces.ReLU(x), out, k, stride, pad, 1, 1)
	return BatchNorm(ctx.In("bn"), h, affine)
}

// FactorizedReduce halves the spatial size: ReLU, then two 1×1 stride-2 convolutions with out/2 filters
// each, the second on the input shifted by one pixel (x[1:, 1:]), concatenated, then BN. out must be even.
func FactorizedReduce(ctx *context.Context, x *graph.Node, out int, affine bool) *graph.Node {
	if out%2 != 0 {
		panic(fmt.Sprintf("darts: FactorizedReduce needs an even number of output channels, got %d", out))
	}
	x = spaces.ReLU(x)
	a := Conv2D(ctx.In("conv_1"), x, out/2, 1, 2, 0, 1, 1)
	shifted := graph.Slice(x, graph.AxisRange(), graph.AxisRange(1), graph.AxisRange(1), graph.AxisRange())
	b := Conv2D(ctx.In("conv_2"), shifted, out/2, 1, 2, 0, 1, 1)
	return BatchNorm(ctx.In("bn"), graph.Concatenate([]*graph.Node{a, b}, -1), affine)
}

// sepBlock is ReLU → depthwise k×k (stride, padding, dilation) → pointwise 1×1 → BN.
func sepBlock(ctx *context.Context, x *graph.Node, k, stride, pad, dilation int, affine bool) *graph.Node {
	c := x.Shape().Dim(-1)
	h := Conv2D(ctx.In("depthwise"), spaces.ReLU(x), c, k, stride, pad, dilation, c)
	h = Conv2D(ctx.In("pointwise"), h, c, 1, 1, 0, 1, 1)
	return BatchNorm(ctx.In("bn"), h, affine)
}

// SepConv is the DARTS separable convolution: two stacked ReLU→depthwise→pointwise→BN blocks, the first
// with the stride, both with padding k/2.
func SepConv(ctx *context.Context, x *graph.Node, k, stride int, affine bool) *graph.Node {
	h := sepBlock(ctx.In("block_1"), x, k, stride, k/2, 1, affine)
	return sepBlock(ctx.In("block_2"), h, k, 1, k/2, 1, affine)
}

// DilConv is the DARTS dilated convolution: one ReLU→depthwise (dilation 2, padding k−1)→pointwise→BN
// block.
func DilConv(ctx *context.Context, x *graph.Node, k, stride int, affine bool) *graph.Node {
	return sepBlock(ctx, x, k, stride, k-1, 2, affine)
}

// zero is the `none` op: zeros shaped like the op's output (x[:, ::stride, ::stride]·0 in the reference).
func zero(x *graph.Node, stride int) *graph.Node {
	dims := x.Shape().Clone()
	dims.Dimensions[1] = (dims.Dimensions[1] + stride - 1) / stride
	dims.Dimensions[2] = (dims.Dimensions[2] + stride - 1) / stride
	return graph.Zeros(x.Graph(), dims)
}

// pool3x3 is a 3×3 max or average pool with padding 1; the average ignores the padding
// (count_include_pad=False).
func pool3x3(x *graph.Node, stride int, maxPool bool) *graph.Node {
	b := graph.MeanPool(x)
	if maxPool {
		b = graph.MaxPool(x)
	}
	return b.Window(3).Strides(stride).PaddingPerDim([][2]int{{1, 1}, {1, 1}}).Done()
}

// isIdentity tells whether op, at this stride, is the identity (skip_connect at stride 1): the
// evaluation network does not apply drop-path to it.
func isIdentity(op string, stride int) bool { return op == OpSkipConnect && stride == 1 }

// Op applies the named DARTS op to x at the given stride (1, or 2 on the input edges of a reduction
// cell), keeping the number of channels. Its variables go in ctx's scope. affine selects learned BN
// scale and offset (true in the evaluation networks, false in the search cell). searchBN appends
// BN(affine=False) to the pools, as the search cell does.
//
//   - none: zeros; max_pool_3x3, avg_pool_3x3: 3×3 pools, padding 1 (average excluding padding);
//   - skip_connect: identity, or FactorizedReduce at stride 2;
//   - sep_conv_k: SepConv; dil_conv_k: DilConv.
func Op(ctx *context.Context, name string, x *graph.Node, stride int, affine, searchBN bool) *graph.Node {
	c := x.Shape().Dim(-1)
	switch name {
	case OpNone:
		return zero(x, stride)
	case OpMaxPool3x3, OpAvgPool3x3:
		y := pool3x3(x, stride, name == OpMaxPool3x3)
		if searchBN {
			y = BatchNorm(ctx.In("bn"), y, false)
		}
		return y
	case OpSkipConnect:
		if stride == 1 {
			return x
		}
		return FactorizedReduce(ctx, x, c, affine)
	case OpSepConv3x3:
		return SepConv(ctx, x, 3, stride, affine)
	case OpSepConv5x5:
		return SepConv(ctx, x, 5, stride, affine)
	case OpDilConv3x3:
		return DilConv(ctx, x, 3, stride, affine)
	case OpDilConv5x5:
		return DilConv(ctx, x, 5, stride, affine)
	}
	panic(fmt.Sprintf("darts: unknown op %q", name))
}

// Dense is a linear layer with bias on [batch, features], initialised as PyTorch's nn.Linear
// (spaces.TorchUniform, fan-in = features).
func Dense(ctx *context.Context, x *graph.Node, out int) *graph.Node {
	return layers.DenseWithBias(spaces.WithTorchInit(ctx, x.Shape().Dim(-1)), x, out)
}
