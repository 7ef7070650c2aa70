package sweep

import (
	"bytes"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/experiment"
	"github.com/gaeanas/gaeanas/gaea"
	"github.com/gaeanas/gaeanas/rundir"
)

// TestAggregateColumns: parameter-free edges, entropy relative to log K and the augmentation switch
// as a row of its own, on result files written here (values checked by hand).
func TestAggregateColumns(t *testing.T) {
	dir := t.TempDir()
	type run struct {
		name, algo string
		seed       int64
		augment    bool
		genotype   string
		entropy    float64
		k          int
	}
	runs := []run{
		// 2 parameter-free edges (skip, avg pool), 5 ops per edge.
		{"d0", "darts", 0, true, "|skip_connect~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|nor_conv_1x1~0|nor_conv_3x3~1|nor_conv_3x3~2|", 1.5, 5},
		// 4 (none, skip, skip, none).
		{"d1", "darts", 1, true, "|none~0|+|skip_connect~0|skip_connect~1|+|none~0|nor_conv_3x3~1|nor_conv_3x3~2|", 1.2, 5},
		// 0, 4 ops per edge, arch batches not augmented.
		{"g0", "gaea-darts", 0, false, "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_1x1~0|nor_conv_3x3~1|nor_conv_3x3~2|", 0.7, 4},
	}
	for _, r := range runs {
		d := filepath.Join(dir, r.name)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		s := experiment.Settings{Space: "nb201", Algo: experiment.Algo(r.algo), Level: gaea.SingleLevel, ArchLR: 0.1, AugmentArch: r.augment}
		theta := make([][]float64, 6)
		for i := range theta {
			theta[i] = make([]float64, r.k)
		}
		res := experiment.Result{Space: "nb201", Algo: experiment.Algo(r.algo), Level: gaea.SingleLevel, Dataset: "cifar10", Seed: r.seed,
			Genotype: r.genotype, ArchWeights: theta, Entropy: r.entropy, Settings: s, Seconds: 10}
		if err := rundir.WriteJSON(filepath.Join(d, experiment.SettingsFile), s); err != nil {
			t.Fatal(err)
		}
		if err := rundir.WriteJSON(filepath.Join(d, experiment.ResultFile), res); err != nil {
			t.Fatal(err)
		}
	}
	agg, err := AggregateDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(agg.Tables) != 1 || len(agg.Tables[0].Rows) != 2 {
		t.Fatalf("tables %+v", agg.Tables)
	}
	var darts, gaeaRow Row
	for _, r := range agg.Tables[0].Rows {
		if r.Algo == "darts" {
			darts = r
		} else {
			gaeaRow = r
		}
	}
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-12 }
	if darts.ParamFree == nil || !near(darts.ParamFree.Mean, 3) || !near(darts.ParamFree.Std, math.Sqrt2) {
		t.Errorf("darts param-free edges %+v, want 3 ± √2", darts.ParamFree)
	}
	if !near(darts.RelEntropy.Mean, (1.5/math.Log(5)+1.2/math.Log(5))/2) {
		t.Errorf("darts relative entropy %+v", darts.RelEntropy)
	}
	if gaeaRow.ParamFree == nil || gaeaRow.ParamFree.Mean != 0 || !near(gaeaRow.RelEntropy.Mean, 0.7/math.Log(4)) || gaeaRow.AugmentArch || !darts.AugmentArch {
		t.Errorf("gaea row %+v", gaeaRow)
	}
	var text bytes.Buffer
	if err := agg.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"param-free edges", "entropy/log K", "gaea-darts, no arch aug", "3.0 ± 1.4"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text table lacks %q:\n%s", want, text.String())
		}
	}
}
