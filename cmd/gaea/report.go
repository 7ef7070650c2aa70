package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/gaeanas/gaeanas/experiment"
	"github.com/gaeanas/gaeanas/internal/cli"
	"github.com/gaeanas/gaeanas/sweep"
)

func runReport(args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	files := experiment.AddBenchmarkFileFlags(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gaea report RUN_DIR|SWEEP_DIR [--nb101 FILE]\n\n(Re)writes RUN_DIR/report.html for a search run: settings, the genotype and its cell diagram, θ per edge\nover the search, entropy, losses and accuracies, and for a space with a benchmark its accuracy over time. Static\nSVG pictures; the file opens offline. For a sweep folder: its aggregate.html, .csv and .json (gaea aggregate).\n")
		cli.PrintDefaults(fs)
	}
	dir, err := cli.RunFolderArg(fs, args, "a training run folder; gaea report writes the report of a search run or a sweep (a training's results are in its result.json and history.jsonl)", "")
	if err != nil {
		return err
	}
	if err := files.Export(cli.Given(fs)); err != nil {
		return cli.Usage(err)
	}
	if _, err := sweep.Open(dir, nil); err == nil {
		agg, err := sweep.AggregateDir(dir, sweep.AggregateOptions{Progress: readingProgress})
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
	path, err := experiment.WriteReport(dir)
	if errors.Is(err, experiment.ErrNotRun) {
		return cli.Usage(err)
	}
	if err != nil {
		return err
	}
	fmt.Println(path)
	return nil
}
