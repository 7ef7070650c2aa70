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
// Run `gaea <command> -h` (or `gaea help <command>`) for the flags of a command.
//
// Exit status, the same for every command:
//
//	0  success; also -h/--help and gaea help [CMD], which print the usage.
//	1  failure: the command line was right but the work could not be done — a data set or backend
//	   named correctly that is not available on this machine (not on disk and no download, no PJRT
//	   plugin), a folder or file that cannot be written or read (permissions, disk full), a search,
//	   training or sweep cell that failed, an interruption (130 for SIGINT, 143 for SIGTERM: a
//	   checkpoint was saved).
//	2  usage: the command line itself must change — an unknown command or flag, a flag value of the
//	   wrong form, out of range or empty (--out ''), an unknown name (algorithm, space, data set,
//	   preset, backend), flags that contradict each other, a missing or extra argument, a grid or
//	   spec file that a cell could not run, or a named path that is not what the command needs (no
//	   such folder, a file where a folder is wanted, a training run where a search run is wanted, a
//	   folder that already holds a run, a folder another process is using).
//
// Every error is one line on stderr, "gaea CMD: what is wrong", and a command that exits 1 or 2
// before its work starts has written nothing (a failed download creates no folder, a refused run
// creates no run folder).
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/gaeanas/gaeanas/experiment"
	"github.com/gaeanas/gaeanas/internal/cli"
	"github.com/gaeanas/gaeanas/internal/text"
	"github.com/gaeanas/gaeanas/scratch"
)

const version = "0.1.0-dev"

type command struct {
	name, summary string
	run           func(args []string) error
	// flagOf names a settings key's flag in the command's errors (a library error names the key).
	flagOf func(key string) string
}

var commands = []command{
	{"search", "run (or --resume) an architecture search; with no flags a quick GAEA search on NAS-Bench-201", runSearch, experiment.Table.FlagOf},
	{"presets", "print the settings of a preset for each space and algorithm, with their sources (--json; --train: the training protocols)", runPresets, experiment.Table.FlagOf},
	{"report", "(re)write report.html for a search run folder (aggregate.html for a sweep folder)", runReport, nil},
	{"sweep", "run a grid of searches, algorithms × seeds × …, locally (--jobs N) or on Slurm; gaea sweep status DIR", runSweep, experiment.Table.FlagOf},
	{"aggregate", "tables (mean ± std over seeds) and curves of a sweep's results: aggregate.html, .csv, .json", runAggregate, nil},
	{"train", "train an architecture from scratch (--space nb201 --arch S | --space darts --genotype G | --from RUN_DIR)", runTrain, scratch.Table.FlagOf},
	{"lookup", "print a genotype's entry in its space's benchmark (NAS-Bench-201 by default) as JSON", runLookup, nil},
	{"params", "print the parameter count of a discrete network (--space nb201 or darts)", runParams, nil},
	{"data", "load a data set (downloading it if needed) and print its sizes, statistics and search split as JSON", runData, nil},
	{"simplex", "compare the geometries (entropic, euclidean, softmax) on c·θ over the simplex", runSimplex, nil},
	{"backend", "say which GoMLX backend is used and check that it trains a small conv net", runBackend, nil},
	{"version", "print the version", runVersion, nil},
}

func runVersion(args []string) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	fs.Usage = func() { fmt.Fprintf(fs.Output(), "Usage: gaea version\n\nPrints the version.\n") }
	if err := parse(fs, args); err != nil {
		return err
	}
	fmt.Println("gaea", version)
	return nil
}

// parse parses a command's flags (cli.Parse) and refuses positional arguments.
func parse(fs *flag.FlagSet, args []string) error {
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	return cli.NoArgs(fs)
}

func usage() {
	fmt.Fprintf(os.Stderr, "gaea — geometry-aware neural architecture search (GAEA) on GoMLX\n\nUsage:\n  gaea <command> [flags]\n\nCommands:\n")
	for _, c := range commands {
		fmt.Fprintf(os.Stderr, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(os.Stderr, "\nRun 'gaea help <command>' (or 'gaea <command> -h') for a command's flags.\n"+
		"Exit status: 0 ok, 1 failure (the command was right, the work failed), 2 usage (the command line must change).\n")
}

func main() {
	if len(os.Args) < 2 {
		usage()
		os.Exit(2)
	}
	name, args := os.Args[1], os.Args[2:]
	if name == "-h" || name == "--help" || name == "help" {
		if name != "help" || len(args) == 0 {
			usage()
			return
		}
		switch {
		case len(args) == 2 && args[0] == "sweep" && args[1] == "status":
			name, args = "sweep", []string{"status", "-h"}
		case len(args) > 1:
			fmt.Fprintf(os.Stderr, "gaea help: want one command, got %d arguments\n", len(args))
			os.Exit(2)
		default:
			name, args = args[0], []string{"-h"} // gaea help CMD: CMD's usage
		}
	}
	for _, c := range commands {
		if c.name != name {
			continue
		}
		err := c.run(args)
		if err == nil || errors.Is(err, flag.ErrHelp) {
			return // -h: the usage was printed
		}
		// A setting's error names its flag here; the library's errors start with their package's
		// name, and "gaea sweep: sweep: …" would say it twice.
		msg := err.Error()
		if c.flagOf != nil {
			msg = cli.Flagged(err, c.flagOf)
		}
		if strings.ContainsAny(msg, "\r\n") { // every error is one line on stderr
			msg = strings.Join(strings.Fields(msg), " ")
		}
		fmt.Fprintf(os.Stderr, "gaea %s: %s\n", name, strings.TrimPrefix(msg, name+": "))
		var exit *cli.ExitError
		switch {
		case errors.As(err, &exit):
			os.Exit(exit.Code) // an interruption: 130, 143
		case cli.IsUsage(err):
			os.Exit(2)
		}
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "gaea: unknown command %q (run 'gaea help')\n", text.Abbrev(name))
	os.Exit(2)
}
