package cli

// Checks every command makes before its work starts, so that a bad command line is refused (exit 2)
// and a missing data set or backend reported (exit 1) before anything is written.

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/data"
	"github.com/gaeanas/gaeanas/internal/text"
	"github.com/gaeanas/gaeanas/rundir"
)

// ResumeFolder checks that dir, the value of --resume, holds a run of the kind the command (search or
// train) continues; the error says what dir is instead and which command opens it.
func ResumeFolder(dir string, want rundir.Kind) error {
	switch rundir.KindOf(dir) {
	case want:
		return nil
	case rundir.Missing:
		return Usagef("--resume %s: no such folder", dir)
	case rundir.File:
		return Usagef("--resume %s: a file, not a run folder", dir)
	case rundir.Folder:
		return Usagef("--resume %s: not a run folder (no %s)", dir, rundir.SettingsFile)
	case rundir.Search:
		return Usagef("--resume %s: a search run folder, not a training run; continue it with gaea search --resume %s", dir, dir)
	case rundir.Training:
		return Usagef("--resume %s: a training run folder, not a search run; continue it with gaea train --resume %s", dir, dir)
	case rundir.Sweep:
		return Usagef("--resume %s: a sweep folder; continue it with gaea sweep --out %s", dir, dir)
	}
	return Usagef("--resume %s: its %s describes neither a search nor a training run", dir, rundir.SettingsFile)
}

// NewRunFolder checks that dir, the value of --out of a new search or training, can take the run: it
// does not exist yet (and the nearest existing folder above it is a folder), or it is a folder without
// a run.
func NewRunFolder(dir string) error {
	if dir == "" {
		return nil // runs/<timestamp>-…
	}
	switch rundir.KindOf(dir) {
	case rundir.Missing:
		return parentIsFolder(dir)
	case rundir.File:
		return Usagef("--out %s: a file, not a folder", dir)
	case rundir.Folder:
		return nil
	case rundir.Search:
		return Usagef("--out %s: %v (a search; continue it with gaea search --resume %s, or choose another folder)", dir, rundir.ErrRunExists, dir)
	case rundir.Training:
		return Usagef("--out %s: %v (a training; continue it with gaea train --resume %s, or choose another folder)", dir, rundir.ErrRunExists, dir)
	case rundir.Sweep:
		return Usagef("--out %s: a sweep folder; choose another folder for a run", dir)
	}
	return Usagef("--out %s: %v (choose another folder)", dir, rundir.ErrRunExists)
}

// SweepFolder checks that dir, the value of gaea sweep's --out, is a sweep folder, a folder without a
// run, or does not exist yet.
func SweepFolder(dir string) error {
	switch rundir.KindOf(dir) {
	case rundir.Missing:
		return parentIsFolder(dir)
	case rundir.File:
		return Usagef("--out %s: a file, not a folder", dir)
	case rundir.Search:
		return Usagef("--out %s: a search run folder, not a sweep (gaea search --resume %s continues it)", dir, dir)
	case rundir.Training:
		return Usagef("--out %s: a training run folder, not a sweep (gaea train --resume %s continues it)", dir, dir)
	case rundir.OtherRun:
		return Usagef("--out %s: holds a run, not a sweep", dir)
	}
	return nil
}

// parentIsFolder checks that the nearest existing path above dir (--out's) is a folder.
func parentIsFolder(dir string) error {
	for p := filepath.Dir(filepath.Clean(dir)); ; p = filepath.Dir(p) {
		if fi, err := os.Stat(p); err == nil {
			if !fi.IsDir() {
				return Usagef("--out %s: %s is a file, not a folder", dir, p)
			}
			return nil
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

// Probe checks that the folder dir (the value of flagName) can be made and written, before anything
// else is done: it makes the missing part of the path and removes it again (an existing folder is
// checked with access(2)), so that a read-only place is a failure (exit 1) reported in one line before
// the backend or the data are opened, and nothing is left behind.
func Probe(flagName, dir string) error {
	var missing []string // the folders to make, deepest first
	for p := filepath.Clean(dir); ; p = filepath.Dir(p) {
		if _, err := os.Stat(p); err == nil {
			break
		}
		missing = append(missing, p)
		if p == filepath.Dir(p) {
			break
		}
	}
	if len(missing) == 0 {
		if err := writable(dir); err != nil {
			return fmt.Errorf("%s %s: the folder cannot be written: %v", flagName, dir, err)
		}
		return nil
	}
	err := os.MkdirAll(dir, 0o755)
	for _, p := range missing {
		os.Remove(p)
	}
	if err != nil {
		return fmt.Errorf("%s %s: the folder cannot be made: %v", flagName, dir, err)
	}
	return nil
}

// CheckBackend checks the form of a --backend value (go, xla, xla:cuda, …): exit 2 for another.
func CheckBackend(be string) error {
	if be == "" {
		return nil
	}
	if err := backend.CheckName(be); err != nil {
		return Usagef("--backend %q: unknown backend; want go, xla, xla:cuda, xla:cpu or xla:/path/to/pjrt_plugin.so", text.Abbrev(be))
	}
	return nil
}

// OpenBackend sets $GOMLX_BACKEND from --backend (when given) and creates the backend, so that a
// backend that cannot be had stops the command before it writes anything: exit 2 for an unknown
// name, 1 for one not available here (no PJRT plugin, a build without XLA), in one line naming the
// flag or the environment variable it came from.
func OpenBackend(be string) error {
	if err := CheckBackend(be); err != nil {
		return err
	}
	if be != "" {
		os.Setenv(backend.EnvVar, be)
	}
	_, err := backend.New()
	var ce *backend.ConfigError
	if !errors.As(err, &ce) {
		return err
	}
	where := fmt.Sprintf("$%s=%s", backend.EnvVar, ce.Config)
	if be != "" {
		where = "--backend " + be
	}
	if errors.Is(err, backend.ErrUnknown) {
		return Usagef("%s: %s", where, ce.Reason)
	}
	return fmt.Errorf("%s: %s", where, ce.Reason)
}

// EnsureData makes sure the data set can be read (downloading it if needed) before a run folder is
// made: exit 2 for an unknown name, 1 for a data set that is not there and cannot be downloaded.
func EnsureData(ctx context.Context, name, dir string) error {
	err := data.Ensure(ctx, name, data.Options{Dir: dir, Progress: os.Stderr})
	if errors.Is(err, data.ErrUnknown) {
		return UsageError{err}
	}
	return err
}

// SignalContext is cancelled by SIGINT or SIGTERM; code then holds the signal's exit status (130, 143).
func SignalContext() (ctx context.Context, code *int) {
	ctx, cancel := context.WithCancel(context.Background())
	code = new(int)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-ch
		*code = 130
		if s == syscall.SIGTERM {
			*code = 143
		}
		cancel()
		signal.Stop(ch)
	}()
	return ctx, code
}

// ExitError ends a command with its own exit status (an interruption: 130, 143) after its line.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string { return e.Err.Error() }
func (e *ExitError) Unwrap() error { return e.Err }

// RunError turns a run's error into what the command does: an interruption exits with its signal's
// status (the checkpoint is saved; the line says how to continue), a bad run folder is a usage error,
// the rest a failure.
func RunError(cmd string, err error, sig *int, dir string) error {
	switch {
	case errors.Is(err, rundir.ErrInterrupted):
		if dir == "" {
			dir = "DIR"
			if i := strings.LastIndex(err.Error(), "checkpoint saved in "); i >= 0 {
				dir = err.Error()[i+len("checkpoint saved in "):]
			}
		}
		return &ExitError{Code: max(*sig, 130), Err: fmt.Errorf("%w — continue with: gaea %s --resume %s", err, cmd, dir)}
	case errors.Is(err, rundir.ErrRunExists), errors.Is(err, rundir.ErrLocked), errors.Is(err, rundir.ErrNotRun):
		return UsageError{err}
	}
	return err
}

// Prepare checks, before a run starts, that its folder (the value of flagName) can be written, its
// data set read and its backend opened.
func Prepare(ctx context.Context, flagName, dir, dataset, dataDir, be string) error {
	if err := Probe(flagName, dir); err != nil {
		return err
	}
	if err := EnsureData(ctx, dataset, dataDir); err != nil {
		return err
	}
	return OpenBackend(be)
}

// StartProfile starts a Go CPU profile into path ("" for none); stop ends it.
func StartProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// OnlyResumeFlags refuses any given flag but --resume and the allowed ones: a resumed run takes its
// settings from dir/settings.json.
func OnlyResumeFlags(given map[string]bool, dir string, allowed ...string) error {
	for name := range given {
		if name != "resume" && !slices.Contains(allowed, name) {
			return Usagef("--resume takes every setting from %s/%s; drop --%s", dir, rundir.SettingsFile, name)
		}
	}
	return nil
}

// RunFolderArg is the one RUN_DIR argument of a command that reads a search run (gaea report, gaea
// rank), checked before anything is opened: a missing folder, a file, a folder without a run or another
// kind of run is a usage error naming what dir is. training and sweep are the command's words for a
// training run folder and a sweep folder; sweep "" accepts a sweep folder.
func RunFolderArg(fs *flag.FlagSet, args []string, training, sweep string) (string, error) {
	pos, err := Interspersed(fs, args)
	if err != nil {
		return "", err
	}
	if len(pos) != 1 {
		return "", Usagef("want one run folder, got %d arguments", len(pos))
	}
	dir := pos[0]
	if dir == "" {
		return "", Usagef("empty folder name (an unset shell variable?)")
	}
	switch rundir.KindOf(dir) {
	case rundir.Missing:
		return "", Usagef("%s: no such folder", text.Abbrev(dir))
	case rundir.File:
		return "", Usagef("%s: a file, not a run folder", dir)
	case rundir.Folder:
		return "", Usagef("%s: %v (no %s)", dir, rundir.ErrNotRun, rundir.SettingsFile)
	case rundir.Training:
		return "", Usagef("%s: %s", dir, training)
	case rundir.Sweep:
		if sweep != "" {
			return "", Usagef("%s: %s", dir, sweep)
		}
	case rundir.OtherRun:
		return "", Usagef("%s: its %s describes no search", dir, rundir.SettingsFile)
	}
	return dir, nil
}
