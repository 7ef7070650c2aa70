package main

// Checks every command makes before its work starts, so that a bad command line is refused (exit 2)
// and a missing data set or backend reported (exit 1) before anything is written.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/data"
	"github.com/gaeanas/gaeanas/experiment"
	"github.com/gaeanas/gaeanas/internal/text"
	"github.com/gaeanas/gaeanas/sweep"
)

// folderKind is what a path named on the command line holds.
type folderKind int

const (
	kindMissing  folderKind = iota // nothing there
	kindFile                       // a file, not a folder
	kindFolder                     // a folder without a run or a sweep
	kindSearch                     // a search run folder (settings.json of a search)
	kindTrain                      // a training run folder (settings.json of a training)
	kindSweep                      // a sweep folder (sweep.json)
	kindOtherRun                   // a settings.json that describes neither
)

// kindOf says what path holds, from its settings.json or sweep.json (without reading anything else).
func kindOf(path string) folderKind {
	fi, err := os.Stat(path)
	switch {
	case err != nil:
		return kindMissing
	case !fi.IsDir():
		return kindFile
	}
	if _, err := os.Stat(filepath.Join(path, sweep.SpecFile)); err == nil {
		return kindSweep
	}
	raw, err := os.ReadFile(filepath.Join(path, experiment.SettingsFile))
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return kindFolder
		}
		return kindOtherRun
	}
	var keys map[string]json.RawMessage
	if json.Unmarshal(raw, &keys) != nil {
		return kindOtherRun
	}
	_, algo := keys["algo"]
	_, genotype := keys["genotype"]
	switch {
	case algo && !genotype:
		return kindSearch
	case genotype && !algo:
		return kindTrain
	}
	return kindOtherRun
}

// resumeFolder checks that dir, the value of --resume, holds a run of the kind the command (search or
// train) continues; the error says what dir is instead and which command opens it.
func resumeFolder(dir string, want folderKind) error {
	switch kindOf(dir) {
	case want:
		return nil
	case kindMissing:
		return usagef("--resume %s: no such folder", dir)
	case kindFile:
		return usagef("--resume %s: a file, not a run folder", dir)
	case kindFolder:
		return usagef("--resume %s: not a run folder (no %s)", dir, experiment.SettingsFile)
	case kindSearch:
		return usagef("--resume %s: a search run folder, not a training run; continue it with gaea search --resume %s", dir, dir)
	case kindTrain:
		return usagef("--resume %s: a training run folder, not a search run; continue it with gaea train --resume %s", dir, dir)
	case kindSweep:
		return usagef("--resume %s: a sweep folder; continue it with gaea sweep --out %s", dir, dir)
	}
	return usagef("--resume %s: its %s describes neither a search nor a training run", dir, experiment.SettingsFile)
}

// newRunFolder checks that dir, the value of --out of a new search or training, can take the run: it
// does not exist yet (and the nearest existing folder above it is a folder), or it is a folder without
// a run.
func newRunFolder(dir string) error {
	if dir == "" {
		return nil // runs/<timestamp>-…
	}
	switch kindOf(dir) {
	case kindMissing:
		return parentIsFolder("--out", dir)
	case kindFile:
		return usagef("--out %s: a file, not a folder", dir)
	case kindFolder:
		return nil
	case kindSearch:
		return usagef("--out %s: %v (a search; continue it with gaea search --resume %s, or choose another folder)", dir, experiment.ErrRunExists, dir)
	case kindTrain:
		return usagef("--out %s: %v (a training; continue it with gaea train --resume %s, or choose another folder)", dir, experiment.ErrRunExists, dir)
	case kindSweep:
		return usagef("--out %s: a sweep folder; choose another folder for a run", dir)
	}
	return usagef("--out %s: %v (choose another folder)", dir, experiment.ErrRunExists)
}

// sweepFolder checks that dir, the value of gaea sweep's --out, is a sweep folder, a folder without a
// run, or does not exist yet.
func sweepFolder(dir string) error {
	switch kindOf(dir) {
	case kindMissing:
		return parentIsFolder("--out", dir)
	case kindFile:
		return usagef("--out %s: a file, not a folder", dir)
	case kindSearch:
		return usagef("--out %s: a search run folder, not a sweep (gaea search --resume %s continues it)", dir, dir)
	case kindTrain:
		return usagef("--out %s: a training run folder, not a sweep (gaea train --resume %s continues it)", dir, dir)
	case kindOtherRun:
		return usagef("--out %s: holds a run, not a sweep", dir)
	}
	return nil
}

// parentIsFolder checks that the nearest existing path above dir is a folder (so that it can be made).
func parentIsFolder(flagName, dir string) error {
	for p := filepath.Dir(filepath.Clean(dir)); ; p = filepath.Dir(p) {
		if fi, err := os.Stat(p); err == nil {
			if !fi.IsDir() {
				return usagef("%s %s: %s is a file, not a folder", flagName, dir, p)
			}
			return nil
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

// probeFolder checks that the folder dir can be made and written, before anything else is done: it
// makes the missing part of the path and removes it again (an existing folder is checked with
// access(2)), so that a read-only place is a failure (exit 1) reported in one line before the backend
// or the data are opened, and nothing is left behind.
func probeFolder(flagName, dir string) error {
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

// checkBackendFlag checks the form of a --backend value (go, xla, xla:cuda, …): exit 2 for another.
func checkBackendFlag(be string) error {
	if be == "" {
		return nil
	}
	if err := backend.CheckName(be); err != nil {
		return usagef("--backend %q: unknown backend; want go, xla, xla:cuda, xla:cpu or xla:/path/to/pjrt_plugin.so", text.Abbrev(be))
	}
	return nil
}

// openBackend sets $GOMLX_BACKEND from --backend (when given) and creates the backend, so that a
// backend that cannot be had stops the command before it writes anything: exit 2 for an unknown
// name, 1 for one not available here (no PJRT plugin, a build without XLA), in one line naming the
// flag or the environment variable it came from.
func openBackend(be string) error {
	if err := checkBackendFlag(be); err != nil {
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
		return usagef("%s: %s", where, ce.Reason)
	}
	return fmt.Errorf("%s: %s", where, ce.Reason)
}

// ensureData makes sure the data set can be read (downloading it if needed) before a run folder is
// made: exit 2 for an unknown name, 1 for a data set that is not there and cannot be downloaded.
func ensureData(ctx context.Context, name, dir string) error {
	err := data.Ensure(ctx, name, data.Options{Dir: dir, Progress: os.Stderr})
	if errors.Is(err, data.ErrUnknown) {
		return usageError{err}
	}
	return err
}
