package main

import (
	"errors"
	"flag"
	"fmt"
	"os"

	"github.com/gaeanas/gaeanas/experiment"
	"github.com/gaeanas/gaeanas/internal/cli"
	"github.com/gaeanas/gaeanas/rundir"
	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gaeanas/gaeanas/sweep"
)

func runSweep(args []string) error {
	if len(args) > 0 && args[0] == "status" {
		return runSweepStatus(args[1:])
	}
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	c := sweep.AddFlags(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gaea sweep --out DIR --algos A,B --seeds 0,1,2 [grid flags] [gaea search flags] [--executor local|slurm]\n"+
			"       gaea sweep --out DIR                 continue a sweep\n"+
			"       gaea sweep status DIR [--json]\n\n"+
			"Runs a grid of searches, algorithms × seeds × spaces × data sets × architecture learning rates, one\n"+
			"run folder per cell under DIR, described by DIR/sweep.json. Every gaea search flag given is applied to\n"+
			"every cell; every cell's flags are checked before anything is written. Then: gaea aggregate DIR.\n\n")
		cli.PrintDefaults(fs)
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	ctx, sig := cli.SignalContext()
	err := c.Run(ctx, os.Stdout)
	if errors.Is(err, sweep.ErrInterrupted) {
		return &cli.ExitError{Code: max(*sig, 130), Err: err}
	}
	return err
}

func runSweepStatus(args []string) error {
	fs := flag.NewFlagSet("sweep status", flag.ContinueOnError)
	asJSON := fs.Bool("json", false, "print the cells' states as JSON")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gaea sweep status DIR [--json]\n\nThe state of every cell of a sweep (pending, started, failed, done) from its run folder, with the\nSlurm state of its array task where squeue/sacct know it.\n")
		cli.PrintDefaults(fs)
	}
	dir, err := cli.FolderArg(fs, args)
	if err != nil {
		return err
	}
	sw, err := sweep.Open(dir, nil)
	if err != nil {
		return cli.Usage(err)
	}
	ctx, _ := cli.SignalContext()
	sts := sw.StatusWithSlurm(ctx)
	if *asJSON {
		return cli.PrintJSON(os.Stdout, sts)
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
	files := experiment.AddBenchmarkFileFlags(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gaea aggregate DIR [--json] [--nb101 FILE]\n\nOne table per (space, data set) of a sweep folder (or of any folder of search run folders): per algorithm,\nmean ± std over seeds of the found cell's benchmark accuracies and ranks (spaces with a benchmark; NAS-Bench-1Shot1's\ncells are looked up in the NAS-Bench-101 file --nb101 or $GAEA_NB101 names, with their regrets; without it the\nentries the searches stored in result.json), final mean\nper-edge entropy of θ, search time, and the found cells. Writes DIR/aggregate.html (with curves over the\nsearch), aggregate.csv and aggregate.json.\n")
		cli.PrintDefaults(fs)
	}
	dir, err := cli.FolderArg(fs, args)
	if err != nil {
		return err
	}
	switch rundir.KindOf(dir) {
	case rundir.File:
		return cli.Usagef("%s: a file, not a folder", dir)
	case rundir.Search:
		return cli.Usagef("%s: a search run folder, not a sweep (gaea report %s writes its report)", dir, dir)
	case rundir.Training:
		return cli.Usagef("%s: a training run folder, not a sweep", dir)
	}
	given := cli.Given(fs)
	agg, err := sweep.AggregateDir(dir, sweep.AggregateOptions{
		BenchmarkPath: func(d *spaces.Descriptor) (string, error) {
			path, err := files.For(d, given)
			if err != nil {
				return "", cli.Usage(err)
			}
			return path, nil
		},
		Progress: readingProgress,
	})
	if errors.Is(err, sweep.ErrNotSweep) {
		return cli.Usage(err)
	}
	if err != nil {
		return err
	}
	for _, name := range files.Names() {
		used := false
		for _, t := range agg.Tables {
			d, err := spaces.Lookup(t.Space)
			used = used || err == nil && d.BenchmarkFile != nil && d.BenchmarkFile.Flag == name
		}
		if given[name] && !used {
			return cli.Usagef("--%s: %s has no run of a space whose benchmark file it names", name, dir)
		}
	}
	// The tables first: a folder that cannot be written (read-only) still gets them on stdout.
	if *asJSON {
		if err := cli.PrintJSON(os.Stdout, agg); err != nil {
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
