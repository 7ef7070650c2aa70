package nb1shot1

import (
	"fmt"
	"strconv"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/layers/batchnorm"

	"github.com/gaeanas/gaeanas/spaces"
)

// Mix is the mixture a supernet forward pass uses, one graph node per block of architecture weights, so
// that any geometry (a softmax of α for DARTS, θ itself on the simplex for GAEA) can produce it.
type Mix struct {
	// Ops is [Nodes, 3]: row i weighs node i+1's ops (columns in Ops() order).
	Ops *graph.Node
	// Parents holds one 1-D node per ParentRows entry, [Candidates] long: the weights of a node's inputs
	// (the cell input's projection, then the lower choice nodes) and, last, of the output's. Nil means
	// all ones (unweighted sums and concatenation).
	Parents []*graph.Node
	// PartialChannels K > 1 sends only the first C/K channels of a choice node's input through its ops
	// and passes the rest, followed by a channel shuffle in K groups (PC-DARTS; the reference uses K = 4,
	// optimizers/epc_edarts/model_search.py lines 26-52). 0 or 1: all channels.
	PartialChannels int
}

// Supernet implements spaces.Space: Mixture.Weights is the [Nodes, 3] op weights and Mixture.Beta, if
// set, the [Σ Candidates] concatenation of the ParentRows in order (nil: all ones). Mixture.PartialChannels
// is PC-DARTS's K. Sampled mixtures (GDAS) are not supported.
func (s *Space) Supernet(ctx *context.Context, x *graph.Node, mix spaces.Mixture) *graph.Node {
	if mix.Sampled {
		panic("nb1shot1: Supernet: sampled mixtures (GDAS, RS-WS) are not supported on NAS-Bench-1Shot1")
	}
	m := Mix{Ops: mix.Weights, PartialChannels: mix.PartialChannels}
	if mix.Beta != nil {
		if mix.Beta.Rank() != 1 || mix.Beta.Shape().Dimensions[0] != s.betaLen() {
			panic(fmt.Sprintf("nb1shot1: Supernet: Mixture.Beta must be [%d] (the rows %s concatenated), got %s",
				s.betaLen(), rowNames(s.ParentRows()), mix.Beta.Shape()))
		}
		at := 0
		for _, r := range s.ParentRows() {
			m.Parents = append(m.Parents, graph.Slice(mix.Beta, graph.AxisRange(at, at+r.Candidates)))
			at += r.Candidates
		}
	}
	return s.SupernetMix(ctx, x, m)
}

// SupernetMix returns the logits [batch, classes] of the supernet for images x ([batch, height, width,
// 3]) under m: the network of optimizers/darts/model_search.py (liamcli/nasbench-1shot1, the fork GAEA
// used), with PC-DARTS's partial channels of optimizers/epc_edarts/model_search.py:
//
//   - stem: 3×3 conv (no bias) → batch norm → ReLU to C channels (lines 129-131);
//   - Cells cells; before cells Cells/3 and 2·Cells/3 a 2×2 max pool, stride 2, padding 1, and C doubles
//     (lines 135-139, 179-182);
//   - a cell projects its input with one 1×1 conv-BN-ReLU per choice node plus one for the output (lines
//     64-77); choice node i sums its own projection and the outputs of nodes 1..i−1, each scaled by its
//     parent weight when the node has a ParentRows row (lines 39-46, 85-99), and mixes the three ops on
//     the sum with its op weights (lines 9-24); the cell's output concatenates the output projection and
//     the choice nodes, each scaled by its output weight, (Nodes+1)·C channels (lines 101-114 — the
//     fork's concatenation; upstream adds a weighted projection instead);
//   - ReLU → 1×1 conv (no bias) → batch norm without scale and offset to C channels (lines 144-145,
//     195), global average pool, linear layer with bias (lines 147, 197-200).
//
// Convs are bias-free. The conv-BN-ReLU blocks' batch norms learn scale and offset and use the
// reference's momentum 0.997 in PyTorch's sense (optimizers/darts/operations.py lines 27-47: the moving
// averages keep 0.3% of their old value per step); the final one uses PyTorch's default 0.1. The max
// pool op pads with −∞ (nn.MaxPool2d(3, 1, padding=1)). Variables are scoped "stem", "cell<i>/
// input_projection<j>", "cell<i>/choice_block<j>/<op>", "postprocess" and "classifier". Weights use the
// context's initializer, not PyTorch's.
func (s *Space) SupernetMix(ctx *context.Context, x *graph.Node, m Mix) *graph.Node {
	if x.Rank() != 4 {
		panic(fmt.Sprintf("nb1shot1: Supernet: input must be [batch, height, width, channels], got %s", x.Shape()))
	}
	nodes := s.def.nodes
	w := m.Ops
	if w == nil || w.Rank() != 2 || w.Shape().Dimensions[0] != nodes || w.Shape().Dimensions[1] != NumOps {
		var got any = "nil"
		if w != nil {
			got = w.Shape()
		}
		panic(fmt.Sprintf("nb1shot1: Supernet: op weights must be [%d, %d] (choice nodes × %v), got %v", nodes, NumOps, s.Ops(), got))
	}
	opRows := make([]*graph.Node, nodes)
	for i := range opRows {
		opRows[i] = graph.Reshape(graph.Slice(toDType(w, x), graph.AxisElem(i)), NumOps)
	}
	rows := s.ParentRows()
	inputRows := make([]*graph.Node, nodes+2) // by node; nil: unweighted
	if m.Parents != nil {
		if len(m.Parents) != len(rows) {
			panic(fmt.Sprintf("nb1shot1: Supernet: %d parent-weight rows, want %d (%s)", len(m.Parents), len(rows), rowNames(rows)))
		}
		for i, r := range rows {
			p := m.Parents[i]
			if p == nil || p.Rank() != 1 || p.Shape().Dimensions[0] != r.Candidates {
				panic(fmt.Sprintf("nb1shot1: Supernet: parent weights of %s must be [%d]", r.Name, r.Candidates))
			}
			inputRows[r.Node] = toDType(p, x)
		}
	}
	k := max(m.PartialChannels, 1)

	c := s.channels
	x = ConvBNReLU(ctx.In("stem"), x, c, 3)
	for layer := 0; layer < s.cells; layer++ {
		if layer == s.cells/3 || layer == 2*s.cells/3 {
			c *= 2
			x = graph.MaxPool(x).Window(2).Strides(2).PaddingPerDim([][2]int{{1, 1}, {1, 1}}).Done()
		}
		cctx := ctx.In("cell" + strconv.Itoa(layer))
		var states []*graph.Node
		for i := 0; i < nodes; i++ {
			in := append([]*graph.Node{ConvBNReLU(cctx.In("input_projection"+strconv.Itoa(i)), x, c, 1)}, states...)
			sum := weightedSum(in, inputRows[i+1])
			states = append(states, mixedOp(cctx.In("choice_block"+strconv.Itoa(i)), sum, opRows[i], k))
		}
		outs := append([]*graph.Node{ConvBNReLU(cctx.In("input_projection"+strconv.Itoa(nodes)), x, c, 1)}, states...)
		if r := inputRows[nodes+1]; r != nil {
			for j := range outs {
				outs[j] = graph.Mul(outs[j], elem(r, j))
			}
		}
		x = graph.Concatenate(outs, -1)
	}
	pctx := ctx.In("postprocess")
	x = activations.Relu(x)
	x = layers.Convolution(pctx, x).Channels(c).KernelSize(1).UseBias(false).Done()
	x = batchnorm.New(pctx, x, -1).Momentum(0.9).Epsilon(1e-5).Center(false).Scale(false).Done()
	x = graph.ReduceMean(x, 1, 2)
	return layers.DenseWithBias(ctx.In("classifier"), x, s.classes)
}

// weightedSum is Σ_j w_j·in_j (w nil: Σ_j in_j).
func weightedSum(in []*graph.Node, w *graph.Node) *graph.Node {
	var sum *graph.Node
	for j, t := range in {
		if w != nil {
			t = graph.Mul(t, elem(w, j))
		}
		if sum == nil {
			sum = t
		} else {
			sum = graph.Add(sum, t)
		}
	}
	return sum
}

// elem is element j of the 1-D node v, as a scalar.
func elem(v *graph.Node, j int) *graph.Node { return graph.Reshape(graph.Slice(v, graph.AxisElem(j))) }

func toDType(w, x *graph.Node) *graph.Node {
	if w.DType() != x.DType() {
		return graph.ConvertDType(w, x.DType())
	}
	return w
}

// mixedOp is Σ_k w_k·op_k(x) over maxpool3x3, conv3x3-bn-relu and conv1x1-bn-relu (model_search.py
// MixedOp, lines 9-24). With k > 1 only the first C/k channels go through the ops (built at C/k
// channels), the rest are appended unchanged and the channels shuffled in k groups (epc_edarts
// MixedOpPCDARTS, lines 26-52).
func mixedOp(ctx *context.Context, x, w *graph.Node, k int) *graph.Node {
	c := x.Shape().Dim(-1)
	xOps, rest := x, (*graph.Node)(nil)
	if k > 1 {
		if c%k != 0 {
			panic(fmt.Sprintf("nb1shot1: %d channels are not divisible by PartialChannels %d", c, k))
		}
		xOps = graph.Slice(x, graph.AxisRange(), graph.AxisRange(), graph.AxisRange(), graph.AxisRange(0, c/k))
		rest = graph.Slice(x, graph.AxisRange(), graph.AxisRange(), graph.AxisRange(), graph.AxisRange(c/k))
	}
	cc := xOps.Shape().Dim(-1)
	outs := make([]*graph.Node, NumOps)
	outs[MaxPool3x3] = graph.MaxPool(xOps).Window(3).Strides(1).PaddingPerDim([][2]int{{1, 1}, {1, 1}}).Done()
	outs[Conv3x3] = ConvBNReLU(ctx.In(Conv3x3.String()), xOps, cc, 3)
	outs[Conv1x1] = ConvBNReLU(ctx.In(Conv1x1.String()), xOps, cc, 1)
	sum := spaces.MixOps(w, nil, outs)
	if k == 1 {
		return sum
	}
	return channelShuffle(graph.Concatenate([]*graph.Node{sum, rest}, -1), k)
}

// channelShuffle interleaves k groups of C/k consecutive channels: output channel j·k + g is input
// channel g·(C/k) + j (PC-DARTS channel_shuffle, epc_edarts/model_search.py lines 6-23, channels-last).
func channelShuffle(x *graph.Node, k int) *graph.Node {
	d := x.Shape().Dimensions
	y := graph.Reshape(x, d[0], d[1], d[2], k, d[3]/k)
	y = graph.TransposeAllDims(y, 0, 1, 2, 4, 3)
	return graph.Reshape(y, d...)
}

// ConvBNReLU is NAS-Bench-1Shot1's ConvBnRelu (optimizers/darts/operations.py lines 34-50): a bias-free
// k×k conv, stride 1, padding (k−1)/2, to out channels; a batch norm with scale and offset, ε 1e-5 and
// PyTorch momentum 0.997 (GoMLX momentum 1 − 0.997: GoMLX keeps `momentum` of the old average); ReLU.
func ConvBNReLU(ctx *context.Context, x *graph.Node, out, k int) *graph.Node {
	x = layers.Convolution(ctx, x).Channels(out).KernelSize(k).PadSame().UseBias(false).Done()
	x = batchnorm.New(ctx, x, -1).Momentum(1 - 0.997).Epsilon(1e-5).Done()
	return activations.Relu(x)
}
