package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/spaces/nb1shot1"
	"github.com/gaeanas/gaeanas/spaces/nb1shot1/nb101"
)

// TestNB1Shot1Presets: gaea presets --preset paper prints NAS-Bench-1Shot1's reference protocol with its
// sources — batch 96, SGD 0.025 → 0.001 over a 50-epoch cosine, momentum 0.9, weight decay 3e-4, clip 5,
// the 50/50 split, from the fork's train_search.py of the algorithm; DARTS's Adam 3e-4 (betas 0.5/0.999,
// weight decay 1e-3); for GAEA the step size with the statement that the fork does not record it.
func TestNB1Shot1Presets(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildGaea(t)
	for _, c := range []struct {
		space, algo string
		want        []string
	}{
		{"nb1shot1-1", "darts", []string{
			"batch             96                      liamcli/nasbench-1shot1 optimizers/darts/train_search.py line 27: --batch_size 96",
			"weight_lr         0.025", "weight_lr_min     0.001", "momentum          0.9", "weight_decay      0.0003", "grad_clip         5",
			"epochs            50", "schedule_epochs   50", "level             bi", "--train_portion 0.5",
			"arch_lr           0.0003", "Adam, betas (0.5, 0.999)", "--arch_weight_decay 1e-3", "edge_weights      true"}},
		{"nb1shot1-2", "pcdarts", []string{"optimizers/pc_darts/train_search.py line 29: --batch_size 96", "partial_channels  4", "warmup_epochs     0"}},
		{"nb1shot1-3", "gaea-pcdarts", []string{"optimizers/epc_edarts/train_search.py", "arch_lr           0.1                     not recorded in liamcli/nasbench-1shot1",
			"exponentiated-gradient  liamcli/nasbench-1shot1 optimizers/edarts/architect.py", "warmup_epochs     10"}},
		{"nb1shot1-1", "gaea-darts", []string{"optimizers/edarts/train_search.py line 35: --weight_decay 3e-3", "not recorded in liamcli/nasbench-1shot1"}},
	} {
		out, err := gaeaCmd(bin, "presets", "--space", c.space, "--algo", c.algo, "--preset", "paper").CombinedOutput()
		if err != nil {
			t.Fatalf("presets %s %s: %v\n%s", c.space, c.algo, err, out)
		}
		squeeze := func(s string) string { return strings.Join(strings.Fields(s), " ") } // the columns' widths vary
		for _, w := range c.want {
			if !strings.Contains(squeeze(string(out)), squeeze(w)) {
				t.Errorf("presets --space %s --algo %s --preset paper: no %q in\n%s", c.space, c.algo, w, out)
			}
		}
	}
}

// TestNB1Shot1Search: gaea search on a NAS-Bench-1Shot1 space (GAEA PC-DARTS on space 2, the quick
// preset shrunk to two iterations) writes the run folder and report; with no NAS-Bench-101 file named it
// says in one line, on stdout and in result.json, that no lookup is available. With GAEA_TEST_LONG, gaea
// lookup reads a NAS-Bench-101 file made of the found cell's module (the first read indexes the three
// spaces, seconds) and prints its entry with ranks and regrets.
func TestNB1Shot1Search(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a search")
	}
	bin := buildGaea(t)
	dir := filepath.Join(t.TempDir(), "run")
	cmd := gaeaCmd(bin, "search", "--space", "nb1shot1-2", "--algo", "gaea-pcdarts", "--preset", "quick", "--subset", "8", "--batch", "8",
		"--cells", "1", "--out", dir)
	cmd.Env = append(cmd.Env, "GAEA_NB101=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("search: %v\n%s", err, stderr.String())
	}
	const note = "no NAS-Bench-101 lookup for nb1shot1-2: give --nb101 FILE or set GAEA_NB101 to the path of nasbench_only108.tfrecord"
	if !strings.Contains(stdout.String(), note+"\n") {
		t.Errorf("stdout lacks the one-line note %q:\n%s", note, stdout.String())
	}
	res := readResult(t, dir)
	if res.Space != "nb1shot1-2" || res.BenchmarkNote != note || res.Benchmark != nil || len(res.EdgeWeights) != 4 || len(res.ArchWeights) != 4 {
		t.Errorf("result.json: %+v", res)
	}
	for _, f := range []string{"settings.json", "history.jsonl", "report.html", "checkpoint"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("run folder: %v", err)
		}
	}
	report, err := os.ReadFile(filepath.Join(dir, "report.html"))
	if err != nil || !bytes.Contains(report, []byte("as a NAS-Bench-101 module")) || bytes.Contains(report, []byte("not available")) {
		t.Errorf("report.html: %v (cell picture present: %v)", err, bytes.Contains(report, []byte("as a NAS-Bench-101 module")))
	}
	if !longTests() {
		return
	}
	// A NAS-Bench-101 file with the found cell's module: gaea lookup indexes it and prints the entry.
	data := filepath.Join(t.TempDir(), "nasbench_only108.tfrecord")
	writeModuleFile(t, data, "nb1shot1-2", res.Genotype, 0.93, 0.94)
	look := gaegaLookup(t, bin, data, "nb1shot1-2", res.Genotype)
	var e map[string]any
	if err := json.Unmarshal(look, &e); err != nil {
		t.Fatalf("lookup output %s: %v", look, err)
	}
	if e["arch"] != res.Genotype || e["cifar10"].(float64) < 92.99 || e["cifar10"].(float64) > 93.01 || e["rank_cifar10"] != 1.0 || e["regret_cifar10"] == nil {
		t.Errorf("lookup = %s", look)
	}
	// gaea aggregate of the folder holding the run looks the found cell up in the same file.
	agg := gaeaCmd(bin, "aggregate", filepath.Dir(dir), "--nb101", data)
	agg.Env = append(agg.Env, "XDG_CACHE_HOME="+t.TempDir())
	out, err := agg.CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("93.00 ± —")) || !bytes.Contains(out, []byte("regret (points)")) || !bytes.Contains(out, []byte(res.Genotype)) {
		t.Errorf("gaea aggregate --nb101: %v\n%s", err, out)
	}
}

// gaegaLookup runs gaea lookup of a cell in a NAS-Bench-101 file and returns its stdout.
func gaegaLookup(t *testing.T, bin, data, space, cell string) []byte {
	t.Helper()
	cmd := gaeaCmd(bin, "lookup", "--space", space, "--nb101", data, cell)
	cmd.Env = append(cmd.Env, "XDG_CACHE_HOME="+t.TempDir())
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("lookup: %v\n%s", err, ee.Stderr)
		}
		t.Fatal(err)
	}
	return out
}

// writeModuleFile writes a NAS-Bench-101 file (the official format) holding one module, the cell's of
// the space, with three 108-epoch runs of the given final test and validation accuracies.
func writeModuleFile(t *testing.T, path, space, cell string, test, valid float64) {
	t.Helper()
	s, err := nb1shot1.Parse(space)
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.ParseCell(cell)
	if err != nil {
		t.Fatal(err)
	}
	h, err := c.Hash()
	if err != nil {
		t.Fatal(err)
	}
	spec, _ := c.Spec().Prune()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := nb101.NewWriter(f)
	for range 3 {
		m := nb101.Metrics{Evaluations: []nb101.Evaluation{{}, {CurrentEpoch: 54}, {CurrentEpoch: 108, TestAccuracy: test, ValidationAccuracy: valid}},
			TrainableParameters: 1234}
		if err := w.Write(nb101.Record{Hash: h, Epochs: 108, Spec: spec, Metrics: m}.Marshal()); err != nil {
			t.Fatal(err)
		}
	}
}
