package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strings"

	"github.com/gaeanas/gaeanas/data"
	"github.com/gaeanas/gaeanas/internal/cli"
)

// dataReport is the JSON object `gaea data` prints.
type dataReport struct {
	Dataset     string    `json:"dataset"`
	Train       int       `json:"train"`
	Test        int       `json:"test"`
	Classes     int       `json:"classes"`
	Shape       []int     `json:"image_shape"`
	Mean        []float64 `json:"mean"`
	Std         []float64 `json:"std"`
	SplitSeed   uint64    `json:"split_seed"`
	SearchTrain int       `json:"search_train"`
	SearchValid int       `json:"search_valid"`
	SearchTest  int       `json:"search_test"`
}

// runData implements `gaea data --dataset NAME [--data-dir DIR]`: load (downloading if needed) a data
// set and print its sizes, per-channel statistics and search-split sizes as one JSON object.
func runData(args []string) error { return dataTo(os.Stdout, os.Stderr, args) }

func dataTo(w, progress io.Writer, args []string) error {
	fs := flag.NewFlagSet("data", flag.ContinueOnError)
	fs.SetOutput(progress)
	name := fs.String("dataset", "cifar10-sample", "data set (\"embedded\" is an alias of cifar10-sample): "+strings.Join(data.Names(), ", "))
	dir := fs.String("data-dir", "", "data directory (default $"+data.DataDirEnv+", else a per-user cache folder)")
	download := fs.Bool("download", true, "download the official files when the data set is not in the data directory")
	seed := fs.Uint64("split-seed", data.DefaultSplitSeed, "seed of the search split permutation")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "Usage: gaea data [--dataset NAME] [--data-dir DIR]\n\n"+
			"Loads a data set (downloading it into the data directory when missing; progress on stderr) and prints one\n"+
			"JSON object: train and test image counts, classes, image shape, per-channel mean and std of the training\n"+
			"images (0–1 scale) and the sizes of the architecture-search split (train/valid/test).\n\n")
		cli.PrintDefaults(fs)
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := data.Check(*name); err != nil {
		return cli.Usage(err)
	}
	d, err := data.Open(context.Background(), *name, data.Options{Dir: *dir, NoDownload: !*download, Progress: progress})
	if err != nil {
		return err // not there and cannot be downloaded: a failure (exit 1), one line saying where to put it
	}
	split, err := data.Search(d, *seed)
	if err != nil {
		return err
	}
	mean, std := d.Train.MeanStd()
	round := func(v []float64) []float64 {
		for i := range v {
			v[i] = math.Round(v[i]*1e6) / 1e6
		}
		return v
	}
	rep := dataReport{
		Dataset: d.Name, Train: d.Train.Len(), Test: d.Test.Len(), Classes: len(d.Train.Classes),
		Shape: []int{d.Train.Height, d.Train.Width, d.Train.Channels}, Mean: round(mean), Std: round(std),
		SplitSeed: *seed, SearchTrain: split.Train.Len(), SearchValid: split.Valid.Len(), SearchTest: split.Test.Len(),
	}
	return json.NewEncoder(w).Encode(rep)
}
