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

func paramsDARTSTo(w io.Writer, args []string) error {
	fs := flag.NewFlagSet("params --space darts", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	space := fs.String("space", "darts", "search space (darts)")
	genotype := fs.String("genotype", "", "the genotype, `Genotype(normal=[…], …)` as PyTorch prints it, or a known name: "+strings.Join(knownGenotypeNames(), ", "))
	channels := fs.Int("channels", 36, "initial channels C (48 with --imagenet)")
	layers := fs.Int("layers", 20, "number of cells (14 with --imagenet)")
	classes := fs.Int("classes", 10, "number of classes (1000 with --imagenet)")
	auxiliary := fs.Bool("auxiliary", false, "count the auxiliary head too")
	imagenet := fs.Bool("imagenet", false, "NetworkImageNet instead of NetworkCIFAR")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			fs.SetOutput(os.Stderr)
			fs.PrintDefaults()
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if *space != "darts" {
		return fmt.Errorf("--space %q: this handles darts", *space)
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
		return fmt.Errorf("--genotype is required")
	}
	if *channels < 2 || *channels%2 != 0 {
		return fmt.Errorf("--channels must be even and ≥ 2, got %d", *channels)
	}
	if *layers < 1 {
		return fmt.Errorf("--layers must be ≥ 1, got %d", *layers)
	}
	if *classes < 1 {
		return fmt.Errorf("--classes must be ≥ 1, got %d", *classes)
	}
	g, ok := darts.KnownGenotypes[*genotype]
	if !ok {
		var err error
		if g, err = darts.ParseGenotype(*genotype); err != nil {
			return err
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
