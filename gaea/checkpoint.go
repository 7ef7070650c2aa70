package gaea

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/gaeanas/gaeanas/internal/ckpt"
	"github.com/gomlx/gomlx/backends"
)

// searchState is what Save writes besides the variables (which hold θ, β, the weights, the optimizers'
// state and the hyperparameters: the learning rates, the λs).
type searchState struct {
	Step      int             `json:"step"`
	Iteration int             `json:"iteration"`
	Ran       []string        `json:"ran"` // the blocks that ran in the current iteration
	History   []Record        `json:"history"`
	LastGrad  [][]float64     `json:"last_grad"`
	Batches   json.RawMessage `json:"batches"`
	// What the search was made with, checked on restore (absent in checkpoints written before).
	Space        string   `json:"space,omitempty"`
	Geometry     string   `json:"geometry,omitempty"`
	Regularizers []string `json:"regularizers,omitempty"`
	// LegacyArchLR is the architecture learning rate of checkpoints written before the variable LRVar
	// was its only home; restored into that variable.
	LegacyArchLR *float64 `json:"arch_lr,omitempty"`
}

// regularizerNames returns the names of the configuration's regularisers, in order.
func (c Config) regularizerNames() []string {
	var names []string
	for _, r := range c.Regularizers {
		names = append(names, r.Name())
	}
	return names
}

// Save writes the whole search state to dir/checkpoint in gaeanas' one checkpoint scheme (internal/ckpt):
// every variable of the context (weights, θ, optimizer state; the files are named after the block
// step), search.json (counters, history, data position) and MANIFEST.sha256 (the SHA-256 of every file),
// every file and the folder synced before the folder is renamed into place; the previous checkpoint is
// kept as dir/checkpoint.prev, so that a checkpoint found corrupt on restore falls back to the one
// before it.
func (s *Search) Save(dir string) error {
	bs, err := s.batches.State()
	if err != nil {
		return err
	}
	ran := []string{}
	for _, b := range []Block{ArchBlock, WeightBlock} {
		if s.ran[b] {
			ran = append(ran, b.String())
		}
	}
	st := searchState{Step: s.step, Iteration: s.iteration, Ran: ran, History: s.history, LastGrad: s.lastGrad,
		Batches: bs, Space: s.cfg.Space.Name(), Geometry: s.cfg.Geometry.Name(), Regularizers: s.cfg.regularizerNames()}
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	if err := ckpt.Write(dir, s.ctx, int64(s.step), searchFile, data); err != nil {
		return fmt.Errorf("gaea: checkpoint: %w", err)
	}
	return nil
}

// searchFile is the search's state file in a checkpoint folder.
const searchFile = "search.json"

// RestoreSearch recreates a search saved with Save in dir, with the same configuration and a batch
// source positioned anywhere (it is moved to the saved position). Continuing it gives the same results,
// bit for bit on the same backend, as the search that was saved: the hyperparameters (learning rates,
// λs) are those saved, SetArchLR and SetLambda included. A checkpoint made with another space, geometry
// or list of regularisers (by name) is refused.
//
// The newest complete checkpoint whose files match its manifest is used: dir/checkpoint, else
// dir/checkpoint.prev (a Save killed between its renames, or a corrupt newest checkpoint: one line
// on stderr says so). When none is usable the error names the bad file.
func RestoreSearch(be backends.Backend, cfg Config, batches Batches, dir string) (*Search, error) {
	final, data, warning, err := ckpt.Latest(dir, searchFile)
	if err != nil {
		return nil, fmt.Errorf("gaea: restore: %w", err)
	}
	if warning != nil {
		fmt.Fprintf(os.Stderr, "gaea: %v\n", warning)
	}
	var st searchState
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("gaea: restore: %s: %w", filepath.Join(final, searchFile), err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if st.Geometry != "" { // checkpoints written before these fields are not checked
		for _, c := range []struct{ what, saved, now string }{
			{"space", st.Space, cfg.Space.Name()},
			{"geometry", st.Geometry, cfg.Geometry.Name()},
			{"regularizers", strings.Join(st.Regularizers, ", "), strings.Join(cfg.regularizerNames(), ", ")},
		} {
			if c.saved != c.now {
				return nil, fmt.Errorf("gaea: restore: the checkpoint in %s was made with %s %q, this configuration has %q", final, c.what, c.saved, c.now)
			}
		}
	}
	s, err := NewSearch(be, cfg, batches)
	if err != nil {
		return nil, err
	}
	if err := ckpt.Load(s.ctx, final); err != nil {
		return nil, fmt.Errorf("gaea: %w", err)
	}
	if err := batches.SetState(st.Batches); err != nil {
		return nil, err
	}
	s.step, s.iteration, s.history, s.lastGrad = st.Step, st.Iteration, st.History, st.LastGrad
	for _, b := range st.Ran {
		switch b {
		case ArchBlock.String():
			s.ran[ArchBlock] = true
		case WeightBlock.String():
			s.ran[WeightBlock] = true
		}
	}
	if st.Ran == nil && st.Iteration > 0 { // written before Ran: always after a whole iteration
		s.ran = [2]bool{true, true}
	}
	if st.LegacyArchLR != nil {
		if err := SetHyperparameter(s.ctx, LRVar, *st.LegacyArchLR); err != nil {
			return nil, err
		}
	}
	if cfg.BetaLR == nil {
		// Checkpoints written before β followed LRVar in the graph hold a variable BetaLRVar that
		// copied it; without Config.BetaLR, β reads LRVar.
		if err := s.ctx.DeleteVariable(s.ctx.In(ArchScope).Scope(), BetaLRVar); err != nil {
			return nil, fmt.Errorf("gaea: restore: %w", err)
		}
	}
	s.weightLR = cfg.WeightLRAt(s.iteration)
	return s, nil
}
