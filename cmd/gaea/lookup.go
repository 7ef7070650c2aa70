package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/gaeanas/gaeanas/experiment"
	"github.com/gaeanas/gaeanas/spaces/nb201"
)

// runLookup implements `gaea lookup 'ARCH'` and `gaea lookup --index N`: one NAS-Bench-201 architecture's
// benchmark entry from the table embedded in package nb201, as one JSON object.
func runLookup(args []string) error { return lookupTo(os.Stdout, args) }

func lookupTo(w io.Writer, args []string) error {
	fs := flag.NewFlagSet("lookup", flag.ContinueOnError)
	index := fs.Int("index", -1, "look up the architecture with this benchmark index (0..15624) instead of a string")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gaea lookup 'ARCH' | gaea lookup --index N\n\n"+
			"Prints the NAS-Bench-201 entry of an architecture (e.g. '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|')\n"+
			"as one JSON object: index, arch, test accuracy (%%) on CIFAR-10, CIFAR-100 and ImageNet16-120 (200 epochs,\n"+
			"seed-averaged) and the rank on each (1 = best; ties share the best rank).\n\n")
		printDefaults(fs)
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	indexSet := false
	fs.Visit(func(f *flag.Flag) { indexSet = indexSet || f.Name == "index" })
	var (
		e   nb201.Entry
		err error
	)
	switch {
	case fs.NArg() > 1:
		return usagef("want one architecture string, got %d arguments (quote the string)", fs.NArg())
	case indexSet && fs.NArg() == 1:
		return usagef("give an architecture string or --index, not both")
	case indexSet:
		e, err = nb201.LookupIndex(*index)
	case fs.NArg() == 1:
		e, err = nb201.LookupString(fs.Arg(0))
	default:
		return usagef("missing architecture string (or --index N); see gaea lookup -h")
	}
	if err != nil {
		return usageError{err} // a malformed string or an index out of range
	}
	out, err := json.Marshal(experiment.NB201EntryOf(e))
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", out)
	return err
}
