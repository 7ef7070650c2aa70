package experiment

import (
	"fmt"
	"math"
	"sort"
)

// The reference code the paper preset follows (read at these commits):
//
//	GR  = liamcli/gaea_release 16046156 (GAEA's official code; Hydra configs under configs/cnn/)
//	LA  = liamcli/AutoDL-Projects faae823c (GAEA's fork of AutoDL, used by GR for NAS-Bench-201)
//	DXY = D-X-Y/AutoDL-Projects f46486e2 (NAS-Bench-201's home: configs/nas-benchmark/algos/, exps/NAS-Bench-201-algos/)
//	QD  = quark0/darts f276dd34 (DARTS: cnn/train_search.py)
//	PC  = yuhuixu1993/PC-DARTS b74702f8 (PC-DARTS: train_search.py)
const (
	grNB201  = "liamcli/gaea_release configs/cnn/mode/search_nasbench201.yaml: "
	grPC     = "liamcli/gaea_release configs/cnn/mode/search_pcdarts.yaml: "
	grEDARTS = "liamcli/gaea_release configs/cnn/search_method/edarts/method_edarts_space_nasbench201.yaml: "
	grEED    = "liamcli/gaea_release configs/cnn/search_method/eedarts/method_eedarts_space_pcdarts.yaml: "
	grEGDAS  = "liamcli/gaea_release configs/cnn/search_method/egdas/method_egdas_space_nasbench201.yaml: "
	grREADME = "liamcli/gaea_release README.md: "
	grConfig = "liamcli/gaea_release configs/cnn/config.yaml: "
	grSGD    = "liamcli/gaea_release cnn/train_utils.py setup_optimizer: torch.optim.SGD without nesterov"
	grOrder  = "liamcli/gaea_release cnn/train_search.py: architect.step before the weight step"
	grSched  = "liamcli/gaea_release cnn/lr_schedulers.py CosinePowerAnnealing: epoch e uses last_epoch = e"
	dxyAlgo  = "D-X-Y/AutoDL-Projects configs/nas-benchmark/algos/"
	dxySh    = "D-X-Y/AutoDL-Projects scripts-search/NAS-Bench-201-algos/"
	dxyExps  = "D-X-Y/AutoDL-Projects exps/NAS-Bench-201-algos/"
	dxySched = "D-X-Y/AutoDL-Projects xautodl/procedures/optimizers.py: cosine of the current epoch, T_max = epochs"
	qd       = "quark0/darts cnn/train_search.py: "
	pc       = "yuhuixu1993/PC-DARTS train_search.py: "
)

// entry is one value of the preset table: the most specific matching entry of a key wins (preset over
// none, then algorithm over none, then space over none).
type entry struct {
	preset Preset // "" = every preset
	space  Space  // "" = every space
	algo   Algo   // "" = every algorithm
	key    string
	value  any
	source string
}

func (e entry) specificity() int {
	n := 0
	if e.preset != "" {
		n += 4
	}
	if e.algo != "" {
		n += 2
	}
	if e.space != "" {
		n++
	}
	return n
}

// paperTable is the reference protocol of each (space, algorithm): one row per value, with its source.
var paperTable = []entry{
	// Shared by every reference.
	{"", "", "", "momentum", 0.9, "every reference: SGD momentum 0.9 (" + grNB201 + "momentum; " + dxyAlgo + "DARTS.config: momentum; " + qd + "--momentum)"},
	{"", "", "", "grad_clip", 5.0, "every reference: clip_grad_norm 5 (" + grNB201 + "grad_clip; " + dxyExps + "GDAS.py; " + qd + "--grad_clip)"},
	{"", "", "", "nesterov", false, grSGD},
	{"", "", "", "weights_first", false, grOrder},
	{"", "", "", "augment_arch", true, "every reference search loader draws the architecture batches through the training transform (" +
		qd + "valid_queue samples train_data, built with train_transform; " + pc + "the same)"},
	{"", "", "", "schedule_offset", 0, grSched},
	{"", "", "", "second_order", false, "first-order gradient (" + qd + "--unrolled defaults to False)"},
	{"", "", "", "edge_weights", false, "no edge weights β outside PC-DARTS (quark0/darts cnn/model_search.py has alphas only)"},
	{"", "", "", "partial_channels", 0, "all channels outside PC-DARTS"},
	{"", "", "", "warmup_epochs", 0, "no warm-up (" + dxyAlgo + "DARTS.config: warmup 0)"},
	{"", "", "", "entropy_reg", 0.0, grEDARTS + "arch_weight_decay: 0.0"},
	{"", "", "", "tau_max", 0.0, "not a GDAS algorithm"},
	{"", "", "", "tau_min", 0.0, "not a GDAS algorithm"},
	{"", "", "", "candidates", 0, "not RS-WS"},
	{"", "", "", "valid_batch", 0, "not RS-WS"},
	{"", "", "", "subset", 0, "the whole data set"},

	// GAEA on NAS-Bench-201 (GR, mode search_nasbench201).
	{"", NB201, "", "dataset", "cifar10", grREADME + "NAS-Bench-201 search on CIFAR-10"},
	{"", NB201, "", "batch", 64, grNB201 + "batch_size: 64"},
	{"", NB201, "", "channels", 24, grNB201 + "init_channels: 24 (NAS-Bench-201 itself trains C=16)"},
	{"", NB201, "", "cells", 5, grNB201 + "layers: 5"},
	{"", NB201, "", "weight_lr", 0.025, grNB201 + "learning_rate: 0.025"},
	{"", NB201, "", "weight_lr_min", 0.001, grNB201 + "learning_rate_min: 0.001"},
	{"", NB201, "", "weight_decay", 3e-4, grNB201 + "weight_decay: 0.0003"},
	{"", NB201, "", "schedule_epochs", 50, grConfig + "scheduler_epochs: 50"},
	{"", NB201, "", "epochs", 25, grREADME + "run.epochs=25"},
	{"", NB201, "", "level", "single", grREADME + "search.single_level=true (ERM)"},
	{"", NB201, "", "with_none", false, grREADME + "search.exclude_zero=true (4 ops)"},
	{"", NB201, "", "arch_lr", 0.1, grEDARTS + "arch_learning_rate: 0.1"},

	// Euclidean ablation: GAEA DARTS's settings with a Euclidean step.
	{"", "", EuclidDARTS, "arch_lr", 0.1, grEDARTS + "arch_learning_rate: 0.1 with gd: true (the Euclidean ablation; gaeanas projects exactly onto the simplex where gaea_release clamps at 1e-5 and renormalises)"},

	// GAEA GDAS on NAS-Bench-201 (GR egdas). run.epochs and search.single_level have no README command.
	{"", "", GAEAGDAS, "epochs", 250, "not in liamcli/gaea_release (run.epochs is required on its command line and the README has no egdas command): the GDAS baseline's " + dxyAlgo + "GDAS.config: epochs 250"},
	{"", "", GAEAGDAS, "schedule_epochs", 250, "cosine over the run, as the GDAS baseline (" + dxySched + "); gaea_release's scheduler_epochs: 50 would restart the cosine every 50 epochs over 250"},
	{"", "", GAEAGDAS, "level", "bi", "not in liamcli/gaea_release (search.single_level is required on its command line): bilevel as the GDAS baseline (" + dxyExps + "GDAS.py)"},
	{"", "", GAEAGDAS, "with_none", true, grEGDAS + "exclude_zero: false"},
	{"", "", GAEAGDAS, "arch_lr", 0.01, grEGDAS + "arch_learning_rate: 0.01"},
	{"", "", GAEAGDAS, "entropy_reg", 0.01, grEGDAS + "arch_weight_decay: 0.01 (λ·Σθ log(Kθ))"},
	{"", "", GAEAGDAS, "warmup_epochs", 50, grEGDAS + "warmup_epochs: 50"},
	{"", "", GAEAGDAS, "tau_max", 10.0, grEGDAS + "max_tau: 10"},
	{"", "", GAEAGDAS, "tau_min", 0.1, grEGDAS + "min_tau: 0.1"},

	// NAS-Bench-201 paper baselines (DXY).
	{"", NB201, DARTSV1, "epochs", 50, dxyAlgo + "DARTS.config: epochs 50"},
	{"", NB201, DARTSV2, "epochs", 50, dxyAlgo + "DARTS.config: epochs 50"},
	{"", NB201, GDAS, "epochs", 250, dxyAlgo + "GDAS.config: epochs 250"},
	{"", NB201, RSWS, "epochs", 250, dxyAlgo + "RANDOM.config: epochs 250"},
	{"", NB201, DARTSV1, "schedule_epochs", 50, dxySched},
	{"", NB201, DARTSV2, "schedule_epochs", 50, dxySched},
	{"", NB201, GDAS, "schedule_epochs", 250, dxySched},
	{"", NB201, RSWS, "schedule_epochs", 250, dxySched},
	{"", NB201, DARTSV1, "channels", 16, dxySh + "DARTS-V1.sh: channel=16"},
	{"", NB201, DARTSV2, "channels", 16, dxySh + "DARTS-V2.sh: channel=16"},
	{"", NB201, GDAS, "channels", 16, dxySh + "GDAS.sh: channel=16"},
	{"", NB201, RSWS, "channels", 16, dxySh + "RANDOM-NAS.sh: channel=16"},
	{"", NB201, DARTSV1, "nesterov", true, dxyAlgo + "DARTS.config: nesterov 1"},
	{"", NB201, DARTSV2, "nesterov", true, dxyAlgo + "DARTS.config: nesterov 1"},
	{"", NB201, GDAS, "nesterov", true, dxyAlgo + "GDAS.config: nesterov 1"},
	{"", NB201, RSWS, "nesterov", true, dxyAlgo + "RANDOM.config: nesterov 1"},
	{"", NB201, DARTSV1, "weight_decay", 5e-4, dxyAlgo + "DARTS.config: decay 0.0005"},
	{"", NB201, DARTSV2, "weight_decay", 5e-4, dxyAlgo + "DARTS.config: decay 0.0005"},
	{"", NB201, GDAS, "weight_decay", 5e-4, dxyAlgo + "GDAS.config: decay 0.0005"},
	{"", NB201, RSWS, "weight_decay", 5e-4, dxyAlgo + "RANDOM.config: decay 0.0005"},
	{"", NB201, DARTSV1, "schedule_offset", 0, dxySched},
	{"", NB201, DARTSV2, "schedule_offset", 0, dxySched},
	{"", NB201, GDAS, "schedule_offset", 0, dxySched},
	{"", NB201, RSWS, "schedule_offset", 0, dxySched},
	{"", NB201, DARTSV1, "weights_first", true, dxyExps + "DARTS-V1.py search_func: weight step, then architecture step"},
	{"", NB201, GDAS, "weights_first", true, dxyExps + "GDAS.py search_func: weight step, then architecture step"},
	{"", "", DARTSV1, "level", "bi", dxyExps + "DARTS-V1.py: architecture batches from the valid split (cifar-split.txt)"},
	{"", "", DARTSV2, "level", "bi", dxyExps + "DARTS-V2.py: architecture batches from the valid split"},
	{"", "", GDAS, "level", "bi", dxyExps + "GDAS.py: architecture batches from the valid split"},
	{"", "", RSWS, "level", "bi", dxyExps + "RANDOM-NAS.py: weights on the train split, candidates scored on the valid split"},
	{"", "", EuclidDARTS, "level", "single", "as GAEA DARTS (" + grREADME + "search.single_level=true), for a same-budget comparison of the two geometries"},
	{"", NB201, DARTSV1, "with_none", true, dxySh + "DARTS-V1.sh: space=nas-bench-201 (5 ops)"},
	{"", NB201, DARTSV2, "with_none", true, dxySh + "DARTS-V2.sh: space=nas-bench-201 (5 ops)"},
	{"", NB201, GDAS, "with_none", true, dxySh + "GDAS.sh: space=nas-bench-201 (5 ops)"},
	{"", NB201, RSWS, "with_none", true, dxySh + "RANDOM-NAS.sh: space=nas-bench-201 (5 ops)"},
	{"", "", DARTSV1, "arch_lr", 3e-4, dxySh + "DARTS-V1.sh: --arch_learning_rate 0.0003 (Adam, betas 0.5/0.999, wd 1e-3)"},
	{"", "", DARTSV2, "arch_lr", 3e-4, dxySh + "DARTS-V2.sh: --arch_learning_rate 0.0003 (Adam, betas 0.5/0.999, wd 1e-3)"},
	{"", "", DARTSV2, "second_order", true, dxyExps + "DARTS-V2.py: unrolled gradient (arch step first)"},
	{"", "", GDAS, "arch_lr", 3e-4, dxySh + "GDAS.sh: --arch_learning_rate 0.0003 (Adam, betas 0.5/0.999, wd 1e-3)"},
	{"", "", GDAS, "tau_max", 10.0, dxySh + "GDAS.sh: --tau_max 10"},
	{"", "", GDAS, "tau_min", 0.1, dxySh + "GDAS.sh: --tau_min 0.1"},
	{"", "", RSWS, "arch_lr", 0.0, "no architecture step (" + dxyExps + "RANDOM-NAS.py)"},
	{"", "", RSWS, "candidates", 100, dxySh + "RANDOM-NAS.sh: --select_num 100"},
	{"", "", RSWS, "valid_batch", 512, dxyAlgo + "RANDOM.config: test_batch_size 512 (one batch per candidate, search_find_best)"},

	// The DARTS space: quark0/darts for DARTS, PC-DARTS and GAEA PC-DARTS their own.
	{"", DARTS, "", "dataset", "cifar10", qd + "CIFAR-10"},
	{"", DARTS, "", "level", "bi", qd + "--train_portion 0.5 (architecture batches from the second half)"},
	{"", DARTS, "", "epochs", 50, qd + "--epochs 50"},
	{"", DARTS, "", "schedule_epochs", 50, qd + "CosineAnnealingLR(optimizer, epochs)"},
	{"", DARTS, "", "schedule_offset", 1, qd + "scheduler.step() at the start of each epoch, so epoch e runs at the cosine's value of e+1"},
	{"", DARTS, "", "batch", 64, qd + "--batch_size 64"},
	{"", DARTS, "", "channels", 16, qd + "--init_channels 16"},
	{"", DARTS, "", "cells", 8, qd + "--layers 8"},
	{"", DARTS, "", "with_none", true, "quark0/darts cnn/genotypes.py PRIMITIVES (8 ops with none)"},
	{"", DARTS, "", "weight_lr", 0.025, qd + "--learning_rate 0.025"},
	{"", DARTS, "", "weight_lr_min", 0.001, qd + "--learning_rate_min 0.001"},
	{"", DARTS, "", "weight_decay", 3e-4, qd + "--weight_decay 3e-4"},
	{"", DARTS, "", "arch_lr", 3e-4, qd + "--arch_learning_rate 3e-4 (Adam, betas 0.5/0.999, wd 1e-3)"},
	{"", DARTS, GAEADARTS, "arch_lr", 0.1, "no gaea_release config for EG without partial channels: quark0/darts settings with GAEA's step " + grEED + "arch_learning_rate: 0.1"},
	{"", DARTS, EuclidDARTS, "arch_lr", 0.1, "as gaea-darts on the darts space"},
	{"", DARTS, GAEADARTS, "level", "bi", qd + "--train_portion 0.5"},
	{"", DARTS, EuclidDARTS, "level", "bi", qd + "--train_portion 0.5"},

	{"", DARTS, GAEAPCDARTS, "epochs", 50, grREADME + "run.epochs=50"},
	{"", DARTS, GAEAPCDARTS, "schedule_epochs", 50, grConfig + "scheduler_epochs: 50"},
	{"", DARTS, GAEAPCDARTS, "schedule_offset", 0, grSched},
	{"", DARTS, GAEAPCDARTS, "level", "bi", grREADME + "search.single_level=false (" + grEED + "train_portion: 0.5)"},
	{"", DARTS, GAEAPCDARTS, "batch", 256, grPC + "batch_size: 256"},
	{"", DARTS, GAEAPCDARTS, "weight_lr", 0.1, grPC + "learning_rate: 0.1"},
	{"", DARTS, GAEAPCDARTS, "weight_lr_min", 0.0, grPC + "learning_rate_min: 0.0"},
	{"", DARTS, GAEAPCDARTS, "weight_decay", 3e-4, grPC + "weight_decay: 0.0003"},
	{"", DARTS, GAEAPCDARTS, "channels", 16, grPC + "init_channels: 16"},
	{"", DARTS, GAEAPCDARTS, "cells", 8, grPC + "layers: 8"},
	{"", DARTS, GAEAPCDARTS, "with_none", true, grREADME + "search.exclude_zero=false (8 ops)"},
	{"", DARTS, GAEAPCDARTS, "arch_lr", 0.1, grEED + "arch_learning_rate: 0.1 (and edge_learning_rate: 0.1 for β)"},
	{"", DARTS, GAEAPCDARTS, "edge_weights", true, grEED + "learn_edges: true"},
	{"", DARTS, GAEAPCDARTS, "partial_channels", 4, "liamcli/gaea_release cnn/search_spaces/pc_darts/model_search.py: C // 4, channel_shuffle(ans, 4)"},
	{"", DARTS, GAEAPCDARTS, "warmup_epochs", 0, "liamcli/gaea_release cnn/train_search.py: architect.step from the first epoch (no warm-up)"},

	{"", DARTS, PCDARTS, "epochs", 50, pc + "--epochs 50"},
	{"", DARTS, PCDARTS, "schedule_epochs", 50, pc + "CosineAnnealingLR(optimizer, epochs)"},
	{"", DARTS, PCDARTS, "schedule_offset", 1, pc + "scheduler.step() at the start of each epoch"},
	{"", DARTS, PCDARTS, "batch", 256, pc + "--batch_size 256"},
	{"", DARTS, PCDARTS, "weight_lr", 0.1, pc + "--learning_rate 0.1"},
	{"", DARTS, PCDARTS, "weight_lr_min", 0.0, pc + "--learning_rate_min 0.0"},
	{"", DARTS, PCDARTS, "weight_decay", 3e-4, pc + "--weight_decay 3e-4"},
	{"", DARTS, PCDARTS, "arch_lr", 6e-4, pc + "--arch_learning_rate 6e-4 (Adam, betas 0.5/0.999, wd 1e-3, for α and β)"},
	{"", DARTS, PCDARTS, "edge_weights", true, "yuhuixu1993/PC-DARTS model_search.py: betas_normal/betas_reduce, softmax per node"},
	{"", DARTS, PCDARTS, "partial_channels", 4, "yuhuixu1993/PC-DARTS model_search.py: self.k = 4"},
	{"", DARTS, PCDARTS, "warmup_epochs", 15, pc + "if epoch >= 15: architect.step(...)"},

	// The teaching space has no reference: sizes of its own, the algorithm values as on NAS-Bench-201.
	{"", Tiny, "", "dataset", "cifar10-sample", "teaching space: the embedded CIFAR-10 sample"},
	{"", Tiny, "", "epochs", 10, "teaching space (gaeanas)"},
	{"", Tiny, "", "schedule_epochs", 10, "teaching space (gaeanas)"},
	{"", Tiny, "", "batch", 64, "teaching space (gaeanas)"},
	{"", Tiny, "", "channels", 16, "teaching space (gaeanas)"},
	{"", Tiny, "", "cells", 2, "teaching space (gaeanas)"},
	{"", Tiny, "", "with_none", false, "teaching space: its ops have no none"},
	{"", Tiny, "", "weight_lr", 0.05, "teaching space (gaeanas)"},
	{"", Tiny, "", "weight_lr_min", 0.001, "teaching space (gaeanas)"},
	{"", Tiny, "", "weight_decay", 3e-4, "teaching space (gaeanas)"},
	{"", Tiny, "", "arch_lr", 0.1, grEDARTS + "arch_learning_rate: 0.1"},
	{"", Tiny, "", "level", "single", grREADME + "search.single_level=true"},
}

// quickTable makes the quick preset: the paper values, with a small supernet on a small sample so a
// search takes minutes on a CPU. Epoch-valued keys (schedule_epochs, warmup_epochs) keep the paper's
// ratio to epochs (scaled in Defaults).
var quickTable = []entry{
	{Quick, "", "", "dataset", "cifar10-sample", "quick: the CIFAR-10 sample embedded in the module (no download)"},
	{Quick, "", "", "subset", 1000, "quick: the first 1,000 images of each split"},
	{Quick, NB201, "", "epochs", 3, "quick (CPU minutes)"},
	{Quick, NB201, "", "batch", 32, "quick (CPU minutes)"},
	{Quick, NB201, "", "channels", 8, "quick (CPU minutes)"},
	{Quick, NB201, "", "cells", 1, "quick (CPU minutes)"},
	{Quick, "", GAEAGDAS, "epochs", 5, "quick (CPU minutes)"},
	{Quick, "", GDAS, "epochs", 5, "quick (CPU minutes)"},
	{Quick, "", RSWS, "epochs", 5, "quick (CPU minutes)"},
	{Quick, "", RSWS, "candidates", 20, "quick (CPU minutes)"},
	{Quick, "", RSWS, "valid_batch", 64, "quick (CPU minutes)"},
	{Quick, DARTS, "", "epochs", 1, "quick (CPU minutes)"},
	{Quick, DARTS, "", "batch", 16, "quick (CPU minutes)"},
	{Quick, DARTS, "", "channels", 4, "quick (CPU minutes)"},
	{Quick, DARTS, "", "cells", 3, "quick (CPU minutes)"},
	{Quick, DARTS, "", "subset", 256, "quick (CPU minutes)"},
	{Quick, DARTS, PCDARTS, "epochs", 2, "quick (CPU minutes; one warm-up epoch)"},
	{Quick, Tiny, "", "epochs", 2, "quick (CPU minutes)"},
	{Quick, Tiny, "", "batch", 32, "quick (CPU minutes)"},
	{Quick, Tiny, "", "channels", 8, "quick (CPU minutes)"},
	{Quick, Tiny, "", "cells", 1, "quick (CPU minutes)"},
}

// Defaults returns the settings of a preset for a space and an algorithm, every value with its source
// (Settings.Sources). Dataset "" keeps the preset's data set. The returned settings are valid; a caller
// that changes values should call Validate again.
func Defaults(preset Preset, space Space, algo Algo, dataset string) (Settings, error) {
	s := Settings{Space: space, Algo: algo, Preset: preset, Seed: 1, ArchOptimizer: algo.ArchOptimizer()}
	if !contains(Spaces(), space) {
		return s, fmt.Errorf("space %q: want one of %s", space, joinNames(Spaces()))
	}
	if !contains(Algos(), algo) {
		return s, fmt.Errorf("algo %q: want one of %s", algo, joinNames(Algos()))
	}
	if preset != Quick && preset != Paper {
		return s, fmt.Errorf("preset %q: want quick or paper", preset)
	}
	paper, err := resolve(paperTable, Paper, space, algo)
	if err != nil {
		return s, err
	}
	for _, key := range sortedKeys(paper) {
		if err := s.Set(key, paper[key].value, paper[key].source); err != nil {
			return s, err
		}
	}
	if preset == Quick {
		quick, err := resolve(quickTable, Quick, space, algo)
		if err != nil {
			return s, err
		}
		paperEpochs := s.Epochs
		for _, key := range sortedKeys(quick) {
			if err := s.Set(key, quick[key].value, quick[key].source); err != nil {
				return s, err
			}
		}
		// Epoch-valued keys keep the paper's ratio to the number of epochs.
		scale := func(v int) int { return int(math.Round(float64(v) * float64(s.Epochs) / float64(paperEpochs))) }
		if s.ScheduleEpochs != paperEpochs {
			s.ScheduleEpochs = max(s.Epochs, scale(s.ScheduleEpochs))
			s.Sources["schedule_epochs"] = fmt.Sprintf("quick: the paper's ratio schedule_epochs/epochs (%s)", paper["schedule_epochs"].source)
		} else {
			s.ScheduleEpochs = s.Epochs
			s.Sources["schedule_epochs"] = "quick: = epochs, as the paper"
		}
		if s.WarmupEpochs > 0 {
			s.WarmupEpochs = min(s.Epochs-1, max(1, scale(s.WarmupEpochs)))
			s.Sources["warmup_epochs"] = fmt.Sprintf("quick: the paper's ratio warmup_epochs/epochs (%s)", paper["warmup_epochs"].source)
		}
	}
	s.ArchOptimizer = algo.ArchOptimizer()
	s.Sources["arch_optimizer"] = archOptimizerSource(algo)
	s.Sources["algo"], s.Sources["space"], s.Sources["preset"] = "chosen", "chosen", "chosen"
	if dataset != "" && dataset != s.Dataset {
		if err := s.Set("dataset", dataset, "command line"); err != nil {
			return s, err
		}
	}
	if err := s.fillImages(); err != nil {
		return s, err
	}
	return s, s.Validate()
}

// resolve picks, for every key, the most specific entry of the table that matches.
func resolve(table []entry, preset Preset, space Space, algo Algo) (map[string]entry, error) {
	best := map[string]entry{}
	for _, e := range table {
		if (e.preset != "" && e.preset != preset) || (e.space != "" && e.space != space) || (e.algo != "" && e.algo != algo) {
			continue
		}
		if _, ok := fields[e.key]; !ok {
			return nil, fmt.Errorf("experiment: preset table: unknown key %q", e.key)
		}
		if old, ok := best[e.key]; ok {
			if old.specificity() == e.specificity() {
				return nil, fmt.Errorf("experiment: preset table: two entries for %s at the same level (%s/%s)", e.key, space, algo)
			}
			if old.specificity() > e.specificity() {
				continue
			}
		}
		best[e.key] = e
	}
	return best, nil
}

func sortedKeys(m map[string]entry) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func archOptimizerSource(a Algo) string {
	if a == GAEAGDAS {
		return "liamcli/gaea_release cnn/architect/architect_egdas.py: p *= exp(-lr·grad) on the loss with the entropic regulariser, then normalize: divide by the row sum, clamp ≥ 1e-5 (gaeanas clamps, then renormalises: README)"
	}
	switch a.ArchOptimizer() {
	case "exponentiated-gradient":
		return "liamcli/gaea_release cnn/architect/architect_edarts.py: p *= exp(-lr·grad), clamp ≥ 1e-5, renormalise (gd: false)"
	case "projected-gradient":
		return "the Euclidean ablation: gradient step, then Euclidean projection onto the simplex"
	case "none":
		return "random search with weight sharing has no architecture step"
	}
	return "Adam(betas (0.5, 0.999), weight decay 1e-3) on α, mixture softmax(α) (quark0/darts cnn/architect.py)"
}
