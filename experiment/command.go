package experiment

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/internal/cli"
	"github.com/gaeanas/gaeanas/internal/text"
	"github.com/gaeanas/gaeanas/rundir"
)

// SearchCommand is gaea search's command line: the search flags (SearchFlags) and where the run goes.
type SearchCommand struct {
	*SearchFlags
	Out, Resume, CPUProfile string
	DryRun                  bool

	fs *flag.FlagSet
}

// AddSearchCommand defines gaea search's flags on fs.
func AddSearchCommand(fs *flag.FlagSet) *SearchCommand {
	c := &SearchCommand{SearchFlags: AddSearchFlags(fs), fs: fs}
	fs.StringVar(&c.Out, "out", "", "output folder (default runs/<timestamp>-<space>-<algo>); must not hold a run")
	fs.StringVar(&c.Resume, "resume", "", "continue the search in this run folder (nothing else may be given but --backend)")
	fs.BoolVar(&c.DryRun, "dry-run", false, "print the resolved settings with their sources as JSON and exit")
	fs.StringVar(&c.CPUProfile, "cpuprofile", "", "write a Go CPU profile of the run to this file")
	return c
}

// Run runs (or resumes) the search of the parsed command line. Every check of the command line comes
// before the backend is chosen (which prints a line) and before anything is written: errors the command
// line must fix are cli.UsageError, an interruption a cli.ExitError with its signal's status.
func (c *SearchCommand) Run(ctx context.Context, sig *int, stdout io.Writer) error {
	given := cli.Given(c.fs)
	opt := Options{Log: os.Stderr}
	if v := os.Getenv("GAEA_CHECKPOINT_INTERVAL"); v != "" { // tests and impatient users: e.g. 30s
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return cli.Usagef("GAEA_CHECKPOINT_INTERVAL=%q: want a duration such as 30s", text.Abbrev(v))
		}
		opt.CheckpointInterval = d
	}
	if err := cli.CheckBackend(c.Backend); err != nil {
		return err
	}
	if given["resume"] {
		return c.resume(ctx, sig, given, opt, stdout)
	}
	// The settings are resolved with each preset the search may run with, and refused when none takes
	// them.
	resolved := map[Preset]Settings{}
	var firstErr error
	for _, p := range c.Presets() {
		st, err := c.Settings(p)
		if err != nil {
			firstErr = cmp.Or(firstErr, err)
			continue
		}
		resolved[p] = st
	}
	if len(resolved) == 0 {
		return cli.Usage(firstErr)
	}
	if !c.DryRun {
		if err := cli.NewRunFolder(c.Out); err != nil {
			return err
		}
	}
	preset, why := Quick, ""
	if p := c.Presets(); len(p) == 1 {
		preset = p[0]
	} else {
		if err := cli.OpenBackend(c.Backend); err != nil {
			return err
		}
		preset, why = PresetFor(backend.Name())
	}
	st, ok := resolved[preset]
	if !ok {
		_, err := c.Settings(preset)
		return cli.Usagef("%w (the %s preset: %s)", err, preset, why)
	}
	if c.DryRun {
		return cli.PrintJSON(stdout, st)
	}
	if err := cli.Prepare(ctx, "--out", cmp.Or(c.Out, "runs"), st.Dataset, st.DataDir, c.Backend); err != nil {
		return err
	}
	if why != "" {
		fmt.Fprintf(os.Stderr, "preset: %s (%s; choose with --preset quick|paper)\n", preset, why)
	}
	stop, err := cli.StartProfile(c.CPUProfile)
	if err != nil {
		return err
	}
	defer stop()
	opt.Dir = c.Out
	res, err := Search(ctx, st, opt)
	if err != nil {
		return cli.RunError("search", err, sig, c.Out)
	}
	_, err = fmt.Fprint(stdout, res.Summary(res.Dir))
	return err
}

// resume continues the search in --resume, which must hold one; nothing but --backend and
// --cpuprofile may be given.
func (c *SearchCommand) resume(ctx context.Context, sig *int, given map[string]bool, opt Options, stdout io.Writer) error {
	if err := cli.OnlyResumeFlags(given, c.Resume, "backend", "cpuprofile"); err != nil {
		return err
	}
	if err := cli.ResumeFolder(c.Resume, rundir.Search); err != nil {
		return err
	}
	var st Settings
	if err := rundir.ReadJSON(filepath.Join(c.Resume, SettingsFile), &st); err != nil {
		return cli.Usagef("--resume %s: %v", c.Resume, err)
	}
	if err := st.Validate(); err != nil {
		return cli.Usagef("--resume %s: %s: %v", c.Resume, SettingsFile, err)
	}
	if err := cli.Prepare(ctx, "--resume", c.Resume, st.Dataset, st.DataDir, c.Backend); err != nil {
		return err
	}
	stop, err := cli.StartProfile(c.CPUProfile)
	if err != nil {
		return err
	}
	defer stop()
	res, err := Resume(ctx, c.Resume, opt)
	if err != nil {
		return cli.RunError("search", err, sig, c.Resume)
	}
	if res.AlreadyFinished {
		fmt.Fprintf(os.Stderr, "%s: the search already finished; nothing to do\n", c.Resume)
	}
	_, err = fmt.Fprint(stdout, res.Summary(c.Resume))
	return err
}
