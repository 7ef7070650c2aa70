package tiny

import (
	"fmt"

	"github.com/gaeanas/gaeanas/spaces"
)

// The space's registration: linking the package (import _ "github.com/gaeanas/gaeanas/spaces/tiny")
// makes "tiny" a space of every search, sweep and report. It has no reference protocol, so neither a
// from-scratch training nor a benchmark.
func init() {
	spaces.Register(spaces.Descriptor{
		Name:         "tiny",
		Summary:      "the teaching space: NAS-Bench-201-style cells of three ops, seconds on a CPU",
		New:          newFromOptions,
		Defaults:     spaces.Options{Channels: 8, Cells: 1, Classes: 10},
		Capabilities: spaces.Capabilities{SinglePath: true},
		Presets:      presets,
	})
}

// newFromOptions builds the space of a search's settings. Its ops have no none: Options.WithNone is
// ignored.
func newFromOptions(o spaces.Options) (spaces.Space, error) {
	if err := o.CheckSizes(1, 2); err != nil {
		return nil, err
	}
	if o.EdgeWeights {
		return nil, fmt.Errorf("edge weights (β): the teaching space has none")
	}
	return New().Channels(o.Channels).Cells(o.Cells).Classes(o.Classes), nil
}

const (
	grEDARTS = spaces.RefGAEA + "configs/cnn/search_method/edarts/method_edarts_space_nasbench201.yaml: "
	grREADME = spaces.RefGAEA + "README.md: "
)

// presets are sizes of the space's own; the algorithm values are NAS-Bench-201's.
var presets = []spaces.Row{
	{Key: "dataset", Value: "cifar10-sample", Source: "teaching space: the embedded CIFAR-10 sample"},
	{Key: "epochs", Value: 10, Source: "teaching space (gaeanas)"},
	{Key: "schedule_epochs", Value: 10, Source: "teaching space (gaeanas)"},
	{Key: "batch", Value: 64, Source: "teaching space (gaeanas)"},
	{Key: "channels", Value: 16, Source: "teaching space (gaeanas)"},
	{Key: "cells", Value: 2, Source: "teaching space (gaeanas)"},
	{Key: "with_none", Value: false, Source: "teaching space: its ops have no none"},
	{Key: "weight_lr", Value: 0.05, Source: "teaching space (gaeanas)"},
	{Key: "weight_lr_min", Value: 0.001, Source: "teaching space (gaeanas)"},
	{Key: "weight_decay", Value: 3e-4, Source: "teaching space (gaeanas)"},
	{Key: "arch_lr", Value: 0.1, Source: grEDARTS + "arch_learning_rate: 0.1"},
	{Key: "level", Value: "single", Source: grREADME + "search.single_level=true"},
	{Preset: "quick", Key: "epochs", Value: 2, Source: "quick (CPU minutes)"},
	{Preset: "quick", Key: "batch", Value: 32, Source: "quick (CPU minutes)"},
	{Preset: "quick", Key: "channels", Value: 8, Source: "quick (CPU minutes)"},
	{Preset: "quick", Key: "cells", Value: 1, Source: "quick (CPU minutes)"},
}

var _ spaces.CellDrawer = (*Space)(nil)

// CellGraphs implements spaces.CellDrawer: the cell's nodes, 0 (input) to the last (output), and every
// edge labelled with its op.
func (s *Space) CellGraphs(g spaces.Genotype) ([]spaces.CellGraph, error) {
	parsed, err := s.ParseGenotype(g.String())
	if err != nil {
		return nil, err
	}
	return []spaces.CellGraph{parsed.(Genotype).Graph("teaching-space cell")}, nil
}
