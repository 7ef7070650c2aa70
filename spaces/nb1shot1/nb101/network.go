package nb101

import (
	"fmt"
	"strconv"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/layers/batchnorm"
)

// Network returns the logits [batch, Classes] of NAS-Bench-101's network of the module s for images x
// ([batch, height, width, 3]), the network every dataset entry was trained as (nasbench/lib/model_builder.py
// build_model_fn, lines 46-99, and build_module, lines 243-335):
//
//   - stem: 3×3 conv-BN-ReLU to cfg.Stem channels;
//   - cfg.Stacks stacks of cfg.Modules modules; before every stack but the first a 2×2 max pool, stride 2,
//     TensorFlow "same" padding, and the channels double;
//   - a module computes its vertices in order: vertex t sums its interior inputs (truncated to its
//     channel count) and, if the module input feeds it, a 1×1 conv-BN-ReLU projection of the input; it
//     applies its op (3×3 or 1×1 conv-BN-ReLU, or a 3×3 max pool, stride 1); the output concatenates the
//     vertices that feed it and adds a projection of the input if the input feeds it directly (channels
//     from VertexChannels);
//   - global average pool and a dense layer with bias.
//
// s is pruned first. Convs are bias-free with "same" padding; batch norms have scale and offset, momentum
// 0.997 and ε 1e-5 (base_ops.py lines 28-60). Variables are scoped "stem", "stack<i>/module<j>/vertex_<t>"
// and "stack<i>/module<j>/output", and "dense". Weights use the context's initializer.
func Network(ctx *context.Context, x *graph.Node, s Spec, cfg NetworkConfig) *graph.Node {
	if err := cfg.check(); err != nil {
		panic(err.Error())
	}
	p, ok := s.Prune()
	if !ok {
		panic(fmt.Sprintf("nb101: Network of %s: the input is not connected to the output", s))
	}
	if x.Rank() != 4 {
		panic(fmt.Sprintf("nb101: Network: input must be [batch, height, width, channels], got %s", x.Shape()))
	}
	x = convBNReLULayer(ctx.In("stem"), x, cfg.Stem, 3)
	c := cfg.Stem
	for stack := 0; stack < cfg.Stacks; stack++ {
		if stack > 0 {
			x = maxPoolSame(x, 2, 2)
			c *= 2
		}
		for m := 0; m < cfg.Modules; m++ {
			x = module(ctx.In("stack"+strconv.Itoa(stack)).In("module"+strconv.Itoa(m)), x, p, c)
		}
	}
	x = graph.ReduceMean(x, 1, 2)
	return layers.DenseWithBias(ctx.In("dense"), x, cfg.Classes)
}

// module is build_module on the pruned spec p with out output channels.
func module(ctx *context.Context, x *graph.Node, p Spec, out int) *graph.Node {
	v := p.Vertices()
	ch := VertexChannels(p, x.Shape().Dim(-1), out)
	tensors := []*graph.Node{x}
	var final []*graph.Node
	for t := 1; t < v-1; t++ {
		vctx := ctx.In("vertex_" + strconv.Itoa(t))
		var sum *graph.Node
		add := func(y *graph.Node) {
			if sum == nil {
				sum = y
			} else {
				sum = graph.Add(sum, y)
			}
		}
		for src := 1; src < t; src++ {
			if p.Matrix[src][t] {
				add(truncate(tensors[src], ch[t]))
			}
		}
		if p.Matrix[0][t] {
			add(convBNReLULayer(vctx.In("projection"), x, ch[t], 1))
		}
		var y *graph.Node
		switch p.Ops[t] {
		case Conv3x3:
			y = convBNReLULayer(vctx.In("Conv3x3-BN-ReLU"), sum, ch[t], 3)
		case Conv1x1:
			y = convBNReLULayer(vctx.In("Conv1x1-BN-ReLU"), sum, ch[t], 1)
		case MaxPool3x3:
			y = maxPoolSame(sum, 3, 1)
		default:
			panic(fmt.Sprintf("nb101: Network: op %q is not one of %v", p.Ops[t], AvailableOps))
		}
		tensors = append(tensors, y)
		if p.Matrix[t][v-1] {
			final = append(final, y)
		}
	}
	octx := ctx.In("output")
	if len(final) == 0 {
		return convBNReLULayer(octx.In("projection"), x, out, 1)
	}
	y := final[0]
	if len(final) > 1 {
		y = graph.Concatenate(final, -1)
	}
	if p.Matrix[0][v-1] {
		y = graph.Add(y, convBNReLULayer(octx.In("projection"), x, out, 1))
	}
	return y
}

// truncate keeps the first c channels of x (model_builder.py truncate, lines 346-366).
func truncate(x *graph.Node, c int) *graph.Node {
	if x.Shape().Dim(-1) == c {
		return x
	}
	return graph.Slice(x, graph.AxisRange(), graph.AxisRange(), graph.AxisRange(), graph.AxisRange(0, c))
}

// convBNReLULayer is base_ops.conv_bn_relu: bias-free k×k conv with "same" padding, batch norm (scale and
// offset, TensorFlow momentum 0.997 — GoMLX's sense too —, ε 1e-5), ReLU.
func convBNReLULayer(ctx *context.Context, x *graph.Node, out, k int) *graph.Node {
	x = layers.Convolution(ctx, x).Channels(out).KernelSize(k).PadSame().UseBias(false).Done()
	x = batchnorm.New(ctx, x, -1).Momentum(0.997).Epsilon(1e-5).Done()
	return activations.Relu(x)
}

// maxPoolSame is tf.layers.max_pooling2d with padding "same": output ⌈n/stride⌉, the padding (−∞) split
// with the extra cell after.
func maxPoolSame(x *graph.Node, window, stride int) *graph.Node {
	pads := make([][2]int, 2)
	for i, n := range x.Shape().Dimensions[1:3] {
		outN := (n + stride - 1) / stride
		total := max((outN-1)*stride+window-n, 0)
		pads[i] = [2]int{total / 2, total - total/2}
	}
	return graph.MaxPool(x).Window(window).Strides(stride).PaddingPerDim(pads).Done()
}
