package main

import (
	"cmp"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"context"

	"github.com/gaeanas/gaeanas/data"
	"github.com/gaeanas/gaeanas/experiment"
	"github.com/gaeanas/gaeanas/internal/text"
)

func runTrain(args []string) error {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	var st experiment.TrainSettings
	fs.StringVar(&st.Space, "space", "", "nb201 or darts (default: from --arch, --genotype or --from)")
	arch := fs.String("arch", "", "NAS-Bench-201 architecture string, e.g. '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|'")
	genotype := fs.String("genotype", "", "DARTS genotype: Genotype(normal=[...], ...) or a known name ("+strings.Join(experiment.KnownDARTSNames(), ", ")+")")
	fs.StringVar(&st.From, "from", "", "train the genotype found by a gaea search: its run folder (result.json)")
	fs.StringVar(&st.Dataset, "dataset", "cifar10", "data set: "+strings.Join(data.Names(), ", ")+" (with --from: the search's)")
	fs.StringVar(&st.DataDir, "data-dir", "", "data directory (default $GAEA_DATA or the user cache)")
	fs.IntVar(&st.Epochs, "epochs", 0, "epochs (default NB201 200, DARTS 600)")
	fs.IntVar(&st.Batch, "batch", 0, "batch size (default NB201 256, DARTS 96)")
	fs.Float64Var(&st.LR, "weight-lr", 0, "initial weight learning rate, cosine-annealed to 0 (default NB201 0.1, DARTS 0.025)")
	fs.Float64Var(&st.WeightDecay, "weight-decay", 0, "weight decay on all weights (default NB201 5e-4, DARTS 3e-4)")
	fs.Float64Var(&st.LR, "lr", 0, deprecatedUsage+"--weight-lr")
	fs.Float64Var(&st.WeightDecay, "wd", 0, deprecatedUsage+"--weight-decay")
	fs.Float64Var(&st.GradClip, "grad-clip", 0, "clip the gradient's global norm (0 = off; default NB201 off, DARTS 5)")
	fs.IntVar(&st.Channels, "channels", 0, "channels C (default NB201 16, DARTS 36)")
	cells := fs.Int("cells", 0, "NB201: cells per stage N (default 5); DARTS: same as --layers")
	layers := fs.Int("layers", 0, "DARTS: cells of the network (default 20); NB201: same as --cells")
	fs.IntVar(&st.Cutout, "cutout", 0, "cutout length in pixels (0 = off; default NB201 off, DARTS 16)")
	fs.Float64Var(&st.Auxiliary, "auxiliary", 0, "DARTS: weight of the auxiliary head's loss (0 = no head; default 0.4)")
	fs.Float64Var(&st.DropPath, "drop-path", 0, "DARTS: drop-path probability, grown linearly from 0 over the epochs (default 0.2)")
	fs.Int64Var(&st.Seed, "seed", 1, "random seed (weights, data order, augmentation, drop-path)")
	fs.IntVar(&st.Subset, "subset", 0, "train on the first N training images only (0 = all)")
	fs.IntVar(&st.TestSubset, "test-subset", 0, "evaluate on the first N test images only (0 = all; for quick runs)")
	fs.StringVar(&st.CheckpointEvery, "checkpoint-every", "1", "checkpoint every N epochs (N or Nepochs) or every N training steps (Nsteps, a step: one batch); also at the end and on SIGINT/SIGTERM")
	out := fs.String("out", "", "output folder (default runs/<timestamp>-train-<space>)")
	resume := fs.String("resume", "", "continue the training in this run folder from its last checkpoint")
	be := fs.String("backend", "", "GoMLX backend (go, xla, xla:cuda, …); default $GOMLX_BACKEND or automatic")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gaea train --space nb201 --arch ARCH | --space darts --genotype G | --from RUN_DIR [flags]\n"+
			"       gaea train --resume DIR\n\n"+
			"Trains the discrete network of an architecture from scratch with the reference protocol (NB201: 200 epochs,\n"+
			"SGD Nesterov 0.9, lr 0.1 cosine, wd 5e-4, batch 256; DARTS: 600 epochs, batch 96, lr 0.025 cosine, momentum 0.9,\n"+
			"wd 3e-4, cutout 16, auxiliary 0.4, drop-path 0.2, grad clip 5), evaluates on the test set after every epoch and\n"+
			"writes history.jsonl, checkpoints and result.json to the output folder. The names are gaea search's:\n"+
			"--weight-lr, --weight-decay (--lr and --wd still work).\n\n")
		printDefaults(fs)
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", text.Abbrev(fs.Arg(0)))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for old, name := range map[string]string{"lr": "weight-lr", "wd": "weight-decay"} {
		if set[old] && set[name] {
			return usagef("--%s is the old name of --%s; give one of them", old, name)
		}
		if set[old] {
			set[name], set[old] = true, false
		}
	}
	if err := checkBackendFlag(*be); err != nil {
		return err
	}
	ctx, sig := signalContext()
	if set["resume"] {
		if err := onlyResumeFlags(set, *resume, "backend"); err != nil {
			return err
		}
		if err := resumeFolder(*resume, kindTrain); err != nil {
			return err
		}
		var rs experiment.TrainSettings
		if err := readSettings(*resume, &rs); err != nil {
			return err
		}
		if rs.Genotype == "" {
			return usagef("--resume %s: not a training run folder (its settings.json names no genotype)", *resume)
		}
		if err := probeFolder("--resume", *resume); err != nil {
			return err
		}
		if err := ensureData(ctx, rs.Dataset, rs.DataDir); err != nil {
			return err
		}
		if err := openBackend(*be); err != nil {
			return err
		}
		return runTraining(ctx, sig, rs, *resume, true)
	}
	if err := experiment.ResolveTrainSettings(&st, set, *arch, *genotype, *cells, *layers); err != nil {
		return usageError{err}
	}
	if err := newRunFolder(*out); err != nil {
		return err
	}
	if err := probeFolder("--out", cmp.Or(*out, "runs")); err != nil {
		return err
	}
	if err := ensureData(ctx, st.Dataset, st.DataDir); err != nil {
		return err
	}
	if err := openBackend(*be); err != nil {
		return err
	}
	if st.From != "" && !set["dataset"] {
		fmt.Fprintf(os.Stderr, "train: data set %s, the one the search in %s ran on (choose another with --dataset)\n", st.Dataset, st.From)
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("runs", fmt.Sprintf("%s-train-%s", time.Now().Format("20060102-150405"), st.Space))
	}
	return runTraining(ctx, sig, st, dir, false)
}

// readSettings reads settings.json of a run folder for --resume.
func readSettings(dir string, v any) error {
	raw, err := os.ReadFile(filepath.Join(dir, experiment.SettingsFile))
	if err != nil {
		if _, serr := os.Stat(dir); serr != nil {
			return usagef("--resume %s: no such folder", dir)
		}
		return usagef("--resume %s: not a run folder (no settings.json)", dir)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return usagef("--resume %s: %s: %s", dir, experiment.SettingsFile, experiment.JSONError(raw, err))
	}
	return nil
}

func runTraining(ctx context.Context, sig *int, st experiment.TrainSettings, dir string, resuming bool) error {
	res, err := experiment.Train(ctx, st, dir, resuming, os.Stderr)
	if err != nil {
		return searchError(err, sig, dir)
	}
	if res.AlreadyFinished {
		fmt.Fprintf(os.Stderr, "%s: the training already finished; nothing to do\n", dir)
	}
	fmt.Printf("%s %s: test accuracy %.2f%% (best %.2f%% at epoch %d), %d parameters, %d epochs on %s\n", res.Space, res.Genotype,
		100*res.FinalTestAcc, 100*res.BestTestAcc, res.BestEpoch, res.Params, res.Epochs, res.Dataset)
	fmt.Printf("result: %s\n", filepath.Join(dir, experiment.ResultFile))
	return nil
}
