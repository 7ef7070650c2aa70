package trainer

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/gaeanas/gaeanas/internal/ckpt"
	"github.com/gomlx/gomlx/backends"
)

// StateFile is the caller's JSON state inside a checkpoint folder.
const StateFile = "state.json"

type savedState struct {
	Steps int64           `json:"steps"`
	State json.RawMessage `json:"state"`
}

// Save writes a checkpoint to dir in gaeanas' one checkpoint scheme (internal/ckpt): every variable of
// the context (files named after the step count), state (marshalled to JSON) and a manifest with the
// SHA-256 of every file, synced to disk and renamed into place as dir/checkpoint, the one before kept
// as dir/checkpoint.prev.
func (t *Trainer) Save(dir string, state any) error {
	raw, err := json.Marshal(state)
	if err != nil {
		return fmt.Errorf("trainer: checkpoint state: %w", err)
	}
	data, err := json.Marshal(savedState{Steps: t.steps, State: raw})
	if err != nil {
		return err
	}
	if err := ckpt.Write(dir, t.ctx, t.steps, StateFile, data); err != nil {
		return fmt.Errorf("trainer: checkpoint: %w", err)
	}
	return nil
}

// HasCheckpoint reports whether dir holds a checkpoint (of this or an earlier layout).
func HasCheckpoint(dir string) bool { return ckpt.Exists(dir) }

// Restore creates a Trainer with cfg and loads the newest checkpoint of dir into it (all variables and
// the step count), unmarshalling the saved state into state. Continuing it reproduces the run that
// was saved. A checkpoint whose files do not match its manifest (truncated, corrupted) is skipped for
// the previous one, with one line on stderr; when none is usable the error names the bad file.
func Restore(be backends.Backend, cfg Config, dir string, state any) (*Trainer, error) {
	path, raw, warning, err := ckpt.Latest(dir, StateFile)
	if err != nil {
		return nil, fmt.Errorf("trainer: restore: %w", err)
	}
	if warning != nil {
		fmt.Fprintf(os.Stderr, "trainer: %v\n", warning)
	}
	var saved savedState
	if err := json.Unmarshal(raw, &saved); err != nil {
		return nil, fmt.Errorf("trainer: restore %s: %s: %w", path, StateFile, err)
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
	if err := ckpt.Load(t.ctx, path); err != nil {
		return nil, fmt.Errorf("trainer: %w", err)
	}
	t.steps = saved.Steps
	if t.steps < 0 {
		return nil, errors.New("trainer: restore: negative step count")
	}
	return t, nil
}
