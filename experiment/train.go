package experiment

import (
	stdctx "context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	gctx "github.com/gomlx/gomlx/pkg/ml/context"

	trainer "github.com/gaeanas/gaeanas/trainer"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/data"
	"github.com/gaeanas/gaeanas/spaces/darts"
	"github.com/gaeanas/gaeanas/spaces/nb201"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// TrainSettings is everything that determines a from-scratch training; saved as settings.json in the
// run folder (--resume reads it back) and copied into result.json.
type TrainSettings struct {
	Space           string  `json:"space"`
	Genotype        string  `json:"genotype"`
	From            string  `json:"from,omitempty"`
	Dataset         string  `json:"dataset"`
	DataDir         string  `json:"data_dir,omitempty"`
	Epochs          int     `json:"epochs"`
	Batch           int     `json:"batch"`
	LR              float64 `json:"lr"`
	LRMin           float64 `json:"lr_min"`
	LRSchedule      string  `json:"lr_schedule"` // cosine-step (NB201: per iteration) or cosine-epoch (DARTS)
	Momentum        float64 `json:"momentum"`
	Nesterov        bool    `json:"nesterov"`
	WeightDecay     float64 `json:"weight_decay"`
	GradClip        float64 `json:"grad_clip"`
	Channels        int     `json:"channels"`
	Cells           int     `json:"cells,omitempty"`  // NB201: cells per stage N
	Layers          int     `json:"layers,omitempty"` // DARTS: cells of the network
	Cutout          int     `json:"cutout"`
	Auxiliary       float64 `json:"auxiliary"` // weight of the auxiliary head's loss (DARTS); 0 = no head
	DropPath        float64 `json:"drop_path"` // final drop-path probability (DARTS), grown linearly from 0
	PadTo           int     `json:"pad_to,omitempty"`
	Seed            int64   `json:"seed"`
	Subset          int     `json:"subset"`
	TestSubset      int     `json:"test_subset,omitempty"`
	CheckpointEvery string  `json:"checkpoint_every"`
}

// TrainRecord is one line of history.jsonl: one epoch. Accuracies are fractions in [0, 1].
type TrainRecord struct {
	Epoch     int     `json:"epoch"` // 1-based
	Steps     int64   `json:"steps"` // training steps so far
	LR        float64 `json:"lr"`    // learning rate of the epoch's last step
	DropPath  float64 `json:"drop_path,omitempty"`
	TrainLoss float64 `json:"train_loss"`
	TrainAcc  float64 `json:"train_acc"`
	TestLoss  float64 `json:"test_loss"`
	TestAcc   float64 `json:"test_acc"`
	Seconds   float64 `json:"seconds"` // wall time of the epoch in the process that finished it (not reproducible)
}

// TrainResult is result.json of `gaea train`.
type TrainResult struct {
	Space         string        `json:"space"`
	Genotype      string        `json:"genotype"`
	Dataset       string        `json:"dataset"`
	Epochs        int           `json:"epochs"`
	Steps         int64         `json:"steps"`
	Params        int           `json:"params"` // trainable parameters (without the auxiliary head, as the reference counts)
	FinalTestAcc  float64       `json:"final_test_acc"`
	FinalTestLoss float64       `json:"final_test_loss"`
	BestTestAcc   float64       `json:"best_test_acc"`
	BestEpoch     int           `json:"best_epoch"`
	FinalTrainAcc float64       `json:"final_train_acc"`
	Seconds       float64       `json:"seconds"` // training time over all processes of the run
	Backend       string        `json:"backend"`
	Seed          int64         `json:"seed"`
	NB201         *NB201Entry   `json:"nb201,omitempty"` // the benchmark's entry for the architecture
	Settings      TrainSettings `json:"settings"`

	Dir             string `json:"-"` // the run folder
	AlreadyFinished bool   `json:"-"` // set when Train found the run finished (resuming)
}

// ReadTrainResult reads result.json of a training run folder.
func ReadTrainResult(dir string) (*TrainResult, error) {
	var r TrainResult
	if err := ReadJSON(filepath.Join(dir, ResultFile), &r); err != nil {
		return nil, err
	}
	if r.Genotype == "" || r.Steps == 0 {
		return nil, fmt.Errorf("%s/%s is not a training result", dir, ResultFile)
	}
	r.Dir = dir
	return &r, nil
}

// trainState is the loop's part of a checkpoint.
type trainState struct {
	Epoch       int           `json:"epoch"`         // completed epochs
	StepInEpoch int           `json:"step_in_epoch"` // steps of the current epoch done
	Iterator    data.State    `json:"iterator"`      // training batches
	LossSum     float64       `json:"loss_sum"`      // Σ batch loss × batch size in the current epoch
	Correct     int           `json:"correct"`
	Seen        int           `json:"seen"`
	LastLR      float64       `json:"last_lr"`
	History     []TrainRecord `json:"history"`
	Seconds     float64       `json:"seconds"` // training time of the processes before
}

func KnownDARTSNames() []string {
	return []string{"DARTS_V1", "DARTS_V2", "PC_DARTS", "PC_DARTS_IMAGENET"}
}

// ResolveTrainSettings validates the flags and fills the protocol defaults of the space. With st.From
// (a search run folder) the architecture comes from its result.json, and so do the data set and data
// folder when set has no "dataset" (and "data-dir").
func ResolveTrainSettings(st *TrainSettings, set map[string]bool, arch, genotype string, cells, layers int) error {
	// A flag that is given must be valid (a flag not given takes the protocol's default).
	for name, v := range map[string]float64{"epochs": float64(st.Epochs), "batch": float64(st.Batch),
		"channels": float64(st.Channels), "cells": float64(cells), "layers": float64(layers), "weight-lr": st.LR} {
		if set[name] && !(v > 0) {
			return fmt.Errorf("--%s must be positive, got %v", name, v)
		}
	}
	if st.From != "" {
		if arch != "" || genotype != "" {
			return fmt.Errorf("--from takes the architecture from %s/result.json; drop --arch/--genotype", st.From)
		}
		raw, err := os.ReadFile(filepath.Join(st.From, "result.json"))
		if err != nil {
			if _, serr := os.Stat(st.From); serr != nil {
				return fmt.Errorf("--from %s: no such run folder", st.From)
			}
			return fmt.Errorf("--from %s: no result.json (is the search finished?)", st.From)
		}
		var r struct {
			Space    string `json:"space"`
			Genotype string `json:"genotype"`
			Dataset  string `json:"dataset"`
			Settings struct {
				DataDir string `json:"data_dir"`
			} `json:"settings"`
		}
		if err := json.Unmarshal(raw, &r); err != nil || r.Space == "" || r.Genotype == "" {
			return fmt.Errorf("--from %s: result.json has no space and genotype", st.From)
		}
		// The data set (and its folder) the search ran on, unless given: after the quick search on the
		// embedded sample, training must not reach for the full data set over the network.
		if !set["dataset"] && r.Dataset != "" {
			st.Dataset = r.Dataset
			if !set["data-dir"] {
				st.DataDir = r.Settings.DataDir
			}
		}
		if st.Space != "" && st.Space != r.Space {
			return fmt.Errorf("--space %s, but the run in %s searched the %s space", st.Space, st.From, r.Space)
		}
		st.Space = r.Space
		switch r.Space {
		case "nb201":
			arch = r.Genotype
		case "darts":
			genotype = r.Genotype
		default:
			return fmt.Errorf("--from %s: space %q has no standard network to train (want nb201 or darts)", st.From, r.Space)
		}
	}
	if st.Space == "" {
		switch {
		case arch != "" && genotype != "":
			return fmt.Errorf("give --arch (NB201) or --genotype (DARTS), not both")
		case arch != "":
			st.Space = "nb201"
		case genotype != "":
			st.Space = "darts"
		default:
			return fmt.Errorf("nothing to train: give --space nb201 --arch ARCH, --space darts --genotype G, or --from RUN_DIR")
		}
	}
	if cells != 0 && layers != 0 && cells != layers {
		return fmt.Errorf("--cells %d and --layers %d disagree (they are one setting)", cells, layers)
	}
	depth := max(cells, layers)
	switch st.Space {
	case "nb201":
		if genotype != "" {
			return fmt.Errorf("--genotype is for --space darts; NB201 takes --arch")
		}
		if arch == "" {
			return fmt.Errorf("--space nb201 needs --arch ARCH")
		}
		a, err := nb201.ParseArch(arch)
		if err != nil {
			return fmt.Errorf("--arch: %v", err)
		}
		st.Genotype = a.String()
		for _, f := range []string{"auxiliary", "drop-path"} {
			if set[f] {
				return fmt.Errorf("--%s is a DARTS setting; NB201 networks have no auxiliary head or drop-path", f)
			}
		}
		st.Cells = depth
		defInt(&st.Epochs, 200)
		defInt(&st.Batch, 256)
		defInt(&st.Channels, 16)
		defInt(&st.Cells, 5)
		defFloat(&st.LR, 0.1)
		defFloat(&st.WeightDecay, 5e-4)
		st.Nesterov, st.LRSchedule = true, "cosine-step"
	case "darts":
		if arch != "" {
			return fmt.Errorf("--arch is for --space nb201; DARTS takes --genotype")
		}
		if genotype == "" {
			return fmt.Errorf("--space darts needs --genotype G (or a known name: %s)", strings.Join(KnownDARTSNames(), ", "))
		}
		g, ok := darts.KnownGenotypes[genotype]
		if !ok {
			var err error
			if g, err = darts.ParseGenotype(genotype); err != nil {
				return fmt.Errorf("--genotype: %v", err)
			}
		}
		st.Genotype = g.String()
		st.Layers = depth
		defInt(&st.Epochs, 600)
		defInt(&st.Batch, 96)
		defInt(&st.Channels, 36)
		defInt(&st.Layers, 20)
		defFloat(&st.LR, 0.025)
		defFloat(&st.WeightDecay, 3e-4)
		if !set["grad-clip"] {
			st.GradClip = 5
		}
		if !set["cutout"] {
			st.Cutout = 16
		}
		if !set["auxiliary"] {
			st.Auxiliary = 0.4
		}
		if !set["drop-path"] {
			st.DropPath = 0.2
		}
		st.LRSchedule = "cosine-epoch"
	default:
		return fmt.Errorf("--space %q: want nb201 or darts", st.Space)
	}
	st.Momentum = 0.9
	for name, v := range map[string]int{"--epochs": st.Epochs, "--batch": st.Batch, "--channels": st.Channels} {
		if v < 1 {
			return fmt.Errorf("%s must be at least 1, got %d", name, v)
		}
	}
	for name, v := range map[string]int{"--cells/--layers": depth, "--cutout": st.Cutout, "--subset": st.Subset, "--test-subset": st.TestSubset} {
		if v < 0 {
			return fmt.Errorf("%s must not be negative, got %d", name, v)
		}
	}
	if !(st.LR > 0) || math.IsInf(st.LR, 0) {
		return fmt.Errorf("--weight-lr must be a positive number, got %v", st.LR)
	}
	for name, v := range map[string]float64{"--weight-decay": st.WeightDecay, "--grad-clip": st.GradClip, "--auxiliary": st.Auxiliary} {
		if !(v >= 0) || math.IsInf(v, 0) {
			return fmt.Errorf("%s must be a number ≥ 0, got %v", name, v)
		}
	}
	if !(st.DropPath >= 0 && st.DropPath < 1) {
		return fmt.Errorf("--drop-path must be in [0, 1), got %v", st.DropPath)
	}
	if !contains(data.Names(), st.Dataset) && datasetSizes[st.Dataset] == [2]int{} && !strings.HasPrefix(st.Dataset, "imagenet16-") {
		return fmt.Errorf("--dataset %q: want one of %s", st.Dataset, strings.Join(data.Names(), ", "))
	}
	if _, _, err := ParseCheckpointEvery(st.CheckpointEvery); err != nil {
		return err
	}
	return nil
}

func defInt(v *int, d int) {
	if *v == 0 {
		*v = d
	}
}

func defFloat(v *float64, d float64) {
	if *v == 0 {
		*v = d
	}
}

// ParseCheckpointEvery reads "N", "Nepochs" or "Nsteps".
func ParseCheckpointEvery(s string) (n int, steps bool, err error) {
	num := s
	switch {
	case strings.HasSuffix(s, "steps"), strings.HasSuffix(s, "step"):
		num, steps = strings.TrimSuffix(strings.TrimSuffix(s, "s"), "step"), true
	case strings.HasSuffix(s, "epochs"), strings.HasSuffix(s, "epoch"):
		num = strings.TrimSuffix(strings.TrimSuffix(s, "s"), "epoch")
	}
	n, err = strconv.Atoi(num)
	if err != nil || n < 1 {
		return 0, false, fmt.Errorf("--checkpoint-every %q: want N (epochs), Nepochs or Nsteps with N ≥ 1", s)
	}
	return n, steps, nil
}

// trainModel returns the model function of the settings for k classes and images of the given size,
// and the scopes whose parameters the reference does not count.
func trainModel(st *TrainSettings, classes, height, width int) (trainer.Model, []string, error) {
	switch st.Space {
	case "nb201":
		a, err := nb201.ParseArch(st.Genotype)
		if err != nil {
			return nil, nil, err
		}
		if height%4 != 0 || width%4 != 0 {
			return nil, nil, fmt.Errorf("NB201 networks need image sizes divisible by 4, got %d×%d", height, width)
		}
		space := nb201.New().Channels(st.Channels).Cells(st.Cells).Classes(classes)
		return func(ctx *gctx.Context, x *graph.Node) (*graph.Node, *graph.Node) {
			return space.Network(ctx, x, a), nil
		}, nil, nil
	case "darts":
		g, err := darts.ParseGenotype(st.Genotype)
		if err != nil {
			return nil, nil, err
		}
		// The auxiliary head (5×5 pool, stride 3, then a 2×2 conv) needs ≥ 8×8 after the two reductions:
		// 32×32 inputs. Smaller images (Fashion-MNIST, 28×28) are zero-padded to 32×32.
		if st.Auxiliary > 0 && (height < 32 || width < 32) {
			st.PadTo = 32
		}
		pad := st.PadTo
		return func(ctx *gctx.Context, x *graph.Node) (*graph.Node, *graph.Node) {
			training := ctx.IsTraining(x.Graph())
			if pad > 0 {
				x = padTo(x, pad)
			}
			net := darts.NewNetwork(g).Channels(st.Channels).Layers(st.Layers).Classes(classes).
				Auxiliary(st.Auxiliary > 0 && training).DropPath(st.DropPath)
			return net.Build(ctx, x)
		}, []string{"auxiliary_head"}, nil
	}
	return nil, nil, fmt.Errorf("unknown space %q", st.Space)
}

// padTo zero-pads images [B, H, W, C] symmetrically to at least size×size.
func padTo(x *graph.Node, size int) *graph.Node {
	h, w := x.Shape().Dimensions[1], x.Shape().Dimensions[2]
	ph, pw := max(0, size-h), max(0, size-w)
	if ph == 0 && pw == 0 {
		return x
	}
	return graph.Pad(x, graph.ScalarZero(x.Graph(), x.DType()), backends.PadAxis{},
		backends.PadAxis{Start: ph / 2, End: ph - ph/2}, backends.PadAxis{Start: pw / 2, End: pw - pw/2}, backends.PadAxis{})
}

// Train trains (or resumes) in dir.
func Train(ctx stdctx.Context, st TrainSettings, dir string, resuming bool, log io.Writer) (*TrainResult, error) {
	if log == nil {
		log = io.Discard
	}
	start := time.Now()
	unlock, err := claimDir(dir, resuming)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if resuming {
		if res, err := ReadTrainResult(dir); err == nil {
			res.AlreadyFinished = true
			return res, nil
		}
		if _, err := trainer.LatestCheckpoint(dir); err != nil {
			fmt.Fprintf(log, "%s has no checkpoint yet (stopped before the first one): starting it again from its settings\n", dir)
			resuming = false
		}
	}
	hook, err := testSignalFromEnv()
	if err != nil {
		return nil, err
	}
	be, err := backend.New()
	if err != nil {
		return nil, err
	}
	ds, err := data.Open(ctx, st.Dataset, data.Options{Dir: st.DataDir, Progress: log})
	if err != nil {
		return nil, err
	}
	trainSet, testSet := ds.Train, ds.Test
	if st.Subset > 0 {
		trainSet = firstN(trainSet, st.Subset)
	}
	if st.TestSubset > 0 {
		testSet = firstN(testSet, st.TestSubset)
	}
	trainTF, err := data.TrainTransform(st.Dataset, st.Cutout)
	if err != nil {
		return nil, err
	}
	testTF, err := data.TestTransform(st.Dataset)
	if err != nil {
		return nil, err
	}
	it, err := data.NewIterator(trainSet, st.Batch).Seed(uint64(st.Seed)*2 + 1).Transform(trainTF).Done()
	if err != nil {
		return nil, err
	}
	stepsPerEpoch := (trainSet.Len() + st.Batch - 1) / st.Batch
	ckEvery, ckSteps, err := ParseCheckpointEvery(st.CheckpointEvery)
	if err != nil {
		return nil, err
	}
	model, notCounted, err := trainModel(&st, len(trainSet.Classes), trainSet.Height, trainSet.Width)
	if err != nil {
		return nil, err
	}
	cfg := trainer.Config{Model: model, AuxWeight: st.Auxiliary, Seed: st.Seed,
		Optimizer: trainer.SGD{Momentum: st.Momentum, Nesterov: st.Nesterov, WeightDecay: st.WeightDecay, ClipNorm: st.GradClip}}

	var state trainState
	var tr *trainer.Trainer
	if resuming {
		if tr, err = trainer.Restore(be, cfg, dir, &state); err != nil {
			return nil, err
		}
		if err := it.SetState(state.Iterator); err != nil {
			return nil, fmt.Errorf("resume %s: %w", dir, err)
		}
		fmt.Fprintf(log, "resuming %s at epoch %d, step %d of %d\n", dir, state.Epoch+1, state.StepInEpoch, stepsPerEpoch)
	} else {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		if err := WriteJSON(filepath.Join(dir, "settings.json"), st); err != nil {
			return nil, err
		}
		if tr, err = trainer.New(be, cfg); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(log, "train: %s %s on %s, %d epochs × %d steps (batch %d, %d train / %d test images), lr %g %s, out %s\n",
		st.Space, st.Genotype, st.Dataset, st.Epochs, stepsPerEpoch, st.Batch, trainSet.Len(), testSet.Len(), st.LR, st.LRSchedule, dir)

	hist, err := openJSONLines(filepath.Join(dir, HistoryFile), state.History)
	if err != nil {
		return nil, err
	}
	defer hist.Close()

	save := func() error {
		state.Iterator = it.State()
		state.Seconds += time.Since(start).Seconds()
		start = time.Now()
		return tr.Save(dir, &state)
	}
	lrAt := func(epoch, step int) float64 {
		t := float64(epoch) / float64(st.Epochs)
		if st.LRSchedule == "cosine-step" {
			t = (float64(epoch) + float64(step)/float64(stepsPerEpoch)) / float64(st.Epochs)
		}
		return trainer.Cosine(st.LR, st.LRMin, t)
	}
	epochStart := time.Now()
	lastPrint := time.Now()
	for state.Epoch < st.Epochs {
		epoch := state.Epoch
		dropPath := st.DropPath * float64(epoch) / float64(st.Epochs) // DARTS: drop_prob · epoch / epochs
		if st.DropPath > 0 {
			if err := tr.SetScalar("drop_path", "prob", dropPath); err != nil {
				return nil, err
			}
		}
		for state.StepInEpoch < stepsPerEpoch {
			if ctx.Err() != nil {
				if err := save(); err != nil {
					return nil, fmt.Errorf("interrupted, and the checkpoint failed: %w", err)
				}
				return nil, fmt.Errorf("%w at epoch %d, step %d; checkpoint saved in %s", ErrInterrupted, epoch+1, state.StepInEpoch, dir)
			}
			b, err := it.Next()
			if err != nil {
				return nil, fmt.Errorf("epoch %d, step %d: training batch: %w", epoch+1, state.StepInEpoch+1, err)
			}
			lr := lrAt(epoch, state.StepInEpoch)
			if err := tr.SetLR(lr); err != nil {
				return nil, err
			}
			r, err := tr.Step(b.Images, b.Labels)
			if err != nil {
				where := "no checkpoint was written yet"
				if p, cerr := trainer.LatestCheckpoint(dir); cerr == nil {
					where = "last good checkpoint " + p
				}
				return nil, fmt.Errorf("epoch %d, step %d (step %d overall, lr %.4g): %v — stopped; %s", epoch+1,
					state.StepInEpoch+1, tr.Steps(), lr, err, where)
			}
			state.StepInEpoch++
			state.LossSum += r.Loss * float64(r.Size)
			state.Correct += r.Correct
			state.Seen += r.Size
			state.LastLR = lr
			if ckSteps && tr.Steps()%int64(ckEvery) == 0 {
				if err := save(); err != nil {
					return nil, err
				}
			}
			if err := hook.after(ctx, tr.Steps()); err != nil {
				return nil, err
			}
			if time.Since(lastPrint) > 10*time.Second && state.StepInEpoch < stepsPerEpoch {
				fmt.Fprintf(log, "epoch %d/%d  step %d/%d  loss %.4f  acc %.2f%%  lr %.4g  %.1f img/s\n", epoch+1, st.Epochs,
					state.StepInEpoch, stepsPerEpoch, state.LossSum/float64(state.Seen), 100*float64(state.Correct)/float64(state.Seen),
					lr, float64(state.Seen)/time.Since(epochStart).Seconds())
				lastPrint = time.Now()
			}
		}
		if _, err := it.Next(); err != io.EOF { // close the epoch: the iterator moves to the next one
			return nil, fmt.Errorf("epoch %d: training iterator did not end after %d steps", epoch+1, stepsPerEpoch)
		}
		trainSecs := time.Since(epochStart).Seconds()
		m, err := evaluateTest(tr, testSet, st.Batch, testTF)
		if err != nil {
			return nil, fmt.Errorf("epoch %d: %w", epoch+1, err)
		}
		rec := TrainRecord{Epoch: epoch + 1, Steps: tr.Steps(), LR: state.LastLR, TrainLoss: state.LossSum / float64(max(state.Seen, 1)),
			TrainAcc: float64(state.Correct) / float64(max(state.Seen, 1)), TestLoss: m.Loss, TestAcc: m.Acc,
			Seconds: math.Round(time.Since(epochStart).Seconds()*1000) / 1000}
		if st.DropPath > 0 {
			rec.DropPath = dropPath
		}
		state.History = append(state.History, rec)
		if err := appendJSONLines(hist, []TrainRecord{rec}); err != nil {
			return nil, err
		}
		fmt.Fprintf(log, "epoch %d/%d  train loss %.4f acc %.2f%%  test loss %.4f acc %.2f%%  lr %.4g  %.1f img/s  [%s]\n",
			epoch+1, st.Epochs, rec.TrainLoss, 100*rec.TrainAcc, rec.TestLoss, 100*rec.TestAcc, rec.LR,
			float64(state.Seen)/trainSecs, time.Duration(float64(time.Second)*(state.Seconds+time.Since(start).Seconds())).Round(time.Second))
		state.Epoch++
		state.StepInEpoch, state.LossSum, state.Correct, state.Seen = 0, 0, 0, 0
		if (!ckSteps && state.Epoch%ckEvery == 0) || state.Epoch == st.Epochs {
			if err := save(); err != nil {
				return nil, err
			}
		}
		epochStart, lastPrint = time.Now(), time.Now()
	}

	res := TrainResult{Space: st.Space, Genotype: st.Genotype, Dataset: st.Dataset, Epochs: st.Epochs, Steps: tr.Steps(),
		Params: tr.Params(notCounted...), Seconds: math.Round((state.Seconds+time.Since(start).Seconds())*1000) / 1000,
		Backend: be.Name(), Seed: st.Seed, Settings: st}
	if n := len(state.History); n > 0 {
		last := state.History[n-1]
		res.FinalTestAcc, res.FinalTestLoss, res.FinalTrainAcc = last.TestAcc, last.TestLoss, last.TrainAcc
		for _, r := range state.History {
			if r.TestAcc > res.BestTestAcc {
				res.BestTestAcc, res.BestEpoch = r.TestAcc, r.Epoch
			}
		}
	}
	if st.Space == "nb201" {
		if e, err := nb201.LookupString(st.Genotype); err == nil {
			res.NB201 = NB201EntryOf(e)
		}
	}
	if err := WriteJSON(filepath.Join(dir, "result.json"), res); err != nil {
		return nil, err
	}
	res.Dir = dir
	return &res, nil
}

// evaluateTest runs the trainer's inference graph over the whole test set in order.
func evaluateTest(tr *trainer.Trainer, set *data.Set, batch int, tf data.Transform) (trainer.Metrics, error) {
	it, err := data.NewIterator(set, batch).Shuffle(false).Transform(tf).Done()
	if err != nil {
		return trainer.Metrics{}, err
	}
	return tr.Evaluate(func() (*tensors.Tensor, *tensors.Tensor, error) {
		b, err := it.Next()
		if err != nil {
			return nil, nil, err
		}
		return b.Images, b.Labels, nil
	})
}
