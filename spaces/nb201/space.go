package nb201

import (
	"fmt"
	"math"

	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
)

// Space is the NAS-Bench-201 search space and its networks, configured builder-style:
//
//	s := nb201.New().Channels(16).Cells(5).Classes(10).WithNone(false)
//
// It implements spaces.Space. The zero value is not usable; create it with New.
type Space struct {
	channels, cells, classes int
	withNone                 bool
	searchAffine             bool
}

var _ spaces.Space = (*Space)(nil)

// New returns the space with NAS-Bench-201's defaults: C=16 channels, N=5 cells per stage, 10 classes,
// all five ops (none included) as candidates, non-affine batch norm in the supernet's cells.
func New() *Space {
	return &Space{channels: 16, cells: 5, classes: 10, withNone: true}
}

// Channels sets C, the channels of the first stage (stages have C, 2C, 4C). Default 16; GAEA searches
// with 24.
func (s *Space) Channels(c int) *Space {
	if c < 1 {
		panic(fmt.Sprintf("nb201: Channels(%d): must be ≥ 1", c))
	}
	s.channels = c
	return s
}

// Cells sets N, the number of cells per stage (the network has 3N cells and 2 residual blocks). Default 5.
func (s *Space) Cells(n int) *Space {
	if n < 1 {
		panic(fmt.Sprintf("nb201: Cells(%d): must be ≥ 1", n))
	}
	s.cells = n
	return s
}

// Classes sets the number of output classes (10 for CIFAR-10, 100 for CIFAR-100, 120 for
// ImageNet16-120). Default 10.
func (s *Space) Classes(k int) *Space {
	if k < 1 {
		panic(fmt.Sprintf("nb201: Classes(%d): must be ≥ 1", k))
	}
	s.classes = k
	return s
}

// WithNone sets whether `none` is a candidate op of the supernet's edges (default true, as in
// NAS-Bench-201; GAEA and DARTS-style searches on NB201 use WithNone(false): 4 ops). It changes Ops and
// the width of θ; ParseGenotype and Network accept every NAS-Bench-201 architecture either way.
func (s *Space) WithNone(with bool) *Space {
	s.withNone = with
	return s
}

// SearchAffine sets whether the batch norms of the supernet's cell ops learn a scale and offset.
// Default false, as in the reference search code (AutoDL-Projects builds its search cells with
// affine=False; their convs have no bias in GAEA's fork, liamcli/AutoDL-Projects
// lib/models/cell_operations.py). The stem, the residual blocks and the final batch norm are affine
// either way; the discrete Network is always affine.
func (s *Space) SearchAffine(affine bool) *Space {
	s.searchAffine = affine
	return s
}

// String describes the configuration, e.g. "nb201(C=16, N=5, classes=10, ops=4)".
func (s *Space) String() string {
	return fmt.Sprintf("nb201(C=%d, N=%d, classes=%d, ops=%d)", s.channels, s.cells, s.classes, len(s.ops()))
}

// Name returns "nb201".
func (s *Space) Name() string { return "nb201" }

// ops returns the candidate ops in θ-column order: NAS-Bench-201's order, none first when included.
func (s *Space) ops() []Op {
	if s.withNone {
		return []Op{None, Skip, Conv1x1, Conv3x3, AvgPool3x3}
	}
	return []Op{Skip, Conv1x1, Conv3x3, AvgPool3x3}
}

// Ops lists the candidate op names in θ-column order: "none" (if included), "skip_connect",
// "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3".
func (s *Space) Ops() []string {
	ops := s.ops()
	names := make([]string, len(ops))
	for i, o := range ops {
		names[i] = o.String()
	}
	return names
}

// Edges names the six cell edges in θ-row order: "1<-0", "2<-0", "2<-1", "3<-0", "3<-1", "3<-2".
// All cells of the network share one θ.
func (s *Space) Edges() []string {
	names := make([]string, NumEdges)
	for e := range names {
		names[e] = EdgeName(e)
	}
	return names
}

// EdgeGroups returns nil: NAS-Bench-201 has no edge normalisation (β).
func (s *Space) EdgeGroups() [][]int { return nil }

// ParseGenotype parses an architecture string; the Genotype is an Arch.
func (s *Space) ParseGenotype(str string) (spaces.Genotype, error) {
	a, err := ParseArch(str)
	if err != nil {
		return nil, err
	}
	return a, nil
}

// Discretize returns the Arch whose edge e has the op of θ row e's largest weight (the first one among
// ties). theta must be [6][len(Ops())] with no NaN; beta must be empty.
func (s *Space) Discretize(theta, beta [][]float64) (spaces.Genotype, error) {
	a, err := s.DiscretizeArch(theta)
	if err != nil {
		return nil, err
	}
	if len(beta) != 0 {
		return nil, fmt.Errorf("nb201: discretize: beta given (%d rows) but NAS-Bench-201 has no edge weights", len(beta))
	}
	return a, nil
}

// DiscretizeArch is Discretize returning the Arch itself.
func (s *Space) DiscretizeArch(theta [][]float64) (Arch, error) {
	ops := s.ops()
	if len(theta) != NumEdges {
		return Arch{}, fmt.Errorf("nb201: discretize: theta has %d rows, want %d (one per edge)", len(theta), NumEdges)
	}
	var a Arch
	for e, row := range theta {
		if len(row) != len(ops) {
			return Arch{}, fmt.Errorf("nb201: discretize: theta row %d (edge %s) has %d values, want %d (%v)",
				e, EdgeName(e), len(row), len(ops), s.Ops())
		}
		best := 0
		for k, v := range row {
			if math.IsNaN(v) {
				return Arch{}, fmt.Errorf("nb201: discretize: theta[%d][%d] (edge %s, %s) is NaN", e, k, EdgeName(e), ops[k])
			}
			if v > row[best] {
				best = k
			}
		}
		a[e] = ops[best]
	}
	return a, nil
}

// ParamCount returns the number of parameters of the discrete network of a under this configuration
// (see the function ParamCount).
func (s *Space) ParamCount(a Arch) int { return ParamCount(a, s.channels, s.cells, s.classes) }

// Supernet returns the logits [batch, classes] of the weight-sharing network for images x
// ([batch, height, width, 3], height and width multiples of 4) under mix: every edge e of every cell
// computes Σ_k Weights[e,k]·op_k(x) over the candidate ops (Ops), with one set of shared weights per
// cell, edge and op (scope "cell<i>/<edge>/<op>"). The `none` op contributes zeros, so it is not
// built. With Mix.Sampled (GDAS, RS-WS) each edge combines its ops as the reference GDAS does
// (spaces.MixOps): the value is the sampled op's output, every op is still computed. Mix.Beta and
// Mix.PartialChannels are DARTS-space features; setting them panics.
func (s *Space) Supernet(ctx *context.Context, x *graph.Node, mix spaces.Mixture) *graph.Node {
	if mix.Beta != nil {
		panic("nb201: Supernet: Mixture.Beta is not supported (NAS-Bench-201 has no edge normalisation; pass nil)")
	}
	if mix.PartialChannels > 1 {
		panic(fmt.Sprintf("nb201: Supernet: Mixture.PartialChannels=%d is not supported (partial channels are a PC-DARTS feature of the DARTS space)", mix.PartialChannels))
	}
	w := mix.Weights
	ops := s.ops()
	if w == nil || w.Rank() != 2 || w.Shape().Dimensions[0] != NumEdges || w.Shape().Dimensions[1] != len(ops) {
		var got any = "nil"
		if w != nil {
			got = w.Shape()
		}
		panic(fmt.Sprintf("nb201: Supernet: Mixture.Weights must be [%d, %d] (edges × %v), got %v", NumEdges, len(ops), s.Ops(), got))
	}
	if w.DType() != x.DType() {
		w = graph.ConvertDType(w, x.DType())
	}
	hard := mix.Hard()
	// One weight row (and one-hot row, when sampled) per edge, shared by all cells.
	rows := make([]*graph.Node, NumEdges)
	hardRows := make([]*graph.Node, NumEdges)
	for e := range rows {
		rows[e] = graph.Reshape(graph.Slice(w, graph.AxisElem(e)), len(ops))
		if hard != nil {
			hardRows[e] = graph.Reshape(graph.Slice(hard, graph.AxisElem(e)), len(ops))
		}
	}
	return s.skeleton(ctx, x, func(ctx *context.Context, x *graph.Node) *graph.Node {
		return cell(x, func(e int, in *graph.Node) *graph.Node {
			ectx := ctx.In(EdgeName(e))
			outs := make([]*graph.Node, len(ops))
			for k, op := range ops {
				if op != None {
					outs[k] = ApplyOp(ectx.In(op.String()), in, op, s.searchAffine)
				}
			}
			if sum := spaces.MixOps(rows[e], hardRows[e], outs); sum != nil {
				return sum
			}
			return graph.ZerosLike(in) // only `none` candidates
		})
	})
}

// Network returns the logits [batch, classes] of the discrete NAS-Bench-201 network of g (an Arch)
// for images x ([batch, height, width, 3], height and width multiples of 4): the network NAS-Bench-201
// trains from scratch (TinyNetwork with InferCells). Variables use the supernet's scopes
// ("cell<i>/<edge>/<op>"), so supernet weights of the chosen ops can be copied over.
func (s *Space) Network(ctx *context.Context, x *graph.Node, g spaces.Genotype) *graph.Node {
	a, ok := g.(Arch)
	if !ok {
		if p, isPtr := g.(*Arch); isPtr && p != nil {
			a, ok = *p, true
		}
	}
	if !ok {
		panic(fmt.Sprintf("nb201: Network needs an nb201.Arch genotype, got %T", g))
	}
	if !a.Valid() {
		panic(fmt.Sprintf("nb201: Network: invalid arch %v", [NumEdges]Op(a)))
	}
	return s.skeleton(ctx, x, func(ctx *context.Context, x *graph.Node) *graph.Node {
		return cell(x, func(e int, in *graph.Node) *graph.Node {
			return ApplyOp(ctx.In(EdgeName(e)).In(a[e].String()), in, a[e], true)
		})
	})
}

// cell computes a NAS-Bench-201 cell: node 0 = x, node i = Σ_{j<i} edge(i←j)(node j), output node 3.
func cell(x *graph.Node, edge func(e int, in *graph.Node) *graph.Node) *graph.Node {
	nodes := [NumNodes]*graph.Node{x}
	for e := 0; e < NumEdges; e++ {
		from, to := EdgeNodes(e)
		y := edge(e, nodes[from])
		if nodes[to] == nil {
			nodes[to] = y
		} else {
			nodes[to] = graph.Add(nodes[to], y)
		}
	}
	return nodes[NumNodes-1]
}

// skeleton is NAS-Bench-201's macro structure (TinyNetwork): stem conv 3×3 (3→C, no bias) + BN; N cells
// at C; residual block to 2C (stride 2); N cells; residual block to 4C; N cells; BN → ReLU → global average
// pool → linear. Layers are scoped "stem", "cell0" … "cell<3N+1>" (the residual blocks are cell<N> and
// cell<2N+1>, as in the reference's cell list), "lastact" and "classifier".
func (s *Space) skeleton(ctx *context.Context, x *graph.Node, makeCell func(ctx *context.Context, x *graph.Node) *graph.Node) *graph.Node {
	if x.Rank() != 4 {
		panic(fmt.Sprintf("nb201: input must be [batch, height, width, channels], got %s", x.Shape()))
	}
	if h, w := x.Shape().Dimensions[1], x.Shape().Dimensions[2]; h%4 != 0 || w%4 != 0 {
		panic(fmt.Sprintf("nb201: input height and width must be multiples of 4 (two stride-2 reductions), got %dx%d", h, w))
	}
	c := s.channels
	sctx := ctx.In("stem")
	x = Conv(sctx, x, c, 3, 1)
	x = BatchNorm(sctx, x, true)
	layer := 0
	for stage := 0; stage < 3; stage++ {
		if stage > 0 {
			c *= 2
			x = ResidualBlock(ctx.In(fmt.Sprintf("cell%d", layer)), x, c)
			layer++
		}
		for i := 0; i < s.cells; i++ {
			x = makeCell(ctx.In(fmt.Sprintf("cell%d", layer)), x)
			layer++
		}
	}
	x = BatchNorm(ctx.In("lastact"), x, true)
	x = spaces.ReLU(x)
	x = graph.ReduceMean(x, 1, 2)
	return layers.DenseWithBias(spaces.WithTorchInit(ctx.In("classifier"), x.Shape().Dimensions[1]), x, s.classes)
}
