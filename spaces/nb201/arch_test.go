package nb201

import (
	"strings"
	"testing"
)

const (
	bestC10  = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"
	allSkip  = "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|"
	allNone  = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"
	mixedAll = "|nor_conv_3x3~0|+|avg_pool_3x3~0|nor_conv_1x1~1|+|skip_connect~0|none~1|nor_conv_3x3~2|"
)

func TestOpNames(t *testing.T) {
	want := []string{"none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"}
	for i, name := range want {
		if got := Op(i).String(); got != name {
			t.Errorf("Op(%d) = %q, want %q", i, got, name)
		}
		if o, err := ParseOp(name); err != nil || o != Op(i) {
			t.Errorf("ParseOp(%q) = %v, %v", name, o, err)
		}
	}
	if _, err := ParseOp("conv_3x3"); err == nil {
		t.Error("ParseOp(conv_3x3): no error")
	}
	if s := Op(9).String(); s != "Op(9)" {
		t.Errorf("Op(9) = %q", s)
	}
}

func TestParseArch(t *testing.T) {
	a, err := ParseArch(bestC10)
	if err != nil {
		t.Fatal(err)
	}
	want := Arch{Conv3x3, Conv3x3, Conv3x3, Skip, Conv3x3, Conv1x1}
	if a != want {
		t.Errorf("ParseArch = %v, want %v", a, want)
	}
	if a.String() != bestC10 {
		t.Errorf("String = %q", a.String())
	}
	if (Arch{}).String() != allNone {
		t.Errorf("zero Arch = %q", Arch{}.String())
	}
}

func TestParseArchErrors(t *testing.T) {
	cases := []struct{ s, want string }{
		{"", "empty"},
		{"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|", "2 nodes"},
		{bestC10 + "+|none~0|", "4 nodes"},
		{"|conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|", `unknown op "conv_3x3"`},
		{"|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|", `node 1: entry 1 "nor_conv_3x3~1" has input "1", want 0`},
		{"|nor_conv_3x3~0|+|nor_conv_3x3~1|nor_conv_3x3~0|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|", "node 2: entry 1"},
		{"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~01|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|", `input "01"`},
		{"|nor_conv_3x3~0|+|nor_conv_3x3~0|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|", "node 2: 1 inputs, want 2"},
		{"|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|nor_conv_1x1~3|", "node 3: 4 inputs, want 3"},
		{"nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|", "must start and end with '|'"},
		{"|nor_conv_3x3|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|", "not op~input"},
		{" " + bestC10, "must start and end"},
		{"|nor_conv_3x3~0|+||+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|", "node 2"},
		{"|nor_conv_3x3~0|+|nor_conv_3x3~0||nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|", "node 2: 3 inputs"},
	}
	for _, c := range cases {
		_, err := ParseArch(c.s)
		if err == nil {
			t.Errorf("ParseArch(%q): no error", c.s)
			continue
		}
		msg := err.Error()
		if !strings.Contains(msg, c.want) || !strings.HasPrefix(msg, "nb201: parse ") || strings.Contains(msg, "\n") {
			t.Errorf("ParseArch(%q) error %q, want one line containing %q", c.s, msg, c.want)
		}
	}
}

func TestCodeRoundTrip(t *testing.T) {
	for c := 0; c < NumArchs; c++ {
		a, err := FromCode(c)
		if err != nil || a.Code() != c || !a.Valid() {
			t.Fatalf("FromCode(%d) = %v, %v (code %d)", c, a, err, a.Code())
		}
	}
	for _, c := range []int{-1, NumArchs} {
		if _, err := FromCode(c); err == nil {
			t.Errorf("FromCode(%d): no error", c)
		}
	}
	if (Arch{Skip, 7}).Valid() {
		t.Error("arch with Op(7) is Valid")
	}
}

// TestAllRoundTrip: every architecture prints, parses back to itself, and index ↔ arch agree.
func TestAllRoundTrip(t *testing.T) {
	all := All()
	if len(all) != NumArchs {
		t.Fatalf("All: %d archs", len(all))
	}
	seen := make(map[Arch]bool, NumArchs)
	for i, a := range all {
		s := a.String()
		b, err := ParseArch(s)
		if err != nil || b != a || b.String() != s {
			t.Fatalf("index %d: %q parses to %v, %v", i, s, b, err)
		}
		if a.Index() != i {
			t.Fatalf("index %d: %s.Index() = %d", i, s, a.Index())
		}
		if at, err := ArchAt(i); err != nil || at != a {
			t.Fatalf("ArchAt(%d) = %v, %v", i, at, err)
		}
		seen[a] = true
	}
	if len(seen) != NumArchs {
		t.Errorf("%d distinct archs", len(seen))
	}
	for _, i := range []int{-1, NumArchs} {
		if _, err := ArchAt(i); err == nil {
			t.Errorf("ArchAt(%d): no error", i)
		}
	}
}

func TestEdges(t *testing.T) {
	want := []string{"1<-0", "2<-0", "2<-1", "3<-0", "3<-1", "3<-2"}
	for e, w := range want {
		if EdgeName(e) != w {
			t.Errorf("EdgeName(%d) = %q, want %q", e, EdgeName(e), w)
		}
	}
}

func TestParseArchLongInputError(t *testing.T) {
	for _, s := range []string{strings.Repeat("x", 10000), "|" + strings.Repeat("y", 10000) + "|+||+|||",
		"|" + strings.Repeat("z", 10000) + "~0|+|none~0|none~1|+|none~0|none~1|none~2|"} {
		_, err := ParseArch(s)
		if err == nil || len(err.Error()) > 300 || !strings.Contains(err.Error(), "…") || strings.Contains(err.Error(), "\n") {
			t.Errorf("ParseArch(10 KB): error %q, want one short line quoting at most 80 characters", err)
		}
	}
}
