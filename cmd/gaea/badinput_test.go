package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/gaeanas/gaeanas/experiment"
	"github.com/gaeanas/gaeanas/rundir"
	"github.com/gaeanas/gaeanas/scratch"
	"github.com/gaeanas/gaeanas/sweep"
)

// badCase is one bad command line: the exit code it must end with (2 usage, 1 failure), a piece of
// its one-line error, and extra environment.
type badCase struct {
	args []string
	code int
	want string
	env  []string
}

// badFixtures are the paths the bad command lines name (folders of each kind, spec files), made once
// outside the working directory of the cases; nothing may change them.
type badFixtures struct {
	root, file, search, train, sweep, empty, data, badJSON, missing, specs string
	// nb201 is an NB201 search that has not reached its first checkpoint (nothing to rank yet).
	nb201 string
}

const fixtureArch = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"

func makeBadFixtures(t *testing.T) badFixtures {
	t.Helper()
	root := t.TempDir()
	f := badFixtures{root: root, file: filepath.Join(root, "file"), search: filepath.Join(root, "search"), train: filepath.Join(root, "train"),
		sweep: filepath.Join(root, "sweep"), empty: filepath.Join(root, "empty"), data: filepath.Join(root, "data"),
		badJSON: filepath.Join(root, "badjson"), missing: filepath.Join(root, "missing"), specs: filepath.Join(root, "specs"),
		nb201: filepath.Join(root, "nb201")}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []string{f.search, f.train, f.empty, f.data, f.badJSON, f.specs, f.nb201} {
		must(os.MkdirAll(d, 0o755))
	}
	must(os.WriteFile(f.file, []byte("a file\n"), 0o644))
	st, err := experiment.Defaults(experiment.Quick, "tiny", experiment.GAEADARTS, "")
	must(err)
	must(rundir.WriteJSON(filepath.Join(f.search, experiment.SettingsFile), st))
	nb, err := experiment.Defaults(experiment.Quick, "nb201", experiment.GAEADARTS, "")
	must(err)
	must(rundir.WriteJSON(filepath.Join(f.nb201, experiment.SettingsFile), nb))
	must(rundir.WriteJSON(filepath.Join(f.train, experiment.SettingsFile), scratch.Settings{Space: "nb201", Genotype: fixtureArch,
		Dataset: "cifar10-sample", Epochs: 1, Batch: 16, LR: 0.1, Channels: 4, Cells: 1, CheckpointEvery: "1"}))
	must(os.WriteFile(filepath.Join(f.badJSON, experiment.SettingsFile), []byte("{not json"), 0o644))
	_, err = sweep.Open(f.sweep, &sweep.Spec{Algos: []string{"gaea-darts"}, Spaces: []string{"tiny"}, Args: []string{"--preset=quick"}})
	must(err)
	for name, body := range map[string]string{
		"nope":       `{"algos": ["nope"]}`,
		"frob":       `{"algos": ["gaea-darts"], "frob": 1}`,
		"type":       `{"algos": "x"}`,
		"seedstr":    `{"algos": ["gaea-darts"], "seeds": ["1"]}`,
		"syntax":     "{\n  \"algos\": [\n}",
		"args":       `{"algos": ["gaea-darts"], "args": ["--epochs=abc"]}`,
		"negative":   `{"algos": ["gaea-darts"], "args": ["--epochs=-3"]}`,
		"cells":      `{"algos": ["gaea-darts"], "cells": [{"name": "x"}]}`,
		"reserved":   `{"algos": ["gaea-darts"], "args": ["--seed=3"]}`,
		"lr0":        `{"algos": ["gaea-darts"], "arch_lrs": [0]}`,
		"noalgos":    `{"seeds": [1]}`,
		"dupseed":    `{"algos": ["gaea-darts"], "seeds": [1, 1]}`,
		"backend":    `{"algos": ["gaea-darts"], "args": ["--backend=tpu"]}`,
		"twovalues":  `{"algos": ["gaea-darts"]} {"algos": ["darts"]}`,
		"empty":      ``,
		"emptyarg":   `{"algos": ["gaea-darts"], "args": ["--data-dir="]}`,
		"positional": `{"algos": ["gaea-darts"], "args": ["epochs"]}`,
		"pcdarts":    `{"algos": ["pcdarts"], "spaces": ["nb201"]}`,
		"dataset":    `{"algos": ["gaea-darts"], "datasets": ["cifar11"]}`,
		"space":      `{"algos": ["gaea-darts"], "spaces": ["nb202"]}`,
	} {
		must(os.WriteFile(filepath.Join(f.specs, name+".json"), []byte(body), 0o644))
	}
	return f
}

// snapshot lists every path under root with its size, mode and modification time.
func snapshot(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s %d %v %d\n", p, fi.Size(), fi.Mode(), fi.ModTime().UnixNano())
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// badInputCases is the table: every command, bad flags, values, names, paths and combinations.
func badInputCases(f badFixtures) []badCase {
	spec := func(name string) string { return filepath.Join(f.specs, name+".json") }
	ro := "/proc/gaea-badinput-test" // a place no one can make a folder in, root included
	c := func(code int, want string, args ...string) badCase {
		return badCase{args: args, code: code, want: want}
	}
	cases := []badCase{
		// gaea search: flags, values and names (2).
		c(2, "flag provided but not defined: -nope", "search", "--nope"),
		c(2, `unexpected argument "extra"`, "search", "extra"),
		c(2, "--epochs must be at least 1, got -3", "search", "--epochs", "-3"),
		c(2, "--epochs must be at least 1, got 0", "search", "--epochs", "0"),
		c(2, "want an integer", "search", "--epochs", "abc"),
		c(2, "want an integer", "search", "--epochs", "1e9"),
		c(2, "epochs must be in [1, 100000]", "search", "--epochs", "1000000"),
		c(2, "--batch must be at least 1", "search", "--batch", "0"),
		c(2, "--batch must be at least 1", "search", "--batch", "-1"),
		c(2, "--channels must be at least 1", "search", "--channels", "0"),
		c(2, `--space "x"`, "search", "--space", "x"),
		c(2, `--algo "x"`, "search", "--algo", "x"),
		c(2, `--preset "fast": want quick or paper`, "search", "--preset", "fast"),
		c(2, `dataset "cifar11"`, "search", "--dataset", "cifar11"),
		c(2, `level "tri"`, "search", "--level", "tri"),
		c(2, "weight-lr must be a positive number", "search", "--weight-lr", "-1"),
		c(2, "weight-lr must be a positive number", "search", "--weight-lr", "NaN"),
		c(2, "weight-lr must be a positive number", "search", "--weight-lr", "inf"),
		c(2, "want a number", "search", "--weight-lr", "fast"),
		c(2, "momentum must be below 1", "search", "--momentum", "1"),
		c(2, "arch-lr must be a positive number", "search", "--arch-lr", "0"),
		c(2, "flag provided but not defined: -train-images", "search", "--train-images", "5"),
		c(2, "flag provided but not defined: -valid-images", "search", "--valid-images", "5"),
		c(2, "flag provided but not defined: -arch-optimizer", "search", "--arch-optimizer", "adam"),
		c(2, "want true or false", "search", "--nesterov=maybe"),
		c(2, `unexpected argument "maybe"`, "search", "--nesterov", "maybe"),
		c(2, "--out '': empty value", "search", "--out", ""),
		c(2, "--out '': empty value", "search", "--out="),
		c(2, "--resume '': empty value", "search", "--resume", ""),
		c(2, "--data-dir '': empty value", "search", "--data-dir", ""),
		c(2, "--backend '': empty value", "search", "--backend", ""),
		c(2, "--dataset '': empty value", "search", "--dataset", ""),
		c(2, "--level '': empty value", "search", "--level", ""),
		c(2, "--preset '': empty value", "search", "--preset", ""),
		c(2, "--space '': empty value", "search", "--space", ""),
		c(2, "--cpuprofile '': empty value", "search", "--cpuprofile", ""),
		c(2, `--backend "tpu": unknown backend`, "search", "--backend", "tpu"),
		c(2, `--backend "tpu": unknown backend`, "search", "--backend", "tpu", "--dry-run"),
		c(2, "needs one of the spaces darts, nb1shot1-1, nb1shot1-2, nb1shot1-3", "search", "--algo", "pcdarts"),
		c(2, "needs one of the spaces darts, nb1shot1-1, nb1shot1-2, nb1shot1-3", "search", "--algo", "gaea-pcdarts", "--space", "tiny"),
		c(2, "rsws samples one op per edge", "search", "--algo", "rsws", "--space", "darts"),
		c(2, "--cells must be at least 1", "search", "--space", "tiny", "--cells", "0"),
		c(2, "the darts space needs at least 3", "search", "--space", "darts", "--cells", "2", "--preset", "quick"),
		c(2, "--schedule-epochs 2 is shorter than --epochs 5", "search", "--epochs", "5", "--schedule-epochs", "2"),
		c(2, "leaves no architecture step", "search", "--epochs", "5", "--warmup-epochs", "5"),
		c(2, "partial-channels must be in [0, 64]", "search", "--partial-channels", "100"),
		c(2, "tau-max must be a number ≥ 0", "search", "--algo", "gdas", "--tau-max", "-1"),
		c(2, "checkpoint-every must be in [0,", "search", "--checkpoint-every", "-1"),
		c(2, `invalid value "x" for flag -seed`, "search", "--seed", "x"),
		c(2, "subset must be in [0,", "search", "--subset", "-1"),
		c(2, "second-order gradient needs a weighted sum", "search", "--algo", "gdas", "--second-order"),
		c(2, "edge weights (β) exist in one of the spaces darts, nb1shot1-1, nb1shot1-2, nb1shot1-3 only, not nb201", "search", "--edge-weights"),
		c(2, "--weight-lr-min 1 is above --weight-lr 0.1", "search", "--weight-lr", "0.1", "--weight-lr-min", "1"),
		c(2, "valid-batch must be at least 1", "search", "--algo", "rsws", "--valid-batch", "0"),
		c(2, "schedule-offset must be in [0, 1]", "search", "--schedule-offset", "2"),
		c(2, "--resume "+f.file+": a file, not a run folder", "search", "--resume", f.file),
		c(2, "a training run folder, not a search run; continue it with gaea train --resume", "search", "--resume", f.train),
		c(2, "a sweep folder; continue it with gaea sweep --out", "search", "--resume", f.sweep),
		c(2, "not a run folder (no settings.json)", "search", "--resume", f.empty),
		c(2, "no such folder", "search", "--resume", f.missing),
		c(2, "describes neither a search nor a training run", "search", "--resume", f.badJSON),
		c(2, "drop --epochs", "search", "--resume", f.search, "--epochs", "3"),
		c(2, "drop --preset", "search", "--resume", f.search, "--preset", "quick"),
		c(2, `--backend "tpu": unknown backend`, "search", "--resume", f.search, "--backend", "tpu"),
		c(2, "a file, not a folder", "search", "--out", f.file),
		c(2, "already holds a run (a search; continue it with gaea search --resume", "search", "--out", f.search),
		c(2, "already holds a run (a training; continue it with gaea train --resume", "search", "--out", f.train),
		c(2, "a sweep folder; choose another folder", "search", "--out", f.sweep),
		c(2, "is a file, not a folder", "search", "--out", filepath.Join(f.file, "run")),
		{args: []string{"search", "--epochs", "2"}, code: 2, want: "GAEA_CHECKPOINT_INTERVAL=\"forever\"", env: []string{"GAEA_CHECKPOINT_INTERVAL=forever"}},
		// NAS-Bench-1Shot1: the spaces, their algorithms, options and benchmark file.
		c(2, `--space "nb1shot3": want one of darts, nb1shot1-1, nb1shot1-2, nb1shot1-3, nb201, tiny`, "search", "--space", "nb1shot3"),
		c(2, "algo gdas samples one op per edge; the nb1shot1-1 supernet takes weighted mixtures only: use it with one of the spaces darts, nb201, tiny", "search", "--space", "nb1shot1-1", "--algo", "gdas"),
		c(2, "algo gaea-gdas samples one op per edge", "search", "--space", "nb1shot1-3", "--algo", "gaea-gdas"),
		c(2, "algo rsws samples one op per edge", "search", "--space", "nb1shot1-2", "--algo", "rsws"),
		c(2, "NAS-Bench-1Shot1's choice nodes have no none op", "search", "--space", "nb1shot1-1", "--with-none"),
		c(2, "chooses every node's parents by its β rows", "search", "--space", "nb1shot1-2", "--edge-weights=false"),
		c(2, "--partial-channels 3", "search", "--space", "nb1shot1-1", "--algo", "pcdarts", "--partial-channels", "3", "--preset", "quick"),
		c(2, "--nb101 names the benchmark file of nb1shot1-1, nb1shot1-2, nb1shot1-3, not of nb201", "search", "--nb101", f.file),
		c(2, "--nb101 "+f.missing+": no such file (want the NAS-Bench-101 file nasbench_only108.tfrecord)", "search", "--space", "nb1shot1-1", "--nb101", f.missing, "--out", "run"),
		c(2, "--nb101 "+f.empty+": a folder, want the NAS-Bench-101 file", "search", "--space", "nb1shot1-1", "--nb101", f.empty, "--out", "run"),
		c(2, "--nb101 '': empty value", "search", "--space", "nb1shot1-1", "--nb101", ""),
		{args: []string{"search", "--space", "nb1shot1-2", "--out", "run"}, code: 2, want: "$GAEA_NB101 " + f.missing + ": no such file", env: []string{"GAEA_NB101=" + f.missing}},
		c(2, "drop --epochs", "search", "--resume", f.search, "--nb101", f.file, "--epochs", "3"),
		// gaea search: right command line, but the data set, the backend or the folder is not there (1).
		c(1, "no ImageNet16", "search", "--preset", "quick", "--dataset", "imagenet16-120", "--data-dir", f.data, "--out", "run"),
		c(1, "no ImageNet16", "search", "--preset", "quick", "--dataset", "imagenet16-120", "--out", "run"),
		c(1, "--backend xla: this gaea was built without XLA", "search", "--preset", "quick", "--backend", "xla", "--out", "run"),
		c(1, "--backend xla:cuda: this gaea was built without XLA", "search", "--preset", "quick", "--backend", "xla:cuda", "--out", "run"),
		c(1, "the folder cannot be made", "search", "--preset", "quick", "--out", ro+"/run"),

		// gaea presets.
		c(2, "flag provided but not defined: -nope", "presets", "--nope"),
		c(2, `unexpected argument "nb201"`, "presets", "nb201"),
		c(2, `--preset "fast": want quick or paper`, "presets", "--preset", "fast"),
		c(2, `--space "x"`, "presets", "--space", "x"),
		c(2, `--algo "x"`, "presets", "--algo", "x"),
		c(2, `--dataset: unknown data set "cifar11"`, "presets", "--dataset", "cifar11"),
		c(2, "needs one of the spaces darts, nb1shot1-1, nb1shot1-2, nb1shot1-3", "presets", "--space", "nb201", "--algo", "pcdarts"),
		c(2, "invalid boolean value", "presets", "--json=maybe"),
		c(2, "--preset '': empty value", "presets", "--preset", ""),
		c(2, "--space '': empty value", "presets", "--space", ""),
		c(2, "--dataset '': empty value", "presets", "--dataset", ""),
		c(2, "--algo '': empty value", "presets", "--algo="),

		// gaea report.
		c(2, "want one run folder, got 0", "report"),
		c(2, "want one run folder, got 2", "report", f.search, f.sweep),
		c(2, "empty folder name", "report", ""),
		c(2, "no such folder", "report", f.missing),
		c(2, "a file, not a run folder", "report", f.file),
		c(2, "a training run folder; gaea report writes the report of a search run or a sweep", "report", f.train),
		c(2, "not a search run folder (no settings.json)", "report", f.empty),
		c(2, "describes no search", "report", f.badJSON),
		c(2, "flag provided but not defined: -nope", "report", "--nope"),
		c(2, "--nb101 "+f.missing+": no such file (want the NAS-Bench-101 file nasbench_only108.tfrecord)", "report", f.search, "--nb101", f.missing),
		c(2, "--nb101 "+f.empty+": a folder, want the NAS-Bench-101 file", "report", f.sweep, "--nb101", f.empty),

		// gaea sweep: the grid, the search flags of every cell, the Slurm options, the folder.
		c(2, "--out DIR is required", "sweep", "--algos", "gaea-darts"),
		c(2, "--out '': empty value", "sweep", "--out", "", "--algos", "gaea-darts"),
		c(2, "a file, not a folder", "sweep", "--out", f.file, "--algos", "gaea-darts"),
		c(2, "a search run folder, not a sweep", "sweep", "--out", f.search, "--algos", "gaea-darts"),
		c(2, "a training run folder, not a sweep", "sweep", "--out", f.train, "--algos", "gaea-darts"),
		c(2, "is a file, not a folder", "sweep", "--out", filepath.Join(f.file, "sw"), "--algos", "gaea-darts"),
		c(2, "not a sweep folder", "sweep", "--out", f.empty),
		c(2, "not a sweep folder", "sweep", "--out", "sw"),
		c(2, "different sweep", "sweep", "--out", f.sweep, "--algos", "darts", "--space", "tiny"),
		c(2, `algos: "foo" is not an algorithm`, "sweep", "--out", "sw", "--algos", "gaea-darts,foo"),
		c(2, `algos: "foo" is not an algorithm`, "sweep", "--out", "sw", "--algos", "gaea-darts,foo", "--dry-run"),
		c(2, `algos: "foo" is not an algorithm`, "sweep", "--out", "sw", "--algo", "foo"),
		c(2, "empty item", "sweep", "--out", "sw", "--algos", "gaea-darts,"),
		c(2, `"darts" is listed twice`, "sweep", "--out", "sw", "--algos", "darts,darts"),
		c(2, `want integers, got "x"`, "sweep", "--out", "sw", "--algos", "darts", "--seeds", "x"),
		c(2, `bad range "3-1"`, "sweep", "--out", "sw", "--algos", "darts", "--seeds", "3-1"),
		c(2, "seed 1 is listed twice", "sweep", "--out", "sw", "--algos", "darts", "--seeds", "1,1"),
		c(2, `spaces: "x" is not a search space`, "sweep", "--out", "sw", "--algos", "darts", "--spaces", "x"),
		c(2, `datasets: unknown data set "cifar11"`, "sweep", "--out", "sw", "--algos", "darts", "--datasets", "cifar11"),
		c(2, "are the same data set", "sweep", "--out", "sw", "--algos", "darts", "--datasets", "embedded,cifar10-sample"),
		c(2, "arch lr -1: want a positive number", "sweep", "--out", "sw", "--algos", "darts", "--arch-lrs", "-1"),
		c(2, "arch lr NaN: want a positive number", "sweep", "--out", "sw", "--algos", "darts", "--arch-lrs", "nan"),
		c(2, `want numbers, got "x"`, "sweep", "--out", "sw", "--algos", "darts", "--arch-lrs", "x"),
		c(2, "--epochs must be at least 1, got -3", "sweep", "--out", "sw", "--algos", "gaea-darts", "--epochs", "-3"),
		c(2, "--epochs must be at least 1, got -3", "sweep", "--out", "sw", "--algos", "gaea-darts", "--epochs", "-3", "--dry-run"),
		c(2, "want an integer", "sweep", "--out", "sw", "--algos", "gaea-darts", "--epochs", "abc"),
		c(2, "flag provided but not defined: -train-images", "sweep", "--out", "sw", "--algos", "gaea-darts", "--train-images", "3"),
		c(2, "cell nb201-pcdarts-s1: algo pcdarts needs one of the spaces darts, nb1shot1-1, nb1shot1-2, nb1shot1-3", "sweep", "--out", "sw", "--algos", "gaea-darts,pcdarts"),
		c(2, "cell darts-rsws-s1: algo rsws samples one op per edge", "sweep", "--out", "sw", "--algos", "rsws", "--spaces", "darts"),
		c(2, `--preset "fast"`, "sweep", "--out", "sw", "--algos", "gaea-darts", "--preset", "fast"),
		c(2, `dataset "cifar11"`, "sweep", "--out", "sw", "--algos", "gaea-darts", "--dataset", "cifar11"),
		c(2, `--backend: unknown backend "tpu"`, "sweep", "--out", "sw", "--algos", "gaea-darts", "--backend", "tpu"),
		c(2, "--backend '': empty value", "sweep", "--out", "sw", "--algos", "gaea-darts", "--backend", ""),
		c(2, "--dataset '': empty value", "sweep", "--out", "sw", "--algos", "gaea-darts", "--dataset", ""),
		c(2, "--data-dir '': empty value", "sweep", "--out", "sw", "--algos", "gaea-darts", "--data-dir", ""),
		c(2, "set per cell", "sweep", "--out", "sw", "--algos", "darts", "--datasets", "cifar10", "--dataset", "mnist"),
		c(2, `--executor "cloud": want local or slurm`, "sweep", "--out", "sw", "--algos", "darts", "--executor", "cloud"),
		c(2, "--jobs must be in [1, 256], got 0", "sweep", "--out", "sw", "--algos", "darts", "--jobs", "0"),
		c(2, "--jobs must be in [1, 256], got 100000", "sweep", "--out", "sw", "--algos", "darts", "--jobs", "100000"),
		c(2, "--jobs is for --executor local", "sweep", "--out", "sw", "--algos", "darts", "--executor", "slurm", "--jobs", "2"),
		c(2, "--slurm-time is for --executor slurm", "sweep", "--out", "sw", "--algos", "darts", "--slurm-time", "4:00:00"),
		c(2, `--slurm-time "forever"`, "sweep", "--out", "sw", "--algos", "darts", "--executor", "slurm", "--slurm-time", "forever", "--dry-run"),
		c(2, `--slurm-time "4h"`, "sweep", "--out", "sw", "--algos", "darts", "--executor", "slurm", "--slurm-time", "4h"),
		c(2, `--slurm-mem "lots"`, "sweep", "--out", "sw", "--algos", "darts", "--executor", "slurm", "--slurm-mem", "lots"),
		c(2, "--slurm-cpus -1", "sweep", "--out", "sw", "--algos", "darts", "--executor", "slurm", "--slurm-cpus", "-1"),
		c(2, "--slurm-gpus -2", "sweep", "--out", "sw", "--algos", "darts", "--executor", "slurm", "--slurm-gpus", "-2"),
		c(2, "--slurm-max-parallel -1", "sweep", "--out", "sw", "--algos", "darts", "--executor", "slurm", "--slurm-max-parallel", "-1"),
		c(2, `--slurm-partition "a b"`, "sweep", "--out", "sw", "--algos", "darts", "--executor", "slurm", "--slurm-partition", "a b"),
		c(2, `--slurm-account "x'y"`, "sweep", "--out", "sw", "--algos", "darts", "--executor", "slurm", "--slurm-account", "x'y"),
		c(2, "--slurm-job-name '': empty value", "sweep", "--out", "sw", "--algos", "darts", "--executor", "slurm", "--slurm-job-name", ""),
		c(2, `--slurm-opt "qos=long": want one sbatch option`, "sweep", "--out", "sw", "--algos", "darts", "--executor", "slurm", "--slurm-opt", "qos=long"),
		c(2, "--slurm-opt --array: the sweep's script sets it itself", "sweep", "--out", "sw", "--algos", "darts", "--executor", "slurm", "--slurm-opt", "--array=1-3"),
		c(2, "--slurm-opt --time: use --slurm-time", "sweep", "--out", "sw", "--algos", "darts", "--executor", "slurm", "--slurm-opt", "--time=1:00"),
		c(2, "one word without spaces", "sweep", "--out", "sw", "--algos", "darts", "--executor", "slurm", "--slurm-opt", "--comment=a b"),
		c(2, "one word without spaces", "sweep", "--out", "sw", "--algos", "darts", "--executor", "slurm", "--slurm-opt", "--qos=a\nb"),
		c(2, `algos: "nope" is not an algorithm`, "sweep", "--out", "sw", "--spec", spec("nope")),
		c(2, `unknown key "frob" (a grid has algos`, "sweep", "--out", "sw", "--spec", spec("frob")),
		c(2, `key "algos": want a list of strings, got a JSON string`, "sweep", "--out", "sw", "--spec", spec("type")),
		c(2, `key "seeds": want an integer, got a JSON string`, "sweep", "--out", "sw", "--spec", spec("seedstr")),
		c(2, "not valid JSON (line 3", "sweep", "--out", "sw", "--spec", spec("syntax")),
		c(2, `invalid value "abc" for flag -epochs`, "sweep", "--out", "sw", "--spec", spec("args")),
		c(2, "--epochs must be at least 1, got -3", "sweep", "--out", "sw", "--spec", spec("negative"), "--dry-run"),
		c(2, "cells are derived from the grid", "sweep", "--out", "sw", "--spec", spec("cells")),
		c(2, "--seed=3 is set per cell", "sweep", "--out", "sw", "--spec", spec("reserved")),
		c(2, "arch lr 0: want a positive number", "sweep", "--out", "sw", "--spec", spec("lr0")),
		c(2, "no algorithms", "sweep", "--out", "sw", "--spec", spec("noalgos")),
		c(2, "seed 1 is listed twice", "sweep", "--out", "sw", "--spec", spec("dupseed")),
		c(2, `unknown backend "tpu"`, "sweep", "--out", "sw", "--spec", spec("backend")),
		c(2, "more than one JSON value", "sweep", "--out", "sw", "--spec", spec("twovalues")),
		c(2, "empty (no JSON value)", "sweep", "--out", "sw", "--spec", spec("empty")),
		c(2, "--data-dir '': empty value", "sweep", "--out", "sw", "--spec", spec("emptyarg")),
		c(2, `unexpected argument "epochs"`, "sweep", "--out", "sw", "--spec", spec("positional")),
		c(2, "needs one of the spaces darts, nb1shot1-1, nb1shot1-2, nb1shot1-3", "sweep", "--out", "sw", "--spec", spec("pcdarts")),
		c(2, `unknown data set "cifar11"`, "sweep", "--out", "sw", "--spec", spec("dataset")),
		c(2, `"nb202" is not a search space`, "sweep", "--out", "sw", "--spec", spec("space")),
		c(2, "no such file", "sweep", "--out", "sw", "--spec", filepath.Join(f.specs, "missing.json")),
		c(2, "--spec takes the whole grid", "sweep", "--out", "sw", "--spec", spec("nope"), "--algos", "darts"),
		c(2, "--spec '': empty value", "sweep", "--out", "sw", "--spec", ""),
		c(2, "--binary "+f.missing+": no such program", "sweep", "--out", "sw", "--algos", "darts", "--binary", f.missing),
		c(2, `unexpected argument "darts"`, "sweep", "--out", "sw", "darts"),
		c(2, "flag provided but not defined: -nope", "sweep", "--nope"),
		c(1, "the folder cannot be made", "sweep", "--out", ro+"/sw", "--algos", "gaea-darts", "--space", "tiny", "--preset", "quick"),
		{args: []string{"sweep", "--out", "sw", "--algos", "gaea-darts,foo", "--executor", "slurm"}, code: 2,
			want: `"foo" is not an algorithm`, env: []string{"PATH=" + filepath.Join(ro, "bin")}}, // the usage error first
		{args: []string{"sweep", "--out", "sw", "--algos", "gaea-darts", "--executor", "slurm", "--slurm-time", "4h"}, code: 2,
			want: `--slurm-time "4h"`, env: []string{"PATH=" + filepath.Join(ro, "bin")}},
		{args: []string{"sweep", "--out", "sw", "--algos", "gaea-darts", "--space", "tiny", "--preset", "quick", "--executor", "slurm"}, code: 1,
			want: "sbatch not found (is this a Slurm login node?)", env: []string{"PATH=" + filepath.Join(ro, "bin")}},

		// gaea sweep status.
		c(2, "want one sweep folder, got 0", "sweep", "status"),
		c(2, "want one sweep folder, got 2", "sweep", "status", f.sweep, f.sweep),
		c(2, "empty folder name", "sweep", "status", ""),
		c(2, "not a sweep folder", "sweep", "status", f.missing),
		c(2, "not a sweep folder", "sweep", "status", f.file),
		c(2, "not a sweep folder", "sweep", "status", f.search),
		c(2, "not a sweep folder", "sweep", "status", f.empty),
		c(2, "flag provided but not defined: -nope", "sweep", "status", f.sweep, "--nope"),
		c(2, "invalid boolean value", "sweep", "status", f.sweep, "--json=x"),

		// gaea aggregate.
		c(2, "want one sweep folder, got 0", "aggregate"),
		c(2, "empty folder name", "aggregate", ""),
		c(2, "want one sweep folder, got 2", "aggregate", f.sweep, f.empty),
		c(2, "not a sweep folder (no such folder)", "aggregate", f.missing),
		c(2, "a file, not a folder", "aggregate", f.file),
		c(2, "a search run folder, not a sweep", "aggregate", f.search),
		c(2, "a training run folder, not a sweep", "aggregate", f.train),
		c(2, "no subfolder holds a search run", "aggregate", f.empty),
		c(2, "flag provided but not defined: -nope", "aggregate", f.sweep, "--nope"),
		c(2, "--nb101: "+f.sweep+" has no run of a space whose benchmark file it names", "aggregate", f.sweep, "--nb101", f.file),

		// gaea train.
		c(2, "nothing to train", "train"),
		c(2, `unexpected argument "extra"`, "train", "--arch", fixtureArch, "extra"),
		c(2, "flag provided but not defined: -nope", "train", "--nope"),
		c(2, "--arch: nb201: parse", "train", "--arch", "x"),
		c(2, "give --arch (nb201) or --genotype (darts), not both", "train", "--arch", fixtureArch, "--genotype", "DARTS_V2"),
		c(2, "--arch is for --space nb201", "train", "--space", "darts", "--arch", fixtureArch),
		c(2, "--genotype is for --space darts", "train", "--space", "nb201", "--genotype", "DARTS_V2"),
		c(2, `--space "tiny" has no training protocol: want darts or nb201`, "train", "--space", "tiny", "--arch", fixtureArch),
		c(2, "--genotype:", "train", "--genotype", "nope"),
		c(2, "--arch is required for the nb201 space", "train", "--space", "nb201"),
		c(2, "--epochs must be at least 1, got 0", "train", "--arch", fixtureArch, "--epochs", "0"),
		c(2, "--epochs must be at least 1, got -1", "train", "--arch", fixtureArch, "--epochs", "-1"),
		c(2, `invalid value "abc" for flag -epochs`, "train", "--arch", fixtureArch, "--epochs", "abc"),
		c(2, "--batch must be at least 1", "train", "--arch", fixtureArch, "--batch", "0"),
		c(2, "--channels must be at least 1", "train", "--arch", fixtureArch, "--channels", "0"),
		c(2, "--weight-lr must be a positive number, got -1", "train", "--arch", fixtureArch, "--weight-lr", "-1"),
		c(2, "--weight-lr must be a positive number, got -1", "train", "--arch", fixtureArch, "--lr", "-1"),
		c(2, "--weight-lr must be a positive number, got +Inf", "train", "--arch", fixtureArch, "--weight-lr", "inf"),
		c(2, "--lr is the old name of --weight-lr; give one of them", "train", "--arch", fixtureArch, "--lr", "0.1", "--weight-lr", "0.1"),
		c(2, "--wd is the old name of --weight-decay; give one of them", "train", "--arch", fixtureArch, "--wd", "0", "--weight-decay", "0"),
		c(2, "--weight-decay must be a number ≥ 0", "train", "--arch", fixtureArch, "--weight-decay", "-1"),
		c(2, "--weight-decay must be a number ≥ 0", "train", "--arch", fixtureArch, "--wd", "-1"),
		c(2, "--grad-clip must be a number ≥ 0", "train", "--arch", fixtureArch, "--grad-clip", "-1"),
		c(2, "--drop-path must be below 1, got 1", "train", "--genotype", "DARTS_V2", "--drop-path", "1"),
		c(2, "--auxiliary is not a setting of the nb201 network", "train", "--arch", fixtureArch, "--auxiliary", "0.4"),
		c(2, "--cells 3 and --layers 4 disagree", "train", "--genotype", "DARTS_V2", "--cells", "3", "--layers", "4"),
		c(2, "--cutout must be in [0, 4096], got -1", "train", "--arch", fixtureArch, "--cutout", "-1"),
		c(2, "--subset must be in [0, ", "train", "--arch", fixtureArch, "--subset", "-1"),
		c(2, "--test-subset must be in [0, ", "train", "--arch", fixtureArch, "--test-subset", "-1"),
		c(2, `--dataset "cifar11"`, "train", "--arch", fixtureArch, "--dataset", "cifar11"),
		c(2, `--checkpoint-every "0"`, "train", "--arch", fixtureArch, "--checkpoint-every", "0"),
		c(2, `--checkpoint-every "3weeks"`, "train", "--arch", fixtureArch, "--checkpoint-every", "3weeks"),
		c(2, "--out '': empty value", "train", "--arch", fixtureArch, "--out", ""),
		c(2, "--resume '': empty value", "train", "--resume", ""),
		c(2, "--from '': empty value", "train", "--from", ""),
		c(2, "--data-dir '': empty value", "train", "--arch", fixtureArch, "--data-dir", ""),
		c(2, "--space '': empty value", "train", "--space", "", "--arch", fixtureArch),
		c(2, "--dataset '': empty value", "train", "--arch", fixtureArch, "--dataset", ""),
		c(2, "--backend '': empty value", "train", "--arch", fixtureArch, "--backend", ""),
		c(2, `--backend "tpu": unknown backend`, "train", "--arch", fixtureArch, "--backend", "tpu"),
		c(2, "a search run folder, not a training run; continue it with gaea search --resume", "train", "--resume", f.search),
		c(2, "a sweep folder; continue it with gaea sweep --out", "train", "--resume", f.sweep),
		c(2, "a file, not a run folder", "train", "--resume", f.file),
		c(2, "not a run folder (no settings.json)", "train", "--resume", f.empty),
		c(2, "no such folder", "train", "--resume", f.missing),
		c(2, "describes neither a search nor a training run", "train", "--resume", f.badJSON),
		c(2, "drop --epochs", "train", "--resume", f.train, "--epochs", "3"),
		c(2, "a file, not a folder", "train", "--arch", fixtureArch, "--out", f.file),
		c(2, "already holds a run (a search", "train", "--arch", fixtureArch, "--out", f.search),
		c(2, "already holds a run (a training", "train", "--arch", fixtureArch, "--out", f.train),
		c(2, "a sweep folder; choose another folder", "train", "--arch", fixtureArch, "--out", f.sweep),
		c(2, "no such run folder", "train", "--from", f.missing),
		c(2, "no result.json", "train", "--from", f.empty),
		c(2, "--from takes the architecture from", "train", "--from", f.search, "--arch", fixtureArch),
		c(1, "no ImageNet16", "train", "--arch", fixtureArch, "--dataset", "imagenet16-120", "--data-dir", f.data, "--out", "run"),
		c(1, "--backend xla: this gaea was built without XLA", "train", "--arch", fixtureArch, "--dataset", "cifar10-sample", "--backend", "xla", "--out", "run"),
		c(1, "the folder cannot be made", "train", "--arch", fixtureArch, "--dataset", "cifar10-sample", "--out", ro+"/run"),

		// gaea rank: the folder, then the options, all before the backend or the data are opened.
		c(2, "want one run folder, got 0 arguments", "rank"),
		c(2, "want one run folder, got 2 arguments", "rank", f.nb201, f.search),
		c(2, "empty folder name", "rank", ""),
		c(2, "no such folder", "rank", f.missing),
		c(2, "a file, not a run folder", "rank", f.file),
		c(2, "not a search run folder (no settings.json)", "rank", f.empty),
		c(2, "a training run folder; gaea rank ranks architectures on a search's supernet", "rank", f.train),
		c(2, "a sweep folder; rank one of its runs", "rank", f.sweep),
		c(2, "describes no search", "rank", f.badJSON),
		c(2, "the space has no benchmark to rank against (space tiny)", "rank", f.search),
		c(2, "no checkpoint yet: the shared weights to rank on are saved with the first checkpoint", "rank", f.nb201),
		c(2, "--top -1 and --random 100 must not be negative", "rank", f.nb201, "--top", "-1"),
		c(2, "the intervals need at least 5 architectures", "rank", f.nb201, "--top", "2", "--random", "2"),
		c(2, "--images 100 and --batch 128: want positive numbers, --batch dividing --images", "rank", f.nb201, "--images", "100"),
		c(2, "--images 512 and --batch 0", "rank", f.nb201, "--batch", "0"),
		c(2, "--level 1.5: want a number between 0 and 1", "rank", f.nb201, "--level", "1.5"),
		c(2, "--resamples 3: want at least 10", "rank", f.nb201, "--resamples", "3"),
		c(2, `NAS-Bench-201 has no data set "mnist"`, "rank", f.nb201, "--benchmark-dataset", "mnist"),
		c(2, "--json "+f.root+": a folder, not a file", "rank", f.nb201, "--json", f.root),
		c(2, "--json "+filepath.Join(f.missing, "r.json")+": no folder "+f.missing, "rank", f.nb201, "--json", filepath.Join(f.missing, "r.json")),
		c(2, `invalid value "x" for flag -top`, "rank", f.nb201, "--top", "x"),
		c(2, "--data-dir '': empty value", "rank", f.nb201, "--data-dir", ""),
		c(2, "flag provided but not defined: -nope", "rank", f.nb201, "--nope"),

		// gaea lookup.
		c(2, "missing architecture string", "lookup"),
		c(2, "want one architecture string, got 2", "lookup", fixtureArch, fixtureArch),
		c(2, "out of range", "lookup", "--index", "99999"),
		c(2, "out of range", "lookup", "--index", "-5"),
		c(2, `invalid value "x" for flag -index`, "lookup", "--index", "x"),
		c(2, "nb201: parse", "lookup", "garbage"),
		c(2, "nb201: parse", "lookup", ""),
		c(2, "give an architecture string or --index, not both", "lookup", "--index", "3", fixtureArch),
		c(2, "flag provided but not defined: -nope", "lookup", "--nope"),
		c(2, "no NAS-Bench-101 lookup for nb1shot1-1: give --nb101 FILE or set GAEA_NB101 to the path of nasbench_only108.tfrecord", "lookup", "--space", "nb1shot1-1", "1:conv3x3-bn-relu(0) 2:maxpool3x3(0,1) 3:conv1x1-bn-relu(0,2) 4:conv3x3-bn-relu(2,3) out(0,3)"),
		c(2, "--nb101 names the benchmark file of nb1shot1-1, nb1shot1-2, nb1shot1-3, not of nb201", "lookup", "--nb101", f.file, fixtureArch),
		c(2, "--nb101 "+f.missing+": no such file", "lookup", "--space", "nb1shot1-2", "--nb101", f.missing, "1:conv1x1-bn-relu(0)"),
		c(1, "tfrecord: record 0 at byte 0: truncated header", "lookup", "--space", "nb1shot1-3", "--nb101", f.file, "1:conv1x1-bn-relu(0)"),
		c(2, `--space "nb1shot1": want nb1shot1-1 or nb1shot1-2 or nb1shot1-3 or nb201`, "lookup", "--space", "nb1shot1", "x"),

		// gaea params.
		c(2, `--space "x": want darts or nb201`, "params", "--space", "x"),
		c(2, "--space '': empty value", "params", "--space", ""),
		c(2, "--arch is required", "params"),
		c(2, "nb201: parse", "params", "--arch", "x"),
		c(2, "--genotype is required", "params", "--space", "darts"),
		c(2, "darts:", "params", "--space", "darts", "--genotype", "nope"),
		c(2, "--channels must be ≥ 1", "params", "--arch", fixtureArch, "--channels", "0"),
		c(2, "--channels 100000000 is too large", "params", "--arch", fixtureArch, "--channels", "100000000"),
		c(2, "--cells must be ≥ 1", "params", "--arch", fixtureArch, "--cells", "0"),
		c(2, "--layers must be ≥ 1", "params", "--space", "darts", "--genotype", "DARTS_V2", "--layers", "0"),
		c(2, "--classes must be ≥ 1", "params", "--arch", fixtureArch, "--classes", "0"),
		c(2, "--genotype is not a flag of the nb201 network", "params", "--arch", fixtureArch, "--genotype", "DARTS_V2"),
		c(2, "--arch is not a flag of the darts network", "params", "--space", "darts", "--genotype", "DARTS_V2", "--arch", fixtureArch),
		c(2, "--channels must be even", "params", "--space", "darts", "--genotype", "DARTS_V2", "--channels", "3"),
		c(2, "flag provided but not defined: -nope", "params", "--nope"),
		c(2, `unexpected argument "extra"`, "params", "--arch", fixtureArch, "extra"),

		// gaea data.
		c(2, `unknown data set "cifar11"`, "data", "--dataset", "cifar11"),
		c(2, `unknown data set "imagenet16-0"`, "data", "--dataset", "imagenet16-0"),
		c(2, "--dataset '': empty value", "data", "--dataset", ""),
		c(2, "--data-dir '': empty value", "data", "--data-dir", ""),
		c(2, `invalid value "x" for flag -split-seed`, "data", "--split-seed", "x"),
		c(2, "invalid boolean value", "data", "--download=maybe"),
		c(2, `unexpected argument "extra"`, "data", "extra"),
		c(2, "flag provided but not defined: -nope", "data", "--nope"),
		c(1, "cifar100 is not in "+f.data+" and downloads are off; put cifar-100-binary.tar.gz", "data", "--dataset", "cifar100", "--data-dir", f.data, "--download=false"),
		c(1, "cifar10 is not in "+f.data+" and downloads are off", "data", "--dataset", "cifar10", "--data-dir", f.data, "--download", "false"),
		c(1, "mnist is not in "+f.data+" and downloads are off; put the four IDX files", "data", "--dataset", "mnist", "--data-dir", f.data, "--download=false"),
		c(1, "no ImageNet16", "data", "--dataset", "imagenet16-120", "--data-dir", f.data),

		// gaea simplex.
		c(2, "--costs", "simplex", "--costs", "1"),
		c(2, `--costs: "x" is not a finite number`, "simplex", "--costs", "1,x"),
		c(2, "--costs '': empty value", "simplex", "--costs", ""),
		c(2, "--lr must be a positive finite number", "simplex", "--lr", "-1"),
		c(2, "--lr must be a positive finite number", "simplex", "--lr", "0"),
		c(2, "flat", "simplex", "--geometry", "flat"),
		c(2, "--steps", "simplex", "--steps", "-2"),
		c(2, "out of range", "simplex", "--costs", "1e308,-1e308,0", "--lr", "10"),
		c(2, `unexpected argument "extra"`, "simplex", "extra"),
		c(2, "flag provided but not defined: -nope", "simplex", "--nope"),

		// gaea backend.
		c(2, "-steps must be in [2, 10000] and -batch in [1, 4096]", "backend", "--steps", "1"),
		c(2, "-steps must be in [2, 10000] and -batch in [1, 4096]", "backend", "--batch", "0"),
		c(2, "-steps must be in [2, 10000] and -batch in [1, 4096]", "backend", "--batch", "100000000"),
		c(2, "-steps must be in [2, 10000] and -batch in [1, 4096]", "backend", "--steps", "100000000"),
		c(2, `unexpected argument "extra"`, "backend", "extra"),
		c(2, "flag provided but not defined: -nope", "backend", "--nope"),
		c(2, "invalid boolean value", "backend", "--check=maybe"),
		{args: []string{"backend"}, code: 2, want: `$GOMLX_BACKEND=tpu: unknown backend`, env: []string{"GOMLX_BACKEND=tpu"}},
		{args: []string{"backend"}, code: 1, want: `$GOMLX_BACKEND=xla:cuda: this gaea was built without XLA`, env: []string{"GOMLX_BACKEND=xla:cuda"}},

		// gaea version, gaea help, and no command.
		c(2, `unexpected argument "extra"`, "version", "extra"),
		c(2, "flag provided but not defined: -nope", "version", "--nope"),
		c(2, "flag provided but not defined: -json", "version", "--json"),
		c(2, `unknown command "nosuch"`, "help", "nosuch"),
		c(2, "want one command, got 2", "help", "search", "train"),
		c(2, `unknown command "nosuch"`, "nosuch"),
		c(2, `unknown command "--version"`, "--version"),
	}
	return cases
}

// commandOf names the command of a case for the per-command count.
func commandOf(args []string) string {
	switch {
	case len(args) == 0:
		return ""
	case args[0] == "sweep" && len(args) > 1 && args[1] == "status":
		return "sweep status"
	case args[0] == "help" || args[0] == "nosuch" || strings.HasPrefix(args[0], "-"):
		return "help"
	}
	return args[0]
}

// TestBadInput runs every bad command line of the table in a fresh empty working directory: each ends
// with exactly one line on stderr (no usage, no goroutine dump, no panic), nothing on stdout, the exit
// code of main.go's convention (2 usage, 1 failure), and writes nothing — the working directory stays
// empty, no named output folder is made, and the fixtures it names are unchanged.
func TestBadInput(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	if runtime.GOOS != "linux" {
		t.Skip("the read-only place of the table is /proc")
	}
	bin := buildGaea(t)
	fx := makeBadFixtures(t)
	before := snapshot(t, fx.root)
	cases := badInputCases(fx)
	perCommand := map[string]int{}
	for _, c := range cases {
		perCommand[commandOf(c.args)]++
	}
	// The default run takes every case whose place among its command's cases is a multiple of that
	// command's stride (at most 5 a command, every command): each process start costs ~0.4 s of CPU here.
	// GAEA_TEST_LONG (.ci/run): every case.
	stride, seen := map[string]int{}, map[string]int{}
	for n, k := range perCommand {
		stride[n] = max(1, (k+4)/5)
	}
	t.Run("cases", func(t *testing.T) {
		for i, c := range cases {
			cmd := commandOf(c.args)
			seen[cmd]++
			if !longTests() && (seen[cmd]-1)%stride[cmd] != 0 {
				continue
			}
			t.Run(fmt.Sprintf("%03d_%s", i, strings.ReplaceAll(commandOf(c.args), " ", "_")), func(t *testing.T) {
				t.Parallel()
				runBadCase(t, bin, c)
			})
		}
	})
	if after := snapshot(t, fx.root); after != before {
		t.Errorf("the fixtures changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	var names []string
	for n := range perCommand {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, n := range names {
		fmt.Fprintf(&b, " %s %d,", n, perCommand[n])
	}
	t.Logf("%d bad command lines:%s", len(cases), strings.TrimSuffix(b.String(), ","))
	if len(cases) < 200 {
		t.Errorf("%d cases, want at least 200", len(cases))
	}
	for _, cmd := range []string{"search", "presets", "report", "rank", "sweep", "sweep status", "aggregate", "train", "lookup", "params", "data", "simplex", "backend", "version", "help"} {
		if perCommand[cmd] == 0 {
			t.Errorf("no case for gaea %s", cmd)
		}
	}
}

func runBadCase(t *testing.T, bin string, c badCase) {
	cwd := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, c.args...)
	cmd.Dir = cwd
	// No download can start (a proxy that refuses), the backend is the pure-Go one, and its line is
	// not silenced: a command that opens the backend before refusing would print two lines.
	cmd.Env = append(os.Environ(), "GOMLX_BACKEND=go", "GAEA_QUIET_BACKEND=", "GAEA_DATA="+filepath.Join(cwd, "..", "no-data"),
		"HTTP_PROXY=http://127.0.0.1:9", "HTTPS_PROXY=http://127.0.0.1:9", "http_proxy=http://127.0.0.1:9", "https_proxy=http://127.0.0.1:9")
	cmd.Env = append(cmd.Env, c.env...)
	start := time.Now()
	code, stdout, errOut := capture(t, cmd)
	short := strings.Join(c.args, " ")
	if code != c.code {
		t.Errorf("gaea %s: exit %d, want %d; stderr %q", short, code, c.code, errOut)
	}
	if n := strings.Count(errOut, "\n"); n != 1 || !strings.HasSuffix(errOut, "\n") {
		t.Errorf("gaea %s: %d lines on stderr, want one: %q", short, n, errOut)
	}
	if !strings.HasPrefix(errOut, "gaea") {
		t.Errorf("gaea %s: stderr %q does not start with gaea", short, errOut)
	}
	for _, bad := range []string{"Usage", "goroutine", "panic", "retrying", "Go struct", "json: cannot"} {
		if strings.Contains(errOut, bad) {
			t.Errorf("gaea %s: stderr holds %q: %q", short, bad, errOut)
		}
	}
	if !strings.Contains(errOut, c.want) {
		t.Errorf("gaea %s: stderr %q, want it to contain %q", short, errOut, c.want)
	}
	if stdout != "" {
		t.Errorf("gaea %s: wrote to stdout: %q", short, stdout)
	}
	if entries, err := os.ReadDir(cwd); err != nil || len(entries) > 0 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("gaea %s: wrote %v in the working directory (%v)", short, names, err)
	}
	if _, err := os.Stat(filepath.Join(cwd, "..", "no-data")); err == nil {
		t.Errorf("gaea %s: made the data directory", short)
	}
	if _, err := os.Stat("/proc/gaea-badinput-test"); err == nil {
		t.Errorf("gaea %s: made /proc/gaea-badinput-test", short)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("gaea %s: took %v to refuse", short, d)
	}
}
