package experiment

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/spaces"
)

// paperPins are the reference protocol values, written out again from the reference code (not from the
// preset table): space, algorithm, key, value, where it comes from.
var paperPins = []struct {
	space  string
	algo   Algo
	key    string
	want   any
	source string
}{
	// GAEA DARTS, NAS-Bench-201, ERM (liamcli/gaea_release README + configs/cnn/mode/search_nasbench201.yaml).
	{"nb201", GAEADARTS, "level", "single", "gaea_release README: search.single_level=true"},
	{"nb201", GAEADARTS, "epochs", 25, "gaea_release README: run.epochs=25"},
	{"nb201", GAEADARTS, "schedule_epochs", 50, "gaea_release configs/cnn/config.yaml: scheduler_epochs: 50"},
	{"nb201", GAEADARTS, "batch", 64, "search_nasbench201.yaml: batch_size"},
	{"nb201", GAEADARTS, "channels", 24, "search_nasbench201.yaml: init_channels"},
	{"nb201", GAEADARTS, "cells", 5, "search_nasbench201.yaml: layers"},
	{"nb201", GAEADARTS, "with_none", false, "gaea_release README: search.exclude_zero=true"},
	{"nb201", GAEADARTS, "weight_lr", 0.025, "search_nasbench201.yaml: learning_rate"},
	{"nb201", GAEADARTS, "weight_lr_min", 0.001, "search_nasbench201.yaml: learning_rate_min"},
	{"nb201", GAEADARTS, "momentum", 0.9, "search_nasbench201.yaml: momentum"},
	{"nb201", GAEADARTS, "nesterov", false, "gaea_release cnn/train_utils.py setup_optimizer"},
	{"nb201", GAEADARTS, "weight_decay", 3e-4, "search_nasbench201.yaml: weight_decay"},
	{"nb201", GAEADARTS, "grad_clip", 5.0, "search_nasbench201.yaml: grad_clip"},
	{"nb201", GAEADARTS, "arch_lr", 0.1, "method_edarts_space_nasbench201.yaml: arch_learning_rate"},
	{"nb201", GAEADARTS, "entropy_reg", 0.0, "method_edarts_space_nasbench201.yaml: arch_weight_decay"},
	{"nb201", GAEADARTS, "edge_weights", false, "method_edarts_space_nasbench201.yaml: learn_edges: false"},
	{"nb201", GAEADARTS, "weights_first", false, "gaea_release cnn/train_search.py: architect.step first"},
	{"nb201", GAEADARTS, "train_images", 50000, "gaea_release cnn/train_utils.py: single level trains on the full training set"},
	{"nb201", GAEADARTS, "valid_images", 0, "single level: no held-out split"},
	{"nb201", GAEADARTS, "arch_optimizer", "exponentiated-gradient", "architect_edarts.py: gd: false"},
	// GAEA GDAS (gaea_release egdas; epochs and level from the GDAS baseline, gaea_release has no command).
	{"nb201", GAEAGDAS, "warmup_epochs", 50, "method_egdas_space_nasbench201.yaml: warmup_epochs"},
	{"nb201", GAEAGDAS, "tau_max", 10.0, "egdas yaml: max_tau"},
	{"nb201", GAEAGDAS, "tau_min", 0.1, "egdas yaml: min_tau"},
	{"nb201", GAEAGDAS, "arch_lr", 0.01, "egdas yaml: arch_learning_rate"},
	{"nb201", GAEAGDAS, "entropy_reg", 0.01, "egdas yaml: arch_weight_decay"},
	{"nb201", GAEAGDAS, "epochs", 250, "D-X-Y GDAS.config: epochs"},
	// NAS-Bench-201 baselines (D-X-Y/AutoDL-Projects configs/nas-benchmark/algos, scripts-search).
	{"nb201", DARTSV1, "epochs", 50, "DARTS.config"},
	{"nb201", DARTSV1, "channels", 16, "DARTS-V1.sh: channel=16"},
	{"nb201", DARTSV1, "weight_decay", 5e-4, "DARTS.config: decay"},
	{"nb201", DARTSV1, "nesterov", true, "DARTS.config: nesterov"},
	{"nb201", DARTSV1, "weights_first", true, "DARTS-V1.py: weights then arch"},
	{"nb201", DARTSV1, "level", "bi", "cifar-split.txt"},
	{"nb201", DARTSV1, "train_images", 25000, "cifar-split.txt: train"},
	{"nb201", DARTSV1, "valid_images", 25000, "cifar-split.txt: valid"},
	{"nb201", DARTSV1, "with_none", true, "nas-bench-201 (5 ops)"},
	{"nb201", DARTSV1, "arch_lr", 3e-4, "DARTS-V1.sh: --arch_learning_rate"},
	{"nb201", DARTSV1, "arch_optimizer", "adam", "DARTS-V1.py: Adam"},
	{"nb201", DARTSV2, "second_order", true, "DARTS-V2.py"},
	{"nb201", DARTSV2, "weights_first", false, "DARTS-V2.py: arch first"},
	{"nb201", GDAS, "epochs", 250, "GDAS.config"},
	{"nb201", GDAS, "schedule_epochs", 250, "T_max = epochs"},
	{"nb201", GDAS, "weights_first", true, "GDAS.py"},
	{"nb201", GDAS, "tau_max", 10.0, "GDAS.sh"},
	{"nb201", GDAS, "tau_min", 0.1, "GDAS.sh"},
	{"nb201", GDAS, "channels", 16, "GDAS.sh"},
	{"nb201", RSWS, "epochs", 250, "RANDOM.config"},
	{"nb201", RSWS, "candidates", 100, "RANDOM-NAS.sh: --select_num 100"},
	{"nb201", RSWS, "valid_batch", 512, "RANDOM.config: test_batch_size"},
	{"nb201", RSWS, "nesterov", true, "RANDOM.config"},
	{"nb201", RSWS, "weight_decay", 5e-4, "RANDOM.config"},
	// GAEA PC-DARTS (gaea_release search_pcdarts.yaml, eedarts yaml, README).
	{"darts", GAEAPCDARTS, "level", "bi", "gaea_release README: search.single_level=false"},
	{"darts", GAEAPCDARTS, "train_images", 25000, "train_portion 0.5"},
	{"darts", GAEAPCDARTS, "valid_images", 25000, "train_portion 0.5"},
	{"darts", GAEAPCDARTS, "epochs", 50, "README run.epochs=50"},
	{"darts", GAEAPCDARTS, "batch", 256, "search_pcdarts.yaml"},
	{"darts", GAEAPCDARTS, "weight_lr", 0.1, "search_pcdarts.yaml"},
	{"darts", GAEAPCDARTS, "weight_lr_min", 0.0, "search_pcdarts.yaml: learning_rate_min: 0.0"},
	{"darts", GAEAPCDARTS, "channels", 16, "search_pcdarts.yaml"},
	{"darts", GAEAPCDARTS, "cells", 8, "search_pcdarts.yaml"},
	{"darts", GAEAPCDARTS, "arch_lr", 0.1, "eedarts yaml"},
	{"darts", GAEAPCDARTS, "edge_weights", true, "eedarts yaml: learn_edges"},
	{"darts", GAEAPCDARTS, "partial_channels", 4, "pc_darts/model_search.py"},
	{"darts", GAEAPCDARTS, "warmup_epochs", 0, "gaea_release train_search.py: no warm-up"},
	{"darts", GAEAPCDARTS, "with_none", true, "README exclude_zero=false"},
	// PC-DARTS (yuhuixu1993/PC-DARTS train_search.py).
	{"darts", PCDARTS, "warmup_epochs", 15, "if epoch >= 15"},
	{"darts", PCDARTS, "weight_lr_min", 0.0, "--learning_rate_min 0.0"},
	{"darts", PCDARTS, "arch_lr", 6e-4, "--arch_learning_rate 6e-4"},
	{"darts", PCDARTS, "batch", 256, "--batch_size 256"},
	{"darts", PCDARTS, "schedule_offset", 1, "scheduler.step() first"},
	// DARTS on its space (quark0/darts cnn/train_search.py).
	{"darts", DARTSV1, "weight_lr", 0.025, "--learning_rate 0.025"},
	{"darts", DARTSV1, "batch", 64, "--batch_size 64"},
	{"darts", DARTSV1, "edge_weights", false, "no β"},
	{"darts", DARTSV1, "weight_decay", 3e-4, "--weight_decay 3e-4"},
	{"darts", DARTSV1, "weights_first", false, "architect.step first"},
	{"darts", DARTSV1, "schedule_offset", 1, "scheduler.step() first"},
	{"darts", DARTSV2, "second_order", true, "--unrolled"},
	// NAS-Bench-1Shot1 (liamcli/nasbench-1shot1 optimizers/{darts,pc_darts,edarts,epc_edarts}/train_search.py).
	{"nb1shot1-1", DARTSV1, "batch", 96, "darts/train_search.py --batch_size 96"},
	{"nb1shot1-1", DARTSV1, "weight_lr", 0.025, "--learning_rate 0.025"},
	{"nb1shot1-1", DARTSV1, "weight_lr_min", 0.001, "--learning_rate_min 0.001"},
	{"nb1shot1-1", DARTSV1, "momentum", 0.9, "--momentum 0.9"},
	{"nb1shot1-1", DARTSV1, "weight_decay", 3e-4, "--weight_decay 3e-4"},
	{"nb1shot1-1", DARTSV1, "grad_clip", 5.0, "--grad_clip 5"},
	{"nb1shot1-1", DARTSV1, "epochs", 50, "--epochs 50"},
	{"nb1shot1-1", DARTSV1, "schedule_epochs", 50, "CosineAnnealingLR(optimizer, epochs)"},
	{"nb1shot1-1", DARTSV1, "schedule_offset", 1, "scheduler.step() first"},
	{"nb1shot1-1", DARTSV1, "level", "bi", "--train_portion 0.5"},
	{"nb1shot1-1", DARTSV1, "train_images", 25000, "--train_portion 0.5"},
	{"nb1shot1-1", DARTSV1, "channels", 16, "--init_channels 16"},
	{"nb1shot1-1", DARTSV1, "cells", 9, "--layers 9"},
	{"nb1shot1-1", DARTSV1, "arch_lr", 3e-4, "--arch_learning_rate 3e-4 (Adam 0.5/0.999, wd 1e-3)"},
	{"nb1shot1-1", DARTSV1, "arch_optimizer", "adam", "darts/architect.py"},
	{"nb1shot1-1", DARTSV1, "edge_weights", true, "alphas_inputs, alphas_output"},
	{"nb1shot1-1", DARTSV1, "with_none", false, "genotypes.py PRIMITIVES"},
	{"nb1shot1-1", DARTSV1, "weights_first", false, "architect.step first"},
	{"nb1shot1-2", PCDARTS, "partial_channels", 4, "pc_darts/model_search.py C // 4"},
	{"nb1shot1-2", PCDARTS, "warmup_epochs", 0, "pc_darts/train_search.py --warm_start_epochs 0"},
	{"nb1shot1-2", PCDARTS, "arch_lr", 3e-4, "pc_darts/train_search.py --arch_learning_rate 3e-4"},
	{"nb1shot1-2", PCDARTS, "epochs", 50, "README --epochs=50"},
	{"nb1shot1-3", GAEAPCDARTS, "partial_channels", 4, "epc_edarts/model_search.py C // 4"},
	{"nb1shot1-3", GAEAPCDARTS, "warmup_epochs", 10, "epc_edarts/train_search.py --warm_start_epochs 10"},
	{"nb1shot1-3", GAEAPCDARTS, "arch_lr", 0.1, "not recorded: gaea_release eedarts arch_learning_rate 0.1"},
	{"nb1shot1-3", GAEAPCDARTS, "arch_optimizer", "exponentiated-gradient", "edarts/architect.py"},
	{"nb1shot1-3", GAEAPCDARTS, "weight_decay", 3e-4, "epc_edarts/train_search.py --weight_decay 3e-4"},
	{"nb1shot1-3", GAEADARTS, "weight_decay", 3e-3, "edarts/train_search.py --weight_decay 3e-3"},
	{"nb1shot1-3", GAEADARTS, "arch_lr", 0.1, "not recorded: gaea_release edarts arch_learning_rate 0.1"},
	{"nb1shot1-3", GAEADARTS, "warmup_epochs", 0, "edarts/train_search.py --warm_start_epochs 0"},
	{"nb1shot1-3", GAEADARTS, "entropy_reg", 0.0, "edarts/architect.py: the entropic term is dropped"},
}

func TestPaperPresetsEqualTheReferences(t *testing.T) {
	for _, p := range paperPins {
		st, err := Defaults(Paper, p.space, p.algo, "")
		if err != nil {
			t.Fatalf("%s/%s: %v", p.space, p.algo, err)
		}
		got, err := st.Get(p.key)
		if err != nil {
			t.Fatal(err)
		}
		if got != p.want {
			t.Errorf("%s/%s %s = %v, want %v (%s)", p.space, p.algo, p.key, got, p.want, p.source)
		}
		if src := st.Sources[p.key]; src == "" {
			t.Errorf("%s/%s %s has no source", p.space, p.algo, p.key)
		}
	}
}

// Every value of every preset names its source, and every source of a reference value names the
// repository it comes from.
func TestEveryValueHasASource(t *testing.T) {
	for _, preset := range []Preset{Paper, Quick} {
		for _, sp := range spaces.Names() {
			for _, a := range Algos() {
				st, err := Defaults(preset, sp, a, "")
				if err != nil {
					continue // pairs that do not exist
				}
				for _, key := range Keys() {
					if st.Sources[key] == "" {
						t.Errorf("%s %s/%s: %s has no source", preset, sp, a, key)
					}
				}
			}
		}
	}
	rows := map[string][]spaces.Row{"": paperTable}
	for _, d := range spaces.All() {
		rows[d.Name] = d.Presets
	}
	for space, rows := range rows {
		for _, e := range rows {
			if space == "tiny" || e.Preset != "" || strings.HasPrefix(e.Source, "not ") || strings.HasPrefix(e.Source, "no ") ||
				strings.HasPrefix(e.Source, "all ") || strings.HasPrefix(e.Source, "the whole") || strings.HasPrefix(e.Source, "as ") {
				continue
			}
			if !strings.Contains(e.Source, "/") {
				t.Errorf("source of %s/%s %s names no repository: %q", space, e.Algo, e.Key, e.Source)
			}
		}
	}
}

func TestQuickKeepsTheCodePathAndScalesEpochs(t *testing.T) {
	q, err := Defaults(Quick, "nb201", GAEADARTS, "")
	if err != nil {
		t.Fatal(err)
	}
	p, _ := Defaults(Paper, "nb201", GAEADARTS, "")
	if q.Algo != p.Algo || q.Level != p.Level || q.ArchLR != p.ArchLR || q.WithNone != p.WithNone || q.WeightDecay != p.WeightDecay {
		t.Errorf("quick changed algorithm values: %+v vs %+v", q, p)
	}
	if q.ScheduleEpochs != 2*q.Epochs {
		t.Errorf("quick schedule_epochs %d, want twice its %d epochs as the paper's 50/25", q.ScheduleEpochs, q.Epochs)
	}
	g, _ := Defaults(Quick, "nb201", GAEAGDAS, "")
	if g.WarmupEpochs != 1 || g.Epochs != 5 {
		t.Errorf("quick gaea-gdas: %d warm-up of %d epochs, want 1 of 5 (the paper's 50/250)", g.WarmupEpochs, g.Epochs)
	}
}

func TestApplyRejectsGivenZeroAndScalesTheSchedule(t *testing.T) {
	for _, c := range []struct {
		key string
		v   any
	}{{"epochs", 0}, {"batch", 0}, {"channels", 0}, {"cells", 0}, {"subset", -5}, {"batch", -1},
		{"weight_lr", 0.0}, {"momentum", 1.5}, {"level", "tri"}, {"train_images", 10}} {
		st, _ := Defaults(Quick, "nb201", GAEADARTS, "")
		if err := st.Apply(Overrides{c.key: c.v}); err == nil {
			t.Errorf("%s %v accepted", c.key, c.v)
		}
	}
	st, _ := Defaults(Paper, "nb201", GAEADARTS, "")
	if err := st.Apply(Overrides{"epochs": 10}); err != nil {
		t.Fatal(err)
	}
	if st.ScheduleEpochs != 20 || st.Sources["epochs"] != "command line" {
		t.Errorf("--epochs 10: schedule_epochs %d (want 20, the preset's ratio), source %q", st.ScheduleEpochs, st.Sources["epochs"])
	}
	if err := st.Apply(Overrides{"level": "bi"}); err != nil || st.TrainImages != 25000 || st.ValidImages != 25000 {
		t.Errorf("--level bi: %v, %d/%d images (want 25000/25000)", err, st.TrainImages, st.ValidImages)
	}
}

// --epochs under the quick preset scales the paper's epoch-valued keys, not the quick preset's rounded
// ones: NAS-Bench-1Shot1's GAEA PC-DARTS warms up 10 of 50 epochs, which quick rounds to 1 of 2; 8
// epochs then warm up round(8·10/50) = 2, not 8·1/2 = 4.
func TestQuickEpochsKeepThePapersRatio(t *testing.T) {
	for _, c := range []struct {
		space         string
		algo          Algo
		epochs        int
		warmup, sched int
	}{
		{"nb1shot1-1", GAEAPCDARTS, 8, 2, 8},   // 10/50 · 8 = 1.6
		{"nb1shot1-3", GAEAPCDARTS, 30, 6, 30}, // 10/50 · 30
		{"nb201", GAEAGDAS, 4, 1, 4},           // 50/250 · 4 = 0.8, at least 1
		{"nb201", GAEAGDAS, 20, 4, 20},         // 50/250 · 20
		{"darts", PCDARTS, 10, 3, 10},          // 15/50 · 10
		{"nb201", GAEADARTS, 4, 0, 8},          // schedule 50 for 25 epochs
	} {
		st, err := Defaults(Quick, c.space, c.algo, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Apply(Overrides{"epochs": c.epochs}); err != nil {
			t.Fatal(err)
		}
		if c.warmup > 0 && !strings.HasPrefix(st.Sources["warmup_epochs"], "the paper's ratio to --epochs") {
			t.Errorf("%s %s: warm-up source %q", c.space, c.algo, st.Sources["warmup_epochs"])
		}
		if st.WarmupEpochs != c.warmup || st.ScheduleEpochs != c.sched {
			t.Errorf("%s %s quick --epochs %d: warm-up %d, schedule %d epochs; want %d, %d (the paper's ratios; source %q)",
				c.space, c.algo, c.epochs, st.WarmupEpochs, st.ScheduleEpochs, c.warmup, c.sched, st.Sources["warmup_epochs"])
		}
	}
}

func TestInvalidPairs(t *testing.T) {
	for _, c := range []struct {
		space string
		algo  Algo
	}{{"nb201", GAEAPCDARTS}, {"nb201", PCDARTS}, {"darts", RSWS}, {"x", GAEADARTS}, {"nb201", "y"},
		{"nb1shot1-1", RSWS}, {"nb1shot1-2", GDAS}, {"nb1shot1-3", GAEAGDAS}} {
		if _, err := Defaults(Paper, c.space, c.algo, ""); err == nil {
			t.Errorf("%s/%s accepted", c.space, c.algo)
		}
	}
}

// A settings.json written before augment_arch existed reads back with the value that version used.
func TestSettingsJSONDefaults(t *testing.T) {
	var old Settings
	if err := json.Unmarshal([]byte(`{"space":"nb201","algo":"gaea-darts"}`), &old); err != nil || !old.AugmentArch {
		t.Errorf("settings without augment_arch: %v, augment_arch %v (want true)", err, old.AugmentArch)
	}
	var off Settings
	if err := json.Unmarshal([]byte(`{"augment_arch":false}`), &off); err != nil || off.AugmentArch {
		t.Errorf("augment_arch false read as %v (%v)", off.AugmentArch, err)
	}
}

// TestArchOptimizerSourceNamesTheArchitect: the architecture update of each GAEA algorithm cites the
// gaea_release architect that performs it (egdas: architect_egdas.py, which normalises then clamps).
func TestArchOptimizerSourceNamesTheArchitect(t *testing.T) {
	for _, c := range []struct {
		space string
		algo  Algo
		file  string
	}{{"nb201", GAEADARTS, "architect_edarts.py"}, {"darts", GAEAPCDARTS, "architect_edarts.py"}, {"nb201", GAEAGDAS, "architect_egdas.py"},
		{"nb201", DARTSV1, "architect.py"}, {"nb201", EuclidDARTS, "projection"},
		{"nb1shot1-1", GAEADARTS, "nasbench-1shot1 optimizers/edarts/architect.py"}, {"nb1shot1-2", GAEAPCDARTS, "nasbench-1shot1 optimizers/edarts/architect.py"},
		{"nb1shot1-3", PCDARTS, "nasbench-1shot1 optimizers/darts/architect.py"}} {
		st, err := Defaults(Paper, c.space, c.algo, "")
		if err != nil {
			t.Fatal(err)
		}
		if src := st.Sources["arch_optimizer"]; !strings.Contains(src, c.file) {
			t.Errorf("%s: arch_optimizer source %q does not cite %s", c.algo, src, c.file)
		}
	}
}

// TestPresetsSelection: Presets resolves every existing (space, algorithm) pair, or the selected ones, and
// names a wrong name or an empty selection.
func TestPresetsSelection(t *testing.T) {
	all, err := Presets(Paper, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, sp := range spaces.Names() {
		for _, a := range Algos() {
			if _, err := Defaults(Paper, sp, a, ""); err == nil {
				n++
			}
		}
	}
	if len(all) != n {
		t.Errorf("Presets: %d settings, want the %d pairs Defaults resolves", len(all), n)
	}
	if one, err := Presets(Quick, "nb201", GAEADARTS, ""); err != nil || len(one) != 1 || one[0].Space != "nb201" || one[0].Algo != GAEADARTS || one[0].Preset != Quick {
		t.Errorf("Presets(quick, nb201, gaea-darts) = %+v, %v", one, err)
	}
	for _, c := range []struct {
		preset Preset
		space  string
		algo   Algo
	}{{"nope", "", ""}, {Paper, "nope", ""}, {Paper, "", "nope"}, {Paper, "nb201", PCDARTS}} {
		if _, err := Presets(c.preset, c.space, c.algo, ""); err == nil {
			t.Errorf("Presets(%q, %q, %q): no error", c.preset, c.space, c.algo)
		}
	}
}
