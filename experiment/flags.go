package experiment

import (
	"flag"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/internal/cli"
	"github.com/gaeanas/gaeanas/setting"
)

// Overrides are settings given by the user (command-line flags), by settings key.
type Overrides = setting.Overrides

// The keys a search names rather than a preset sets: Defaults takes them, Apply does not.
var choiceKeys = []string{"space", "algo", "preset"}

// AddFlags defines one flag per setting a preset sets (--epochs, --weight-lr, --nesterov, …) and for
// --preset, --data-dir, --checkpoint-every and --geometry; the values given end up in the returned
// Overrides. A sweep passes them to each of its cells; it names the space, algorithm and seed itself.
func AddFlags(fs *flag.FlagSet) Overrides {
	o := Overrides{}
	Table.AddFlags(fs, o, "space", "algo", "seed")
	return o
}

// SearchFlags are the flags of gaea search that describe a search (not where its folder goes): one
// per setting (Table) and --backend. A sweep passes them to its cells; CheckSearchArgs checks a cell's
// before it starts.
type SearchFlags struct {
	Backend string
	Over    Overrides
}

// AddSearchFlags defines the flags of SearchFlags on fs.
func AddSearchFlags(fs *flag.FlagSet) *SearchFlags {
	f := &SearchFlags{Over: Overrides{}}
	Table.AddFlags(fs, f.Over)
	fs.StringVar(&f.Backend, "backend", "", "GoMLX backend (go, xla, xla:cuda, xla:cpu, …); default $GOMLX_BACKEND or automatic")
	return f
}

// Presets are the presets the search may run with: the one given, else both (gaea search picks paper
// on a GPU and quick otherwise, so a sweep's cell may get either).
func (f *SearchFlags) Presets() []Preset {
	if p, ok := f.Over["preset"].(string); ok {
		return []Preset{Preset(p)}
	}
	return []Preset{Quick, Paper}
}

// Settings resolves the settings with the preset: Defaults for the space and algorithm given (else
// DefaultSpace and gaea-darts), then the other values given (Apply, which validates).
func (f *SearchFlags) Settings(preset Preset) (Settings, error) {
	space, algo := DefaultSpace, GAEADARTS
	if s, ok := f.Over["space"].(string); ok {
		space = s
	}
	if a, ok := f.Over["algo"].(string); ok {
		algo = Algo(a)
	}
	// The names first, each on its own, so that the error names the one that is wrong.
	st := Settings{Space: space, Algo: algo, Preset: preset}
	if err := Table.CheckValue("preset", string(preset)); err != nil {
		return st, err
	}
	if _, err := st.Descriptor(); err != nil {
		return st, err
	}
	if err := Table.CheckValue("algo", string(algo)); err != nil {
		return st, err
	}
	st, err := Defaults(preset, space, algo, "")
	if err != nil {
		return st, err
	}
	over := Overrides{}
	for k, v := range f.Over {
		if !slices.Contains(choiceKeys, k) {
			over[k] = v
		}
	}
	return st, st.Apply(over)
}

// Apply sets the given values (source "command line"; none for the values that do not change what the
// search computes: data_dir, checkpoint_every), refreshes the image counts and validates. Epochs given
// without schedule_epochs or warmup_epochs keep the paper preset's ratio of those to the epochs (also
// under the quick preset, whose own values are rounded to its few epochs).
func (s *Settings) Apply(o Overrides) error {
	epochs, schedule, warmup := s.Epochs, s.ScheduleEpochs, s.WarmupEpochs
	ratioFrom := "the preset's"
	if _, ok := o["epochs"]; ok && s.Preset == Quick {
		// The quick preset rounds the paper's epoch-valued keys to its few epochs (1 warm-up epoch of 2
		// for a paper's 10 of 50); --epochs scales the paper's values, not the rounded ones.
		if p, err := Defaults(Paper, s.Space, s.Algo, ""); err == nil && p.Epochs > 0 {
			epochs, schedule, warmup, ratioFrom = p.Epochs, p.ScheduleEpochs, p.WarmupEpochs, "the paper's"
		}
	}
	for _, d := range Table.Decls() {
		v, ok := o[d.Key]
		if !ok {
			continue
		}
		switch {
		case d.Default == setting.FromDerived:
			return setting.Errorf(d.Key, "follows from the data set, level and algorithm; it cannot be set")
		case slices.Contains(choiceKeys, d.Key):
			return setting.Errorf(d.Key, "is chosen with Defaults; it cannot be applied")
		}
		if err := d.CheckGiven(v); err != nil {
			return err
		}
		if err := Table.Set(s, d.Key, v); err != nil {
			return err
		}
		if d.Key != "data_dir" && d.Key != "checkpoint_every" {
			if s.Sources == nil {
				s.Sources = map[string]string{}
			}
			s.Sources[d.Key] = setting.CommandLine
		}
	}
	for k := range o {
		if _, ok := Table.Decl(k); !ok {
			return fmt.Errorf("experiment: unknown setting %q", k)
		}
	}
	if _, ok := o["epochs"]; ok && epochs > 0 && s.Epochs > 0 {
		scale := func(v int) int { return int(math.Round(float64(v) * float64(s.Epochs) / float64(epochs))) }
		if _, ok := o["schedule_epochs"]; !ok {
			s.ScheduleEpochs = max(s.Epochs, scale(schedule))
			s.Sources["schedule_epochs"] = fmt.Sprintf("%s ratio to --epochs (%d/%d)", ratioFrom, schedule, epochs)
		}
		if _, ok := o["warmup_epochs"]; !ok && warmup > 0 {
			s.WarmupEpochs = min(s.Epochs-1, max(1, scale(warmup)))
			s.Sources["warmup_epochs"] = fmt.Sprintf("%s ratio to --epochs (%d/%d)", ratioFrom, warmup, epochs)
		}
	}
	if err := s.fillImages(); err != nil {
		return err
	}
	return s.Validate()
}

// CheckSearchArgs checks the gaea search flags args (without --out, --resume) as gaea search would
// before it starts: they parse, no value is empty, the backend is a known one, and the settings
// resolve and validate with every preset the search may run with (SearchFlags.Presets).
func CheckSearchArgs(args []string) error {
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := AddSearchFlags(fs)
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if err := cli.NoArgs(fs); err != nil {
		return err
	}
	if f.Backend != "" {
		if err := backend.CheckName(f.Backend); err != nil {
			return fmt.Errorf("--backend: %w", err)
		}
	}
	var errs []error
	presets := f.Presets()
	for _, p := range presets {
		if _, err := f.Settings(p); err != nil {
			errs = append(errs, err)
			if len(presets) > 1 && len(errs) == 1 && p == Paper {
				return fmt.Errorf("%w (with the paper preset, which a machine with a GPU picks; give --preset to choose one)", err)
			}
		}
	}
	switch {
	case len(errs) == 1 && len(presets) > 1: // quick only
		return fmt.Errorf("%w (with the quick preset, which a machine without a GPU picks; give --preset to choose one)", errs[0])
	case len(errs) > 0:
		return errs[0]
	}
	return nil
}
