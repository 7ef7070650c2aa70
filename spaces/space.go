// Package spaces defines what a weight-sharing neural-architecture search space is to gaeanas, and
// holds the spaces themselves in sub-packages: nb201 (NAS-Bench-201), darts (the DARTS CNN space) and
// tiny (a teaching space that trains in seconds on the pure-Go backend).
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
	// GAEA passes θ itself (rows on the simplex), DARTS softmax(α), GDAS a straight-through one-hot row
	// (the sampled op is the row's argmax; its output is scaled by the row so gradients reach θ).
	Weights *graph.Node

	// Sampled marks Weights as one-hot rows (GDAS): a space may then skip the ops whose weight is 0 where
	// it can; the result must equal the weighted sum.
	Sampled bool

	// Beta, for spaces with EdgeGroups, is [len(Edges())]: the weight of each edge in its node's sum
	// (PC-DARTS edge normalisation; the search normalises it per group). Nil means all ones.
	Beta *graph.Node

	// PartialChannels K > 1 mixes only 1/K of the channels through the ops and passes the rest through,
	// followed by a channel shuffle (PC-DARTS). 0 or 1: all channels.
	PartialChannels int
}
