package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gaeanas/gaeanas/spaces/darts"
)

// paramsDARTS implements `gaea params --space darts`: it prints the parameter count of the DARTS
// evaluation network of a genotype as a bare integer. args are all the arguments after `params`
// (--space darts included).
//
// The count follows the reference papers: without the auxiliary head unless --auxiliary is given
// (DARTS_V2 on CIFAR-10: 3349342). --imagenet selects NetworkImageNet, whose defaults become the
// reference's C = 48, 14 layers, 1000 classes.
func paramsDARTS(args []string) error { return paramsDARTSTo(os.Stdout, args) }

type paramsDARTSArgs struct {
	space, genotype           *string
	channels, layers, classes *int
	auxiliary, imagenet       *bool
}

func paramsDARTSFlags() (*flag.FlagSet, paramsDARTSArgs) {
	fs := flag.NewFlagSet("params --space darts", flag.ContinueOnError)
	var p paramsDARTSArgs
	p.space = fs.String("space", "darts", "search space (darts)")
	p.genotype = fs.String("genotype", "", "the genotype, `Genotype(normal=[…], …)` as PyTorch prints it, or a known name: "+strings.Join(knownGenotypeNames(), ", "))
	p.channels = fs.Int("channels", 36, fmt.Sprintf("initial channels C, even (48 with --imagenet; at most %d)", maxParamsChannels))
	p.layers = fs.Int("layers", 20, fmt.Sprintf("number of cells (14 with --imagenet; at most %d)", maxParamsCells))
	p.classes = fs.Int("classes", 10, fmt.Sprintf("number of classes (1000 with --imagenet; at most %d)", maxParamsClasses))
	p.auxiliary = fs.Bool("auxiliary", false, "count the auxiliary head too")
	p.imagenet = fs.Bool("imagenet", false, "NetworkImageNet instead of NetworkCIFAR")
	fs.Usage = func() { paramsUsage(fs.Output()) }
	return fs, p
}

func paramsDARTSTo(w io.Writer, args []string) error {
	fs, p := paramsDARTSFlags()
	space, genotype, channels, layers, classes, auxiliary, imagenet := p.space, p.genotype, p.channels, p.layers, p.classes, p.auxiliary, p.imagenet
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	if *space != "darts" {
		return usagef("--space %q: this handles darts", *space)
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if *imagenet {
		if !set["channels"] {
			*channels = 48
		}
		if !set["layers"] {
			*layers = 14
		}
		if !set["classes"] {
			*classes = 1000
		}
	}
	if *genotype == "" {
		return usagef("--genotype is required")
	}
	if *channels < 2 || *channels%2 != 0 {
		return usagef("--channels must be even and ≥ 2, got %d", *channels)
	}
	if *layers < 1 {
		return usagef("--layers must be ≥ 1, got %d", *layers)
	}
	if *classes < 1 {
		return usagef("--classes must be ≥ 1, got %d", *classes)
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
	n := darts.NewNetwork(g).Channels(*channels).Layers(*layers).Classes(*classes).
		Auxiliary(*auxiliary).ImageNet(*imagenet)
	_, err := fmt.Fprintln(w, n.ParamCount())
	return err
}

func knownGenotypeNames() []string {
	return []string{"DARTS_V1", "DARTS_V2", "PC_DARTS", "PC_DARTS_IMAGENET"}
}
