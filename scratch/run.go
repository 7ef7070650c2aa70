package scratch

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"time"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/data"
	"github.com/gaeanas/gaeanas/rundir"
	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gaeanas/gaeanas/trainer"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	gctx "github.com/gomlx/gomlx/pkg/ml/context"
)

// Options are what a training needs besides its settings, as experiment.Options are for a search.
type Options struct {
	// Dir is the run folder; "" makes runs/<timestamp>-train-<space>.
	Dir string
	// Backend computes the training; nil means backend.New().
	Backend backends.Backend
	// Log receives progress lines (with an ETA); nil means none.
	Log io.Writer
	// OnEpoch, if set, is called after every epoch with its record.
	OnEpoch func(Record)
}

// Record is one line of history.jsonl: one epoch. Accuracies are fractions in [0, 1].
type Record struct {
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

// Result is result.json of a training.
type Result struct {
	Space         string   `json:"space"`
	Genotype      string   `json:"genotype"`
	Dataset       string   `json:"dataset"`
	Epochs        int      `json:"epochs"`
	Steps         int64    `json:"steps"`
	Params        int      `json:"params"` // trainable parameters (without the auxiliary head, as the reference counts)
	FinalTestAcc  float64  `json:"final_test_acc"`
	FinalTestLoss float64  `json:"final_test_loss"`
	BestTestAcc   float64  `json:"best_test_acc"`
	BestEpoch     int      `json:"best_epoch"`
	FinalTrainAcc float64  `json:"final_train_acc"`
	Seconds       float64  `json:"seconds"` // training time over all processes of the run
	Backend       string   `json:"backend"`
	Seed          int64    `json:"seed"`
	Settings      Settings `json:"settings"`

	// Benchmark is the space's benchmark entry of the genotype, under the space's name in the file
	// ("nb201": {…}); nil for a space without a benchmark.
	Benchmark *spaces.BenchmarkEntry `json:"-"`

	Dir             string `json:"-"` // the run folder
	AlreadyFinished bool   `json:"-"` // set when Resume found the run finished
}

// MarshalJSON writes the benchmark entry under the space's name.
func (r Result) MarshalJSON() ([]byte, error) {
	type plain Result
	raw, err := json.Marshal(plain(r))
	if err != nil {
		return nil, err
	}
	return spaces.WithEntries(raw, r.Space, r.Benchmark)
}

// UnmarshalJSON reads the benchmark entry from the key named after the space.
func (r *Result) UnmarshalJSON(raw []byte) error {
	type plain Result
	var p plain
	if err := json.Unmarshal(raw, &p); err != nil {
		return err
	}
	*r = Result(p)
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return err
	}
	var err error
	r.Benchmark, err = spaces.EntryAt(m, r.Space)
	return err
}

// ReadResult reads result.json of a training run folder.
func ReadResult(dir string) (*Result, error) {
	var r Result
	if err := rundir.ReadJSON(filepath.Join(dir, rundir.ResultFile), &r); err != nil {
		return nil, err
	}
	if r.Genotype == "" || r.Steps == 0 {
		return nil, fmt.Errorf("%s/%s is not a training result", dir, rundir.ResultFile)
	}
	r.Dir = dir
	return &r, nil
}

// state is the loop's part of a checkpoint.
type state struct {
	Epoch       int        `json:"epoch"`         // completed epochs
	StepInEpoch int        `json:"step_in_epoch"` // steps of the current epoch done
	Iterator    data.State `json:"iterator"`      // training batches
	LossSum     float64    `json:"loss_sum"`      // Σ batch loss × batch size in the current epoch
	Correct     int        `json:"correct"`
	Seen        int        `json:"seen"`
	LastLR      float64    `json:"last_lr"`
	History     []Record   `json:"history"`
	Seconds     float64    `json:"seconds"` // training time of the processes before
}

// Train trains the settings' network from scratch in a new run folder (Options.Dir) and writes
// result.json.
func Train(ctx context.Context, st Settings, opt Options) (*Result, error) {
	if err := st.Validate(); err != nil {
		return nil, err
	}
	if opt.Dir == "" {
		opt.Dir = filepath.Join("runs", fmt.Sprintf("%s-train-%s", time.Now().Format("20060102-150405"), st.Space))
	}
	return run(ctx, st, opt, false)
}

// Resume continues the training of a run folder from its last checkpoint, or from the start when it was
// stopped before its first checkpoint (the result is the same as an uninterrupted run's). A finished
// run is not touched: its result is returned with Result.AlreadyFinished set.
func Resume(ctx context.Context, dir string, opt Options) (*Result, error) {
	var st Settings
	if err := rundir.ReadJSON(filepath.Join(dir, rundir.SettingsFile), &st); err != nil {
		return nil, err
	}
	if st.Genotype == "" {
		return nil, fmt.Errorf("%s: not a training run folder (its %s names no genotype)", dir, rundir.SettingsFile)
	}
	opt.Dir = dir
	return run(ctx, st, opt, true)
}

// run is the training loop of a run folder: a new one, or one to resume.
func run(ctx context.Context, st Settings, opt Options, resuming bool) (*Result, error) {
	log := opt.Log
	if log == nil {
		log = io.Discard
	}
	dir := opt.Dir
	unlock, err := rundir.Claim(dir, resuming)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if resuming {
		if res, err := ReadResult(dir); err == nil {
			res.AlreadyFinished = true
			return res, nil
		}
		if !trainer.HasCheckpoint(dir) {
			fmt.Fprintf(log, "%s has no checkpoint yet (stopped before the first one): starting it again from its settings\n", dir)
			resuming = false
		}
	}
	hook, err := rundir.TestSignalFromEnv()
	if err != nil {
		return nil, err
	}
	be := opt.Backend
	if be == nil {
		if be, err = backend.New(); err != nil {
			return nil, err
		}
	}
	d, err := trainable(st.Space)
	if err != nil {
		return nil, err
	}
	ds, err := data.Open(ctx, st.Dataset, data.Options{Dir: st.DataDir, Progress: log})
	if err != nil {
		return nil, err
	}
	trainSet, testSet := ds.Train, ds.Test
	if st.Subset > 0 {
		trainSet = trainSet.First(st.Subset)
	}
	if st.TestSubset > 0 {
		testSet = testSet.First(st.TestSubset)
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
	net, err := network(d, &st, len(trainSet.Classes), trainSet.Height, trainSet.Width)
	if err != nil {
		return nil, err
	}
	pad := st.PadTo
	model := func(ctx *gctx.Context, x *graph.Node) (*graph.Node, *graph.Node) {
		if pad > 0 {
			x = padTo(x, pad)
		}
		return net.Build(ctx, x)
	}
	cfg := trainer.Config{Model: model, AuxWeight: st.Auxiliary, Seed: st.Seed,
		Optimizer: trainer.SGD{Momentum: st.Momentum, Nesterov: st.Nesterov, WeightDecay: st.WeightDecay, ClipNorm: st.GradClip}}

	var s state
	var tr *trainer.Trainer
	if resuming {
		if tr, err = trainer.Restore(be, cfg, dir, &s); err != nil {
			return nil, err
		}
		if err := it.SetState(s.Iterator); err != nil {
			return nil, fmt.Errorf("resume %s: %w", dir, err)
		}
		fmt.Fprintf(log, "resuming %s at epoch %d, step %d of %d\n", dir, s.Epoch+1, s.StepInEpoch, stepsPerEpoch)
	} else {
		if err := rundir.WriteJSON(filepath.Join(dir, rundir.SettingsFile), st); err != nil {
			return nil, err
		}
		if tr, err = trainer.New(be, cfg); err != nil {
			return nil, err
		}
	}
	fmt.Fprintf(log, "train: %s %s on %s, %d epochs × %d steps (batch %d, %d train / %d test images), lr %g %s, out %s\n",
		st.Space, st.Genotype, st.Dataset, st.Epochs, stepsPerEpoch, st.Batch, trainSet.Len(), testSet.Len(), st.LR, st.LRSchedule, dir)

	hist, err := rundir.OpenLines(filepath.Join(dir, rundir.HistoryFile), s.History)
	if err != nil {
		return nil, err
	}
	defer hist.Close()

	total := st.Epochs * stepsPerEpoch
	clock := rundir.NewClock(s.Seconds, int(tr.Steps()))
	save := func() error {
		s.Iterator = it.State()
		s.Seconds = clock.Seconds()
		return tr.Save(dir, &s)
	}
	lrAt := func(epoch, step int) float64 {
		t := float64(epoch) / float64(st.Epochs)
		if st.LRSchedule == CosineStep {
			t = (float64(epoch) + float64(step)/float64(stepsPerEpoch)) / float64(st.Epochs)
		}
		return trainer.Cosine(st.LR, st.LRMin, t)
	}
	epochStart := time.Now()
	lastPrint := time.Now()
	for s.Epoch < st.Epochs {
		epoch := s.Epoch
		dropPath := st.DropPath * float64(epoch) / float64(st.Epochs) // DARTS: drop_prob · epoch / epochs
		if st.DropPath > 0 {
			if err := tr.SetScalar(spaces.DropPathScope, spaces.DropPathName, dropPath); err != nil {
				return nil, err
			}
		}
		for s.StepInEpoch < stepsPerEpoch {
			if err := rundir.Stop(ctx, save, fmt.Sprintf("at epoch %d, step %d", epoch+1, s.StepInEpoch), dir); err != nil {
				return nil, err
			}
			b, err := it.Next()
			if err != nil {
				return nil, fmt.Errorf("epoch %d, step %d: training batch: %w", epoch+1, s.StepInEpoch+1, err)
			}
			lr := lrAt(epoch, s.StepInEpoch)
			if err := tr.SetLR(lr); err != nil {
				return nil, err
			}
			r, err := tr.Step(b.Images, b.Labels)
			if err != nil {
				where := "no checkpoint was written yet"
				if trainer.HasCheckpoint(dir) {
					where = "last good checkpoint in " + dir
				}
				return nil, fmt.Errorf("epoch %d, step %d (step %d overall, lr %.4g): %v — stopped; %s", epoch+1,
					s.StepInEpoch+1, tr.Steps(), lr, err, where)
			}
			s.StepInEpoch++
			s.LossSum += r.Loss * float64(r.Size)
			s.Correct += r.Correct
			s.Seen += r.Size
			s.LastLR = lr
			eta := clock.Done(int(tr.Steps()), total)
			if ckSteps && tr.Steps()%int64(ckEvery) == 0 {
				if err := save(); err != nil {
					return nil, err
				}
			}
			if err := hook.After(ctx, tr.Steps()); err != nil {
				return nil, err
			}
			if time.Since(lastPrint) > 10*time.Second && s.StepInEpoch < stepsPerEpoch {
				fmt.Fprintf(log, "epoch %d/%d  step %d/%d  loss %.4f  acc %.2f%%  lr %.4g  %.1f img/s  %s\n", epoch+1, st.Epochs,
					s.StepInEpoch, stepsPerEpoch, s.LossSum/float64(s.Seen), 100*float64(s.Correct)/float64(s.Seen),
					lr, float64(s.Seen)/time.Since(epochStart).Seconds(), eta)
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
		rec := Record{Epoch: epoch + 1, Steps: tr.Steps(), LR: s.LastLR, TrainLoss: s.LossSum / float64(max(s.Seen, 1)),
			TrainAcc: float64(s.Correct) / float64(max(s.Seen, 1)), TestLoss: m.Loss, TestAcc: m.Acc,
			Seconds: math.Round(time.Since(epochStart).Seconds()*1000) / 1000}
		if st.DropPath > 0 {
			rec.DropPath = dropPath
		}
		s.History = append(s.History, rec)
		if err := rundir.Append(hist, []Record{rec}); err != nil {
			return nil, err
		}
		fmt.Fprintf(log, "epoch %d/%d  train loss %.4f acc %.2f%%  test loss %.4f acc %.2f%%  lr %.4g  %.1f img/s  [%s]  %s\n",
			epoch+1, st.Epochs, rec.TrainLoss, 100*rec.TrainAcc, rec.TestLoss, 100*rec.TestAcc, rec.LR,
			float64(s.Seen)/trainSecs, rundir.Duration(clock.Seconds()).Round(time.Second), clock.Done(int(tr.Steps()), total))
		if opt.OnEpoch != nil {
			opt.OnEpoch(rec)
		}
		s.Epoch++
		s.StepInEpoch, s.LossSum, s.Correct, s.Seen = 0, 0, 0, 0
		if (!ckSteps && s.Epoch%ckEvery == 0) || s.Epoch == st.Epochs {
			if err := save(); err != nil {
				return nil, err
			}
		}
		epochStart, lastPrint = time.Now(), time.Now()
	}

	res := Result{Space: st.Space, Genotype: st.Genotype, Dataset: st.Dataset, Epochs: st.Epochs, Steps: tr.Steps(),
		Params: tr.Params(net.NotCounted()...), Seconds: math.Round(clock.Seconds()*1000) / 1000,
		Backend: be.Name(), Seed: st.Seed, Settings: st}
	if n := len(s.History); n > 0 {
		last := s.History[n-1]
		res.FinalTestAcc, res.FinalTestLoss, res.FinalTrainAcc = last.TestAcc, last.TestLoss, last.TrainAcc
		for _, r := range s.History {
			if r.TestAcc > res.BestTestAcc {
				res.BestTestAcc, res.BestEpoch = r.TestAcc, r.Epoch
			}
		}
	}
	if d.Benchmark != nil {
		if e, err := d.Benchmark.Lookup(st.Genotype); err == nil {
			res.Benchmark = e
		}
	}
	if err := rundir.WriteJSON(filepath.Join(dir, rundir.ResultFile), res); err != nil {
		return nil, err
	}
	res.Dir = dir
	return &res, nil
}

// network builds the space's stand-alone network of the settings for k classes and images of the given
// size; an auxiliary head on images smaller than the space's AuxiliaryInput pads them (Settings.PadTo).
func network(d *spaces.Descriptor, st *Settings, classes, height, width int) (spaces.Network, error) {
	g, err := d.ParseGenotype(st.Genotype)
	if err != nil {
		return nil, err
	}
	aux := st.Auxiliary > 0
	if in := d.Training.AuxiliaryInput; aux && in > 0 && (height < in || width < in) {
		st.PadTo = in
	}
	if st.PadTo > 0 {
		height, width = max(height, st.PadTo), max(width, st.PadTo)
	}
	net, err := d.Training.Network(g, spaces.NetworkOptions{Channels: st.Channels, Cells: st.Depth(), Classes: classes,
		Auxiliary: aux, DropPath: st.DropPath, Height: height, Width: width})
	if err != nil {
		return nil, fmt.Errorf("%s network: %w", st.Space, err)
	}
	return net, nil
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
