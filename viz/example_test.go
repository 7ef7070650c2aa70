package viz_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/gaeanas/gaeanas/spaces/nb201"
	"github.com/gaeanas/gaeanas/viz"
)

// Draw the cell NAS-Bench-201's oracle on CIFAR-10 and write it as an SVG file. In a GoNB notebook,
// viz.Show(fig) displays it inline instead. The space supplies the diagram's data; viz draws it.
func Example() {
	figs, err := viz.Cells(nb201.New(), "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|")
	if err != nil {
		log.Fatal(err)
	}
	fig := figs[0]
	dir, err := os.MkdirTemp("", "viz-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "cell.svg")
	if err := fig.WriteSVG(path); err != nil {
		log.Fatal(err)
	}
	fmt.Println(fig.Title)
	fmt.Println(filepath.Base(path))
	// Output:
	// NAS-Bench-201 cell |nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|
	// cell.svg
}

// A simplex picture: exponentiated gradient on a linear objective, with the objective's level sets.
func ExampleSimplexTrajectories() {
	path := [][]float64{{0.6, 0.3, 0.1}, {0.5, 0.3, 0.2}, {0.35, 0.25, 0.4}, {0.15, 0.15, 0.7}}
	objective := func(w [3]float64) float64 { return 0.3*w[0] + w[1] - 0.5*w[2] }
	fig, err := viz.SimplexTrajectories([]viz.Trajectory{{Name: "exponentiated gradient", Points: path}},
		[3]string{"skip_connect", "conv_3x3", "avg_pool_3x3"}, objective, "EG on a linear objective")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(fig.Title, len(fig.SVG) > 0)
	// Output: EG on a linear objective true
}
