// Command mktable generates the NAS-Bench-201 accuracy table that package nb201 embeds
// (table.bin.gz) from the benchmark's CSV (../shared/data/nb201/nats_bench.csv):
//
//	go generate ./spaces/nb201   # runs: go run ./internal/mktable -csv … -out table.bin.gz
//
// It checks the CSV strictly: the header, 15,625 rows, every architecture string in standard form and
// every architecture exactly once. See package tablefmt for the binary layout.
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/gaeanas/gaeanas/spaces/nb201/internal/tablefmt"
)

var header = []string{"CIFAR10TestAccuracy200Epochs", "CIFAR100TestAccuracy200Epochs",
	"ImageNetTestAccuracy200Epochs", "ArchitectureString", "UniqueString"}

var opNames = []string{"none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"}

const numArchs = 15625

func main() {
	in := flag.String("csv", "", "the NAS-Bench-201 CSV (nats_bench.csv)")
	out := flag.String("out", "table.bin.gz", "output file")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "mktable:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	data, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	t, err := build(data)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	var buf bytes.Buffer
	if err := tablefmt.Encode(&buf, t); err != nil {
		return err
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Printf("mktable: %d rows from %s (sha256 %x) → %s (%d bytes)\n", len(t.Code), in, t.CSVSHA256, out, buf.Len())
	return nil
}

func build(data []byte) (*tablefmt.Table, error) {
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		return nil, err
	}
	if len(recs) != numArchs+1 {
		return nil, fmt.Errorf("%d records, want a header and %d rows", len(recs), numArchs)
	}
	if strings.Join(recs[0], ",") != strings.Join(header, ",") {
		return nil, fmt.Errorf("header %q, want %q", recs[0], header)
	}
	t := &tablefmt.Table{CSVSHA256: sha256.Sum256(data), Code: make([]uint16, numArchs)}
	for d := range t.Acc {
		t.Acc[d] = make([]float64, numArchs)
	}
	seen := make([]bool, numArchs)
	for i, r := range recs[1:] {
		for d := range t.Acc {
			v, err := strconv.ParseFloat(r[d], 64)
			if err != nil || v < 0 || v > 100 {
				return nil, fmt.Errorf("row %d column %s: bad accuracy %q", i, header[d], r[d])
			}
			t.Acc[d][i] = v
		}
		code, err := archCode(r[3])
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", i, err)
		}
		if seen[code] {
			return nil, fmt.Errorf("row %d: architecture %s appears twice", i, r[3])
		}
		seen[code] = true
		t.Code[i] = uint16(code)
	}
	return t, nil
}

// archCode parses a standard architecture string to its base-5 code (edge 1<-0 most significant),
// rebuilding the string to check it is in standard form.
func archCode(s string) (int, error) {
	code := 0
	var canon strings.Builder
	nodes := strings.Split(s, "+")
	for i, node := range nodes {
		if i > 0 {
			canon.WriteByte('+')
		}
		canon.WriteByte('|')
		entries := strings.Split(strings.Trim(node, "|"), "|")
		if len(entries) != i+1 {
			return 0, fmt.Errorf("%q: node %d has %d inputs, want %d", s, i+1, len(entries), i+1)
		}
		for j, entry := range entries {
			name, _, _ := strings.Cut(entry, "~")
			op := -1
			for k, n := range opNames {
				if n == name {
					op = k
				}
			}
			if op < 0 {
				return 0, fmt.Errorf("%q: unknown op %q", s, name)
			}
			code = code*5 + op
			fmt.Fprintf(&canon, "%s~%d|", name, j)
		}
	}
	if canon.String() != s || len(nodes) != 3 {
		return 0, fmt.Errorf("%q is not a standard NAS-Bench-201 architecture string", s)
	}
	return code, nil
}
