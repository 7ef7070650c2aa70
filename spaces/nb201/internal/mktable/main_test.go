package main

import (
	"bytes"
	"os"
	"testing"

	"github.com/gaeanas/gaeanas/spaces/nb201/internal/tablefmt"
)

const csvPath = "../../../../../shared/data/nb201/nats_bench.csv"

// TestEmbeddedTableIsCurrent regenerates the table from the CSV and compares it byte for byte with the
// embedded ../../table.bin.gz (run `go generate ./spaces/nb201` if this fails).
func TestEmbeddedTableIsCurrent(t *testing.T) {
	data, err := os.ReadFile(csvPath)
	if os.IsNotExist(err) {
		t.Skipf("skipped: the reference data %s is not on this machine", csvPath)
	}
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := build(data)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := tablefmt.Encode(&buf, tbl); err != nil {
		t.Fatal(err)
	}
	embedded, err := os.ReadFile("../../table.bin.gz")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), embedded) {
		t.Error("table.bin.gz differs from what mktable generates from the CSV: run go generate ./spaces/nb201")
	}
	back, err := tablefmt.Decode(embedded)
	if err != nil {
		t.Fatal(err)
	}
	for i := range tbl.Code {
		if back.Code[i] != tbl.Code[i] || back.Acc[0][i] != tbl.Acc[0][i] || back.Acc[1][i] != tbl.Acc[1][i] || back.Acc[2][i] != tbl.Acc[2][i] {
			t.Fatalf("row %d does not round-trip", i)
		}
	}
}

func TestArchCode(t *testing.T) {
	good := map[string]int{
		"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|":                                                 0,
		"|avg_pool_3x3~0|+|avg_pool_3x3~0|avg_pool_3x3~1|+|avg_pool_3x3~0|avg_pool_3x3~1|avg_pool_3x3~2|": 15624,
		"|none~0|+|none~0|none~1|+|none~0|none~1|skip_connect~2|":                                         1,
	}
	for s, want := range good {
		if got, err := archCode(s); err != nil || got != want {
			t.Errorf("archCode(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	for _, s := range []string{"", "|none~0|", "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|none~3|",
		"|none~1|+|none~0|none~1|+|none~0|none~1|none~2|", "|x~0|+|none~0|none~1|+|none~0|none~1|none~2|",
		"|none~0|+|none~0|none~1|none~2|+|none~0|none~1|"} {
		if _, err := archCode(s); err == nil {
			t.Errorf("archCode(%q): no error", s)
		}
	}
	if _, err := build([]byte("a,b\n1,2\n")); err == nil {
		t.Error("build of a bad CSV: no error")
	}
}
