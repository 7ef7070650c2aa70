package viz

import "fmt"

// Claim checks a sentence of a notebook's text against the numbers a cell has just computed: when ok is
// false it panics with "claim of the text does not hold: " and the formatted message, so that the cell
// fails (and the headless run with it) instead of leaving a text that its figures no longer support.
// It is meant for notebooks, where the failing cell is the error report; programs should return errors.
func Claim(ok bool, format string, args ...any) {
	if !ok {
		panic("claim of the text does not hold: " + fmt.Sprintf(format, args...))
	}
}
