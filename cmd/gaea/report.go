package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/gaeanas/gaeanas/experiment"
	"github.com/gaeanas/gaeanas/internal/cli"
	"github.com/gaeanas/gaeanas/internal/text"
	"github.com/gaeanas/gaeanas/rundir"
	"github.com/gaeanas/gaeanas/sweep"
)

func runReport(args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gaea report RUN_DIR|SWEEP_DIR\n\n(Re)writes RUN_DIR/report.html for a search run: settings, the genotype and its cell diagram, θ per edge\nover the search, entropy, losses and accuracies, and for a space with a benchmark its accuracy over time. Static\nSVG pictures; the file opens offline. For a sweep folder: its aggregate.html, .csv and .json (gaea aggregate).\n")
	}
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return cli.Usagef("want one run folder, got %d arguments", fs.NArg())
	}
	if fs.Arg(0) == "" {
		return cli.Usagef("empty folder name (an unset shell variable?)")
	}
	switch dir := fs.Arg(0); rundir.KindOf(dir) {
	case rundir.Missing:
		return cli.Usagef("%s: no such folder", text.Abbrev(dir))
	case rundir.File:
		return cli.Usagef("%s: a file, not a run folder", dir)
	case rundir.Folder:
		return cli.Usagef("%s: %v (no %s)", dir, experiment.ErrNotRun, experiment.SettingsFile)
	case rundir.Training:
		return cli.Usagef("%s: a training run folder; gaea report writes the report of a search run or a sweep (a training's results are in its result.json and history.jsonl)", dir)
	case rundir.OtherRun:
		return cli.Usagef("%s: its %s describes no search", dir, experiment.SettingsFile)
	}
	if _, err := sweep.Open(fs.Arg(0), nil); err == nil {
		agg, err := sweep.AggregateDir(fs.Arg(0))
		if err != nil {
			return err
		}
		path, err := agg.Write()
		if err != nil {
			return err
		}
		fmt.Println(path)
		return nil
	}
	path, err := experiment.WriteReport(fs.Arg(0))
	if errors.Is(err, experiment.ErrNotRun) {
		return cli.Usage(err)
	}
	if err != nil {
		return err
	}
	fmt.Println(path)
	return nil
}
