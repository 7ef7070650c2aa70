package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/gaeanas/gaeanas/spaces/nb201"
)

// runParams implements `gaea params --space SPACE …`: the parameter count of a discrete network, as a
// bare integer. It dispatches on --space; each space parses the full argument list (--space included).
func runParams(args []string) error {
	if helpRequested(args) {
		paramsUsage(os.Stderr)
		return flag.ErrHelp
	}
	space, err := spaceFlag(args)
	if err != nil {
		return err
	}
	switch space {
	case "nb201":
		return paramsNB201To(os.Stdout, args)
	case "darts":
		return paramsDARTS(args) // cmd/gaea/params_darts.go
	default:
		return usagef("--space %q: want nb201 or darts", space)
	}
}

// Bounds on the network size flags of `gaea params`, far above any real network, so that the count
// cannot overflow.
const (
	maxParamsChannels = 4096
	maxParamsCells    = 1000
	maxParamsClasses  = 100000
)

// helpRequested reports whether args ask for help (-h, -help, --help before a "--").
func helpRequested(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "-help", "--help", "-h=true", "--help=true", "-help=true":
			return true
		}
	}
	return false
}

// paramsUsage prints the usage of `gaea params` for both spaces.
func paramsUsage(w io.Writer) {
	nb, _ := paramsNB201Flags()
	nb.SetOutput(w)
	nb.Usage()
	d, _ := paramsDARTSFlags()
	fmt.Fprintf(w, "\nUsage: gaea params --space darts --genotype G [flags]\n\n"+
		"Prints the parameter count of the DARTS evaluation network (NetworkCIFAR, or NetworkImageNet with --imagenet)\n"+
		"of a genotype as a bare integer, without the auxiliary head unless --auxiliary is given (DARTS_V2: 3349342).\n\n")
	d.SetOutput(w)
	d.PrintDefaults()
}

// spaceFlag finds the value of --space (or -space, --space=…) in args; "nb201" when absent.
func spaceFlag(args []string) (string, error) {
	for i, a := range args {
		if a == "--" {
			break
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if !strings.HasPrefix(a, "-") || name != "space" {
			continue
		}
		if hasValue {
			return value, nil
		}
		if i+1 >= len(args) {
			return "", usagef("--space needs a value: nb201 or darts")
		}
		return args[i+1], nil
	}
	return "nb201", nil
}

type paramsNB201Args struct {
	arch                     *string
	classes, channels, cells *int
}

func paramsNB201Flags() (*flag.FlagSet, paramsNB201Args) {
	fs := flag.NewFlagSet("params --space nb201", flag.ContinueOnError)
	fs.String("space", "nb201", "search space: nb201 or darts")
	var p paramsNB201Args
	p.arch = fs.String("arch", "", "the NAS-Bench-201 architecture string, e.g. '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|'")
	p.classes = fs.Int("classes", 10, fmt.Sprintf("number of classes (10 CIFAR-10, 100 CIFAR-100, 120 ImageNet16-120; at most %d)", maxParamsClasses))
	p.channels = fs.Int("channels", 16, fmt.Sprintf("channels C of the first stage (at most %d)", maxParamsChannels))
	p.cells = fs.Int("cells", 5, fmt.Sprintf("cells N per stage (at most %d)", maxParamsCells))
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gaea params --space nb201 --arch 'ARCH' [flags]\n\n"+
			"Prints the parameter count of the discrete NAS-Bench-201 network (weights and batch-norm scale/offset,\n"+
			"as PyTorch counts them; no moving statistics) as a bare integer.\n\n")
		fs.PrintDefaults()
	}
	return fs, p
}

// paramsNB201To implements `gaea params --space nb201 --arch ARCH [--classes 10] [--channels 16] [--cells 5]`.
func paramsNB201To(w io.Writer, args []string) error {
	fs, p := paramsNB201Flags()
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q (the architecture goes in --arch)", fs.Arg(0))
	}
	if *p.arch == "" {
		return usagef("--arch is required")
	}
	if *p.classes < 1 || *p.channels < 1 || *p.cells < 1 {
		return usagef("--classes, --channels and --cells must be ≥ 1 (got %d, %d, %d)", *p.classes, *p.channels, *p.cells)
	}
	if err := paramsBounds(*p.channels, *p.cells, *p.classes, "--cells"); err != nil {
		return err
	}
	a, err := nb201.ParseArch(*p.arch)
	if err != nil {
		return usageError{err}
	}
	_, err = fmt.Fprintln(w, nb201.ParamCount(a, *p.channels, *p.cells, *p.classes))
	return err
}

// paramsBounds checks the size flags against the maxima (cellsFlag names the cells flag of the space).
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
