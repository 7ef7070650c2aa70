package nb1shot1

import (
	"os"
	"testing"

	"github.com/gaeanas/gaeanas/spaces/nb1shot1/nb101"
)

// KeepOnlySpace makes the benchmark index of this test keep the modules of space n only (enumerating
// space 3 for every index takes seconds), until the test ends.
func KeepOnlySpace(t *testing.T, n int) {
	saved := spaceHashes
	t.Cleanup(func() { spaceHashes = saved })
	spaceHashes = func() map[nb101.Hash]struct{} { return New(n).Hashes() }
}

// WriteSpaceDataset writes, in NAS-Bench-101's file format, three 108-epoch runs of every module of
// space n, with made-up accuracies that acc gives per module hash (test, validation), and returns them.
func WriteSpaceDataset(t *testing.T, path string, n int, acc func(h nb101.Hash) (test, valid float64)) map[nb101.Hash][2]float64 {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := nb101.NewWriter(f)
	out := map[nb101.Hash][2]float64{}
	for h, c := range New(n).representatives() {
		p, ok := c.Spec().Prune()
		if !ok {
			t.Fatalf("cell %s prunes to nothing", c)
		}
		test, valid := acc(h)
		out[h] = [2]float64{test, valid}
		for r := 0; r < 3; r++ {
			m := nb101.Metrics{Evaluations: []nb101.Evaluation{{}, {CurrentEpoch: 54}, {CurrentEpoch: 108, TestAccuracy: test, ValidationAccuracy: valid}},
				TrainableParameters: 1000}
			if err := w.Write(nb101.Record{Hash: h, Epochs: 108, Spec: p, Metrics: m}.Marshal()); err != nil {
				t.Fatal(err)
			}
		}
	}
	return out
}
