package nb201

import (
	_ "embed"
	"fmt"
	"slices"
	"sync"

	"github.com/gaeanas/gaeanas/spaces/nb201/internal/tablefmt"
)

//go:generate go run ./internal/mktable -csv ../../../shared/data/nb201/nats_bench.csv -out table.bin.gz

// tableData is the benchmark table (see package tablefmt for its layout), generated from NATS-Bench's
// nats_bench.csv (MIT licence, Copyright (c) since 2020 Xuanyi Dong) by internal/mktable.
//
//go:embed table.bin.gz
var tableData []byte

// Dataset names one of the benchmark's three data sets.
type Dataset int

// The benchmark's data sets, in the order of Entry's arrays.
const (
	CIFAR10    Dataset = iota // CIFAR-10 (NAS-Bench-201 trains on train+valid and tests on the test set)
	CIFAR100                  // CIFAR-100
	ImageNet16                // ImageNet16-120 (ImageNet downsampled to 16×16, 120 classes)
)

// NumDatasets is the number of data sets in the benchmark table.
const NumDatasets = 3

var datasetNames = [NumDatasets]string{"cifar10", "cifar100", "imagenet16"}

// String returns "cifar10", "cifar100" or "imagenet16".
func (d Dataset) String() string {
	if d >= 0 && int(d) < NumDatasets {
		return datasetNames[d]
	}
	return fmt.Sprintf("Dataset(%d)", int(d))
}

// Entry is one architecture's row of the benchmark table.
type Entry struct {
	Index int  // benchmark index, 0..15624
	Arch  Arch // the architecture

	// Accuracy is the test accuracy in percent after 200 epochs of stand-alone training (hp=200),
	// averaged over the benchmark's seeds, indexed by Dataset.
	Accuracy [NumDatasets]float64

	// Rank is the architecture's rank by Accuracy on each data set, 1 = best. Ties share the best rank
	// of their group ("competition" ranking: 1 + the number of architectures with a strictly higher
	// accuracy), so e.g. two architectures tied for first both have rank 1 and the next one rank 3.
	Rank [NumDatasets]int
}

// benchTable is the decoded table, indexed by benchmark index, plus the code → index map.
type benchTable struct {
	arch   []Arch
	byCode []uint16 // Arch.Code() → benchmark index
	acc    [NumDatasets][]float64
	rank   [NumDatasets][]uint16
}

var table = sync.OnceValue(func() *benchTable {
	t, err := decodeTable(tableData)
	if err != nil {
		panic(fmt.Sprintf("nb201: embedded benchmark table is corrupt: %v", err))
	}
	return t
})

// decodeTable decodes the embedded table and computes the ranks.
func decodeTable(data []byte) (*benchTable, error) {
	raw, err := tablefmt.Decode(data)
	if err != nil {
		return nil, err
	}
	if len(raw.Code) != NumArchs {
		return nil, fmt.Errorf("%d rows, want %d", len(raw.Code), NumArchs)
	}
	t := &benchTable{arch: make([]Arch, NumArchs), byCode: make([]uint16, NumArchs), acc: raw.Acc}
	seen := make([]bool, NumArchs)
	for i, c := range raw.Code {
		a, err := FromCode(int(c))
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", i, err)
		}
		if seen[c] {
			return nil, fmt.Errorf("row %d: architecture %s appears twice", i, a)
		}
		seen[c] = true
		t.arch[i] = a
		t.byCode[c] = uint16(i)
	}
	order := make([]uint16, NumArchs)
	for d := range t.rank {
		acc := t.acc[d]
		for i := range order {
			order[i] = uint16(i)
		}
		slices.SortFunc(order, func(x, y uint16) int {
			switch {
			case acc[x] > acc[y]:
				return -1
			case acc[x] < acc[y]:
				return 1
			}
			return int(x) - int(y)
		})
		rank := make([]uint16, NumArchs)
		for pos, i := range order {
			if pos > 0 && acc[i] == acc[order[pos-1]] {
				rank[i] = rank[order[pos-1]]
			} else {
				rank[i] = uint16(pos + 1)
			}
		}
		t.rank[d] = rank
	}
	return t, nil
}

func (t *benchTable) entry(i int) Entry {
	e := Entry{Index: i, Arch: t.arch[i]}
	for d := range e.Accuracy {
		e.Accuracy[d] = t.acc[d][i]
		e.Rank[d] = int(t.rank[d][i])
	}
	return e
}

// Lookup returns the benchmark entry of an architecture: its index, its test accuracy on CIFAR-10,
// CIFAR-100 and ImageNet16-120 and its rank on each. The table (15,625 rows, ~300 KB compressed, embedded
// in the binary) is decoded on the first call, in a few milliseconds; later calls take nanoseconds.
// Every valid Arch is in the table; Lookup panics if a is not Valid.
func Lookup(a Arch) Entry {
	if !a.Valid() {
		panic(fmt.Sprintf("nb201: Lookup of invalid arch %v", [NumEdges]Op(a)))
	}
	t := table()
	return t.entry(int(t.byCode[a.Code()]))
}

// LookupIndex returns the benchmark entry with the given index.
func LookupIndex(index int) (Entry, error) {
	if index < 0 || index >= NumArchs {
		return Entry{}, fmt.Errorf("nb201: index %d out of range [0, %d)", index, NumArchs)
	}
	return table().entry(index), nil
}

// LookupString parses an architecture string (strictly, see ParseArch) and looks it up.
func LookupString(s string) (Entry, error) {
	a, err := ParseArch(s)
	if err != nil {
		return Entry{}, err
	}
	return Lookup(a), nil
}

// Best returns the entry with the highest accuracy on data set d (the oracle of that data set;
// the lowest index among ties).
func Best(d Dataset) Entry {
	t := table()
	best := 0
	for i, v := range t.acc[d] {
		if v > t.acc[d][best] {
			best = i
		}
	}
	return t.entry(best)
}
