package experiment

import (
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/gaea"
	"github.com/gaeanas/gaeanas/rundir"
	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gaeanas/gaeanas/spaces/nb201"
	"github.com/gaeanas/gaeanas/stats"
)

// rankRun runs a small NB201 search (2 iterations on 64 embedded CIFAR-10 images, C = 4, no `none`) of
// the algorithm and returns its folder.
func rankRun(t *testing.T, algo Algo) string {
	t.Helper()
	st, err := Defaults(Quick, "nb201", algo, "embedded")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Apply(Overrides{"subset": 64, "batch": 32, "epochs": 1, "channels": 4, "cells": 1, "with_none": false, "level": "single"}); err != nil {
		t.Fatal(err)
	}
	if algo == RSWS { // RS-WS scores its candidates at the end: 4 on one batch, not the preset's 100
		if err := st.Apply(Overrides{"candidates": 4, "valid_batch": 16}); err != nil {
			t.Fatal(err)
		}
	}
	st.Seed = 3
	dir := filepath.Join(t.TempDir(), string(algo))
	if _, err := Search(context.Background(), st, Options{Dir: dir}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// folderHash is a digest of every file of a folder, names and contents.
func folderHash(t *testing.T, dir string) string {
	t.Helper()
	h := sha256.New()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		raw, err := os.ReadFile(path)
		fmt.Fprintf(h, "%s %d\n", path, len(raw))
		h.Write(raw)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

// TestRank ranks architectures on a small GAEA search's supernet and checks what Rank reports against
// independent computations: the top architectures are the table's best without `none` (found here from
// nb201's own table), the random ones distinct others; each Acc is what EvaluateGenotypes gives on all the
// batches at once, bit for bit, and the mean of the per-batch values; the θ score is the product of θ at
// the architecture's ops; the correlations are stats.RankCorrelations of the reported values; a second
// Rank gives the same result (Seconds aside), given genotypes the same scores, and the run folder is
// unchanged.
func TestRank(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a search")
	}
	dir := rankRun(t, GAEADARTS)
	before := folderHash(t, dir)
	opt := RankOptions{Top: 3, Random: 5, Seed: 2, Images: 64, Batch: 32, Resamples: 200}
	rk, err := Rank(context.Background(), dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	if got := folderHash(t, dir); got != before {
		t.Error("Rank changed the run folder")
	}
	if rk.Space != "nb201" || rk.Algo != GAEADARTS || rk.Iteration != 2 || rk.HeldOut != "embedded test[:64]" ||
		rk.BenchmarkDataset != "cifar10" || rk.Benchmark != "NAS-Bench-201 CIFAR-10" || len(rk.Archs) != 8 {
		t.Fatalf("ranking %+v", rk)
	}

	// The table's best 3 cells without `none`, by CIFAR-10 accuracy (ties by index).
	var free []nb201.Entry
	for _, a := range nb201.All() {
		if !strings.Contains(a.String(), "none") {
			free = append(free, nb201.Lookup(a))
		}
	}
	slices.SortStableFunc(free, func(a, b nb201.Entry) int {
		return cmp.Or(cmp.Compare(b.Accuracy[nb201.CIFAR10], a.Accuracy[nb201.CIFAR10]), a.Index-b.Index)
	})
	seen := map[int]bool{}
	for i, a := range rk.Archs {
		want := "random"
		if i < 3 {
			want = "top"
			if a.Index != free[i].Index || a.Genotype != free[i].Arch.String() {
				t.Errorf("top %d: %d %s, want %d %s", i, a.Index, a.Genotype, free[i].Index, free[i].Arch)
			}
		}
		e := nb201.Lookup(must(nb201.ParseArch(a.Genotype)))
		if a.Source != want || seen[a.Index] || strings.Contains(a.Genotype, "none") || e.Index != a.Index || a.Benchmark != e.Accuracy[nb201.CIFAR10] {
			t.Errorf("arch %d: %+v (table index %d, %.2f%%)", i, a, e.Index, e.Accuracy[nb201.CIFAR10])
		}
		seen[a.Index] = true
		if len(a.BatchAcc) != 2 || len(a.BatchLoss) != 2 || a.Acc != a.BatchAcc[0]/2+a.BatchAcc[1]/2 || a.Loss != a.BatchLoss[0]/2+a.BatchLoss[1]/2 {
			t.Errorf("arch %d: acc %v of batches %v, loss %v of %v", i, a.Acc, a.BatchAcc, a.Loss, a.BatchLoss)
		}
	}

	// The same supernet, restored here: EvaluateGenotypes on both batches at once, and θ.
	var st Settings
	if err := rundir.ReadJSON(filepath.Join(dir, SettingsFile), &st); err != nil {
		t.Fatal(err)
	}
	r, err := prepare(context.Background(), st, dir, Options{}, true)
	if err != nil {
		t.Fatal(err)
	}
	xs, ys, _, err := heldOut(r.Data.Test, st.Dataset, 64, 32)
	if err != nil {
		t.Fatal(err)
	}
	var gs []spaces.Genotype
	for _, a := range rk.Archs {
		gs = append(gs, must(r.search.Space().ParseGenotype(a.Genotype)))
	}
	scores, err := r.search.EvaluateGenotypes(gs, 2, gaea.ReplayBatches(xs, ys))
	if err != nil {
		t.Fatal(err)
	}
	theta := must(r.search.Theta())
	ops := r.search.Space().Ops()
	var acc, bench, score []float64
	for i, a := range rk.Archs {
		if scores[i].Acc != a.Acc || scores[i].Loss != a.Loss || scores[i].Images != 64 {
			t.Errorf("arch %d: Rank acc %v loss %v, EvaluateGenotypes on both batches %+v", i, a.Acc, a.Loss, scores[i])
		}
		cell := must(spaces.ParseCellGenotype(a.Genotype, 4, ops))
		p := 1.0
		for e, op := range cell.Ops {
			p *= theta[e][slices.Index(ops, op)]
		}
		if math.Abs(p-a.ThetaScore) > 1e-15 || !(p > 0) {
			t.Errorf("arch %d: θ score %v, want %v", i, a.ThetaScore, p)
		}
		acc, bench, score = append(acc, a.Acc), append(bench, a.Benchmark), append(score, a.ThetaScore)
	}
	if want := must(stats.RankCorrelations(acc, bench, 0.95, 200, 0)); !reflect.DeepEqual(rk.Supernet, want) {
		t.Errorf("supernet correlation %+v, want %+v", rk.Supernet, want)
	}
	if want := must(stats.RankCorrelations(score, bench, 0.95, 200, 0)); rk.Theta == nil || !reflect.DeepEqual(*rk.Theta, want) {
		t.Errorf("θ correlation %+v, want %+v (%s)", rk.Theta, want, rk.ThetaNote)
	}

	// Again: the same; and the genotypes given: the same scores.
	again, err := Rank(context.Background(), dir, opt)
	if err != nil {
		t.Fatal(err)
	}
	again.Seconds = rk.Seconds
	if !reflect.DeepEqual(again, rk) {
		t.Error("a second Rank differs")
	}
	var names []string
	for _, a := range rk.Archs[3:] {
		names = append(names, a.Genotype)
	}
	given, err := Rank(context.Background(), dir, RankOptions{Genotypes: names, Images: 64, Batch: 32, Resamples: 200})
	if err != nil {
		t.Fatal(err)
	}
	for i, a := range given.Archs {
		w := rk.Archs[3+i]
		if a.Source != "given" || a.Genotype != w.Genotype || a.Index != w.Index || !slices.Equal(a.BatchAcc, w.BatchAcc) || !slices.Equal(a.BatchLoss, w.BatchLoss) {
			t.Errorf("given %d: %+v, drawn %+v", i, a, w)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// TestRankUniformTheta: RS-WS leaves θ uniform, so θ ranks nothing: Rank says so instead of a correlation.
func TestRankUniformTheta(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a search")
	}
	rk, err := Rank(context.Background(), rankRun(t, RSWS), RankOptions{Top: 2, Random: 4, Images: 32, Batch: 32, Resamples: 50})
	if err != nil {
		t.Fatal(err)
	}
	if rk.Theta != nil || !strings.Contains(rk.ThetaNote, "same probability") || rk.Supernet.N != 6 {
		t.Errorf("θ correlation %+v, note %q, supernet n %d", rk.Theta, rk.ThetaNote, rk.Supernet.N)
	}
	for _, a := range rk.Archs {
		if a.ThetaScore != math.Pow(0.25, 6) {
			t.Errorf("%s: θ score %v, want 4^-6", a.Genotype, a.ThetaScore)
		}
	}
}

// TestRankRefuses: folders and options Rank cannot work with, each refused before anything is computed
// with the error that names the problem.
func TestRankRefuses(t *testing.T) {
	root := t.TempDir()
	mk := func(name, space string, withCheckpoint bool) string {
		dir := filepath.Join(root, name)
		st, err := Defaults(Quick, space, GAEADARTS, "embedded")
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(dir, "checkpoint"), 0o755); err != nil {
			t.Fatal(err)
		}
		if !withCheckpoint {
			os.Remove(filepath.Join(dir, "checkpoint"))
		}
		if err := rundir.WriteJSON(filepath.Join(dir, SettingsFile), st); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	tiny, fresh, nb := mk("tiny", "tiny", true), mk("fresh", "nb201", false), mk("nb", "nb201", true)
	ok := RankOptions{Top: 2, Random: 3}
	for _, c := range []struct {
		dir  string
		opt  RankOptions
		is   error
		want string
	}{
		{t.TempDir(), ok, ErrNotRun, "no settings.json"},
		{tiny, ok, ErrNoBenchmark, "space tiny"},
		{fresh, ok, ErrNoCheckpoint, "no checkpoint yet"},
		{nb, RankOptions{Top: -1}, ErrRankOption, "must not be negative"},
		{nb, RankOptions{Top: 2, Random: 2}, ErrRankOption, "at least 5"},
		{nb, RankOptions{Genotypes: []string{"x"}}, ErrRankOption, "at least 5"},
		{nb, RankOptions{Images: 100, Batch: 32}, ErrRankOption, "the batch dividing the images"},
		{nb, RankOptions{Level: 1.5}, ErrRankOption, "between 0 and 1"},
		{nb, RankOptions{Resamples: 3}, ErrRankOption, "at least 10"},
		{nb, RankOptions{BenchmarkDataset: "mnist"}, ErrRankOption, `no data set "mnist"`},
	} {
		err := CheckRank(c.dir, c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) || (c.is != nil && !errors.Is(err, c.is)) {
			t.Errorf("CheckRank(%s, %+v) = %v, want %q", filepath.Base(c.dir), c.opt, err, c.want)
		}
		if _, rerr := Rank(context.Background(), c.dir, c.opt); fmt.Sprint(rerr) != fmt.Sprint(err) {
			t.Errorf("Rank(%s) = %v, CheckRank %v", filepath.Base(c.dir), rerr, err)
		}
	}
	if err := CheckRank(nb, ok); err != nil {
		t.Errorf("CheckRank of an NB201 run with a checkpoint: %v", err)
	}
}
