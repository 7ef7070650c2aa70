package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/experiment"
)

// usageError is a bad command line: main exits 2 for it.
type usageError struct{ error }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// onlyResumeFlags refuses any given flag but --resume and the allowed ones: a resumed run takes its
// settings from dir/settings.json.
func onlyResumeFlags(given map[string]bool, dir string, allowed ...string) error {
	for name := range given {
		if name != "resume" && !slices.Contains(allowed, name) {
			return usagef("--resume takes every setting from %s/settings.json; drop --%s", dir, name)
		}
	}
	return nil
}

func runSearch(args []string) error {
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	space := fs.String("space", "nb201", "search space: nb201, darts or tiny (the teaching space)")
	algo := fs.String("algo", "gaea-darts", "algorithm: "+joinAlgos())
	preset := fs.String("preset", "", "quick (small supernet on the embedded CIFAR-10 sample, minutes on a CPU) or paper (the reference protocol); default: paper on a GPU, quick otherwise")
	dataDir := fs.String("data-dir", "", "data directory (default $GAEA_DATA or the user cache)")
	seed := fs.Int64("seed", 1, "random seed (weights, θ, data order)")
	checkpointEvery := fs.Int("checkpoint-every", 0, "iterations between checkpoints (default: one every 2 minutes, at the end, and on SIGINT/SIGTERM)")
	out := fs.String("out", "", "output folder (default runs/<timestamp>-<space>-<algo>); must not hold a run")
	resume := fs.String("resume", "", "continue the search in this run folder (nothing else may be given but --backend)")
	dryRun := fs.Bool("dry-run", false, "print the resolved settings with their sources as JSON and exit")
	cpuProfile := fs.String("cpuprofile", "", "write a Go CPU profile of the run to this file")
	be := fs.String("backend", "", "GoMLX backend (go, xla, xla:cuda, …); default $GOMLX_BACKEND or automatic")
	over := experiment.AddFlags(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gaea search [flags]\n       gaea search --resume DIR\n\n"+
			"Runs a weight-sharing architecture search and writes settings.json, history.jsonl, checkpoints,\n"+
			"result.json and report.html to the output folder. With no flags: a quick GAEA search on the\n"+
			"NAS-Bench-201 space over the CIFAR-10 sample embedded in the binary. Every value not given comes\n"+
			"from the preset (gaea presets --space S --algo A shows them with their sources).\n\n")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if *be != "" {
		os.Setenv(backend.EnvVar, *be)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return usagef("--cpuprofile: %v", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	ctx, sig := signalContext()
	opt := experiment.Options{Log: os.Stderr}
	if v := os.Getenv("GAEA_CHECKPOINT_INTERVAL"); v != "" { // tests and impatient users: e.g. 30s
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return usagef("GAEA_CHECKPOINT_INTERVAL=%q: want a duration such as 30s", v)
		}
		opt.CheckpointInterval = d
	}
	if *resume != "" {
		if err := onlyResumeFlags(given, *resume, "backend", "cpuprofile"); err != nil {
			return err
		}
		res, err := experiment.Resume(ctx, *resume, opt)
		if err != nil {
			return searchError(err, sig, *resume)
		}
		if res.AlreadyFinished {
			fmt.Fprintf(os.Stderr, "%s: the search already finished; nothing to do\n", *resume)
		}
		printResult(os.Stdout, res, *resume)
		return nil
	}

	if *preset == "" {
		b, err := backend.New()
		if err != nil {
			return err
		}
		*preset = "quick"
		why := "no GPU backend (" + b.Name() + ")"
		if name := backend.Name(); strings.Contains(name, "cuda") || strings.Contains(name, "gpu") {
			*preset, why = "paper", "GPU backend "+name
		}
		if !*dryRun {
			fmt.Fprintf(os.Stderr, "preset: %s (%s; choose with --preset quick|paper)\n", *preset, why)
		}
	}
	st, err := experiment.Defaults(experiment.Preset(*preset), experiment.Space(*space), experiment.Algo(*algo), "")
	if err != nil {
		return usageError{err}
	}
	st.Seed, st.DataDir, st.CheckpointEvery = *seed, *dataDir, *checkpointEvery
	if given["seed"] {
		st.Sources["seed"] = "command line"
	}
	if err := st.Apply(over); err != nil {
		return usageError{err}
	}
	if *dryRun {
		return printJSON(os.Stdout, st)
	}
	opt.Dir = *out
	res, err := experiment.Search(ctx, st, opt)
	if err != nil {
		return searchError(err, sig, *out)
	}
	printResult(os.Stdout, res, res.Dir)
	return nil
}

// signalContext is cancelled by SIGINT or SIGTERM; sig then holds the signal's exit status (130, 143).
func signalContext() (context.Context, *int) {
	ctx, cancel := context.WithCancel(context.Background())
	code := new(int)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-ch
		*code = 130
		if s == syscall.SIGTERM {
			*code = 143
		}
		cancel()
		signal.Stop(ch)
	}()
	return ctx, code
}

// searchError turns an interruption into its exit status (the checkpoint is saved) and the rest into
// errors, usage errors for a bad run folder.
func searchError(err error, sig *int, dir string) error {
	switch {
	case errors.Is(err, experiment.ErrInterrupted):
		fmt.Fprintf(os.Stderr, "gaea %s: %v — continue with: gaea %s --resume %s\n", os.Args[1], err, os.Args[1], dirOf(err, dir))
		code := *sig
		if code == 0 {
			code = 130
		}
		os.Exit(code)
	case errors.Is(err, experiment.ErrRunExists), errors.Is(err, experiment.ErrLocked), errors.Is(err, experiment.ErrNotRun):
		return usageError{err}
	}
	return err
}

func dirOf(err error, dir string) string {
	if dir != "" {
		return dir
	}
	if i := strings.LastIndex(err.Error(), "checkpoint saved in "); i >= 0 {
		return err.Error()[i+len("checkpoint saved in "):]
	}
	return "DIR"
}

func printResult(w io.Writer, res *experiment.Result, dir string) {
	fmt.Fprintf(w, "genotype: %s\n", res.Genotype)
	if n := res.NB201; n != nil {
		fmt.Fprintf(w, "NAS-Bench-201: CIFAR-10 %.2f%% (rank %d), CIFAR-100 %.2f%% (rank %d), ImageNet16-120 %.2f%% (rank %d) of 15625 — searched on %s\n",
			n.CIFAR10, n.RankCIFAR10, n.CIFAR100, n.RankCIFAR100, n.ImageNet16, n.RankImageNet16, res.Dataset)
	}
	if v := res.BestValid; v != nil {
		fmt.Fprintf(w, "selection: %s; best supernet validation %.2f%% after epoch %d; final genotype %s\n",
			res.Selection, 100*v.Acc, v.Epoch, res.FinalGenotype)
	}
	fmt.Fprintf(w, "report: %s\nresult: %s\n", filepath.Join(dir, experiment.ReportFile), filepath.Join(dir, experiment.ResultFile))
}

func joinAlgos() string {
	var s []string
	for _, a := range experiment.Algos() {
		s = append(s, string(a))
	}
	return strings.Join(s, ", ")
}
