package experiment

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/gaeanas/gaeanas/gaea"
	"github.com/gaeanas/gaeanas/setting"
	"github.com/gaeanas/gaeanas/spaces"
)

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

func algoNames() []string {
	var names []string
	for _, a := range Algos() {
		names = append(names, string(a))
	}
	return names
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

// DefaultSpace is the space a search runs on when none is named.
const DefaultSpace = "nb201"

// PresetFor is the preset a search runs with when none is named, and why: paper on a GPU backend,
// quick otherwise.
func PresetFor(backendName string) (Preset, string) {
	if strings.Contains(backendName, "cuda") || strings.Contains(backendName, "gpu") {
		return Paper, "GPU backend " + backendName
	}
	return Quick, "no GPU backend (" + backendName + ")"
}

// Settings is everything that determines a search. It is written as settings.json in the run folder
// (the keys below), `gaea presets --json` prints it, and Resume reads it back. Every key is declared
// once, in Table: its flag, unit, help, validation and where its default comes from.
type Settings struct {
	Space   string `json:"space"` // a registered space (spaces.Lookup)
	Algo    Algo   `json:"algo"`
	Preset  Preset `json:"preset"`
	Dataset string `json:"dataset"`
	DataDir string `json:"data_dir,omitempty"`
	Level   Level  `json:"level"`

	Epochs   int  `json:"epochs"`
	Batch    int  `json:"batch"`
	Channels int  `json:"channels"`
	Cells    int  `json:"cells"`
	WithNone bool `json:"with_none"`

	WeightLR       float64 `json:"weight_lr"`
	WeightLRMin    float64 `json:"weight_lr_min"`
	ScheduleEpochs int     `json:"schedule_epochs"`
	Momentum       float64 `json:"momentum"`
	Nesterov       bool    `json:"nesterov"`
	WeightDecay    float64 `json:"weight_decay"`
	GradClip       float64 `json:"grad_clip"`

	ArchLR          float64 `json:"arch_lr"`
	ArchOptimizer   string  `json:"arch_optimizer"`
	EntropyReg      float64 `json:"entropy_reg"`
	SecondOrder     bool    `json:"second_order"`
	EdgeWeights     bool    `json:"edge_weights"`
	PartialChannels int     `json:"partial_channels"`
	WarmupEpochs    int     `json:"warmup_epochs"`
	TauMax          float64 `json:"tau_max"`
	TauMin          float64 `json:"tau_min"`
	WeightsFirst    bool    `json:"weights_first"`
	AugmentArch     bool    `json:"augment_arch"`
	Candidates      int     `json:"candidates"`
	ValidBatch      int     `json:"valid_batch"`
	ScheduleOffset  int     `json:"schedule_offset"`

	TrainImages int `json:"train_images"`
	ValidImages int `json:"valid_images"`
	Subset      int `json:"subset"`

	Seed            int64 `json:"seed"`
	CheckpointEvery int   `json:"checkpoint_every"`

	// Geometry names a registered geometry (gaea.RegisterGeometry) that replaces the algorithm's; ""
	// keeps the algorithm's. Regularizers are registered regularisers (gaea.RegisterRegularizer) added
	// to the architecture loss beside the entropic one, by name with their λ. Both are written only
	// when set, so the settings of the shipped algorithms read as before.
	Geometry     string             `json:"geometry,omitempty"`
	Regularizers map[string]float64 `json:"regularizers,omitempty"`

	// Sources says where each value comes from: a reference configuration file and key, a paper, or
	// "command line" for a value given by the user.
	Sources map[string]string `json:"sources"`
}

// Table declares every setting of a search: settings.json's keys, gaea search's flags, gaea presets'
// rows and the checks of one value. Validate adds the checks that involve several.
var Table = setting.NewTable[Settings]([]string{"sources"},
	setting.Decl{Key: "space", Doc: "search space (one of the registered spaces: gaea presets lists them)", Default: setting.FromChoice},
	setting.Decl{Key: "algo", Doc: "algorithm: " + strings.Join(algoNames(), ", "), Default: setting.FromChoice, OneOf: algoNames()},
	setting.Decl{Key: "preset", Doc: "quick (small supernet on the embedded CIFAR-10 sample, minutes on a CPU) or paper (the reference protocol); default: paper on a GPU, quick otherwise", Default: setting.FromChoice, OneOf: []string{string(Quick), string(Paper)}},
	setting.Decl{Key: "dataset", Doc: "data set: cifar10, cifar100, imagenet16-120, fashion-mnist, mnist, cifar10-sample (embedded), fashion-mnist-sample (embedded)", Default: setting.FromPreset},
	setting.Decl{Key: "data_dir", Doc: "data directory (default $GAEA_DATA or the user cache)", Default: "$GAEA_DATA or the user cache"},
	setting.Decl{Key: "level", Doc: "single (ERM: both blocks on the training data) or bi (architecture block on a held-out split)", Default: setting.FromPreset, OneOf: []string{string(SingleLevel), string(BiLevel)}},
	setting.Decl{Key: "epochs", Unit: "epochs", Doc: "epochs of the search", Default: setting.FromPreset, Min: 1, Max: 100_000},
	setting.Decl{Key: "batch", Unit: "images", Doc: "images per batch, both blocks", Default: setting.FromPreset, Min: 1, Max: 1 << 16},
	setting.Decl{Key: "channels", Doc: "supernet width C", Default: setting.FromPreset, Min: 1, Max: 4096},
	setting.Decl{Key: "cells", Doc: "supernet depth: cells per stage, or layers (as the space counts them)", Default: setting.FromPreset, Min: 1, Max: 1000},
	setting.Decl{Key: "with_none", Doc: "include the none (zero) op", Default: setting.FromPreset},
	setting.Decl{Key: "weight_lr", Doc: "maximum weight learning rate of the cosine schedule", Default: setting.FromPreset, Positive: true},
	setting.Decl{Key: "weight_lr_min", Doc: "minimum weight learning rate of the cosine schedule", Default: setting.FromPreset},
	setting.Decl{Key: "schedule_epochs", Unit: "epochs", Doc: "epochs the cosine spans (≥ epochs)", Default: setting.FromPreset, Min: 1, Max: 100_000},
	setting.Decl{Key: "momentum", Doc: "SGD momentum of the weights", Default: setting.FromPreset, Below: 1},
	setting.Decl{Key: "nesterov", Doc: "Nesterov momentum", Default: setting.FromPreset},
	setting.Decl{Key: "weight_decay", Doc: "weight decay of the shared weights", Default: setting.FromPreset},
	setting.Decl{Key: "grad_clip", Doc: "global-norm clip of the weight gradients (0 = off)", Default: setting.FromPreset},
	setting.Decl{Key: "arch_lr", Doc: "architecture learning rate", Default: setting.FromPreset},
	setting.Decl{Key: "arch_optimizer", Doc: "the algorithm's architecture update: exponentiated-gradient, adam, projected-gradient, none", Default: setting.FromDerived},
	setting.Decl{Key: "entropy_reg", Doc: "λ of the entropic regulariser λ·KL(θ‖uniform) (0 = off)", Default: setting.FromPreset},
	setting.Decl{Key: "second_order", Doc: "DARTS's unrolled (second-order) architecture gradient", Default: setting.FromPreset},
	setting.Decl{Key: "edge_weights", Doc: "learn edge weights β per node (spaces with edge weights)", Default: setting.FromPreset},
	setting.Decl{Key: "partial_channels", Doc: "PC-DARTS partial channels K (0 = all)", Default: setting.FromPreset, Min: 0, Max: 64},
	setting.Decl{Key: "warmup_epochs", Unit: "epochs", Doc: "epochs of weight steps only at the start", Default: setting.FromPreset, Min: 0, Max: 100_000},
	setting.Decl{Key: "tau_max", Doc: "GDAS temperature at the start", Default: setting.FromPreset},
	setting.Decl{Key: "tau_min", Doc: "GDAS temperature at the end", Default: setting.FromPreset},
	setting.Decl{Key: "weights_first", Doc: "each iteration: weight step first", Default: setting.FromPreset},
	setting.Decl{Key: "augment_arch", Doc: "augment the architecture batches (random crop and flip) as the weight batches; false: normalisation only", Default: setting.FromPreset},
	setting.Decl{Key: "candidates", Doc: "RS-WS: random architectures scored at the end", Default: setting.FromPreset, Min: 0, Max: 1 << 20, GivenMin: 1},
	setting.Decl{Key: "valid_batch", Unit: "images", Doc: "RS-WS: batch size of the held-out batch that scores a candidate", Default: setting.FromPreset, Min: 0, Max: 1 << 16, GivenMin: 1},
	setting.Decl{Key: "schedule_offset", Doc: "1: epoch e uses the cosine at e+1 (PyTorch scheduler stepped first)", Default: setting.FromPreset, Min: 0, Max: 1},
	setting.Decl{Key: "train_images", Unit: "images", Doc: "images the weight block draws from", Default: setting.FromDerived},
	setting.Decl{Key: "valid_images", Unit: "images", Doc: "images the architecture block draws from (0: the training images)", Default: setting.FromDerived},
	setting.Decl{Key: "subset", Unit: "images", Doc: "use only the first N images of each split (0 = all)", Default: setting.FromPreset, Min: 0, Max: 1 << 30},
	setting.Decl{Key: "seed", Doc: "random seed (weights, θ, data order)", Default: "1"},
	setting.Decl{Key: "checkpoint_every", Unit: "iterations", Doc: CheckpointEveryUsage, Default: "0", Min: 0, Max: 1 << 30},
	setting.Decl{Key: "geometry", Doc: "a registered geometry instead of the algorithm's (gaea.RegisterGeometry)", Default: "the algorithm's"},
	setting.Decl{Key: "regularizers", Doc: "registered regularisers of θ with their λ, name=λ comma-separated (gaea.RegisterRegularizer)", Default: "none"},
)

// CheckpointEveryUsage is the help of gaea search's --checkpoint-every (its unit: search iterations).
const CheckpointEveryUsage = "checkpoint every N search iterations (an iteration: one weight step and one architecture step); 0: every 2 minutes of wall time. Also at the end and on SIGINT/SIGTERM"

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

// Keys are the settings.json keys that a preset sets, in the table's order.
func Keys() []string {
	var keys []string
	for _, d := range Table.Decls() {
		if d.Default == setting.FromPreset || d.Key == "arch_optimizer" || d.Key == "train_images" || d.Key == "valid_images" {
			keys = append(keys, d.Key)
		}
	}
	return keys
}

// Get returns the value of a settings key (as in settings.json).
func (s *Settings) Get(key string) (any, error) { return Table.Get(s, key) }

// Set sets a value by its settings key and records its source.
func (s *Settings) Set(key string, v any, source string) error {
	if err := Table.Set(s, key, v); err != nil {
		return err
	}
	if s.Sources == nil {
		s.Sources = map[string]string{}
	}
	s.Sources[key] = source
	return nil
}

// Descriptor returns the registered descriptor of the settings' space.
func (s *Settings) Descriptor() (*spaces.Descriptor, error) {
	d, err := spaces.Lookup(s.Space)
	var ue *spaces.UnknownError
	if errors.As(err, &ue) {
		return nil, setting.Errorf("space", "%q: %s", ue.Name, strings.TrimPrefix(err.Error(), fmt.Sprintf("unknown space %q: ", ue.Name)))
	}
	return d, err
}

// Options are the supernet options of the settings for a data set of the given number of classes.
func (s *Settings) Options(classes int) spaces.Options {
	return spaces.Options{Channels: s.Channels, Cells: s.Cells, Classes: classes, WithNone: s.WithNone, EdgeWeights: s.EdgeWeights}
}

// BuildSpace returns the search space of the settings for a data set with the given number of classes.
func (s *Settings) BuildSpace(classes int) (spaces.Space, error) {
	d, err := s.Descriptor()
	if err != nil {
		return nil, err
	}
	return d.New(s.Options(classes))
}

// Validate checks that the settings describe a search this package can run. An error about one value
// is a *setting.Error naming its key; the others name the keys they involve.
func (s *Settings) Validate() error {
	d, err := s.Descriptor()
	if err != nil {
		return err
	}
	if !contains(Algos(), s.Algo) {
		return setting.Errorf("algo", "%q: want one of %s", s.Algo, strings.Join(algoNames(), ", "))
	}
	caps := d.Capabilities
	if s.Algo.partialChannels() && !(caps.PartialChannels && caps.EdgeWeights) {
		return fmt.Errorf("algo %s needs %s (partial channels, edge weights β), not %s", s.Algo,
			spacesWith(func(d *spaces.Descriptor) bool { return d.Capabilities.PartialChannels && d.Capabilities.EdgeWeights }), s.Space)
	}
	if s.Algo == RSWS && !caps.SinglePath {
		return fmt.Errorf("algo rsws samples one op per edge; use it with %s", spacesWith(func(d *spaces.Descriptor) bool { return d.Capabilities.SinglePath }))
	}
	if s.EdgeWeights && !caps.EdgeWeights {
		return fmt.Errorf("edge weights (β) exist in %s only, not %s", spacesWith(func(d *spaces.Descriptor) bool { return d.Capabilities.EdgeWeights }), s.Space)
	}
	if err := Table.Check(s); err != nil {
		return err
	}
	if s.SecondOrder && (s.Algo.gdas() || s.Algo == RSWS) {
		return fmt.Errorf("the second-order gradient needs a weighted sum of ops, not %s", s.Algo)
	}
	if !knownDataset(s.Dataset) {
		return setting.Errorf("dataset", "%q: want one of %s, or imagenet16-N", s.Dataset, strings.Join(DatasetNames(), ", "))
	}
	if s.ScheduleEpochs < s.Epochs {
		return &setting.Error{Key: "schedule_epochs", Msg: fmt.Sprintf("%d is shorter than epochs %d (the cosine would run past its end)", s.ScheduleEpochs, s.Epochs), Others: []string{"epochs"}}
	}
	if s.WarmupEpochs >= s.Epochs && s.Algo != RSWS {
		return setting.Errorf("warmup_epochs", "%d leaves no architecture step in %d epochs", s.WarmupEpochs, s.Epochs)
	}
	if _, err := d.New(s.Options(10)); err != nil {
		return fmt.Errorf("space %s: %w", s.Space, err)
	}
	if s.PartialChannels > 1 && s.Channels%s.PartialChannels != 0 {
		return &setting.Error{Key: "channels", Msg: fmt.Sprintf("%d is not divisible by partial_channels %d", s.Channels, s.PartialChannels), Others: []string{"partial_channels"}}
	}
	if s.ArchLR == 0 && s.Algo != RSWS {
		return setting.Errorf("arch_lr", "must be a positive number, got %v", s.ArchLR)
	}
	if s.WeightLRMin > s.WeightLR {
		return &setting.Error{Key: "weight_lr_min", Msg: fmt.Sprintf("%v is above weight_lr %v", s.WeightLRMin, s.WeightLR), Others: []string{"weight_lr"}}
	}
	if s.Algo.gdas() && !(s.TauMax >= s.TauMin && s.TauMin > 0) {
		return fmt.Errorf("GDAS needs tau_max ≥ tau_min > 0, got %v and %v", s.TauMax, s.TauMin)
	}
	return s.validateExtensions()
}

// spacesWith names the registered spaces with a capability: "the darts space", "one of the spaces a,
// b", or "a space that has it (none is registered)".
func spacesWith(has func(*spaces.Descriptor) bool) string {
	names := spaces.Which(has)
	switch len(names) {
	case 0:
		return "a space that has it (none is registered)"
	case 1:
		return "the " + names[0] + " space"
	}
	return "one of the spaces " + strings.Join(names, ", ")
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
