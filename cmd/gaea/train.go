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
	"strconv"
	"strings"
	"time"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/data"
	"github.com/gaeanas/gaeanas/spaces/darts"
	"github.com/gaeanas/gaeanas/spaces/nb201"
	trainer "github.com/gaeanas/gaeanas/trainer"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	gctx "github.com/gomlx/gomlx/pkg/ml/context"
)

// trainSettings is everything that determines a from-scratch training; saved as settings.json in the
// run folder (--resume reads it back) and copied into result.json.
type trainSettings struct {
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

// trainRecord is one line of history.jsonl: one epoch. Accuracies are fractions in [0, 1].
type trainRecord struct {
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

// trainResult is result.json of `gaea train`.
type trainResult struct {
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
	NB201         *lookupResult `json:"nb201,omitempty"` // the benchmark's entry for the architecture
	Settings      trainSettings `json:"settings"`
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
	History     []trainRecord `json:"history"`
	Seconds     float64       `json:"seconds"` // training time of the processes before
}

func runTrain(args []string) error {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	var st trainSettings
	fs.StringVar(&st.Space, "space", "", "nb201 or darts (default: from --arch, --genotype or --from)")
	arch := fs.String("arch", "", "NAS-Bench-201 architecture string, e.g. '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|'")
	genotype := fs.String("genotype", "", "DARTS genotype: Genotype(normal=[...], ...) or a known name ("+strings.Join(knownDARTSNames(), ", ")+")")
	fs.StringVar(&st.From, "from", "", "train the genotype of a `gaea search` run folder (its result.json)")
	fs.StringVar(&st.Dataset, "dataset", "cifar10", "data set: "+strings.Join(data.Names(), ", "))
	fs.StringVar(&st.DataDir, "data-dir", "", "data directory (default $GAEA_DATA or the user cache)")
	fs.IntVar(&st.Epochs, "epochs", 0, "epochs (default NB201 200, DARTS 600)")
	fs.IntVar(&st.Batch, "batch", 0, "batch size (default NB201 256, DARTS 96)")
	fs.Float64Var(&st.LR, "lr", 0, "initial learning rate, cosine-annealed to 0 (default NB201 0.1, DARTS 0.025)")
	fs.Float64Var(&st.WeightDecay, "wd", 0, "weight decay on all weights (default NB201 5e-4, DARTS 3e-4)")
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
	fs.StringVar(&st.CheckpointEvery, "checkpoint-every", "1", "checkpoint every N epochs (N or Nepochs) or every N steps (Nsteps); also at the end and on Ctrl-C")
	out := fs.String("out", "", "output folder (default runs/<timestamp>-train-<space>)")
	resume := fs.String("resume", "", "continue the training in this run folder from its last checkpoint")
	be := fs.String("backend", "", "GoMLX backend (go, xla, xla:cuda, …); default $GOMLX_BACKEND or automatic")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gaea train --space nb201 --arch ARCH | --space darts --genotype G | --from RUN_DIR [flags]\n"+
			"       gaea train --resume DIR\n\n"+
			"Trains the discrete network of an architecture from scratch with the reference protocol (NB201: 200 epochs,\n"+
			"SGD Nesterov 0.9, lr 0.1 cosine, wd 5e-4, batch 256; DARTS: 600 epochs, batch 96, lr 0.025 cosine, momentum 0.9,\n"+
			"wd 3e-4, cutout 16, auxiliary 0.4, drop-path 0.2, grad clip 5), evaluates on the test set after every epoch and\n"+
			"writes history.jsonl, checkpoints and result.json to the output folder.\n\n")
		fs.PrintDefaults()
	}
	fs.SetOutput(io.Discard) // a bad flag is one line (main prints the error), -h the whole usage
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fs.SetOutput(os.Stderr)
			fs.Usage()
			return nil
		}
		return usageError{err}
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *be != "" {
		os.Setenv(backend.EnvVar, *be)
	}
	if *resume != "" {
		for name := range set {
			if name != "resume" && name != "backend" {
				return usagef("--resume takes the settings from %s/settings.json; drop --%s", *resume, name)
			}
		}
		raw, err := os.ReadFile(filepath.Join(*resume, "settings.json"))
		if err != nil {
			return usagef("--resume %s: not a run folder (%v)", *resume, errors.Unwrap(err))
		}
		st = trainSettings{}
		if err := json.Unmarshal(raw, &st); err != nil {
			return fmt.Errorf("--resume %s: settings.json: %v", *resume, err)
		}
		if _, err := trainer.LatestCheckpoint(*resume); err != nil {
			return usagef("--resume %s: no checkpoint yet (start it again without --resume)", *resume)
		}
		return trainFromScratch(st, *resume, true)
	}
	if err := resolveTrainSettings(&st, set, *arch, *genotype, *cells, *layers); err != nil {
		return err
	}
	dir := *out
	if dir == "" {
		dir = filepath.Join("runs", fmt.Sprintf("%s-train-%s", time.Now().Format("20060102-150405"), st.Space))
	}
	if _, err := os.Stat(filepath.Join(dir, "settings.json")); err == nil {
		return usagef("--out %s already holds a run: continue it with --resume %s, or choose another --out", dir, dir)
	}
	return trainFromScratch(st, dir, false)
}

func knownDARTSNames() []string {
	return []string{"DARTS_V1", "DARTS_V2", "PC_DARTS", "PC_DARTS_IMAGENET"}
}

// resolveTrainSettings validates the flags and fills the protocol defaults of the space.
func resolveTrainSettings(st *trainSettings, set map[string]bool, arch, genotype string, cells, layers int) error {
	if st.From != "" {
		if arch != "" || genotype != "" {
			return usagef("--from takes the architecture from %s/result.json; drop --arch/--genotype", st.From)
		}
		raw, err := os.ReadFile(filepath.Join(st.From, "result.json"))
		if err != nil {
			if _, serr := os.Stat(st.From); serr != nil {
				return usagef("--from %s: no such run folder", st.From)
			}
			return usagef("--from %s: no result.json (is the search finished?)", st.From)
		}
		var r struct {
			Space    string `json:"space"`
			Genotype string `json:"genotype"`
		}
		if err := json.Unmarshal(raw, &r); err != nil || r.Space == "" || r.Genotype == "" {
			return usagef("--from %s: result.json has no space and genotype", st.From)
		}
		if st.Space != "" && st.Space != r.Space {
			return usagef("--space %s, but the run in %s searched the %s space", st.Space, st.From, r.Space)
		}
		st.Space = r.Space
		switch r.Space {
		case "nb201":
			arch = r.Genotype
		case "darts":
			genotype = r.Genotype
		default:
			return usagef("--from %s: space %q has no standard network to train (want nb201 or darts)", st.From, r.Space)
		}
	}
	if st.Space == "" {
		switch {
		case arch != "" && genotype != "":
			return usagef("give --arch (NB201) or --genotype (DARTS), not both")
		case arch != "":
			st.Space = "nb201"
		case genotype != "":
			st.Space = "darts"
		default:
			return usagef("nothing to train: give --space nb201 --arch ARCH, --space darts --genotype G, or --from RUN_DIR")
		}
	}
	if cells != 0 && layers != 0 && cells != layers {
		return usagef("--cells %d and --layers %d disagree (they are one setting)", cells, layers)
	}
	depth := max(cells, layers)
	switch st.Space {
	case "nb201":
		if genotype != "" {
			return usagef("--genotype is for --space darts; NB201 takes --arch")
		}
		if arch == "" {
			return usagef("--space nb201 needs --arch ARCH")
		}
		a, err := nb201.ParseArch(arch)
		if err != nil {
			return usagef("--arch: %v", err)
		}
		st.Genotype = a.String()
		for _, f := range []string{"auxiliary", "drop-path"} {
			if set[f] {
				return usagef("--%s is a DARTS setting; NB201 networks have no auxiliary head or drop-path", f)
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
			return usagef("--arch is for --space nb201; DARTS takes --genotype")
		}
		if genotype == "" {
			return usagef("--space darts needs --genotype G (or a known name: %s)", strings.Join(knownDARTSNames(), ", "))
		}
		g, ok := darts.KnownGenotypes[genotype]
		if !ok {
			var err error
			if g, err = darts.ParseGenotype(genotype); err != nil {
				return usagef("--genotype: %v", err)
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
		return usagef("--space %q: want nb201 or darts", st.Space)
	}
	st.Momentum = 0.9
	for name, v := range map[string]int{"--epochs": st.Epochs, "--batch": st.Batch, "--channels": st.Channels} {
		if v < 1 {
			return usagef("%s must be at least 1, got %d", name, v)
		}
	}
	for name, v := range map[string]int{"--cells/--layers": depth, "--cutout": st.Cutout, "--subset": st.Subset, "--test-subset": st.TestSubset} {
		if v < 0 {
			return usagef("%s must not be negative, got %d", name, v)
		}
	}
	if !(st.LR > 0) || math.IsInf(st.LR, 0) {
		return usagef("--lr must be a positive number, got %v", st.LR)
	}
	for name, v := range map[string]float64{"--wd": st.WeightDecay, "--grad-clip": st.GradClip, "--auxiliary": st.Auxiliary} {
		if !(v >= 0) || math.IsInf(v, 0) {
			return usagef("%s must be a number ≥ 0, got %v", name, v)
		}
	}
	if !(st.DropPath >= 0 && st.DropPath < 1) {
		return usagef("--drop-path must be in [0, 1), got %v", st.DropPath)
	}
	if !contains(data.Names(), st.Dataset) && !strings.HasPrefix(st.Dataset, "imagenet16-") {
		return usagef("--dataset %q: want one of %s", st.Dataset, strings.Join(data.Names(), ", "))
	}
	if _, _, err := parseCheckpointEvery(st.CheckpointEvery); err != nil {
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

// parseCheckpointEvery reads "N", "Nepochs" or "Nsteps".
func parseCheckpointEvery(s string) (n int, steps bool, err error) {
	num := s
	switch {
	case strings.HasSuffix(s, "steps"), strings.HasSuffix(s, "step"):
		num, steps = strings.TrimSuffix(strings.TrimSuffix(s, "s"), "step"), true
	case strings.HasSuffix(s, "epochs"), strings.HasSuffix(s, "epoch"):
		num = strings.TrimSuffix(strings.TrimSuffix(s, "s"), "epoch")
	}
	n, err = strconv.Atoi(num)
	if err != nil || n < 1 {
		return 0, false, usagef("--checkpoint-every %q: want N (epochs), Nepochs or Nsteps with N ≥ 1", s)
	}
	return n, steps, nil
}

// trainModel returns the model function of the settings for k classes and images of the given size,
// and the scopes whose parameters the reference does not count.
func trainModel(st *trainSettings, classes, height, width int) (trainer.Model, []string, error) {
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

// trainFromScratch trains (or resumes) in dir.
func trainFromScratch(st trainSettings, dir string, resuming bool) error {
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
	trainSet, testSet := ds.Train, ds.Test
	if st.Subset > 0 {
		trainSet = firstN(trainSet, st.Subset)
	}
	if st.TestSubset > 0 {
		testSet = firstN(testSet, st.TestSubset)
	}
	trainTF, err := data.TrainTransform(st.Dataset, st.Cutout)
	if err != nil {
		return err
	}
	testTF, err := data.TestTransform(st.Dataset)
	if err != nil {
		return err
	}
	it, err := data.NewIterator(trainSet, st.Batch).Seed(uint64(st.Seed)*2 + 1).Transform(trainTF).Done()
	if err != nil {
		return err
	}
	stepsPerEpoch := (trainSet.Len() + st.Batch - 1) / st.Batch
	ckEvery, ckSteps, err := parseCheckpointEvery(st.CheckpointEvery)
	if err != nil {
		return err
	}
	model, notCounted, err := trainModel(&st, len(trainSet.Classes), trainSet.Height, trainSet.Width)
	if err != nil {
		return err
	}
	cfg := trainer.Config{Model: model, AuxWeight: st.Auxiliary, Seed: st.Seed,
		Optimizer: trainer.SGD{Momentum: st.Momentum, Nesterov: st.Nesterov, WeightDecay: st.WeightDecay, ClipNorm: st.GradClip}}

	var state trainState
	var tr *trainer.Trainer
	if resuming {
		if tr, err = trainer.Restore(be, cfg, dir, &state); err != nil {
			return err
		}
		if err := it.SetState(state.Iterator); err != nil {
			return fmt.Errorf("resume %s: %w", dir, err)
		}
		fmt.Fprintf(os.Stderr, "resuming %s at epoch %d, step %d of %d\n", dir, state.Epoch+1, state.StepInEpoch, stepsPerEpoch)
	} else {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		if err := writeJSONAtomic(filepath.Join(dir, "settings.json"), st); err != nil {
			return err
		}
		if tr, err = trainer.New(be, cfg); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "train: %s %s on %s, %d epochs × %d steps (batch %d, %d train / %d test images), lr %g %s, out %s\n",
		st.Space, st.Genotype, st.Dataset, st.Epochs, stepsPerEpoch, st.Batch, trainSet.Len(), testSet.Len(), st.LR, st.LRSchedule, dir)

	hist, err := openTrainHistory(dir, state.History)
	if err != nil {
		return err
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
				return err
			}
		}
		for state.StepInEpoch < stepsPerEpoch {
			if ctx.Err() != nil {
				if err := save(); err != nil {
					return fmt.Errorf("interrupted, and the checkpoint failed: %w", err)
				}
				fmt.Fprintf(os.Stderr, "interrupted at epoch %d, step %d; checkpoint saved — continue with: gaea train --resume %s\n",
					epoch+1, state.StepInEpoch, dir)
				os.Exit(130)
			}
			b, err := it.Next()
			if err != nil {
				return fmt.Errorf("epoch %d, step %d: training batch: %w", epoch+1, state.StepInEpoch+1, err)
			}
			lr := lrAt(epoch, state.StepInEpoch)
			if err := tr.SetLR(lr); err != nil {
				return err
			}
			r, err := tr.Step(b.Images, b.Labels)
			if err != nil {
				where := "no checkpoint was written yet"
				if p, cerr := trainer.LatestCheckpoint(dir); cerr == nil {
					where = "last good checkpoint " + p
				}
				return fmt.Errorf("epoch %d, step %d (step %d overall, lr %.4g): %v — stopped; %s", epoch+1,
					state.StepInEpoch+1, tr.Steps(), lr, err, where)
			}
			state.StepInEpoch++
			state.LossSum += r.Loss * float64(r.Size)
			state.Correct += r.Correct
			state.Seen += r.Size
			state.LastLR = lr
			if ckSteps && tr.Steps()%int64(ckEvery) == 0 {
				if err := save(); err != nil {
					return err
				}
			}
			if time.Since(lastPrint) > 10*time.Second && state.StepInEpoch < stepsPerEpoch {
				fmt.Fprintf(os.Stderr, "epoch %d/%d  step %d/%d  loss %.4f  acc %.2f%%  lr %.4g  %.1f img/s\n", epoch+1, st.Epochs,
					state.StepInEpoch, stepsPerEpoch, state.LossSum/float64(state.Seen), 100*float64(state.Correct)/float64(state.Seen),
					lr, float64(state.Seen)/time.Since(epochStart).Seconds())
				lastPrint = time.Now()
			}
		}
		if _, err := it.Next(); err != io.EOF { // close the epoch: the iterator moves to the next one
			return fmt.Errorf("epoch %d: training iterator did not end after %d steps", epoch+1, stepsPerEpoch)
		}
		trainSecs := time.Since(epochStart).Seconds()
		m, err := evaluateTest(tr, testSet, st.Batch, testTF)
		if err != nil {
			return fmt.Errorf("epoch %d: %w", epoch+1, err)
		}
		rec := trainRecord{Epoch: epoch + 1, Steps: tr.Steps(), LR: state.LastLR, TrainLoss: state.LossSum / float64(max(state.Seen, 1)),
			TrainAcc: float64(state.Correct) / float64(max(state.Seen, 1)), TestLoss: m.Loss, TestAcc: m.Acc,
			Seconds: math.Round(time.Since(epochStart).Seconds()*1000) / 1000}
		if st.DropPath > 0 {
			rec.DropPath = dropPath
		}
		state.History = append(state.History, rec)
		if err := hist.append(rec); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "epoch %d/%d  train loss %.4f acc %.2f%%  test loss %.4f acc %.2f%%  lr %.4g  %.1f img/s  [%s]\n",
			epoch+1, st.Epochs, rec.TrainLoss, 100*rec.TrainAcc, rec.TestLoss, 100*rec.TestAcc, rec.LR,
			float64(state.Seen)/trainSecs, time.Duration(float64(time.Second)*(state.Seconds+time.Since(start).Seconds())).Round(time.Second))
		state.Epoch++
		state.StepInEpoch, state.LossSum, state.Correct, state.Seen = 0, 0, 0, 0
		if (!ckSteps && state.Epoch%ckEvery == 0) || state.Epoch == st.Epochs {
			if err := save(); err != nil {
				return err
			}
		}
		epochStart, lastPrint = time.Now(), time.Now()
	}

	res := trainResult{Space: st.Space, Genotype: st.Genotype, Dataset: st.Dataset, Epochs: st.Epochs, Steps: tr.Steps(),
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
			l := lookupResultOf(e)
			res.NB201 = &l
		}
	}
	if err := writeJSONAtomic(filepath.Join(dir, "result.json"), res); err != nil {
		return err
	}
	fmt.Printf("%s %s: test accuracy %.2f%% (best %.2f%% at epoch %d), %d parameters, %d epochs on %s\n", st.Space, st.Genotype,
		100*res.FinalTestAcc, 100*res.BestTestAcc, res.BestEpoch, res.Params, st.Epochs, st.Dataset)
	fmt.Printf("result: %s\n", filepath.Join(dir, "result.json"))
	return nil
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

// trainHistory is history.jsonl, one record per epoch. On (re)start it is rewritten from the records
// of the checkpoint, so it never holds epochs the checkpoint does not.
type trainHistory struct{ f *os.File }

func openTrainHistory(dir string, records []trainRecord) (*trainHistory, error) {
	path := filepath.Join(dir, "history.jsonl")
	var buf strings.Builder
	enc := json.NewEncoder(&buf)
	for _, r := range records {
		if err := enc.Encode(r); err != nil {
			return nil, err
		}
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(buf.String()), 0o644); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return nil, err
	}
	return &trainHistory{f}, nil
}

func (h *trainHistory) append(r trainRecord) error { return json.NewEncoder(h.f).Encode(r) }

func (h *trainHistory) Close() error { return h.f.Close() }
