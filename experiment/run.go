package experiment

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/gaea"
	"github.com/gaeanas/gaeanas/internal/ckpt"
	"github.com/gaeanas/gaeanas/rundir"
	"github.com/gomlx/gomlx/backends"
)

// Files of a run folder (package rundir's).
const (
	SettingsFile = rundir.SettingsFile
	HistoryFile  = rundir.HistoryFile
	ResultFile   = rundir.ResultFile
	ReportFile   = rundir.ReportFile
)

// DefaultCheckpointInterval is the wall time between checkpoints when Settings.CheckpointEvery is 0: a
// checkpoint moves every variable to the host, which costs more than a step on a GPU.
const DefaultCheckpointInterval = 2 * time.Minute

// The run folder's errors (package rundir's).
var (
	// ErrInterrupted is returned (wrapped) when the context was cancelled: the search saved a
	// checkpoint and can be resumed.
	ErrInterrupted = rundir.ErrInterrupted
	// ErrNotRun is returned for a folder that holds no search run.
	ErrNotRun = rundir.ErrNotRun
)

// Options are what a run needs besides its settings.
type Options struct {
	// Dir is the run folder; "" makes runs/<timestamp>-<space>-<algo>.
	Dir string
	// Backend computes the search; nil means backend.New().
	Backend backends.Backend
	// Log receives progress lines (with an ETA); nil means none.
	Log io.Writer
	// CheckpointInterval overrides DefaultCheckpointInterval when Settings.CheckpointEvery is 0.
	CheckpointInterval time.Duration
	// OnIteration, if set, is called after every iteration (e.g. to draw live figures).
	OnIteration func(s *gaea.Search, iteration, total int)
}

func (o *Options) logf(format string, args ...any) {
	if o.Log != nil {
		fmt.Fprintf(o.Log, format, args...)
	}
}

// Run is one search: the settings, its data, the gaea.Search, and the run folder. Prepare makes one,
// Search drives it (or a notebook drives Search() block by block), Finish writes the result.
type Run struct {
	Settings      Settings
	Dir           string
	Data          *Data
	Batches       *Batches
	StepsPerEpoch int
	Total         int // iterations of the whole search

	opt    Options
	be     backends.Backend
	search *gaea.Search
	unlock func()
	clock  *rundir.Clock
}

// progress is progress.json: what a resumed run needs that the checkpoint does not hold.
type progress struct {
	Iteration int     `json:"iteration"`
	Seconds   float64 `json:"seconds"`
}

// Search is the search itself (for notebooks: Theta, History, StepArch, …).
func (r *Run) Search() *gaea.Search { return r.search }

// Close releases the run folder's lock.
func (r *Run) Close() {
	if r.unlock != nil {
		r.unlock()
		r.unlock = nil
	}
}

// Prepare validates the settings, opens the data, creates the run folder (refusing one that holds a
// run) with settings.json, takes its lock and builds the search. Close it when done.
func Prepare(ctx context.Context, st Settings, opt Options) (*Run, error) {
	if err := st.Validate(); err != nil {
		return nil, err
	}
	dir := opt.Dir
	if dir == "" {
		dir = filepath.Join("runs", fmt.Sprintf("%s-%s-%s", time.Now().Format("20060102-150405"), st.Space, st.Algo))
	}
	unlock, err := rundir.Claim(dir, false)
	if err != nil {
		return nil, err
	}
	r, err := prepare(ctx, st, dir, opt, false)
	if err != nil {
		unlock()
		return nil, err
	}
	r.unlock = unlock
	return r, nil
}

// prepare opens the data and builds (or restores) the search of a run folder.
func prepare(ctx context.Context, st Settings, dir string, opt Options, restore bool) (*Run, error) {
	be := opt.Backend
	if be == nil {
		var err error
		if be, err = backend.New(); err != nil {
			return nil, err
		}
	}
	d, err := OpenData(ctx, &st, opt.Log)
	if err != nil {
		return nil, err
	}
	st.TrainImages, st.ValidImages = d.Train.Len(), 0
	if st.Level == BiLevel {
		st.ValidImages = d.Arch.Len()
	}
	b, err := NewBatches(&st, d)
	if err != nil {
		return nil, err
	}
	r := &Run{Settings: st, Dir: dir, Data: d, Batches: b, opt: opt, be: be}
	r.StepsPerEpoch = d.StepsPerEpoch(st.Batch)
	r.Total = st.Epochs * r.StepsPerEpoch
	space, err := st.BuildSpace(d.Classes)
	if err != nil {
		return nil, err
	}
	cfg, err := st.Config(space, r.StepsPerEpoch)
	if err != nil {
		return nil, err
	}
	if restore {
		if r.search, err = gaea.RestoreSearch(be, cfg, b, dir); err != nil {
			return nil, err
		}
		var p progress
		if rundir.ReadJSON(filepath.Join(dir, rundir.ProgressFile), &p) == nil {
			r.clock = rundir.NewClock(p.Seconds, r.Iteration())
		}
	} else {
		if err := rundir.WriteJSON(filepath.Join(dir, SettingsFile), st); err != nil {
			return nil, err
		}
		if r.search, err = gaea.NewSearch(be, cfg, b); err != nil {
			return nil, err
		}
	}
	if r.clock == nil {
		r.clock = rundir.NewClock(0, r.Iteration())
	}
	return r, nil
}

// Iteration is the number of search iterations done.
func (r *Run) Iteration() int {
	h := r.search.History()
	if len(h) == 0 {
		return 0
	}
	return h[len(h)-1].Iteration
}

// Seconds is the search time so far, over every process that worked on the run.
func (r *Run) Seconds() float64 { return r.clock.Seconds() }

// save checkpoints the search and records the time spent.
func (r *Run) save() error {
	if err := r.search.Save(r.Dir); err != nil {
		return err
	}
	return rundir.WriteJSON(filepath.Join(r.Dir, rundir.ProgressFile), progress{Iteration: r.Iteration(), Seconds: r.Seconds()})
}

// Execute runs the remaining iterations: checkpoints (every Settings.CheckpointEvery iterations, or
// by wall time), history.jsonl, progress lines with an ETA. When ctx is cancelled it saves a checkpoint
// and returns ErrInterrupted.
func (r *Run) Execute(ctx context.Context) error {
	hook, err := rundir.TestSignalFromEnv()
	if err != nil {
		return err
	}
	hist, err := rundir.OpenLines(filepath.Join(r.Dir, HistoryFile), r.search.History())
	if err != nil {
		return err
	}
	defer hist.Close()
	written := len(r.search.History())
	cadence := rundir.Cadence{Every: r.Settings.CheckpointEvery, Interval: r.opt.CheckpointInterval}
	if cadence.Interval <= 0 {
		cadence.Interval = DefaultCheckpointInterval
	}
	cadence.Due(0, r.Total) // starts its clock
	lastLog := time.Now()
	first := r.Iteration()
	for it := first; it < r.Total; it++ {
		if err := rundir.Stop(ctx, r.save, fmt.Sprintf("after iteration %d of %d", it, r.Total), r.Dir); err != nil {
			return err
		}
		if err := r.search.Step(); err != nil { // only the weight step during the warm-up
			return fmt.Errorf("%w (last good checkpoint in %s)", err, r.Dir)
		}
		validated, err := r.validateEpoch(it + 1) // a bilevel search's supernet validation after each epoch (best.go)
		if err != nil {
			return fmt.Errorf("%w (last good checkpoint in %s)", err, r.Dir)
		}
		h := r.search.History()
		if err := rundir.Append(hist, h[written:]); err != nil {
			return err
		}
		written = len(h)
		done := it + 1
		eta := r.clock.Done(done, r.Total)
		if done-first == 2 && r.Settings.Preset == Paper && !strings.Contains(r.be.Name(), "xla") && done < r.Total {
			per := r.clock.PerUnit(done)
			r.opt.logf("cost: %d iterations × %.2f s (measured on backend %s) ≈ %s for the paper preset; a GPU backend (GOMLX_BACKEND=xla:cuda) is the intended one\n",
				r.Total, per, r.be.Name(), rundir.Duration(per*float64(r.Total)).Round(time.Minute))
		}
		if cadence.Due(done, r.Total) {
			if err := r.save(); err != nil {
				return err
			}
			cadence.Saved()
		}
		if r.opt.OnIteration != nil {
			r.opt.OnIteration(r.search, done, r.Total)
		}
		if done == r.Total || done%max(1, r.Total/20) == 0 || validated || time.Since(lastLog) > 30*time.Second {
			if eta != "" {
				eta = "  " + eta
			}
			r.opt.logf("%s%s\n", r.progressLine(done), eta)
			lastLog = time.Now()
		}
		if err := hook.After(ctx, int64(done)); err != nil {
			return err
		}
	}
	return nil
}

// progressLine describes the state after iteration it.
func (r *Run) progressLine(it int) string {
	h := r.search.History()
	var wLoss, wAcc, aLoss float64
	var haveW, haveA bool
	for i := len(h) - 1; i >= 0 && !(haveW && haveA); i-- {
		if h[i].Block == "weights" && !haveW {
			wLoss, wAcc, haveW = h[i].Loss, h[i].Acc, true
		}
		if h[i].Block == "arch" && !haveA {
			aLoss, haveA = h[i].Loss, true
		}
	}
	per := r.StepsPerEpoch
	line := fmt.Sprintf("epoch %d/%d  iter %d/%d  weights loss %.3f acc %.2f", (it-1)/per+1, r.Settings.Epochs, it, r.Total, wLoss, wAcc)
	if haveA {
		line += fmt.Sprintf("  arch loss %.3f", aLoss)
	}
	for i := len(h) - 1; i >= 0; i-- {
		if v := h[i].Valid; v != nil {
			line += fmt.Sprintf("  valid acc %.2f%% (epoch %d, %.1f s)", 100*v.Acc, v.Epoch, v.Seconds)
			break
		}
	}
	if g, err := r.search.Genotype(); err == nil {
		line += "  " + g.String()
		if d, err := r.Settings.Descriptor(); err == nil && d.Benchmark != nil {
			if e, err := d.Benchmark.Lookup(g.String()); err == nil && len(e.Scores) > 0 {
				line += fmt.Sprintf("  (%s %.2f%%)", benchmarkTitle(r.Settings.Space, e.Scores[0].Dataset), e.Scores[0].Accuracy)
			}
		}
	}
	return fmt.Sprintf("%s  [%s]", line, rundir.Duration(r.Seconds()).Round(time.Second))
}

// Search runs a whole search in a new run folder and writes result.json and report.html.
func Search(ctx context.Context, st Settings, opt Options) (*Result, error) {
	r, err := Prepare(ctx, st, opt)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	images := fmt.Sprintf("%d images for both blocks", r.Data.Train.Len())
	if st.Level == BiLevel {
		images = fmt.Sprintf("%d weight / %d architecture images", r.Data.Train.Len(), r.Data.Arch.Len())
	}
	r.opt.logf("search: %s on %s, data %s (%s), %s level, %d epochs × %d iterations, batch %d, backend %s, out %s\n",
		st.Algo, st.Space, st.Dataset, images, st.Level, st.Epochs, r.StepsPerEpoch, st.Batch, r.be.Name(), r.Dir)
	if err := r.Execute(ctx); err != nil {
		return nil, err
	}
	return r.Finish()
}

// Resume continues the search of a run folder from its last checkpoint, or from the start when it was
// stopped before its first checkpoint (the result is the same as an uninterrupted run's). A finished
// run is not touched: its result is returned with Result.AlreadyFinished set.
func Resume(ctx context.Context, dir string, opt Options) (*Result, error) {
	var st Settings
	if err := rundir.ReadJSON(filepath.Join(dir, SettingsFile), &st); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w (no %s)", dir, ErrNotRun, SettingsFile)
		}
		return nil, err
	}
	if err := st.Validate(); err != nil {
		return nil, fmt.Errorf("%s/%s: %w: %v", dir, SettingsFile, ErrNotRun, err)
	}
	if res, err := ReadResult(dir); err == nil {
		res.AlreadyFinished = true
		return res, nil
	}
	unlock, err := rundir.Lock(dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	restore := ckpt.Exists(dir)
	if !restore {
		opt.logf("%s has no checkpoint yet (stopped before the first one): starting it again from its settings\n", dir)
	}
	r, err := prepare(ctx, st, dir, opt, restore)
	if err != nil {
		return nil, err
	}
	if restore {
		opt.logf("resuming %s at iteration %d of %d\n", dir, r.Iteration(), r.Total)
	}
	if err := r.Execute(ctx); err != nil {
		return nil, err
	}
	return r.Finish()
}

// Finish writes result.json (the genotype, θ, β, the NAS-Bench-201 entry; RS-WS first scores its
// random candidates) and report.html.
func (r *Run) Finish() (*Result, error) {
	res, err := r.result()
	if err != nil {
		return nil, err
	}
	if err := rundir.WriteJSON(filepath.Join(r.Dir, ResultFile), res); err != nil {
		return nil, err
	}
	if _, err := WriteReport(r.Dir); err != nil {
		r.opt.logf("warning: %s not written: %v\n", ReportFile, err)
	}
	return res, nil
}
