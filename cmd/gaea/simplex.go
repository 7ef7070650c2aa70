package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/gaea"
	"github.com/gaeanas/gaeanas/internal/cli"
	"github.com/gaeanas/gaeanas/internal/text"
)

type simplexResult struct {
	Geometry   string      `json:"geometry"`
	LR         float64     `json:"lr"`
	Costs      []float64   `json:"costs"`
	Trajectory [][]float64 `json:"trajectory"`
}

func runSimplex(args []string) error {
	fs := flag.NewFlagSet("simplex", flag.ContinueOnError)
	costsFlag := fs.String("costs", "1,2,3", "comma-separated costs c of the linear objective c·θ (at least 2)")
	geometry := fs.String("geometry", "entropic", "one of "+strings.Join(gaea.GeometryNames(), ", ")+": entropic (GAEA's exponentiated gradient), euclidean (gradient step + projection), softmax (DARTS: Adam on logits from 0), softmax-sgd (gradient descent on logits from 0)")
	lr := fs.Float64("lr", 0.5, "learning rate η")
	steps := fs.Int("steps", 10, "number of steps")
	asJSON := fs.Bool("json", false, "print one JSON object")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gaea simplex [flags]\n\nMinimises c·θ over the probability simplex from uniform θ with one geometry and prints θ after every\nstep (steps+1 rows). Exponentiated gradient gives θ_t = softmax(−η t c).\n\n")
		cli.PrintDefaults(fs)
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	var costs []float64
	for _, f := range strings.Split(*costsFlag, ",") {
		c, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return cli.Usagef("--costs: %q is not a finite number", text.Abbrev(strings.TrimSpace(f)))
		}
		costs = append(costs, c)
	}
	if err := gaea.CheckLinearTrajectory(*geometry, costs, *lr, *steps); err != nil {
		return cli.Usagef("--%s", strings.TrimPrefix(err.Error(), gaea.ErrSimplexInput.Error()+": ")) // the message starts with the argument's key
	}
	if err := cli.OpenBackend(""); err != nil {
		return err
	}
	be, err := backend.New()
	if err != nil {
		return err
	}
	traj, err := gaea.LinearTrajectory(be, *geometry, costs, *lr, *steps)
	if errors.Is(err, gaea.ErrSimplexInput) {
		return cli.Usagef("--%s", strings.TrimPrefix(err.Error(), gaea.ErrSimplexInput.Error()+": ")) // the message starts with the argument's key
	}
	if err != nil {
		return err
	}
	res := simplexResult{Geometry: *geometry, LR: *lr, Costs: costs, Trajectory: traj}
	if *asJSON {
		return json.NewEncoder(os.Stdout).Encode(res)
	}
	fmt.Printf("geometry %s, lr %g, costs %v\n", res.Geometry, res.LR, costs)
	for s, row := range traj {
		parts := make([]string, len(row))
		for i, v := range row {
			parts[i] = fmt.Sprintf("%.6f", v)
		}
		fmt.Printf("step %3d  θ = [%s]\n", s, strings.Join(parts, " "))
	}
	return nil
}
