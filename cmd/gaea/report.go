package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/gaeanas/gaeanas/experiment"
)

func runReport(args []string) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gaea report RUN_DIR\n\n(Re)writes RUN_DIR/report.html for a search run: settings, the genotype and its cell diagram, θ per edge\nover the search, entropy, losses and accuracies, and for NAS-Bench-201 the table accuracy over time. Static\nSVG pictures; the file opens offline.\n")
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("want one run folder, got %d arguments", fs.NArg())
	}
	path, err := experiment.WriteReport(fs.Arg(0))
	if errors.Is(err, experiment.ErrNotRun) {
		return usageError{err}
	}
	if err != nil {
		return err
	}
	fmt.Println(path)
	return nil
}
