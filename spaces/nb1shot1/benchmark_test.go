package nb1shot1

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/spaces/nb1shot1/nb101"
)

// datasetModule is a module as the dataset stores it: hash, pruned adjacency digits and ops,
// trainable_parameters, and the three runs' final test and validation accuracies.
type datasetModule struct {
	hash, adjacency, ops string
	params               int
	test, valid          [3]float64
}

// Real records of NAS-Bench-101 (automl/NASLib tests/assets/nb101_dummy.pkl): the first three are cells
// of spaces 2 and 3 (TestCellHashPublished), the last is in none of the spaces.
var datasetModules = []datasetModule{
	{"ff9713ff8e7d4d6a2ea61994a8bdd447", "011101001010000001000010000001000000", "input,conv1x1-bn-relu,conv3x3-bn-relu,conv1x1-bn-relu,conv3x3-bn-relu,output", 7364874,
		[3]float64{0.9245793223381042, 0.9264823794364929, 0.9264823794364929}, [3]float64{0.9338942170143127, 0.9328926205635071, 0.9329928159713745}},
	{"ff968f800464555f97c776c71481826d", "0100000001100000001100000100000001100000010000000", "input,conv1x1-bn-relu,maxpool3x3,conv3x3-bn-relu,maxpool3x3,conv1x1-bn-relu,output", 3292298,
		[3]float64{0.8595753312110901, 0.8747996687889099, 0.8774038553237915}, [3]float64{0.8659855723381042, 0.8825120329856873, 0.8778044581413269}},
	{"ff97db031fa41552d437b079b2befd80", "0100100001000000010000000110000001100000010000000", "input,maxpool3x3,maxpool3x3,conv1x1-bn-relu,maxpool3x3,conv3x3-bn-relu,output", 3468426,
		[3]float64{0.9021434187889099, 0.8967347741127014, 0.8938301205635071}, [3]float64{0.9063501358032227, 0.9036458134651184, 0.8991386294364929}},
	{"ff940d27cbe9ed0a639a68a9c3f87283", "0110110000010000010000000100000001000000010000000", "input,maxpool3x3,conv3x3-bn-relu,conv1x1-bn-relu,conv1x1-bn-relu,conv3x3-bn-relu,output", 24169098,
		[3]float64{0.9233773946762085, 0.9304887652397156, 0.9311898946762085}, [3]float64{0.9306890964508057, 0.9346955418586731, 0.9366987347602844}},
}

// writeDataset writes the modules' three 108-epoch runs in the dataset's format (TFRecord framing, JSON
// rows, base64 ModelMetrics with evaluations at the start, half-way and end).
func writeDataset(t *testing.T, path string, mods []datasetModule) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := nb101.NewWriter(f)
	for _, m := range mods {
		h, err := nb101.ParseHash(m.hash)
		if err != nil {
			t.Fatal(err)
		}
		ops := strings.Split(m.ops, ",")
		v := len(ops)
		matrix := make([][]int, v)
		for i := range matrix {
			matrix[i] = make([]int, v)
			for j := range matrix[i] {
				matrix[i][j] = int(m.adjacency[i*v+j] - '0')
			}
		}
		spec, err := nb101.NewSpec(matrix, ops)
		if err != nil {
			t.Fatal(err)
		}
		for r := 0; r < 3; r++ {
			metrics := nb101.Metrics{
				Evaluations: []nb101.Evaluation{{}, {CurrentEpoch: 54, TestAccuracy: 0.5, ValidationAccuracy: 0.5},
					{CurrentEpoch: 108, TrainingTime: 1000, TrainAccuracy: 1, TestAccuracy: m.test[r], ValidationAccuracy: m.valid[r]}},
				TrainableParameters: int32(m.params),
			}
			if err := w.Write(nb101.Record{Hash: h, Epochs: 108, Spec: spec, Metrics: metrics}.Marshal()); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// syntheticModule is a made-up dataset entry for a cell of space 1, stored in its pruned form.
func syntheticModule(t *testing.T, c Cell) datasetModule {
	t.Helper()
	h, err := c.Hash()
	if err != nil {
		t.Fatal(err)
	}
	p, _ := c.Spec().Prune()
	digits, ops, _ := strings.Cut(p.String(), " ")
	return datasetModule{h.String(), digits, ops, 1234567, [3]float64{0.94, 0.945, 0.941}, [3]float64{0.95, 0.951, 0.949}}
}

// TestBenchmark: lookups in a dataset file written in the official format. The first open reads the
// file with progress and stores the index next to it, keeping only the spaces' modules; the next open
// reads the index. Accuracies are the means of the three runs and regrets are taken against the space's
// minimum error; a folder that cannot hold the index sends it to the user cache.
//
// Hashing every module of space 3 takes seconds, so the default run keeps the modules of spaces 1 and 2
// and the test's cells; GAEA_TEST_LONG=1 uses the real selection.
func TestBenchmark(t *testing.T) {
	if os.Getenv("GAEA_TEST_LONG") == "" {
		saved := spaceHashes
		defer func() { spaceHashes = saved }()
		spaceHashes = func() map[nb101.Hash]struct{} {
			keep := New(1).Hashes()
			for h := range New(2).Hashes() {
				keep[h] = struct{}{}
			}
			for _, m := range datasetModules[1:3] { // the cells of space 3
				h, _ := nb101.ParseHash(m.hash)
				keep[h] = struct{}{}
			}
			return keep
		}
	}
	dir := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
	data := filepath.Join(dir, "nasbench_only108.tfrecord")
	s1 := New(1)
	c1 := mustCell(s1, "1:conv3x3-bn-relu(0) 2:maxpool3x3(0,1) 3:conv1x1-bn-relu(0,2) 4:conv3x3-bn-relu(2,3) out(0,3)")
	mods := append(append([]datasetModule{}, datasetModules...), syntheticModule(t, c1))
	writeDataset(t, data, mods)

	calls := 0
	progress := func(done, total int64) { calls++ }
	b, err := OpenBenchmark(data, progress)
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 || b.IndexPath != data+".nb1shot1.idx" || b.Modules() != 4 {
		t.Errorf("first open: %d progress calls, index %q, %d modules (want 4: the foreign module dropped)", calls, b.IndexPath, b.Modules())
	}
	cases := []struct {
		space int
		cell  string
		mod   datasetModule
	}{
		{2, "1:conv1x1-bn-relu(0) 2:conv1x1-bn-relu(0) 3:conv3x3-bn-relu(0,1) 4:conv3x3-bn-relu(1,2) out(0,3,4)", datasetModules[0]},
		{3, "1:conv1x1-bn-relu(0) 2:maxpool3x3(1) 3:conv3x3-bn-relu(1) 4:maxpool3x3(2,3) 5:conv1x1-bn-relu(2,4) out(4,5)", datasetModules[1]},
		{3, "1:maxpool3x3(0) 2:maxpool3x3(1) 3:conv1x1-bn-relu(2) 4:maxpool3x3(0,3) 5:conv3x3-bn-relu(3,4) out(4,5)", datasetModules[2]},
		{1, c1.String(), mods[4]},
		// Node 4 is a loose end of c1: its op and parents do not change the module.
		{1, "1:conv3x3-bn-relu(0) 2:maxpool3x3(0,1) 3:conv1x1-bn-relu(0,2) 4:maxpool3x3(0,1) out(0,3)", mods[4]},
	}
	check := func(b *Benchmark) {
		for _, c := range cases {
			s := New(c.space)
			r, err := b.Lookup(s, mustCell(s, c.cell))
			if err != nil {
				t.Errorf("space %d %s: %v", c.space, c.cell, err)
				continue
			}
			test := (c.mod.test[0] + c.mod.test[1] + c.mod.test[2]) / 3
			valid := (c.mod.valid[0] + c.mod.valid[1] + c.mod.valid[2]) / 3
			if r.Hash.String() != c.mod.hash || r.Params != c.mod.params || r.Runs != 3 ||
				math.Abs(r.TestAccuracy-test) > 1e-15 || math.Abs(r.ValidationAccuracy-valid) > 1e-15 ||
				math.Abs(r.TestRegret-(1-test-s.TestMinError())) > 1e-15 || math.Abs(r.ValidationRegret-(1-valid-s.ValidMinError())) > 1e-15 ||
				len(r.TestAccuracies) != 3 || r.TestAccuracies[2] != c.mod.test[2] {
				t.Errorf("space %d %s: %+v, want mean test %v, valid %v", c.space, c.cell, r, test, valid)
			}
		}
	}
	check(b)

	calls = 0
	b2, err := OpenBenchmark(data, progress)
	if err != nil || calls != 0 || b2.IndexPath != b.IndexPath {
		t.Errorf("second open: %v, %d progress calls, index %q", err, calls, b2.IndexPath)
	}
	check(b2)

	missing := mustCell(s1, "1:maxpool3x3(0) 2:maxpool3x3(0,1) 3:maxpool3x3(0,1) 4:maxpool3x3(0,1) out(0,1)")
	if _, err := b.Lookup(s1, missing); err == nil || !strings.Contains(err.Error(), "is not in "+data) {
		t.Errorf("absent cell: %v", err)
	}
	if _, err := b.Lookup(New(2), c1); err == nil || !strings.Contains(err.Error(), "cell of space 1 given to space 2") {
		t.Errorf("cell of another space: %v", err)
	}

	// The index path next to the dataset is taken by a folder: the index goes to the user cache.
	dir2 := filepath.Join(dir, "ro")
	if err := os.MkdirAll(filepath.Join(dir2, "nasbench_only108.tfrecord.nb1shot1.idx"), 0o755); err != nil {
		t.Fatal(err)
	}
	data2 := filepath.Join(dir2, "nasbench_only108.tfrecord")
	writeDataset(t, data2, mods)
	b3, err := OpenBenchmark(data2, nil)
	if err != nil || !strings.HasPrefix(b3.IndexPath, filepath.Join(dir, "cache", "gaeanas", "nb101")) {
		t.Errorf("fallback: %v, index %q", err, b3.IndexPath)
	}
	calls = 0
	if b4, err := OpenBenchmark(data2, progress); err != nil || calls != 0 || b4.IndexPath != b3.IndexPath {
		t.Errorf("reopen from the cache: %v, %d progress calls", err, calls)
	}

	for path, want := range map[string]string{filepath.Join(dir, "absent"): "no such file", dir: "is a folder"} {
		if _, err := OpenBenchmark(path, nil); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("OpenBenchmark(%s): %v, want %q", path, err, want)
		}
	}
}
