package nb1shot1

import (
	"bytes"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sort"
	"sync"

	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gaeanas/gaeanas/spaces/nb1shot1/nb101"
)

// The data sets of a NAS-Bench-101 entry (spaces.Benchmark): the mean final CIFAR-10 test accuracy of
// the three runs, and the mean validation accuracy.
const (
	DatasetTest  = "cifar10"
	DatasetValid = "cifar10-valid"
)

var tableDatasets = []spaces.BenchmarkDataset{{Key: DatasetTest, Title: "CIFAR-10 test"}, {Key: DatasetValid, Title: "CIFAR-10 validation"}}

// Table returns the lookups of space s in b as every space's benchmark (spaces.Benchmark): an entry is
// one NAS-Bench-101 module of the space found in the file — its index in the space's modules sorted by
// hash, a cell of the space that is that module, and per data set (DatasetTest, DatasetValid) the mean
// accuracy of the runs in percent, its rank among the space's modules (1 = best; ties share the best
// rank) and its regret against the space's lowest error from the reference (Space.TestMinError,
// ValidMinError), in percentage points. The space's modules are enumerated on the first use that needs
// them (a second or so for space 3).
func (b *Benchmark) Table(s *Space) spaces.Benchmark { return &table{b: b, s: s} }

type table struct {
	b *Benchmark
	s *Space

	once   sync.Once
	mods   []tableModule // the space's modules in the file, by hash
	byHash map[nb101.Hash]int
	acc    [2][]float64 // per data set, by module, in percent
	rank   [2][]int
}

type tableModule struct {
	hash nb101.Hash
	cell Cell // the first cell of the space (in enumeration order) that is the module
}

func (t *table) Title() string                       { return "NAS-Bench-101" }
func (t *table) Datasets() []spaces.BenchmarkDataset { return tableDatasets }

func (t *table) Size() int {
	t.build()
	return len(t.mods)
}

// build enumerates the space's modules and keeps those the file has, with their accuracies and ranks.
func (t *table) build() {
	t.once.Do(func() {
		reps := t.s.representatives()
		for h, c := range reps {
			if _, ok := t.b.index.Lookup(h); ok {
				t.mods = append(t.mods, tableModule{hash: h, cell: c})
			}
		}
		sort.Slice(t.mods, func(i, j int) bool { return bytes.Compare(t.mods[i].hash[:], t.mods[j].hash[:]) < 0 })
		t.byHash = make(map[nb101.Hash]int, len(t.mods))
		for d := range t.acc {
			t.acc[d] = make([]float64, len(t.mods))
		}
		for i, m := range t.mods {
			t.byHash[m.hash] = i
			e, _ := t.b.index.Lookup(m.hash)
			t.acc[0][i] = 100 * e.MeanTestAccuracy()
			t.acc[1][i] = 100 * e.MeanValidationAccuracy()
		}
		for d := range t.rank {
			t.rank[d] = ranks(t.acc[d])
		}
	})
}

// ranks gives each value its rank, 1 for the largest; equal values share the best rank.
func ranks(v []float64) []int {
	order := make([]int, len(v))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return v[order[a]] > v[order[b]] })
	r := make([]int, len(v))
	for k, i := range order {
		if k > 0 && v[i] == v[order[k-1]] {
			r[i] = r[order[k-1]]
		} else {
			r[i] = k + 1
		}
	}
	return r
}

func dataset(key string) (int, error) {
	for d, ds := range tableDatasets {
		if ds.Key == key {
			return d, nil
		}
	}
	return 0, fmt.Errorf("nb1shot1: unknown benchmark data set %q (want %s or %s)", key, DatasetTest, DatasetValid)
}

// entry is module i's entry, with arch as its text.
func (t *table) entry(i int, arch string) *spaces.BenchmarkEntry {
	e := &spaces.BenchmarkEntry{Index: i, Arch: arch}
	minErr := [2]float64{t.s.TestMinError(), t.s.ValidMinError()}
	for d, ds := range tableDatasets {
		regret := 100 * (1 - t.acc[d][i]/100 - minErr[d])
		e.Scores = append(e.Scores, spaces.Score{Dataset: ds.Key, Accuracy: t.acc[d][i], Rank: t.rank[d][i], Regret: &regret})
	}
	return e
}

// Lookup returns the entry of a cell in its text form (Cell.String).
func (t *table) Lookup(genotype string) (*spaces.BenchmarkEntry, error) {
	c, err := t.s.ParseCell(genotype)
	if err != nil {
		return nil, err
	}
	if _, err := t.b.Lookup(t.s, c); err != nil {
		return nil, err
	}
	h, err := c.Hash()
	if err != nil {
		return nil, err
	}
	t.build()
	i, ok := t.byHash[h]
	if !ok { // in the file, yet not a module the enumeration yields: a bug
		return nil, fmt.Errorf("nb1shot1: cell %s (module %s) is missing from the enumeration of space %d", c, h, t.s.number)
	}
	return t.entry(i, c.String()), nil
}

// Entry returns the entry of the space's i-th module (by hash), with a cell of the space as its text.
func (t *table) Entry(i int) (*spaces.BenchmarkEntry, error) {
	t.build()
	if i < 0 || i >= len(t.mods) {
		return nil, fmt.Errorf("nb1shot1: index %d: space %d has modules 0..%d in %s", i, t.s.number, len(t.mods)-1, t.b.Dataset)
	}
	return t.entry(i, t.mods[i].cell.String()), nil
}

// Best returns the entry of highest accuracy on a data set (the first by hash of equals).
func (t *table) Best(key string) (*spaces.BenchmarkEntry, error) {
	d, err := dataset(key)
	if err != nil {
		return nil, err
	}
	t.build()
	if len(t.mods) == 0 {
		return nil, fmt.Errorf("nb1shot1: %s holds no module of space %d", t.b.Dataset, t.s.number)
	}
	best := 0
	for i, a := range t.acc[d] {
		if a > t.acc[d][best] {
			best = i
		}
	}
	return t.entry(best, t.mods[best].cell.String()), nil
}

// Accuracies returns the accuracy (%) of every module of the space in the file, by index.
func (t *table) Accuracies(key string) ([]float64, error) {
	d, err := dataset(key)
	if err != nil {
		return nil, err
	}
	t.build()
	return slices.Clone(t.acc[d]), nil
}

// representatives maps each NAS-Bench-101 module of the space to the first cell, in the order of the
// pruned shapes and their op assignments, that is it.
func (s *Space) representatives() map[nb101.Hash]Cell {
	shapes := s.prunedShapes()
	workers := runtime.GOMAXPROCS(0)
	type rep struct {
		order int
		cell  Cell
	}
	parts := make([]map[nb101.Hash]rep, workers)
	per := int(math.Pow(NumOps, float64(s.def.nodes)))
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := map[nb101.Hash]rep{}
			for i := w; i < len(shapes); i += workers {
				sh := shapes[i]
				k := 0
				for ops := range opAssignments(len(sh.live)) {
					c := Cell{Space: s.number, Ops: make([]Op, s.def.nodes), Parents: make([][]int, len(sh.cell.Parents))}
					for v := range c.Parents {
						c.Parents[v] = slices.Clone(sh.cell.Parents[v])
						if c.Parents[v] == nil { // a loose end: its first parent choice
							c.Parents[v] = slices.Clone(s.ParentChoices(v + 1)[0])
						}
					}
					for j, v := range sh.live {
						c.Ops[v-1] = ops[j]
					}
					h, err := c.Hash()
					if err != nil {
						panic("nb1shot1: a cell of space " + fmt.Sprint(s.number) + " is not a NAS-Bench-101 module: " + err.Error())
					}
					if old, ok := m[h]; !ok || i*per+k < old.order {
						m[h] = rep{i*per + k, c}
					}
					k++
				}
			}
			parts[w] = m
		}()
	}
	wg.Wait()
	all := map[nb101.Hash]rep{}
	for _, p := range parts {
		for h, r := range p {
			if old, ok := all[h]; !ok || r.order < old.order {
				all[h] = r
			}
		}
	}
	out := make(map[nb101.Hash]Cell, len(all))
	for h, r := range all {
		out[h] = r.cell
	}
	return out
}
