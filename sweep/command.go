package sweep

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"

	"github.com/gaeanas/gaeanas/experiment"
	"github.com/gaeanas/gaeanas/internal/cli"
	"github.com/gaeanas/gaeanas/internal/text"
	"github.com/gaeanas/gaeanas/spaces"
)

// MaxJobs bounds --jobs: cells run at a time, each a process with its own backend.
const MaxJobs = 256

// Command is gaea sweep's command line: the grid, the gaea search flags given to every cell, the
// folder and the executor with its options. AddFlags defines it on a flag set; Run does the sweep.
type Command struct {
	Out, SpecFile, Executor, Binary string
	Jobs                            int
	DryRun                          bool
	Slurm                           SlurmOptions

	algos, spaces, datasets StringList
	seeds                   IntList
	lrs                     FloatList
	extra                   Repeated
	passed                  *[]string
	fs                      *flag.FlagSet
}

// AddFlags defines gaea sweep's flags on fs.
func AddFlags(fs *flag.FlagSet) *Command {
	c := &Command{fs: fs}
	// The gaea search flags, passed to every cell as given.
	experiment.AddFlags(fs)
	fs.String("backend", "", "GoMLX backend of the cells (go, xla, xla:cuda, …)")
	c.passed = RecordArgs(fs)
	var names []string
	for _, a := range experiment.Algos() {
		names = append(names, string(a))
	}
	fs.Var(&c.algos, "algos", "algorithms, comma-separated: "+strings.Join(names, ", "))
	fs.Var(&c.algos, "algo", "same as --algos")
	fs.Var(&c.seeds, "seeds", "seeds, comma-separated or a range (0-4); default 1")
	fs.Var(&c.seeds, "seed", "same as --seeds")
	fs.Var(&c.spaces, "spaces", "search spaces, comma-separated ("+strings.Join(spaces.Names(), ", ")+"); default "+experiment.DefaultSpace)
	fs.Var(&c.spaces, "space", "same as --spaces")
	fs.Var(&c.datasets, "datasets", "data sets, comma-separated (default: the preset's; --dataset D gives every cell D)")
	fs.Var(&c.lrs, "arch-lrs", "architecture learning rates, comma-separated (default: the preset's)")
	fs.StringVar(&c.SpecFile, "spec", "", "read the grid from this JSON file: {\"algos\": [...], \"seeds\": [...], \"spaces\": [...], \"datasets\": [...], \"arch_lrs\": [...], \"args\": [\"--epochs=2\", ...]}")
	fs.StringVar(&c.Out, "out", "", "sweep folder (required); given again with the same grid, or with no grid, the sweep continues")
	fs.StringVar(&c.Executor, "executor", "local", "local (child processes on this machine) or slurm (one job array submitted with sbatch)")
	fs.IntVar(&c.Jobs, "jobs", 1, "local: cells run at a time")
	fs.BoolVar(&c.DryRun, "dry-run", false, "local: print the cells' commands; slurm: print the job script; run nothing")
	fs.StringVar(&c.Binary, "binary", "", "gaea executable the cells run (default: this one; for Slurm, a path every node sees)")
	so := &c.Slurm
	fs.StringVar(&so.Partition, "slurm-partition", "", "slurm: partition (default: the cluster's)")
	fs.StringVar(&so.Time, "slurm-time", "", "slurm: time limit per cell, e.g. 4:00:00 (SIGTERM 2 min before: the cell checkpoints)")
	fs.IntVar(&so.CPUs, "slurm-cpus", 0, "slurm: CPUs per cell")
	fs.StringVar(&so.Mem, "slurm-mem", "", "slurm: memory per cell, e.g. 8G")
	fs.IntVar(&so.GPUs, "slurm-gpus", 0, "slurm: GPUs per cell (--gres=gpu:N)")
	fs.StringVar(&so.Account, "slurm-account", "", "slurm: account")
	fs.StringVar(&so.JobName, "slurm-job-name", "gaea-sweep", "slurm: job name")
	fs.IntVar(&so.MaxParallel, "slurm-max-parallel", 0, "slurm: at most this many cells at a time (0: no limit)")
	fs.Var(&c.extra, "slurm-opt", "slurm: a further sbatch option for the script, one per flag, e.g. --qos=long or --mail-type=END,FAIL (repeatable)")
	return c
}

// Run does the sweep of the parsed command line: it checks the flags and every cell of the grid before
// anything is written (errors the command line must fix are cli.UsageError), opens or continues the
// sweep folder, and runs the cells here (local) or submits them (slurm); stdout receives what the
// command prints.
func (c *Command) Run(ctx context.Context, stdout io.Writer) error {
	given := cli.Given(c.fs)
	if c.Out == "" {
		return cli.Usagef("--out DIR is required")
	}
	if c.Jobs < 1 || c.Jobs > MaxJobs {
		return cli.Usagef("--jobs must be in [1, %d], got %d", MaxJobs, c.Jobs)
	}
	switch c.Executor {
	case "local":
		for name := range given {
			if strings.HasPrefix(name, "slurm-") {
				return cli.Usagef("--%s is for --executor slurm", name)
			}
		}
		if c.Binary != "" {
			if fi, err := os.Stat(c.Binary); err != nil || fi.IsDir() {
				return cli.Usagef("--binary %s: no such program", c.Binary)
			}
		}
	case "slurm":
		if given["jobs"] {
			return cli.Usagef("--jobs is for --executor local (Slurm runs the cells as its array's tasks; see --slurm-max-parallel)")
		}
	default:
		return cli.Usagef("--executor %q: want local or slurm", text.Abbrev(c.Executor))
	}
	c.Slurm.Binary, c.Slurm.Extra = c.Binary, c.extra
	if err := c.Slurm.Check(); err != nil {
		return cli.Usage(err)
	}
	if err := cli.SweepFolder(c.Out); err != nil {
		return err
	}
	sp, err := c.spec()
	if err != nil {
		return err
	}
	if sp != nil && given["jobs"] {
		sp.Jobs = c.Jobs
	}
	if sp != nil {
		check := *sp // the grid, checked cell by cell, before anything below can fail for another reason
		if err := check.Expand(); err != nil {
			return cli.Usage(err)
		}
	}
	open := Open
	if c.DryRun {
		open = Plan
	} else {
		if err := cli.Probe("--out", c.Out); err != nil {
			return err
		}
		if _, err := exec.LookPath("sbatch"); err != nil && c.Executor == "slurm" {
			return fmt.Errorf("sbatch not found (is this a Slurm login node?); --dry-run prints the job script")
		}
	}
	sw, err := open(c.Out, sp)
	switch {
	case errors.Is(err, ErrNotSweep):
		return cli.Usagef("%v; give a grid (--algos A,B --seeds 0,1) or --spec FILE", err)
	case errors.Is(err, ErrBadSpec), errors.Is(err, ErrDifferentSweep):
		return cli.Usage(err)
	case err != nil:
		return fmt.Errorf("--out %s: %w", c.Out, err) // the folder could not be made or read
	}
	jobs := c.Jobs
	if !given["jobs"] && sw.Spec.Jobs > 0 {
		jobs = sw.Spec.Jobs // a continued sweep runs as many cells at a time as it last did
	}
	if given["jobs"] && !c.DryRun && c.Executor == "local" {
		if err := sw.SetJobs(jobs); err != nil {
			return err
		}
	}
	if c.Executor == "slurm" {
		if c.DryRun {
			script, err := sw.SlurmScript(c.Slurm, nil)
			if err != nil {
				return err
			}
			_, err = fmt.Fprint(stdout, script)
			return err
		}
		job, err := sw.SubmitSlurm(ctx, c.Slurm)
		if errors.Is(err, ErrBusy) {
			return cli.Usage(err)
		}
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(stdout, "submitted job array %s (cells %s), script %s; follow it with: gaea sweep status %s\n", job.JobID, job.Array, job.Script, sw.Dir)
		return err
	}
	if c.DryRun {
		for _, cell := range sw.Spec.Cells {
			fmt.Fprintf(stdout, "%s\t%s\n", cell.Name, strings.Join(sw.SearchArgs(cell), " "))
		}
		return nil
	}
	sum, err := sw.RunLocal(ctx, LocalOptions{Jobs: jobs, Binary: c.Binary, Log: os.Stderr})
	if errors.Is(err, ErrBusy) {
		return cli.Usage(err)
	}
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "sweep %s: %d cells finished (%d now, %d before); next: gaea aggregate %s\n", sw.Dir, sum.Done+sum.Skipped, sum.Done, sum.Skipped, sw.Dir)
	return err
}

// spec is the grid of the command line: from --spec, from the grid and search flags, or nil (continue
// the sweep in --out).
func (c *Command) spec() (*Spec, error) {
	grid := len(c.algos)+len(c.seeds)+len(c.spaces)+len(c.datasets)+len(c.lrs)+len(*c.passed) > 0
	switch {
	case c.SpecFile != "" && grid:
		return nil, cli.Usagef("--spec takes the whole grid from %s; drop the grid and search flags", c.SpecFile)
	case c.SpecFile != "":
		sp, err := ReadSpecFile(c.SpecFile)
		if err != nil {
			return nil, cli.Usagef("--spec %w", err)
		}
		return sp, nil
	case grid:
		return &Spec{Algos: c.algos, Seeds: c.seeds, Spaces: c.spaces, Datasets: c.datasets, ArchLRs: c.lrs, Args: *c.passed}, nil
	}
	return nil, nil
}
