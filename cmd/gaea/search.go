package main

import (
	"cmp"
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
	"github.com/gaeanas/gaeanas/internal/text"
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
	sf := experiment.AddSearchFlags(fs)
	out := fs.String("out", "", "output folder (default runs/<timestamp>-<space>-<algo>); must not hold a run")
	resume := fs.String("resume", "", "continue the search in this run folder (nothing else may be given but --backend)")
	dryRun := fs.Bool("dry-run", false, "print the resolved settings with their sources as JSON and exit")
	cpuProfile := fs.String("cpuprofile", "", "write a Go CPU profile of the run to this file")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gaea search [flags]\n       gaea search --resume DIR\n\n"+
			"Runs a weight-sharing architecture search and writes settings.json, history.jsonl, checkpoints,\n"+
			"result.json and report.html to the output folder. With no flags: a quick GAEA search on the\n"+
			"NAS-Bench-201 space over the CIFAR-10 sample embedded in the binary. Every value not given comes\n"+
			"from the preset (gaea presets --space S --algo A shows them with their sources). A boolean flag\n"+
			"takes --name, --name=false or --name false.\n\n")
		printDefaults(fs)
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("unexpected argument %q", text.Abbrev(fs.Arg(0)))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	opt := experiment.Options{Log: os.Stderr}
	if v := os.Getenv("GAEA_CHECKPOINT_INTERVAL"); v != "" { // tests and impatient users: e.g. 30s
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return usagef("GAEA_CHECKPOINT_INTERVAL=%q: want a duration such as 30s", text.Abbrev(v))
		}
		opt.CheckpointInterval = d
	}
	if err := checkBackendFlag(sf.Backend); err != nil {
		return err
	}
	ctx, sig := signalContext()
	if given["resume"] {
		if err := onlyResumeFlags(given, *resume, "backend", "cpuprofile"); err != nil {
			return err
		}
		if err := resumeFolder(*resume, kindSearch); err != nil {
			return err
		}
		var st experiment.Settings
		if err := experiment.ReadJSON(filepath.Join(*resume, experiment.SettingsFile), &st); err != nil {
			return usagef("--resume %s: %v", *resume, err)
		}
		if err := st.Validate(); err != nil {
			return usagef("--resume %s: %s: %v", *resume, experiment.SettingsFile, err)
		}
		if err := probeFolder("--resume", *resume); err != nil {
			return err
		}
		if err := ensureData(ctx, st.Dataset, st.DataDir); err != nil {
			return err
		}
		if err := openBackend(sf.Backend); err != nil {
			return err
		}
		stop, err := startProfile(*cpuProfile)
		if err != nil {
			return err
		}
		defer stop()
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

	// Every check of the command line comes before the backend is chosen (which prints a line): the
	// settings are resolved with each preset the search may run with, and refused when none takes them.
	resolved := map[experiment.Preset]experiment.Settings{}
	var firstErr error
	for _, p := range sf.Presets() {
		st, err := sf.Settings(p)
		if err != nil {
			firstErr = cmp.Or(firstErr, err)
			continue
		}
		resolved[p] = st
	}
	if len(resolved) == 0 {
		return usageError{firstErr}
	}
	if !*dryRun {
		if err := newRunFolder(*out); err != nil {
			return err
		}
	}
	preset, why := experiment.Preset(sf.Preset), ""
	if preset == "" {
		if err := openBackend(sf.Backend); err != nil {
			return err
		}
		preset, why = experiment.Quick, "no GPU backend ("+backend.Name()+")"
		if name := backend.Name(); strings.Contains(name, "cuda") || strings.Contains(name, "gpu") {
			preset, why = experiment.Paper, "GPU backend "+name
		}
	}
	st, ok := resolved[preset]
	if !ok {
		_, err := sf.Settings(preset)
		return usagef("%v (the %s preset: %s)", err, preset, why)
	}
	if *dryRun {
		return printJSON(os.Stdout, st)
	}
	if err := probeFolder("--out", cmp.Or(*out, "runs")); err != nil {
		return err
	}
	if err := ensureData(ctx, st.Dataset, st.DataDir); err != nil {
		return err
	}
	if err := openBackend(sf.Backend); err != nil {
		return err
	}
	if why != "" {
		fmt.Fprintf(os.Stderr, "preset: %s (%s; choose with --preset quick|paper)\n", preset, why)
	}
	stop, err := startProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stop()
	opt.Dir = *out
	res, err := experiment.Search(ctx, st, opt)
	if err != nil {
		return searchError(err, sig, *out)
	}
	printResult(os.Stdout, res, res.Dir)
	return nil
}

// startProfile starts a Go CPU profile into path ("" for none); stop ends it.
func startProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("--cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
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
