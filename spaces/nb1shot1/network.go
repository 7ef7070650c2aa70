package nb1shot1

import (
	"fmt"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"

	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gaeanas/gaeanas/spaces/nb1shot1/nb101"
)

// Network implements spaces.Space: the logits of NAS-Bench-101's network of the cell g (a Cell) — stem
// 128, 3 stacks of 3 modules, the space's Classes — the network whose trained accuracies the benchmark
// looks up (nb101.Network). NAS-Bench-1Shot1 itself evaluates found cells by lookup only
// (eval_darts_one_shot_model_in_nasbench.py); this is for training one from scratch.
func (s *Space) Network(ctx *context.Context, x *graph.Node, g spaces.Genotype) *graph.Node {
	cfg := nb101.DefaultNetwork
	cfg.Classes = s.classes
	return s.NetworkConfig(ctx, x, g, cfg)
}

// NetworkConfig is Network with another NAS-Bench-101 macro structure (e.g. a smaller stem for a CPU).
func (s *Space) NetworkConfig(ctx *context.Context, x *graph.Node, g spaces.Genotype, cfg nb101.NetworkConfig) *graph.Node {
	c, ok := g.(Cell)
	if !ok {
		if p, isPtr := g.(*Cell); isPtr && p != nil {
			c, ok = *p, true
		}
	}
	if !ok {
		panic(fmt.Sprintf("nb1shot1: Network needs an nb1shot1.Cell genotype, got %T", g))
	}
	if err := s.CheckCell(c); err != nil {
		panic(err.Error())
	}
	return nb101.Network(ctx, x, c.Spec(), cfg)
}

// ParamCount is the parameter count of NAS-Bench-101's network of c (the dataset's
// trainable_parameters with the default configuration).
func (s *Space) ParamCount(c Cell, cfg nb101.NetworkConfig) (int, error) {
	if err := s.CheckCell(c); err != nil {
		return 0, err
	}
	return nb101.ParamCount(c.Spec(), cfg)
}
