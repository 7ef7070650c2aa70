package experiment

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/gaeanas/gaeanas/gaea"
)

// Space names a search space.
type Space string

// The search spaces.
const (
	NB201 Space = "nb201" // NAS-Bench-201 cells (package spaces/nb201)
	DARTS Space = "darts" // the DARTS CNN space (package spaces/darts)
	Tiny  Space = "tiny"  // the teaching space (package spaces/tiny)
)

// Spaces lists the search spaces.
func Spaces() []Space { return []Space{NB201, DARTS, Tiny} }

// Algo names a search algorithm: a geometry for the architecture parameters plus how the supernet mixes
// its ops.
type Algo string

// The algorithms.
const (
	GAEADARTS   Algo = "gaea-darts"   // θ on the simplex, exponentiated gradient, weighted sum of all ops
	DARTSV1     Algo = "darts"        // softmax(α), Adam, first-order gradient (DARTS-V1)
	DARTSV2     Algo = "darts-v2"     // softmax(α), Adam, second-order (unrolled) gradient (DARTS-V2)
	EuclidDARTS Algo = "euclid-darts" // θ on the simplex, gradient step then Euclidean projection (ablation)
	GAEAGDAS    Algo = "gaea-gdas"    // θ on the simplex, EG, straight-through Gumbel sample (GDAS)
	GDAS        Algo = "gdas"         // softmax(α), Adam, straight-through Gumbel sample
	GAEAPCDARTS Algo = "gaea-pcdarts" // θ and β on the simplex, EG, partial channels
	PCDARTS     Algo = "pcdarts"      // softmax(α), softmax(β), Adam, partial channels
	RSWS        Algo = "rsws"         // random search with weight sharing: uniform single paths, no θ step
)

// Algos lists the algorithms.
func Algos() []Algo {
	return []Algo{GAEADARTS, DARTSV1, DARTSV2, EuclidDARTS, GAEAGDAS, GDAS, GAEAPCDARTS, PCDARTS, RSWS}
}

// gaea reports whether the algorithm is one of GAEA's (the entropic geometry).
func (a Algo) gaea() bool { return strings.HasPrefix(string(a), "gaea-") }

// partialChannels reports whether the algorithm is a PC-DARTS variant.
func (a Algo) partialChannels() bool { return strings.HasSuffix(string(a), "pcdarts") }

// gdas reports whether the algorithm samples one op per edge with a straight-through Gumbel estimator.
func (a Algo) gdas() bool { return a == GDAS || a == GAEAGDAS }

// ArchOptimizer is the geometry's name for the architecture update, as settings.json writes it.
func (a Algo) ArchOptimizer() string {
	switch a {
	case GAEADARTS, GAEAGDAS, GAEAPCDARTS:
		return "exponentiated-gradient"
	case EuclidDARTS:
		return "projected-gradient"
	case RSWS:
		return "none"
	}
	return "adam"
}

// Level says which data the architecture block draws from (gaea.Level).
type Level = gaea.Level

// The levels.
const (
	SingleLevel = gaea.SingleLevel // ERM: both blocks draw from the training data
	BiLevel     = gaea.BiLevel     // the architecture block draws from a held-out split
)

// Preset names a table of default settings.
type Preset string

// The presets.
const (
	Quick Preset = "quick" // minutes on a CPU: a small supernet on a small sample, same code path
	Paper Preset = "paper" // the reference protocol of each (space, algorithm)
)

// Settings is everything that determines a search. It is written as settings.json in the run folder
// (the keys below), `gaea presets --json` prints it, and Resume reads it back.
type Settings struct {
	Space   Space  `json:"space"`
	Algo    Algo   `json:"algo"`
	Preset  Preset `json:"preset"`
	Dataset string `json:"dataset"`
	DataDir string `json:"data_dir,omitempty"`
	Level   Level  `json:"level"`

	Epochs   int  `json:"epochs"`    // epochs run
	Batch    int  `json:"batch"`     // images per batch, both blocks
	Channels int  `json:"channels"`  // supernet width C
	Cells    int  `json:"cells"`     // NB201/tiny: cells per stage N; DARTS: layers
	WithNone bool `json:"with_none"` // the `none` (zero) op is a candidate

	WeightLR       float64 `json:"weight_lr"`       // cosine schedule from WeightLR …
	WeightLRMin    float64 `json:"weight_lr_min"`   // … to WeightLRMin, reached after ScheduleEpochs
	ScheduleEpochs int     `json:"schedule_epochs"` // the cosine's span (≥ Epochs; GAEA on NB201 stops half-way)
	Momentum       float64 `json:"momentum"`
	Nesterov       bool    `json:"nesterov"`
	WeightDecay    float64 `json:"weight_decay"`
	GradClip       float64 `json:"grad_clip"` // global-norm clip of the weight gradients (0 = off)

	ArchLR          float64 `json:"arch_lr"`
	ArchOptimizer   string  `json:"arch_optimizer"`   // exponentiated-gradient, adam, projected-gradient, none
	EntropyReg      float64 `json:"entropy_reg"`      // λ of λ·KL(θ‖uniform) (0 = off)
	SecondOrder     bool    `json:"second_order"`     // DARTS's unrolled architecture gradient
	EdgeWeights     bool    `json:"edge_weights"`     // learned β per node (PC-DARTS edge normalisation)
	PartialChannels int     `json:"partial_channels"` // PC-DARTS K (0 = all channels)
	WarmupEpochs    int     `json:"warmup_epochs"`    // epochs of weight steps only, at the start
	TauMax          float64 `json:"tau_max"`          // GDAS temperature at the first epoch …
	TauMin          float64 `json:"tau_min"`          // … and at the last (linear per epoch)
	WeightsFirst    bool    `json:"weights_first"`    // each iteration: weight step, then architecture step
	AugmentArch     bool    `json:"augment_arch"`     // the architecture batches get the training augmentation too
	Candidates      int     `json:"candidates"`       // RS-WS: random architectures scored at the end …
	ValidBatch      int     `json:"valid_batch"`      // … one batch of this size each, from the held-out split
	ScheduleOffset  int     `json:"schedule_offset"`  // epoch e uses the cosine's value at e+offset (1: scheduler stepped first)

	TrainImages int `json:"train_images"` // images the weight block draws from
	ValidImages int `json:"valid_images"` // images the architecture block draws from (0: the training images)
	Subset      int `json:"subset"`       // use only the first Subset images of each split (0 = all)

	Seed            int64 `json:"seed"`
	CheckpointEvery int   `json:"checkpoint_every"` // iterations between checkpoints (0: every 2 minutes of wall time)

	// Sources says where each value comes from: a reference configuration file and key, a paper, or
	// "command line" for a value given by the user.
	Sources map[string]string `json:"sources"`
}

// UnmarshalJSON reads settings.json; keys that a file written by an earlier version lacks take the
// value that version used (augment_arch: true).
func (s *Settings) UnmarshalJSON(b []byte) error {
	type plain Settings
	p := plain{AugmentArch: true}
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*s = Settings(p)
	return nil
}

// Keys are the settings.json keys of the values a preset sets, in a stable order.
func Keys() []string {
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// field gives access to one value of Settings by its JSON key.
type field struct {
	get func(*Settings) any
	set func(*Settings, any) error
}

func intField(p func(*Settings) *int) field {
	return field{func(s *Settings) any { return *p(s) }, func(s *Settings, v any) error {
		switch x := v.(type) {
		case int:
			*p(s) = x
		case float64:
			if x != math.Trunc(x) {
				return fmt.Errorf("want an integer, got %v", x)
			}
			*p(s) = int(x)
		default:
			return fmt.Errorf("want an integer, got %T", v)
		}
		return nil
	}}
}

func floatField(p func(*Settings) *float64) field {
	return field{func(s *Settings) any { return *p(s) }, func(s *Settings, v any) error {
		switch x := v.(type) {
		case float64:
			*p(s) = x
		case int:
			*p(s) = float64(x)
		default:
			return fmt.Errorf("want a number, got %T", v)
		}
		return nil
	}}
}

func boolField(p func(*Settings) *bool) field {
	return field{func(s *Settings) any { return *p(s) }, func(s *Settings, v any) error {
		b, ok := v.(bool)
		if !ok {
			return fmt.Errorf("want true or false, got %T", v)
		}
		*p(s) = b
		return nil
	}}
}

func stringField(p func(*Settings) *string) field {
	return field{func(s *Settings) any { return *p(s) }, func(s *Settings, v any) error {
		x, ok := v.(string)
		if !ok {
			return fmt.Errorf("want a string, got %T", v)
		}
		*p(s) = x
		return nil
	}}
}

// fields are the values presets set, by JSON key.
var fields = map[string]field{
	"dataset":          stringField(func(s *Settings) *string { return &s.Dataset }),
	"level":            stringField(func(s *Settings) *string { return (*string)(&s.Level) }),
	"epochs":           intField(func(s *Settings) *int { return &s.Epochs }),
	"batch":            intField(func(s *Settings) *int { return &s.Batch }),
	"channels":         intField(func(s *Settings) *int { return &s.Channels }),
	"cells":            intField(func(s *Settings) *int { return &s.Cells }),
	"with_none":        boolField(func(s *Settings) *bool { return &s.WithNone }),
	"weight_lr":        floatField(func(s *Settings) *float64 { return &s.WeightLR }),
	"weight_lr_min":    floatField(func(s *Settings) *float64 { return &s.WeightLRMin }),
	"schedule_epochs":  intField(func(s *Settings) *int { return &s.ScheduleEpochs }),
	"momentum":         floatField(func(s *Settings) *float64 { return &s.Momentum }),
	"nesterov":         boolField(func(s *Settings) *bool { return &s.Nesterov }),
	"weight_decay":     floatField(func(s *Settings) *float64 { return &s.WeightDecay }),
	"grad_clip":        floatField(func(s *Settings) *float64 { return &s.GradClip }),
	"arch_lr":          floatField(func(s *Settings) *float64 { return &s.ArchLR }),
	"arch_optimizer":   stringField(func(s *Settings) *string { return &s.ArchOptimizer }),
	"entropy_reg":      floatField(func(s *Settings) *float64 { return &s.EntropyReg }),
	"second_order":     boolField(func(s *Settings) *bool { return &s.SecondOrder }),
	"edge_weights":     boolField(func(s *Settings) *bool { return &s.EdgeWeights }),
	"partial_channels": intField(func(s *Settings) *int { return &s.PartialChannels }),
	"warmup_epochs":    intField(func(s *Settings) *int { return &s.WarmupEpochs }),
	"tau_max":          floatField(func(s *Settings) *float64 { return &s.TauMax }),
	"tau_min":          floatField(func(s *Settings) *float64 { return &s.TauMin }),
	"weights_first":    boolField(func(s *Settings) *bool { return &s.WeightsFirst }),
	"augment_arch":     boolField(func(s *Settings) *bool { return &s.AugmentArch }),
	"candidates":       intField(func(s *Settings) *int { return &s.Candidates }),
	"valid_batch":      intField(func(s *Settings) *int { return &s.ValidBatch }),
	"schedule_offset":  intField(func(s *Settings) *int { return &s.ScheduleOffset }),
	"subset":           intField(func(s *Settings) *int { return &s.Subset }),
	"train_images":     intField(func(s *Settings) *int { return &s.TrainImages }),
	"valid_images":     intField(func(s *Settings) *int { return &s.ValidImages }),
}

// Get returns the value of a settings key (as in settings.json).
func (s *Settings) Get(key string) (any, error) {
	f, ok := fields[key]
	if !ok {
		return nil, fmt.Errorf("experiment: unknown setting %q", key)
	}
	return f.get(s), nil
}

// Set sets a value by its settings key and records its source.
func (s *Settings) Set(key string, v any, source string) error {
	f, ok := fields[key]
	if !ok {
		return fmt.Errorf("experiment: unknown setting %q", key)
	}
	if err := f.set(s, v); err != nil {
		return fmt.Errorf("experiment: %s: %w", key, err)
	}
	if s.Sources == nil {
		s.Sources = map[string]string{}
	}
	s.Sources[key] = source
	return nil
}

// Validate checks that the settings describe a search this package can run; the error names the
// setting (with its command-line flag's spelling) and the value.
func (s *Settings) Validate() error {
	if !contains(Spaces(), s.Space) {
		return fmt.Errorf("space %q: want one of %s", s.Space, joinNames(Spaces()))
	}
	if !contains(Algos(), s.Algo) {
		return fmt.Errorf("algo %q: want one of %s", s.Algo, joinNames(Algos()))
	}
	if s.Algo.partialChannels() && s.Space != DARTS {
		return fmt.Errorf("algo %s needs the darts space (partial channels, edge weights β), not %s", s.Algo, s.Space)
	}
	if s.Algo == RSWS && s.Space == DARTS {
		return fmt.Errorf("algo rsws samples one op per edge; use it with the nb201 or tiny space")
	}
	if s.EdgeWeights && s.Space != DARTS {
		return fmt.Errorf("edge weights (β) exist in the darts space only, not %s", s.Space)
	}
	if s.Preset != Quick && s.Preset != Paper {
		return fmt.Errorf("preset %q: want quick or paper", s.Preset)
	}
	if s.Level != SingleLevel && s.Level != BiLevel {
		return fmt.Errorf("level %q: want single or bi", s.Level)
	}
	if s.SecondOrder && (s.Algo.gdas() || s.Algo == RSWS) {
		return fmt.Errorf("the second-order gradient needs a weighted sum of ops, not %s", s.Algo)
	}
	if !knownDataset(s.Dataset) {
		return fmt.Errorf("dataset %q: want one of %s, or imagenet16-N", s.Dataset, strings.Join(DatasetNames(), ", "))
	}
	for _, c := range []struct {
		name string
		v    int
		min  int
		max  int
	}{
		{"epochs", s.Epochs, 1, 100_000},
		{"batch", s.Batch, 1, 1 << 16},
		{"channels", s.Channels, 1, 4096},
		{"cells", s.Cells, 1, 1000},
		{"schedule-epochs", s.ScheduleEpochs, 1, 100_000},
		{"warmup-epochs", s.WarmupEpochs, 0, 100_000},
		{"partial-channels", s.PartialChannels, 0, 64},
		{"subset", s.Subset, 0, 1 << 30},
		{"checkpoint-every", s.CheckpointEvery, 0, 1 << 30},
		{"candidates", s.Candidates, 0, 1 << 20},
		{"valid-batch", s.ValidBatch, 0, 1 << 16},
		{"schedule-offset", s.ScheduleOffset, 0, 1},
	} {
		if c.v < c.min || c.v > c.max {
			return fmt.Errorf("%s must be in [%d, %d], got %d", c.name, c.min, c.max, c.v)
		}
	}
	if s.ScheduleEpochs < s.Epochs {
		return fmt.Errorf("schedule-epochs %d is shorter than epochs %d (the cosine would run past its end)", s.ScheduleEpochs, s.Epochs)
	}
	if s.WarmupEpochs >= s.Epochs && s.Algo != RSWS {
		return fmt.Errorf("warmup-epochs %d leaves no architecture step in %d epochs", s.WarmupEpochs, s.Epochs)
	}
	if s.Space == DARTS && s.Cells < 3 {
		return fmt.Errorf("cells (layers) %d: the darts space needs at least 3 (two reduction cells)", s.Cells)
	}
	if s.PartialChannels > 1 && s.Channels%s.PartialChannels != 0 {
		return fmt.Errorf("channels %d is not divisible by partial-channels %d", s.Channels, s.PartialChannels)
	}
	for _, c := range []struct {
		name     string
		v        float64
		positive bool
	}{
		{"weight-lr", s.WeightLR, true},
		{"weight-lr-min", s.WeightLRMin, false},
		{"momentum", s.Momentum, false},
		{"weight-decay", s.WeightDecay, false},
		{"grad-clip", s.GradClip, false},
		{"arch-lr", s.ArchLR, s.Algo != RSWS},
		{"entropy-reg", s.EntropyReg, false},
		{"tau-max", s.TauMax, false},
		{"tau-min", s.TauMin, false},
	} {
		if math.IsNaN(c.v) || math.IsInf(c.v, 0) || c.v < 0 || (c.positive && c.v == 0) {
			word := "a number ≥ 0"
			if c.positive {
				word = "a positive number"
			}
			return fmt.Errorf("%s must be %s, got %v", c.name, word, c.v)
		}
	}
	if s.WeightLRMin > s.WeightLR {
		return fmt.Errorf("weight-lr-min %v is above weight-lr %v", s.WeightLRMin, s.WeightLR)
	}
	if s.Momentum >= 1 {
		return fmt.Errorf("momentum must be below 1, got %v", s.Momentum)
	}
	if s.Algo.gdas() && !(s.TauMax >= s.TauMin && s.TauMin > 0) {
		return fmt.Errorf("GDAS needs tau-max ≥ tau-min > 0, got %v and %v", s.TauMax, s.TauMin)
	}
	return nil
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func joinNames[T ~string](list []T) string {
	s := make([]string, len(list))
	for i, v := range list {
		s[i] = string(v)
	}
	return strings.Join(s, ", ")
}
