package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/gaeanas/gaeanas/experiment"
	"github.com/gaeanas/gaeanas/internal/cli"
	"github.com/gaeanas/gaeanas/internal/text"
	"github.com/gaeanas/gaeanas/rundir"
	"github.com/gaeanas/gaeanas/stats"
)

// runRank implements `gaea rank RUN_DIR`: the rank disorder of a search run's supernet (experiment.Rank).
func runRank(args []string) error { return rankTo(os.Stdout, os.Stderr, args) }

func rankTo(w, progress io.Writer, args []string) error {
	fs := flag.NewFlagSet("rank", flag.ContinueOnError)
	fs.SetOutput(progress)
	top := fs.Int("top", experiment.DefaultRankTop, "evaluate the benchmark's best N architectures that the supernet can express")
	random := fs.Int("random", experiment.DefaultRankRandom, "and N others drawn uniformly among those it can express")
	seed := fs.Int64("seed", 1, "seed of the random architectures")
	images := fs.Int("images", experiment.DefaultRankImages, "held-out images: the first N of the data set's test split")
	batch := fs.Int("batch", experiment.DefaultRankBatch, "images per held-out batch (dividing --images; batch norm uses each batch's statistics)")
	against := fs.String("benchmark-dataset", "", "the benchmark's data set to rank against (default: the run's data set when the benchmark has it, else its first)")
	level := fs.Float64("level", experiment.DefaultRankLevel, "confidence level of the intervals")
	resamples := fs.Int("resamples", experiment.DefaultRankResamples, "bootstrap resamples")
	dataDir := fs.String("data-dir", "", "data directory (default the run's, else $GAEA_DATA, else a per-user cache folder)")
	be := fs.String("backend", "", "GoMLX backend (default $GOMLX_BACKEND, else the best available)")
	jsonOut := fs.String("json", "", "also write every architecture's scores and the correlations to this JSON file")
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
	pos, err := cli.Interspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return cli.Usagef("want one run folder, got %d arguments", len(pos))
	}
	dir := pos[0]
	if dir == "" {
		return cli.Usagef("empty folder name (an unset shell variable?)")
	}
	switch {
	case *top < 0 || *random < 0:
		return cli.Usagef("--top %d and --random %d must not be negative", *top, *random)
	case *top+*random < 5:
		return cli.Usagef("--top %d and --random %d: the intervals need at least 5 architectures", *top, *random)
	case *images < 1 || *batch < 1 || *images%*batch != 0:
		return cli.Usagef("--images %d and --batch %d: want positive numbers, --batch dividing --images", *images, *batch)
	case !(*level > 0 && *level < 1):
		return cli.Usagef("--level %g: want a number between 0 and 1", *level)
	case *resamples < 10:
		return cli.Usagef("--resamples %d: want at least 10", *resamples)
	}
	switch rundir.KindOf(dir) {
	case rundir.Missing:
		return cli.Usagef("%s: no such folder", text.Abbrev(dir))
	case rundir.File:
		return cli.Usagef("%s: a file, not a run folder", dir)
	case rundir.Folder:
		return cli.Usagef("%s: %v (no %s)", dir, experiment.ErrNotRun, experiment.SettingsFile)
	case rundir.Training:
		return cli.Usagef("%s: a training run folder; gaea rank ranks architectures on a search's supernet", dir)
	case rundir.Sweep:
		return cli.Usagef("%s: a sweep folder; rank one of its runs (a folder under it)", dir)
	case rundir.OtherRun:
		return cli.Usagef("%s: its %s describes no search", dir, experiment.SettingsFile)
	}
	if *jsonOut != "" {
		if fi, err := os.Stat(*jsonOut); err == nil && fi.IsDir() {
			return cli.Usagef("--json %s: a folder, not a file", *jsonOut)
		}
		parent := filepath.Dir(*jsonOut)
		if fi, err := os.Stat(parent); err != nil || !fi.IsDir() {
			return cli.Usagef("--json %s: no folder %s", *jsonOut, parent)
		}
		if err := cli.Probe("--json", parent); err != nil {
			return err
		}
	}
	opt := experiment.RankOptions{Top: *top, Random: *random, Seed: *seed, Images: *images, Batch: *batch,
		BenchmarkDataset: *against, Level: *level, Resamples: *resamples, DataDir: *dataDir, Log: progress}
	// What the folder holds is checked before the backend is opened: a run that cannot be ranked is a
	// usage error, with nothing computed.
	if err := experiment.CheckRank(dir, opt); err != nil {
		if errors.Is(err, experiment.ErrNotRun) || errors.Is(err, experiment.ErrNoBenchmark) || errors.Is(err, experiment.ErrNoCheckpoint) ||
			errors.Is(err, experiment.ErrRankOption) {
			return cli.Usage(err)
		}
		return err
	}
	if err := cli.OpenBackend(*be); err != nil {
		return err
	}
	ctx, sig := cli.SignalContext()
	rk, err := experiment.Rank(ctx, dir, opt)
	if err != nil {
		if ctx.Err() != nil {
			return &cli.ExitError{Code: *sig, Err: fmt.Errorf("interrupted; nothing written (%v)", err)}
		}
		return err
	}
	if *jsonOut != "" {
		if err := rundir.WriteJSON(*jsonOut, rk); err != nil {
			return err
		}
	}
	return writeRanking(w, rk)
}

// writeRanking prints a Ranking: what was evaluated, then one line per correlation with its intervals.
func writeRanking(w io.Writer, rk *experiment.Ranking) error {
	count := map[string]int{}
	for _, a := range rk.Archs {
		count[a.Source]++
	}
	fmt.Fprintf(w, "%s (%s on %s, iteration %d): %d architectures (the %d best of %s that the supernet can express, %d random) on %s, backend %s, %.0f s\n",
		rk.Run, rk.Algo, rk.Space, rk.Iteration, len(rk.Archs), count["top"], rk.Benchmark, count["random"], rk.HeldOut, rk.Backend, rk.Seconds)
	line := func(what string, c stats.RankCorrelation) {
		pct := 100 * c.Level
		fmt.Fprintf(w, "%s against %s, n = %d:\n", what, rk.Benchmark, c.N)
		for _, r := range []struct {
			name string
			c    stats.Correlation
		}{{"Kendall τ-b", c.Tau}, {"Spearman ρ ", c.Rho}} {
			fmt.Fprintf(w, "  %s %+.3f   %g%% CI Fisher z %s, bootstrap %s (%d resamples)\n", r.name, r.c.Value, pct, r.c.Fisher, r.c.Bootstrap, c.Resamples)
		}
	}
	line("supernet accuracy", rk.Supernet)
	if rk.Theta != nil {
		line("θ probability", *rk.Theta)
	} else {
		fmt.Fprintf(w, "θ probability: %s\n", rk.ThetaNote)
	}
	return nil
}
