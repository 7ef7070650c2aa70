package main

// maxQuoted is the most characters of a user's input that an error message quotes.
const maxQuoted = 80

// abbrev shortens s to its first maxQuoted characters and "…", so that an error quoting a long
// argument stays one short line.
func abbrev(s string) string {
	if r := []rune(s); len(r) > maxQuoted {
		return string(r[:maxQuoted]) + "…"
	}
	return s
}
