package nb201

import (
	"fmt"

	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// The space's registration: linking the package (import _ "github.com/gaeanas/gaeanas/spaces/nb201")
// makes "nb201" a space of every search, sweep, training and report.
func init() {
	spaces.Register(spaces.Descriptor{
		Name:         "nb201",
		Summary:      "NAS-Bench-201 cells (15,625 architectures, benchmark table embedded)",
		New:          newFromOptions,
		Defaults:     spaces.Options{Channels: 16, Cells: 5, Classes: 10, WithNone: true},
		Capabilities: spaces.Capabilities{SinglePath: true},
		GenotypeName: "arch",
		Presets:      presets,
		Training: &spaces.Training{
			Protocol: training,
			Network:  network,
		},
		Benchmark: benchmark{},
	})
}

func newFromOptions(o spaces.Options) (spaces.Space, error) {
	if err := o.CheckSizes(1, 1); err != nil {
		return nil, err
	}
	if o.EdgeWeights {
		return nil, fmt.Errorf("edge weights (β): NAS-Bench-201 has none")
	}
	return New().Channels(o.Channels).Cells(o.Cells).Classes(o.Classes).WithNone(o.WithNone), nil
}

// The reference files the rows cite (spaces.RefGAEA, spaces.RefAutoDL at the commits listed there).
const (
	grNB201  = spaces.RefGAEA + "configs/cnn/mode/search_nasbench201.yaml: "
	grEDARTS = spaces.RefGAEA + "configs/cnn/search_method/edarts/method_edarts_space_nasbench201.yaml: "
	grREADME = spaces.RefGAEA + "README.md: "
	grConfig = spaces.RefGAEA + "configs/cnn/config.yaml: "
	dxyAlgo  = spaces.RefAutoDL + "configs/nas-benchmark/algos/"
	dxySh    = spaces.RefAutoDL + "scripts-search/NAS-Bench-201-algos/"
	dxyExps  = spaces.RefAutoDL + "exps/NAS-Bench-201-algos/"
	dxySched = spaces.RefAutoDL + "xautodl/procedures/optimizers.py: cosine of the current epoch, T_max = epochs"
	dxyTrain = spaces.RefAutoDL + "configs/nas-benchmark/hyper-opts/200E.config: "
)

// presets are the space's rows of the search preset table: GAEA's protocol (gaea_release's
// search_nasbench201 mode) and, per algorithm, NAS-Bench-201's baselines (AutoDL-Projects).
var presets = []spaces.Row{
	{Key: "dataset", Value: "cifar10", Source: grREADME + "NAS-Bench-201 search on CIFAR-10"},
	{Key: "batch", Value: 64, Source: grNB201 + "batch_size: 64"},
	{Key: "channels", Value: 24, Source: grNB201 + "init_channels: 24 (NAS-Bench-201 itself trains C=16)"},
	{Key: "cells", Value: 5, Source: grNB201 + "layers: 5"},
	{Key: "weight_lr", Value: 0.025, Source: grNB201 + "learning_rate: 0.025"},
	{Key: "weight_lr_min", Value: 0.001, Source: grNB201 + "learning_rate_min: 0.001"},
	{Key: "weight_decay", Value: 3e-4, Source: grNB201 + "weight_decay: 0.0003"},
	{Key: "schedule_epochs", Value: 50, Source: grConfig + "scheduler_epochs: 50"},
	{Key: "epochs", Value: 25, Source: grREADME + "run.epochs=25"},
	{Key: "level", Value: "single", Source: grREADME + "search.single_level=true (ERM)"},
	{Key: "with_none", Value: false, Source: grREADME + "search.exclude_zero=true (4 ops)"},
	{Key: "arch_lr", Value: 0.1, Source: grEDARTS + "arch_learning_rate: 0.1"},
	{Algo: "darts", Key: "epochs", Value: 50, Source: dxyAlgo + "DARTS.config: epochs 50"},
	{Algo: "darts-v2", Key: "epochs", Value: 50, Source: dxyAlgo + "DARTS.config: epochs 50"},
	{Algo: "gdas", Key: "epochs", Value: 250, Source: dxyAlgo + "GDAS.config: epochs 250"},
	{Algo: "rsws", Key: "epochs", Value: 250, Source: dxyAlgo + "RANDOM.config: epochs 250"},
	{Algo: "darts", Key: "schedule_epochs", Value: 50, Source: dxySched},
	{Algo: "darts-v2", Key: "schedule_epochs", Value: 50, Source: dxySched},
	{Algo: "gdas", Key: "schedule_epochs", Value: 250, Source: dxySched},
	{Algo: "rsws", Key: "schedule_epochs", Value: 250, Source: dxySched},
	{Algo: "darts", Key: "channels", Value: 16, Source: dxySh + "DARTS-V1.sh: channel=16"},
	{Algo: "darts-v2", Key: "channels", Value: 16, Source: dxySh + "DARTS-V2.sh: channel=16"},
	{Algo: "gdas", Key: "channels", Value: 16, Source: dxySh + "GDAS.sh: channel=16"},
	{Algo: "rsws", Key: "channels", Value: 16, Source: dxySh + "RANDOM-NAS.sh: channel=16"},
	{Algo: "darts", Key: "nesterov", Value: true, Source: dxyAlgo + "DARTS.config: nesterov 1"},
	{Algo: "darts-v2", Key: "nesterov", Value: true, Source: dxyAlgo + "DARTS.config: nesterov 1"},
	{Algo: "gdas", Key: "nesterov", Value: true, Source: dxyAlgo + "GDAS.config: nesterov 1"},
	{Algo: "rsws", Key: "nesterov", Value: true, Source: dxyAlgo + "RANDOM.config: nesterov 1"},
	{Algo: "darts", Key: "weight_decay", Value: 5e-4, Source: dxyAlgo + "DARTS.config: decay 0.0005"},
	{Algo: "darts-v2", Key: "weight_decay", Value: 5e-4, Source: dxyAlgo + "DARTS.config: decay 0.0005"},
	{Algo: "gdas", Key: "weight_decay", Value: 5e-4, Source: dxyAlgo + "GDAS.config: decay 0.0005"},
	{Algo: "rsws", Key: "weight_decay", Value: 5e-4, Source: dxyAlgo + "RANDOM.config: decay 0.0005"},
	{Algo: "darts", Key: "schedule_offset", Value: 0, Source: dxySched},
	{Algo: "darts-v2", Key: "schedule_offset", Value: 0, Source: dxySched},
	{Algo: "gdas", Key: "schedule_offset", Value: 0, Source: dxySched},
	{Algo: "rsws", Key: "schedule_offset", Value: 0, Source: dxySched},
	{Algo: "darts", Key: "weights_first", Value: true, Source: dxyExps + "DARTS-V1.py search_func: weight step, then architecture step"},
	{Algo: "gdas", Key: "weights_first", Value: true, Source: dxyExps + "GDAS.py search_func: weight step, then architecture step"},
	{Algo: "darts", Key: "with_none", Value: true, Source: dxySh + "DARTS-V1.sh: space=nas-bench-201 (5 ops)"},
	{Algo: "darts-v2", Key: "with_none", Value: true, Source: dxySh + "DARTS-V2.sh: space=nas-bench-201 (5 ops)"},
	{Algo: "gdas", Key: "with_none", Value: true, Source: dxySh + "GDAS.sh: space=nas-bench-201 (5 ops)"},
	{Algo: "rsws", Key: "with_none", Value: true, Source: dxySh + "RANDOM-NAS.sh: space=nas-bench-201 (5 ops)"},
	{Preset: "quick", Key: "epochs", Value: 3, Source: "quick (CPU minutes)"},
	{Preset: "quick", Key: "batch", Value: 32, Source: "quick (CPU minutes)"},
	{Preset: "quick", Key: "channels", Value: 8, Source: "quick (CPU minutes)"},
	{Preset: "quick", Key: "cells", Value: 1, Source: "quick (CPU minutes)"},

	// What each baseline returns (experiment's "selection" key): the last epoch's genotype.
	{Algo: "darts", Key: "selection", Value: "final", Source: dxyExps + "DARTS-V1.py: reports genotypes[total_epoch − 1], the last epoch's (the best epoch's is only recorded)"},
	{Algo: "darts-v2", Key: "selection", Value: "final", Source: dxyExps + "DARTS-V2.py: reports genotypes[total_epoch − 1], the last epoch's (the best epoch's is only recorded)"},
	{Algo: "gdas", Key: "selection", Value: "final", Source: dxyExps + "GDAS.py: reports genotypes[total_epoch − 1], the last epoch's (the best epoch's is only recorded)"},
}

// training is NAS-Bench-201's from-scratch protocol (its 200-epoch hyper-parameters).
var training = []spaces.Row{
	{Key: "epochs", Value: 200, Source: dxyTrain + "epochs 200"},
	{Key: "batch", Value: 256, Source: dxyTrain + "batch_size 256"},
	{Key: "lr", Value: 0.1, Source: dxyTrain + "LR 0.1"},
	{Key: "lr_min", Value: 0.0, Source: dxyTrain + "eta_min 0.0"},
	{Key: "lr_schedule", Value: "cosine-step", Source: spaces.RefAutoDL + "xautodl/procedures/funcs_nasbench.py procedure: scheduler.update(None, 1.0 * i / len(xloader)) every iteration"},
	{Key: "momentum", Value: 0.9, Source: dxyTrain + "momentum 0.9"},
	{Key: "nesterov", Value: true, Source: dxyTrain + "nesterov 1"},
	{Key: "weight_decay", Value: 5e-4, Source: dxyTrain + "decay 0.0005"},
	{Key: "grad_clip", Value: 0.0, Source: dxyTrain + "no gradient clipping"},
	{Key: "channels", Value: 16, Source: "NAS-Bench-201 (Dong & Yang, ICLR 2020) section 2.1: C = 16"},
	{Key: "cells", Value: 5, Source: "NAS-Bench-201 (Dong & Yang, ICLR 2020) section 2.1: N = 5 cells per stage"},
	{Key: "cutout", Value: 0, Source: spaces.RefAutoDL + "NAS-Bench-201 trains with random crop and flip only"},
}

// network is the stand-alone network of an Arch (Space.Network): NAS-Bench-201's TinyNetwork.
func network(g spaces.Genotype, o spaces.NetworkOptions) (spaces.Network, error) {
	a, err := ParseArch(g.String())
	if err != nil {
		return nil, err
	}
	if _, err := newFromOptions(spaces.Options{Channels: o.Channels, Cells: o.Cells, Classes: o.Classes}); err != nil {
		return nil, err
	}
	if o.Height%4 != 0 || o.Width%4 != 0 {
		return nil, fmt.Errorf("NB201 networks need image sizes divisible by 4, got %d×%d", o.Height, o.Width)
	}
	return nb201Network{a: a, o: o}, nil
}

type nb201Network struct {
	a Arch
	o spaces.NetworkOptions
}

func (n nb201Network) Build(ctx *context.Context, x *graph.Node) (logits, aux *graph.Node) {
	return New().Channels(n.o.Channels).Cells(n.o.Cells).Classes(n.o.Classes).Network(ctx, x, n.a), nil
}

func (n nb201Network) ParamCount() int      { return ParamCount(n.a, n.o.Channels, n.o.Cells, n.o.Classes) }
func (n nb201Network) NotCounted() []string { return nil }

// benchmark is the embedded table as a spaces.Benchmark.
type benchmark struct{}

var benchmarkDatasets = []spaces.BenchmarkDataset{{Key: "cifar10", Title: "CIFAR-10"}, {Key: "cifar100", Title: "CIFAR-100"}, {Key: "imagenet16", Title: "ImageNet16-120"}}

func (benchmark) Title() string                       { return "NAS-Bench-201" }
func (benchmark) Datasets() []spaces.BenchmarkDataset { return benchmarkDatasets }
func (benchmark) Size() int                           { return NumArchs }
func (benchmark) Lookup(s string) (*spaces.BenchmarkEntry, error) {
	e, err := LookupString(s)
	if err != nil {
		return nil, err
	}
	return e.Benchmark(), nil
}

func (benchmark) Entry(index int) (*spaces.BenchmarkEntry, error) {
	e, err := LookupIndex(index)
	if err != nil {
		return nil, err
	}
	return e.Benchmark(), nil
}

func (benchmark) Best(dataset string) (*spaces.BenchmarkEntry, error) {
	d, err := parseDataset(dataset)
	if err != nil {
		return nil, err
	}
	return Best(d).Benchmark(), nil
}

func (benchmark) Accuracies(dataset string) ([]float64, error) {
	d, err := parseDataset(dataset)
	if err != nil {
		return nil, err
	}
	return table().acc[d], nil
}

func parseDataset(s string) (Dataset, error) {
	for d, n := range datasetNames {
		if n == s {
			return Dataset(d), nil
		}
	}
	return 0, fmt.Errorf("nb201: unknown benchmark data set %q (want cifar10, cifar100 or imagenet16)", s)
}

// Benchmark is the entry in the form of every space's benchmark (spaces.BenchmarkEntry).
func (e Entry) Benchmark() *spaces.BenchmarkEntry {
	b := &spaces.BenchmarkEntry{Index: e.Index, Arch: e.Arch.String()}
	for d, n := range datasetNames {
		b.Scores = append(b.Scores, spaces.Score{Dataset: n, Accuracy: e.Accuracy[d], Rank: e.Rank[d]})
	}
	return b
}

// The space's pictures (spaces.CellDrawer, spaces.SupernetDrawer; drawn by viz.Cells, viz.Supernet).
var (
	_ spaces.CellDrawer     = (*Space)(nil)
	_ spaces.SupernetDrawer = (*Space)(nil)
)

// cellGraph is a cell's four nodes, 0 (input) to 3 (output), and no edges yet.
func cellGraph(title, subtitle string) spaces.CellGraph {
	g := spaces.CellGraph{Title: title, Subtitle: subtitle, Round: true}
	for i := 0; i < NumNodes; i++ {
		n := spaces.GraphNode{ID: fmt.Sprintf("n%d", i), Label: fmt.Sprint(i)}
		switch i {
		case 0:
			n.Label, n.Kind = "0\nin", spaces.InputNode
		case NumNodes - 1:
			n.Label, n.Kind = "3\nout", spaces.OutputNode
		}
		g.Nodes = append(g.Nodes, n)
	}
	return g
}

// CellGraphs implements spaces.CellDrawer: the cell, every edge whose op is not none labelled with it.
func (s *Space) CellGraphs(g spaces.Genotype) ([]spaces.CellGraph, error) {
	a, err := ParseArch(g.String())
	if err != nil {
		return nil, err
	}
	c := cellGraph("NAS-Bench-201 cell", a.String())
	for e, op := range a {
		if op == None {
			continue
		}
		from, to := EdgeNodes(e)
		c.Edges = append(c.Edges, spaces.GraphEdge{From: fmt.Sprintf("n%d", from), To: fmt.Sprintf("n%d", to), Op: op.String(), Row: e})
	}
	return []spaces.CellGraph{c}, nil
}

// SupernetGraph implements spaces.SupernetDrawer: the cell with its six edges, in θ-row order.
func (s *Space) SupernetGraph() spaces.CellGraph {
	c := cellGraph("NAS-Bench-201 supernet (line width ∝ θ)", "")
	for e := 0; e < NumEdges; e++ {
		from, to := EdgeNodes(e)
		c.Edges = append(c.Edges, spaces.GraphEdge{From: fmt.Sprintf("n%d", from), To: fmt.Sprintf("n%d", to), Row: e})
	}
	return c
}

var _ spaces.ParamFreeCounter = (*Space)(nil)

// ParamFreeEdges implements spaces.ParamFreeCounter: the edges (of 6) whose op is none, skip_connect
// or avg_pool_3x3.
func (s *Space) ParamFreeEdges(g spaces.Genotype) int {
	a, err := ParseArch(g.String())
	if err != nil {
		return 0
	}
	n := 0
	for _, op := range a {
		if op == None || op == Skip || op == AvgPool3x3 {
			n++
		}
	}
	return n
}

// Table is the embedded benchmark table as every space's benchmark (spaces.Benchmark): what viz's
// landscape and accuracy pictures take.
func Table() spaces.Benchmark { return benchmark{} }
