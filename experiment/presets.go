package experiment

import (
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/gaeanas/gaeanas/setting"
	"github.com/gaeanas/gaeanas/spaces"
)

// The reference files the algorithms' rows cite (the commits are listed at spaces.RefGAEA).
const (
	grNB201  = spaces.RefGAEA + "configs/cnn/mode/search_nasbench201.yaml: "
	grEDARTS = spaces.RefGAEA + "configs/cnn/search_method/edarts/method_edarts_space_nasbench201.yaml: "
	grEGDAS  = spaces.RefGAEA + "configs/cnn/search_method/egdas/method_egdas_space_nasbench201.yaml: "
	grREADME = spaces.RefGAEA + "README.md: "
	grSGD    = spaces.RefGAEA + "cnn/train_utils.py setup_optimizer: torch.optim.SGD without nesterov"
	grOrder  = spaces.RefGAEA + "cnn/train_search.py: architect.step before the weight step"
	grSched  = spaces.RefGAEA + "cnn/lr_schedulers.py CosinePowerAnnealing: epoch e uses last_epoch = e"
	grBest   = spaces.RefGAEA + "cnn/train_search.py lines 160–171 and 186–195: a bilevel search keeps the genotype of the epoch with the best supernet validation accuracy"
	dxyAlgo  = spaces.RefAutoDL + "configs/nas-benchmark/algos/"
	dxySh    = spaces.RefAutoDL + "scripts-search/NAS-Bench-201-algos/"
	dxyExps  = spaces.RefAutoDL + "exps/NAS-Bench-201-algos/"
	dxySched = spaces.RefAutoDL + "xautodl/procedures/optimizers.py: cosine of the current epoch, T_max = epochs"
	qd       = spaces.RefDARTS + "cnn/train_search.py: "
	pc       = spaces.RefPCDARTS + "train_search.py: "
)

// The preset table is the rows below (the algorithms', on every space) and the rows of each registered
// space (spaces.Descriptor.Presets). For a preset, space and algorithm, every key takes the value of
// its most specific matching row: a row for the preset beats one for every preset, then a row for the
// algorithm beats one for every algorithm, then a row of the space beats one of the algorithms' table.
type entry struct {
	space string // "" = the algorithms' table
	spaces.Row
}

func (e entry) specificity() int {
	n := 0
	if e.Preset != "" {
		n += 4
	}
	if e.Algo != "" {
		n += 2
	}
	if e.space != "" {
		n++
	}
	return n
}

// runKeys are keys of the table that are no settings: what the run derives from the space and the
// algorithm (RunValue), not written to settings.json.
var runKeys = []string{"selection", "augment_valid"}

// paperTable is the algorithms' part of the reference protocols, on every space: one row per value, with
// its source. The spaces add their own rows (spaces.Descriptor.Presets).
var paperTable = []spaces.Row{
	// Shared by every reference.
	{Key: "momentum", Value: 0.9, Source: "every reference: SGD momentum 0.9 (" + grNB201 + "momentum; " + dxyAlgo + "DARTS.config: momentum; " + qd + "--momentum)"},
	{Key: "grad_clip", Value: 5.0, Source: "every reference: clip_grad_norm 5 (" + grNB201 + "grad_clip; " + dxyExps + "GDAS.py; " + qd + "--grad_clip)"},
	{Key: "nesterov", Value: false, Source: grSGD},
	{Key: "weights_first", Value: false, Source: grOrder},
	{Key: "augment_arch", Value: true, Source: "every reference search loader draws the architecture batches through the training transform (" +
		qd + "valid_queue samples train_data, built with train_transform; " + pc + "the same)"},
	{Key: "schedule_offset", Value: 0, Source: grSched},
	{Key: "second_order", Value: false, Source: "first-order gradient (" + qd + "--unrolled defaults to False)"},
	{Key: "edge_weights", Value: false, Source: "no edge weights β outside PC-DARTS (quark0/darts cnn/model_search.py has alphas only)"},
	{Key: "partial_channels", Value: 0, Source: "all channels outside PC-DARTS"},
	{Key: "warmup_epochs", Value: 0, Source: "no warm-up (" + dxyAlgo + "DARTS.config: warmup 0)"},
	{Key: "entropy_reg", Value: 0.0, Source: grEDARTS + "arch_weight_decay: 0.0"},
	{Key: "tau_max", Value: 0.0, Source: "not a GDAS algorithm"},
	{Key: "tau_min", Value: 0.0, Source: "not a GDAS algorithm"},
	{Key: "candidates", Value: 0, Source: "not RS-WS"},
	{Key: "valid_batch", Value: 0, Source: "not RS-WS"},
	{Key: "subset", Value: 0, Source: "the whole data set"},

	// Euclidean ablation: GAEA DARTS's settings with a Euclidean step.
	{Algo: string(EuclidDARTS), Key: "arch_lr", Value: 0.1, Source: grEDARTS + "arch_learning_rate: 0.1 with gd: true (the Euclidean ablation; gaeanas projects exactly onto the simplex where gaea_release clamps at 1e-5 and renormalises)"},

	// GAEA GDAS on NAS-Bench-201 (GR egdas). run.epochs and search.single_level have no README command.
	{Algo: string(GAEAGDAS), Key: "epochs", Value: 250, Source: "not in liamcli/gaea_release (run.epochs is required on its command line and the README has no egdas command): the GDAS baseline's " + dxyAlgo + "GDAS.config: epochs 250"},
	{Algo: string(GAEAGDAS), Key: "schedule_epochs", Value: 250, Source: "cosine over the run, as the GDAS baseline (" + dxySched + "); gaea_release's scheduler_epochs: 50 would restart the cosine every 50 epochs over 250"},
	{Algo: string(GAEAGDAS), Key: "level", Value: "bi", Source: "not in liamcli/gaea_release (search.single_level is required on its command line): bilevel as the GDAS baseline (" + dxyExps + "GDAS.py)"},
	{Algo: string(GAEAGDAS), Key: "with_none", Value: true, Source: grEGDAS + "exclude_zero: false"},
	{Algo: string(GAEAGDAS), Key: "arch_lr", Value: 0.01, Source: grEGDAS + "arch_learning_rate: 0.01"},
	{Algo: string(GAEAGDAS), Key: "entropy_reg", Value: 0.01, Source: grEGDAS + "arch_weight_decay: 0.01 (λ·Σθ log(Kθ))"},
	{Algo: string(GAEAGDAS), Key: "warmup_epochs", Value: 50, Source: grEGDAS + "warmup_epochs: 50"},
	{Algo: string(GAEAGDAS), Key: "tau_max", Value: 10.0, Source: grEGDAS + "max_tau: 10"},
	{Algo: string(GAEAGDAS), Key: "tau_min", Value: 0.1, Source: grEGDAS + "min_tau: 0.1"},

	// NAS-Bench-201 paper baselines (DXY).
	{Algo: string(DARTSV1), Key: "level", Value: "bi", Source: dxyExps + "DARTS-V1.py: architecture batches from the valid split (cifar-split.txt)"},
	{Algo: string(DARTSV2), Key: "level", Value: "bi", Source: dxyExps + "DARTS-V2.py: architecture batches from the valid split"},
	{Algo: string(GDAS), Key: "level", Value: "bi", Source: dxyExps + "GDAS.py: architecture batches from the valid split"},
	{Algo: string(RSWS), Key: "level", Value: "bi", Source: dxyExps + "RANDOM-NAS.py: weights on the train split, candidates scored on the valid split"},
	{Algo: string(EuclidDARTS), Key: "level", Value: "single", Source: "as GAEA DARTS (" + grREADME + "search.single_level=true), for a same-budget comparison of the two geometries"},
	{Algo: string(DARTSV1), Key: "arch_lr", Value: 3e-4, Source: dxySh + "DARTS-V1.sh: --arch_learning_rate 0.0003 (Adam, betas 0.5/0.999, wd 1e-3)"},
	{Algo: string(DARTSV2), Key: "arch_lr", Value: 3e-4, Source: dxySh + "DARTS-V2.sh: --arch_learning_rate 0.0003 (Adam, betas 0.5/0.999, wd 1e-3)"},
	{Algo: string(DARTSV2), Key: "second_order", Value: true, Source: dxyExps + "DARTS-V2.py: unrolled gradient (arch step first)"},
	{Algo: string(GDAS), Key: "arch_lr", Value: 3e-4, Source: dxySh + "GDAS.sh: --arch_learning_rate 0.0003 (Adam, betas 0.5/0.999, wd 1e-3)"},
	{Algo: string(GDAS), Key: "tau_max", Value: 10.0, Source: dxySh + "GDAS.sh: --tau_max 10"},
	{Algo: string(GDAS), Key: "tau_min", Value: 0.1, Source: dxySh + "GDAS.sh: --tau_min 0.1"},
	{Algo: string(RSWS), Key: "arch_lr", Value: 0.0, Source: "no architecture step (" + dxyExps + "RANDOM-NAS.py)"},
	{Algo: string(RSWS), Key: "candidates", Value: 100, Source: dxySh + "RANDOM-NAS.sh: --select_num 100"},
	{Algo: string(RSWS), Key: "valid_batch", Value: 512, Source: dxyAlgo + "RANDOM.config: test_batch_size 512 (one batch per candidate, search_find_best)"},

	// What a search returns (the run key "selection", Result.Selection): best.go.
	{Key: "selection", Value: SelectFinal, Source: qd + "the genotype of the last epoch"},
	{Algo: string(PCDARTS), Key: "selection", Value: SelectFinal, Source: pc + "the genotype of the last epoch"},
	{Algo: string(RSWS), Key: "selection", Value: SelectCandidates, Source: dxyExps + "RANDOM-NAS.py: search_find_best over --select_num random cells after the last epoch"},
	{Algo: string(GAEADARTS), Key: "selection", Value: SelectBestValid, Source: grBest},
	{Algo: string(GAEAGDAS), Key: "selection", Value: SelectBestValid, Source: grBest},
	{Algo: string(GAEAPCDARTS), Key: "selection", Value: SelectBestValid, Source: grBest},
	{Algo: string(EuclidDARTS), Key: "selection", Value: SelectBestValid, Source: grBest},
	// How the supernet's validation after each epoch sees its images (the run key "augment_valid").
	{Key: "augment_valid", Value: false, Source: spaces.RefAutoDL + "get_nas_search_loaders: the valid loader takes the test transform (normalisation only)"},
}

// quickTable is the algorithms' part of the quick preset: the paper values, with a small supernet on a
// small sample so a search takes minutes on a CPU (the spaces add their sizes). Epoch-valued keys (schedule_epochs, warmup_epochs) keep the paper's
// ratio to epochs (scaled in Defaults).
var quickTable = []spaces.Row{
	{Preset: string(Quick), Key: "dataset", Value: "cifar10-sample", Source: "quick: the CIFAR-10 sample embedded in the module (no download)"},
	{Preset: string(Quick), Key: "subset", Value: 1000, Source: "quick: the first 1,000 images of each split"},
	{Preset: string(Quick), Algo: string(GAEAGDAS), Key: "epochs", Value: 5, Source: "quick (CPU minutes)"},
	{Preset: string(Quick), Algo: string(GDAS), Key: "epochs", Value: 5, Source: "quick (CPU minutes)"},
	{Preset: string(Quick), Algo: string(RSWS), Key: "epochs", Value: 5, Source: "quick (CPU minutes)"},
	{Preset: string(Quick), Algo: string(RSWS), Key: "candidates", Value: 20, Source: "quick (CPU minutes)"},
	{Preset: string(Quick), Algo: string(RSWS), Key: "valid_batch", Value: 64, Source: "quick (CPU minutes)"},
}

// Defaults returns the settings of a preset for a space and an algorithm, every value with its source
// (Settings.Sources). Dataset "" keeps the preset's data set. The returned settings are valid; a caller
// that changes values should call Validate again.
func Defaults(preset Preset, space string, algo Algo, dataset string) (Settings, error) {
	s := Settings{Space: space, Algo: algo, Preset: preset, Seed: 1, ArchOptimizer: algo.ArchOptimizer()}
	d, err := s.Descriptor()
	if err != nil {
		return s, err
	}
	if !contains(Algos(), algo) {
		return s, setting.Errorf("algo", "%q: want one of %s", algo, joinNames(Algos()))
	}
	if preset != Quick && preset != Paper {
		return s, setting.Errorf("preset", "%q: want quick or paper", preset)
	}
	paper, err := resolve(d, Paper, algo)
	if err != nil {
		return s, err
	}
	for _, key := range sortedKeys(paper) {
		if err := s.Set(key, paper[key].Value, paper[key].Source); err != nil {
			return s, err
		}
	}
	if preset == Quick {
		quick, err := resolve(d, Quick, algo)
		if err != nil {
			return s, err
		}
		paperEpochs := s.Epochs
		for _, key := range sortedKeys(quick) {
			if err := s.Set(key, quick[key].Value, quick[key].Source); err != nil {
				return s, err
			}
		}
		// Epoch-valued keys keep the paper's ratio to the number of epochs.
		scale := func(v int) int { return int(math.Round(float64(v) * float64(s.Epochs) / float64(paperEpochs))) }
		if s.ScheduleEpochs != paperEpochs {
			s.ScheduleEpochs = max(s.Epochs, scale(s.ScheduleEpochs))
			s.Sources["schedule_epochs"] = fmt.Sprintf("quick: the paper's ratio schedule_epochs/epochs (%s)", paper["schedule_epochs"].Source)
		} else {
			s.ScheduleEpochs = s.Epochs
			s.Sources["schedule_epochs"] = "quick: = epochs, as the paper"
		}
		if s.WarmupEpochs > 0 {
			s.WarmupEpochs = min(s.Epochs-1, max(1, scale(s.WarmupEpochs)))
			s.Sources["warmup_epochs"] = fmt.Sprintf("quick: the paper's ratio warmup_epochs/epochs (%s)", paper["warmup_epochs"].Source)
		}
	}
	s.ArchOptimizer = algo.ArchOptimizer()
	s.Sources["arch_optimizer"] = archOptimizerSource(algo)
	if e, ok := paper["arch_optimizer"]; ok && e.space != "" && e.Value == s.ArchOptimizer {
		s.Sources["arch_optimizer"] = e.Source // the space's own reference for the algorithm's update
	}
	s.Sources["algo"], s.Sources["space"], s.Sources["preset"] = "chosen", "chosen", "chosen"
	if dataset != "" && dataset != s.Dataset {
		if err := s.Set("dataset", dataset, setting.CommandLine); err != nil {
			return s, err
		}
	}
	if err := s.fillImages(); err != nil {
		return s, err
	}
	return s, s.Validate()
}

// resolve picks, for every key, the most specific row of the preset's table (paper: the rows for every
// preset; quick: the quick rows) that matches the space and the algorithm.
func resolve(d *spaces.Descriptor, preset Preset, algo Algo) (map[string]entry, error) {
	var table []entry
	for _, r := range paperTable {
		table = append(table, entry{Row: r})
	}
	for _, r := range quickTable {
		table = append(table, entry{Row: r})
	}
	for _, r := range d.Presets {
		table = append(table, entry{space: d.Name, Row: r})
	}
	best := map[string]entry{}
	for _, e := range table {
		p := Preset(e.Preset)
		if p == "" {
			p = Paper // the rows for every preset are the paper's; quick overrides some of them
		}
		if p != preset || (e.Algo != "" && e.Algo != string(algo)) {
			continue
		}
		if _, ok := Table.Decl(e.Key); !ok && !slices.Contains(runKeys, e.Key) {
			return nil, fmt.Errorf("experiment: preset table of %s: unknown key %q", d.Name, e.Key)
		}
		if old, ok := best[e.Key]; ok {
			if old.specificity() == e.specificity() {
				return nil, fmt.Errorf("experiment: preset table: two rows for %s at the same level (%s/%s)", e.Key, d.Name, algo)
			}
			if old.specificity() > e.specificity() {
				continue
			}
		}
		best[e.Key] = e
	}
	return best, nil
}

// sortedKeys are the settings keys of a resolved table (not the run keys), sorted.
func sortedKeys(m map[string]entry) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		if !slices.Contains(runKeys, k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// RunValue is the value of a run key ("selection", "augment_valid") for the settings' space and
// algorithm, with its source: the paper table's (run keys do not change with the preset).
func (s *Settings) RunValue(key string) (any, string, error) {
	d, err := s.Descriptor()
	if err != nil {
		return nil, "", err
	}
	rows, err := resolve(d, Paper, s.Algo)
	if err != nil {
		return nil, "", err
	}
	e, ok := rows[key]
	if !ok {
		return nil, "", fmt.Errorf("experiment: no row for %s on %s/%s", key, s.Space, s.Algo)
	}
	return e.Value, e.Source, nil
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

func joinNames[T ~string](list []T) string {
	s := make([]string, len(list))
	for i, v := range list {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

// Presets resolves the settings of preset for every (space, algorithm) pair that exists, or for the
// space and the algorithm given ("" for all): what gaea presets prints. A wrong name, or a pair given in
// full that does not exist, is an error naming it; so is a selection with no pair.
func Presets(preset Preset, space string, algo Algo, dataset string) ([]Settings, error) {
	// Each name on its own first, so that the error names the one that is wrong.
	if err := Table.CheckValue("preset", string(preset)); err != nil {
		return nil, err
	}
	if space != "" {
		if _, err := (&Settings{Space: space}).Descriptor(); err != nil {
			return nil, err
		}
	}
	if algo != "" {
		if err := Table.CheckValue("algo", string(algo)); err != nil {
			return nil, err
		}
	}
	var all []Settings
	for _, sp := range spaces.Names() {
		for _, a := range Algos() {
			if (space != "" && sp != space) || (algo != "" && a != algo) {
				continue
			}
			st, err := Defaults(preset, sp, a, dataset)
			if err != nil {
				if space != "" && algo != "" {
					return nil, err
				}
				continue // a pair that does not exist (e.g. pcdarts on nb201)
			}
			all = append(all, st)
		}
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("experiment: no preset for space %q and algorithm %q", space, algo)
	}
	return all, nil
}

// WritePresets prints settings as gaea presets does: per (space, algorithm) every key with its value and
// its source, in columns.
func WritePresets(w io.Writer, all []Settings) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, st := range all {
		fmt.Fprintf(tw, "== %s %s (%s)\n", st.Space, st.Algo, st.Preset)
		for _, key := range Keys() {
			v, _ := st.Get(key)
			fmt.Fprintf(tw, "%s\t%v\t%s\n", key, v, st.Sources[key])
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}
