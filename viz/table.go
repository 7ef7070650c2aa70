package viz

import (
	"fmt"
	"strings"
)

// Table renders rows as a small HTML table for a notebook (gonbui.DisplayHTML) or a report: the first row
// is the header, every cell is right-aligned on one line. Cells are HTML, written as they are, so that a
// caller can set <b>, <code> or <sub> in them; escape text that may hold <, > or & with
// html.EscapeString.
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
			fmt.Fprintf(&b, `<%s style="padding:2px 8px;text-align:right;white-space:nowrap">%s</%s>`, tag, c, tag)
		}
		b.WriteString("</tr>")
	}
	b.WriteString("</table>")
	return b.String()
}
