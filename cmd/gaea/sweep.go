package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/gaeanas/gaeanas/experiment"
	"github.com/gaeanas/gaeanas/internal/text"
	"github.com/gaeanas/gaeanas/sweep"
)

func runSweep(args []string) error {
	if len(args) > 0 && args[0] == "status" {
		return runSweepStatus(args[1:])
	}
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	// The gaea search flags, passed to every cell as given.
	experiment.AddFlags(fs)
	fs.String("preset", "", "quick or paper (as gaea search; default: paper on a GPU, quick otherwise)")
	fs.String("data-dir", "", "data directory (default $GAEA_DATA or the user cache)")
	fs.Int("checkpoint-every", 0, experiment.CheckpointEveryUsage+" (as gaea search)")
	fs.String("backend", "", "GoMLX backend of the cells (go, xla, xla:cuda, …)")
	passed := sweep.RecordArgs(fs)
	var spec sweep.Spec
	var algos, spaces, datasets sweep.StringList
	var seeds sweep.IntList
	var lrs sweep.FloatList
	fs.Var(&algos, "algos", "algorithms, comma-separated: "+joinAlgos())
	fs.Var(&algos, "algo", "same as --algos")
	fs.Var(&seeds, "seeds", "seeds, comma-separated or a range (0-4); default 1")
	fs.Var(&seeds, "seed", "same as --seeds")
	fs.Var(&spaces, "spaces", "search spaces, comma-separated (nb201, darts, tiny); default nb201")
	fs.Var(&spaces, "space", "same as --spaces")
	fs.Var(&datasets, "datasets", "data sets, comma-separated (default: the preset's; --dataset D gives every cell D)")
	fs.Var(&lrs, "arch-lrs", "architecture learning rates, comma-separated (default: the preset's)")
	specFile := fs.String("spec", "", "read the grid from this JSON file: {\"algos\": [...], \"seeds\": [...], \"spaces\": [...], \"datasets\": [...], \"arch_lrs\": [...], \"args\": [\"--epochs=2\", ...]}")
	out := fs.String("out", "", "sweep folder (required); given again with the same grid, or with no grid, the sweep continues")
	executor := fs.String("executor", "local", "local (child processes on this machine) or slurm (one job array submitted with sbatch)")
	jobs := fs.Int("jobs", 1, "local: cells run at a time")
	dryRun := fs.Bool("dry-run", false, "local: print the cells' commands; slurm: print the job script; run nothing")
	binary := fs.String("binary", "", "gaea executable the cells run (default: this one; for Slurm, a path every node sees)")
	var so sweep.SlurmOptions
	var extra sweep.Repeated
	fs.StringVar(&so.Partition, "slurm-partition", "", "slurm: partition (default: the cluster's)")
	fs.StringVar(&so.Time, "slurm-time", "", "slurm: time limit per cell, e.g. 4:00:00 (SIGTERM 2 min before: the cell checkpoints)")
	fs.IntVar(&so.CPUs, "slurm-cpus", 0, "slurm: CPUs per cell")
	fs.StringVar(&so.Mem, "slurm-mem", "", "slurm: memory per cell, e.g. 8G")
	fs.IntVar(&so.GPUs, "slurm-gpus", 0, "slurm: GPUs per cell (--gres=gpu:N)")
	fs.StringVar(&so.Account, "slurm-account", "", "slurm: account")
	fs.StringVar(&so.JobName, "slurm-job-name", "gaea-sweep", "slurm: job name")
	fs.IntVar(&so.MaxParallel, "slurm-max-parallel", 0, "slurm: at most this many cells at a time (0: no limit)")
	fs.Var(&extra, "slurm-opt", "slurm: a further sbatch option for the script, one per flag, e.g. --qos=long or --mail-type=END,FAIL (repeatable)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gaea sweep --out DIR --algos A,B --seeds 0,1,2 [grid flags] [gaea search flags] [--executor local|slurm]\n"+
			"       gaea sweep --out DIR                 continue a sweep\n"+
			"       gaea sweep status DIR [--json]\n\n"+
			"Runs a grid of searches, algorithms × seeds × spaces × data sets × architecture learning rates, one\n"+
			"run folder per cell under DIR, described by DIR/sweep.json. Every gaea search flag given is applied to\n"+
			"every cell; every cell's flags are checked before anything is written. Then: gaea aggregate DIR.\n\n")
		printDefaults(fs)
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", text.Abbrev(fs.Arg(0)))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if *out == "" {
		return usagef("--out DIR is required")
	}
	if *jobs < 1 || *jobs > maxJobs {
		return usagef("--jobs must be in [1, %d], got %d", maxJobs, *jobs)
	}
	switch *executor {
	case "local":
		for name := range given {
			if strings.HasPrefix(name, "slurm-") {
				return usagef("--%s is for --executor slurm", name)
			}
		}
		if *binary != "" {
			if fi, err := os.Stat(*binary); err != nil || fi.IsDir() {
				return usagef("--binary %s: no such program", *binary)
			}
		}
	case "slurm":
		if given["jobs"] {
			return usagef("--jobs is for --executor local (Slurm runs the cells as its array's tasks; see --slurm-max-parallel)")
		}
	default:
		return usagef("--executor %q: want local or slurm", text.Abbrev(*executor))
	}
	so.Binary, so.Extra = *binary, extra
	if err := so.Check(); err != nil {
		return usageError{err}
	}
	if err := sweepFolder(*out); err != nil {
		return err
	}
	grid := len(algos)+len(seeds)+len(spaces)+len(datasets)+len(lrs)+len(*passed) > 0
	var sp *sweep.Spec
	switch {
	case *specFile != "" && grid:
		return usagef("--spec takes the whole grid from %s; drop the grid and search flags", *specFile)
	case *specFile != "":
		var err error
		if sp, err = sweep.ReadSpecFile(*specFile); err != nil {
			return usagef("--spec %v", err)
		}
	case grid:
		spec = sweep.Spec{Algos: algos, Seeds: seeds, Spaces: spaces, Datasets: datasets, ArchLRs: lrs, Args: *passed}
		sp = &spec
	}
	if sp != nil && given["jobs"] {
		sp.Jobs = *jobs
	}
	if sp != nil {
		check := *sp // the grid, checked cell by cell, before anything below can fail for another reason
		if err := check.Expand(); err != nil {
			return usageError{err}
		}
	}
	open := sweep.Open
	if *dryRun {
		open = sweep.Plan
	} else {
		if err := probeFolder("--out", *out); err != nil {
			return err
		}
		if _, err := exec.LookPath("sbatch"); err != nil && *executor == "slurm" {
			return fmt.Errorf("sbatch not found (is this a Slurm login node?); --dry-run prints the job script")
		}
	}
	sw, err := open(*out, sp)
	switch {
	case errors.Is(err, sweep.ErrNotSweep):
		return usagef("%v; give a grid (--algos A,B --seeds 0,1) or --spec FILE", err)
	case errors.Is(err, sweep.ErrBadSpec), errors.Is(err, sweep.ErrDifferentSweep):
		return usageError{err}
	case err != nil:
		return fmt.Errorf("--out %s: %w", *out, err) // the folder could not be made or read
	}
	if !given["jobs"] && sw.Spec.Jobs > 0 {
		*jobs = sw.Spec.Jobs // a continued sweep runs as many cells at a time as it last did
	}
	if given["jobs"] && !*dryRun && *executor == "local" {
		if err := sw.SetJobs(*jobs); err != nil {
			return err
		}
	}
	ctx, sig := signalContext()
	switch *executor {
	case "local":
		if *dryRun {
			for _, c := range sw.Spec.Cells {
				fmt.Printf("%s\t%s\n", c.Name, strings.Join(sw.SearchArgs(c), " "))
			}
			return nil
		}
		sum, err := sw.RunLocal(ctx, sweep.LocalOptions{Jobs: *jobs, Binary: *binary, Log: os.Stderr})
		if errors.Is(err, sweep.ErrInterrupted) {
			fmt.Fprintf(os.Stderr, "gaea sweep: %v\n", err)
			os.Exit(max(*sig, 130))
		}
		if errors.Is(err, sweep.ErrBusy) {
			return usageError{err}
		}
		if err != nil {
			return err
		}
		fmt.Printf("sweep %s: %d cells finished (%d now, %d before); next: gaea aggregate %s\n", sw.Dir, sum.Done+sum.Skipped, sum.Done, sum.Skipped, sw.Dir)
	case "slurm":
		if *dryRun {
			script, err := sw.SlurmScript(so, nil)
			if err != nil {
				return err
			}
			fmt.Print(script)
			return nil
		}
		job, err := sw.SubmitSlurm(ctx, so)
		if errors.Is(err, sweep.ErrBusy) {
			return usageError{err}
		}
		if err != nil {
			return err
		}
		fmt.Printf("submitted job array %s (cells %s), script %s; follow it with: gaea sweep status %s\n", job.JobID, job.Array, job.Script, sw.Dir)
	default:
		return usagef("--executor %q: want local or slurm", *executor)
	}
	return nil
}

// maxJobs bounds --jobs: cells run at a time, each a process with its own backend.
const maxJobs = 256

func runSweepStatus(args []string) error {
	fs := flag.NewFlagSet("sweep status", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the cells' states as JSON")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gaea sweep status DIR [--json]\n\nThe state of every cell of a sweep (pending, started, failed, done) from its run folder, with the\nSlurm state of its array task where squeue/sacct know it.\n")
		printDefaults(fs)
	}
	dir, err := folderArg(fs, args)
	if err != nil {
		return err
	}
	sw, err := sweep.Open(dir, nil)
	if err != nil {
		return usageError{err}
	}
	ctx, _ := signalContext()
	sts := sw.StatusWithSlurm(ctx)
	if *asJSON {
		return printJSON(os.Stdout, sts)
	}
	for _, st := range sts {
		fmt.Println(st)
	}
	n := sweep.Counts(sts)
	fmt.Printf("%d cells: %d done, %d started, %d failed, %d pending\n", len(sts), n[sweep.Done], n[sweep.Started], n[sweep.Failed], n[sweep.Pending])
	return nil
}

func runAggregate(args []string) error {
	fs := flag.NewFlagSet("aggregate", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the tables as JSON instead of text")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gaea aggregate DIR [--json]\n\nOne table per (space, data set) of a sweep folder (or of any folder of search run folders): per algorithm,\nmean ± std over seeds of the found cell's NAS-Bench-201 accuracies and ranks, final mean per-edge entropy\nof θ and search time. Writes DIR/aggregate.html (with curves over the search), aggregate.csv and\naggregate.json.\n")
		printDefaults(fs)
	}
	dir, err := folderArg(fs, args)
	if err != nil {
		return err
	}
	switch kindOf(dir) {
	case kindFile:
		return usagef("%s: a file, not a folder", dir)
	case kindSearch:
		return usagef("%s: a search run folder, not a sweep (gaea report %s writes its report)", dir, dir)
	case kindTrain:
		return usagef("%s: a training run folder, not a sweep", dir)
	}
	agg, err := sweep.AggregateDir(dir)
	if errors.Is(err, sweep.ErrNotSweep) {
		return usageError{err}
	}
	if err != nil {
		return err
	}
	// The tables first: a folder that cannot be written (read-only) still gets them on stdout.
	if *asJSON {
		if err := printJSON(os.Stdout, agg); err != nil {
			return err
		}
	} else if err := agg.WriteText(os.Stdout); err != nil {
		return err
	}
	path, err := agg.Write()
	if err != nil {
		return fmt.Errorf("the tables are above, but %s, %s and %s could not be written in %s: %v", sweep.AggregateHTML, sweep.AggregateCSV, sweep.AggregateJSON, dir, err)
	}
	if !*asJSON {
		fmt.Printf("\nreport: %s\n", path)
	}
	return nil
}
