package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gaeanas/gaeanas/experiment"
)

var (
	gaeaBuildOnce sync.Once
	gaeaBin       string
	gaeaBuildErr  error
)

// buildGaea builds the command (pure-Go backend, no XLA) once per test run and returns its path; the
// tests that run the binary share it. TestMain removes it.
func buildGaea(t *testing.T) string {
	t.Helper()
	gaeaBuildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "gaea-test-bin-")
		if err != nil {
			gaeaBuildErr = err
			return
		}
		gaeaBin = filepath.Join(dir, "gaea")
		if out, err := exec.Command("go", "build", "-tags", "noxla", "-o", gaeaBin, ".").CombinedOutput(); err != nil {
			gaeaBuildErr = fmt.Errorf("%v\n%s", err, out)
		}
	})
	if gaeaBuildErr != nil {
		t.Fatalf("build: %v", gaeaBuildErr)
	}
	return gaeaBin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if gaeaBin != "" {
		os.RemoveAll(filepath.Dir(gaeaBin))
	}
	os.Exit(code)
}

func gaeaCmd(bin string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "GOMLX_BACKEND=go")
	return cmd
}

var tinySearch = []string{"search", "--space", "tiny", "--dataset", "embedded", "--preset", "quick", "--subset", "96",
	"--batch", "16", "--epochs", "3", "--channels", "4", "--seed", "7"}

func readResult(t *testing.T, dir string) experiment.Result {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	var r experiment.Result
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSearchEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("runs searches")
	}
	bin := buildGaea(t)

	// A complete run, then the same run killed (SIGKILL) after a checkpoint and resumed.
	full := filepath.Join(t.TempDir(), "full")
	if out, err := gaeaCmd(bin, append(tinySearch, "--out", full)...).CombinedOutput(); err != nil {
		t.Fatalf("search: %v\n%s", err, out)
	}
	res := readResult(t, full)
	if res.Space != "tiny" || res.Algo != "gaea-darts" || res.Steps != 18 || len(res.ArchWeights) != 3 ||
		len(res.Ops) != 3 || len(res.Edges) != 3 || res.Genotype == "" || res.Backend != "go" || res.Preset != "quick" {
		t.Fatalf("result.json: %+v", res)
	}
	report, err := os.ReadFile(filepath.Join(full, "report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(report, []byte("<svg")); n < 4 || bytes.Contains(report, []byte("not available")) {
		t.Errorf("report.html has %d pictures (want ≥ 4: heatmap, θ evolution, entropy, losses) or a missing one", n)
	}
	// gaea report rewrites it, and refuses a folder that is not a run.
	os.Remove(filepath.Join(full, "report.html"))
	if out, err := gaeaCmd(bin, "report", full).CombinedOutput(); err != nil {
		t.Fatalf("report: %v\n%s", err, out)
	}
	if again, err := os.ReadFile(filepath.Join(full, "report.html")); err != nil || bytes.Count(again, []byte("<svg")) != bytes.Count(report, []byte("<svg")) {
		t.Errorf("gaea report wrote a different report (%v)", err)
	}
	out, err := gaeaCmd(bin, "report", t.TempDir()).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Errorf("report of an empty folder: %v %s (want exit 2)", err, out)
	}
	hist, err := os.ReadFile(filepath.Join(full, "history.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if n := bytes.Count(hist, []byte("\n")); n != 36 {
		t.Fatalf("history.jsonl has %d records, want 36 (18 iterations × 2 blocks)", n)
	}

	killed := filepath.Join(t.TempDir(), "killed")
	cmd := gaeaCmd(bin, append(tinySearch, "--out", killed, "--checkpoint-every", "2")...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if _, err := os.Stat(filepath.Join(killed, "checkpoint", "search.json")); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("no checkpoint after 60 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(150 * time.Millisecond) // let it run on past the checkpoint
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	if _, err := os.Stat(filepath.Join(killed, "result.json")); err == nil {
		t.Skip("the search finished before it could be killed")
	}
	if out, err := gaeaCmd(bin, "search", "--resume", killed).CombinedOutput(); err != nil {
		t.Fatalf("resume: %v\n%s", err, out)
	}
	res2 := readResult(t, killed)
	if res2.Genotype != res.Genotype {
		t.Errorf("resumed genotype %s, uninterrupted %s", res2.Genotype, res.Genotype)
	}
	for e := range res.ArchWeights {
		for k := range res.ArchWeights[e] {
			if res.ArchWeights[e][k] != res2.ArchWeights[e][k] {
				t.Fatalf("arch weights differ at [%d][%d]: %v vs %v", e, k, res.ArchWeights[e][k], res2.ArchWeights[e][k])
			}
		}
	}
	hist2, err := os.ReadFile(filepath.Join(killed, "history.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(hist, hist2) {
		t.Error("history.jsonl of the killed-and-resumed run differs from the uninterrupted one")
	}
}

func TestSearchNaNStops(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a search")
	}
	bin := buildGaea(t)
	dir := filepath.Join(t.TempDir(), "nan")
	out, err := gaeaCmd(bin, append(tinySearch, "--out", dir, "--weight-lr", "1e30", "--checkpoint-every", "1")...).CombinedOutput()
	ee, ok := err.(*exec.ExitError)
	if !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit %v, want 1; output:\n%s", err, out)
	}
	last := strings.TrimSpace(string(out))
	last = last[strings.LastIndex(last, "\n")+1:]
	if !strings.Contains(last, "step") || !(strings.Contains(last, "NaN") || strings.Contains(last, "Inf")) ||
		!(strings.Contains(last, "arch") || strings.Contains(last, "weights")) {
		t.Errorf("last line %q should name the step, the block and the NaN", last)
	}
	if _, err := os.Stat(filepath.Join(dir, "result.json")); err == nil {
		t.Error("a result.json was written for a failed search")
	}
}

func TestSearchBadFlags(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildGaea(t)
	for _, args := range [][]string{
		{"--algo", "nosuch"}, {"--space", "nosuch"}, {"--preset", "slow"}, {"--level", "tri"},
		{"--dataset", "nosuch"}, {"--epochs", "-1"}, {"--space", "nb201", "--algo", "gaea-pcdarts"},
		{"--resume", filepath.Join(t.TempDir(), "missing")}, {"extra"}, {"--arch-lr", "-3"},
	} {
		out, err := gaeaCmd(bin, append([]string{"search"}, args...)...).CombinedOutput()
		ee, ok := err.(*exec.ExitError)
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if !ok || ee.ExitCode() != 2 || !strings.HasPrefix(lines[len(lines)-1], "gaea search: ") {
			t.Errorf("search %q: exit %v, output %q; want exit 2 and a one-line error", args, err, out)
		}
	}
}

// TestSearchNB201ResultHasLookup: a quick NB201 search on a tiny subset writes result.json whose `nb201`
// object is exactly what `gaea lookup` prints for the found genotype.
func TestSearchNB201ResultHasLookup(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a search")
	}
	bin := buildGaea(t)
	dir := filepath.Join(t.TempDir(), "nb201")
	if out, err := gaeaCmd(bin, "search", "--space", "nb201", "--preset", "quick", "--subset", "64", "--batch", "16",
		"--epochs", "1", "--channels", "4", "--out", dir).CombinedOutput(); err != nil {
		t.Fatalf("search: %v\n%s", err, out)
	}
	res := readResult(t, dir)
	if res.Benchmark == nil || res.Benchmark.Arch != res.Genotype || len(res.Ops) != 4 || len(res.Edges) != 6 {
		t.Fatalf("result.json: %+v", res)
	}
	out, err := gaeaCmd(bin, "lookup", res.Genotype).Output()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(dir, "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	var file map[string]json.RawMessage
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	var got, want map[string]any // the file's "nb201" object is gaea lookup's, key for key
	if err := json.Unmarshal(file["nb201"], &got); err != nil {
		t.Fatalf("result.json nb201: %v", err)
	}
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) || len(want) != 8 {
		t.Errorf("result.json nb201 = %v, gaea lookup = %v", got, want)
	}
}
