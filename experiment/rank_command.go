package experiment

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/gaeanas/gaeanas/internal/cli"
	"github.com/gaeanas/gaeanas/rundir"
	"github.com/gaeanas/gaeanas/stats"
)

// RankCommand is gaea rank's command line: RankOptions as flags, the backend and a JSON copy.
type RankCommand struct {
	top, random, images, batch, resamples *int
	seed                                  *int64
	against, dataDir, backend, json       *string
	level                                 *float64
}

// AddRankCommand defines gaea rank's flags on fs.
func AddRankCommand(fs *flag.FlagSet) *RankCommand {
	return &RankCommand{
		top:       fs.Int("top", DefaultRankTop, "evaluate the benchmark's best N architectures that the supernet can express"),
		random:    fs.Int("random", DefaultRankRandom, "and N others drawn uniformly among those it can express"),
		seed:      fs.Int64("seed", 1, "seed of the random architectures"),
		images:    fs.Int("images", DefaultRankImages, "held-out images: the first N of the data set's test split"),
		batch:     fs.Int("batch", DefaultRankBatch, "images per held-out batch (dividing --images; batch norm uses each batch's statistics)"),
		against:   fs.String("benchmark-dataset", "", "the benchmark's data set to rank against (default: the run's data set when the benchmark has it, else its first)"),
		level:     fs.Float64("level", DefaultRankLevel, "confidence level of the intervals"),
		resamples: fs.Int("resamples", DefaultRankResamples, "bootstrap resamples"),
		dataDir:   fs.String("data-dir", "", "data directory (default the run's, else $GAEA_DATA, else a per-user cache folder)"),
		backend:   fs.String("backend", "", "GoMLX backend (default $GOMLX_BACKEND, else the best available)"),
		json:      fs.String("json", "", "also write every architecture's scores and the correlations to this JSON file"),
	}
}

// Run ranks the search run in dir (experiment.Rank) and prints the Ranking to w, progress to progress.
// Every check of the command line and of the folder comes before the backend is opened: what the command
// line must fix is a cli.UsageError (the options named by their flags), an interruption a cli.ExitError.
func (c *RankCommand) Run(ctx context.Context, sig *int, dir string, w, progress io.Writer) error {
	switch {
	case *c.top < 0 || *c.random < 0:
		return cli.Usagef("--top %d and --random %d must not be negative", *c.top, *c.random)
	case *c.top+*c.random < 5:
		return cli.Usagef("--top %d and --random %d: the intervals need at least 5 architectures", *c.top, *c.random)
	case *c.images < 1 || *c.batch < 1 || *c.images%*c.batch != 0:
		return cli.Usagef("--images %d and --batch %d: want positive numbers, --batch dividing --images", *c.images, *c.batch)
	case !(*c.level > 0 && *c.level < 1):
		return cli.Usagef("--level %g: want a number between 0 and 1", *c.level)
	case *c.resamples < 10:
		return cli.Usagef("--resamples %d: want at least 10", *c.resamples)
	}
	if *c.json != "" {
		if fi, err := os.Stat(*c.json); err == nil && fi.IsDir() {
			return cli.Usagef("--json %s: a folder, not a file", *c.json)
		}
		parent := filepath.Dir(*c.json)
		if fi, err := os.Stat(parent); err != nil || !fi.IsDir() {
			return cli.Usagef("--json %s: no folder %s", *c.json, parent)
		}
		if err := cli.Probe("--json", parent); err != nil {
			return err
		}
	}
	opt := RankOptions{Top: *c.top, Random: *c.random, Seed: *c.seed, Images: *c.images, Batch: *c.batch,
		BenchmarkDataset: *c.against, Level: *c.level, Resamples: *c.resamples, DataDir: *c.dataDir, Log: progress}
	// What the folder holds is checked before the backend is opened: a run that cannot be ranked is a
	// usage error, with nothing computed.
	if err := CheckRank(dir, opt); err != nil {
		if errors.Is(err, ErrNotRun) || errors.Is(err, ErrNoBenchmark) || errors.Is(err, ErrNoCheckpoint) || errors.Is(err, ErrRankOption) {
			return cli.Usage(err)
		}
		return err
	}
	if err := cli.OpenBackend(*c.backend); err != nil {
		return err
	}
	rk, err := Rank(ctx, dir, opt)
	if err != nil {
		if ctx.Err() != nil {
			return &cli.ExitError{Code: *sig, Err: fmt.Errorf("interrupted; nothing written (%v)", err)}
		}
		return err
	}
	if *c.json != "" {
		if err := rundir.WriteJSON(*c.json, rk); err != nil {
			return err
		}
	}
	return rk.WriteText(w)
}

// WriteText prints the Ranking: what was evaluated, then one line per correlation with its intervals.
func (rk *Ranking) WriteText(w io.Writer) error {
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
		_, err := fmt.Fprintf(w, "θ probability: %s\n", rk.ThetaNote)
		return err
	}
	return nil
}
