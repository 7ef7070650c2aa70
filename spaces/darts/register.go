package darts

import (
	"fmt"

	"github.com/gaeanas/gaeanas/setting"
	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// The space's registration: linking the package (import _ "github.com/gaeanas/gaeanas/spaces/darts")
// makes "darts" a space of every search, sweep, training and report.
func init() {
	spaces.Register(spaces.Descriptor{
		Name:         "darts",
		Summary:      "the DARTS CNN space (normal and reduction cells; PC-DARTS's partial channels and edge weights β)",
		New:          newFromOptions,
		Defaults:     spaces.Options{Channels: 16, Cells: 8, Classes: 10, WithNone: true, EdgeWeights: true},
		Capabilities: spaces.Capabilities{PartialChannels: true, EdgeWeights: true},
		Presets:      presets,
		Named:        named(),
		Training: &spaces.Training{
			Protocol:       training,
			Network:        network,
			Options:        []string{"auxiliary", "drop_path", "imagenet"},
			AuxiliaryInput: 32,
			ImageNet:       spaces.NetworkOptions{Channels: 48, Cells: 14, Classes: 1000, ImageNet: true},
		},
	})
}

func newFromOptions(o spaces.Options) (spaces.Space, error) {
	switch {
	case o.Channels < 1:
		return nil, fmt.Errorf("channels %d: want at least 1", o.Channels)
	case o.Cells < 3:
		return nil, fmt.Errorf("cells (layers) %d: the darts space needs at least 3 (two reduction cells)", o.Cells)
	case o.Classes < 1:
		return nil, fmt.Errorf("classes %d: want at least 1", o.Classes)
	}
	return New().Channels(o.Channels).Layers(o.Cells).Classes(o.Classes).WithNone(o.WithNone).EdgeWeights(o.EdgeWeights), nil
}

// The reference files the rows cite (spaces.RefGAEA, spaces.RefDARTS, spaces.RefPCDARTS at the commits
// listed there).
const (
	grPC     = spaces.RefGAEA + "configs/cnn/mode/search_pcdarts.yaml: "
	grEED    = spaces.RefGAEA + "configs/cnn/search_method/eedarts/method_eedarts_space_pcdarts.yaml: "
	grREADME = spaces.RefGAEA + "README.md: "
	grConfig = spaces.RefGAEA + "configs/cnn/config.yaml: "
	grSched  = spaces.RefGAEA + "cnn/lr_schedulers.py CosinePowerAnnealing: epoch e uses last_epoch = e"
	qd       = spaces.RefDARTS + "cnn/train_search.py: "
	qdTrain  = spaces.RefDARTS + "cnn/train.py: "
	pc       = spaces.RefPCDARTS + "train_search.py: "
)

// presets are the space's rows of the search preset table: quark0/darts for DARTS, PC-DARTS and GAEA
// PC-DARTS their own.
var presets = []spaces.Row{
	{Key: "dataset", Value: "cifar10", Source: qd + "CIFAR-10"},
	{Key: "level", Value: "bi", Source: qd + "--train_portion 0.5 (architecture batches from the second half)"},
	{Key: "epochs", Value: 50, Source: qd + "--epochs 50"},
	{Key: "schedule_epochs", Value: 50, Source: qd + "CosineAnnealingLR(optimizer, epochs)"},
	{Key: "schedule_offset", Value: 1, Source: qd + "scheduler.step() at the start of each epoch, so epoch e runs at the cosine's value of e+1"},
	{Key: "batch", Value: 64, Source: qd + "--batch_size 64"},
	{Key: "channels", Value: 16, Source: qd + "--init_channels 16"},
	{Key: "cells", Value: 8, Source: qd + "--layers 8"},
	{Key: "with_none", Value: true, Source: "quark0/darts cnn/genotypes.py PRIMITIVES (8 ops with none)"},
	{Key: "weight_lr", Value: 0.025, Source: qd + "--learning_rate 0.025"},
	{Key: "weight_lr_min", Value: 0.001, Source: qd + "--learning_rate_min 0.001"},
	{Key: "weight_decay", Value: 3e-4, Source: qd + "--weight_decay 3e-4"},
	{Key: "arch_lr", Value: 3e-4, Source: qd + "--arch_learning_rate 3e-4 (Adam, betas 0.5/0.999, wd 1e-3)"},
	{Algo: "gaea-darts", Key: "arch_lr", Value: 0.1, Source: "no gaea_release config for EG without partial channels: quark0/darts settings with GAEA's step " + grEED + "arch_learning_rate: 0.1"},
	{Algo: "euclid-darts", Key: "arch_lr", Value: 0.1, Source: "as gaea-darts on the darts space"},
	{Algo: "gaea-darts", Key: "level", Value: "bi", Source: qd + "--train_portion 0.5"},
	{Algo: "euclid-darts", Key: "level", Value: "bi", Source: qd + "--train_portion 0.5"},
	{Algo: "gaea-pcdarts", Key: "epochs", Value: 50, Source: grREADME + "run.epochs=50"},
	{Algo: "gaea-pcdarts", Key: "schedule_epochs", Value: 50, Source: grConfig + "scheduler_epochs: 50"},
	{Algo: "gaea-pcdarts", Key: "schedule_offset", Value: 0, Source: grSched},
	{Algo: "gaea-pcdarts", Key: "level", Value: "bi", Source: grREADME + "search.single_level=false (" + grEED + "train_portion: 0.5)"},
	{Algo: "gaea-pcdarts", Key: "batch", Value: 256, Source: grPC + "batch_size: 256"},
	{Algo: "gaea-pcdarts", Key: "weight_lr", Value: 0.1, Source: grPC + "learning_rate: 0.1"},
	{Algo: "gaea-pcdarts", Key: "weight_lr_min", Value: 0.0, Source: grPC + "learning_rate_min: 0.0"},
	{Algo: "gaea-pcdarts", Key: "weight_decay", Value: 3e-4, Source: grPC + "weight_decay: 0.0003"},
	{Algo: "gaea-pcdarts", Key: "channels", Value: 16, Source: grPC + "init_channels: 16"},
	{Algo: "gaea-pcdarts", Key: "cells", Value: 8, Source: grPC + "layers: 8"},
	{Algo: "gaea-pcdarts", Key: "with_none", Value: true, Source: grREADME + "search.exclude_zero=false (8 ops)"},
	{Algo: "gaea-pcdarts", Key: "arch_lr", Value: 0.1, Source: grEED + "arch_learning_rate: 0.1 (and edge_learning_rate: 0.1 for β)"},
	{Algo: "gaea-pcdarts", Key: "edge_weights", Value: true, Source: grEED + "learn_edges: true"},
	{Algo: "gaea-pcdarts", Key: "partial_channels", Value: 4, Source: "liamcli/gaea_release cnn/search_spaces/pc_darts/model_search.py: C // 4, channel_shuffle(ans, 4)"},
	{Algo: "gaea-pcdarts", Key: "warmup_epochs", Value: 0, Source: "liamcli/gaea_release cnn/train_search.py: architect.step from the first epoch (no warm-up)"},
	{Algo: "pcdarts", Key: "epochs", Value: 50, Source: pc + "--epochs 50"},
	{Algo: "pcdarts", Key: "schedule_epochs", Value: 50, Source: pc + "CosineAnnealingLR(optimizer, epochs)"},
	{Algo: "pcdarts", Key: "schedule_offset", Value: 1, Source: pc + "scheduler.step() at the start of each epoch"},
	{Algo: "pcdarts", Key: "batch", Value: 256, Source: pc + "--batch_size 256"},
	{Algo: "pcdarts", Key: "weight_lr", Value: 0.1, Source: pc + "--learning_rate 0.1"},
	{Algo: "pcdarts", Key: "weight_lr_min", Value: 0.0, Source: pc + "--learning_rate_min 0.0"},
	{Algo: "pcdarts", Key: "weight_decay", Value: 3e-4, Source: pc + "--weight_decay 3e-4"},
	{Algo: "pcdarts", Key: "arch_lr", Value: 6e-4, Source: pc + "--arch_learning_rate 6e-4 (Adam, betas 0.5/0.999, wd 1e-3, for α and β)"},
	{Algo: "pcdarts", Key: "edge_weights", Value: true, Source: "yuhuixu1993/PC-DARTS model_search.py: betas_normal/betas_reduce, softmax per node"},
	{Algo: "pcdarts", Key: "partial_channels", Value: 4, Source: "yuhuixu1993/PC-DARTS model_search.py: self.k = 4"},
	{Algo: "pcdarts", Key: "warmup_epochs", Value: 15, Source: pc + "if epoch >= 15: architect.step(...)"},
	{Preset: "quick", Key: "epochs", Value: 1, Source: "quick (CPU minutes)"},
	{Preset: "quick", Key: "batch", Value: 16, Source: "quick (CPU minutes)"},
	{Preset: "quick", Key: "channels", Value: 4, Source: "quick (CPU minutes)"},
	{Preset: "quick", Key: "cells", Value: 3, Source: "quick (CPU minutes)"},
	{Preset: "quick", Key: "subset", Value: 256, Source: "quick (CPU minutes)"},
	{Preset: "quick", Algo: "pcdarts", Key: "epochs", Value: 2, Source: "quick (CPU minutes; one warm-up epoch)"},

	// The supernet's validation after each epoch sees the training transform (experiment's
	// "augment_valid" key).
	{Key: "augment_valid", Value: true, Source: spaces.RefGAEA + "cnn/train_utils.py create_data_queues, lines 304–321: the valid queue is a copy of the training data, with its transform"},
}

// training is DARTS's evaluation protocol on CIFAR-10 (NetworkCIFAR, quark0/darts cnn/train.py with
// --auxiliary --cutout, as its README runs it).
var training = []spaces.Row{
	{Key: "epochs", Value: 600, Source: qdTrain + "--epochs 600"},
	{Key: "batch", Value: 96, Source: qdTrain + "--batch_size 96"},
	{Key: "lr", Value: 0.025, Source: qdTrain + "--learning_rate 0.025"},
	{Key: "lr_min", Value: 0.0, Source: qdTrain + "CosineAnnealingLR(optimizer, epochs): eta_min 0"},
	{Key: "lr_schedule", Value: "cosine-epoch", Source: qdTrain + "scheduler.step() once per epoch"},
	{Key: "momentum", Value: 0.9, Source: qdTrain + "--momentum 0.9"},
	{Key: "nesterov", Value: false, Source: qdTrain + "torch.optim.SGD without nesterov"},
	{Key: "weight_decay", Value: 3e-4, Source: qdTrain + "--weight_decay 3e-4"},
	{Key: "grad_clip", Value: 5.0, Source: qdTrain + "--grad_clip 5"},
	{Key: "channels", Value: 36, Source: qdTrain + "--init_channels 36"},
	{Key: "layers", Value: 20, Source: qdTrain + "--layers 20"},
	{Key: "cutout", Value: 16, Source: spaces.RefDARTS + "README.md: train.py --cutout; cnn/train.py --cutout_length 16"},
	{Key: "auxiliary", Value: 0.4, Source: spaces.RefDARTS + "README.md: train.py --auxiliary; cnn/train.py --auxiliary_weight 0.4"},
	{Key: "drop_path", Value: 0.2, Source: qdTrain + "--drop_path_prob 0.2, grown as drop_path_prob · epoch / epochs"},
}

// network is the evaluation network of a genotype (NetworkCIFAR, or NetworkImageNet).
func network(g spaces.Genotype, o spaces.NetworkOptions) (spaces.Network, error) {
	geno, err := ParseGenotype(g.String())
	if err != nil {
		return nil, err
	}
	switch {
	case o.Channels < 1:
		return nil, setting.Errorf("channels", "must be at least 1, got %d", o.Channels)
	case o.Cells < 1:
		return nil, setting.Errorf("layers", "must be at least 1, got %d", o.Cells)
	case o.Classes < 1:
		return nil, setting.Errorf("classes", "must be at least 1, got %d", o.Classes)
	case o.Channels%2 != 0:
		return nil, setting.Errorf("channels", "must be even, got %d", o.Channels)
	}
	return dartsNetwork{g: geno, o: o}, nil
}

type dartsNetwork struct {
	g *Genotype
	o spaces.NetworkOptions
}

func (n dartsNetwork) config(aux bool) *NetworkConfig {
	return NewNetwork(n.g).Channels(n.o.Channels).Layers(n.o.Cells).Classes(n.o.Classes).
		Auxiliary(aux).DropPath(n.o.DropPath).ImageNet(n.o.ImageNet)
}

// Build builds the auxiliary head in the training graph only (the reference evaluates without it).
func (n dartsNetwork) Build(ctx *context.Context, x *graph.Node) (logits, aux *graph.Node) {
	return n.config(n.o.Auxiliary && ctx.IsTraining(x.Graph())).Build(ctx, x)
}

// ParamCount counts the auxiliary head when the network has one.
func (n dartsNetwork) ParamCount() int { return n.config(n.o.Auxiliary).ParamCount() }

func (n dartsNetwork) NotCounted() []string { return []string{"auxiliary_head"} }

var _ spaces.CellDrawer = (*Space)(nil)

// CellGraphs implements spaces.CellDrawer: the normal and the reduction cell of a genotype, with the
// inputs c_{k-2}, c_{k-1}, the intermediate nodes 0, 1, … and the output c_{k}, which concatenates the
// states of the concat list; every edge but none labelled with its op.
func (s *Space) CellGraphs(g spaces.Genotype) ([]spaces.CellGraph, error) {
	geno, err := ParseGenotype(g.String())
	if err != nil {
		return nil, err
	}
	var out []spaces.CellGraph
	for _, reduce := range []bool{false, true} {
		cell, concat, kind := geno.Normal, geno.NormalConcat, "normal"
		if reduce {
			cell, concat, kind = geno.Reduce, geno.ReduceConcat, "reduction"
		}
		state := func(i int) string { return fmt.Sprintf("s%d", i) }
		c := spaces.CellGraph{Title: "DARTS " + kind + " cell", Nodes: []spaces.GraphNode{
			{ID: "s0", Label: "c_{k-2}", Kind: spaces.InputNode}, {ID: "s1", Label: "c_{k-1}", Kind: spaces.InputNode}}}
		for i := 0; i < len(cell)/2; i++ {
			c.Nodes = append(c.Nodes, spaces.GraphNode{ID: state(i + 2), Label: fmt.Sprint(i)})
		}
		c.Nodes = append(c.Nodes, spaces.GraphNode{ID: "out", Label: "c_{k}", Kind: spaces.OutputNode})
		for i, oi := range cell {
			if oi.Op != OpNone {
				c.Edges = append(c.Edges, spaces.GraphEdge{From: state(oi.Input), To: state(i/2 + 2), Op: oi.Op, Row: -1})
			}
		}
		for _, st := range concat {
			c.Edges = append(c.Edges, spaces.GraphEdge{From: state(st), To: "out", Row: -1})
		}
		out = append(out, c)
	}
	return out, nil
}

// named are the genotypes of KnownGenotypes in their text form.
func named() map[string]string {
	m := map[string]string{}
	for n, g := range KnownGenotypes {
		m[n] = g.String()
	}
	return m
}
