package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/gaeanas/gaeanas/experiment"
	"github.com/gaeanas/gaeanas/internal/cli"
)

func runSearch(args []string) error {
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	c := experiment.AddSearchCommand(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gaea search [flags]\n       gaea search --resume DIR\n\n"+
			"Runs a weight-sharing architecture search and writes settings.json, history.jsonl, checkpoints,\n"+
			"result.json and report.html to the output folder. With no flags: a quick GAEA search on the\n"+
			"NAS-Bench-201 space over the CIFAR-10 sample embedded in the binary. Every value not given comes\n"+
			"from the preset (gaea presets --space S --algo A shows them with their sources). A boolean flag\n"+
			"takes --name, --name=false or --name false.\n\n")
		cli.PrintDefaults(fs)
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	ctx, sig := cli.SignalContext()
	return c.Run(ctx, sig, os.Stdout)
}
