package sweep

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gaeanas/gaeanas/experiment"
	"github.com/gaeanas/gaeanas/rundir"
)

// State is where a cell stands, as its run folder shows it.
type State string

// The states of a cell.
const (
	Pending State = "pending" // no run folder yet
	Started State = "started" // a run without result.json: running, or interrupted (it resumes)
	Failed  State = "failed"  // its last process failed (logs/CELL.failed)
	Done    State = "done"    // result.json
)

// CellStatus is a cell's state with what its folder says about it.
type CellStatus struct {
	Cell      Cell    `json:"cell"`
	State     State   `json:"state"`
	Iteration int     `json:"iteration,omitempty"` // of the last checkpoint
	Seconds   float64 `json:"seconds,omitempty"`   // search time so far
	Genotype  string  `json:"genotype,omitempty"`  // when done
	Error     string  `json:"error,omitempty"`     // when failed: the exit status and the last line of its output
	Slurm     string  `json:"slurm,omitempty"`     // the Slurm state of its array task, where known
}

// Status reads every cell's state from its folder.
func (s *Sweep) Status() []CellStatus {
	out := make([]CellStatus, len(s.Spec.Cells))
	for i, c := range s.Spec.Cells {
		out[i] = s.cellStatus(c)
	}
	return out
}

func (s *Sweep) cellStatus(c Cell) CellStatus {
	st := CellStatus{Cell: c, State: Pending}
	dir := s.CellDir(c)
	if res, err := experiment.ReadResult(dir); err == nil {
		st.State, st.Seconds, st.Genotype, st.Iteration = Done, res.Seconds, res.Genotype, res.Steps
		return st
	}
	if rundir.Exists(filepath.Join(dir, rundir.SettingsFile)) {
		st.State = Started
		var p struct {
			Iteration int     `json:"iteration"`
			Seconds   float64 `json:"seconds"`
		}
		if rundir.ReadJSON(filepath.Join(dir, "progress.json"), &p) == nil {
			st.Iteration, st.Seconds = p.Iteration, p.Seconds
		}
	}
	if raw, err := os.ReadFile(s.failedPath(c)); err == nil {
		st.State, st.Error = Failed, strings.TrimSpace(string(raw))
	}
	return st
}

// Counts tallies states.
func Counts(sts []CellStatus) map[State]int {
	n := map[State]int{}
	for _, st := range sts {
		n[st.State]++
	}
	return n
}

// lock takes the sweep folder's lock: one executor at a time.
func (s *Sweep) lock() (func(), error) {
	unlock, err := rundir.LockFile(filepath.Join(s.Dir, lockFile))
	if errors.Is(err, rundir.ErrLocked) {
		return nil, fmt.Errorf("%s: %w", s.Dir, ErrBusy)
	}
	return unlock, err
}

// ErrBusy is returned when another process runs the same sweep.
var ErrBusy = errors.New("another process is running this sweep")

// String is the cell's line in `gaea sweep status`: name, state, progress, Slurm state, genotype, error.
func (st CellStatus) String() string {
	line := fmt.Sprintf("%-40s %-8s", st.Cell.Name, st.State)
	if st.Iteration > 0 {
		line += fmt.Sprintf("  iter %d  %.0f s", st.Iteration, st.Seconds)
	}
	if st.Slurm != "" {
		line += "  slurm " + st.Slurm
	}
	if st.Genotype != "" {
		line += "  " + st.Genotype
	}
	if st.Error != "" {
		line += "  " + st.Error
	}
	return strings.TrimRight(line, " ")
}
