package nb201

import (
	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/batchnorm"
)

// The building blocks of NAS-Bench-201 (AutoDL-Projects' cell_operations: ReLUConvBN, POOLING, Zero,
// Identity, ResNetBasicblock), written for GoMLX. Images are channels-last: [batch, height, width, channels].

// ApplyOp applies op to x (channels c in and out, stride 1), creating its variables in ctx. affine
// selects the batch-norm flavour of the conv ops: true = learned scale and offset (the discrete network),
// false = no scale/offset (the search cells). The convs have no bias either way, as in GAEA's fork of
// AutoDL-Projects (liamcli/AutoDL-Projects lib/models/cell_operations.py ReLUConvBN: bias=False), which
// its NAS-Bench-201 search uses; D-X-Y/AutoDL-Projects since July 2020 gives the search cells' convs
// `bias=not affine`, a bias that the following batch norm without affine cancels exactly in training mode
// (see the README's table of differences).
func ApplyOp(ctx *context.Context, x *graph.Node, op Op, affine bool) *graph.Node {
	c := x.Shape().Dimensions[3]
	switch op {
	case None:
		return graph.ZerosLike(x)
	case Skip:
		return x
	case Conv1x1:
		return ReLUConvBN(ctx, x, c, 1, 1, affine)
	case Conv3x3:
		return ReLUConvBN(ctx, x, c, 3, 1, affine)
	case AvgPool3x3:
		// nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False): GoMLX's MeanPool with PadSame
		// averages over the in-bounds cells only.
		return graph.MeanPool(x).Window(3).Strides(1).PadSame().Done()
	}
	panic("nb201: invalid op " + op.String())
}

// ReLUConvBN is ReLU → conv k×k (stride, padding (k-1)/2) → batch norm.
func ReLUConvBN(ctx *context.Context, x *graph.Node, channels, kernel, stride int, affine bool) *graph.Node {
	x = spaces.ReLU(x)
	x = Conv(ctx, x, channels, kernel, stride)
	return BatchNorm(ctx, x, affine)
}

// Conv is a bias-free k×k convolution with PyTorch's symmetric padding (k-1)/2
// (nn.Conv2d(padding=(k-1)/2, bias=False)) and PyTorch's default initialisation (spaces.TorchUniform).
// GoMLX's PadSame pads (k-1)/2 before and k/2 after whatever the stride (unlike XLA's "SAME", which for
// stride 2 on an even size would pad 0 before and 1 after), so for odd k it is exactly PyTorch's padding,
// also for the stride-2 conv of the residual block; TestNetworkMatchesPyTorch pins this.
func Conv(ctx *context.Context, x *graph.Node, channels, kernel, stride int) *graph.Node {
	ctx = spaces.WithTorchInit(ctx, spaces.ConvFanIn(x.Shape().Dimensions[3], 1, kernel, kernel))
	return layers.Convolution(ctx, x).Channels(channels).KernelSize(kernel).Strides(stride).PadSame().UseBias(false).Done()
}

// BatchNorm is PyTorch's BatchNorm2d (momentum 0.1, i.e. GoMLX momentum 0.9; epsilon 1e-5) over the
// channels axis; affine adds the learned scale and offset.
func BatchNorm(ctx *context.Context, x *graph.Node, affine bool) *graph.Node {
	return batchnorm.New(ctx, x, -1).Momentum(0.9).Epsilon(1e-5).Scale(affine).Center(affine).Done()
}

// ResidualBlock is NAS-Bench-201's reduction block (ResNetBasicblock with stride 2): ReLU-conv3×3
// stride 2-BN → ReLU-conv3×3-BN, plus a shortcut avg-pool 2×2 stride 2 → conv 1×1 (no bias, no BN).
// Its batch norms are affine in both the search and the discrete network.
func ResidualBlock(ctx *context.Context, x *graph.Node, channels int) *graph.Node {
	y := ReLUConvBN(ctx.In("conv_a"), x, channels, 3, 2, true)
	y = ReLUConvBN(ctx.In("conv_b"), y, channels, 3, 1, true)
	r := graph.MeanPool(x).Window(2).Strides(2).NoPadding().Done()
	r = Conv(ctx.In("downsample"), r, channels, 1, 1)
	return graph.Add(r, y)
}
