package main

import (
	"bytes"
	"context"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gaeanas/gaeanas/experiment"
)

// tinyRun is a search of a few seconds on the teaching space (the same flags as tinySearch).
func tinyRun(dir string, extra ...string) []string {
	return append(append(append([]string(nil), tinySearch...), "--out", dir), extra...)
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func exitStatus(err error) int {
	if err == nil {
		return 0
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	return -1
}

// reference runs the tiny search once without interruption and returns its folder.
func reference(t *testing.T, bin string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "reference")
	if out, err := gaeaCmd(bin, tinyRun(dir)...).CombinedOutput(); err != nil {
		t.Fatalf("search: %v\n%s", err, out)
	}
	return dir
}

// sameSearch checks that two run folders hold the same history and the same θ.
func sameSearch(t *testing.T, what, want, got string) {
	t.Helper()
	if !bytes.Equal(mustRead(t, filepath.Join(want, "history.jsonl")), mustRead(t, filepath.Join(got, "history.jsonl"))) {
		t.Errorf("%s: history.jsonl differs from the uninterrupted run's", what)
	}
	a, b := readResult(t, want), readResult(t, got)
	if a.Genotype != b.Genotype {
		t.Errorf("%s: genotype %s, uninterrupted %s", what, b.Genotype, a.Genotype)
	}
	for e := range a.ArchWeights {
		for k := range a.ArchWeights[e] {
			if a.ArchWeights[e][k] != b.ArchWeights[e][k] {
				t.Fatalf("%s: θ[%d][%d] = %v, uninterrupted %v", what, e, k, b.ArchWeights[e][k], a.ArchWeights[e][k])
			}
		}
	}
}

// waitFor polls until cond holds (or fails the test after 90 s).
func waitFor(t *testing.T, cmd *exec.Cmd, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func historyLines(dir string) int {
	b, _ := os.ReadFile(filepath.Join(dir, "history.jsonl"))
	return bytes.Count(b, []byte("\n"))
}

func TestSearchSignalsKillsAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("runs searches")
	}
	bin := buildGaea(t)
	ref := reference(t, bin)
	refResult := mustRead(t, filepath.Join(ref, "result.json"))

	// A finished run: --out onto it is refused and changes nothing; --resume says so and changes nothing.
	out, err := gaeaCmd(bin, tinyRun(ref)...).CombinedOutput()
	if exitStatus(err) != 2 || !strings.Contains(string(out), "already holds a run") {
		t.Errorf("--out onto a finished run: exit %v, %s", err, out)
	}
	out, err = gaeaCmd(bin, "search", "--resume", ref).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "already finished") {
		t.Errorf("--resume of a finished run: %v, %s", err, out)
	}
	if !bytes.Equal(refResult, mustRead(t, filepath.Join(ref, "result.json"))) {
		t.Error("--out or --resume on a finished run changed its result.json")
	}
	// --resume with other settings is refused.
	out, err = gaeaCmd(bin, "search", "--resume", ref, "--epochs", "8").CombinedOutput()
	if exitStatus(err) != 2 || !strings.Contains(string(out), "drop --epochs") {
		t.Errorf("--resume with --epochs: exit %v, %s", err, out)
	}

	t.Run("SIGTERM", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "term")
		cmd := gaeaCmd(bin, tinyRun(dir)...)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitFor(t, cmd, "a few steps", func() bool { return historyLines(dir) >= 6 })
		_ = cmd.Process.Signal(syscall.SIGTERM)
		err := cmd.Wait()
		if fileExists(filepath.Join(dir, "result.json")) {
			t.Skip("the search finished before the signal")
		}
		if exitStatus(err) != 143 {
			t.Fatalf("SIGTERM: exit %v, want 143", err)
		}
		if !fileExists(filepath.Join(dir, "checkpoint", "search.json")) {
			t.Fatal("SIGTERM left no checkpoint")
		}
		// Two processes on one folder: the second is refused while the first holds it.
		first := gaeaCmd(bin, "search", "--resume", dir)
		if err := first.Start(); err != nil {
			t.Fatal(err)
		}
		waitFor(t, first, "the lock", func() bool { return fileExists(filepath.Join(dir, ".lock")) })
		time.Sleep(300 * time.Millisecond)
		out, err := gaeaCmd(bin, "search", "--resume", dir).CombinedOutput()
		if exitStatus(err) != 2 || !strings.Contains(string(out), "another process") {
			t.Errorf("second process on the folder: exit %v, %s", err, out)
		}
		if err := first.Wait(); err != nil {
			t.Fatalf("resume: %v", err)
		}
		sameSearch(t, "SIGTERM + resume", ref, dir)
	})

	t.Run("kill before the first checkpoint", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "early")
		cmd := gaeaCmd(bin, tinyRun(dir)...) // time-based checkpoints: the first after 2 minutes
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitFor(t, cmd, "a few steps", func() bool { return historyLines(dir) >= 4 })
		_ = cmd.Process.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		out, err := gaeaCmd(bin, "search", "--resume", dir).CombinedOutput()
		if err != nil || !strings.Contains(string(out), "starting it again") {
			t.Fatalf("resume: %v\n%s", err, out)
		}
		sameSearch(t, "kill before a checkpoint + resume", ref, dir)
	})

	t.Run("kill -9 at a random point", func(t *testing.T) {
		rng := rand.New(rand.NewSource(time.Now().UnixNano()))
		rounds := 1
		if longTests() {
			rounds = 3
		}
		for round := 0; round < rounds; round++ {
			dir := filepath.Join(t.TempDir(), "random")
			cmd := gaeaCmd(bin, tinyRun(dir)...)
			cmd.Env = append(cmd.Env, "GAEA_CHECKPOINT_INTERVAL=150ms")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			waitFor(t, cmd, "the first steps", func() bool { return historyLines(dir) >= 2 })
			time.Sleep(time.Duration(rng.Intn(600)) * time.Millisecond)
			_ = cmd.Process.Signal(syscall.SIGKILL)
			_ = cmd.Wait()
			out, err := gaeaCmd(bin, "search", "--resume", dir).CombinedOutput()
			if err != nil {
				t.Fatalf("resume: %v\n%s", err, out)
			}
			sameSearch(t, "kill -9 + resume", ref, dir)
		}
	})
}

// The command line and a notebook-style call of the library give the same history.
func TestCLIAndLibraryAgree(t *testing.T) {
	if testing.Short() {
		t.Skip("runs searches")
	}
	bin := buildGaea(t)
	ref := reference(t, bin)
	st, err := experiment.Defaults(experiment.Quick, "tiny", experiment.GAEADARTS, "embedded")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Apply(experiment.Overrides{"subset": 96, "batch": 16, "epochs": 3, "channels": 4}); err != nil {
		t.Fatal(err)
	}
	st.Seed = 7
	t.Setenv("GOMLX_BACKEND", "go")
	dir := filepath.Join(t.TempDir(), "library")
	if _, err := experiment.Search(context.Background(), st, experiment.Options{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	sameSearch(t, "library call", ref, dir)
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }
