package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gaeanas/gaeanas/experiment"
	"github.com/gaeanas/gaeanas/internal/text"
	"github.com/gaeanas/gaeanas/spaces/darts"
	"github.com/gaeanas/gaeanas/spaces/nb201"
)

// Bounds on the network size flags of `gaea params`, far above any real network, so that the count
// cannot overflow.
const (
	maxParamsChannels = 4096
	maxParamsCells    = 1000
	maxParamsClasses  = 100000
)

// runParams implements `gaea params --space nb201 --arch A | --space darts --genotype G`: the parameter
// count of a discrete network as a bare integer (weights and batch-norm scale/offset as PyTorch counts
// them; DARTS without the auxiliary head unless --auxiliary, as the papers count: DARTS_V2 3349342).
func runParams(args []string) error { return paramsTo(os.Stdout, args) }

func paramsTo(w io.Writer, args []string) error {
	fs := flag.NewFlagSet("params", flag.ContinueOnError)
	space := fs.String("space", "nb201", "nb201 or darts")
	arch := fs.String("arch", "", "nb201: the architecture string, e.g. '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|'")
	genotype := fs.String("genotype", "", "darts: `Genotype(normal=[…], …)` as PyTorch prints it, or a known name: "+strings.Join(experiment.KnownDARTSNames(), ", "))
	channels := fs.Int("channels", 0, fmt.Sprintf("channels C (default nb201 16, darts 36, darts --imagenet 48; at most %d)", maxParamsChannels))
	cells := fs.Int("cells", 0, fmt.Sprintf("nb201: cells per stage N (default 5; at most %d)", maxParamsCells))
	layers := fs.Int("layers", 0, fmt.Sprintf("darts: cells of the network (default 20, --imagenet 14; at most %d)", maxParamsCells))
	classes := fs.Int("classes", 0, fmt.Sprintf("classes (default 10, darts --imagenet 1000; at most %d)", maxParamsClasses))
	auxiliary := fs.Bool("auxiliary", false, "darts: count the auxiliary head too")
	imagenet := fs.Bool("imagenet", false, "darts: NetworkImageNet instead of NetworkCIFAR")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gaea params --space nb201 --arch 'ARCH' [flags]\n       gaea params --space darts --genotype G [flags]\n\n"+
			"Prints the parameter count of a discrete network as a bare integer: the NAS-Bench-201 network, or the\n"+
			"DARTS evaluation network (NetworkCIFAR, NetworkImageNet with --imagenet) without the auxiliary head.\n\n")
		printDefaults(fs)
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	def := func(name string, v *int, d int) { // a flag not given takes the network's default
		if !set[name] {
			*v = d
		}
	}
	for name, v := range map[string]int{"--channels": *channels, "--cells": *cells, "--layers": *layers, "--classes": *classes} {
		if set[strings.TrimPrefix(name, "--")] && v < 1 {
			return usagef("%s must be ≥ 1, got %d", name, v)
		}
	}
	switch *space {
	case "nb201":
		if *genotype != "" || *auxiliary || *imagenet || set["layers"] {
			return usagef("--genotype, --layers, --auxiliary and --imagenet are for --space darts")
		}
		if *arch == "" {
			return usagef("--arch is required")
		}
		def("channels", channels, 16)
		def("cells", cells, 5)
		def("classes", classes, 10)
		if err := paramsBounds(*channels, *cells, *classes, "--cells"); err != nil {
			return err
		}
		a, err := nb201.ParseArch(*arch)
		if err != nil {
			return usageError{err}
		}
		_, err = fmt.Fprintln(w, nb201.ParamCount(a, *channels, *cells, *classes))
		return err
	case "darts":
		if *arch != "" || set["cells"] {
			return usagef("--arch and --cells are for --space nb201")
		}
		if *genotype == "" {
			return usagef("--genotype is required")
		}
		def("channels", channels, map[bool]int{false: 36, true: 48}[*imagenet])
		def("layers", layers, map[bool]int{false: 20, true: 14}[*imagenet])
		def("classes", classes, map[bool]int{false: 10, true: 1000}[*imagenet])
		if *channels%2 != 0 {
			return usagef("--channels must be even, got %d", *channels)
		}
		if err := paramsBounds(*channels, *layers, *classes, "--layers"); err != nil {
			return err
		}
		g, ok := darts.KnownGenotypes[*genotype]
		if !ok {
			var err error
			if g, err = darts.ParseGenotype(*genotype); err != nil {
				return usageError{err}
			}
		}
		n := darts.NewNetwork(g).Channels(*channels).Layers(*layers).Classes(*classes).Auxiliary(*auxiliary).ImageNet(*imagenet)
		_, err := fmt.Fprintln(w, n.ParamCount())
		return err
	}
	return usagef("--space %q: want nb201 or darts", text.Abbrev(*space))
}

func paramsBounds(channels, cells, classes int, cellsFlag string) error {
	switch {
	case channels > maxParamsChannels:
		return usagef("--channels %d is too large (at most %d)", channels, maxParamsChannels)
	case cells > maxParamsCells:
		return usagef("%s %d is too large (at most %d)", cellsFlag, cells, maxParamsCells)
	case classes > maxParamsClasses:
		return usagef("--classes %d is too large (at most %d)", classes, maxParamsClasses)
	}
	return nil
}
