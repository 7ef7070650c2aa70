package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// tinyGrid is a sweep of the teaching space: 2 algorithms × 2 seeds (flags of gaea search for every cell).
var tinyGrid = []string{"--algos", "gaea-darts,darts", "--seeds", "0,1", "--space", "tiny", "--dataset", "embedded",
	"--preset", "quick", "--subset", "96", "--batch", "16", "--channels", "4"}

// TestSweepLocalResume kills a local sweep while a cell runs, runs it again, and checks that the cells
// finished before are untouched, the interrupted one resumes, and every cell finishes.
func TestSweepLocalResume(t *testing.T) {
	if testing.Short() {
		t.Skip("runs searches")
	}
	bin := buildGaea(t)
	dir := filepath.Join(t.TempDir(), "sw")
	args := append([]string{"sweep", "--out", dir, "--jobs", "1", "--epochs", "6"}, tinyGrid...)
	cmd := gaeaCmd(bin, args...)
	var log strings.Builder
	cmd.Stderr = &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	cells := []string{"tiny-gaea-darts-s0", "tiny-gaea-darts-s1", "tiny-darts-s0", "tiny-darts-s1"}
	// Wait until the first cell is finished and the second has written steps.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the sweep did not get to its second cell: %s", log.String())
		}
		h, _ := os.ReadFile(filepath.Join(dir, cells[1], "history.jsonl"))
		if fileExists(filepath.Join(dir, cells[0], "result.json")) && strings.Count(string(h), "\n") >= 4 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL) // the cell's process gets SIGTERM (parent death), checkpoints and exits
	cmd.Wait()
	if fileExists(filepath.Join(dir, cells[1], "result.json")) {
		t.Skip("the second cell finished before the kill; machine too fast for this test's timing")
	}
	first, err := os.Stat(filepath.Join(dir, cells[0], "result.json"))
	if err != nil {
		t.Fatal(err)
	}
	firstRaw, _ := os.ReadFile(filepath.Join(dir, cells[0], "result.json"))

	// Status of the interrupted sweep.
	out, err := gaeaCmd(bin, "sweep", "status", dir).CombinedOutput()
	if codeOf(t, err) != 0 || !strings.Contains(string(out), "4 cells: 1 done, 1 started, 0 failed, 2 pending") {
		t.Fatalf("status after the kill:\n%s", out)
	}

	// Again, with no grid: it continues from sweep.json.
	out, err = gaeaCmd(bin, "sweep", "--out", dir, "--jobs", "2").CombinedOutput()
	if code := codeOf(t, err); code != 0 {
		t.Fatalf("rerun: exit %d\n%s", code, out)
	}
	if !strings.Contains(string(out), "1 finished before, 3 to run") {
		t.Errorf("rerun did not skip the finished cell:\n%s", out)
	}
	for _, c := range cells {
		if !fileExists(filepath.Join(dir, c, "result.json")) {
			t.Errorf("cell %s has no result.json", c)
		}
	}
	again, _ := os.Stat(filepath.Join(dir, cells[0], "result.json"))
	againRaw, _ := os.ReadFile(filepath.Join(dir, cells[0], "result.json"))
	if !again.ModTime().Equal(first.ModTime()) || string(againRaw) != string(firstRaw) {
		t.Errorf("the finished cell was touched")
	}
	cellLog, _ := os.ReadFile(filepath.Join(dir, "logs", cells[1]+".log"))
	if !strings.Contains(string(cellLog), "search --resume "+filepath.Join(dir, cells[1])) {
		t.Errorf("the interrupted cell was not resumed:\n%s", cellLog)
	}
	var res struct {
		Steps int `json:"steps"`
	}
	raw, _ := os.ReadFile(filepath.Join(dir, cells[1], "result.json"))
	if err := json.Unmarshal(raw, &res); err != nil || res.Steps != 6*6 {
		t.Errorf("resumed cell: %d steps, want %d (%v)", res.Steps, 6*6, err)
	}
	// A third run has nothing to do.
	out, err = gaeaCmd(bin, "sweep", "--out", dir).CombinedOutput()
	if codeOf(t, err) != 0 || !strings.Contains(string(out), "4 finished before, 0 to run") {
		t.Errorf("third run:\n%s", out)
	}
	checkAggregate(t, bin, dir, cells)
}

// checkAggregate compares gaea aggregate --json with mean and standard deviation computed here from
// the result.json files.
func checkAggregate(t *testing.T, bin, dir string, cells []string) {
	t.Helper()
	type result struct {
		Algo    string  `json:"algo"`
		Seed    int64   `json:"seed"`
		Seconds float64 `json:"seconds"`
		Entropy float64 `json:"mean_entropy"`
	}
	byAlgo := map[string][]result{}
	for _, c := range cells {
		raw, err := os.ReadFile(filepath.Join(dir, c, "result.json"))
		if err != nil {
			t.Fatal(err)
		}
		var r result
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatal(err)
		}
		byAlgo[r.Algo] = append(byAlgo[r.Algo], r)
	}
	out, err := gaeaCmd(bin, "aggregate", dir, "--json").Output()
	if code := codeOf(t, err); code != 0 {
		t.Fatalf("aggregate: exit %d", code)
	}
	var agg struct {
		Runs   int `json:"runs"`
		Tables []struct {
			Space, Dataset string
			Benchmark      string
			Rows           []struct {
				Algo    string  `json:"algo"`
				Seeds   []int64 `json:"seeds"`
				CIFAR10 *struct{ Mean float64 }
				Entropy struct {
					Mean, Std float64
					N         int
				} `json:"mean_entropy"`
				Seconds struct {
					Mean, Std float64
					N         int
				} `json:"seconds"`
			} `json:"rows"`
		} `json:"tables"`
	}
	if err := json.Unmarshal(out, &agg); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if agg.Runs != len(cells) || len(agg.Tables) != 1 || agg.Tables[0].Space != "tiny" || agg.Tables[0].Benchmark != "" || len(agg.Tables[0].Rows) != 2 {
		t.Fatalf("aggregate: %s", out)
	}
	// Sample mean and standard deviation, by hand.
	stat := func(v []float64) (float64, float64) {
		var s float64
		for _, x := range v {
			s += x
		}
		m := s / float64(len(v))
		var ss float64
		for _, x := range v {
			ss += (x - m) * (x - m)
		}
		return m, math.Sqrt(ss / float64(len(v)-1))
	}
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-9*math.Max(1, math.Abs(b)) }
	for i, row := range agg.Tables[0].Rows {
		if want := []string{"gaea-darts", "darts"}[i]; row.Algo != want {
			t.Errorf("row %d: %s, want %s (the sweep's order)", i, row.Algo, want)
		}
		rs := byAlgo[row.Algo]
		var ent, sec []float64
		var seeds []int64
		for _, r := range rs {
			ent, sec, seeds = append(ent, r.Entropy), append(sec, r.Seconds), append(seeds, r.Seed)
		}
		sort.Slice(seeds, func(i, j int) bool { return seeds[i] < seeds[j] })
		em, es := stat(ent)
		sm, ss := stat(sec)
		if !near(row.Entropy.Mean, em) || !near(row.Entropy.Std, es) || row.Entropy.N != len(rs) {
			t.Errorf("%s entropy %+v, want %v ± %v", row.Algo, row.Entropy, em, es)
		}
		if !near(row.Seconds.Mean, sm) || !near(row.Seconds.Std, ss) || row.Seconds.N != len(rs) {
			t.Errorf("%s seconds %+v, want %v ± %v", row.Algo, row.Seconds, sm, ss)
		}
		if row.CIFAR10 != nil {
			t.Errorf("%s: accuracy columns for the tiny space", row.Algo)
		}
		if len(row.Seeds) != 2 || row.Seeds[0] != seeds[0] || row.Seeds[1] != seeds[1] {
			t.Errorf("%s seeds %v, want %v", row.Algo, row.Seeds, seeds)
		}
	}
	for _, f := range []string{"aggregate.html", "aggregate.csv", "aggregate.json"} {
		if !fileExists(filepath.Join(dir, f)) {
			t.Errorf("no %s", f)
		}
	}
	csv, _ := os.ReadFile(filepath.Join(dir, "aggregate.csv"))
	if lines := strings.Split(strings.TrimSpace(string(csv)), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[1], "tiny,cifar10-sample,gaea-darts,") {
		t.Errorf("aggregate.csv:\n%s", csv)
	}
	// gaea report on a sweep folder writes the same report.
	out, err = gaeaCmd(bin, "report", dir).CombinedOutput()
	if codeOf(t, err) != 0 || strings.TrimSpace(string(out)) != filepath.Join(dir, "aggregate.html") {
		t.Errorf("gaea report on a sweep: %s", out)
	}
}

// TestSweepFailingCell: a cell that passes every check but fails when it runs (its data set is not on
// this machine) is reported, the others finish, the sweep exits 1; status and aggregate say so.
func TestSweepFailingCell(t *testing.T) {
	if testing.Short() {
		t.Skip("runs searches")
	}
	bin := buildGaea(t)
	dir := filepath.Join(t.TempDir(), "sw")
	cmd := gaeaCmd(bin, "sweep", "--out", dir, "--jobs", "2", "--algos", "gaea-darts", "--datasets", "embedded,fashion-mnist-sample,imagenet16-120", "--seeds", "3",
		"--space", "tiny", "--preset", "quick", "--subset", "96", "--batch", "16", "--epochs", "2", "--channels", "4")
	cmd.Env = append(cmd.Env, "GAEA_DATA="+t.TempDir()) // no ImageNet16 there
	out, err := cmd.CombinedOutput()
	if code := codeOf(t, err); code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	const bad = "tiny-imagenet16-120-gaea-darts-s3"
	if !strings.Contains(string(out), "cell "+bad+" failed: exit status 1") || !strings.Contains(string(out), "no ImageNet16") ||
		!strings.Contains(string(out), "1 of 3 cells failed: "+bad) {
		t.Errorf("output:\n%s", out)
	}
	if fileExists(filepath.Join(dir, bad)) {
		t.Errorf("the failed cell made its run folder")
	}
	for _, c := range []string{"tiny-embedded-gaea-darts-s3", "tiny-fashion-mnist-sample-gaea-darts-s3"} {
		if !fileExists(filepath.Join(dir, c, "result.json")) {
			t.Errorf("cell %s did not finish", c)
		}
	}
	out, err = gaeaCmd(bin, "sweep", "status", dir).CombinedOutput()
	if codeOf(t, err) != 0 || !strings.Contains(string(out), "3 cells: 2 done, 0 started, 1 failed, 0 pending") {
		t.Errorf("status:\n%s", out)
	}
	// The aggregate leaves the failed cell out and says so.
	out, err = gaeaCmd(bin, "aggregate", dir).CombinedOutput()
	if codeOf(t, err) != 0 || !strings.Contains(string(out), "not finished (left out): "+bad) {
		t.Errorf("aggregate:\n%s", out)
	}
}

func TestSweepUsageErrors(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := buildGaea(t)
	dir := filepath.Join(t.TempDir(), "sw")
	for _, c := range []struct {
		args     []string
		contains string
	}{
		{[]string{"sweep", "--algos", "darts"}, "--out DIR is required"},
		{[]string{"sweep", "--out", dir}, "not a sweep folder"},
		{[]string{"sweep", "--out", dir, "--algos", "darts", "--epochs", "x"}, "want an integer"},
		{[]string{"sweep", "--out", dir, "--algos", "darts", "--executor", "cloud"}, `--executor "cloud"`},
		{[]string{"sweep", "--out", dir, "--algos", "darts,darts"}, "listed twice"},
		{[]string{"sweep", "--out", dir, "--algos", "darts", "--datasets", "cifar10", "--dataset", "mnist"}, "set per cell"},
		{[]string{"sweep", "status"}, "want one sweep folder"},
		{[]string{"aggregate", dir}, "not a sweep folder"},
	} {
		out, err := gaeaCmd(bin, c.args...).CombinedOutput()
		if code := codeOf(t, err); code != 2 || !strings.Contains(string(out), c.contains) {
			t.Errorf("gaea %q: exit %d, want 2 with %q:\n%s", c.args, code, c.contains, out)
		}
	}
	// A dry run writes nothing.
	out, err := gaeaCmd(bin, "sweep", "--out", dir, "--algos", "darts", "--seeds", "0-1", "--space", "tiny", "--epochs", "1", "--dry-run").CombinedOutput()
	if codeOf(t, err) != 0 || !strings.Contains(string(out), "tiny-darts-s1\tsearch --out "+filepath.Join(dir, "tiny-darts-s1")+" --space tiny --algo darts --seed 1 --epochs=1") {
		t.Fatalf("dry run: %s", out)
	}
	if fileExists(dir) {
		t.Errorf("the dry run made %s", dir)
	}
	// A different grid on a sweep folder is refused.
	if out, err := gaeaCmd(bin, "sweep", "--out", dir, "--algos", "darts", "--space", "tiny", "--dataset", "embedded", "--preset", "quick",
		"--subset", "32", "--batch", "16", "--epochs", "1", "--channels", "2").CombinedOutput(); codeOf(t, err) != 0 {
		t.Fatalf("one-cell sweep: %s", out)
	}
	out, err = gaeaCmd(bin, "sweep", "--out", dir, "--algos", "gdas", "--space", "tiny").CombinedOutput()
	if code := codeOf(t, err); code != 2 || !strings.Contains(string(out), "different sweep") {
		t.Errorf("different grid: exit %d\n%s", code, out)
	}
}
