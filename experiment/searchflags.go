package experiment

import (
	"flag"
	"fmt"
	"io"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/internal/text"
)

// SearchFlags are the flags of gaea search that describe a search (not where its folder goes):
// --space, --algo, --preset, --seed, --data-dir, --checkpoint-every, --backend and one flag per settings
// key (AddFlags). A sweep passes them to its cells; CheckSearchArgs checks a cell's before it starts.
type SearchFlags struct {
	Space, Algo, Preset, DataDir, Backend string
	Seed                                  int64
	CheckpointEvery                       int
	Over                                  Overrides

	fs *flag.FlagSet
}

// CheckpointEveryUsage is the help of gaea search's --checkpoint-every (its unit: search iterations).
const CheckpointEveryUsage = "checkpoint every N search iterations (an iteration: one weight step and one architecture step); 0: every 2 minutes of wall time. Also at the end and on SIGINT/SIGTERM"

// AddSearchFlags defines the flags of SearchFlags on fs.
func AddSearchFlags(fs *flag.FlagSet) *SearchFlags {
	f := &SearchFlags{fs: fs}
	fs.StringVar(&f.Space, "space", string(NB201), "search space: nb201, darts or tiny (the teaching space)")
	fs.StringVar(&f.Algo, "algo", string(GAEADARTS), "algorithm: "+joinNames(Algos()))
	fs.StringVar(&f.Preset, "preset", "", "quick (small supernet on the embedded CIFAR-10 sample, minutes on a CPU) or paper (the reference protocol); default: paper on a GPU, quick otherwise")
	fs.StringVar(&f.DataDir, "data-dir", "", "data directory (default $GAEA_DATA or the user cache)")
	fs.Int64Var(&f.Seed, "seed", 1, "random seed (weights, θ, data order)")
	fs.IntVar(&f.CheckpointEvery, "checkpoint-every", 0, CheckpointEveryUsage)
	fs.StringVar(&f.Backend, "backend", "", "GoMLX backend (go, xla, xla:cuda, xla:cpu, …); default $GOMLX_BACKEND or automatic")
	f.Over = AddFlags(fs)
	return f
}

// Given reports whether the flag name was set on the command line.
func (f *SearchFlags) Given(name string) bool {
	given := false
	f.fs.Visit(func(fl *flag.Flag) { given = given || fl.Name == name })
	return given
}

// Presets are the presets the search may run with: the one given, else both (gaea search picks paper
// on a GPU and quick otherwise, so a sweep's cell may get either).
func (f *SearchFlags) Presets() []Preset {
	if f.Preset != "" {
		return []Preset{Preset(f.Preset)}
	}
	return []Preset{Quick, Paper}
}

// Settings resolves the settings with the preset: Defaults, then the seed, data directory and
// checkpoint interval, then the settings flags given (Apply, which validates).
func (f *SearchFlags) Settings(preset Preset) (Settings, error) {
	// The names first, so that the error names the flag.
	if preset != Quick && preset != Paper {
		return Settings{}, fmt.Errorf("--preset %q: want quick or paper", text.Abbrev(string(preset)))
	}
	if !contains(Spaces(), Space(f.Space)) {
		return Settings{}, fmt.Errorf("--space %q: want one of %s", text.Abbrev(f.Space), joinNames(Spaces()))
	}
	if !contains(Algos(), Algo(f.Algo)) {
		return Settings{}, fmt.Errorf("--algo %q: want one of %s", text.Abbrev(f.Algo), joinNames(Algos()))
	}
	st, err := Defaults(preset, Space(f.Space), Algo(f.Algo), "")
	if err != nil {
		return st, err
	}
	st.Seed, st.DataDir, st.CheckpointEvery = f.Seed, f.DataDir, f.CheckpointEvery
	if f.Given("seed") {
		st.Sources["seed"] = "command line"
	}
	if err := st.Apply(f.Over); err != nil {
		return st, err
	}
	return st, nil
}

// CheckSearchArgs checks the gaea search flags args (without --out, --resume) as gaea search would
// before it starts: they parse, no value is empty, the backend is a known one, and the settings
// resolve and validate with every preset the search may run with (SearchFlags.Presets).
func CheckSearchArgs(args []string) error {
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	f := AddSearchFlags(fs)
	var empty string
	fs.VisitAll(func(fl *flag.Flag) {
		if b, ok := fl.Value.(interface{ IsBoolFlag() bool }); !ok || !b.IsBoolFlag() {
			fl.Value = refuseEmptyValue{fl.Value, fl.Name, &empty}
		}
	})
	if err := fs.Parse(args); err != nil {
		if empty != "" {
			return fmt.Errorf("--%s: empty value", empty)
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (flags are --name=value words)", text.Abbrev(fs.Arg(0)))
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

// refuseEmptyValue is a flag value that refuses "" (recording the flag's name).
type refuseEmptyValue struct {
	flag.Value
	name  string
	empty *string
}

func (v refuseEmptyValue) Set(s string) error {
	if s == "" {
		*v.empty = v.name
		return fmt.Errorf("empty value")
	}
	return v.Value.Set(s)
}
