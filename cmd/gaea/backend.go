package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/internal/cli"
)

type backendReport struct {
	Backend     string                 `json:"backend"`
	Reason      string                 `json:"reason"`
	Detail      string                 `json:"detail,omitempty"`
	Description string                 `json:"description"`
	Devices     int                    `json:"devices"`
	Check       *backend.TrainingCheck `json:"check,omitempty"`
}

// Bounds of gaea backend's check: a batch of 4096 16×16 images takes a few hundred MB at most.
const (
	maxCheckSteps = 10_000
	maxCheckBatch = 4096
)

func runBackend(args []string) error {
	fs := flag.NewFlagSet("backend", flag.ContinueOnError)
	check := fs.Bool("check", true, "train a small conv net (conv+batch-norm+ReLU, pooling) for a few steps on fixed random data")
	steps := fs.Int("steps", 8, fmt.Sprintf("training steps for -check (2 to %d)", maxCheckSteps))
	batch := fs.Int("batch", 16, fmt.Sprintf("batch size for -check (1 to %d: 16×16 images, far below any memory)", maxCheckBatch))
	asJSON := fs.Bool("json", false, "print one JSON object instead of text")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gaea backend [flags]\n\nSays which GoMLX backend is used (set GOMLX_BACKEND=go|xla|xla:cuda to choose) and checks that it trains.\n\n")
		cli.PrintDefaults(fs)
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if *steps < 2 || *batch < 1 || *steps > maxCheckSteps || *batch > maxCheckBatch {
		return cli.Usagef("-steps must be in [2, %d] and -batch in [1, %d] (got %d, %d)", maxCheckSteps, maxCheckBatch, *steps, *batch)
	}
	if err := cli.OpenBackend(""); err != nil {
		return err
	}
	be, err := backend.New()
	if err != nil {
		return err
	}
	choice, _ := backend.Chosen()
	rep := backendReport{Backend: choice.Config, Reason: choice.Reason, Detail: choice.Detail, Description: be.Description(), Devices: be.NumDevices()}
	if *check {
		run, err := backend.CheckTraining(*steps, *batch)
		if err != nil {
			return fmt.Errorf("training check failed: %w", err)
		}
		rep.Check = run
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		fmt.Printf("backend:     %s\nreason:      %s\ndescription: %s\ndevices:     %d\n", rep.Backend, rep.Reason, rep.Description, rep.Devices)
		if c := rep.Check; c != nil {
			fmt.Printf("check:       %d steps at batch %d: loss %.4f → %.4f, %.1f ms/step (first step incl. compile: %.1f s)\n",
				c.Steps, c.Batch, c.FirstLoss, c.LastLoss, c.MsPerStep, c.CompileSec)
		}
	}
	if rep.Check != nil && !rep.Check.LossFalls {
		return fmt.Errorf("loss did not fall (%.4f → %.4f)", rep.Check.FirstLoss, rep.Check.LastLoss)
	}
	return nil
}
