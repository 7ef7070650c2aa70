package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/experiment"
	"github.com/gaeanas/gaeanas/rundir"
	"github.com/gaeanas/gaeanas/scratch"
	"github.com/gaeanas/gaeanas/sweep"
)

// gaea help CMD prints CMD's usage (the same as gaea CMD -h) and exits 0.
func TestHelpCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildGaea(t)
	for _, c := range commands {
		code, out, errOut := run(t, bin, "help", c.name)
		hcode, hout, herr := run(t, bin, c.name, "-h")
		if code != 0 || !strings.Contains(out+errOut, "Usage: gaea "+c.name) {
			t.Errorf("gaea help %s: exit %d, output %q", c.name, code, out+errOut)
		}
		if out+errOut != hout+herr || hcode != 0 {
			t.Errorf("gaea help %s differs from gaea %s -h", c.name, c.name)
		}
	}
	if code, out, errOut := run(t, bin, "help", "sweep", "status"); code != 0 || !strings.Contains(out+errOut, "Usage: gaea sweep status") {
		t.Errorf("gaea help sweep status: exit %d, %q", code, out+errOut)
	}
	if code, _, errOut := run(t, bin, "help"); code != 0 || !strings.Contains(errOut, "gaea help <command>") || !strings.Contains(errOut, "Exit status: 0 ok, 1 failure") {
		t.Errorf("gaea help: exit %d, %q", code, errOut)
	}
}

// The helps say what the commands do: units of --checkpoint-every, one vocabulary for the learning
// rate and weight decay, no flag that is always refused, no placeholder taken from prose, how a
// boolean flag takes false.
func TestHelpTexts(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildGaea(t)
	help := func(cmd string) string {
		_, out, errOut := run(t, bin, cmd, "-h")
		return out + errOut
	}
	search, train, sw := help("search"), help("train"), help("sweep")
	for _, c := range []struct {
		cmd, text string
		has       []string
		hasNot    []string
	}{
		{"search", search,
			[]string{"-checkpoint-every int", "search iterations", "-weight-lr float", "-weight-decay float", "--nesterov false", "-backend string"},
			[]string{"-train-images", "-valid-images", "-arch-optimizer", "\n  -lr ", "\n  -wd "}},
		{"train", train,
			[]string{"-checkpoint-every string", "N epochs (N or Nepochs)", "training steps (Nsteps", "-weight-lr float", "-weight-decay float", "-from string"},
			[]string{"\n  -lr ", "\n  -wd ", "-from gaea", "deprecated"}},
		{"sweep", sw,
			[]string{"search iterations", "--mail-type=END,FAIL", "checked before anything is written"},
			[]string{"-train-images", "-valid-images", "no commas"}},
	} {
		for _, s := range c.has {
			if !strings.Contains(c.text, s) {
				t.Errorf("gaea %s -h lacks %q", c.cmd, s)
			}
		}
		for _, s := range c.hasNot {
			if strings.Contains(c.text, s) {
				t.Errorf("gaea %s -h has %q", c.cmd, s)
			}
		}
	}
	// No usage string lends its back-quoted words to a placeholder but params' genotype.
	for _, c := range commands {
		for _, line := range strings.Split(help(c.name), "\n") {
			if f := strings.Fields(line); len(f) > 2 && strings.HasPrefix(f[0], "-") && f[1] == "gaea" {
				t.Errorf("gaea %s -h: placeholder from prose: %q", c.name, line)
			}
		}
	}
}

// A boolean flag takes true or false as the next word too: --nesterov false is not --nesterov plus
// an argument "false".
func TestBoolFlagValue(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildGaea(t)
	for _, c := range []struct {
		args []string
		want bool
	}{
		{[]string{"--nesterov", "false"}, false},
		{[]string{"--nesterov=false"}, false},
		{[]string{"--nesterov"}, true},
		{[]string{"--nesterov", "true"}, true},
		{[]string{"--nesterov", "false", "--augment-arch", "false"}, false},
	} {
		args := append([]string{"search", "--preset", "quick", "--space", "tiny", "--dry-run"}, c.args...)
		code, out, errOut := run(t, bin, args...)
		if code != 0 {
			t.Fatalf("gaea %q: exit %d, %s", args, code, errOut)
		}
		var st experiment.Settings
		if err := json.Unmarshal([]byte(out), &st); err != nil {
			t.Fatal(err)
		}
		if st.Nesterov != c.want || st.Sources["nesterov"] != "command line" {
			t.Errorf("gaea %q: nesterov %v (%s), want %v from the command line", args, st.Nesterov, st.Sources["nesterov"], c.want)
		}
	}
}

// train takes the learning rate and weight decay under gaea search's names, and under the old ones.
func TestTrainFlagNames(t *testing.T) {
	if testing.Short() {
		t.Skip("trains")
	}
	bin := buildGaea(t)
	base := []string{"train", "--space", "nb201", "--arch", fixtureArch, "--dataset", "cifar10-sample", "--epochs", "1", "--channels", "2",
		"--cells", "1", "--subset", "32", "--test-subset", "32", "--batch", "16"}
	for _, names := range [][2]string{{"--weight-lr", "--weight-decay"}, {"--lr", "--wd"}} {
		dir := filepath.Join(t.TempDir(), "run")
		args := append(append([]string(nil), base...), names[0], "0.05", names[1], "0.001", "--out", dir)
		if code, _, errOut := run(t, bin, args...); code != 0 {
			t.Fatalf("gaea %q: exit %d, %s", args, code, errOut)
		}
		var st scratch.Settings
		if err := rundir.ReadJSON(filepath.Join(dir, experiment.SettingsFile), &st); err != nil {
			t.Fatal(err)
		}
		if st.LR != 0.05 || st.WeightDecay != 0.001 {
			t.Errorf("%s, %s: lr %v, weight decay %v; want 0.05, 0.001", names[0], names[1], st.LR, st.WeightDecay)
		}
	}
}

// gaea aggregate on a folder where its files cannot be written prints the tables all the same, then
// one line saying that the files could not be written, and exits 1 (leaving no temporary file).
func TestAggregateUnwritable(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildGaea(t)
	dir := t.TempDir()
	for i, algo := range []experiment.Algo{experiment.GAEADARTS, experiment.DARTSV1} {
		d := filepath.Join(dir, string(algo))
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		st, err := experiment.Defaults(experiment.Quick, "tiny", algo, "")
		if err != nil {
			t.Fatal(err)
		}
		res := experiment.Result{Space: "tiny", Algo: algo, Level: st.Level, Dataset: "embedded", Seed: int64(i), Genotype: "g",
			ArchWeights: [][]float64{{0.5, 0.5}}, Entropy: 0.6, Settings: st, Seconds: 1}
		if err := rundir.WriteJSON(filepath.Join(d, experiment.SettingsFile), st); err != nil {
			t.Fatal(err)
		}
		if err := rundir.WriteJSON(filepath.Join(d, experiment.ResultFile), res); err != nil {
			t.Fatal(err)
		}
	}
	// A folder named aggregate.json: the file cannot be written there (whoever runs the test, root too).
	if err := os.Mkdir(filepath.Join(dir, sweep.AggregateJSON), 0o755); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadDir(dir)
	code, out, errOut := run(t, bin, "aggregate", dir)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if !strings.Contains(out, "tiny on cifar10-sample (mean ± std over seeds)") || !strings.Contains(out, "gaea-darts") || !strings.Contains(out, "darts") {
		t.Errorf("no tables on stdout: %q", out)
	}
	if strings.Count(errOut, "\n") != 1 || !strings.Contains(errOut, "the tables are above, but aggregate.html, aggregate.csv and aggregate.json could not be written") {
		t.Errorf("stderr %q, want one line saying the files could not be written", errOut)
	}
	after, _ := os.ReadDir(dir)
	if len(after) != len(before) {
		t.Errorf("files left behind: %v → %v", before, after)
	}
	// --json: the JSON on stdout, the same line on stderr.
	code, out, errOut = run(t, bin, "aggregate", dir, "--json")
	if code != 1 || !json.Valid([]byte(out)) || strings.Count(errOut, "\n") != 1 {
		t.Errorf("--json: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// A sweep continued without --jobs runs as many cells at a time as it was last given (sweep.json
// keeps it); --jobs given again changes it.
func TestSweepRemembersJobs(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildGaea(t)
	dir := filepath.Join(t.TempDir(), "sw")
	sw, err := sweep.Open(dir, &sweep.Spec{Algos: []string{"gaea-darts", "darts"}, Spaces: []string{"tiny"}, Args: []string{"--preset=quick"}, Jobs: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range sw.Spec.Cells { // every cell finished: the sweep runs nothing
		if err := os.MkdirAll(sw.CellDir(c), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(sw.CellDir(c), experiment.ResultFile), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "3 at a time"},
		{[]string{"--jobs", "5"}, "5 at a time"},
		{nil, "5 at a time"},
	} {
		args := append([]string{"sweep", "--out", dir}, c.args...)
		code, _, errOut := run(t, bin, args...)
		if code != 0 || !strings.Contains(errOut, c.want) {
			t.Errorf("gaea %q: exit %d, want %q in %q", args, code, c.want, errOut)
		}
	}
}
