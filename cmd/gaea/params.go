package main

import (
	"errors"
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
		return fmt.Errorf("--space %q: want nb201 or darts", space)
	}
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
			return "", fmt.Errorf("--space needs a value: nb201 or darts")
		}
		return args[i+1], nil
	}
	return "nb201", nil
}

// paramsNB201To implements `gaea params --space nb201 --arch ARCH [--classes 10] [--channels 16] [--cells 5]`.
func paramsNB201To(w io.Writer, args []string) error {
	fs := flag.NewFlagSet("params --space nb201", flag.ContinueOnError)
	fs.String("space", "nb201", "search space: nb201 or darts")
	arch := fs.String("arch", "", "the NAS-Bench-201 architecture string, e.g. '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|'")
	classes := fs.Int("classes", 10, "number of classes (10 CIFAR-10, 100 CIFAR-100, 120 ImageNet16-120)")
	channels := fs.Int("channels", 16, "channels C of the first stage")
	cells := fs.Int("cells", 5, "cells N per stage")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gaea params --space nb201 --arch 'ARCH' [flags]\n\n"+
			"Prints the parameter count of the discrete NAS-Bench-201 network (weights and batch-norm scale/offset,\n"+
			"as PyTorch counts them; no moving statistics) as a bare integer.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil // -h: the usage is printed
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q (the architecture goes in --arch)", fs.Arg(0))
	}
	if *arch == "" {
		return fmt.Errorf("--arch is required")
	}
	if *classes < 1 || *channels < 1 || *cells < 1 {
		return fmt.Errorf("--classes, --channels and --cells must be ≥ 1 (got %d, %d, %d)", *classes, *channels, *cells)
	}
	a, err := nb201.ParseArch(*arch)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, nb201.ParamCount(a, *channels, *cells, *classes))
	return err
}
