package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

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
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	if *train {
		for _, name := range scratch.Trainable() {
			rows, err := scratch.Protocol(name)
			if *space != "" && name != *space || err != nil {
				continue
			}
			fmt.Fprintf(w, "== %s (gaea train)\n", name)
			for _, r := range rows {
				fmt.Fprintf(w, "%s\t%v\t%s\n", r.Key, r.Value, r.Source)
			}
			fmt.Fprintln(w)
		}
		return w.Flush()
	}
	// Each name on its own first, so that the error names the one that is wrong.
	if err := experiment.Table.CheckValue("preset", *preset); err != nil {
		return cli.Usage(err)
	}
	if *space != "" {
		if _, err := (&experiment.Settings{Space: *space}).Descriptor(); err != nil {
			return cli.Usage(err)
		}
	}
	if *algo != "" {
		if err := experiment.Table.CheckValue("algo", *algo); err != nil {
			return cli.Usage(err)
		}
	}
	if *dataset != "" {
		if err := data.Check(*dataset); err != nil {
			return cli.Usagef("--dataset: %v", strings.TrimPrefix(err.Error(), "data: "))
		}
	}
	var all []experiment.Settings
	for _, sp := range spaces.Names() {
		for _, a := range experiment.Algos() {
			if (*space != "" && sp != *space) || (*algo != "" && string(a) != *algo) {
				continue
			}
			st, err := experiment.Defaults(experiment.Preset(*preset), sp, a, *dataset)
			if err != nil {
				if *space != "" && *algo != "" {
					return cli.Usage(err)
				}
				continue // a pair that does not exist (e.g. pcdarts on nb201)
			}
			all = append(all, st)
		}
	}
	if len(all) == 0 {
		return cli.Usagef("no preset for --space %s --algo %s (see gaea presets -h)", *space, *algo)
	}
	if *asJSON {
		return cli.PrintJSON(os.Stdout, all)
	}
	for _, st := range all {
		fmt.Fprintf(w, "== %s %s (%s)\n", st.Space, st.Algo, st.Preset)
		for _, key := range experiment.Keys() {
			v, _ := st.Get(key)
			fmt.Fprintf(w, "%s\t%v\t%s\n", key, v, st.Sources[key])
		}
		fmt.Fprintln(w)
	}
	return w.Flush()
}
