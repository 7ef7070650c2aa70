package sweep

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/experiment"
	"github.com/gaeanas/gaeanas/gaea"
)

// Every grid a cell of which gaea search would refuse is refused by Expand (and so by Open and Plan,
// before anything is written), with an error wrapping ErrBadSpec that names the problem.
func TestSpecChecks(t *testing.T) {
	ok := func(s Spec) Spec {
		if len(s.Algos) == 0 {
			s.Algos = []string{"gaea-darts"}
		}
		return s
	}
	for _, c := range []struct {
		spec Spec
		want string
	}{
		{Spec{}, "no algorithms"},
		{ok(Spec{Algos: []string{"gaea-darts", "foo"}}), `algos: "foo" is not an algorithm`},
		{ok(Spec{Algos: []string{"nope"}}), `"nope" is not an algorithm`},
		{ok(Spec{Algos: []string{"darts", "darts"}}), `"darts" is listed twice`},
		{ok(Spec{Algos: []string{""}}), "algos: empty name"},
		{ok(Spec{Spaces: []string{"nb202"}}), `spaces: "nb202" is not a search space`},
		{ok(Spec{Spaces: []string{"tiny", "tiny"}}), `"tiny" is listed twice`},
		{ok(Spec{Datasets: []string{"cifar11"}}), `unknown data set "cifar11"`},
		{ok(Spec{Datasets: []string{"embedded", "cifar10-sample"}}), "are the same data set"},
		{ok(Spec{Seeds: []int64{1, 1}}), "seed 1 is listed twice"},
		{ok(Spec{ArchLRs: []float64{0}}), "arch lr 0"},
		{ok(Spec{ArchLRs: []float64{-0.1}}), "arch lr -0.1"},
		{ok(Spec{Args: []string{"--seed=3"}}), "--seed=3 is set per cell"},
		{ok(Spec{Args: []string{"--out=x"}}), "--out=x is set per cell"},
		{ok(Spec{Args: []string{"--dry-run"}}), "--dry-run is set per cell"},
		{ok(Spec{ArchLRs: []float64{0.1}, Args: []string{"--arch-lr=3"}}), "set per cell"},
		{ok(Spec{Datasets: []string{"cifar10"}, Args: []string{"--dataset=mnist"}}), "set per cell"},
		{ok(Spec{Args: []string{"--epochs=abc"}}), `invalid value "abc" for flag -epochs`},
		{ok(Spec{Args: []string{"--epochs=-3"}}), "epochs must be at least 1, got -3"},
		{ok(Spec{Args: []string{"--epochs", "0"}}), "epochs must be at least 1, got 0"},
		{ok(Spec{Args: []string{"--frob=1"}}), "flag provided but not defined: -frob"},
		{ok(Spec{Args: []string{"--train-images=5"}}), "flag provided but not defined: -train-images"},
		{ok(Spec{Args: []string{"--cpuprofile=x"}}), "flag provided but not defined: -cpuprofile"},
		{ok(Spec{Args: []string{"--backend=tpu"}}), `unknown backend "tpu"`},
		{ok(Spec{Args: []string{"--data-dir="}}), "--data-dir '': empty value"},
		{ok(Spec{Args: []string{"epochs"}}), `unexpected argument "epochs"`},
		{ok(Spec{Args: []string{"--preset=fast"}}), `preset "fast"`},
		{ok(Spec{Args: []string{"--dataset=cifar11"}}), `dataset "cifar11"`},
		{ok(Spec{Args: []string{"--momentum=1"}}), "momentum must be below 1"},
		{ok(Spec{Args: []string{"--level=tri"}}), `level "tri"`},
		{ok(Spec{Algos: []string{"gaea-darts", "pcdarts"}}), "cell nb201-pcdarts-s1: algo pcdarts needs one of the spaces darts, nb1shot1-1, nb1shot1-2, nb1shot1-3 (partial channels, edge weights β), not nb201"},
		{ok(Spec{Algos: []string{"rsws"}, Spaces: []string{"tiny", "darts"}}), "cell darts-rsws-s1"},
		{ok(Spec{Algos: []string{"gdas"}, Args: []string{"--second-order"}}), "second-order gradient"},
		{ok(Spec{Jobs: -1}), "jobs -1"},
	} {
		s := c.spec
		err := s.Expand()
		if !errors.Is(err, ErrBadSpec) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want ErrBadSpec with %q", c.spec, err, c.want)
			continue
		}
		if strings.Contains(err.Error(), "\n") || len(err.Error()) > 400 {
			t.Errorf("%+v: error not one short line: %q", c.spec, err)
		}
		if s.Cells != nil {
			t.Errorf("%+v: refused, but cells %v", c.spec, s.Cells)
		}
		// Open refuses it without making the folder.
		dir := filepath.Join(t.TempDir(), "sw")
		if _, err := Open(dir, &c.spec); !errors.Is(err, ErrBadSpec) {
			t.Errorf("%+v: Open: %v", c.spec, err)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Errorf("%+v: Open made %s", c.spec, dir)
		}
	}
	// A valid grid expands.
	good := Spec{Algos: []string{"gaea-darts", "darts"}, Spaces: []string{"tiny", "nb201"}, Seeds: []int64{0, 1}, Args: []string{"--epochs=2", "--nesterov=false"}}
	if err := good.Expand(); err != nil || len(good.Cells) != 8 {
		t.Errorf("a valid grid: %v (%d cells)", err, len(good.Cells))
	}
}

// A --spec file: strict keys, types and syntax in words, one line each.
func TestReadSpecFileErrors(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ body, want string }{
		{`{"algos": "x"}`, `key "algos": want a list of strings, got a JSON string`},
		{`{"algos": ["gaea-darts"], "frob": 1}`, `unknown key "frob" (a grid has algos, seeds`},
		{`{"algos": ["gaea-darts"], "seeds": [1.5]}`, `key "seeds": want an integer, got a JSON number`},
		{`{"algos": ["gaea-darts"], "arch_lrs": "0.1"}`, `key "arch_lrs": want a list of numbers, got a JSON string`},
		{`{"algos": ["gaea-darts"], "args": [1]}`, `key "args": want a string, got a JSON number`},
		{`{"algos": ["gaea-darts"], "jobs": "2"}`, `key "jobs": want an integer, got a JSON string`},
		{"{\n\"algos\": [\n}", "not valid JSON (line 3"},
		{`{"algos": ["gaea-darts"]`, "not valid JSON (it ends too early)"},
		{``, "empty (no JSON value)"},
		{`["gaea-darts"]`, "want an object, got a JSON array"},
		{`{"algos": ["a"]} {}`, "more than one JSON value"},
		{`{"algos": ["gaea-darts"], "cells": [{"name": "x"}]}`, "cells are derived from the grid"},
	} {
		path := filepath.Join(dir, "spec.json")
		if err := os.WriteFile(path, []byte(c.body), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := ReadSpecFile(path)
		if !errors.Is(err, ErrBadSpec) || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: error %v, want one line with %q", c.body, err, c.want)
		}
		if err != nil && (strings.Contains(err.Error(), "Go struct") || strings.Contains(err.Error(), "Spec.")) {
			t.Errorf("%q: Go internals in %q", c.body, err)
		}
	}
	if _, err := ReadSpecFile(filepath.Join(dir, "missing.json")); !errors.Is(err, ErrBadSpec) || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("missing file: %v", err)
	}
}

// Slurm options sbatch would refuse, or that would break the script, are refused before a script is
// written; a comma inside one --slurm-opt is one option (one #SBATCH line).
func TestSlurmOptionsCheck(t *testing.T) {
	for _, o := range []SlurmOptions{
		{Time: "4:00:00"}, {Time: "30"}, {Time: "1-12"}, {Time: "2-00:30:00"}, {Time: "UNLIMITED"}, {Mem: "8G"}, {Mem: "16000"},
		{Partition: "gpu,long"}, {Extra: []string{"--qos=a,b", "--mail-type=END,FAIL", "-C", "--exclusive"}}, {CPUs: 8, GPUs: 1, MaxParallel: 4},
	} {
		if err := o.Check(); err != nil {
			t.Errorf("%+v: %v", o, err)
		}
	}
	for _, c := range []struct {
		o    SlurmOptions
		want string
	}{
		{SlurmOptions{Time: "forever"}, `--slurm-time "forever"`},
		{SlurmOptions{Time: "4h"}, `--slurm-time "4h"`},
		{SlurmOptions{Time: "1:2:3:4"}, "--slurm-time"},
		{SlurmOptions{Mem: "lots"}, `--slurm-mem "lots"`},
		{SlurmOptions{Mem: "8 G"}, "--slurm-mem"},
		{SlurmOptions{CPUs: -1}, "--slurm-cpus -1"},
		{SlurmOptions{GPUs: -1}, "--slurm-gpus -1"},
		{SlurmOptions{MaxParallel: -1}, "--slurm-max-parallel -1"},
		{SlurmOptions{Partition: "a b"}, "--slurm-partition"},
		{SlurmOptions{Account: "x'y"}, "--slurm-account"},
		{SlurmOptions{JobName: "a\nb"}, "--slurm-job-name"},
		{SlurmOptions{Extra: []string{"qos=long"}}, "want one sbatch option"},
		{SlurmOptions{Extra: []string{"b"}}, "want one sbatch option"},
		{SlurmOptions{Extra: []string{"--qos=a\nb"}}, "one word"},
		{SlurmOptions{Extra: []string{"--comment=a b"}}, "one word"},
		{SlurmOptions{Extra: []string{"--array=0-3"}}, "sets it itself"},
		{SlurmOptions{Extra: []string{"--output=x"}}, "sets it itself"},
		{SlurmOptions{Extra: []string{"--time=1:00"}}, "use --slurm-time"},
		{SlurmOptions{Extra: []string{"-p", "gpu"}}, "use --slurm-partition"},
		{SlurmOptions{Extra: []string{"--gres=gpu:2"}}, "use --slurm-gpus"},
	} {
		if err := c.o.Check(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.o, err, c.want)
		}
	}
	sw, err := Plan(filepath.Join(t.TempDir(), "sw"), &Spec{Algos: []string{"gaea-darts"}, Spaces: []string{"tiny"}})
	if err != nil {
		t.Fatal(err)
	}
	var extra Repeated
	for _, v := range []string{"--qos=a,b", "--mail-type=END,FAIL"} {
		if err := extra.Set(v); err != nil {
			t.Fatal(err)
		}
	}
	script, err := sw.SlurmScript(SlurmOptions{Binary: "/bin/echo", Extra: extra}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(script, "#SBATCH --qos=a,b\n") || !strings.Contains(script, "#SBATCH --mail-type=END,FAIL\n") || strings.Contains(script, "#SBATCH b\n") {
		t.Errorf("script:\n%s", script)
	}
	if _, err := sw.SlurmScript(SlurmOptions{Binary: "/bin/echo", Time: "forever"}, nil); err == nil {
		t.Error("SlurmScript took --slurm-time forever")
	}
}

// sweep.json keeps --jobs: Open writes it, SetJobs changes it, a reopened sweep has it.
func TestSpecJobs(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sw")
	if _, err := Open(dir, &Spec{Algos: []string{"darts"}, Spaces: []string{"tiny"}, Jobs: 3}); err != nil {
		t.Fatal(err)
	}
	sw, err := Open(dir, nil)
	if err != nil || sw.Spec.Jobs != 3 {
		t.Fatalf("reopened: jobs %d, %v", sw.Spec.Jobs, err)
	}
	if err := sw.SetJobs(5); err != nil {
		t.Fatal(err)
	}
	if sw, err = Open(dir, &Spec{Algos: []string{"darts"}, Spaces: []string{"tiny"}}); err != nil || sw.Spec.Jobs != 5 {
		t.Fatalf("the same grid again: jobs %d, %v", sw.Spec.Jobs, err)
	}
}

// Runs on "embedded" and on "cifar10-sample" (one data set under two names) make one table; a row of
// one seed shows no standard deviation ("± —" in the tables, an empty std in the CSV), a row of two
// shows it.
func TestAggregateAliasesAndOneSeed(t *testing.T) {
	dir := t.TempDir()
	arch := "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_1x1~0|nor_conv_3x3~1|nor_conv_3x3~2|"
	for _, r := range []struct {
		name, algo, dataset string
		seed                int64
		entropy             float64
	}{
		{"a", "gaea-darts", "embedded", 0, 1.0},
		{"b", "gaea-darts", "cifar10-sample", 1, 1.2},
		{"c", "darts", "embedded", 0, 1.5},
	} {
		d := filepath.Join(dir, r.name)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		s := experiment.Settings{Space: "nb201", Algo: experiment.Algo(r.algo), Level: gaea.SingleLevel, Dataset: r.dataset, ArchLR: 0.1, AugmentArch: true}
		theta := [][]float64{{0.5, 0.5}}
		res := experiment.Result{Space: "nb201", Algo: experiment.Algo(r.algo), Level: gaea.SingleLevel, Dataset: r.dataset, Seed: r.seed,
			Genotype: arch, ArchWeights: theta, Entropy: r.entropy, Settings: s, Seconds: 10}
		writeRun(t, d, s, res)
	}
	agg, err := AggregateDir(dir, AggregateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(agg.Tables) != 1 || agg.Tables[0].Dataset != "cifar10-sample" || len(agg.Tables[0].Rows) != 2 {
		t.Fatalf("tables %+v, want one on cifar10-sample with two rows", agg.Tables)
	}
	var text, csv bytes.Buffer
	if err := agg.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := agg.WriteCSV(&csv); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"1.100 ± 0.141", "1.500 ± —"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
	if strings.Contains(text.String(), "± 0.000") {
		t.Errorf("a zero std is shown:\n%s", text.String())
	}
	if !strings.Contains(agg.HTML(), "1.500 ± —") {
		t.Error("aggregate.html shows a std for one seed")
	}
	lines := strings.Split(strings.TrimSpace(csv.String()), "\n")
	head := strings.Split(lines[0], ",")
	col := -1
	for i, h := range head {
		if h == "mean_entropy_std" {
			col = i
		}
	}
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		switch f[2] {
		case "darts":
			if f[col] != "" {
				t.Errorf("one seed: std %q in the CSV, want empty", f[col])
			}
		case "gaea-darts":
			if f[col] == "" {
				t.Errorf("two seeds: no std in the CSV")
			}
		}
	}
}
