package main

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/gaeanas/gaeanas/data"
	"github.com/gaeanas/gaeanas/experiment"
	"github.com/gaeanas/gaeanas/internal/text"
)

func runPresets(args []string) error {
	fs := flag.NewFlagSet("presets", flag.ContinueOnError)
	space := fs.String("space", "", "only this space (nb201, darts, tiny)")
	algo := fs.String("algo", "", "only this algorithm ("+joinAlgos()+")")
	preset := fs.String("preset", "paper", "quick or paper")
	dataset := fs.String("dataset", "", "data set (default: the preset's)")
	asJSON := fs.Bool("json", false, "print a JSON array with one object per (space, algorithm): the settings.json keys and their sources")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gaea presets [--space S] [--algo A] [--preset quick|paper] [--dataset D] [--json]\n\n"+
			"Prints the resolved settings of a preset for each (space, algorithm), every value with its source (the\n"+
			"reference configuration file and key, or the paper).\n\n")
		printDefaults(fs)
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", text.Abbrev(fs.Arg(0)))
	}
	// Each flag on its own first, so that the error names the flag that is wrong.
	if p := experiment.Preset(*preset); p != experiment.Quick && p != experiment.Paper {
		return usagef("--preset %q: want quick or paper", text.Abbrev(*preset))
	}
	if *space != "" && !slices.Contains(experiment.Spaces(), experiment.Space(*space)) {
		return usagef("--space %q: want nb201, darts or tiny", text.Abbrev(*space))
	}
	if *algo != "" && !slices.Contains(experiment.Algos(), experiment.Algo(*algo)) {
		return usagef("--algo %q: want one of %s", text.Abbrev(*algo), joinAlgos())
	}
	if *dataset != "" {
		if err := data.Check(*dataset); err != nil {
			return usagef("--dataset: %v", strings.TrimPrefix(err.Error(), "data: "))
		}
	}
	var all []experiment.Settings
	for _, sp := range experiment.Spaces() {
		if *space != "" && string(sp) != *space {
			continue
		}
		for _, a := range experiment.Algos() {
			if *algo != "" && string(a) != *algo {
				continue
			}
			st, err := experiment.Defaults(experiment.Preset(*preset), sp, a, *dataset)
			if err != nil {
				if *space != "" && *algo != "" {
					return usageError{err}
				}
				continue // a pair that does not exist (e.g. pcdarts on nb201)
			}
			all = append(all, st)
		}
	}
	if len(all) == 0 {
		return usagef("no preset for --space %s --algo %s (see gaea presets -h)", *space, *algo)
	}
	if *asJSON {
		return printJSON(os.Stdout, all)
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
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
