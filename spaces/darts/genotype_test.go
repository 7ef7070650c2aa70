package darts

import (
	"strings"
	"testing"
)

// pcDartsRepr is PC_DARTS as Python prints it (print(genotype) in the reference search code).
const pcDartsRepr = "Genotype(normal=[('sep_conv_3x3', 1), ('skip_connect', 0), ('sep_conv_3x3', 0), ('dil_conv_3x3', 1), ('sep_conv_5x5', 0), ('sep_conv_3x3', 1), ('avg_pool_3x3', 0), ('dil_conv_3x3', 1)], normal_concat=range(2, 6), reduce=[('sep_conv_5x5', 1), ('max_pool_3x3', 0), ('sep_conv_5x5', 1), ('sep_conv_5x5', 2), ('sep_conv_3x3', 0), ('sep_conv_3x3', 3), ('sep_conv_3x3', 1), ('sep_conv_3x3', 2)], reduce_concat=range(2, 6))"

func TestGenotypeString(t *testing.T) {
	if got := PC_DARTS.String(); got != pcDartsRepr {
		t.Errorf("PC_DARTS.String() =\n%s\nwant\n%s", got, pcDartsRepr)
	}
	// DARTS_V2 is written with concat lists in the reference; printed as range(2, 6).
	if got := DARTS_V2.String(); !strings.Contains(got, "normal_concat=range(2, 6), reduce=[('max_pool_3x3', 0)") {
		t.Errorf("DARTS_V2.String() = %s", got)
	}
	if got := mixedGenotype.String(); !strings.Contains(got, "normal_concat=[2, 4, 5]") {
		t.Errorf("non-contiguous concat printed as %s", got)
	}
}

func TestGenotypeRoundTrip(t *testing.T) {
	for name, g := range KnownGenotypes {
		s := g.String()
		back, err := ParseGenotype(s)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !back.Equal(g) || back.String() != s {
			t.Errorf("%s: round trip gave %s", name, back)
		}
	}
	if !mixedGenotype.Clone().Equal(mixedGenotype) {
		t.Error("Clone differs")
	}
}

// TestParseReferenceLayout parses the multi-line, double-quoted layout of the reference genotype files
// (quark0/darts cnn/genotypes.py, yuhuixu1993/PC-DARTS genotypes.py).
func TestParseReferenceLayout(t *testing.T) {
	src := `Genotype(
    normal=[
        ("sep_conv_3x3", 1),
        ("skip_connect", 0),
        ("sep_conv_3x3", 0),
        ("dil_conv_3x3", 1),
        ("sep_conv_5x5", 0),
        ("sep_conv_3x3", 1),
        ("avg_pool_3x3", 0),
        ("dil_conv_3x3", 1),
    ],
    normal_concat = [2, 3, 4, 5],
    reduce_concat=range(2, 6),
    reduce=[
        ("sep_conv_5x5", 1), ("max_pool_3x3", 0), ("sep_conv_5x5", 1), ("sep_conv_5x5", 2),
        ("sep_conv_3x3", 0), ("sep_conv_3x3", 3), ("sep_conv_3x3", 1), ("sep_conv_3x3", 2,),
    ],
)`
	g, err := ParseGenotype(src)
	if err != nil {
		t.Fatal(err)
	}
	if g.String() != pcDartsRepr {
		t.Errorf("got %s", g)
	}
}

func TestParseErrors(t *testing.T) {
	valid := pcDartsRepr
	cases := []struct{ in, want string }{
		{"", "expected Genotype"},
		{"Genotipe(normal=[])", "expected Genotype"},
		{strings.Replace(valid, "'sep_conv_3x3', 1", "'sep_conv_7x7', 1", 1), `normal entry 0: unknown op "sep_conv_7x7"`},
		{strings.Replace(valid, "('avg_pool_3x3', 0)", "('avg_pool_3x3', 5)", 1), "normal entry 6 (avg_pool_3x3): node 5 cannot read state 5"},
		{strings.Replace(valid, "('sep_conv_3x3', 1), ('skip_connect', 0), ", "('sep_conv_3x3', 1), ", 1), "normal has 7 entries"},
		{strings.Replace(valid, "reduce=[('sep_conv_5x5', 1), ('max_pool_3x3', 0), ", "reduce=[('sep_conv_5x5', 2), ('max_pool_3x3', 0), ", 1), "reduce entry 0 (sep_conv_5x5): node 2 cannot read state 2"},
		{strings.Replace(valid, "normal_concat=range(2, 6)", "normal_concat=range(2, 7)", 1), "normal_concat: state 6 does not exist"},
		{strings.Replace(valid, "normal_concat=range(2, 6)", "normal_concat=[2, 2]", 1), "normal_concat: state 2 repeated"},
		{strings.Replace(valid, "normal_concat=range(2, 6)", "normal_concat=range(6, 2)", 1), "empty"},
		{strings.Replace(valid, "normal_concat=range(2, 6)", "normal_concat=set(2, 6)", 1), "expected range(a, b) or a list"},
		{strings.Replace(valid, ", reduce_concat=range(2, 6)", "", 1), "missing reduce_concat"},
		{strings.Replace(valid, "reduce_concat=", "reduce_concat=range(2, 6), reduce_concat=", 1), "reduce_concat given twice"},
		{strings.Replace(valid, "reduce_concat", "reduction_concat", 1), `unknown field "reduction_concat"`},
		{valid + " x", "unexpected text after"},
		{strings.TrimSuffix(valid, ")"), "expected"},
		{strings.Replace(valid, "('sep_conv_3x3', 1)", "('sep_conv_3x3' 1)", 1), "expected ','"},
		{strings.Replace(valid, "('sep_conv_3x3', 1)", "('sep_conv_3x3', one)", 1), "expected an integer"},
		{strings.Replace(valid, "('sep_conv_3x3', 1)", "(sep_conv_3x3, 1)", 1), "expected a quoted op name"},
		{"Genotype(normal=[], normal_concat=range(2, 6), reduce=[], reduce_concat=range(2, 6))", "normal has 0 entries"},
	}
	for _, c := range cases {
		_, err := ParseGenotype(c.in)
		if err == nil {
			t.Errorf("ParseGenotype(%q): no error, want %q", c.in, c.want)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "darts: parse genotype") {
			t.Errorf("ParseGenotype(%q): error %q, want it to contain %q", c.in, err, c.want)
		}
	}
}

func TestMustParseGenotypePanics(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("no panic")
		}
	}()
	MustParseGenotype("Genotype()")
}

// FuzzParseGenotype: whatever parses prints to a string that parses to the same genotype and prints
// identically; nothing panics.
func FuzzParseGenotype(f *testing.F) {
	for _, g := range KnownGenotypes {
		f.Add(g.String())
	}
	f.Add(mixedGenotype.String())
	f.Add(`Genotype(normal=[("none", 0), ("skip_connect", 1)], normal_concat=[2], reduce=[("max_pool_3x3", 1), ("sep_conv_5x5", 0),], reduce_concat=range(0, 3))`)
	f.Add("Genotype(normal=[('sep_conv_3x3', 0)")
	f.Add("Genotype(normal=[('x', -1)], normal_concat=range(-5, 99999999999999999999))")
	f.Fuzz(func(t *testing.T, s string) {
		g, err := ParseGenotype(s)
		if err != nil {
			return
		}
		out := g.String()
		back, err := ParseGenotype(out)
		if err != nil {
			t.Fatalf("%q parsed, but its String %q does not: %v", s, out, err)
		}
		if !back.Equal(g) || back.String() != out {
			t.Fatalf("round trip of %q: %q then %q", s, out, back.String())
		}
	})
}
