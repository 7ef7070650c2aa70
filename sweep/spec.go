package sweep

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/gaeanas/gaeanas/data"
	"github.com/gaeanas/gaeanas/experiment"
	"github.com/gaeanas/gaeanas/internal/text"
	"github.com/gaeanas/gaeanas/rundir"
	"github.com/gaeanas/gaeanas/spaces"
)

// Files of a sweep folder.
const (
	SpecFile  = rundir.SweepFile
	LogDir    = "logs"
	lockFile  = ".sweep.lock"
	failedExt = ".failed"
)

// ErrNotSweep is returned for a folder without sweep.json.
var ErrNotSweep = errors.New("not a sweep folder")

// ErrDifferentSweep is returned when a sweep is pointed at a folder that holds another grid.
var ErrDifferentSweep = errors.New("the folder holds a different sweep")

// ErrBadSpec is wrapped by the errors of Expand, ReadSpecFile, Open and Plan for a grid that cannot
// run: an empty or repeated list item, an unknown algorithm, space or data set, a --spec file that is
// not a grid, or a cell whose gaea search flags would be refused (experiment.CheckSearchArgs).
var ErrBadSpec = errors.New("bad sweep grid")

// specError is an error wrapping ErrBadSpec whose text does not repeat it, and the error of a cell's
// check (errors.As finds a setting's error through it).
type specError struct {
	msg   string
	cause error
}

func (e *specError) Error() string        { return e.msg }
func (e *specError) Is(target error) bool { return target == ErrBadSpec }
func (e *specError) Unwrap() error        { return e.cause }

// badSpec is a spec error; a %w in format is its cause.
func badSpec(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	return &specError{msg: err.Error(), cause: errors.Unwrap(err)}
}

// Spec is a grid of searches: every combination of Spaces × Datasets × Algos × ArchLRs × Seeds is a
// cell, run as `gaea search --space S --algo A --seed N [--dataset D] [--arch-lr X] Args…`. It is
// sweep.json of a sweep folder (with Cells filled in), and the form of a --spec file (without Cells).
type Spec struct {
	Algos    []string  `json:"algos"`
	Seeds    []int64   `json:"seeds"`
	Spaces   []string  `json:"spaces"`
	Datasets []string  `json:"datasets,omitempty"` // empty: each space's preset data set
	ArchLRs  []float64 `json:"arch_lrs,omitempty"` // empty: each preset's architecture learning rate
	Args     []string  `json:"args,omitempty"`     // further gaea search flags, the same for every cell
	// Jobs is the local executor's cells at a time, as last given (--jobs); a sweep continued
	// without --jobs runs with it. 0: one.
	Jobs  int    `json:"jobs,omitempty"`
	Cells []Cell `json:"cells,omitempty"` // filled in by Expand
}

// Cell is one search of a sweep.
type Cell struct {
	Name    string   `json:"name"` // its run folder under the sweep folder
	Space   string   `json:"space"`
	Dataset string   `json:"dataset,omitempty"`
	Algo    string   `json:"algo"`
	ArchLR  float64  `json:"arch_lr,omitempty"`
	Seed    int64    `json:"seed"`
	Args    []string `json:"args"` // gaea search flags (without --out)
}

// Expand checks the grid and fills in Cells (spaces outermost, seeds innermost). An empty Spaces
// means nb201 and an empty Seeds means seed 1, as gaea search's defaults. Every cell's gaea search
// flags are checked as gaea search checks them before it starts (experiment.CheckSearchArgs), so a
// grid is refused before anything is written rather than when a cell runs. Errors wrap ErrBadSpec.
func (s *Spec) Expand() error {
	if len(s.Algos) == 0 {
		return badSpec("sweep: no algorithms (--algos a,b)")
	}
	if len(s.Spaces) == 0 {
		s.Spaces = []string{experiment.DefaultSpace}
	}
	if len(s.Seeds) == 0 {
		s.Seeds = []int64{1}
	}
	reserved := []string{"out", "resume", "algo", "seed", "space", "dry-run"}
	if len(s.Datasets) > 0 {
		reserved = append(reserved, "dataset")
	}
	if len(s.ArchLRs) > 0 {
		reserved = append(reserved, "arch-lr")
	}
	for _, a := range s.Args {
		for _, reserved := range reserved {
			if a == "--"+reserved || strings.HasPrefix(a, "--"+reserved+"=") || a == "-"+reserved || strings.HasPrefix(a, "-"+reserved+"=") {
				return badSpec("sweep: args: %s is set per cell by the sweep; use the grid's lists instead", text.Abbrev(a))
			}
		}
	}
	if err := unique("algos", s.Algos); err != nil {
		return err
	}
	if err := unique("spaces", s.Spaces); err != nil {
		return err
	}
	if err := unique("datasets", s.Datasets); err != nil {
		return err
	}
	seen := map[int64]bool{}
	for _, v := range s.Seeds {
		if seen[v] {
			return badSpec("sweep: seed %d is listed twice", v)
		}
		seen[v] = true
	}
	for _, lr := range s.ArchLRs {
		if !(lr > 0) || math.IsInf(lr, 0) {
			return badSpec("sweep: arch lr %v: want a positive number", lr)
		}
	}
	if err := s.checkNames(); err != nil {
		return err
	}
	if s.Jobs < 0 {
		return badSpec("sweep: jobs %d: want at least 1", s.Jobs)
	}
	datasets := s.Datasets
	if len(datasets) == 0 {
		datasets = []string{""}
	}
	lrs := s.ArchLRs
	if len(lrs) == 0 {
		lrs = []float64{0}
	}
	s.Cells = nil
	for _, space := range s.Spaces {
		for _, ds := range datasets {
			for _, algo := range s.Algos {
				for _, lr := range lrs {
					for _, seed := range s.Seeds {
						c := Cell{Space: space, Dataset: ds, Algo: algo, ArchLR: lr, Seed: seed}
						name := []string{space}
						if ds != "" {
							name = append(name, ds)
						}
						name = append(name, algo)
						if lr != 0 {
							name = append(name, "lr"+fmtFloat(lr))
						}
						name = append(name, fmt.Sprintf("s%d", seed))
						c.Name = safeName(strings.Join(name, "-"))
						c.Args = []string{"--space", space, "--algo", algo, "--seed", strconv.FormatInt(seed, 10)}
						if ds != "" {
							c.Args = append(c.Args, "--dataset", ds)
						}
						if lr != 0 {
							c.Args = append(c.Args, "--arch-lr", fmtFloat(lr))
						}
						c.Args = append(c.Args, s.Args...)
						s.Cells = append(s.Cells, c)
					}
				}
			}
		}
	}
	for _, c := range s.Cells {
		if err := experiment.CheckSearchArgs(c.Args); err != nil {
			s.Cells = nil
			return badSpec("sweep: cell %s: %w", c.Name, err)
		}
	}
	return nil
}

// checkNames checks that the algorithms, spaces and data sets of the grid exist (and that no two data
// sets are one under two names, as embedded and cifar10-sample).
func (s *Spec) checkNames() error {
	for _, a := range s.Algos {
		if !slices.Contains(experiment.Algos(), experiment.Algo(a)) {
			return badSpec("sweep: algos: %q is not an algorithm (want %s)", text.Abbrev(a), joinNames(experiment.Algos()))
		}
	}
	for _, sp := range s.Spaces {
		if _, err := spaces.Lookup(sp); err != nil {
			return badSpec("sweep: spaces: %q is not a search space (want %s)", text.Abbrev(sp), strings.Join(spaces.Names(), ", "))
		}
	}
	canon := map[string]string{}
	for _, d := range s.Datasets {
		if err := data.Check(d); err != nil {
			return badSpec("sweep: datasets: %v", strings.TrimPrefix(err.Error(), "data: "))
		}
		if other, ok := canon[data.Canonical(d)]; ok {
			return badSpec("sweep: datasets: %q and %q are the same data set; list it once", other, d)
		}
		canon[data.Canonical(d)] = d
	}
	return nil
}

func joinNames[T ~string](list []T) string {
	s := make([]string, len(list))
	for i, v := range list {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}

func unique(what string, list []string) error {
	seen := map[string]bool{}
	for _, v := range list {
		if v == "" {
			return badSpec("sweep: %s: empty name", what)
		}
		if seen[v] {
			return badSpec("sweep: %s: %q is listed twice", what, text.Abbrev(v))
		}
		seen[v] = true
	}
	return nil
}

func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// safeName keeps letters, digits, '.', '-' and '_' (a folder name and a shell word without quoting).
func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '.', r == '-', r == '_':
			return r
		}
		return '_'
	}, s)
}

// Sweep is an opened sweep folder.
type Sweep struct {
	Dir  string
	Spec Spec
}

// Open opens the sweep folder dir. With spec nil it reads sweep.json (ErrNotSweep if there is none).
// Otherwise it expands spec and creates the folder with sweep.json, or, if the folder already holds a
// sweep, checks that it is the same grid (ErrDifferentSweep if not) and continues it.
func Open(dir string, spec *Spec) (*Sweep, error) {
	path := filepath.Join(dir, SpecFile)
	var old Spec
	err := rundir.ReadJSON(path, &old)
	if errors.Is(err, syscall.ENOTDIR) {
		err = os.ErrNotExist // dir is a file: no sweep there
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	exists := err == nil
	if spec == nil {
		if !exists {
			return nil, fmt.Errorf("%s: %w (no %s)", dir, ErrNotSweep, SpecFile)
		}
		return &Sweep{Dir: dir, Spec: old}, nil
	}
	s := *spec
	if err := s.Expand(); err != nil {
		return nil, err
	}
	if exists {
		if !reflect.DeepEqual(cellArgs(old.Cells), cellArgs(s.Cells)) {
			return nil, fmt.Errorf("%s: %w (%d cells; continue it with the same grid, or with no grid flags, or choose another folder)", dir, ErrDifferentSweep, len(old.Cells))
		}
		return &Sweep{Dir: dir, Spec: old}, nil
	}
	if err := os.MkdirAll(filepath.Join(dir, LogDir), 0o755); err != nil {
		return nil, err
	}
	if err := rundir.WriteJSON(path, s); err != nil {
		return nil, err
	}
	return &Sweep{Dir: dir, Spec: s}, nil
}

func cellArgs(cells []Cell) [][]string {
	out := make([][]string, len(cells))
	for i, c := range cells {
		out[i] = append([]string{c.Name}, c.Args...)
	}
	return out
}

// Plan is Open without writing anything: the sweep a grid would make in dir (for dry runs). A folder
// that already holds a sweep is read (and must hold the same grid).
func Plan(dir string, spec *Spec) (*Sweep, error) {
	if spec == nil || rundir.Exists(filepath.Join(dir, SpecFile)) {
		return Open(dir, spec)
	}
	s := *spec
	if err := s.Expand(); err != nil {
		return nil, err
	}
	return &Sweep{Dir: dir, Spec: s}, nil
}

// specKeys are the keys of a --spec file.
const specKeys = "algos, seeds, spaces, datasets, arch_lrs, args, jobs"

// ReadSpecFile reads a grid from a JSON file (the fields of Spec, without cells). Every error is one
// line wrapping ErrBadSpec: a missing file, a syntax error (with its line), an unknown key, a value
// of the wrong type (naming the key and the type wanted).
func ReadSpecFile(path string) (*Spec, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, badSpec("%s: no such file", path)
		}
		return nil, badSpec("%v", err)
	}
	var s Spec
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		msg := rundir.JSONError(raw, err)
		if strings.HasPrefix(msg, "unknown key") {
			msg += " (a grid has " + specKeys + ")"
		}
		return nil, badSpec("%s: %s", path, msg)
	}
	if dec.More() {
		return nil, badSpec("%s: more than one JSON value", path)
	}
	if len(s.Cells) > 0 {
		return nil, badSpec("%s: cells are derived from the grid; leave them out", path)
	}
	return &s, nil
}

// SetJobs records the local executor's cells at a time in sweep.json (Spec.Jobs).
func (s *Sweep) SetJobs(n int) error {
	if s.Spec.Jobs == n {
		return nil
	}
	s.Spec.Jobs = n
	return rundir.WriteJSON(filepath.Join(s.Dir, SpecFile), s.Spec)
}

// CellDir is the run folder of a cell.
func (s *Sweep) CellDir(c Cell) string { return filepath.Join(s.Dir, c.Name) }

// LogPath is the file that receives a cell's output (local executor).
func (s *Sweep) LogPath(c Cell) string { return filepath.Join(s.Dir, LogDir, c.Name+".log") }

func (s *Sweep) failedPath(c Cell) string { return filepath.Join(s.Dir, LogDir, c.Name+failedExt) }

// SearchArgs are the gaea arguments that run (or continue) a cell: `search --resume DIR` when the
// cell's folder holds a run, else `search --out DIR <the cell's flags>`.
func (s *Sweep) SearchArgs(c Cell) []string {
	dir := s.CellDir(c)
	if rundir.Exists(filepath.Join(dir, rundir.SettingsFile)) {
		return []string{"search", "--resume", dir}
	}
	return append([]string{"search", "--out", dir}, c.Args...)
}
