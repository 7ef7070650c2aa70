package darts

import (
	"fmt"

	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// NetworkConfig builds the discrete (evaluation) network of a genotype: NetworkCIFAR or NetworkImageNet
// of the DARTS reference. Create it with NewNetwork, configure it, then call Build (or ParamCount):
//
//	logits, aux := darts.NewNetwork(darts.DARTS_V2).Auxiliary(true).DropPath(0.2).Build(ctx, images)
type NetworkConfig struct {
	genotype                  *Genotype
	channels, layers, classes int
	auxiliary, imagenet       bool
	dropPath                  float64
}

// NewNetwork returns the NetworkCIFAR configuration of the reference evaluation: C = 36, 20 layers,
// 10 classes, no auxiliary head, no drop-path.
func NewNetwork(g *Genotype) *NetworkConfig {
	return &NetworkConfig{genotype: g, channels: 36, layers: 20, classes: 10}
}

// Channels sets C (36 for CIFAR, 48 for ImageNet in the reference).
func (n *NetworkConfig) Channels(c int) *NetworkConfig { n.channels = c; return n }

// Layers sets the number of cells (20 for CIFAR, 14 for ImageNet in the reference).
func (n *NetworkConfig) Layers(l int) *NetworkConfig { n.layers = l; return n }

// Classes sets the number of classes.
func (n *NetworkConfig) Classes(c int) *NetworkConfig { n.classes = c; return n }

// Auxiliary adds the auxiliary head after cell 2·Layers/3 (AuxiliaryHeadCIFAR, expecting 8×8 there —
// 32×32 images; or AuxiliaryHeadImageNet, expecting 7×7 — 224×224 images); Build returns its logits.
func (n *NetworkConfig) Auxiliary(aux bool) *NetworkConfig { n.auxiliary = aux; return n }

// ImageNet selects NetworkImageNet: a stem of three stride-2 3×3 convolutions (3 → C/2 → C, then C → C)
// instead of the CIFAR stem (3 → 3C, stride 1); the first cell then sees a reduced input.
func (n *NetworkConfig) ImageNet(imagenet bool) *NetworkConfig { n.imagenet = imagenet; return n }

// DropPath sets the drop-path probability p (0, the default, disables it). When training, the output of
// every op of a cell except identities is zeroed per example with probability p and otherwise divided by
// 1−p. The probability is kept in the non-trainable scalar variable DropPathVariable(ctx), initialised to
// p, so a schedule (the reference grows it linearly over the epochs) can change it without recompiling.
func (n *NetworkConfig) DropPath(p float64) *NetworkConfig { n.dropPath = p; return n }

// Genotype returns the genotype the network is built from.
func (n *NetworkConfig) Genotype() *Genotype { return n.genotype }

// DropPathVariable returns the variable holding the drop-path probability of a network built in ctx
// (nil if the network was built without drop-path).
func DropPathVariable(ctx *context.Context) *context.Variable {
	return ctx.In("drop_path").GetVariable("prob")
}

// dropPath zeroes each example of x with probability p and scales the kept ones by 1/(1−p).
func dropPath(ctx *context.Context, x, p *graph.Node) *graph.Node {
	maskShape := shapes.Make(x.DType(), x.Shape().Dim(0), 1, 1, 1)
	keep := graph.OneMinus(p)
	mask := ctx.RandomBernoulli(keep, maskShape)
	return graph.Mul(x, graph.Div(mask, keep))
}

// evalCell is a cell of the discrete network: preprocessing as in the search cell (with affine BN), then
// each node is the sum of its two ops on the states named by the genotype, output the concat states.
func (n *NetworkConfig) evalCell(ctx *context.Context, s0, s1 *graph.Node, c int, reduction, reductionPrev bool, p *graph.Node) *graph.Node {
	if reductionPrev {
		s0 = FactorizedReduce(ctx.In("preprocess0"), s0, c, true)
	} else {
		s0 = ReLUConvBN(ctx.In("preprocess0"), s0, c, 1, 1, 0, true)
	}
	s1 = ReLUConvBN(ctx.In("preprocess1"), s1, c, 1, 1, 0, true)
	cell, concat := n.genotype.Normal, n.genotype.NormalConcat
	if reduction {
		cell, concat = n.genotype.Reduce, n.genotype.ReduceConcat
	}
	states := []*graph.Node{s0, s1}
	for i := 0; i < len(cell)/2; i++ {
		var sum *graph.Node
		for _, e := range []int{2 * i, 2*i + 1} {
			op, in := cell[e].Op, cell[e].Input
			stride := 1
			if reduction && in < 2 {
				stride = 2
			}
			y := Op(ctx.Inf("op_%d", e), op, states[in], stride, true, false)
			if p != nil && !isIdentity(op, stride) {
				y = dropPath(ctx, y, p)
			}
			if sum == nil {
				sum = y
			} else {
				sum = graph.Add(sum, y)
			}
		}
		states = append(states, sum)
	}
	outs := make([]*graph.Node, len(concat))
	for i, c := range concat {
		outs[i] = states[c]
	}
	return graph.Concatenate(outs, -1)
}

// auxiliaryHead: ReLU → 5×5 average pool (stride 3 for CIFAR, 2 for ImageNet; no padding) → 1×1 conv to
// 128 → BN → ReLU → 2×2 conv to 768 → BN (CIFAR only, as in the DARTS reference) → ReLU → linear.
func (n *NetworkConfig) auxiliaryHead(ctx *context.Context, x *graph.Node) *graph.Node {
	stride := 3
	if n.imagenet {
		stride = 2
	}
	h := graph.MeanPool(spaces.ReLU(x)).Window(5).Strides(stride).NoPadding().Done()
	h = Conv2D(ctx.In("conv_1"), h, 128, 1, 1, 0, 1, 1)
	h = spaces.ReLU(BatchNorm(ctx.In("bn_1"), h, true))
	h = Conv2D(ctx.In("conv_2"), h, 768, 2, 1, 0, 1, 1)
	if !n.imagenet {
		h = BatchNorm(ctx.In("bn_2"), h, true)
	}
	h = spaces.ReLU(h)
	dims := h.Shape().Dimensions
	h = graph.Reshape(h, dims[0], dims[1]*dims[2]*dims[3])
	return Dense(ctx.In("classifier"), h, n.classes)
}

// Build creates the network's variables in ctx and returns the logits for images x ([batch, h, w, 3]),
// and the auxiliary head's logits (nil without Auxiliary). Layout of the reference NetworkCIFAR /
// NetworkImageNet: stem; Layers cells, the ones at Layers/3 and 2·Layers/3 reducing (channels doubled);
// global average pool; linear classifier.
func (n *NetworkConfig) Build(ctx *context.Context, x *graph.Node) (logits, aux *graph.Node) {
	if n.genotype == nil {
		panic("darts: NetworkConfig.Build: no genotype")
	}
	if err := n.genotype.Validate(); err != nil {
		panic(fmt.Sprintf("darts: NetworkConfig.Build: %v", err))
	}
	g := x.Graph()
	var p *graph.Node
	if n.dropPath > 0 && ctx.IsTraining(g) {
		v := ctx.In("drop_path").VariableWithValue("prob", n.dropPath).SetTrainable(false)
		p = graph.ConvertDType(v.ValueGraph(g), x.DType())
	}
	c := n.channels
	var s0, s1 *graph.Node
	reductionPrev := false
	if n.imagenet {
		stem := ctx.In("stem0")
		h := Conv2D(stem.In("conv_1"), x, c/2, 3, 2, 1, 1, 1)
		h = spaces.ReLU(BatchNorm(stem.In("bn_1"), h, true))
		h = Conv2D(stem.In("conv_2"), h, c, 3, 2, 1, 1, 1)
		s0 = BatchNorm(stem.In("bn_2"), h, true)
		stem = ctx.In("stem1")
		h = Conv2D(stem.In("conv"), spaces.ReLU(s0), c, 3, 2, 1, 1, 1)
		s1 = BatchNorm(stem.In("bn"), h, true)
		reductionPrev = true
	} else {
		h := Conv2D(ctx.In("stem").In("conv"), x, StemMultiplier*c, 3, 1, 1, 1, 1)
		s0 = BatchNorm(ctx.In("stem").In("bn"), h, true)
		s1 = s0
	}
	for i := 0; i < n.layers; i++ {
		reduction := isReductionLayer(i, n.layers)
		if reduction {
			c *= 2
		}
		out := n.evalCell(ctx.Inf("cell_%d", i), s0, s1, c, reduction, reductionPrev, p)
		s0, s1 = s1, out
		reductionPrev = reduction
		if n.auxiliary && i == 2*n.layers/3 {
			aux = n.auxiliaryHead(ctx.In("auxiliary_head"), s1)
		}
	}
	logits = Dense(ctx.In("classifier"), graph.ReduceMean(s1, 1, 2), n.classes)
	return logits, aux
}
