package darts

import (
	"fmt"
	"slices"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/gaeanas/gaeanas/spaces"
)

const (
	// Nodes is the number of intermediate nodes of a search cell.
	Nodes = 4
	// EdgesPerCell is the number of edges of a search cell: node i (2..5) has i incoming edges.
	EdgesPerCell = 2 + 3 + 4 + 5
	// StemMultiplier: the CIFAR stem has StemMultiplier·C channels.
	StemMultiplier = 3
)

// Space is the DARTS CNN search space (see the package documentation). Create it with New and configure
// it with its methods, e.g. darts.New().Channels(16).Layers(8).Classes(10).
type Space struct {
	channels, layers, classes int
	ops                       []string
	net                       NetworkConfig
	noEdgeWeights             bool
}

var _ spaces.Space = (*Space)(nil)

// New returns the space with the GAEA PC-DARTS search settings: C = 16, 8 layers, 10 classes, all 8 ops.
// Network builds NetworkCIFAR with C = 36, 20 layers, no auxiliary head, no drop-path (see Evaluation).
func New() *Space {
	return &Space{channels: 16, layers: 8, classes: 10, ops: AllOps(), net: *NewNetwork(nil)}
}

// Channels sets C, the channels of the first cells of the search network (default 16).
func (s *Space) Channels(c int) *Space { s.channels = c; return s }

// Layers sets the number of cells of the search network (default 8).
func (s *Space) Layers(n int) *Space { s.layers = n; return s }

// Classes sets the number of classes of the search network and of Network (default 10).
func (s *Space) Classes(n int) *Space { s.classes = n; return s }

// WithNone sets whether `none` is a candidate op (default true, as nb201.Space.WithNone);
// WithNone(false) is the reference's exclude_zero: θ then has 7 columns.
func (s *Space) WithNone(with bool) *Space {
	s.ops = AllOps()
	if !with {
		s.ops = s.ops[1:]
	}
	return s
}

// ExcludeNone(exclude) is WithNone(!exclude).
//
// Deprecated: use WithNone, the name nb201 uses.
func (s *Space) ExcludeNone(exclude bool) *Space { return s.WithNone(!exclude) }

// EdgeWeights sets whether the supernet has PC-DARTS's edge weights β (default true). Without them
// (DARTS, GDAS on this space: quark0/darts cnn/model_search.py) EdgeGroups is nil, each node is the plain
// sum of its incoming mixed edges, and Discretize ranks a node's incoming edges by θ alone.
func (s *Space) EdgeWeights(on bool) *Space { s.noEdgeWeights = !on; return s }

// Evaluation sets how Network builds the discrete network of a genotype (cfg's genotype and classes are
// ignored: Network uses its argument and the space's Classes).
// The default is NewNetwork(nil): NetworkCIFAR, C = 36, 20 layers.
func (s *Space) Evaluation(cfg *NetworkConfig) *Space { s.net = *cfg; return s }

// Name implements spaces.Space.
func (s *Space) Name() string { return "darts" }

// Ops implements spaces.Space: the 8 ops (7 with WithNone(false)) in θ-column order.
func (s *Space) Ops() []string { return slices.Clone(s.ops) }

// Edges implements spaces.Space. θ rows are the 14 edges of the normal cell, then the 14 of the
// reduction cell; within a cell, by destination node and then source state:
//
//	0 "normal 2<-0"   1 "normal 2<-1"
//	2 "normal 3<-0"   3 "normal 3<-1"   4 "normal 3<-2"
//	5 "normal 4<-0" … 8 "normal 4<-3"
//	9 "normal 5<-0" … 13 "normal 5<-4"
//	14 "reduce 2<-0" … 27 "reduce 5<-4"
//
// States 0 and 1 are the cell inputs c_{k-2}, c_{k-1}; 2..5 the intermediate nodes. This is the row order
// of alphas_normal / alphas_reduce in the reference code.
func (s *Space) Edges() []string {
	var out []string
	for _, cell := range []string{"normal", "reduce"} {
		for node := 2; node < 2+Nodes; node++ {
			for j := 0; j < node; j++ {
				out = append(out, fmt.Sprintf("%s %d<-%d", cell, node, j))
			}
		}
	}
	return out
}

// EdgeGroups implements spaces.Space: one β row per (cell type, node): normal node 2 = edges {0, 1},
// node 3 = {2, 3, 4}, node 4 = {5…8}, node 5 = {9…13}, then the same for the reduction cell (+14).
// Nil with EdgeWeights(false).
func (s *Space) EdgeGroups() [][]int {
	if s.noEdgeWeights {
		return nil
	}
	return edgeGroups()
}

// edgeGroups lists the incoming edges of every node (the β groups), with or without edge weights.
func edgeGroups() [][]int {
	var out [][]int
	e := 0
	for range 2 {
		for node := 2; node < 2+Nodes; node++ {
			group := make([]int, node)
			for j := range group {
				group[j] = e
				e++
			}
			out = append(out, group)
		}
	}
	return out
}

// ParseGenotype implements spaces.Space (see the function ParseGenotype).
func (s *Space) ParseGenotype(str string) (spaces.Genotype, error) {
	g, err := ParseGenotype(str)
	if err != nil {
		return nil, err
	}
	return g, nil
}

// Network implements spaces.Space: the discrete network of g (a *Genotype, or any genotype whose String parses) built
// as configured by Evaluation; only the main logits are returned — use NewNetwork directly for the
// auxiliary head's logits.
func (s *Space) Network(ctx *context.Context, x *graph.Node, g spaces.Genotype) *graph.Node {
	var geno *Genotype
	switch v := g.(type) {
	case *Genotype:
		geno = v
	default:
		parsed, err := ParseGenotype(g.String())
		if err != nil {
			panic(err)
		}
		geno = parsed
	}
	cfg := s.net
	cfg.genotype = geno
	cfg.classes = s.classes
	logits, _ := cfg.Build(ctx, x)
	return logits
}
