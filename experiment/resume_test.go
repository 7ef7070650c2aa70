package experiment

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/gaea"
)

// resultSeconds matches result.json's wall time, the one value a resumed run cannot reproduce.
var resultSeconds = regexp.MustCompile(`(?m)^  "seconds": [-+.0-9eE]+,\n`)

// validSeconds matches the wall time of a supernet validation in a history line (its last key).
var validSeconds = regexp.MustCompile(`,"seconds":[-+.0-9eE]+}`)

// TestResumeEveryAlgorithm: for every algorithm, a search cancelled after iteration k (as SIGTERM
// cancels the command's context) — before its first checkpoint (k = 1) and after it (k = 3, the
// checkpoint every 2) — and continued with Resume ends as the uninterrupted search: the same
// history.jsonl and result.json (θ, β, genotype, RS-WS candidates) byte for byte, but the wall times
// (result.json's and each supernet validation's).
// Through RestoreSearch this covers Adam's state, GDAS's τ and Gumbel noise, the warm-up (gaea-gdas,
// pcdarts: the first epoch), the second-order step (darts-v2) and RS-WS's samples on the tiny space;
// with GAEA_TEST_LONG=1 also the β blocks and partial channels of gaea-pcdarts and pcdarts on the
// darts space. 2 epochs × 2 iterations each.
func TestResumeEveryAlgorithm(t *testing.T) {
	if testing.Short() {
		t.Skip("runs searches")
	}
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	long := os.Getenv("GAEA_TEST_LONG") != ""
	for _, algo := range Algos() {
		space, over := "tiny", Overrides{"subset": 32, "batch": 16, "epochs": 2, "channels": 4, "cells": 1}
		if algo.partialChannels() {
			if !long {
				continue
			}
			space, over = "darts", Overrides{"subset": 4, "batch": 2, "epochs": 2, "channels": 4, "cells": 3}
		}
		t.Run(string(algo), func(t *testing.T) {
			st, err := Defaults(Quick, space, algo, "embedded")
			if err != nil {
				t.Fatal(err)
			}
			if err := st.Apply(over); err != nil {
				t.Fatal(err)
			}
			st.Seed, st.CheckpointEvery = 4, 2
			ref := filepath.Join(t.TempDir(), "reference")
			res, err := Search(context.Background(), st, Options{Dir: ref, Backend: be})
			if err != nil {
				t.Fatal(err)
			}
			if res.Steps != 4 {
				t.Fatalf("%d iterations, want 4 (2 epochs × 2)", res.Steps)
			}
			for _, k := range []int{1, 3} {
				dir := filepath.Join(t.TempDir(), "interrupted")
				ctx, cancel := context.WithCancel(context.Background())
				_, err := Search(ctx, st, Options{Dir: dir, Backend: be, OnIteration: func(_ *gaea.Search, it, _ int) {
					if it == k {
						cancel()
					}
				}})
				cancel()
				if !errors.Is(err, ErrInterrupted) {
					t.Fatalf("cancelled after %d: %v, want ErrInterrupted", k, err)
				}
				if _, err := Resume(context.Background(), dir, Options{Backend: be}); err != nil {
					t.Fatalf("resume after %d: %v", k, err)
				}
				for _, f := range []string{HistoryFile, ResultFile} {
					want, got := readFile(t, filepath.Join(ref, f)), readFile(t, filepath.Join(dir, f))
					if f == ResultFile {
						if !resultSeconds.Match(want) || !resultSeconds.Match(got) {
							t.Fatalf("%s has no \"seconds\" line to leave out", f)
						}
						want, got = resultSeconds.ReplaceAll(want, nil), resultSeconds.ReplaceAll(got, nil)
					} else {
						want, got = validSeconds.ReplaceAll(want, []byte("}")), validSeconds.ReplaceAll(got, []byte("}"))
					}
					if !bytes.Equal(want, got) {
						t.Errorf("cancelled after %d and resumed: %s differs from the uninterrupted run's", k, f)
					}
				}
			}
		})
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
