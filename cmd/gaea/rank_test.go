package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/experiment"
)

// TestRankCommand: gaea rank on a small real NB201 search prints what it evaluated and one line per
// correlation with both intervals, writes the same numbers to --json (experiment.Ranking), and leaves
// the run folder as it was.
func TestRankCommand(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a search")
	}
	bin := buildGaea(t)
	dir := filepath.Join(t.TempDir(), "nb201")
	if code, out, errOut := run(t, bin, "search", "--space", "nb201", "--preset", "quick", "--dataset", "embedded", "--subset", "64",
		"--batch", "32", "--epochs", "1", "--channels", "4", "--with-none", "false", "--out", dir); code != 0 {
		t.Fatalf("search: exit %d\n%s%s", code, out, errOut)
	}
	before := snapshot(t, dir)
	file := filepath.Join(t.TempDir(), "rank.json")
	code, out, errOut := run(t, bin, "rank", dir, "--top", "3", "--random", "5", "--images", "64", "--batch", "32", "--resamples", "100", "--json", file)
	if code != 0 {
		t.Fatalf("rank: exit %d\n%s%s", code, out, errOut)
	}
	if after := snapshot(t, dir); after != before {
		t.Errorf("gaea rank changed the run folder:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var rk experiment.Ranking
	if err := json.Unmarshal(raw, &rk); err != nil {
		t.Fatal(err)
	}
	if len(rk.Archs) != 8 || rk.Supernet.N != 8 || rk.Theta == nil || rk.Iteration != 2 || rk.HeldOut != "embedded test[:64]" {
		t.Fatalf("rank.json: %d architectures, n %d, θ %v, iteration %d, %s", len(rk.Archs), rk.Supernet.N, rk.Theta, rk.Iteration, rk.HeldOut)
	}
	c := rk.Supernet
	for _, want := range []string{
		dir + " (gaea-darts on nb201, iteration 2): 8 architectures (the 3 best of NAS-Bench-201 CIFAR-10 that the supernet can express, 5 random) on embedded test[:64]",
		"supernet accuracy against NAS-Bench-201 CIFAR-10, n = 8:",
		fmt.Sprintf("Kendall τ-b %+.3f   95%% CI Fisher z %s, bootstrap %s (100 resamples)", c.Tau.Value, c.Tau.Fisher, c.Tau.Bootstrap),
		fmt.Sprintf("Spearman ρ  %+.3f   95%% CI Fisher z %s, bootstrap %s (100 resamples)", c.Rho.Value, c.Rho.Fisher, c.Rho.Bootstrap),
		"θ probability against NAS-Bench-201 CIFAR-10, n = 8:",
		fmt.Sprintf("Kendall τ-b %+.3f", rk.Theta.Tau.Value),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if n := strings.Count(errOut, "rank: batch "); n != 2 {
		t.Errorf("stderr has %d progress lines, want 2 (one per batch): %q", n, errOut)
	}
}
