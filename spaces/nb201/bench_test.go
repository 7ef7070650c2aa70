package nb201

import (
	"testing"
)

// BenchmarkTableLoad decodes the embedded table and computes the ranks (what the first Lookup does).
// go test -run XXX -bench . ./spaces/nb201
func BenchmarkTableLoad(b *testing.B) {
	for b.Loop() {
		if _, err := decodeTable(tableData); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLookup is one query of a loaded table.
func BenchmarkLookup(b *testing.B) {
	archs := All()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		_ = Lookup(archs[i])
		i = (i + 7919) % NumArchs
	}
}

// BenchmarkLookupString parses the string and queries.
func BenchmarkLookupString(b *testing.B) {
	strs := make([]string, 64)
	for i := range strs {
		a, _ := ArchAt(i * 211)
		strs[i] = a.String()
	}
	b.ResetTimer()
	i := 0
	for b.Loop() {
		if _, err := LookupString(strs[i%len(strs)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkArchString(b *testing.B) {
	a := MustParseArch(bestC10)
	for b.Loop() {
		_ = a.String()
	}
}
