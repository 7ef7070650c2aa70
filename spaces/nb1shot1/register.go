package nb1shot1

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gaeanas/gaeanas/spaces"
)

// The spaces' registration: linking the package (import _ "github.com/gaeanas/gaeanas/spaces/nb1shot1")
// makes "nb1shot1-1", "nb1shot1-2" and "nb1shot1-3" spaces of every search, sweep and report. They have
// no from-scratch protocol of their own (NAS-Bench-1Shot1 evaluates by lookup), and their benchmark is
// the NAS-Bench-101 file the user names (--nb101 FILE or GAEA_NB101).
func init() {
	for n := 1; n <= 3; n++ {
		spaces.Register(spaces.Descriptor{
			Name:    New(n).Name(),
			Summary: fmt.Sprintf("NAS-Bench-1Shot1 search space %d (%s; NAS-Bench-101 lookups with --nb101 FILE)", n, summaries[n]),
			New:     func(o spaces.Options) (spaces.Space, error) { return newFromOptions(n, o) },
			// The reference supernet: optimizers/darts/train_search.py --init_channels 16 --layers 9, CIFAR-10.
			Defaults:     spaces.Options{Channels: 16, Cells: 9, Classes: 10, EdgeWeights: true},
			Capabilities: spaces.Capabilities{PartialChannels: true, EdgeWeights: true, WeightedOnly: true},
			Presets:      presets,
			BenchmarkFile: &spaces.BenchmarkFile{
				Title:    "NAS-Bench-101",
				File:     "nasbench_only108.tfrecord",
				Flag:     "nb101",
				Env:      EnvDataset,
				Datasets: tableDatasets,
				Open: func(path string, progress func(done, total int64)) (spaces.Benchmark, error) {
					b, err := OpenBenchmark(path, progress)
					if err != nil {
						return nil, err
					}
					return b.Table(New(n)), nil
				},
			},
		})
	}
}

var summaries = [4]string{1: "4 choice nodes, 6,240 architectures in the paper", 2: "4 choice nodes, 29,160 in the paper", 3: "5 choice nodes, 363,648 in the paper"}

// newFromOptions builds space n's supernet of a search's settings. Its ops have no none, and its parents
// are chosen by the β rows, which it always has.
func newFromOptions(n int, o spaces.Options) (spaces.Space, error) {
	if err := o.CheckSizes(1, 1); err != nil {
		return nil, err
	}
	switch {
	case o.WithNone:
		return nil, fmt.Errorf("with_none: NAS-Bench-1Shot1's choice nodes have no none op (maxpool3x3, conv3x3-bn-relu, conv1x1-bn-relu)")
	case !o.EdgeWeights:
		return nil, fmt.Errorf("edge_weights false: NAS-Bench-1Shot1 chooses every node's parents by its β rows (the reference's alphas_inputs and alphas_output), which every search learns")
	}
	return New(n).Channels(o.Channels).Cells(o.Cells).Classes(o.Classes), nil
}

// The reference files the rows cite (spaces.RefNB1Shot1 and spaces.RefGAEA at the commits listed there).
const (
	nbDARTS = spaces.RefNB1Shot1 + "optimizers/darts/train_search.py "
	nbPC    = spaces.RefNB1Shot1 + "optimizers/pc_darts/train_search.py "
	nbED    = spaces.RefNB1Shot1 + "optimizers/edarts/train_search.py "
	nbEPC   = spaces.RefNB1Shot1 + "optimizers/epc_edarts/train_search.py "
	nbEArch = spaces.RefNB1Shot1 + "optimizers/edarts/architect.py "
	nbREADM = spaces.RefNB1Shot1 + "README.md: "
	grEED   = spaces.RefGAEA + "configs/cnn/search_method/eedarts/method_eedarts_space_pcdarts.yaml: "
	grED    = spaces.RefGAEA + "configs/cnn/search_method/edarts/method_edarts_space_nasbench201.yaml: "
	// The GAEA step size on NAS-Bench-1Shot1 is not recorded in the fork.
	gaeaStepNotRecorded = "not recorded in " + spaces.RefNB1Shot1 + "(cluster_scripts/run-experiment.sh passes --arch_learning_rate and --edge_learning_rate from its caller; no script calls it with values; the argparse defaults are 0.01 in optimizers/edarts/train_search.py lines 52-53 and 3e-4, PC-DARTS's Adam rate, in optimizers/epc_edarts/train_search.py lines 50-51): GAEA's release value, "
)

// The algorithms a NAS-Bench-1Shot1 search runs, with the script of the fork that runs each.
var algoScripts = []struct{ algo, script string }{
	{"darts", nbDARTS}, {"darts-v2", nbDARTS}, {"euclid-darts", nbED}, {"gaea-darts", nbED}, {"pcdarts", nbPC}, {"gaea-pcdarts", nbEPC},
}

// presets are the spaces' rows of the search preset table: NAS-Bench-1Shot1's protocol as the fork's
// train_search.py of each optimizer sets it (DARTS and DARTS-V2: darts/; PC-DARTS: pc_darts/; GAEA DARTS
// and the Euclidean ablation: edarts/; GAEA PC-DARTS: epc_edarts/), file and line per value.
var presets = func() []spaces.Row {
	rows := []spaces.Row{
		{Key: "dataset", Value: "cifar10", Source: nbDARTS + "line 116: dset.CIFAR10(train=True)"},
		{Key: "channels", Value: 16, Source: nbDARTS + "line 35: --init_channels 16"},
		{Key: "cells", Value: 9, Source: nbDARTS + "line 36: --layers 9"},
		{Key: "with_none", Value: false, Source: spaces.RefNB1Shot1 + "optimizers/darts/genotypes.py lines 5-9: PRIMITIVES maxpool3x3, conv3x3-bn-relu, conv1x1-bn-relu (no none)"},
		{Key: "edge_weights", Value: true, Source: spaces.RefNB1Shot1 + "optimizers/darts/model_search.py lines 207-228: alphas_inputs and alphas_output, learned by every optimizer"},
		{Key: "nesterov", Value: false, Source: nbDARTS + "lines 109-113: torch.optim.SGD without nesterov"},
		{Key: "augment_arch", Value: true, Source: nbDARTS + "lines 115-130: valid_queue samples train_data, built with train_transform"},
		{Key: "schedule_offset", Value: 1, Source: nbDARTS + "line 138: scheduler.step() at the start of each epoch, so epoch e runs at the cosine's value of e+1"},
		{Key: "augment_valid", Value: true, Source: nbDARTS + "lines 115-130 and 165: the epoch's infer(valid_queue) sees train_data through train_transform"},
	}
	for _, a := range algoScripts {
		lines := scriptLines[a.script]
		rows = append(rows,
			spaces.Row{Algo: a.algo, Key: "level", Value: "bi", Source: a.script + lines["split"] + ": --train_portion 0.5, architecture batches from the second half"},
			spaces.Row{Algo: a.algo, Key: "batch", Value: 96, Source: a.script + lines["batch"] + ": --batch_size 96"},
			spaces.Row{Algo: a.algo, Key: "weight_lr", Value: 0.025, Source: a.script + lines["lr"] + ": --learning_rate 0.025"},
			spaces.Row{Algo: a.algo, Key: "weight_lr_min", Value: 0.001, Source: a.script + lines["lr_min"] + ": --learning_rate_min 0.001"},
			spaces.Row{Algo: a.algo, Key: "momentum", Value: 0.9, Source: a.script + lines["momentum"] + ": --momentum 0.9"},
			spaces.Row{Algo: a.algo, Key: "grad_clip", Value: 5.0, Source: a.script + lines["clip"] + ": --grad_clip 5"},
			spaces.Row{Algo: a.algo, Key: "weights_first", Value: false, Source: a.script + lines["order"] + ": architect.step before the weight step"},
			spaces.Row{Algo: a.algo, Key: "selection", Value: "final", Source: a.script + lines["eval"] + ": every epoch's architecture is evaluated in NAS-Bench-101; the search's answer is the last epoch's"},
		)
	}
	rows = append(rows,
		// Epochs and the cosine (CosineAnnealingLR(optimizer, epochs), so schedule_epochs = epochs).
		spaces.Row{Algo: "darts", Key: "epochs", Value: 50, Source: nbDARTS + "line 34: --epochs 50 (" + nbREADM + "--epochs=50)"},
		spaces.Row{Algo: "darts-v2", Key: "epochs", Value: 50, Source: nbDARTS + "line 34: --epochs 50"},
		spaces.Row{Algo: "euclid-darts", Key: "epochs", Value: 50, Source: nbED + "line 38: --epochs 50"},
		spaces.Row{Algo: "gaea-darts", Key: "epochs", Value: 50, Source: nbED + "line 38: --epochs 50"},
		spaces.Row{Algo: "pcdarts", Key: "epochs", Value: 50, Source: nbPC + "line 36 has --epochs 100 (its cluster_scripts/search_space_*/baseline_script.sh pass none); 50 as " + nbREADM + "--epochs=50 and the GAEA paper's NAS-Bench-1Shot1 comparison"},
		spaces.Row{Algo: "gaea-pcdarts", Key: "epochs", Value: 50, Source: nbEPC + "line 36 has --epochs 100; 50 as " + nbREADM + "--epochs=50 and the GAEA paper's NAS-Bench-1Shot1 comparison"},
		spaces.Row{Key: "schedule_epochs", Value: 50, Source: "= epochs: " + nbDARTS + "lines 132-133: CosineAnnealingLR(optimizer, float(args.epochs), eta_min=args.learning_rate_min)"},

		// Weight decay of the shared weights.
		spaces.Row{Algo: "darts", Key: "weight_decay", Value: 3e-4, Source: nbDARTS + "line 31: --weight_decay 3e-4"},
		spaces.Row{Algo: "darts-v2", Key: "weight_decay", Value: 3e-4, Source: nbDARTS + "line 31: --weight_decay 3e-4"},
		spaces.Row{Algo: "pcdarts", Key: "weight_decay", Value: 3e-4, Source: nbPC + "line 33: --weight_decay 3e-4"},
		spaces.Row{Algo: "gaea-pcdarts", Key: "weight_decay", Value: 3e-4, Source: nbEPC + "line 33: --weight_decay 3e-4"},
		spaces.Row{Algo: "gaea-darts", Key: "weight_decay", Value: 3e-3, Source: nbED + "line 35: --weight_decay 3e-3 (ten times the other scripts' 3e-4)"},
		spaces.Row{Algo: "euclid-darts", Key: "weight_decay", Value: 3e-3, Source: nbED + "line 35: --weight_decay 3e-3 (as gaea-darts)"},

		// The architecture step.
		spaces.Row{Algo: "darts", Key: "arch_lr", Value: 3e-4, Source: nbDARTS + "lines 47-48: --arch_learning_rate 3e-4, --arch_weight_decay 1e-3; optimizers/darts/architect.py lines 16-18: Adam, betas (0.5, 0.999), for alphas_mixed_op, alphas_output and alphas_inputs"},
		spaces.Row{Algo: "darts-v2", Key: "arch_lr", Value: 3e-4, Source: nbDARTS + "lines 47-48: --arch_learning_rate 3e-4, --arch_weight_decay 1e-3 (Adam, betas (0.5, 0.999))"},
		spaces.Row{Algo: "pcdarts", Key: "arch_lr", Value: 3e-4, Source: nbPC + "lines 49 and 51: --arch_learning_rate 3e-4, --arch_weight_decay 1e-3; line 21 takes optimizers/darts/architect.py (Adam, betas (0.5, 0.999), one rate for α and β)"},
		spaces.Row{Algo: "gaea-darts", Key: "arch_lr", Value: 0.1, Source: gaeaStepNotRecorded + grED + "arch_learning_rate: 0.1; β takes the same rate (" + grEED + "edge_learning_rate: 0.1)"},
		spaces.Row{Algo: "euclid-darts", Key: "arch_lr", Value: 0.1, Source: "as gaea-darts: " + gaeaStepNotRecorded + grED + "arch_learning_rate: 0.1"},
		spaces.Row{Algo: "gaea-pcdarts", Key: "arch_lr", Value: 0.1, Source: gaeaStepNotRecorded + grEED + "arch_learning_rate: 0.1 and edge_learning_rate: 0.1"},
		spaces.Row{Algo: "gaea-darts", Key: "arch_optimizer", Value: "exponentiated-gradient", Source: nbEArch + "lines 51-53, 92-93 and 108-109: p *= exp(-lr·grad), clamp ≥ 1e-5, renormalise, for the op weights and the edge and output weights alike"},
		spaces.Row{Algo: "gaea-pcdarts", Key: "arch_optimizer", Value: "exponentiated-gradient", Source: nbEArch + "(" + nbEPC + "line 22) lines 51-53, 92-93 and 108-109: p *= exp(-lr·grad), clamp ≥ 1e-5, renormalise, for the op weights and the edge and output weights alike"},
		spaces.Row{Algo: "darts", Key: "arch_optimizer", Value: "adam", Source: spaces.RefNB1Shot1 + "optimizers/darts/architect.py lines 16-18: Adam(lr 3e-4, betas (0.5, 0.999), weight_decay 1e-3) on every arch parameter; optimizers/darts/model_search.py lines 158-173: softmax per row"},
		spaces.Row{Algo: "darts-v2", Key: "arch_optimizer", Value: "adam", Source: spaces.RefNB1Shot1 + "optimizers/darts/architect.py lines 16-18: Adam(lr 3e-4, betas (0.5, 0.999), weight_decay 1e-3); softmax per row"},
		spaces.Row{Algo: "pcdarts", Key: "arch_optimizer", Value: "adam", Source: spaces.RefNB1Shot1 + "optimizers/darts/architect.py lines 16-18 (" + nbPC + "line 21): Adam(lr 3e-4, betas (0.5, 0.999), weight_decay 1e-3); softmax per row"},
		spaces.Row{Key: "entropy_reg", Value: 0.0, Source: nbEArch + "lines 114-118: the entropic term is computed, then the loss is recomputed without it"},
		spaces.Row{Key: "second_order", Value: false, Source: nbDARTS + "line 46: --unrolled defaults to False"},
		spaces.Row{Algo: "darts-v2", Key: "second_order", Value: true, Source: nbDARTS + "line 46: --unrolled (optimizers/darts/architect.py's unrolled step)"},

		// Partial channels and the warm-up.
		spaces.Row{Key: "partial_channels", Value: 0, Source: "all channels: " + spaces.RefNB1Shot1 + "optimizers/darts/model_search.py MixedOp"},
		spaces.Row{Algo: "pcdarts", Key: "partial_channels", Value: 4, Source: spaces.RefNB1Shot1 + "optimizers/pc_darts/model_search.py lines 36 and 45-51: ops on C // 4 channels, channel_shuffle(ans, 4)"},
		spaces.Row{Algo: "gaea-pcdarts", Key: "partial_channels", Value: 4, Source: spaces.RefNB1Shot1 + "optimizers/epc_edarts/model_search.py lines 26-52 (MixedOpPCDARTS: C // 4, channel_shuffle(ans, 4))"},
		spaces.Row{Key: "warmup_epochs", Value: 0, Source: nbDARTS + "line 52: --warm_start_epochs 0 (" + nbED + "line 59 and " + nbPC + "line 54: 0 too)"},
		spaces.Row{Algo: "gaea-pcdarts", Key: "warmup_epochs", Value: 10, Source: nbEPC + "lines 55-56 and 221: --warm_start_epochs 10, architect.step only from epoch 10"},

		// Quick: a small supernet on the embedded sample.
		spaces.Row{Preset: "quick", Key: "epochs", Value: 1, Source: "quick (CPU minutes)"},
		spaces.Row{Preset: "quick", Algo: "gaea-pcdarts", Key: "epochs", Value: 2, Source: "quick (CPU minutes; one warm-up epoch)"},
		spaces.Row{Preset: "quick", Key: "batch", Value: 16, Source: "quick (CPU minutes)"},
		spaces.Row{Preset: "quick", Key: "channels", Value: 4, Source: "quick (CPU minutes; divisible by partial_channels 4)"},
		spaces.Row{Preset: "quick", Key: "cells", Value: 3, Source: "quick (CPU minutes; one cell per stage)"},
		spaces.Row{Preset: "quick", Key: "subset", Value: 256, Source: "quick (CPU minutes)"},
	)
	return rows
}()

// scriptLines are the lines of each train_search.py that the rows cite.
var scriptLines = map[string]map[string]string{
	nbDARTS: {"batch": "line 27", "lr": "line 28", "lr_min": "line 29", "momentum": "line 30", "clip": "line 44",
		"split": "lines 45 and 120-130", "order": "lines 205-214", "eval": "lines 145-179"},
	nbPC: {"batch": "line 29", "lr": "line 30", "lr_min": "line 31", "momentum": "line 32", "clip": "line 46",
		"split": "lines 47 and 124-134", "order": "lines 220-229", "eval": "lines 148-187"},
	nbED: {"batch": "line 31", "lr": "line 32", "lr_min": "line 33", "momentum": "line 34", "clip": "line 49",
		"split": "lines 50 and 138-149", "order": "lines 238-247", "eval": "lines 165-205"},
	nbEPC: {"batch": "line 29", "lr": "line 30", "lr_min": "line 31", "momentum": "line 32", "clip": "line 47",
		"split": "lines 48 and 125-135", "order": "lines 221-230", "eval": "lines 149-188"},
}

var _ spaces.CellDrawer = (*Space)(nil)

// CellGraphs implements spaces.CellDrawer: the cell as the NAS-Bench-101 module it is evaluated as — the
// input, the choice nodes that reach the output labelled with their ops (NAS-Bench-101 puts the ops on
// the vertices), the output, and the edges between them; loose ends are dropped, as the reference's
// evaluation drops them (Cell.Spec), and named under the title.
func (s *Space) CellGraphs(g spaces.Genotype) ([]spaces.CellGraph, error) {
	c, err := s.ParseCell(g.String())
	if err != nil {
		return nil, err
	}
	sub := c.String()
	if loose := c.LooseEnds(); len(loose) > 0 {
		var names []string
		for _, v := range loose {
			names = append(names, strconv.Itoa(v))
		}
		sub += " (loose ends dropped: node " + strings.Join(names, ", ") + ")"
	}
	out := s.def.nodes + 1
	cg := spaces.CellGraph{Title: "NAS-Bench-1Shot1 space " + strconv.Itoa(s.number) + " cell as a NAS-Bench-101 module", Subtitle: sub}
	id := func(v int) string { return "v" + strconv.Itoa(v) }
	live := c.live()
	for v := 0; v <= out; v++ {
		if !live[v] {
			continue
		}
		n := spaces.GraphNode{ID: id(v), Label: strconv.Itoa(v) + "\n" + "input", Kind: spaces.InputNode}
		switch {
		case v == out:
			n.Label, n.Kind = "output", spaces.OutputNode
		case v > 0:
			n.Label, n.Kind = strconv.Itoa(v)+"\n"+c.Ops[v-1].String(), spaces.InnerNode
		}
		cg.Nodes = append(cg.Nodes, n)
	}
	for v := 1; v <= out; v++ {
		if !live[v] {
			continue
		}
		for _, p := range c.Parents[v-1] {
			cg.Edges = append(cg.Edges, spaces.GraphEdge{From: id(p), To: id(v), Row: -1})
		}
	}
	return []spaces.CellGraph{cg}, nil
}
