// Package spaces defines what a weight-sharing neural-architecture search space is to gaeanas, keeps
// the registry of spaces, and holds the spaces themselves in sub-packages: nb201 (NAS-Bench-201), darts
// (the DARTS CNN space), tiny (a teaching space that trains in seconds on the pure-Go backend) and
// nb1shot1 (NAS-Bench-1Shot1, not registered yet).
//
// The registry (registry.go) is how the rest of gaeanas knows a space: each space's package registers a
// Descriptor in its register.go — its name, a constructor from options, its capabilities, its rows of
// the search preset table with their sources, optionally its from-scratch protocol and network and its
// benchmark — and a program links it with one blank import where it starts (cmd/gaea/spaces.go, a
// notebook's first cell, a test). Optional interfaces of a Space give its pictures' data (CellDrawer,
// SupernetDrawer) and its drift statistic (ParamFreeCounter); package viz draws them. cell.go holds the
// building blocks of cell spaces (edges, a cell's forward pass, mixed edges, CellGenotype), init.go
// PyTorch's initialisation.
//
// A space is a supernet: a network whose edges each mix a list of candidate operations. The search
// (package gaea) owns the architecture parameters — one row θ_e per edge, over the edge's candidate ops,
// and for spaces with edge normalisation one row β per node over its incoming edges — turns them into
// mixture weights (θ itself on the simplex for GAEA, softmax(α) for DARTS, a straight-through one-hot
// sample for GDAS) and hands those to Space.Supernet. The space builds the forward pass; GoMLX's
// autodiff gives the gradients of θ (and β) and of the shared weights.
//
// spaces never imports gaea.
package spaces

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Space is a weight-sharing search space.
type Space interface {
	// Name is a short identifier: "nb201", "darts", "tiny".
	Name() string

	// Ops lists the candidate operations of every edge, in θ-column order.
	Ops() []string

	// Edges names the edges in θ-row order (e.g. "1<-0" in NB201, "normal 2<-0" in DARTS).
	Edges() []string

	// EdgeGroups lists, for spaces with PC-DARTS edge normalisation, the edges (indices into Edges)
	// entering each intermediate node: one β row per group. Nil for spaces without β.
	EdgeGroups() [][]int

	// Supernet returns the logits of the supernet for a batch of images x ([batch, height, width,
	// channels], float32) under the given mixture. Shared weights are created in ctx.
	Supernet(ctx *context.Context, x *graph.Node, mix Mixture) *graph.Node

	// Discretize turns architecture weights into the space's genotype: theta has one row per edge
	// (len(Ops()) values), beta one row per edge group (nil for spaces without β).
	Discretize(theta, beta [][]float64) (Genotype, error)

	// ParseGenotype parses a genotype in the space's text form (what Genotype.String prints).
	ParseGenotype(s string) (Genotype, error)

	// Network returns the logits of the discrete network of a genotype (the stand-alone network that
	// is trained from scratch), with weights created in ctx.
	Network(ctx *context.Context, x *graph.Node, g Genotype) *graph.Node
}

// Genotype is a discrete architecture of a space. String gives its standard text form (the NAS-Bench-201
// string, the DARTS `Genotype(…)` repr), which the space's ParseGenotype reads back.
type Genotype interface {
	String() string
}

// Mixture is how the supernet's edges combine their candidate ops in one forward pass.
type Mixture struct {
	// Weights is [len(Edges()), len(Ops())]: row e weights edge e's ops, out_e = Σ_k Weights[e,k]·op_k(x).
	// GAEA passes θ itself (rows on the simplex), DARTS softmax(α), GDAS the straight-through row
	// one_hot − stop_gradient(p) + p (value one-hot, gradient that of p).
	Weights *graph.Node

	// Sampled marks Weights as one-hot in value (GDAS, RS-WS). The edge then combines its ops as the
	// reference GDAS does (D-X-Y/AutoDL-Projects lib/models/cell_searchs/search_cells.py, forward_gdas):
	//
	//	out_e = Σ_k h_k·w_k·op_k(x) + (1 − h_k)·w_k     (h = Hard(), the one-hot, without gradient)
	//
	// Its value is w_{k*}·op_{k*}(x), the sampled op's output; the gradient w.r.t. the sampled weight is
	// ⟨upstream, op_{k*}(x)⟩ and w.r.t. every other weight the sum of the upstream gradient (the scalar
	// weight is broadcast over the output), independent of its op; non-sampled ops' variables get no
	// gradient. GoMLX v0.26 graphs have no conditional execution (no If/Cond/While in pkg/core/graph), so
	// every op is still computed, and in training mode every op's batch norm updates its moving averages
	// with the batch it saw at every step (the reference runs, and updates, only the sampled op). The
	// search's own steps normalise with batch statistics and never read those averages, nor does RS-WS's
	// scoring (batch statistics, as its reference with track_running_stats off); the per-epoch
	// validation of a bilevel search (inference mode, gaea.Search.Validate) does, so there an op's
	// averages follow all recent batches rather than only those in which it was sampled. MixOps
	// implements this.
	Sampled bool

	// OneHot, with Sampled, is the one-hot [len(Edges()), len(Ops())] of the sampled ops. Nil means the
	// value of Weights (exact when Weights is itself a constant one-hot, as in RS-WS).
	OneHot *graph.Node

	// Beta, for spaces with EdgeGroups, is [len(Edges())]: the weight of each edge in its node's sum
	// (PC-DARTS edge normalisation; the search normalises it per group). Nil means all ones.
	Beta *graph.Node

	// PartialChannels K > 1 mixes only 1/K of the channels through the ops and passes the rest through,
	// followed by a channel shuffle (PC-DARTS). 0 or 1: all channels.
	PartialChannels int
}

// Hard returns the one-hot rows of a sampled mixture, with no gradient, or nil when it is not sampled.
func (m Mixture) Hard() *graph.Node {
	if !m.Sampled {
		return nil
	}
	if m.OneHot != nil {
		return graph.StopGradient(m.OneHot)
	}
	return graph.StopGradient(m.Weights)
}

// MixOps combines the candidate op outputs of one edge: w is the edge's weight row [K], hard its one-hot
// row [K] for a sampled mixture (Mixture.Hard) or nil, and outs[k] the output of op k, nil for an op
// whose output is zeros (`none`). Without hard it is Σ_k w_k·out_k; with hard it is GDAS's
// Σ_k h_k·w_k·out_k + Σ_k (1 − h_k)·w_k (see Mixture.Sampled). It returns nil when every output is nil.
func MixOps(w, hard *graph.Node, outs []*graph.Node) *graph.Node {
	if len(outs) != w.Shape().Dimensions[0] {
		panic(fmt.Sprintf("spaces: MixOps: %d op outputs for a weight row of %s", len(outs), w.Shape()))
	}
	scaled := w
	if hard != nil {
		hard = graph.ConvertDType(hard, w.DType())
		scaled = graph.Mul(hard, w)
	}
	var sum *graph.Node
	for k, out := range outs {
		if out == nil {
			continue
		}
		y := graph.Mul(out, graph.ConvertDType(graph.Reshape(graph.Slice(scaled, graph.AxisElem(k))), out.DType()))
		if sum == nil {
			sum = y
		} else {
			sum = graph.Add(sum, y)
		}
	}
	if sum == nil || hard == nil {
		return sum
	}
	rest := graph.ReduceAllSum(graph.Mul(graph.OneMinus(hard), w)) // value 0: the non-sampled weights
	return graph.Add(sum, graph.ConvertDType(rest, sum.DType()))
}
