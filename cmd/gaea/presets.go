package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/gaeanas/gaeanas/data"
	"github.com/gaeanas/gaeanas/experiment"
	"github.com/gaeanas/gaeanas/internal/cli"
	"github.com/gaeanas/gaeanas/scratch"
	"github.com/gaeanas/gaeanas/spaces"
)

func runPresets(args []string) error {
	fs := flag.NewFlagSet("presets", flag.ContinueOnError)
	space := fs.String("space", "", "only this space ("+strings.Join(spaces.Names(), ", ")+")")
	algo := fs.String("algo", "", "only this algorithm")
	preset := fs.String("preset", "paper", "quick or paper")
	dataset := fs.String("dataset", "", "data set (default: the preset's)")
	train := fs.Bool("train", false, "print the from-scratch training protocol of each space (gaea train's defaults) instead")
	asJSON := fs.Bool("json", false, "print a JSON array with one object per (space, algorithm): the settings.json keys and their sources")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gaea presets [--space S] [--algo A] [--preset quick|paper] [--dataset D] [--json]\n"+
			"       gaea presets --train [--space S]\n\n"+
			"Prints the resolved settings of a preset for each (space, algorithm), every value with its source (the\n"+
			"reference configuration file and key, or the paper); with --train, each space's training protocol.\n\n")
		cli.PrintDefaults(fs)
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if *train {
		return scratch.WriteProtocols(os.Stdout, *space)
	}
	if *dataset != "" {
		if err := data.Check(*dataset); err != nil {
			return cli.Usagef("--dataset: %v", strings.TrimPrefix(err.Error(), "data: "))
		}
	}
	all, err := experiment.Presets(experiment.Preset(*preset), *space, experiment.Algo(*algo), *dataset)
	if err != nil {
		return cli.Usage(err)
	}
	if *asJSON {
		return cli.PrintJSON(os.Stdout, all)
	}
	return experiment.WritePresets(os.Stdout, all)
}
