package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gaeanas/gaeanas/experiment"
	"github.com/gaeanas/gaeanas/internal/cli"
	"github.com/gaeanas/gaeanas/internal/text"
	"github.com/gaeanas/gaeanas/spaces"
)

// runLookup implements `gaea lookup 'GENOTYPE'` and `gaea lookup --index N`: one genotype's entry in
// its space's benchmark (spaces.Descriptor.Benchmark, NAS-Bench-201's table by default, or the file a
// space's benchmark lives in: --nb101 FILE for NAS-Bench-1Shot1), as one JSON object.
func runLookup(args []string) error { return lookupTo(os.Stdout, args) }

func lookupTo(w io.Writer, args []string) error {
	fs := flag.NewFlagSet("lookup", flag.ContinueOnError)
	benchmarked := spaces.Which(func(d *spaces.Descriptor) bool { return d.HasBenchmark() })
	space := fs.String("space", "nb201", "a space with a benchmark: "+strings.Join(benchmarked, ", "))
	index := fs.Int("index", -1, "look up the architecture with this benchmark index (NAS-Bench-201: 0..15624) instead of a string")
	files := experiment.AddBenchmarkFileFlags(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gaea lookup 'ARCH' | gaea lookup --index N [--space S]\n\n"+
			"Prints the benchmark entry of an architecture (e.g. '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|')\n"+
			"as one JSON object: index, arch, test accuracy (%%) on each of the benchmark's data sets (NAS-Bench-201: CIFAR-10,\n"+
			"CIFAR-100 and ImageNet16-120 after 200 epochs, seed-averaged) and the rank on each (1 = best; ties share the best rank).\n"+
			"The NAS-Bench-1Shot1 spaces look a cell ('1:conv3x3-bn-relu(0) 2:maxpool3x3(0,1) … out(2,4)') up in NAS-Bench-101's\n"+
			"nasbench_only108.tfrecord, which --nb101 FILE or $GAEA_NB101 names: the mean CIFAR-10 test and validation accuracy\n"+
			"of its three runs, ranks among the space's modules and the regret against the space's best (percentage points).\n\n")
		cli.PrintDefaults(fs)
	}
	if err := cli.Parse(fs, args); err != nil {
		return err
	}
	d, err := spaces.Lookup(*space)
	if err != nil || !d.HasBenchmark() {
		return cli.Usagef("--space %q: want %s", text.Abbrev(*space), strings.Join(benchmarked, " or "))
	}
	given := cli.Given(fs)
	indexSet := given["index"]
	switch {
	case fs.NArg() > 1:
		return cli.Usagef("want one architecture string, got %d arguments (quote the string)", fs.NArg())
	case indexSet && fs.NArg() == 1:
		return cli.Usagef("give an architecture string or --index, not both")
	case !indexSet && fs.NArg() == 0:
		return cli.Usagef("missing architecture string (or --index N); see gaea lookup -h")
	}
	path, err := files.For(d, given)
	if err != nil {
		return cli.Usage(err)
	}
	bench, err := d.OpenBenchmark(path, func(done, total int64) { readingProgress(path, done, total) })
	var none *spaces.NoBenchmarkError
	switch {
	case errors.As(err, &none):
		return cli.Usage(err)
	case err != nil:
		return err
	}
	var e *spaces.BenchmarkEntry
	if indexSet {
		e, err = bench.Entry(*index)
	} else {
		e, err = bench.Lookup(fs.Arg(0))
	}
	if err != nil {
		return cli.Usage(err) // a malformed string, an index out of range, a cell not in the file
	}
	out, err := json.Marshal(e)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", out)
	return err
}

// readingProgress shows on stderr how far the first read of a benchmark file (the NAS-Bench-101 file,
// indexed once) has come.
func readingProgress(path string, done, total int64) {
	fmt.Fprintf(os.Stderr, "\rreading %s: %d of %d MB", path, done>>20, total>>20)
	if done == total {
		fmt.Fprintln(os.Stderr)
	}
}
