// Package text holds the one rule by which gaeanas quotes a user's input in an error message.
package text

// MaxQuoted is the most characters of a user's input that an error message quotes.
const MaxQuoted = 80

// Abbrev shortens s to its first MaxQuoted characters and "…", so that an error quoting a long (or
// garbage) input stays one short line.
func Abbrev(s string) string {
	if r := []rune(s); len(r) > MaxQuoted {
		return string(r[:MaxQuoted]) + "…"
	}
	return s
}
