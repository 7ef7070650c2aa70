package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"time"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/data"
	"github.com/gaeanas/gaeanas/gaea"
	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gaeanas/gaeanas/spaces/darts"
	"github.com/gaeanas/gaeanas/spaces/nb201"
	"github.com/gaeanas/gaeanas/spaces/tiny"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// searchSettings is everything that determines a search; it is saved as settings.json in the run
// folder, and --resume reads it back.
type searchSettings struct {
	Space           string  `json:"space"`
	Algo            string  `json:"algo"`
	Level           string  `json:"level"`
	Dataset         string  `json:"dataset"`
	DataDir         string  `json:"data_dir,omitempty"`
	Preset          string  `json:"preset"`
	Epochs          int     `json:"epochs"`
	Batch           int     `json:"batch"`
	Channels        int     `json:"channels"`
	Cells           int     `json:"cells"`
	WeightLR        float64 `json:"weight_lr"`
	WeightLRMin     float64 `json:"weight_lr_min"`
	ArchLR          float64 `json:"arch_lr"`
	Seed            int64   `json:"seed"`
	Subset          int     `json:"subset"`
	CheckpointEvery int     `json:"checkpoint_every"`
}

// searchResult is result.json.
type searchResult struct {
	Space       string                 `json:"space"`
	Algo        string                 `json:"algo"`
	Level       string                 `json:"level"`
	Dataset     string                 `json:"dataset"`
	Seed        int64                  `json:"seed"`
	Backend     string                 `json:"backend"`
	Preset      string                 `json:"preset"`
	Epochs      int                    `json:"epochs"`
	Steps       int                    `json:"steps"`
	Seconds     float64                `json:"seconds"`
	Genotype    string                 `json:"genotype"`
	Ops         []string               `json:"ops"`
	Edges       []string               `json:"edges"`
	ArchWeights [][]float64            `json:"arch_weights"`
	EdgeWeights [][]float64            `json:"edge_weights,omitempty"`
	NB201       *lookupResult          `json:"nb201,omitempty"`
	Candidates  []gaea.RandomCandidate `json:"rsws_candidates,omitempty"` // RS-WS: the random architectures evaluated
	Settings    searchSettings         `json:"settings"`
}

// checkpointInterval is the wall time between checkpoints when --checkpoint-every is not given.
const checkpointInterval = 2 * time.Minute

// usageError is a bad command line: main exits 2 for it.
type usageError struct{ error }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

var algos = []string{"gaea-darts", "darts", "euclid-darts", "gaea-gdas", "gdas", "gaea-pcdarts", "pcdarts", "rsws"}

func runSearch(args []string) error {
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	var st searchSettings
	fs.StringVar(&st.Space, "space", "nb201", "search space: nb201, darts or tiny (the teaching space)")
	fs.StringVar(&st.Algo, "algo", "gaea-darts", "algorithm: "+strings.Join(algos, ", "))
	fs.StringVar(&st.Level, "level", "", "single (ERM: both blocks on the training split) or bi (architecture block on the held-out split); default per algorithm")
	fs.StringVar(&st.Dataset, "dataset", "", "data set: "+strings.Join(data.Names(), ", ")+" (default: embedded with --preset quick, cifar10 with paper)")
	fs.StringVar(&st.DataDir, "data-dir", "", "data directory (default $GAEA_DATA or the user cache)")
	fs.IntVar(&st.Epochs, "epochs", 0, "epochs over the training split (default from the preset)")
	fs.IntVar(&st.Batch, "batch", 0, "batch size (default from the preset)")
	fs.IntVar(&st.Channels, "channels", 0, "supernet width C (default from the preset)")
	fs.IntVar(&st.Cells, "cells", 0, "NB201: cells per stage N; DARTS: layers (default from the preset)")
	fs.Float64Var(&st.WeightLR, "weight-lr", 0, "maximum weight learning rate of the cosine schedule (default from the preset)")
	fs.Float64Var(&st.ArchLR, "arch-lr", 0, "architecture learning rate (default per algorithm)")
	fs.Int64Var(&st.Seed, "seed", 1, "random seed (weights, θ, data order)")
	out := fs.String("out", "", "output folder (default runs/<timestamp>-<space>-<algo>)")
	fs.IntVar(&st.CheckpointEvery, "checkpoint-every", 0, "iterations between checkpoints (default: one every 2 minutes, and at the end)")
	resume := fs.String("resume", "", "continue the search in this run folder from its last checkpoint")
	cpuProfile := fs.String("cpuprofile", "", "write a Go CPU profile of the run to this file (for performance work)")
	be := fs.String("backend", "", "GoMLX backend (go, xla, xla:cuda, …); default $GOMLX_BACKEND or automatic")
	fs.StringVar(&st.Preset, "preset", "", "quick (small supernet and data subset, minutes on a CPU) or paper (the reference settings); default: paper on a GPU, quick otherwise")
	fs.IntVar(&st.Subset, "subset", -1, "use this many images of each split (0 = all; default from the preset)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gaea search [flags]\n\nRuns a weight-sharing architecture search and writes result.json, history.jsonl and checkpoints\nto the output folder. With no flags: a quick GAEA search on the NAS-Bench-201 space over the embedded data.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *be != "" {
		os.Setenv(backend.EnvVar, *be)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return usagef("--cpuprofile: %v", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	dir := *out
	if *resume != "" {
		raw, err := os.ReadFile(filepath.Join(*resume, "settings.json"))
		if err != nil {
			return usagef("--resume %s: not a run folder (%v)", *resume, errors.Unwrap(err))
		}
		st = searchSettings{}
		if err := json.Unmarshal(raw, &st); err != nil {
			return fmt.Errorf("--resume %s: settings.json: %v", *resume, err)
		}
		dir = *resume
	} else if err := resolveSettings(&st); err != nil {
		return err
	}
	return search(st, dir, *resume != "")
}

// resolveSettings validates the flags and fills what they left to the preset and the algorithm.
func resolveSettings(st *searchSettings) error {
	if !contains(algos, st.Algo) {
		return usagef("--algo %q: want one of %s", st.Algo, strings.Join(algos, ", "))
	}
	switch st.Space {
	case "nb201", "tiny":
		if strings.HasSuffix(st.Algo, "pcdarts") {
			return usagef("--algo %s needs the darts space (edge weights β), not %s", st.Algo, st.Space)
		}
	case "darts":
		if st.Algo == "rsws" {
			return usagef("--algo rsws selects architectures per edge; use it with the nb201 or tiny space")
		}
	default:
		return usagef("--space %q: want nb201, darts or tiny", st.Space)
	}
	if st.Level == "" {
		st.Level = "single"
		if st.Algo == "darts" || st.Algo == "gdas" || st.Algo == "pcdarts" || st.Algo == "euclid-darts" {
			st.Level = "bi"
		}
	}
	if st.Level != "single" && st.Level != "bi" {
		return usagef("--level %q: want single or bi", st.Level)
	}
	for name, v := range map[string]int{"--epochs": st.Epochs, "--batch": st.Batch, "--channels": st.Channels, "--cells": st.Cells, "--checkpoint-every": st.CheckpointEvery} {
		if v < 0 {
			return usagef("%s must be positive, got %d", name, v)
		}
	}
	for name, v := range map[string]float64{"--weight-lr": st.WeightLR, "--arch-lr": st.ArchLR} {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return usagef("%s must be a positive number, got %v", name, v)
		}
	}
	if st.Preset == "" {
		be, err := backend.New()
		if err != nil {
			return err
		}
		st.Preset = "quick"
		why := "no GPU backend (" + be.Name() + ")"
		if name := backend.Name(); strings.Contains(name, "cuda") || strings.Contains(name, "gpu") {
			st.Preset, why = "paper", "GPU backend "+name
		}
		fmt.Fprintf(os.Stderr, "preset: %s (%s; choose with --preset quick|paper)\n", st.Preset, why)
	}
	if st.Preset != "quick" && st.Preset != "paper" {
		return usagef("--preset %q: want quick or paper", st.Preset)
	}
	quick := st.Preset == "quick"
	def := func(v *int, q, p int) {
		if *v == 0 {
			*v = p
			if quick {
				*v = q
			}
		}
	}
	deff := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	if st.Dataset == "" {
		st.Dataset = "cifar10"
		if quick {
			st.Dataset = "embedded"
		}
	}
	if !contains(data.Names(), st.Dataset) && !strings.HasPrefix(st.Dataset, "imagenet16-") {
		return usagef("--dataset %q: want one of %s", st.Dataset, strings.Join(data.Names(), ", "))
	}
	switch st.Space {
	case "nb201":
		def(&st.Epochs, 4, 25)
		def(&st.Batch, 32, 64)
		def(&st.Channels, 8, 24) // the reference search network is wider (C=24) than NB201's C=16
		def(&st.Cells, 1, 5)
		deff(&st.WeightLR, 0.025)
	case "darts":
		def(&st.Epochs, 1, 50)
		def(&st.Batch, 16, 256)
		def(&st.Channels, 4, 16)
		def(&st.Cells, 3, 8)
		deff(&st.WeightLR, 0.1)
		if !strings.HasSuffix(st.Algo, "pcdarts") {
			deff(&st.WeightLR, 0.025)
		}
	case "tiny":
		def(&st.Epochs, 2, 10)
		def(&st.Batch, 32, 64)
		def(&st.Channels, 8, 16)
		def(&st.Cells, 1, 2)
		deff(&st.WeightLR, 0.05)
	}
	st.WeightLRMin = 0.001
	if st.Subset < 0 {
		st.Subset = 0
		if quick {
			st.Subset = 1000
		}
	}
	if st.ArchLR == 0 {
		switch st.Algo {
		case "gaea-darts", "gaea-pcdarts", "euclid-darts":
			st.ArchLR = 0.1
		case "gaea-gdas":
			st.ArchLR = 0.01
		case "darts", "gdas":
			st.ArchLR = gaea.DARTSArchLR
		case "pcdarts":
			st.ArchLR = 6e-4
		}
	}
	return nil
}

// gaeaConfig maps an algorithm to the search configuration.
func gaeaConfig(st searchSettings, space spaces.Space, steps int) gaea.Config {
	cfg := gaea.Config{Space: space, ArchLR: st.ArchLR, WeightLR: st.WeightLR, WeightLRMin: st.WeightLRMin,
		Steps: steps, Seed: st.Seed}
	switch st.Algo {
	case "gaea-darts":
		cfg.Geometry = gaea.Entropic()
	case "darts":
		cfg.Geometry = gaea.Softmax()
	case "euclid-darts":
		cfg.Geometry = gaea.Euclidean()
	case "gaea-gdas":
		cfg.Geometry, cfg.Sampling, cfg.EntropyReg = gaea.Entropic(), "gdas", 0.01
	case "gdas":
		cfg.Geometry, cfg.Sampling = gaea.Softmax(), "gdas"
	case "gaea-pcdarts":
		cfg.Geometry, cfg.PartialChannels = gaea.Entropic(), 4
	case "pcdarts":
		cfg.Geometry, cfg.PartialChannels = gaea.Softmax(), 4
	case "rsws":
		cfg.Geometry, cfg.Sampling = gaea.Entropic(), "rsws"
	}
	return cfg
}

func buildSpace(st searchSettings, classes int) spaces.Space {
	switch st.Space {
	case "nb201":
		// GAEA excludes `none` on NB201 (4 ops); DARTS, GDAS and RS-WS keep all 5.
		withNone := !strings.HasPrefix(st.Algo, "gaea")
		return nb201.New().Channels(st.Channels).Cells(st.Cells).Classes(classes).WithNone(withNone)
	case "darts":
		return darts.New().Channels(st.Channels).Layers(st.Cells).Classes(classes)
	}
	return tiny.New().WithChannels(st.Channels).WithCells(st.Cells).WithClasses(classes)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// search runs (or resumes) a search in dir.
func search(st searchSettings, dir string, resuming bool) error {
	start := time.Now()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	be, err := backend.New()
	if err != nil {
		return err
	}
	ds, err := data.Open(ctx, st.Dataset, data.Options{Dir: st.DataDir, Progress: os.Stderr})
	if err != nil {
		return err
	}
	split, err := data.Search(ds, data.DefaultSplitSeed)
	if err != nil {
		return err
	}
	train, valid := split.Train, split.Valid
	if st.Subset > 0 {
		train = firstN(train, st.Subset)
		valid = firstN(valid, st.Subset)
	}
	batches, err := newDataBatches(st, train, valid)
	if err != nil {
		return err
	}
	stepsPerEpoch := max(1, train.Len()/st.Batch)
	total := st.Epochs * stepsPerEpoch
	// Without --checkpoint-every a checkpoint is written every checkpointInterval of wall time (a save
	// moves every variable to the host, which costs more than a step on a GPU) and at the end.
	lastSave := time.Now()
	space := buildSpace(st, len(train.Classes))
	cfg := gaeaConfig(st, space, total)

	if dir == "" {
		dir = filepath.Join("runs", fmt.Sprintf("%s-%s-%s", time.Now().Format("20060102-150405"), st.Space, st.Algo))
	}
	var s *gaea.Search
	if resuming {
		if s, err = gaea.RestoreSearch(be, cfg, batches, dir); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "resuming %s at iteration %d of %d\n", dir, iterationOf(s), total)
	} else {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		if err := writeJSONAtomic(filepath.Join(dir, "settings.json"), st); err != nil {
			return err
		}
		if s, err = gaea.NewSearch(be, cfg, batches); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "search: %s on %s, %s, %s level, %d epochs × %d iterations (batch %d, %d train / %d valid images), out %s\n",
		st.Algo, st.Space, st.Dataset, st.Level, st.Epochs, stepsPerEpoch, st.Batch, train.Len(), valid.Len(), dir)

	hist, err := openHistory(dir, s.History())
	if err != nil {
		return err
	}
	defer hist.Close()
	written := len(s.History())
	progressEvery := max(1, total/20)
	for it := iterationOf(s); it < total; it++ {
		if ctx.Err() != nil {
			if err := s.Save(dir); err != nil {
				return fmt.Errorf("interrupted, and the checkpoint failed: %w", err)
			}
			fmt.Fprintf(os.Stderr, "interrupted after iteration %d; checkpoint saved — continue with: gaea search --resume %s\n", it, dir)
			os.Exit(130)
		}
		if err := s.Step(); err != nil {
			return fmt.Errorf("%w (last good checkpoint in %s)", err, dir)
		}
		h := s.History()
		if err := hist.append(h[written:]); err != nil {
			return err
		}
		written = len(h)
		due := time.Since(lastSave) >= checkpointInterval
		if st.CheckpointEvery > 0 {
			due = (it+1)%st.CheckpointEvery == 0
		}
		if due || it+1 == total {
			if err := s.Save(dir); err != nil {
				return err
			}
			lastSave = time.Now()
		}
		if (it+1)%progressEvery == 0 || it+1 == total {
			printProgress(os.Stderr, s, it+1, total, stepsPerEpoch, start)
		}
	}
	res, err := buildResult(s, st, be.Name(), total, time.Since(start).Seconds())
	if err != nil {
		return err
	}
	if err := writeJSONAtomic(filepath.Join(dir, "result.json"), res); err != nil {
		return err
	}
	if path, err := writeReport(dir); err != nil {
		fmt.Fprintf(os.Stderr, "warning: report.html not written: %v\n", err)
	} else {
		fmt.Printf("report: %s\n", path)
	}
	fmt.Printf("genotype: %s\n", res.Genotype)
	if res.NB201 != nil {
		fmt.Printf("NAS-Bench-201: CIFAR-10 %.2f%% (rank %d), CIFAR-100 %.2f%% (rank %d), ImageNet16-120 %.2f%% (rank %d) of 15625\n",
			res.NB201.CIFAR10, res.NB201.RankCIFAR10, res.NB201.CIFAR100, res.NB201.RankCIFAR100, res.NB201.ImageNet16, res.NB201.RankImageNet16)
	}
	fmt.Printf("result: %s\n", filepath.Join(dir, "result.json"))
	return nil
}

func iterationOf(s *gaea.Search) int {
	h := s.History()
	if len(h) == 0 {
		return 0
	}
	return h[len(h)-1].Iteration
}

func firstN(set *data.Set, n int) *data.Set {
	if n >= set.Len() {
		return set
	}
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	return set.Subset(fmt.Sprintf("%s[:%d]", set.Name, n), idx)
}

func buildResult(s *gaea.Search, st searchSettings, backendName string, steps int, seconds float64) (*searchResult, error) {
	g, err := s.Genotype()
	if err != nil {
		return nil, err
	}
	var candidates []gaea.RandomCandidate
	if st.Algo == "rsws" {
		// Random search with weight sharing: θ stayed uniform; pick the best of random architectures
		// evaluated with the trained shared weights.
		n := 100
		if st.Preset == "quick" {
			n = 20
		}
		cands, best, err := s.BestOfRandom(n, 1, st.Seed)
		if err != nil {
			return nil, err
		}
		if g, err = s.Space().ParseGenotype(cands[best].Genotype); err != nil {
			return nil, err
		}
		candidates = cands
	}
	theta, err := s.Theta()
	if err != nil {
		return nil, err
	}
	beta, err := s.Beta()
	if err != nil {
		return nil, err
	}
	res := &searchResult{Space: st.Space, Algo: st.Algo, Level: st.Level, Dataset: st.Dataset, Seed: st.Seed,
		Backend: backendName, Preset: st.Preset, Epochs: st.Epochs, Steps: steps, Seconds: seconds,
		Genotype: g.String(), Ops: s.Space().Ops(), Edges: s.Space().Edges(), ArchWeights: theta, EdgeWeights: beta,
		Candidates: candidates, Settings: st}
	if st.Space == "nb201" {
		e, err := nb201.LookupString(g.String())
		if err != nil {
			return nil, err
		}
		r := lookupResultOf(e)
		res.NB201 = &r
	}
	return res, nil
}

func printProgress(w io.Writer, s *gaea.Search, it, total, perEpoch int, start time.Time) {
	h := s.History()
	var wLoss, wAcc, aLoss float64
	for i := len(h) - 1; i >= 0 && (wLoss == 0 || aLoss == 0); i-- {
		if h[i].Block == "weights" && wLoss == 0 {
			wLoss, wAcc = h[i].Loss, h[i].Acc
		}
		if h[i].Block == "arch" && aLoss == 0 {
			aLoss = h[i].Loss
		}
	}
	line := fmt.Sprintf("epoch %d/%d  iter %d/%d  weights loss %.3f acc %.2f", (it-1)/perEpoch+1, (total+perEpoch-1)/perEpoch, it, total, wLoss, wAcc)
	if aLoss != 0 {
		line += fmt.Sprintf("  arch loss %.3f", aLoss)
	}
	if g, err := s.Genotype(); err == nil {
		line += "  " + g.String()
		if e, err := nb201.LookupString(g.String()); err == nil && s.Space().Name() == "nb201" {
			line += fmt.Sprintf("  (NB201 C10 %.2f%%)", e.Accuracy[nb201.CIFAR10])
		}
	}
	fmt.Fprintf(w, "%s  [%s]\n", line, time.Since(start).Round(time.Second))
}

// writeJSONAtomic writes v as indented JSON to path through a temporary file and a rename.
func writeJSONAtomic(path string, v any) error {
	raw, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-")
	if err != nil {
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if _, err := tmp.Write(append(raw, '\n')); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// history is history.jsonl, one record per block step. On (re)start it is rewritten from the
// records of the checkpoint, so it never holds steps the checkpoint does not.
type history struct{ f *os.File }

func openHistory(dir string, records []gaea.Record) (*history, error) {
	path := filepath.Join(dir, "history.jsonl")
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return nil, err
	}
	h := &history{f}
	if err := h.append(records); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, err
	}
	if h.f, err = os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o644); err != nil {
		return nil, err
	}
	return h, nil
}

func (h *history) append(records []gaea.Record) error {
	enc := json.NewEncoder(h.f)
	for _, r := range records {
		if err := enc.Encode(r); err != nil {
			return err
		}
	}
	return nil
}

func (h *history) Close() error { return h.f.Close() }

// dataBatches feeds a search from data iterators: the weight block from the training split, the
// architecture block from the training split (single level) or the held-out split (bilevel). Both
// streams are infinite and shuffled per epoch with the search's seed; their positions are checkpointed.
type dataBatches struct {
	weights, arch *data.Iterator
}

func newDataBatches(st searchSettings, train, valid *data.Set) (*dataBatches, error) {
	tf, err := data.TrainTransform(st.Dataset, 0)
	if err != nil {
		tf = data.Transform{} // data sets without augmentation constants: scaling to 0–1 only
	}
	mk := func(set *data.Set, seed uint64) (*data.Iterator, error) {
		if set.Len() < st.Batch {
			return nil, usagef("--batch %d is larger than the %d images of %s", st.Batch, set.Len(), set.Name)
		}
		return data.NewIterator(set, st.Batch).Seed(seed).Infinite().Transform(tf).Done()
	}
	w, err := mk(train, uint64(st.Seed)*2+1)
	if err != nil {
		return nil, err
	}
	archSet := train
	if st.Level == "bi" {
		archSet = valid
	}
	a, err := mk(archSet, uint64(st.Seed)*2+2)
	if err != nil {
		return nil, err
	}
	return &dataBatches{weights: w, arch: a}, nil
}

func (d *dataBatches) Next(block gaea.Block) (images, labels *tensors.Tensor, err error) {
	it := d.weights
	if block == gaea.ArchBlock {
		it = d.arch
	}
	b, err := it.Next()
	if err != nil {
		return nil, nil, err
	}
	return b.Images, b.Labels, nil
}

type dataBatchesState struct {
	Weights data.State `json:"weights"`
	Arch    data.State `json:"arch"`
}

func (d *dataBatches) State() (json.RawMessage, error) {
	return json.Marshal(dataBatchesState{Weights: d.weights.State(), Arch: d.arch.State()})
}

func (d *dataBatches) SetState(raw json.RawMessage) error {
	var s dataBatchesState
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	if err := d.weights.SetState(s.Weights); err != nil {
		return err
	}
	return d.arch.SetState(s.Arch)
}
