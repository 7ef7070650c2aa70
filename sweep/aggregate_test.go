package sweep

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/experiment"
	"github.com/gaeanas/gaeanas/gaea"
	"github.com/gaeanas/gaeanas/rundir"
	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gaeanas/gaeanas/spaces/nb1shot1"
	"github.com/gaeanas/gaeanas/spaces/nb1shot1/nb101"
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
		writeRun(t, d, s, res)
	}
	agg, err := AggregateDir(dir, AggregateOptions{})
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

// TestAggregateNB101File: NAS-Bench-1Shot1 runs are looked up in the NAS-Bench-101 file named at
// aggregate time (accuracies, ranks and regrets per data set), a cell the file lacks is a warning, and
// without the file the table says so in one line and still lists the found cells.
func TestAggregateNB101File(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // the file's index is built here
	t.Setenv(nb1shot1.EnvDataset, "")
	s := nb1shot1.New(2)
	cells := []string{
		// module ff9713ff8e7d4d6a2ea61994a8bdd447 of NAS-Bench-101 (TestCellHashPublished): its three
		// runs' final accuracies as the dataset stores them
		"1:conv1x1-bn-relu(0) 2:conv1x1-bn-relu(0) 3:conv3x3-bn-relu(0,1) 4:conv3x3-bn-relu(1,2) out(0,3,4)",
		"1:conv3x3-bn-relu(0) 2:maxpool3x3(1) 3:conv1x1-bn-relu(0,2) 4:conv3x3-bn-relu(2,3) out(0,3,4)",
		"1:maxpool3x3(0) 2:maxpool3x3(0) 3:maxpool3x3(1,2) 4:maxpool3x3(1,3) out(2,3,4)", // not in the file
	}
	test := [][3]float64{{0.9245793223381042, 0.9264823794364929, 0.9264823794364929}, {0.90, 0.91, 0.89}}
	valid := [][3]float64{{0.9338942170143127, 0.9328926205635071, 0.9329928159713745}, {0.91, 0.92, 0.93}}
	file := filepath.Join(t.TempDir(), "nasbench_only108.tfrecord")
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	w := nb101.NewWriter(f)
	dir := t.TempDir()
	for i, str := range cells {
		c, err := s.ParseCell(str)
		if err != nil {
			t.Fatal(err)
		}
		if i < len(test) {
			h, err := c.Hash()
			if err != nil {
				t.Fatal(err)
			}
			spec, _ := c.Spec().Prune()
			for r := range 3 {
				m := nb101.Metrics{Evaluations: []nb101.Evaluation{{}, {CurrentEpoch: 54}, {CurrentEpoch: 108, TestAccuracy: test[i][r], ValidationAccuracy: valid[i][r]}}}
				if err := w.Write(nb101.Record{Hash: h, Epochs: 108, Spec: spec, Metrics: m}.Marshal()); err != nil {
					t.Fatal(err)
				}
			}
		}
		d := filepath.Join(dir, "nb1shot1-2-gaea-pcdarts-s"+string(rune('0'+i)))
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		st := experiment.Settings{Space: "nb1shot1-2", Algo: experiment.GAEAPCDARTS, Level: gaea.BiLevel, ArchLR: 0.1, AugmentArch: true}
		res := experiment.Result{Space: "nb1shot1-2", Algo: experiment.GAEAPCDARTS, Level: gaea.BiLevel, Dataset: "cifar10", Seed: int64(i),
			Genotype: str, ArchWeights: [][]float64{{0.5, 0.25, 0.25}}, Entropy: 1, Settings: st, Seconds: 10}
		writeRun(t, d, st, res)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	// Without the file: one line says so; no accuracy columns; the found cells are listed.
	agg, err := AggregateDir(dir, AggregateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	const note = "no NAS-Bench-101 lookup for nb1shot1-2: give --nb101 FILE or set GAEA_NB101 to the path of nasbench_only108.tfrecord"
	if len(agg.Tables) != 1 || agg.Tables[0].Note != note || agg.Tables[0].bench != nil || len(agg.Tables[0].Rows[0].Scores) != 0 {
		t.Fatalf("without the file: %+v", agg.Tables)
	}
	var text bytes.Buffer
	if err := agg.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range append([]string{note + "\n", "found cells:\n"}, cells...) {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
	if strings.Contains(text.String(), "regret") || strings.Contains(text.String(), "CIFAR-10 test") {
		t.Errorf("text has lookup columns without the file:\n%s", text.String())
	}

	// With the file: seeds 0 and 1 looked up, seed 2 a warning.
	var progress int
	agg, err = AggregateDir(dir, AggregateOptions{
		BenchmarkPath: func(d *spaces.Descriptor) (string, error) { return file, nil },
		Progress:      func(string, int64, int64) { progress++ },
	})
	if err != nil {
		t.Fatal(err)
	}
	tb := agg.Tables[0]
	if tb.Note != "" || tb.Benchmark != "NAS-Bench-101" || len(tb.Rows) != 1 || len(tb.Rows[0].Genotypes) != 3 || progress == 0 {
		t.Fatalf("with the file: %+v (progress calls %d)", tb, progress)
	}
	if len(agg.Warnings) != 1 || !strings.Contains(agg.Warnings[0], "s2") || !strings.Contains(agg.Warnings[0], cells[2]) {
		t.Errorf("warnings %q, want one for seed 2's cell", agg.Warnings)
	}
	mean3 := func(v [3]float64) float64 { return 100 * (v[0] + v[1] + v[2]) / 3 }
	minErr := map[string]float64{nb1shot1.DatasetTest: s.TestMinError(), nb1shot1.DatasetValid: s.ValidMinError()}
	for _, sc := range tb.Rows[0].Scores {
		var a0, a1 float64
		switch sc.Dataset {
		case nb1shot1.DatasetTest:
			a0, a1 = mean3(test[0]), mean3(test[1])
		case nb1shot1.DatasetValid:
			a0, a1 = mean3(valid[0]), mean3(valid[1])
		default:
			t.Fatalf("data set %q", sc.Dataset)
		}
		wantStd := math.Abs(a0-a1) / math.Sqrt2 // sample std of two values
		r0, r1 := 100*(1-minErr[sc.Dataset])-a0, 100*(1-minErr[sc.Dataset])-a1
		if sc.Acc.N != 2 || math.Abs(sc.Acc.Mean-(a0+a1)/2) > 1e-9 || math.Abs(sc.Acc.Std-wantStd) > 1e-9 ||
			sc.Rank.Mean != 1.5 || sc.Regret == nil || math.Abs(sc.Regret.Mean-(r0+r1)/2) > 1e-9 {
			t.Errorf("%s: %+v regret %+v; want acc %.6f ± %.6f, ranks 1 and 2, regret %.6f", sc.Dataset, sc, sc.Regret, (a0+a1)/2, wantStd, (r0+r1)/2)
		}
	}
	text.Reset()
	if err := agg.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"CIFAR-10 test %", "CIFAR-10 validation %", "regret (points)", "warning: "} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
	raw, err := json.Marshal(tb.Rows[0])
	if err != nil || !bytes.Contains(raw, []byte(`"regret_cifar10":`)) || !bytes.Contains(raw, []byte(`"genotypes":`)) {
		t.Errorf("row JSON %s: %v", raw, err)
	}
	var csv bytes.Buffer
	if err := agg.WriteCSV(&csv); err != nil || !strings.Contains(csv.String(), "regret_cifar10_mean") {
		t.Errorf("CSV %v:\n%s", err, csv.String())
	}
	page := agg.HTML()
	for _, want := range []string{"NAS-Bench-101 accuracy (%) of the found cell", "regret: the cell's error minus the space's lowest",
		"<code>" + cells[1] + "</code>", "seed 2"} {
		if !strings.Contains(page, want) {
			t.Errorf("aggregate.html lacks %q", want)
		}
	}
}

// TestAggregateStoredEntries: without the NAS-Bench-101 file, a table of NAS-Bench-1Shot1 runs shows the
// entries the searches stored in result.json (accuracy, rank and regret per data set, means over the
// runs that have one; a run without one is a warning), says in one line where they come from and how to
// look them up again, and the
// report's accuracy-over-search picture says it needs the file.
func TestAggregateStoredEntries(t *testing.T) {
	t.Setenv(nb1shot1.EnvDataset, "")
	dir := t.TempDir()
	regret := func(v float64) *float64 { return &v }
	stored := []*spaces.BenchmarkEntry{
		{Index: 7, Arch: "a", Scores: []spaces.Score{{Dataset: nb1shot1.DatasetTest, Accuracy: 93.5, Rank: 10, Regret: regret(1.5)}, {Dataset: nb1shot1.DatasetValid, Accuracy: 94, Rank: 12, Regret: regret(1)}}},
		{Index: 9, Arch: "b", Scores: []spaces.Score{{Dataset: nb1shot1.DatasetTest, Accuracy: 92.5, Rank: 30, Regret: regret(2.5)}, {Dataset: nb1shot1.DatasetValid, Accuracy: 93, Rank: 40, Regret: regret(2)}}},
		nil, // a search that ran without the file
	}
	cells := []string{
		"1:conv3x3-bn-relu(0) 2:maxpool3x3(1) 3:conv1x1-bn-relu(0,2) 4:conv3x3-bn-relu(2,3) out(0,3,4)",
		"1:conv1x1-bn-relu(0) 2:conv1x1-bn-relu(0) 3:conv3x3-bn-relu(0,1) 4:conv3x3-bn-relu(1,2) out(0,3,4)",
		"1:maxpool3x3(0) 2:maxpool3x3(0) 3:maxpool3x3(1,2) 4:maxpool3x3(1,3) out(2,3,4)",
	}
	for i, e := range stored {
		d := filepath.Join(dir, "nb1shot1-2-gaea-pcdarts-s"+string(rune('0'+i)))
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		st := experiment.Settings{Space: "nb1shot1-2", Algo: experiment.GAEAPCDARTS, Level: gaea.BiLevel, ArchLR: 0.1, AugmentArch: true}
		res := experiment.Result{Space: "nb1shot1-2", Algo: experiment.GAEAPCDARTS, Level: gaea.BiLevel, Dataset: "cifar10", Seed: int64(i),
			Genotype: cells[i], ArchWeights: [][]float64{{0.5, 0.25, 0.25}}, Entropy: 1, Settings: st, Seconds: 10, Benchmark: e}
		writeRun(t, d, st, res)
	}
	agg, err := AggregateDir(dir, AggregateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tb := agg.Tables[0]
	const note = "NAS-Bench-101 entries as the searches stored them in result.json (give --nb101 FILE or set GAEA_NB101 to the path of nasbench_only108.tfrecord, to look them up again and for the accuracy over the search)"
	if tb.Note != note || tb.Benchmark != "NAS-Bench-101" || len(tb.Rows) != 1 || len(tb.Rows[0].Genotypes) != 3 ||
		len(agg.Warnings) != 1 || !strings.HasPrefix(agg.Warnings[0], "nb1shot1-2-gaea-pcdarts-s2: no stored NAS-Bench-101 entry") {
		t.Fatalf("table %+v, warnings %q", tb, agg.Warnings)
	}
	want := map[string][3]float64{nb1shot1.DatasetTest: {93, 20, 2}, nb1shot1.DatasetValid: {93.5, 26, 1.5}} // means of the two stored entries
	for _, sc := range tb.Rows[0].Scores {
		w := want[sc.Dataset]
		if sc.Acc.N != 2 || math.Abs(sc.Acc.Mean-w[0]) > 1e-12 || sc.Rank.Mean != w[1] || sc.Regret == nil || math.Abs(sc.Regret.Mean-w[2]) > 1e-12 {
			t.Errorf("%s: %+v regret %+v, want acc %v rank %v regret %v over 2 runs", sc.Dataset, sc, sc.Regret, w[0], w[1], w[2])
		}
		delete(want, sc.Dataset)
	}
	if len(want) != 0 {
		t.Errorf("no column for %v", want)
	}
	var text bytes.Buffer
	if err := agg.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{note, "CIFAR-10 test %", "regret (points)", "93.00 ± 0.71"} {
		if !strings.Contains(text.String(), s) {
			t.Errorf("text lacks %q:\n%s", s, text.String())
		}
	}
	page := agg.HTML()
	for _, s := range []string{"ranks as stored (1 = best)", "picture not available: viz: accuracy over search (runs): no NAS-Bench-101 lookup for nb1shot1-2: give --nb101 FILE"} {
		if !strings.Contains(page, s) {
			t.Errorf("aggregate.html lacks %q", s)
		}
	}
}

// writeRun writes a finished run's settings.json and result.json into its folder d.
func writeRun(t *testing.T, d string, st experiment.Settings, res experiment.Result) {
	t.Helper()
	if err := rundir.WriteJSON(filepath.Join(d, experiment.SettingsFile), st); err != nil {
		t.Fatal(err)
	}
	if err := rundir.WriteJSON(filepath.Join(d, experiment.ResultFile), res); err != nil {
		t.Fatal(err)
	}
}
