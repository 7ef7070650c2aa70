package ckpt

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/checkpoints"
)

// The one checkpoint scheme of gaeanas, for the search (package gaea) and the from-scratch training
// (package trainer): a checkpoint is a folder holding every variable of a context (GoMLX's checkpoints
// format, files named after the step), the caller's state file and a manifest with the SHA-256 of every
// file. Write builds it in a temporary folder, syncs every file and the folder, then renames it to
// dir/Newest, keeping the one before as dir/Previous; a process killed at any moment leaves one of them
// complete. Latest picks the newest that matches its manifest, falling back to the previous one.
const (
	Newest   = "checkpoint"
	Previous = "checkpoint.prev"
	// savingPrefix names the temporary folder of a Write in progress.
	savingPrefix = ".saving-"
)

// legacy are the folders earlier layouts left: the search's .old-checkpoint and the trainer's
// checkpoint-<8 digits>. Latest still reads them (newest first, after Newest and Previous); Write
// removes them once it has written its own.
func legacy(dir string) []string {
	var out []string
	if p := filepath.Join(dir, ".old-checkpoint"); isDir(p) {
		out = append(out, p)
	}
	entries, _ := os.ReadDir(dir)
	type seqPath struct {
		seq  int64
		path string
	}
	var seqs []seqPath
	for _, e := range entries {
		n, ok := strings.CutPrefix(e.Name(), "checkpoint-")
		if !ok || !e.IsDir() {
			continue
		}
		if seq, err := strconv.ParseInt(n, 10, 64); err == nil && seq >= 0 {
			seqs = append(seqs, seqPath{seq, filepath.Join(dir, e.Name())})
		}
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i].seq > seqs[j].seq })
	for _, s := range seqs {
		out = append(out, s.path)
	}
	return out
}

// Write saves a checkpoint of ctx's variables (named after step) and the state file stateFile with
// contents state into dir (see the scheme above).
func Write(dir string, ctx *context.Context, step int64, stateFile string, state []byte) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(dir, savingPrefix)
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	h, err := checkpoints.Build(ctx).Dir(tmp).Keep(1).Done()
	if err != nil {
		return err
	}
	if err := SetStep(ctx, step); err != nil {
		return err
	}
	if err := h.Save(); err != nil {
		return fmt.Errorf("save variables: %w", err)
	}
	if err := WriteFileSync(filepath.Join(tmp, stateFile), state); err != nil {
		return err
	}
	if err := WriteManifest(tmp); err != nil {
		return err
	}
	if err := syncAll(tmp); err != nil {
		return err
	}
	newest, prev := filepath.Join(dir, Newest), filepath.Join(dir, Previous)
	if isDir(newest) {
		if err := os.RemoveAll(prev); err != nil {
			return err
		}
		if err := os.Rename(newest, prev); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp, newest); err != nil {
		return err
	}
	if err := syncDir(dir); err != nil {
		return err
	}
	for _, p := range legacy(dir) {
		_ = os.RemoveAll(p)
	}
	return nil
}

// Exists reports whether dir holds a checkpoint (of any layout), usable or not.
func Exists(dir string) bool {
	return isDir(filepath.Join(dir, Newest)) || isDir(filepath.Join(dir, Previous)) || len(legacy(dir)) > 0
}

// Latest returns the newest checkpoint folder of dir whose files match its manifest, with the contents
// of its state file. When a newer one was unusable, warning says why (the caller says so in one line).
// Without any checkpoint the error wraps fs.ErrNotExist; when none is usable it names the bad file.
// Leftovers of an interrupted Write are removed.
func Latest(dir, stateFile string) (path string, state []byte, warning, err error) {
	if tmps, _ := filepath.Glob(filepath.Join(dir, savingPrefix+"*")); len(tmps) > 0 {
		for _, p := range tmps {
			_ = os.RemoveAll(p)
		}
	}
	var candidates []string
	for _, name := range []string{Newest, Previous} {
		if p := filepath.Join(dir, name); isDir(p) {
			candidates = append(candidates, p)
		}
	}
	candidates = append(candidates, legacy(dir)...)
	if len(candidates) == 0 {
		return "", nil, nil, fmt.Errorf("no checkpoint in %s: %w", dir, fs.ErrNotExist)
	}
	var firstErr error
	for _, p := range candidates {
		err := Verify(p)
		if err == nil {
			if state, err = os.ReadFile(filepath.Join(p, stateFile)); err == nil {
				if firstErr != nil {
					warning = fmt.Errorf("newest checkpoint is unusable (%v); resuming from %s", firstErr, p)
				}
				return p, state, warning, nil
			}
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return "", nil, nil, fmt.Errorf("no usable checkpoint in %s: %v", dir, firstErr)
}

// Load reads the variables of the checkpoint folder path into ctx.
func Load(ctx *context.Context, path string) error {
	if _, err := checkpoints.Build(ctx).Dir(path).Immediate().Done(); err != nil {
		return fmt.Errorf("restore variables from %s: %w", path, err)
	}
	return nil
}

// syncAll syncs every regular file of dir and dir itself.
func syncAll(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return err
		}
	}
	return syncDir(dir)
}

// syncDir syncs a folder's entries (a rename in it) to disk; file systems that cannot sync a folder
// are let be.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	return nil
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}
