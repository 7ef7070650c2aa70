// Command gaea is the gaeanas command line: GAEA (geometry-aware exponentiated algorithm) neural
// architecture search and its baselines, built on GoMLX.
//
// Usage:
//
//	gaea <command> [flags]
//
// Commands:
//
//	search    run (or resume) an architecture search
//	presets   the settings of a preset per space and algorithm, with their sources
//	report    (re)write a search run's report.html (a sweep's aggregate.html)
//	sweep     run a grid of searches (algorithms × seeds × …) locally or on Slurm; sweep status
//	aggregate tables (mean ± std over seeds) and curves of a sweep's results
//	train     train a discrete network from scratch (a genotype or a search run)
//	lookup    NAS-Bench-201 benchmark accuracies and ranks of an architecture
//	params    parameter count of a discrete network
//	data      load a data set and print its statistics
//	simplex   compare the geometries (entropic, euclidean, softmax) on a linear objective over the simplex
//	backend   say which GoMLX backend this machine uses and check that it trains a small conv net
//	version   print the version
//
// Run `gaea <command> -h` for the flags of a command.
//
// Exit status: 0 success (and -h/--help, which prints the command's usage), 1 failure, 2 a bad
// command line (unknown flag, bad flag value or argument; one line on stderr says what is wrong).
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
)

const version = "0.1.0-dev"

type command struct {
	name, summary string
	run           func(args []string) error
}

var commands = []command{
	{"search", "run (or --resume) an architecture search; with no flags a quick GAEA search on NAS-Bench-201", runSearch},
	{"presets", "print the settings of a preset for each space and algorithm, with their sources (--json)", runPresets},
	{"report", "(re)write report.html for a search run folder (aggregate.html for a sweep folder)", runReport},
	{"sweep", "run a grid of searches, algorithms × seeds × …, locally (--jobs N) or on Slurm; gaea sweep status DIR", runSweep},
	{"aggregate", "tables (mean ± std over seeds) and curves of a sweep's results: aggregate.html, .csv, .json", runAggregate},
	{"train", "train an architecture from scratch (--space nb201 --arch S | --space darts --genotype G | --from RUN_DIR)", runTrain},
	{"lookup", "print a NAS-Bench-201 architecture's benchmark accuracies and ranks as JSON", runLookup},
	{"params", "print the parameter count of a discrete network (--space nb201 or darts)", runParams},
	{"data", "load a data set (downloading it if needed) and print its sizes, statistics and search split as JSON", runData},
	{"simplex", "compare the geometries (entropic, euclidean, softmax) on c·θ over the simplex", runSimplex},
	{"backend", "say which GoMLX backend is used and check that it trains a small conv net", runBackend},
	{"version", "print the version", runVersion},
}

func runVersion(args []string) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprintf(fs.Output(), "Usage: gaea version\n\nPrints the version.\n") }
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	fmt.Println("gaea", version)
	return nil
}

func usage() {
	fmt.Fprintf(os.Stderr, "gaea — geometry-aware neural architecture search (GAEA) on GoMLX\n\nUsage:\n  gaea <command> [flags]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(os.Stderr, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(os.Stderr, "\nRun 'gaea <command> -h' for a command's flags.\n")
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	name := os.Args[1]
	if name == "-h" || name == "--help" || name == "help" {
		usage()
		return
	}
	for _, c := range commands {
		if c.name == name {
			if err := c.run(os.Args[2:]); err != nil {
				if errors.Is(err, flag.ErrHelp) {
					return // -h: the usage was printed
				}
				fmt.Fprintf(os.Stderr, "gaea %s: %v\n", name, err)
				var ue usageError
				if errors.As(err, &ue) {
					os.Exit(2)
				}
				os.Exit(1)
			}
			return
		}
	}
	fmt.Fprintf(os.Stderr, "gaea: unknown command %q (run 'gaea help')\n", name)
	os.Exit(2)
}
