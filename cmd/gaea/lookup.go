package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gaeanas/gaeanas/internal/cli"
	"github.com/gaeanas/gaeanas/internal/text"
	"github.com/gaeanas/gaeanas/spaces"
)

// runLookup implements `gaea lookup 'GENOTYPE'` and `gaea lookup --index N`: one genotype's entry in
// its space's benchmark (spaces.Descriptor.Benchmark; NAS-Bench-201's table by default), as one JSON
// object.
func runLookup(args []string) error { return lookupTo(os.Stdout, args) }

func lookupTo(w io.Writer, args []string) error {
	fs := flag.NewFlagSet("lookup", flag.ContinueOnError)
	benchmarked := spaces.Which(func(d *spaces.Descriptor) bool { return d.Benchmark != nil })
	space := fs.String("space", "nb201", "a space with a benchmark: "+strings.Join(benchmarked, ", "))
	index := fs.Int("index", -1, "look up the architecture with this benchmark index (NAS-Bench-201: 0..15624) instead of a string")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gaea lookup 'ARCH' | gaea lookup --index N [--space S]\n\n"+
			"Prints the benchmark entry of an architecture (e.g. '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|')\n"+
			"as one JSON object: index, arch, test accuracy (%%) on each of the benchmark's data sets (NAS-Bench-201: CIFAR-10,\n"+
			"CIFAR-100 and ImageNet16-120 after 200 epochs, seed-averaged) and the rank on each (1 = best; ties share the best rank).\n\n")
		cli.PrintDefaults(fs)
	}
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	d, err := spaces.Lookup(*space)
	if err != nil || d.Benchmark == nil {
		return cli.Usagef("--space %q: want %s", text.Abbrev(*space), strings.Join(benchmarked, " or "))
	}
	indexSet := cli.Given(fs)["index"]
	var e *spaces.BenchmarkEntry
	switch {
	case fs.NArg() > 1:
		return cli.Usagef("want one architecture string, got %d arguments (quote the string)", fs.NArg())
	case indexSet && fs.NArg() == 1:
		return cli.Usagef("give an architecture string or --index, not both")
	case indexSet:
		e, err = d.Benchmark.Entry(*index)
	case fs.NArg() == 1:
		e, err = d.Benchmark.Lookup(fs.Arg(0))
	default:
		return cli.Usagef("missing architecture string (or --index N); see gaea lookup -h")
	}
	if err != nil {
		return cli.Usage(err) // a malformed string or an index out of range
	}
	out, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", out)
	return err
}
