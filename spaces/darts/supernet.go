package darts

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/gaeanas/gaeanas/spaces"
)

// ChannelShuffle splits the channels of x ([batch, h, w, C]) into groups of C/groups consecutive
// channels and interleaves them: output channel j·groups + g is input channel g·(C/groups) + j. It is
// PC-DARTS's channel_shuffle (ShuffleNet's), written for channels-last.
func ChannelShuffle(x *graph.Node, groups int) *graph.Node {
	dims := x.Shape().Dimensions
	n, h, w, c := dims[0], dims[1], dims[2], dims[3]
	if groups <= 1 {
		return x
	}
	if c%groups != 0 {
		panic(fmt.Sprintf("darts: ChannelShuffle: %d channels are not divisible into %d groups", c, groups))
	}
	y := graph.Reshape(x, n, h, w, groups, c/groups)
	y = graph.TransposeAllDims(y, 0, 1, 2, 4, 3)
	return graph.Reshape(y, n, h, w, c)
}

// scalarAt returns element i of the 1-D node v as a scalar.
func scalarAt(v *graph.Node, i int) *graph.Node {
	return graph.Reshape(graph.Slice(v, graph.AxisElem(i)))
}

// mixedOp is the search edge: Σ_k w_k·op_k(x) over the space's ops (BN without affine parameters, pools
// followed by BN). With partial channels K > 1 (PC-DARTS) only the first C/K channels go through the ops;
// the other channels pass through (max-pooled 2×2 at stride 2), are appended after the mixed ones, and the
// result is channel-shuffled in K groups.
//
// hard is the edge's one-hot row of a sampled mixture (GDAS), or nil: see spaces.MixOps.
func mixedOp(ctx *context.Context, x, w, hard *graph.Node, ops []string, stride, k int) *graph.Node {
	c := x.Shape().Dim(-1)
	xOps, rest := x, (*graph.Node)(nil)
	if k > 1 {
		if c%k != 0 {
			panic(fmt.Sprintf("darts: %d channels are not divisible by PartialChannels %d", c, k))
		}
		xOps = graph.Slice(x, graph.AxisRange(), graph.AxisRange(), graph.AxisRange(), graph.AxisRange(0, c/k))
		rest = graph.Slice(x, graph.AxisRange(), graph.AxisRange(), graph.AxisRange(), graph.AxisRange(c/k))
	}
	outs := make([]*graph.Node, len(ops))
	for i, name := range ops {
		outs[i] = Op(ctx.In(name), name, xOps, stride, false, true)
	}
	sum := spaces.MixOps(w, hard, outs)
	if k <= 1 {
		return sum
	}
	if stride > 1 {
		rest = graph.MaxPool(rest).Window(2).Strides(2).Done()
	}
	return ChannelShuffle(graph.Concatenate([]*graph.Node{sum, rest}, -1), k)
}

// searchCell is a cell of the supernet: preprocessing of the two inputs to C channels (FactorizedReduce
// for s0 when the previous cell reduced, ReLUConvBN 1×1 otherwise; no affine BN), 4 nodes, each the
// β-weighted sum of the mixed ops on all its incoming edges, output the concatenation of the nodes.
// weights is this cell type's [14, len(ops)] block of the mixture, beta its [14] block (nil: ones).
func (s *Space) searchCell(ctx *context.Context, s0, s1 *graph.Node, c int, reduction, reductionPrev bool,
	weights, hard, beta *graph.Node, k int) *graph.Node {
	if reductionPrev {
		s0 = FactorizedReduce(ctx.In("preprocess0"), s0, c, false)
	} else {
		s0 = ReLUConvBN(ctx.In("preprocess0"), s0, c, 1, 1, 0, false)
	}
	s1 = ReLUConvBN(ctx.In("preprocess1"), s1, c, 1, 1, 0, false)
	states := []*graph.Node{s0, s1}
	e := 0
	for node := 2; node < 2+Nodes; node++ {
		var sum *graph.Node
		for j := 0; j < node; j++ {
			stride := 1
			if reduction && j < 2 {
				stride = 2
			}
			w := graph.Reshape(graph.Slice(weights, graph.AxisElem(e)), len(s.ops))
			var h *graph.Node
			if hard != nil {
				h = graph.Reshape(graph.Slice(hard, graph.AxisElem(e)), len(s.ops))
			}
			y := mixedOp(ctx.Inf("edge_%d_%d", node, j), states[j], w, h, s.ops, stride, k)
			if beta != nil {
				y = graph.Mul(scalarAt(beta, e), y)
			}
			if sum == nil {
				sum = y
			} else {
				sum = graph.Add(sum, y)
			}
			e++
		}
		states = append(states, sum)
	}
	return graph.Concatenate(states[2:], -1)
}

// Supernet implements spaces.Space: the search network on images x ([batch, h, w, 3]). Stem 3×3 conv
// (3 → 3C) + BN; Layers search cells, the ones at Layers/3 and 2·Layers/3 reducing (stride 2 on the
// edges from the cell inputs, channels doubled); global average pool; linear classifier. mix.Weights is
// [28, len(Ops())] (normal edges, then reduction edges, in Edges() order), mix.Beta [28] or nil,
// mix.PartialChannels K as in PC-DARTS (the channels of every cell, C·2^r, must be divisible by K).
// With mix.Sampled (GDAS) each edge combines its ops as the reference GDAS does (spaces.MixOps): the value
// is the sampled op's output; all ops are still computed (a static graph cannot skip them).
func (s *Space) Supernet(ctx *context.Context, x *graph.Node, mix spaces.Mixture) *graph.Node {
	edges := len(s.Edges())
	if got := mix.Weights.Shape().Dimensions; len(got) != 2 || got[0] != edges || got[1] != len(s.ops) {
		panic(fmt.Sprintf("darts: Supernet: mixture weights shaped %v, want [%d %d]", got, edges, len(s.ops)))
	}
	if mix.Beta != nil && s.noEdgeWeights {
		panic("darts: Supernet: Mixture.Beta given but the space was built with EdgeWeights(false)")
	}
	if mix.Beta != nil {
		if got := mix.Beta.Shape().Dimensions; len(got) != 1 || got[0] != edges {
			panic(fmt.Sprintf("darts: Supernet: beta shaped %v, want [%d]", got, edges))
		}
	}
	perCell := edges / 2
	half := func(v *graph.Node, reduce bool) *graph.Node {
		if v == nil {
			return nil
		}
		from := 0
		if reduce {
			from = perCell
		}
		return graph.SliceAxis(v, 0, graph.AxisRange(from, from+perCell))
	}

	c := s.channels
	h := Conv2D(ctx.In("stem").In("conv"), x, StemMultiplier*c, 3, 1, 1, 1, 1)
	h = BatchNorm(ctx.In("stem").In("bn"), h, true)
	s0, s1 := h, h
	reductionPrev := false
	for i := 0; i < s.layers; i++ {
		reduction := isReductionLayer(i, s.layers)
		if reduction {
			c *= 2
		}
		out := s.searchCell(ctx.Inf("cell_%d", i), s0, s1, c, reduction, reductionPrev,
			half(mix.Weights, reduction), half(mix.Hard(), reduction), half(mix.Beta, reduction), mix.PartialChannels)
		s0, s1 = s1, out
		reductionPrev = reduction
	}
	pooled := graph.ReduceMean(s1, 1, 2)
	return Dense(ctx.In("classifier"), pooled, s.classes)
}

// isReductionLayer tells whether cell i of a network of the given depth reduces: i = layers/3 or
// 2·layers/3 (integer division), as in the reference.
func isReductionLayer(i, layers int) bool { return i == layers/3 || i == 2*layers/3 }
