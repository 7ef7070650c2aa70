// Package rundir is the run folder that a search (package experiment) and a from-scratch training
// (package scratch) share: settings.json written once, history.jsonl appended to and rewritten from the
// checkpoint on resume, result.json written last, a lock against a second process, the signal that
// stops a run with a checkpoint (and its test hook), the clock of a run over its processes with its
// ETA, and when a checkpoint is due. Checkpoints themselves are internal/ckpt's one scheme; every file
// is written through a synced temporary file and a rename.
//
// A folder holds one run. A new run refuses a folder that holds one (ErrRunExists); two processes on
// one folder are refused (ErrLocked); an interrupted run returns ErrInterrupted after its checkpoint;
// Kind tells a search from a training from a sweep by their files alone.
package rundir

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Files of a run folder.
const (
	SettingsFile = "settings.json"
	HistoryFile  = "history.jsonl"
	ResultFile   = "result.json"
	ReportFile   = "report.html"
	ProgressFile = "progress.json"
)

var (
	// ErrInterrupted is returned (wrapped) when the context was cancelled: the run saved a checkpoint
	// and can be resumed.
	ErrInterrupted = errors.New("interrupted")
	// ErrNotRun is returned for a folder that holds no run of the kind wanted.
	ErrNotRun = errors.New("not a search run folder")
	// ErrRunExists is returned when a new run is pointed at a folder that already holds one.
	ErrRunExists = errors.New("the folder already holds a run")
	// ErrLocked is returned when another process works on the same run folder.
	ErrLocked = errors.New("another process is using this run folder")
)

// Kind is what a path holds, as a command line names it.
type Kind int

// The kinds of paths.
const (
	Missing  Kind = iota // nothing there
	File                 // a file, not a folder
	Folder               // a folder without a run or a sweep
	Search               // a search run folder (settings.json with "algo")
	Training             // a training run folder (settings.json with "genotype")
	Sweep                // a sweep folder (sweep.json)
	OtherRun             // a settings.json that describes neither
)

// SweepFile is the file that makes a folder a sweep's (package sweep writes it).
const SweepFile = "sweep.json"

// KindOf says what path holds, from its settings.json or sweep.json (without reading anything else):
// a search's settings name an algorithm, a training's a genotype.
func KindOf(path string) Kind {
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return Missing
	case !fi.IsDir():
		return File
	}
	if Exists(filepath.Join(path, SweepFile)) {
		return Sweep
	}
	raw, err := os.ReadFile(filepath.Join(path, SettingsFile))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return Folder
		}
		return OtherRun
	}
	var keys map[string]json.RawMessage
	if json.Unmarshal(raw, &keys) != nil {
		return OtherRun
	}
	_, algo := keys["algo"]
	_, genotype := keys["genotype"]
	switch {
	case algo && !genotype:
		return Search
	case genotype && !algo:
		return Training
	}
	return OtherRun
}

// Clock is a run's time over every process that worked on it, and its rate for an ETA: the first
// units of work of a process (graph compilation) are left out of the rate.
type Clock struct {
	before    float64 // seconds of earlier processes
	start     time.Time
	first     int // units done when this process started
	rateStart time.Time
}

// warmUnits are the units of work of a process that its ETA leaves out.
const warmUnits = 2

// NewClock starts the clock of a process that continues a run after before seconds and first units.
func NewClock(before float64, first int) *Clock {
	return &Clock{before: before, start: time.Now(), first: first}
}

// Seconds is the run's time so far, over every process.
func (c *Clock) Seconds() float64 { return c.before + time.Since(c.start).Seconds() }

// Done records that done units are complete and returns the ETA of the rest of total ("" until the
// rate is known, and at the end).
func (c *Clock) Done(done, total int) string {
	if done-c.first == warmUnits {
		c.rateStart = time.Now()
	}
	if c.rateStart.IsZero() || done-c.first <= warmUnits || done >= total {
		return ""
	}
	per := time.Since(c.rateStart).Seconds() / float64(done-c.first-warmUnits)
	return fmt.Sprintf("ETA %s", Duration(per*float64(total-done)).Round(time.Second))
}

// PerUnit is the time per unit of this process so far (0 before the first).
func (c *Clock) PerUnit(done int) float64 {
	if done <= c.first {
		return 0
	}
	return time.Since(c.start).Seconds() / float64(done-c.first)
}

// Duration is a number of seconds as a time.Duration.
func Duration(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// Cadence says when a checkpoint is due: every Every units of work, or, with Every 0, every Interval of
// wall time.
type Cadence struct {
	Every    int
	Interval time.Duration
	last     time.Time
}

// Due reports whether a checkpoint is due after done units (at the end, always).
func (c *Cadence) Due(done, total int) bool {
	if c.last.IsZero() {
		c.last = time.Now()
	}
	if done == total {
		return true
	}
	if c.Every > 0 {
		return done%c.Every == 0
	}
	return time.Since(c.last) >= c.Interval
}

// Saved records that a checkpoint was written.
func (c *Cadence) Saved() { c.last = time.Now() }

// Stop is how a loop ends when ctx is cancelled: it saves a checkpoint and returns an error wrapping
// ErrInterrupted that says where the run stopped and where its checkpoint is.
func Stop(ctx context.Context, save func() error, where, dir string) error {
	if ctx.Err() == nil {
		return nil
	}
	if err := save(); err != nil {
		return fmt.Errorf("%w, and the checkpoint failed: %v", ErrInterrupted, err)
	}
	return fmt.Errorf("%w %s; checkpoint saved in %s", ErrInterrupted, where, dir)
}
