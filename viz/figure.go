package viz

import (
	"bytes"
	"fmt"
	"html"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Figure is a rendered picture.
type Figure struct {
	Title string
	SVG   []byte // standalone SVG document
}

// Retitle sets the figure's title, in its caption and in the picture: where the figure function drew
// its title as a text of the SVG, that text becomes title too (a title with quotes, which the SVG
// may escape otherwise, changes only the caption).
func (f *Figure) Retitle(title string) {
	if f == nil {
		return
	}
	drawn := []byte(">" + html.EscapeString(f.Title) + "</text>")
	if f.Title != "" && bytes.Contains(f.SVG, drawn) {
		f.SVG = bytes.Replace(f.SVG, drawn, []byte(">"+html.EscapeString(title)+"</text>"), 1)
	}
	f.Title = title
}

// WriteSVG writes the figure's SVG document to path.
func (f *Figure) WriteSVG(path string) error {
	if f == nil || len(f.SVG) == 0 {
		return fmt.Errorf("viz: write %s: empty figure", path)
	}
	if err := os.WriteFile(path, f.SVG, 0o644); err != nil {
		return fmt.Errorf("viz: write figure %q: %w", f.Title, err)
	}
	return nil
}

// HTML returns the SVG inline in a <figure> element with the title as its caption, for reports and
// notebook outputs. The XML declaration and document type are left out (they are not allowed inside
// HTML); the SVG itself is unchanged.
func (f *Figure) HTML() string {
	if f == nil {
		return ""
	}
	var b strings.Builder
	b.WriteString(`<figure style="margin:0.5em 0">`)
	b.WriteString("\n")
	b.WriteString(inlineSVG(f.SVG))
	if f.Title != "" {
		b.WriteString(`<figcaption style="font-family:sans-serif;font-size:90%">`)
		b.WriteString(html.EscapeString(f.Title))
		b.WriteString("</figcaption>\n")
	}
	b.WriteString("</figure>")
	return b.String()
}

var (
	xmlDeclRE = regexp.MustCompile(`(?s)<\?xml.*?\?>`)
	doctypeRE = regexp.MustCompile(`(?s)<!DOCTYPE[^>]*>`)
	commentRE = regexp.MustCompile(`(?s)<!--.*?-->`)
)

// inlineSVG strips what an SVG document may have before its <svg> element and HTML does not accept.
func inlineSVG(svg []byte) string {
	s := xmlDeclRE.ReplaceAllString(string(svg), "")
	s = doctypeRE.ReplaceAllString(s, "")
	s = commentRE.ReplaceAllString(s, "")
	return strings.TrimSpace(s) + "\n"
}

// Sizes of the figures, in points (1 pt = 4/3 CSS px): 600 pt = 800 px, a notebook cell's width.
const (
	figWidth  = 600 * vg.Length(1)
	panelH    = 170 * vg.Length(1) // height of one small panel of a grid
	titleH    = 26 * vg.Length(1)  // height of a figure's title band
	legendRow = 16 * vg.Length(1)  // height of one row of a figure-wide legend
)

// sans is the text font of every chart: Liberation Sans, which is metric-compatible with Arial; the SVG
// names Arial, Helvetica and sans-serif as fallbacks (see fixFonts).
func sans(size vg.Length) font.Font {
	return font.Font{Typeface: "Liberation", Variant: "Sans", Size: size}
}

// newPlot returns a plot with the package's style: sans-serif text, a light grid, the given title and
// axis labels.
func newPlot(title, xlabel, ylabel string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.Title.TextStyle.Font = sans(11)
	p.Title.Padding = 4
	p.X.Label.Text = xlabel
	p.Y.Label.Text = ylabel
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font = sans(10)
		ax.Tick.Label.Font = sans(8.5)
		ax.Padding = 2
	}
	p.Legend.TextStyle.Font = sans(9)
	g := plotter.NewGrid()
	g.Vertical.Color = rgb(0xe6e6e6)
	g.Horizontal.Color = rgb(0xe6e6e6)
	p.Add(g)
	return p
}

// newLegend returns a stand-alone legend in the package's style.
func newLegend() plot.Legend {
	l := plot.NewLegend()
	l.TextStyle.Font = sans(9.5)
	l.ThumbnailWidth = 22
	return l
}

// render draws onto a fresh w × h SVG canvas and returns the document. Panics of the plotting library
// (it panics on some degenerate input) come back as errors.
func render(title string, w, h vg.Length, drawFn func(dc draw.Canvas)) (fig *Figure, err error) {
	defer func() {
		if r := recover(); r != nil {
			fig, err = nil, fmt.Errorf("viz: render %q: %v", title, r)
		}
	}()
	c := vgsvg.New(w, h)
	dc := draw.New(c)
	dc.SetColor(rgb(0xffffff))
	dc.Fill(dc.Rectangle.Path())
	dc.Max.Y -= 6 // margins: text drawn at the very edge looks cut off
	dc.Max.X -= 4
	drawFn(dc)
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("viz: render %q: %w", title, err)
	}
	return &Figure{Title: title, SVG: fixFonts(buf.Bytes())}, nil
}

// renderPlot renders a single plot filling the canvas.
func renderPlot(title string, p *plot.Plot, w, h vg.Length) (*Figure, error) {
	return render(title, w, h, func(dc draw.Canvas) { p.Draw(dc) })
}

// fixFonts adds fallbacks to the font families gonum/plot writes, so that a browser without the
// Liberation fonts uses a metric-compatible font instead of its default serif.
func fixFonts(svg []byte) []byte {
	s := string(svg)
	s = strings.ReplaceAll(s, "font-family:Liberation Sans;", "font-family:Liberation Sans,Arial,Helvetica,sans-serif;")
	s = strings.ReplaceAll(s, "font-family:Liberation Serif;", "font-family:Liberation Serif,Times New Roman,Times,serif;")
	s = strings.ReplaceAll(s, "font-family:Liberation Mono;", "font-family:Liberation Mono,Courier New,monospace;")
	return []byte(s)
}

// drawTitle writes a figure title centred at the top of dc and returns the canvas below it.
func drawTitle(dc draw.Canvas, title string) draw.Canvas {
	if title == "" {
		return dc
	}
	sty := plot.New().Title.TextStyle
	sty.Font = sans(13)
	sty.XAlign = draw.XCenter
	sty.YAlign = draw.YTop
	pt := vg.Point{X: (dc.Min.X + dc.Max.X) / 2, Y: dc.Max.Y - 6}
	dc.FillText(sty, pt, title)
	out := dc
	out.Max.Y -= titleH
	return out
}

// gridOf lays plots out in a grid of cols columns (the last row may be short) on dc.
func gridOf(dc draw.Canvas, plots []*plot.Plot, cols int) {
	rows := (len(plots) + cols - 1) / cols
	grid := make([][]*plot.Plot, rows)
	for r := range grid {
		grid[r] = make([]*plot.Plot, cols)
		for c := range grid[r] {
			if i := r*cols + c; i < len(plots) {
				grid[r][c] = plots[i]
			}
		}
	}
	tiles := draw.Tiles{Rows: rows, Cols: cols, PadX: 10, PadY: 8, PadTop: 2, PadBottom: 2, PadLeft: 2, PadRight: 8}
	canvases := plot.Align(grid, tiles, dc)
	for r := range grid {
		for c, p := range grid[r] {
			if p != nil {
				p.Draw(canvases[r][c])
			}
		}
	}
}

// legendBand draws a legend as a horizontal band of entries at the bottom of dc (wrapping into rows)
// and returns the canvas above it. Each entry is a name and its thumbnail.
type legendEntry struct {
	name  string
	thumb plot.Thumbnailer
}

func legendRows(n, perRow int) int { return (n + perRow - 1) / perRow }

func drawLegendBand(dc draw.Canvas, entries []legendEntry, perRow int) draw.Canvas {
	return legendBand(dc, entries, perRow, false)
}

// drawLegendBandTop is drawLegendBand at the top of dc; it returns the canvas below the band.
func drawLegendBandTop(dc draw.Canvas, entries []legendEntry, perRow int) draw.Canvas {
	return legendBand(dc, entries, perRow, true)
}

func legendBand(dc draw.Canvas, entries []legendEntry, perRow int, top bool) draw.Canvas {
	if len(entries) == 0 {
		return dc
	}
	rows := legendRows(len(entries), perRow)
	band := dc
	band.Max.Y = dc.Min.Y + vg.Length(rows)*legendRow + 6
	if top {
		band.Min.Y = dc.Max.Y - vg.Length(rows)*legendRow - 6
		band.Max.Y = dc.Max.Y
	}
	// Columns as wide as the longest entry (estimated), the band centred: a legend of two entries under
	// two panels must not read as one legend per panel.
	longest := 0
	for _, e := range entries {
		longest = max(longest, utf8.RuneCountInString(e.name))
	}
	colW := min((dc.Max.X-dc.Min.X)/vg.Length(perRow), vg.Length(longest)*5.6+50)
	left := dc.Min.X + ((dc.Max.X-dc.Min.X)-vg.Length(min(perRow, len(entries)))*colW)/2
	for i, e := range entries {
		r, c := i/perRow, i%perRow
		l := newLegend()
		l.Add(e.name, e.thumb)
		cell := band
		cell.Min.X = left + vg.Length(c)*colW + 10
		cell.Max.X = cell.Min.X + colW
		cell.Max.Y = band.Max.Y - vg.Length(r)*legendRow
		cell.Min.Y = cell.Max.Y - legendRow
		l.Left = true
		l.Top = true
		l.Draw(cell)
	}
	out := dc
	if top {
		out.Max.Y = band.Min.Y - 2
	} else {
		out.Min.Y = band.Max.Y + 2
	}
	return out
}

// integerTicks labels an axis of steps (iterations, block steps) with integers only: gonum's default
// ticks put labels such as 2.50 or 12.50 on a short range.
type integerTicks struct{}

func (integerTicks) Ticks(min, max float64) []plot.Tick {
	if !(max > min) {
		return []plot.Tick{{Value: math.Round(min), Label: strconv.Itoa(int(math.Round(min)))}}
	}
	step := 1.0
	for mag := 1.0; ; mag *= 10 {
		found := false
		for _, m := range []float64{1, 2, 5} {
			if (max-min)/(m*mag) <= 6 {
				step, found = m*mag, true
				break
			}
		}
		if found {
			break
		}
	}
	var ticks []plot.Tick
	for v := math.Ceil(min/step) * step; v <= max; v += step {
		ticks = append(ticks, plot.Tick{Value: v, Label: strconv.Itoa(int(v))})
	}
	return ticks
}
