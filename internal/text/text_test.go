package text

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestAbbrev(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
	}{
		{"", ""},
		{"short", "short"},
		{strings.Repeat("x", MaxQuoted), strings.Repeat("x", MaxQuoted)},
		{strings.Repeat("x", MaxQuoted+1), strings.Repeat("x", MaxQuoted) + "…"},
		{strings.Repeat("θ", MaxQuoted+5), strings.Repeat("θ", MaxQuoted) + "…"}, // runes, not bytes
	} {
		got := Abbrev(c.in)
		if got != c.want {
			t.Errorf("Abbrev(%d runes) = %d runes, want %d", utf8.RuneCountInString(c.in), utf8.RuneCountInString(got), utf8.RuneCountInString(c.want))
		}
	}
}
