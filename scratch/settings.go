package scratch

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/gaeanas/gaeanas/data"
	"github.com/gaeanas/gaeanas/setting"
	"github.com/gaeanas/gaeanas/spaces"
)

// Settings is everything that determines a from-scratch training; saved as settings.json in the run
// folder (Resume reads it back) and copied into result.json. Every key is declared once, in Table.
type Settings struct {
	Space           string  `json:"space"`
	Genotype        string  `json:"genotype"`
	From            string  `json:"from,omitempty"`
	Dataset         string  `json:"dataset"`
	DataDir         string  `json:"data_dir,omitempty"`
	Epochs          int     `json:"epochs"`
	Batch           int     `json:"batch"`
	LR              float64 `json:"lr"`
	LRMin           float64 `json:"lr_min"`
	LRSchedule      string  `json:"lr_schedule"`
	Momentum        float64 `json:"momentum"`
	Nesterov        bool    `json:"nesterov"`
	WeightDecay     float64 `json:"weight_decay"`
	GradClip        float64 `json:"grad_clip"`
	Channels        int     `json:"channels"`
	Cells           int     `json:"cells,omitempty"`
	Layers          int     `json:"layers,omitempty"`
	Cutout          int     `json:"cutout"`
	Auxiliary       float64 `json:"auxiliary"`
	DropPath        float64 `json:"drop_path"`
	PadTo           int     `json:"pad_to,omitempty"`
	Seed            int64   `json:"seed"`
	Subset          int     `json:"subset"`
	TestSubset      int     `json:"test_subset,omitempty"`
	CheckpointEvery string  `json:"checkpoint_every"`
}

// The learning-rate schedules (Settings.LRSchedule): the cosine stepped every iteration (NAS-Bench-201)
// or every epoch (DARTS).
const (
	CosineStep  = "cosine-step"
	CosineEpoch = "cosine-epoch"
)

// Table declares every setting of a training: settings.json's keys, gaea train's flags, the protocol
// rows of `gaea presets --train` and the checks of one value.
var Table = setting.NewTable[Settings](nil,
	setting.Decl{Key: "space", Doc: "a registered space with a training protocol (default: from the genotype's flag or --from)", Default: setting.FromChoice},
	setting.Decl{Key: "genotype", Doc: "the genotype in its space's text form, or a name the space knows (e.g. DARTS_V2)", Default: setting.FromChoice},
	setting.Decl{Key: "from", Doc: "train the genotype found by a gaea search: its run folder (result.json)", Default: setting.FromChoice},
	setting.Decl{Key: "dataset", Doc: "data set: " + strings.Join(data.Names(), ", ") + " (with --from: the search's)", Default: "cifar10"},
	setting.Decl{Key: "data_dir", Doc: "data directory (default $GAEA_DATA or the user cache)", Default: "$GAEA_DATA or the user cache"},
	setting.Decl{Key: "epochs", Unit: "epochs", Doc: "epochs", Default: setting.FromProtocol, Min: 1, Max: 100_000},
	setting.Decl{Key: "batch", Unit: "images", Doc: "batch size", Default: setting.FromProtocol, Min: 1, Max: 1 << 16},
	setting.Decl{Key: "lr", Flag: "weight-lr", Aliases: []string{"lr"}, Doc: "initial weight learning rate, cosine-annealed to lr_min", Default: setting.FromProtocol, Positive: true},
	setting.Decl{Key: "lr_min", Flag: "weight-lr-min", Doc: "final weight learning rate of the cosine", Default: setting.FromProtocol},
	setting.Decl{Key: "lr_schedule", Doc: "cosine-step (stepped every iteration) or cosine-epoch (every epoch)", Default: setting.FromProtocol, OneOf: []string{CosineStep, CosineEpoch}},
	setting.Decl{Key: "momentum", Doc: "SGD momentum", Default: setting.FromProtocol, Below: 1},
	setting.Decl{Key: "nesterov", Doc: "Nesterov momentum", Default: setting.FromProtocol},
	setting.Decl{Key: "weight_decay", Aliases: []string{"wd"}, Doc: "weight decay on all weights", Default: setting.FromProtocol},
	setting.Decl{Key: "grad_clip", Doc: "clip the gradient's global norm (0 = off)", Default: setting.FromProtocol},
	setting.Decl{Key: "channels", Doc: "channels C", Default: setting.FromProtocol, Min: 1, Max: 4096},
	setting.Decl{Key: "cells", Doc: "the network's depth: cells per stage, or cells of the network (as the space counts them; --layers is the same setting)", Default: setting.FromProtocol, Min: 0, Max: 1000, GivenMin: 1},
	setting.Decl{Key: "layers", Doc: "the network's depth (--cells is the same setting)", Default: setting.FromProtocol, Min: 0, Max: 1000, GivenMin: 1},
	setting.Decl{Key: "cutout", Unit: "pixels", Doc: "cutout length (0 = off)", Default: setting.FromProtocol, Min: 0, Max: 4096},
	setting.Decl{Key: "auxiliary", Doc: "weight of the auxiliary head's loss (0 = no head)", Default: setting.FromProtocol},
	setting.Decl{Key: "drop_path", Doc: "drop-path probability, grown linearly from 0 over the epochs", Default: setting.FromProtocol, Below: 1},
	setting.Decl{Key: "pad_to", Unit: "pixels", Doc: "images smaller than this are zero-padded to it (the auxiliary head's input size)", Default: setting.FromDerived},
	setting.Decl{Key: "seed", Doc: "random seed (weights, data order, augmentation, drop-path)", Default: "1"},
	setting.Decl{Key: "subset", Unit: "images", Doc: "train on the first N training images only (0 = all)", Default: "0", Min: 0, Max: 1 << 30},
	setting.Decl{Key: "test_subset", Unit: "images", Doc: "evaluate on the first N test images only (0 = all; for quick runs)", Default: "0", Min: 0, Max: 1 << 30},
	setting.Decl{Key: "checkpoint_every", Doc: "checkpoint every N epochs (N or Nepochs) or every N training steps (Nsteps, a step: one batch); also at the end and on SIGINT/SIGTERM", Default: "1"},
)

// networkOptions are the settings keys that are options of a space's network (spaces.Training.Options).
var networkOptions = []string{"auxiliary", "drop_path"}

// Protocol is a space's from-scratch protocol, every value with its source.
func Protocol(space string) ([]spaces.Row, error) {
	d, err := trainable(space)
	if err != nil {
		return nil, err
	}
	return d.Training.Protocol, nil
}

// Trainable lists the registered spaces with a training protocol.
func Trainable() []string {
	return spaces.Which(func(d *spaces.Descriptor) bool { return d.Training != nil })
}

// trainable returns the descriptor of a space with a training protocol.
func trainable(space string) (*spaces.Descriptor, error) {
	d, err := spaces.Lookup(space)
	var ue *spaces.UnknownError
	if errors.As(err, &ue) {
		return nil, setting.Errorf("space", "%q: want %s", space, orList(Trainable()))
	}
	if err != nil {
		return nil, err
	}
	if d.Training == nil {
		return nil, setting.Errorf("space", "%q has no training protocol: want %s", space, orList(Trainable()))
	}
	return d, nil
}

// Resolve returns the settings of a training from the values given (by settings key): the space and
// the genotype (in its text form or by a name the space knows; with from, both from that search's
// result.json, and its data set and data folder too unless given), the space's protocol for every
// value not given (spaces.Training.Protocol), and the checks of every value. An error about one value
// names its key (*setting.Error).
func Resolve(given setting.Overrides) (Settings, error) {
	var st Settings
	for _, d := range Table.Decls() {
		v, ok := given[d.Key]
		if !ok {
			continue
		}
		if d.Default == setting.FromDerived {
			return st, setting.Errorf(d.Key, "follows from the data set and the network; it cannot be set")
		}
		if err := d.CheckGiven(v); err != nil {
			return st, err
		}
		if err := Table.Set(&st, d.Key, v); err != nil {
			return st, err
		}
	}
	for key := range given {
		if _, ok := Table.Decl(key); !ok {
			return st, fmt.Errorf("scratch: unknown setting %q", key)
		}
	}
	if _, ok := given["dataset"]; !ok {
		st.Dataset = "cifar10"
	}
	if _, ok := given["checkpoint_every"]; !ok {
		st.CheckpointEvery = "1"
	}
	if _, ok := given["seed"]; !ok {
		st.Seed = 1
	}
	if st.From != "" {
		if st.Genotype != "" {
			return st, setting.Errorf("from", "takes the architecture from %s/result.json; drop the genotype", st.From)
		}
		r, err := readSearchResult(st.From)
		if err != nil {
			return st, err
		}
		// The data set (and its folder) the search ran on, unless given: after the quick search on the
		// embedded sample, training must not reach for the full data set over the network.
		if _, ok := given["dataset"]; !ok && r.Dataset != "" {
			st.Dataset = r.Dataset
			if _, ok := given["data_dir"]; !ok {
				st.DataDir = r.Settings.DataDir
			}
		}
		if st.Space != "" && st.Space != r.Space {
			return st, setting.Errorf("space", "%s, but the run in %s searched the %s space", st.Space, st.From, r.Space)
		}
		if _, err := trainable(r.Space); err != nil {
			return st, setting.Errorf("from", "%s: space %q has no standard network to train (want %s)", st.From, r.Space, orList(Trainable()))
		}
		st.Space, st.Genotype = r.Space, r.Genotype
	}
	if st.Space == "" {
		return st, setting.Errorf("space", "is required (one of %s), or from", orList(Trainable()))
	}
	d, err := trainable(st.Space)
	if err != nil {
		return st, err
	}
	if st.Genotype == "" {
		return st, setting.Errorf("genotype", "is required for the %s space%s", st.Space, knownNames(d))
	}
	g, err := d.ParseGenotype(st.Genotype)
	if err != nil {
		return st, setting.Errorf("genotype", ": %v", err)
	}
	st.Genotype = g.String()
	for _, key := range networkOptions {
		if _, ok := given[key]; ok && !d.Training.Takes(key) {
			return st, setting.Errorf(key, "is not a setting of the %s network (%s)", st.Space,
				orList(spaces.Which(func(d *spaces.Descriptor) bool { return d.Training.Takes(key) })))
		}
	}
	// The depth is one setting under two names; the space's protocol says which one it keeps.
	cells, layers := intOf(given["cells"]), intOf(given["layers"])
	if cells != 0 && layers != 0 && cells != layers {
		return st, &setting.Error{Key: "cells", Msg: fmt.Sprintf("%d and layers %d disagree (they are one setting)", cells, layers), Others: []string{"layers"}}
	}
	depth := max(cells, layers)
	st.Cells, st.Layers = 0, 0
	for _, r := range d.Training.Protocol {
		if _, ok := given[r.Key]; ok || ((r.Key == "cells" || r.Key == "layers") && depth > 0) {
			continue
		}
		if err := Table.Set(&st, r.Key, r.Value); err != nil {
			return st, fmt.Errorf("scratch: protocol of %s: %w", st.Space, err)
		}
	}
	if depth > 0 {
		if slices.ContainsFunc(d.Training.Protocol, func(r spaces.Row) bool { return r.Key == "layers" }) {
			st.Layers = depth
		} else {
			st.Cells = depth
		}
	}
	return st, st.Validate()
}

// Validate checks every value (*setting.Error names the key) and the data set.
func (st *Settings) Validate() error {
	if err := Table.Check(st); err != nil {
		return err
	}
	if err := data.Check(st.Dataset); err != nil {
		return setting.Errorf("dataset", "%q: want one of %s", st.Dataset, strings.Join(data.Names(), ", "))
	}
	if _, _, err := ParseCheckpointEvery(st.CheckpointEvery); err != nil {
		return err
	}
	return nil
}

// Depth is the network's depth: Cells or Layers, whichever the space's protocol keeps.
func (st *Settings) Depth() int { return max(st.Cells, st.Layers) }

func intOf(v any) int {
	n, _ := v.(int)
	return n
}

// GenotypeFlags are the names under which the trainable spaces take a genotype on a command line
// ("arch", "genotype"; spaces.Descriptor.GenotypeFlag), sorted.
func GenotypeFlags() []string {
	var flags []string
	for _, name := range Trainable() {
		d, _ := spaces.Lookup(name)
		if !slices.Contains(flags, d.GenotypeFlag()) {
			flags = append(flags, d.GenotypeFlag())
		}
	}
	slices.Sort(flags)
	return flags
}

// SpacesOf lists the trainable spaces that take a genotype under the flag name.
func SpacesOf(flag string) []string {
	return spaces.Which(func(d *spaces.Descriptor) bool { return d.Training != nil && d.GenotypeFlag() == flag })
}

func knownNames(d *spaces.Descriptor) string {
	if len(d.Named) == 0 {
		return ""
	}
	return " (or a known name: " + strings.Join(d.NamedList(), ", ") + ")"
}

// ParseCheckpointEvery reads "N", "Nepochs" or "Nsteps".
func ParseCheckpointEvery(s string) (n int, steps bool, err error) {
	num := s
	switch {
	case strings.HasSuffix(s, "steps"), strings.HasSuffix(s, "step"):
		num, steps = strings.TrimSuffix(strings.TrimSuffix(s, "s"), "step"), true
	case strings.HasSuffix(s, "epochs"), strings.HasSuffix(s, "epoch"):
		num = strings.TrimSuffix(strings.TrimSuffix(s, "s"), "epoch")
	}
	n, err = strconv.Atoi(num)
	if err != nil || n < 1 {
		return 0, false, setting.Errorf("checkpoint_every", "%q: want N (epochs), Nepochs or Nsteps with N ≥ 1", s)
	}
	return n, steps, nil
}

// searchResult is what a training reads of a search's result.json.
type searchResult struct {
	Space    string `json:"space"`
	Genotype string `json:"genotype"`
	Dataset  string `json:"dataset"`
	Settings struct {
		DataDir string `json:"data_dir"`
	} `json:"settings"`
}

func readSearchResult(dir string) (*searchResult, error) {
	raw, err := os.ReadFile(filepath.Join(dir, "result.json"))
	if err != nil {
		if _, serr := os.Stat(dir); serr != nil {
			return nil, setting.Errorf("from", "%s: no such run folder", dir)
		}
		return nil, setting.Errorf("from", "%s: no result.json (is the search finished?)", dir)
	}
	var r searchResult
	if err := json.Unmarshal(raw, &r); err != nil || r.Space == "" || r.Genotype == "" {
		return nil, setting.Errorf("from", "%s: result.json has no space and genotype", dir)
	}
	return &r, nil
}

// orList writes "a or b", "a, b or c".
func orList(words []string) string {
	if len(words) < 2 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " or " + words[len(words)-1]
}

// WriteProtocols prints the from-scratch training protocol of every trainable space, or of space alone
// (""): each value with its source, in columns (gaea presets --train).
func WriteProtocols(w io.Writer, space string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, name := range Trainable() {
		rows, err := Protocol(name)
		if space != "" && name != space || err != nil {
			continue
		}
		fmt.Fprintf(tw, "== %s (gaea train)\n", name)
		for _, r := range rows {
			fmt.Fprintf(tw, "%s\t%v\t%s\n", r.Key, r.Value, r.Source)
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}
