package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gaeanas/gaeanas/experiment"
	"github.com/gaeanas/gaeanas/rundir"
)

// The resume tables interrupt a run at an exact iteration with the test hook rundir.TestSignalEnv
// (the process sends itself the real signal; SIGKILL kills it with no clean-up), resume it and
// require the run folder to end byte-identical to an uninterrupted run of the same settings.
//
// Every run has 2 epochs × 2 iterations (steps) and a checkpoint every 2, so the four interruptions
// fall on both sides of the first checkpoint:
//
//	SIGTERM after 1  — no checkpoint yet: the signal saves one (exit 143)
//	SIGINT after 3   — after the checkpoint of 2: the signal saves another (exit 130)
//	kill -9 after 1  — before the first checkpoint: --resume starts the run again
//	kill -9 after 3  — after the first checkpoint: --resume continues from 2 and redoes 3
//
// Warm-up algorithms (gaea-gdas, pcdarts: one epoch of weight steps only) take their first
// architecture step at 3, so the SIGINT case also restores their optimizer state (Adam's moments).

// interruption is one way of stopping a run.
type interruption struct {
	name   string
	at     int    // iteration (search) or training step (train) after which the signal comes
	signal string // for rundir.TestSignalEnv
	exit   int    // the interrupted process's exit status; 0 for killed by SIGKILL
	quick  bool   // in the default (not GAEA_TEST_LONG) subset
}

// firstCheckpoint is the iteration (step) of the first checkpoint: every run of the tables has
// --checkpoint-every 2 (2steps for train).
const firstCheckpoint = 2

// beforeCheckpoint says whether the interruption leaves no checkpoint (--resume starts again).
func (in interruption) beforeCheckpoint() bool {
	return in.signal == "SIGKILL" && in.at < firstCheckpoint
}

var interruptions = []interruption{
	{"SIGTERM", 1, "SIGTERM", 143, true},
	{"SIGINT", 3, "SIGINT", 130, false},
	{"kill-before-checkpoint", 1, "SIGKILL", 0, false},
	{"kill-after-checkpoint", 3, "SIGKILL", 0, true},
}

// longTests reports whether the long cases run (GAEA_TEST_LONG set).
func longTests() bool { return os.Getenv("GAEA_TEST_LONG") != "" }

// resumeSearchArgs are the tiny searches of the table, per space: 2 epochs of 2 iterations.
var resumeSearchArgs = map[string][]string{
	"nb201": {"--space", "nb201", "--dataset", "embedded", "--preset", "quick", "--subset", "32", "--batch", "16",
		"--epochs", "2", "--channels", "4", "--cells", "1", "--seed", "3", "--checkpoint-every", fmt.Sprint(firstCheckpoint)},
	"darts": {"--space", "darts", "--dataset", "embedded", "--preset", "quick", "--subset", "4", "--batch", "2",
		"--epochs", "2", "--channels", "4", "--cells", "3", "--seed", "3", "--checkpoint-every", fmt.Sprint(firstCheckpoint)},
}

// validCombination says whether the algorithm runs on the space (experiment.Settings.Validate).
func validCombination(space string, algo experiment.Algo) bool {
	pc := algo == experiment.PCDARTS || algo == experiment.GAEAPCDARTS
	return !(pc && space != "darts") && !(algo == experiment.RSWS && space == "darts")
}

// TestSearchResumeTable: every algorithm of the preset table on both real spaces (where valid), each
// interrupted in the four ways above and resumed with `gaea search --resume`, ends with the same
// history.jsonl, result.json (but its wall time) and θ as the uninterrupted search, byte for byte. The
// default run covers one Adam algorithm (darts) and one EG algorithm (gaea-darts) on NAS-Bench-201
// with SIGTERM and kill -9 after the first checkpoint; GAEA_TEST_LONG=1 runs the whole table.
func TestSearchResumeTable(t *testing.T) {
	if testing.Short() {
		t.Skip("runs searches")
	}
	bin := buildGaea(t)
	start := time.Now()
	cases := 0
	t.Cleanup(func() {
		t.Logf("%d algorithm × space cases in %.1fs (GAEA_TEST_LONG=%q)", cases, time.Since(start).Seconds(), os.Getenv("GAEA_TEST_LONG"))
	})
	for _, space := range []string{"nb201", "darts"} {
		for _, algo := range experiment.Algos() {
			_, err := experiment.Defaults(experiment.Quick, space, algo, "embedded")
			if valid := validCombination(space, algo); (err == nil) != valid {
				t.Errorf("%s on %s: Defaults error %v, want valid = %v", algo, space, err, valid)
				continue
			} else if !valid {
				continue
			}
			quick := space == "nb201" && (algo == experiment.DARTSV1 || algo == experiment.GAEADARTS)
			if !quick && !longTests() {
				continue
			}
			args := slices.Concat([]string{"search", "--algo", string(algo)}, resumeSearchArgs[space])
			if algo == experiment.RSWS {
				args = slices.Concat(args, []string{"--candidates", "4", "--valid-batch", "16"}) // fewer candidates to score at the end
			}
			t.Run(fmt.Sprintf("%s/%s", space, algo), func(t *testing.T) {
				t.Parallel() // one search is mostly one core: two cases at a time on two cores
				caseStart := time.Now()
				ref := filepath.Join(t.TempDir(), "reference")
				runOK(t, gaeaCmd(bin, slices.Concat(args, []string{"--out", ref})...))
				if r := readResult(t, ref); r.Steps != 4 || r.Epochs != 2 {
					t.Fatalf("reference search: %d iterations in %d epochs, want 4 in 2 (the interruption points assume it)", r.Steps, r.Epochs)
				}
				stopped := func(t *testing.T, in interruption, dir string) {
					if it := lastIteration(t, dir); it != in.at {
						t.Fatalf("the interrupted search's history ends at iteration %d, want %d", it, in.at)
					}
				}
				eachInterruption(t, bin, "search", args, ref, stopped, func(t *testing.T, in interruption, out string) {
					if in.beforeCheckpoint() && !strings.Contains(out, "starting it again") {
						t.Errorf("resume before the first checkpoint: no 'starting it again' in\n%s", out)
					}
				})
				t.Logf("%s on %s: %.1fs", algo, space, time.Since(caseStart).Seconds())
			})
			cases++
		}
	}
}

// eachInterruption runs, for each interruption of the table (the quick ones only without
// GAEA_TEST_LONG), the command's args stopped by it (stopped, when not nil, checks the folder then),
// then `gaea command --resume`, hands its output to resumed, and compares the run folder with the
// uninterrupted one in ref.
func eachInterruption(t *testing.T, bin, command string, args []string, ref string,
	stopped func(t *testing.T, in interruption, dir string), resumed func(t *testing.T, in interruption, out string)) {
	t.Helper()
	for _, in := range interruptions {
		if !in.quick && !longTests() {
			continue
		}
		t.Run(in.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "run")
			interrupt(t, bin, in, dir, slices.Concat(args, []string{"--out", dir}))
			if stopped != nil {
				stopped(t, in, dir)
			}
			resumed(t, in, runOK(t, gaeaCmd(bin, command, "--resume", dir)))
			sameRunFolder(t, ref, dir)
		})
	}
}

// interrupt runs args with the test hook set to stop after in.at, and checks how the process ended.
func interrupt(t *testing.T, bin string, in interruption, dir string, args []string) {
	t.Helper()
	cmd := gaeaCmd(bin, args...)
	cmd.Env = append(cmd.Env, fmt.Sprintf("%s=%d:%s", rundir.TestSignalEnv, in.at, in.signal))
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) {
		t.Fatalf("%s after %d: the run was not stopped (%v)\n%s", in.signal, in.at, err, out)
	}
	ws := ee.Sys().(syscall.WaitStatus)
	switch {
	case in.exit == 0 && !(ws.Signaled() && ws.Signal() == syscall.SIGKILL):
		t.Fatalf("%s after %d: %v, want killed by SIGKILL\n%s", in.signal, in.at, err, out)
	case in.exit != 0 && ee.ExitCode() != in.exit:
		t.Fatalf("%s after %d: exit %v, want %d\n%s", in.signal, in.at, err, in.exit, out)
	case in.exit != 0 && !strings.Contains(string(out), "--resume "+dir):
		t.Errorf("%s: no resume command in\n%s", in.signal, out)
	}
	if fileExists(filepath.Join(dir, "result.json")) {
		t.Fatalf("%s after %d: the interrupted run wrote result.json", in.signal, in.at)
	}
	if cks, _ := filepath.Glob(filepath.Join(dir, "checkpoint*")); (len(cks) == 0) != in.beforeCheckpoint() {
		t.Fatalf("%s after %d: checkpoints %v (want one: %v)", in.signal, in.at, cks, !in.beforeCheckpoint())
	}
}

// lastIteration is the iteration of a search history's last record.
func lastIteration(t *testing.T, dir string) int {
	t.Helper()
	lines := bytes.Split(bytes.TrimSpace(mustRead(t, filepath.Join(dir, "history.jsonl"))), []byte("\n"))
	var r struct {
		Iteration int `json:"iteration"`
	}
	if err := json.Unmarshal(lines[len(lines)-1], &r); err != nil {
		t.Fatal(err)
	}
	return r.Iteration
}

// wallTime matches the top-level "seconds" of result.json (wall time, the one value a resumed run
// cannot reproduce), and the "seconds" of a training history record.
var (
	resultSeconds  = regexp.MustCompile(`(?m)^  "seconds": [-+.0-9eE]+,\n`)
	historySeconds = regexp.MustCompile(`,"seconds":[-+.0-9eE]+`)
)

// withoutWallTime returns a file's bytes with its wall-time fields removed; it fails the test when the
// file has none where one is expected (result.json), so that the comparison never silently weakens.
func withoutWallTime(t *testing.T, path string) []byte {
	t.Helper()
	b := mustRead(t, path)
	switch filepath.Base(path) {
	case "result.json":
		if len(resultSeconds.FindAll(b, -1)) != 1 {
			t.Fatalf("%s: no top-level \"seconds\" line to leave out", path)
		}
		return resultSeconds.ReplaceAll(b, nil)
	case "history.jsonl":
		return historySeconds.ReplaceAll(b, nil)
	}
	return b
}

// sameRunFolder checks that a resumed run folder ends as the uninterrupted one: history.jsonl and
// result.json byte-identical but for their wall-time fields (a search's history has none), and the
// search's θ and genotype (sameSearch; result.json holds them too).
func sameRunFolder(t *testing.T, want, got string) {
	t.Helper()
	for _, f := range []string{"history.jsonl", "result.json"} {
		a, b := withoutWallTime(t, filepath.Join(want, f)), withoutWallTime(t, filepath.Join(got, f))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs from the uninterrupted run's:\n%s", f, firstDifference(a, b))
		}
	}
}

// firstDifference describes where two byte slices first differ (a line of each).
func firstDifference(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < max(len(la), len(lb)); i++ {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			const n = 300
			if len(x) > n {
				x = x[:n] + "…"
			}
			if len(y) > n {
				y = y[:n] + "…"
			}
			return fmt.Sprintf("line %d:\n  uninterrupted %s\n  resumed       %s", i+1, x, y)
		}
	}
	return "same lines"
}

// resumeTrainArgs are the tiny trainings of the table, per space: 2 epochs of 2 steps on the embedded
// CIFAR-10 sample (32 test images), a checkpoint every 2 steps.
var resumeTrainArgs = map[string][]string{
	"nb201": {"train", "--space", "nb201", "--arch", trainTestArch, "--channels", "4", "--cells", "1"},
	"darts": {"train", "--space", "darts", "--genotype", "DARTS_V2", "--channels", "2", "--layers", "3"},
}

var resumeTrainCommon = []string{"--dataset", "embedded", "--subset", "32", "--test-subset", "32", "--batch", "16",
	"--epochs", "2", "--seed", "5", "--checkpoint-every", fmt.Sprintf("%dsteps", firstCheckpoint)}

// TestTrainResumeTable: `gaea train` of an NB201 and a DARTS genotype, interrupted in the four ways
// and resumed with --resume, ends with the same history.jsonl and result.json as the uninterrupted
// training, byte for byte but for the wall-time "seconds" fields. The default run covers NB201 with
// SIGTERM and kill -9 after the first checkpoint; GAEA_TEST_LONG=1 runs the whole table.
func TestTrainResumeTable(t *testing.T) {
	if testing.Short() {
		t.Skip("runs trainings")
	}
	bin := buildGaea(t)
	start := time.Now()
	t.Cleanup(func() {
		t.Logf("trainings in %.1fs (GAEA_TEST_LONG=%q)", time.Since(start).Seconds(), os.Getenv("GAEA_TEST_LONG"))
	})
	for _, space := range []string{"nb201", "darts"} {
		if space != "nb201" && !longTests() {
			continue
		}
		args := slices.Concat(resumeTrainArgs[space], resumeTrainCommon)
		t.Run(space, func(t *testing.T) {
			t.Parallel()
			ref := filepath.Join(t.TempDir(), "reference")
			runOK(t, gaeaCmd(bin, slices.Concat(args, []string{"--out", ref})...))
			if r := readTrainResult(t, ref); r.Steps != 4 || r.Epochs != 2 {
				t.Fatalf("reference training: %d steps in %d epochs, want 4 in 2 (the interruption points assume it)", r.Steps, r.Epochs)
			}
			eachInterruption(t, bin, "train", args, ref, nil, func(t *testing.T, in interruption, out string) {
				wantMsg := "resuming"
				if in.beforeCheckpoint() {
					wantMsg = "starting it again"
				}
				if !strings.Contains(out, wantMsg) {
					t.Errorf("--resume: no %q in\n%s", wantMsg, out)
				}
			})
		})
	}
}

// TestTrainFromUsesTheSearchDataset: after the README's main job (a quick search, on the embedded
// CIFAR-10 sample by default), `gaea train --from RUN` without --dataset trains on the search's data
// set and data folder — offline: downloads fail at once here — and says so in one stderr line; with
// --dataset it takes that one and says nothing.
func TestTrainFromUsesTheSearchDataset(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a search and trainings")
	}
	bin := buildGaea(t)
	dataDir := t.TempDir() // empty: nothing to read there, the sample is compiled in
	run := filepath.Join(t.TempDir(), "search")
	runOK(t, gaeaCmd(bin, "search", "--space", "nb201", "--preset", "quick", "--subset", "32", "--batch", "16", "--epochs", "1",
		"--channels", "4", "--cells", "1", "--data-dir", dataDir, "--out", run))
	searched := readResult(t, run).Dataset
	if searched != "cifar10-sample" {
		t.Fatalf("the quick search ran on %q, want the embedded cifar10-sample (the README's main job)", searched)
	}
	train := []string{"train", "--from", run, "--channels", "4", "--cells", "1", "--subset", "32", "--test-subset", "32",
		"--batch", "16", "--epochs", "1"}
	for _, c := range []struct {
		name    string
		extra   []string
		dataset string
		dataDir string
		line    bool
	}{
		{"default", nil, searched, dataDir, true},
		{"--dataset", []string{"--dataset", "fashion-mnist-sample"}, "fashion-mnist-sample", "", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "train")
			cmd := offline(gaeaCmd(bin, slices.Concat(train, c.extra, []string{"--out", dir})...))
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("train --from: %v\n%s", err, stderr.String())
			}
			r := readTrainResult(t, dir)
			if r.Dataset != c.dataset || r.Settings.Dataset != c.dataset || r.Settings.DataDir != c.dataDir {
				t.Errorf("trained on %q (settings: %q in %q), want %q in %q", r.Dataset, r.Settings.Dataset, r.Settings.DataDir,
					c.dataset, c.dataDir)
			}
			var said []string
			for _, l := range strings.Split(stderr.String(), "\n") {
				if strings.Contains(l, "the search in") {
					said = append(said, l)
				}
			}
			if want := "train: data set " + searched + ", the one the search in " + run; c.line && (len(said) != 1 || !strings.HasPrefix(said[0], want)) {
				t.Errorf("stderr lines about the data set %q, want one starting %q", said, want)
			} else if !c.line && len(said) != 0 {
				t.Errorf("--dataset given, yet stderr says %q", said)
			}
		})
	}
}

// offline makes any download of cmd fail at once (an unreachable proxy), as on a machine offline.
func offline(cmd *exec.Cmd) *exec.Cmd {
	cmd.Env = append(cmd.Env, "HTTP_PROXY=http://127.0.0.1:9", "HTTPS_PROXY=http://127.0.0.1:9", "NO_PROXY=", "GAEA_DATA="+os.DevNull)
	return cmd
}
