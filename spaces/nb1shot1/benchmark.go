package nb1shot1

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/gaeanas/gaeanas/spaces/nb1shot1/nb101"
)

// EnvDataset names the environment variable that may point at nasbench_only108.tfrecord (or
// nasbench_full.tfrecord) when no file is given explicitly.
const EnvDataset = "GAEA_NB101"

// indexTag names what the index keeps: the modules of the three spaces, at 108 epochs. Changing the
// spaces' enumeration must change it, so that old indexes are rebuilt.
const indexTag = "nb1shot1 spaces 1-3 v1"

// Benchmark looks cells of the three spaces up in NAS-Bench-101.
type Benchmark struct {
	Dataset   string // the dataset file
	IndexPath string // where the index was read from or written to; "" if it could not be stored
	index     *nb101.Index
}

// OpenBenchmark opens the NAS-Bench-101 dataset at path for lookups. The first time, it reads the whole
// file (≈ 0.5 GB; progress reports bytes read and the file size) and keeps the 108-epoch results of
// every module of the three spaces in an index stored next to the file (path + ".nb1shot1.idx") or, if
// that folder is not writable, in the user cache folder; later opens read the index (a few MB) unless
// the dataset file changed.
func OpenBenchmark(path string, progress func(done, total int64)) (*Benchmark, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("nb1shot1: NAS-Bench-101 dataset: %w", err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("nb1shot1: NAS-Bench-101 dataset %s is a folder, want nasbench_only108.tfrecord", path)
	}
	candidates := indexPaths(path)
	for _, p := range candidates {
		ix, err := nb101.ReadIndex(p)
		if err == nil && ix.Tag == indexTag && ix.Epochs == 108 && ix.SourceSize == st.Size() && ix.SourceModTime == st.ModTime().UnixNano() {
			return &Benchmark{Dataset: path, IndexPath: p, index: ix}, nil
		}
	}
	var keep map[nb101.Hash]struct{} // the spaces' modules, enumerated at the first record (seconds), not for a file that fails at once
	ix, err := nb101.Build(path, nb101.BuildOptions{
		Epochs: 108,
		Tag:    indexTag,
		Keep: func(h nb101.Hash) bool {
			if keep == nil {
				keep = spaceHashes()
			}
			_, ok := keep[h]
			return ok
		},
		Progress: progress,
	})
	if err != nil {
		return nil, fmt.Errorf("nb1shot1: %w", err)
	}
	b := &Benchmark{Dataset: path, index: ix}
	for _, p := range candidates {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			continue
		}
		if ix.WriteFile(p) == nil {
			b.IndexPath = p
			break
		}
	}
	return b, nil
}

// spaceHashes is the set of the modules of the three spaces (computed once: seconds).
var spaceHashes = sync.OnceValue(func() map[nb101.Hash]struct{} {
	keep := map[nb101.Hash]struct{}{}
	for n := 1; n <= 3; n++ {
		for h := range New(n).Hashes() {
			keep[h] = struct{}{}
		}
	}
	return keep
})

// indexPaths are the places the index may live: next to the dataset, then the user cache folder.
func indexPaths(dataset string) []string {
	paths := []string{dataset + ".nb1shot1.idx"}
	if cache, err := os.UserCacheDir(); err == nil {
		abs, err := filepath.Abs(dataset)
		if err != nil {
			abs = dataset
		}
		sum := sha256.Sum256([]byte(abs))
		paths = append(paths, filepath.Join(cache, "gaeanas", "nb101", filepath.Base(dataset)+"-"+hex.EncodeToString(sum[:4])+".nb1shot1.idx"))
	}
	return paths
}

// Modules is the number of modules in the index (the distinct NAS-Bench-101 modules of the three spaces
// found in the dataset).
func (b *Benchmark) Modules() int { return b.index.Len() }

// Result is a cell's NAS-Bench-101 record at 108 epochs.
type Result struct {
	Hash   nb101.Hash
	Params int // trainable parameters of NAS-Bench-101's network
	Runs   int // training runs recorded (3)

	// The mean over the runs of the final test and validation accuracies.
	TestAccuracy, ValidationAccuracy float64
	// Regret: mean error minus the space's lowest error from the reference (Space.TestMinError,
	// ValidMinError), as the reference's analysis computes it (experiments/analysis/experiment_database.py
	// lines 44-55: the mean of the runs' errors minus search_space.test_min_error).
	TestRegret, ValidationRegret float64

	// Per run.
	TestAccuracies, ValidationAccuracies []float64
}

// Lookup returns the results of cell c of space s.
func (b *Benchmark) Lookup(s *Space, c Cell) (Result, error) {
	if err := s.CheckCell(c); err != nil {
		return Result{}, err
	}
	h, err := c.Hash()
	if err != nil {
		return Result{}, fmt.Errorf("nb1shot1: cell %s: %w", c, err)
	}
	e, ok := b.index.Lookup(h)
	if !ok {
		return Result{}, fmt.Errorf("nb1shot1: cell %s (NAS-Bench-101 module %s) is not in %s", c, h, b.Dataset)
	}
	r := Result{
		Hash: h, Params: int(e.Params), Runs: e.Repeats,
		TestAccuracy: e.MeanTestAccuracy(), ValidationAccuracy: e.MeanValidationAccuracy(),
		TestAccuracies:       append([]float64(nil), e.TestAccuracy[:e.Repeats]...),
		ValidationAccuracies: append([]float64(nil), e.ValidationAccuracy[:e.Repeats]...),
	}
	r.TestRegret = 1 - r.TestAccuracy - s.TestMinError()
	r.ValidationRegret = 1 - r.ValidationAccuracy - s.ValidMinError()
	return r, nil
}
