package nb201

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"math"
	"os"
	"slices"
	"sort"
	"strconv"
	"testing"

	"github.com/gaeanas/gaeanas/spaces/nb201/internal/tablefmt"
)

// TestKnownValues checks the values documented in the shared data folder's README (../shared/data/README.md
// from the repository root, outside the repository).
func TestKnownValues(t *testing.T) {
	cases := []struct {
		index int
		arch  string
		d     Dataset
		acc   float64
	}{
		{6111, bestC10, CIFAR10, 94.373},
		{9930, "", CIFAR100, 73.513},
		{857, "", ImageNet16, 47.311},
		{1835, allSkip, CIFAR10, 54.30},
		{1835, allSkip, CIFAR100, 15.61},
		{1835, allSkip, ImageNet16, 16.32},
	}
	for _, c := range cases {
		e, err := LookupIndex(c.index)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(e.Accuracy[c.d]-c.acc) > 0.005 {
			t.Errorf("index %d %s: accuracy %v, want %v", c.index, c.d, e.Accuracy[c.d], c.acc)
		}
		if c.arch != "" {
			if e.Arch.String() != c.arch {
				t.Errorf("index %d: arch %s, want %s", c.index, e.Arch, c.arch)
			}
			if got := Lookup(MustParseArch(c.arch)); got != e {
				t.Errorf("Lookup(%s) = %+v, want %+v", c.arch, got, e)
			}
		}
	}
	for d, want := range []int{6111, 9930, 857} {
		b := Best(Dataset(d))
		if b.Index != want || b.Rank[d] != 1 {
			t.Errorf("Best(%s) = index %d rank %d, want %d rank 1", Dataset(d), b.Index, b.Rank[d], want)
		}
	}
	e, _ := LookupIndex(6111)
	if e.Rank[CIFAR10] != 1 {
		t.Errorf("6111 rank on cifar10 = %d", e.Rank[CIFAR10])
	}
	if _, err := LookupIndex(NumArchs); err == nil {
		t.Error("LookupIndex(15625): no error")
	}
	if _, err := LookupString("|foo~0|"); err == nil {
		t.Error("LookupString(bad): no error")
	}
	if e, err := LookupString(allSkip); err != nil || e.Index != 1835 {
		t.Errorf("LookupString(all skip) = %+v, %v", e, err)
	}
	if s := ImageNet16.String(); s != "imagenet16" {
		t.Error(s)
	}
}

// TestRanks checks competition ranking: rank = 1 + the number of archs with a strictly higher accuracy.
func TestRanks(t *testing.T) {
	for d := Dataset(0); d < NumDatasets; d++ {
		acc := make([]float64, NumArchs)
		for i := range acc {
			e, _ := LookupIndex(i)
			acc[i] = e.Accuracy[d]
		}
		sorted := slices.Clone(acc)
		sort.Float64s(sorted)
		ties := 0
		for i := range acc {
			e, _ := LookupIndex(i)
			higher := NumArchs - sort.Search(NumArchs, func(k int) bool { return sorted[k] > acc[i] })
			if e.Rank[d] != 1+higher {
				t.Fatalf("%s index %d: rank %d, want %d", d, i, e.Rank[d], 1+higher)
			}
			if i > 0 && sorted[i] == sorted[i-1] {
				ties++
			}
		}
		t.Logf("%s: %d archs share an accuracy with another", d, ties)
	}
}

// TestTableMatchesCSV compares every row of the embedded table with the benchmark CSV.
func TestTableMatchesCSV(t *testing.T) {
	data, err := os.ReadFile(csvPath)
	if os.IsNotExist(err) {
		t.Skipf("skipped: the reference data %s is not on this machine", csvPath)
	}
	if err != nil {
		t.Fatal(err)
	}
	raw, err := tablefmt.Decode(tableData)
	if err != nil {
		t.Fatal(err)
	}
	if raw.CSVSHA256 != sha256.Sum256(data) {
		t.Errorf("embedded table was generated from a CSV with sha256 %x; %s has %x: run go generate", raw.CSVSHA256, csvPath, sha256.Sum256(data))
	}
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != NumArchs+1 {
		t.Fatalf("%d CSV records", len(recs))
	}
	for i, r := range recs[1:] {
		e, err := LookupIndex(i)
		if err != nil {
			t.Fatal(err)
		}
		if e.Arch.String() != r[3] {
			t.Fatalf("row %d: arch %s, CSV %s", i, e.Arch, r[3])
		}
		for d := 0; d < NumDatasets; d++ {
			v, err := strconv.ParseFloat(r[d], 64)
			if err != nil || v != e.Accuracy[d] {
				t.Fatalf("row %d %s: %v, CSV %q", i, Dataset(d), e.Accuracy[d], r[d])
			}
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	if _, err := decodeTable([]byte("not gzip")); err == nil {
		t.Error("decode of garbage: no error")
	}
	if _, err := decodeTable(tableData[:len(tableData)/2]); err == nil {
		t.Error("decode of a truncated table: no error")
	}
	// A table with a duplicated architecture.
	raw, err := tablefmt.Decode(tableData)
	if err != nil {
		t.Fatal(err)
	}
	raw.Code[1] = raw.Code[0]
	var buf bytes.Buffer
	if err := tablefmt.Encode(&buf, raw); err != nil {
		t.Fatal(err)
	}
	if _, err := decodeTable(buf.Bytes()); err == nil {
		t.Error("decode of a table with a duplicate: no error")
	}
	// Too few rows.
	raw.Code = raw.Code[:10]
	for d := range raw.Acc {
		raw.Acc[d] = raw.Acc[d][:10]
	}
	buf.Reset()
	if err := tablefmt.Encode(&buf, raw); err != nil {
		t.Fatal(err)
	}
	if _, err := decodeTable(buf.Bytes()); err == nil {
		t.Error("decode of a 10-row table: no error")
	}
}

func TestEmbeddedSize(t *testing.T) {
	if len(tableData) > 1<<20 {
		t.Errorf("embedded table is %d bytes, want ≤ 1 MiB", len(tableData))
	}
}
