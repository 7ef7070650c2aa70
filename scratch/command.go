package scratch

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/gaeanas/gaeanas/internal/cli"
	"github.com/gaeanas/gaeanas/rundir"
	"github.com/gaeanas/gaeanas/setting"
	"github.com/gaeanas/gaeanas/spaces"
)

// TrainCommand is gaea train's command line: one flag per setting (Table), the genotype under the name
// each space gives it (--arch for NAS-Bench-201, --genotype), and where the run goes.
type TrainCommand struct {
	Out, Resume, Backend string

	over      setting.Overrides
	genotypes map[string]*string
	fs        *flag.FlagSet
}

// AddTrainCommand defines gaea train's flags on fs.
func AddTrainCommand(fs *flag.FlagSet) *TrainCommand {
	c := &TrainCommand{over: setting.Overrides{}, genotypes: map[string]*string{}, fs: fs}
	Table.AddFlags(fs, c.over, "genotype")
	for _, name := range GenotypeFlags() {
		c.genotypes[name] = fs.String(name, "", "the genotype of "+strings.Join(SpacesOf(name), " or ")+
			" (implies that --space; a name the space knows, e.g. DARTS_V2, works too)")
	}
	fs.StringVar(&c.Out, "out", "", "output folder (default runs/<timestamp>-train-<space>)")
	fs.StringVar(&c.Resume, "resume", "", "continue the training in this run folder from its last checkpoint")
	fs.StringVar(&c.Backend, "backend", "", "GoMLX backend (go, xla, xla:cuda, …); default $GOMLX_BACKEND or automatic")
	return c
}

// Run trains (or resumes) what the parsed command line asks for. Errors the command line must fix are
// cli.UsageError (a setting's names its flag), an interruption a cli.ExitError with its signal's status.
func (c *TrainCommand) Run(ctx context.Context, sig *int, stdout io.Writer) error {
	given := cli.Given(c.fs)
	for _, d := range Table.Decls() { // an alias and its flag: one of them
		for _, alias := range d.Aliases {
			if given[alias] && given[d.FlagName()] {
				return cli.Usagef("--%s is the old name of --%s; give one of them", alias, d.FlagName())
			}
		}
	}
	if err := cli.CheckBackend(c.Backend); err != nil {
		return err
	}
	if given["resume"] {
		if err := cli.OnlyResumeFlags(given, c.Resume, "backend"); err != nil {
			return err
		}
		if err := cli.ResumeFolder(c.Resume, rundir.Training); err != nil {
			return err
		}
		var st Settings
		if err := rundir.ReadJSON(filepath.Join(c.Resume, rundir.SettingsFile), &st); err != nil {
			return cli.Usagef("--resume %s: %v", c.Resume, err)
		}
		if err := cli.Prepare(ctx, "--resume", c.Resume, st.Dataset, st.DataDir, c.Backend); err != nil {
			return err
		}
		return c.train(ctx, sig, st, c.Resume, true, stdout)
	}
	if err := c.space(given); err != nil {
		return err
	}
	st, err := Resolve(c.over)
	if err != nil { // a setting's error names its flag; the genotype's is the space's (--arch for NB201)
		space, _ := c.over["space"].(string)
		return cli.Usage(errors.New(cli.Flagged(err, func(key string) string {
			if d, err := spaces.Lookup(cmp.Or(st.Space, space)); err == nil && key == "genotype" {
				return d.GenotypeFlag()
			}
			return Table.FlagOf(key)
		})))
	}
	if err := cli.NewRunFolder(c.Out); err != nil {
		return err
	}
	if err := cli.Prepare(ctx, "--out", cmp.Or(c.Out, "runs"), st.Dataset, st.DataDir, c.Backend); err != nil {
		return err
	}
	if st.From != "" && !given["dataset"] {
		fmt.Fprintf(os.Stderr, "train: data set %s, the one the search in %s ran on (choose another with --dataset)\n", st.Dataset, st.From)
	}
	return c.train(ctx, sig, st, c.Out, false, stdout)
}

// space sets the genotype and, when --space is not given, the space from the genotype's flag.
func (c *TrainCommand) space(given map[string]bool) error {
	var flags []string // the genotype flags given
	for _, name := range GenotypeFlags() {
		if given[name] {
			flags = append(flags, name)
			c.over["genotype"] = *c.genotypes[name]
		}
	}
	space, _ := c.over["space"].(string)
	switch {
	case len(flags) > 1:
		var ways []string
		for _, f := range flags {
			ways = append(ways, fmt.Sprintf("--%s (%s)", f, strings.Join(SpacesOf(f), ", ")))
		}
		return cli.Usagef("give %s, not both", strings.Join(ways, " or "))
	case space == "" && !given["from"] && len(flags) == 0:
		var ways []string
		for _, name := range Trainable() {
			d, _ := spaces.Lookup(name)
			ways = append(ways, fmt.Sprintf("--space %s --%s %s", name, d.GenotypeFlag(), strings.ToUpper(d.GenotypeFlag())))
		}
		return cli.Usagef("nothing to train: give %s, or --from RUN_DIR", strings.Join(ways, ", "))
	case space == "" && len(flags) == 1:
		names := SpacesOf(flags[0])
		if len(names) != 1 {
			return cli.Usagef("--%s names a genotype of %s: give --space", flags[0], strings.Join(names, " or "))
		}
		c.over["space"] = names[0]
	case space != "" && len(flags) == 1:
		if d, err := spaces.Lookup(space); err == nil && d.Training != nil && d.GenotypeFlag() != flags[0] {
			return cli.Usagef("--%s is for --space %s; %s takes --%s", flags[0], strings.Join(SpacesOf(flags[0]), ", "), space, d.GenotypeFlag())
		}
	}
	return nil
}

func (c *TrainCommand) train(ctx context.Context, sig *int, st Settings, dir string, resuming bool, stdout io.Writer) error {
	opt := Options{Dir: dir, Log: os.Stderr}
	var res *Result
	var err error
	if resuming {
		res, err = Resume(ctx, dir, opt)
	} else {
		res, err = Train(ctx, st, opt)
	}
	if err != nil {
		return cli.RunError("train", err, sig, dir)
	}
	if res.AlreadyFinished {
		fmt.Fprintf(os.Stderr, "%s: the training already finished; nothing to do\n", res.Dir)
	}
	_, err = fmt.Fprintf(stdout, "%s %s: test accuracy %.2f%% (best %.2f%% at epoch %d), %d parameters, %d epochs on %s\nresult: %s\n",
		res.Space, res.Genotype, 100*res.FinalTestAcc, 100*res.BestTestAcc, res.BestEpoch, res.Params, res.Epochs, res.Dataset,
		filepath.Join(res.Dir, rundir.ResultFile))
	return err
}
