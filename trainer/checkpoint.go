package trainer

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/gaeanas/gaeanas/internal/ckpt"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/ml/context/checkpoints"
)

// Checkpoint folders are dir/checkpoint-<sequence number, 8 digits>; the state file inside is StateFile.
const (
	checkpointPrefix = "checkpoint-"
	// StateFile is the caller's JSON state inside a checkpoint folder.
	StateFile = "state.json"
)

type savedState struct {
	Steps int64           `json:"steps"`
	State json.RawMessage `json:"state"`
}

// Save writes a checkpoint to dir: every variable of the context (files named after the step count),
// state (marshalled to JSON) and a manifest with the SHA-256 of every file. It is written to a
// temporary folder that is then renamed to dir/checkpoint-<n> (n one more than the newest
// checkpoint's), and only after that are older checkpoints removed, all but the previous one: a
// process killed at any moment leaves the previous checkpoint or the new one complete, and Restore
// falls back to the previous one when the newest turns out corrupt.
func (t *Trainer) Save(dir string, state any) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	raw, err := json.Marshal(state)
	if err != nil {
		return fmt.Errorf("trainer: checkpoint state: %w", err)
	}
	tmp, err := os.MkdirTemp(dir, ".saving-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	h, err := checkpoints.Build(t.ctx).Dir(tmp).Keep(1).Done()
	if err != nil {
		return err
	}
	if err := ckpt.SetStep(t.ctx, t.steps); err != nil {
		return err
	}
	if err := h.Save(); err != nil {
		return fmt.Errorf("trainer: save variables: %w", err)
	}
	data, err := json.Marshal(savedState{Steps: t.steps, State: raw})
	if err != nil {
		return err
	}
	if err := ckpt.WriteFileSync(filepath.Join(tmp, StateFile), data); err != nil {
		return err
	}
	if err := ckpt.WriteManifest(tmp); err != nil {
		return err
	}
	// Each save gets a new, higher sequence number (a folder is never replaced in place: the same
	// step can be saved twice, e.g. mid-epoch and again after the epoch's evaluation).
	list, err := listCheckpoints(dir)
	if err != nil {
		return err
	}
	seq := int64(1)
	if n := len(list); n > 0 {
		seq = checkpointSeq(list[n-1]) + 1
	}
	final := filepath.Join(dir, fmt.Sprintf("%s%08d", checkpointPrefix, seq))
	if err := os.Rename(tmp, final); err != nil {
		return err
	}
	for i, c := range list {
		if c != final && i < len(list)-1 { // keep the previous checkpoint
			if err := os.RemoveAll(c); err != nil {
				return err
			}
		}
	}
	return nil
}

// listCheckpoints returns the complete checkpoint folders of dir, oldest first.
func listCheckpoints(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	type ck struct {
		path string
		seq  int64
	}
	var cks []ck
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || !strings.HasPrefix(name, checkpointPrefix) {
			continue
		}
		seq := checkpointSeq(name)
		if seq < 0 {
			continue
		}
		cks = append(cks, ck{filepath.Join(dir, name), seq})
	}
	sort.Slice(cks, func(i, j int) bool { return cks[i].seq < cks[j].seq })
	paths := make([]string, len(cks))
	for i, c := range cks {
		paths[i] = c.path
	}
	return paths, nil
}

// checkpointSeq is the sequence number of a checkpoint folder (path or name), or -1.
func checkpointSeq(path string) int64 {
	seq, err := strconv.ParseInt(strings.TrimPrefix(filepath.Base(path), checkpointPrefix), 10, 64)
	if err != nil || seq < 0 {
		return -1
	}
	return seq
}

// LatestCheckpoint returns the newest checkpoint folder in dir, or an error wrapping fs.ErrNotExist.
func LatestCheckpoint(dir string) (string, error) {
	list, err := listCheckpoints(dir)
	if err != nil {
		return "", err
	}
	if len(list) == 0 {
		return "", fmt.Errorf("trainer: no checkpoint in %s: %w", dir, fs.ErrNotExist)
	}
	return list[len(list)-1], nil
}

// Restore creates a Trainer with cfg and loads the newest checkpoint of dir into it (all variables and
// the step count), unmarshalling the saved state into state. Continuing it reproduces the run that
// was saved. Leftovers of an interrupted Save are removed. A checkpoint whose files do not match its
// manifest (truncated, corrupted) is skipped for the previous one, with one line on stderr; when
// none is usable the error names the bad file.
func Restore(be backends.Backend, cfg Config, dir string, state any) (*Trainer, error) {
	if tmps, _ := filepath.Glob(filepath.Join(dir, ".saving-*")); len(tmps) > 0 {
		for _, p := range tmps {
			_ = os.RemoveAll(p)
		}
	}
	list, err := listCheckpoints(dir)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("trainer: no checkpoint in %s: %w", dir, fs.ErrNotExist)
	}
	var (
		path     string
		saved    savedState
		firstErr error
	)
	for i := len(list) - 1; i >= 0 && path == ""; i-- {
		err := ckpt.Verify(list[i])
		if err == nil {
			var raw []byte
			if raw, err = os.ReadFile(filepath.Join(list[i], StateFile)); err == nil {
				if err = json.Unmarshal(raw, &saved); err != nil {
					err = fmt.Errorf("%s: %w", filepath.Join(list[i], StateFile), err)
				}
			}
		}
		if err == nil {
			path = list[i]
		} else if firstErr == nil {
			firstErr = err
		}
	}
	if path == "" {
		return nil, fmt.Errorf("trainer: restore: no usable checkpoint in %s: %v", dir, firstErr)
	}
	if firstErr != nil {
		fmt.Fprintf(os.Stderr, "trainer: newest checkpoint is unusable (%v); resuming from %s\n", firstErr, path)
	}
	if state != nil {
		if err := json.Unmarshal(saved.State, state); err != nil {
			return nil, fmt.Errorf("trainer: restore %s: state: %w", path, err)
		}
	}
	t, err := New(be, cfg)
	if err != nil {
		return nil, err
	}
	if _, err := checkpoints.Build(t.ctx).Dir(path).Immediate().Done(); err != nil {
		return nil, fmt.Errorf("trainer: restore variables from %s: %w", path, err)
	}
	t.steps = saved.Steps
	if t.steps < 0 {
		return nil, errors.New("trainer: restore: negative step count")
	}
	return t, nil
}
