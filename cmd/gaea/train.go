package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/gaeanas/gaeanas/internal/cli"
	"github.com/gaeanas/gaeanas/scratch"
)

func runTrain(args []string) error {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	c := scratch.AddTrainCommand(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gaea train --space nb201 --arch ARCH | --space darts --genotype G | --from RUN_DIR [flags]\n"+
			"       gaea train --resume DIR\n\n"+
			"Trains the discrete network of an architecture from scratch with its space's reference protocol (every\n"+
			"value not given: gaea presets --train shows them with their sources; NB201: 200 epochs, SGD Nesterov\n"+
			"0.9, lr 0.1 cosine, wd 5e-4, batch 256; DARTS: 600 epochs, batch 96, lr 0.025 cosine, cutout 16,\n"+
			"auxiliary 0.4, drop-path 0.2, grad clip 5), evaluates on the test set after every epoch and writes\n"+
			"history.jsonl, checkpoints and result.json to the output folder. The names are gaea search's:\n"+
			"--weight-lr, --weight-decay (--lr and --wd still work).\n\n")
		cli.PrintDefaults(fs)
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	ctx, sig := cli.SignalContext()
	return c.Run(ctx, sig, os.Stdout)
}

// runParams implements `gaea params --space S --genotype G`: the parameter count of a space's network.
func runParams(args []string) error { return paramsTo(os.Stdout, args) }

func paramsTo(w io.Writer, args []string) error {
	fs := flag.NewFlagSet("params", flag.ContinueOnError)
	c := scratch.AddParamsCommand(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gaea params --space nb201 --arch 'ARCH' [flags]\n       gaea params --space darts --genotype G [flags]\n\n"+
			"Prints the parameter count of a space's stand-alone network as a bare integer: the NAS-Bench-201 network,\n"+
			"or the DARTS evaluation network (NetworkCIFAR, NetworkImageNet with --imagenet) without the auxiliary head.\n\n")
		cli.PrintDefaults(fs)
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	return c.Run(w)
}
