package experiment

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/gaea"
)

// smallSettings is a quick search of a few iterations per epoch on the embedded CIFAR-10 sample.
func smallSettings(t *testing.T, space string, algo Algo, level Level) Settings {
	t.Helper()
	st, err := Defaults(Quick, space, algo, "")
	if err != nil {
		t.Fatal(err)
	}
	st.Level, st.Subset, st.Batch, st.Channels, st.Cells = level, 48, 16, 4, 1
	st.Epochs, st.ScheduleEpochs, st.CheckpointEvery = 3, 3, 1000
	if st.WarmupEpochs > 0 {
		st.WarmupEpochs = 1
	}
	if err := st.Validate(); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestSearchReturnsBestValidation: a bilevel search evaluates its supernet on the held-out split after
// every epoch (kept on the epoch's last history record, over every held-out image) and returns the
// genotype its algorithm's reference returns, beside the final one: GAEA's algorithms the epoch with the
// best validation accuracy (liamcli/gaea_release train_search.py), the baselines the final genotype
// (AutoDL-Projects reports genotypes[total_epoch − 1]); a single-level search does not validate and
// returns the final genotype. The final genotype is the argmax of the final θ; the best epoch is the
// first of the highest accuracies; NAS-Bench-201 entries are looked up for each genotype.
func TestSearchReturnsBestValidation(t *testing.T) {
	if _, ok := os.LookupEnv("GOMLX_BACKEND"); !ok {
		t.Setenv("GOMLX_BACKEND", "go")
	}
	be := backend.MustNew()
	for _, c := range []struct {
		space     string
		algo      Algo
		level     Level
		selection string
	}{
		{"tiny", GAEADARTS, BiLevel, SelectBestValid},
		{"nb201", GAEAGDAS, BiLevel, SelectBestValid},
		{"tiny", DARTSV1, BiLevel, SelectFinal},
		{"tiny", GAEADARTS, SingleLevel, SelectFinal},
	} {
		t.Run(string(c.space)+"-"+string(c.algo)+"-"+string(c.level), func(t *testing.T) {
			st := smallSettings(t, c.space, c.algo, c.level)
			dir := filepath.Join(t.TempDir(), "run")
			var log strings.Builder
			res, err := Search(context.Background(), st, Options{Dir: dir, Backend: be, Log: &log})
			if err != nil {
				t.Fatal(err)
			}
			hist, err := ReadJSONLines[gaea.Record](filepath.Join(dir, HistoryFile))
			if err != nil {
				t.Fatal(err)
			}
			perEpoch := res.Steps / st.Epochs
			var valid []gaea.Record
			for i, r := range hist {
				if r.Valid == nil {
					continue
				}
				valid = append(valid, r)
				if i+1 < len(hist) && hist[i+1].Iteration == r.Iteration {
					t.Errorf("validation of epoch %d is not on the epoch's last record", r.Valid.Epoch)
				}
				if r.Iteration != r.Valid.Epoch*perEpoch || r.Valid.Images != res.Settings.ValidImages {
					t.Errorf("validation %+v at iteration %d: want iteration %d and %d images", r.Valid, r.Iteration, r.Valid.Epoch*perEpoch, res.Settings.ValidImages)
				}
			}
			if res.Selection != c.selection {
				t.Errorf("selection %q, want %q (%s)", res.Selection, c.selection, res.SelectionSource)
			}
			space, err := st.BuildSpace(10)
			if err != nil {
				t.Fatal(err)
			}
			final, err := space.Discretize(res.ArchWeights, res.EdgeWeights)
			if err != nil {
				t.Fatal(err)
			}
			if res.FinalGenotype != final.String() {
				t.Errorf("final genotype %s, the final θ's argmax is %s", res.FinalGenotype, final)
			}
			if c.level == SingleLevel {
				if len(valid) != 0 || res.BestValid != nil || res.Genotype != res.FinalGenotype {
					t.Errorf("single level: %d validations, best %+v, genotype %s (final %s)", len(valid), res.BestValid, res.Genotype, res.FinalGenotype)
				}
				return
			}
			if len(valid) != st.Epochs {
				t.Fatalf("%d validations in %d epochs", len(valid), st.Epochs)
			}
			best := valid[0]
			for _, r := range valid[1:] {
				if r.Valid.Acc > best.Valid.Acc {
					best = r
				}
			}
			if b := res.BestValid; b == nil || b.Epoch != best.Valid.Epoch || b.Acc != best.Valid.Acc || b.Genotype != best.Valid.Genotype || b.Iteration != best.Iteration {
				t.Errorf("best validation %+v, want epoch %d %+v", res.BestValid, best.Valid.Epoch, best.Valid)
			}
			want := res.FinalGenotype
			if c.selection == SelectBestValid {
				want = best.Valid.Genotype
			}
			if res.Genotype != want {
				t.Errorf("genotype %s, want %s", res.Genotype, want)
			}
			if c.space == "nb201" && (res.Benchmark == nil || res.Benchmark.Arch != res.Genotype || res.FinalBenchmark == nil || res.BestValid.Benchmark == nil) {
				t.Errorf("NAS-Bench-201 entries missing: %+v %+v %+v", res.Benchmark, res.FinalBenchmark, res.BestValid.Benchmark)
			}
			if !strings.Contains(log.String(), "valid acc") {
				t.Errorf("no validation in the progress lines:\n%s", log.String())
			}
			back, err := ReadResult(dir)
			if err != nil {
				t.Fatal(err)
			}
			if back.BestValid == nil || back.FinalGenotype != res.FinalGenotype || back.Selection != res.Selection ||
				(c.space == "nb201" && (back.Benchmark == nil || back.BestValid.Benchmark == nil || back.Benchmark.Scores[0] != res.Benchmark.Scores[0])) {
				t.Errorf("result.json lost the selection: %+v", back)
			}
			t.Logf("%s: selection %s, genotype %s, final %s, validations %v", c.algo, res.Selection, res.Genotype, res.FinalGenotype, validAccs(valid))
		})
	}
}

func validAccs(rs []gaea.Record) []float64 {
	var a []float64
	for _, r := range rs {
		a = append(a, r.Valid.Acc)
	}
	return a
}

// TestOldResultLoads: a result.json written before the selection fields (and a history without
// validations) still loads; the new fields are empty.
func TestOldResultLoads(t *testing.T) {
	dir := t.TempDir()
	old := `{"space":"nb201","algo":"gaea-darts","level":"single","dataset":"cifar10-sample","seed":1,"genotype":"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|","settings":{"space":"nb201","algo":"gaea-darts"}}`
	if err := os.WriteFile(filepath.Join(dir, ResultFile), []byte(old), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := ReadResult(dir)
	if err != nil {
		t.Fatal(err)
	}
	if res.Genotype == "" || res.Selection != "" || res.BestValid != nil || res.FinalGenotype != "" {
		t.Errorf("old result read as %+v", res)
	}
	hist := `{"step":1,"iteration":1,"block":"arch","loss":1,"acc":0.5,"theta":[[1]],"entropy":[0],"arch_lr":0.1,"weight_lr":0.025}` + "\n"
	if err := os.WriteFile(filepath.Join(dir, HistoryFile), []byte(hist), 0o644); err != nil {
		t.Fatal(err)
	}
	h, err := ReadJSONLines[gaea.Record](filepath.Join(dir, HistoryFile))
	if err != nil || len(h) != 1 || h[0].Valid != nil {
		t.Errorf("old history read as %+v, %v", h, err)
	}
}

// TestSelectGenotype: the selection rules on a constructed history whose best validation epoch (the
// first of two equal highest accuracies, epoch 2) has another genotype than the final one.
func TestSelectGenotype(t *testing.T) {
	const g1, g2, g3, fin = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|",
		"|nor_conv_1x1~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|",
		"|avg_pool_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|",
		"|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|"
	hist := []gaea.Record{{Iteration: 1}, {Iteration: 2, Valid: &gaea.Validation{Epoch: 1, Acc: 0.3, Genotype: g1}},
		{Iteration: 4, Valid: &gaea.Validation{Epoch: 2, Acc: 0.5, Genotype: g2}},
		{Iteration: 6, Valid: &gaea.Validation{Epoch: 3, Acc: 0.5, Genotype: g3}}}
	for _, c := range []struct {
		algo  Algo
		level Level
		want  string
		rule  string
	}{
		{GAEADARTS, BiLevel, g2, SelectBestValid}, {EuclidDARTS, BiLevel, g2, SelectBestValid},
		{GAEAGDAS, BiLevel, g2, SelectBestValid}, {DARTSV1, BiLevel, fin, SelectFinal},
		{DARTSV2, BiLevel, fin, SelectFinal}, {GDAS, BiLevel, fin, SelectFinal},
		{GAEADARTS, SingleLevel, fin, SelectFinal}, {RSWS, BiLevel, fin, SelectCandidates},
	} {
		st := Settings{Space: "nb201", Algo: c.algo, Level: c.level}
		var res Result
		if err := selectGenotype(&res, &st, hist, fin); err != nil {
			t.Fatal(err)
		}
		if res.Genotype != c.want || res.Selection != c.rule || res.BestValid == nil || res.BestValid.Epoch != 2 || res.BestValid.Iteration != 4 ||
			res.Benchmark == nil || res.Benchmark.Arch != c.want || res.SelectionSource == "" {
			t.Errorf("%s %s: genotype %s (%s, %s), best %+v; want %s (%s) and epoch 2", c.algo, c.level, res.Genotype, res.Selection, res.SelectionSource, res.BestValid, c.want, c.rule)
		}
	}
	// A history without validations (a run begun before they were recorded): the final genotype, said so.
	var res Result
	if err := selectGenotype(&res, &Settings{Space: "nb201", Algo: GAEADARTS, Level: BiLevel}, hist[:1], fin); err != nil {
		t.Fatal(err)
	}
	if res.Genotype != fin || res.Selection != SelectFinal || res.BestValid != nil || !strings.Contains(res.SelectionSource, "no supernet validation") {
		t.Errorf("no validation: genotype %s, selection %s (%s)", res.Genotype, res.Selection, res.SelectionSource)
	}
}
