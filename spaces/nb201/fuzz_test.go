package nb201

import (
	"encoding/binary"
	"math"
	"strings"
	"testing"
)

// FuzzParseArch: ParseArch never panics; what it accepts is canonical (prints back to the same string,
// so the format has exactly one spelling per arch) and has a benchmark entry; errors are one line.
// `go test -fuzz FuzzParseArch ./spaces/nb201`; plain `go test` runs the seed corpus.
func FuzzParseArch(f *testing.F) {
	for _, s := range []string{bestC10, allSkip, allNone, mixedAll, "", "|", "+", "||+||+||",
		"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|", "|none~1|+|none~0|none~1|+|none~0|none~1|none~2|",
		"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|+", "|none~0|+|none~0|none~1|+|none~0|none~1|none~2 |"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseArch(s)
		if err != nil {
			if strings.Contains(err.Error(), "\n") && !strings.Contains(s, "\n") {
				t.Errorf("multi-line error for %q: %v", s, err)
			}
			return
		}
		if !a.Valid() || a.String() != s {
			t.Fatalf("ParseArch(%q) = %v, which prints %q", s, a, a.String())
		}
		if e := Lookup(a); e.Arch != a || e.Index != a.Index() {
			t.Fatalf("Lookup(%s) = %+v", s, e)
		}
	})
}

// FuzzDiscretize: for any θ the chosen op of every edge has the row's largest weight, and the genotype
// round-trips through its string.
func FuzzDiscretize(f *testing.F) {
	f.Add(make([]byte, 6*4*8), false)
	f.Add(make([]byte, 6*5*8), true)
	f.Add([]byte{1, 2, 3}, true)
	f.Fuzz(func(t *testing.T, data []byte, withNone bool) {
		s := New().WithNone(withNone)
		k := len(s.Ops())
		theta := make([][]float64, NumEdges)
		for e := range theta {
			theta[e] = make([]float64, k)
			for j := range theta[e] {
				if off := (e*k + j) * 8; off+8 <= len(data) {
					theta[e][j] = math.Float64frombits(binary.LittleEndian.Uint64(data[off:]))
				}
			}
		}
		g, err := s.Discretize(theta, nil)
		if err != nil {
			return // NaN weights
		}
		a := g.(Arch)
		ops := s.ops()
		for e, row := range theta {
			col := -1
			for j, o := range ops {
				if o == a[e] {
					col = j
				}
			}
			if col < 0 {
				t.Fatalf("edge %d: op %s is not a candidate", e, a[e])
			}
			for _, v := range row {
				if v > row[col] {
					t.Fatalf("edge %d: chose %s (%v) but the row has %v", e, a[e], row[col], v)
				}
			}
		}
		if b, err := ParseArch(a.String()); err != nil || b != a {
			t.Fatalf("round trip of %s: %v, %v", a, b, err)
		}
	})
}
