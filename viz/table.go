package viz

import (
	"fmt"
	"strings"
)

// Table renders rows as a small HTML table for a notebook (gonbui.DisplayHTML) or a report: the first row
// is the header, every cell is right-aligned. Cells are HTML, written as they are, so that a caller can
// set <b>, <code> or <sub> in them; escape text that may hold <, > or & with html.EscapeString.
//
// A table must fit a notebook's page (~1,000 px): numbers stay on one line, header cells wrap at their
// spaces, and a cell of more than wrapAfter characters of text (a genotype, a sentence) wraps — at spaces,
// or anywhere in a string without them — left-aligned.
func Table(rows [][]string) string {
	var b strings.Builder
	b.WriteString(`<table style="font-size:90%;border-collapse:collapse;font-variant-numeric:tabular-nums">`)
	for i, r := range rows {
		tag := "td"
		if i == 0 {
			tag = "th"
		}
		b.WriteString("<tr>")
		for _, c := range r {
			style := "padding:2px 8px;text-align:right;white-space:nowrap"
			switch {
			case textLen(c) > wrapAfter:
				style = "padding:2px 8px;text-align:left;white-space:normal;overflow-wrap:anywhere;max-width:24em"
			case tag == "th":
				style = "padding:2px 8px;text-align:right;white-space:normal;max-width:10em"
			}
			fmt.Fprintf(&b, `<%s style="%s">%s</%s>`, tag, style, c, tag)
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</table>")
	return b.String()
}

// wrapAfter is the text length (in characters, tags left out) beyond which a table cell may wrap.
const wrapAfter = 24

// textLen counts the characters of an HTML cell outside its tags.
func textLen(cell string) int {
	n, inTag := 0, false
	for _, r := range cell {
		switch {
		case r == '<':
			inTag = true
		case r == '>':
			inTag = false
		case !inTag:
			n++
		}
	}
	return n
}
