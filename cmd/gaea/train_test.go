package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gaeanas/gaeanas/scratch"
	"github.com/gaeanas/gaeanas/setting"
	"github.com/gaeanas/gaeanas/spaces/darts"
	"github.com/gaeanas/gaeanas/spaces/nb201"
)

const trainTestArch = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"

// tinyTrain is a tiny NB201 training on 256 embedded Fashion-MNIST images: 2 epochs × 16 steps, a few
// seconds on the pure-Go backend. lr 0.2 (not the protocol's 0.1): with so few steps the cosine
// schedule otherwise ends before the net gets far above chance.
var tinyTrain = []string{"train", "--space", "nb201", "--arch", trainTestArch, "--channels", "4", "--cells", "1",
	"--dataset", "fashion-mnist-sample", "--subset", "256", "--epochs", "2", "--batch", "16", "--lr", "0.2", "--seed", "3"}

func readTrainResult(t *testing.T, dir string) scratch.Result {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r scratch.Result
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// readTrainHistory returns history.jsonl's records with the (wall-clock) seconds zeroed.
func readTrainHistory(t *testing.T, dir string) []scratch.Record {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "history.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var recs []scratch.Record
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r scratch.Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("history.jsonl: %v in %q", err, sc.Text())
		}
		r.Seconds = 0
		recs = append(recs, r)
	}
	return recs
}

func runOK(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%q: %v\n%s", cmd.Args, err, out)
	}
	t.Logf("%s … (%.1fs)", strings.Join(cmd.Args[1:min(len(cmd.Args), 4)], " "), time.Since(start).Seconds())
	return string(out)
}

// waitForCheckpoint waits until dir holds a checkpoint folder.
func waitForCheckpoint(t *testing.T, cmd *exec.Cmd, dir string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if m, _ := filepath.Glob(filepath.Join(dir, "checkpoint*", "state.json")); len(m) > 0 {
			return
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("no checkpoint after 60 s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func sameTraining(t *testing.T, what string, want, got scratch.Result, wantHist, gotHist []scratch.Record) {
	t.Helper()
	if got.FinalTestAcc != want.FinalTestAcc || got.BestTestAcc != want.BestTestAcc || got.FinalTestLoss != want.FinalTestLoss ||
		got.FinalTrainAcc != want.FinalTrainAcc || got.Steps != want.Steps || got.Params != want.Params || got.Genotype != want.Genotype {
		t.Errorf("%s: result differs from the uninterrupted run:\n got %+v\nwant %+v", what, got, want)
	}
	if len(gotHist) != len(wantHist) {
		t.Fatalf("%s: %d history records, want %d", what, len(gotHist), len(wantHist))
	}
	for i := range wantHist {
		if gotHist[i] != wantHist[i] {
			t.Errorf("%s: history record %d differs:\n got %+v\nwant %+v", what, i, gotHist[i], wantHist[i])
		}
	}
}

// TestTrainEndToEnd runs the binary on the pure-Go backend: a tiny NB201 training (accuracy above
// chance, valid result.json), the same training killed with SIGKILL and resumed, and interrupted with
// SIGINT and resumed (both identical to the uninterrupted run), a tiny DARTS training with the
// auxiliary head and drop-path, --from a search run folder, a NaN stop (--lr 1e30) and the bad-flag
// exits. One binary serves all (< 40 s in all on two cores).
func TestTrainEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs trainings")
	}
	bin := buildGaea(t)
	full := filepath.Join(t.TempDir(), "full")
	runOK(t, gaeaCmd(bin, append(tinyTrain, "--out", full)...))
	res := readTrainResult(t, full)
	hist := readTrainHistory(t, full)
	a := nb201.MustParseArch(trainTestArch)
	// ParamCount assumes 3 input channels; Fashion-MNIST has 1: the stem conv has 9·2·C fewer weights.
	wantParams := nb201.ParamCount(a, 4, 1, 10) - 9*2*4
	if res.Space != "nb201" || res.Genotype != trainTestArch || res.Dataset != "fashion-mnist-sample" || res.Epochs != 2 ||
		res.Steps != 32 || res.Params != wantParams || res.Backend != "go" || res.Benchmark == nil || res.Seed != 3 ||
		res.Settings.Channels != 4 || res.Settings.Cells != 1 || !res.Settings.Nesterov || res.Settings.WeightDecay != 5e-4 ||
		res.BestEpoch < 1 || res.BestTestAcc < res.FinalTestAcc || res.Seconds <= 0 {
		t.Errorf("result.json: %+v (want params %d)", res, wantParams)
	}
	t.Logf("NB201 C=4 N=1, 256 images, 2 epochs: test accuracy %.1f%% (best %.1f%%), train %.1f%%", 100*res.FinalTestAcc,
		100*res.BestTestAcc, 100*res.FinalTrainAcc)
	if res.FinalTestAcc < 0.30 {
		t.Errorf("final test accuracy %.3f, want > 0.30 (chance 0.10)", res.FinalTestAcc)
	}
	if len(hist) != 2 || hist[1].Epoch != 2 || hist[1].Steps != 32 || hist[0].LR <= hist[1].LR || hist[1].TestAcc != res.FinalTestAcc {
		t.Errorf("history.jsonl: %+v", hist)
	}
	if m, _ := filepath.Glob(filepath.Join(full, "checkpoint*")); len(m) < 1 || len(m) > 2 {
		t.Errorf("checkpoints left: %v, want the newest and the previous one", m)
	}

	t.Run("sigkill-resume", func(t *testing.T) {
		if !longTests() {
			t.Skip("long: the default run interrupts and resumes a training in TestTrainResumeTable (SIGTERM, kill -9 after a checkpoint)")
		}
		dir := filepath.Join(t.TempDir(), "killed")
		cmd := gaeaCmd(bin, append(tinyTrain, "--out", dir, "--checkpoint-every", "5steps")...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitForCheckpoint(t, cmd, dir)
		time.Sleep(300 * time.Millisecond) // run on past the checkpoint, maybe into the next one
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		if _, err := os.Stat(filepath.Join(dir, "result.json")); err == nil {
			t.Skip("the training finished before it could be killed")
		}
		out := runOK(t, gaeaCmd(bin, "train", "--resume", dir))
		if !strings.Contains(out, "resuming") {
			t.Errorf("no resume message in:\n%s", out)
		}
		sameTraining(t, "SIGKILL + --resume", res, readTrainResult(t, dir), hist, readTrainHistory(t, dir))
	})

	t.Run("sigint-resume", func(t *testing.T) {
		if !longTests() {
			t.Skip("long: the default run interrupts and resumes a training in TestTrainResumeTable (SIGTERM, kill -9 after a checkpoint)")
		}
		dir := filepath.Join(t.TempDir(), "interrupted")
		cmd := gaeaCmd(bin, append(tinyTrain, "--out", dir, "--checkpoint-every", "7steps")...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitForCheckpoint(t, cmd, dir)
		_ = cmd.Process.Signal(os.Interrupt)
		err := cmd.Wait()
		if _, serr := os.Stat(filepath.Join(dir, "result.json")); serr == nil {
			t.Skip("the training finished before the interrupt")
		}
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
			t.Fatalf("SIGINT: exit %v, want 130\n%s", err, stderr.String())
		}
		if !strings.Contains(stderr.String(), "gaea train --resume "+dir) {
			t.Errorf("no resume command in:\n%s", stderr.String())
		}
		runOK(t, gaeaCmd(bin, "train", "--resume", dir))
		sameTraining(t, "SIGINT + --resume", res, readTrainResult(t, dir), hist, readTrainHistory(t, dir))
	})

	t.Run("darts-auxiliary", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "darts")
		runOK(t, gaeaCmd(bin, "train", "--space", "darts", "--genotype", "DARTS_V2", "--channels", "2", "--layers", "3", "--auxiliary", "0.4",
			"--dataset", "fashion-mnist-sample", "--subset", "32", "--test-subset", "32", "--batch", "16", "--epochs", "2", "--out", dir))
		r := readTrainResult(t, dir)
		net := darts.NewNetwork(darts.DARTS_V2).Channels(2).Layers(3).Classes(10)
		want := net.ParamCount() - 9*2*darts.StemMultiplier*2 // 1 input channel instead of 3
		s := r.Settings
		if r.Space != "darts" || r.Genotype != darts.DARTS_V2.String() || r.Steps != 4 || r.Params != want ||
			s.Auxiliary != 0.4 || s.DropPath != 0.2 || s.Cutout != 16 || s.GradClip != 5 || s.PadTo != 32 ||
			s.Nesterov || s.LRSchedule != "cosine-epoch" || s.Layers != 3 || s.WeightDecay != 3e-4 {
			t.Errorf("result.json: %+v (want params %d)", r, want)
		}
		h := readTrainHistory(t, dir)
		// DARTS: drop-path 0.2·epoch/epochs, lr cosine per epoch (epoch 2 of 2: 0.025·(1+cos(π/2))/2).
		if len(h) != 2 || h[0].DropPath != 0 || h[1].DropPath != 0.1 || h[0].LR != 0.025 || h[1].LR < 0.0124999 || h[1].LR > 0.0125001 {
			t.Errorf("history.jsonl: %+v", h)
		}
	})

	t.Run("from-search", func(t *testing.T) {
		search := filepath.Join(t.TempDir(), "search")
		runOK(t, gaeaCmd(bin, "search", "--space", "nb201", "--dataset", "fashion-mnist-sample", "--preset", "quick", "--subset", "32",
			"--batch", "16", "--epochs", "1", "--channels", "4", "--cells", "1", "--out", search))
		sr := readResult(t, search)
		dir := filepath.Join(t.TempDir(), "from")
		runOK(t, gaeaCmd(bin, "train", "--from", search, "--dataset", "fashion-mnist-sample", "--channels", "4", "--cells", "1",
			"--subset", "32", "--test-subset", "32", "--batch", "16", "--epochs", "1", "--out", dir))
		r := readTrainResult(t, dir)
		if r.Space != "nb201" || r.Genotype != sr.Genotype || r.Settings.From != search || r.Epochs != 1 {
			t.Errorf("train --from: %+v; search genotype %s", r, sr.Genotype)
		}
	})

	t.Run("nan", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "nan")
		out, err := gaeaCmd(bin, append(tinyTrain, "--out", dir, "--lr", "1e30", "--checkpoint-every", "1steps")...).CombinedOutput()
		ee, ok := err.(*exec.ExitError)
		if !ok || ee.ExitCode() != 1 {
			t.Fatalf("exit %v, want 1; output:\n%s", err, out)
		}
		last := strings.TrimSpace(string(out))
		last = last[strings.LastIndex(last, "\n")+1:]
		if !strings.HasPrefix(last, "gaea train: epoch 1, step ") || !(strings.Contains(last, "NaN") || strings.Contains(last, "Inf")) {
			t.Errorf("last line %q should name the epoch, the step and the NaN/Inf", last)
		}
		t.Logf("%s", last)
		if _, err := os.Stat(filepath.Join(dir, "result.json")); err == nil {
			t.Error("a result.json was written for a failed training")
		}
	})

	t.Run("bad-flags", func(t *testing.T) {
		noResult := t.TempDir() // a folder without result.json
		for _, args := range [][]string{
			{}, {"--space", "nosuch", "--arch", trainTestArch}, {"--arch", "|bad~0|"}, {"--space", "darts", "--genotype", "Genotype(nope"},
			{"--space", "nb201", "--genotype", "DARTS_V2"}, {"--space", "darts", "--arch", trainTestArch}, {"--space", "nb201"},
			{"--arch", trainTestArch, "--epochs", "-1"}, {"--arch", trainTestArch, "--lr", "-0.1"}, {"--arch", trainTestArch, "--batch", "-3"},
			{"--arch", trainTestArch, "--dataset", "nosuch"}, {"--arch", trainTestArch, "--checkpoint-every", "often"},
			{"--arch", trainTestArch, "--auxiliary", "0.4"}, {"--genotype", "DARTS_V2", "--drop-path", "1"},
			{"--from", filepath.Join(noResult, "missing")}, {"--from", noResult}, {"--from", noResult, "--arch", trainTestArch},
			{"--resume", filepath.Join(noResult, "missing")}, {"--resume", noResult, "--epochs", "3"}, {"extra"}, {"--nosuchflag"},
			{"--arch", trainTestArch, "--cells", "2", "--layers", "3"},
		} {
			out, err := gaeaCmd(bin, append([]string{"train"}, args...)...).CombinedOutput()
			ee, ok := err.(*exec.ExitError)
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			if !ok || ee.ExitCode() != 2 || len(lines) != 1 || !strings.HasPrefix(lines[0], "gaea train: ") {
				t.Errorf("train %q: exit %v, output %q; want exit 2 and one line", args, err, out)
			}
		}
	})
}

// TestTrainDefaults checks the reference protocols that scratch.Resolve fills in from the spaces'
// registrations.
func TestTrainDefaults(t *testing.T) {
	nb, err := scratch.Resolve(setting.Overrides{"space": "nb201", "genotype": trainTestArch})
	if err != nil {
		t.Fatal(err)
	}
	wantNB := scratch.Settings{Space: "nb201", Genotype: trainTestArch, Dataset: "cifar10", Epochs: 200, Batch: 256, LR: 0.1,
		LRSchedule: "cosine-step", Momentum: 0.9, Nesterov: true, WeightDecay: 5e-4, Channels: 16, Cells: 5, Seed: 1, CheckpointEvery: "1"}
	if nb != wantNB {
		t.Errorf("NB201 protocol:\n got %+v\nwant %+v", nb, wantNB)
	}
	d, err := scratch.Resolve(setting.Overrides{"space": "darts", "genotype": "DARTS_V2"})
	if err != nil {
		t.Fatal(err)
	}
	wantD := scratch.Settings{Space: "darts", Genotype: darts.DARTS_V2.String(), Dataset: "cifar10", Epochs: 600, Batch: 96, LR: 0.025,
		LRSchedule: "cosine-epoch", Momentum: 0.9, WeightDecay: 3e-4, GradClip: 5, Channels: 36, Layers: 20, Cutout: 16,
		Auxiliary: 0.4, DropPath: 0.2, Seed: 1, CheckpointEvery: "1"}
	if d != wantD {
		t.Errorf("DARTS protocol:\n got %+v\nwant %+v", d, wantD)
	}
	for _, c := range []struct {
		s     string
		n     int
		steps bool
	}{{"1", 1, false}, {"3epochs", 3, false}, {"1epoch", 1, false}, {"50steps", 50, true}, {"1step", 1, true}} {
		n, steps, err := scratch.ParseCheckpointEvery(c.s)
		if err != nil || n != c.n || steps != c.steps {
			t.Errorf("scratch.ParseCheckpointEvery(%q) = %d, %v, %v", c.s, n, steps, err)
		}
	}
	for _, s := range []string{"", "0", "-2", "steps", "2 steps", "x"} {
		if _, _, err := scratch.ParseCheckpointEvery(s); err == nil {
			t.Errorf("scratch.ParseCheckpointEvery(%q): no error", s)
		}
	}
}
