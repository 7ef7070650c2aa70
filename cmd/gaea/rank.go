package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/gaeanas/gaeanas/experiment"
	"github.com/gaeanas/gaeanas/internal/cli"
)

// runRank implements `gaea rank RUN_DIR`: the rank disorder of a search run's supernet (experiment.Rank).
func runRank(args []string) error { return rankTo(os.Stdout, os.Stderr, args) }

func rankTo(w, progress io.Writer, args []string) error {
	fs := flag.NewFlagSet("rank", flag.ContinueOnError)
	fs.SetOutput(progress)
	c := experiment.AddRankCommand(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gaea rank RUN_DIR [flags]\n\n"+
			"Does the supernet rank architectures as training them alone would? Restores the search run's last checkpoint,\n"+
			"evaluates architectures of its space's benchmark (the best --top and --random others) as single paths of the\n"+
			"supernet with the shared weights, on the first --images test images, and prints Kendall's τ-b and Spearman's ρ\n"+
			"of that accuracy, and of the probability θ gives each architecture, against the benchmark's stand-alone\n"+
			"accuracy, with confidence intervals (Fisher's z and the bootstrap over architectures). The run folder is not\n"+
			"changed. Needs a space with a benchmark and single-path genotypes (NAS-Bench-201).\n\n")
		cli.PrintDefaults(fs)
	}
	dir, err := cli.RunFolderArg(fs, args, "a training run folder; gaea rank ranks architectures on a search's supernet",
		"a sweep folder; rank one of its runs (a folder under it)")
	if err != nil {
		return err
	}
	ctx, sig := cli.SignalContext()
	return c.Run(ctx, sig, dir, w, progress)
}
