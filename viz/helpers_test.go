package viz

import (
	"bytes"
	"encoding/xml"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/gaea"
	"github.com/gaeanas/gaeanas/spaces/nb201"
)

var (
	ops4   = []string{"skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"}
	ops5   = []string{"none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"}
	edges6 = []string{"1<-0", "2<-0", "2<-1", "3<-0", "3<-1", "3<-2"}
)

// fakeHistory simulates an alternating search: exponentiated-gradient steps on θ (nEdges × len(ops))
// with fixed per-op gradients, each followed by a weight step; steps iterations in all. With archSteps
// false there are only weight steps (θ stays uniform).
func fakeHistory(ops []string, nEdges, iters int, archSteps bool) []gaea.Record {
	rng := rand.New(rand.NewPCG(1, 2))
	k := len(ops)
	theta := make([][]float64, nEdges)
	grad := make([][]float64, nEdges)
	for e := range theta {
		theta[e] = make([]float64, k)
		grad[e] = make([]float64, k)
		for j := range theta[e] {
			theta[e][j] = 1 / float64(k)
			grad[e][j] = rng.NormFloat64()
		}
	}
	entropy := func() []float64 {
		h := make([]float64, nEdges)
		for e, row := range theta {
			for _, v := range row {
				if v > 0 {
					h[e] -= v * math.Log(v)
				}
			}
		}
		return h
	}
	clone := func() [][]float64 {
		c := make([][]float64, nEdges)
		for e := range c {
			c[e] = append([]float64(nil), theta[e]...)
		}
		return c
	}
	var hist []gaea.Record
	step := 0
	for it := 1; it <= iters; it++ {
		loss := 2.3*math.Exp(-float64(it)/30) + 0.3 + 0.05*rng.Float64()
		acc := 1 - loss/2.6
		if archSteps {
			for e := range theta {
				s := 0.0
				for j := range theta[e] {
					theta[e][j] *= math.Exp(-0.1 * (grad[e][j] + 0.3*rng.NormFloat64()))
					s += theta[e][j]
				}
				for j := range theta[e] {
					theta[e][j] /= s
				}
			}
			step++
			hist = append(hist, gaea.Record{Step: step, Iteration: it, Block: "arch", Loss: loss + 0.1, Acc: acc - 0.05,
				Theta: clone(), Entropy: entropy(), ArchLR: 0.1, WeightLR: 0.025})
		}
		step++
		hist = append(hist, gaea.Record{Step: step, Iteration: it, Block: "weights", Loss: loss, Acc: acc,
			Theta: clone(), Entropy: entropy(), ArchLR: 0.1, WeightLR: 0.025})
	}
	return hist
}

// parseSVG decodes the whole document with encoding/xml and checks that its root is <svg>.
func parseSVG(t *testing.T, svg []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(svg))
	root := ""
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("SVG does not parse as XML: %v", err)
		}
		if se, ok := tok.(xml.StartElement); ok && root == "" {
			root = se.Name.Local
		}
	}
	if root != "svg" {
		t.Fatalf("root element is %q, want svg", root)
	}
}

// texts returns the contents of the SVG's <text> elements.
func texts(t *testing.T, svg []byte) []string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(svg))
	var out []string
	var cur *strings.Builder
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("SVG does not parse: %v", err)
		}
		switch tk := tok.(type) {
		case xml.StartElement:
			if tk.Name.Local == "text" {
				cur = &strings.Builder{}
			}
		case xml.CharData:
			if cur != nil {
				cur.Write(tk)
			}
		case xml.EndElement:
			if tk.Name.Local == "text" && cur != nil {
				out = append(out, strings.TrimSpace(cur.String()))
				cur = nil
			}
		}
	}
}

// count returns how many texts equal s.
func count(ts []string, s string) int {
	n := 0
	for _, t := range ts {
		if t == s {
			n++
		}
	}
	return n
}

// strokes counts the <path> elements of a gonum/plot SVG stroked in the given colour (vgsvg writes each
// stroked path with its own style attribute "…stroke:#rrggbb…").
func strokes(svg []byte, c string) int {
	re := regexp.MustCompile(`(?i)<path[^>]*stroke:` + regexp.QuoteMeta(c) + `[;"]`)
	return len(re.FindAll(svg, -1))
}

// fills counts the filled <path> elements (markers) of a gonum/plot SVG in the given colour.
func fills(svg []byte, c string) int {
	re := regexp.MustCompile(`(?i)<path[^>]*style="fill:` + regexp.QuoteMeta(c) + `[;"]`)
	return len(re.FindAll(svg, -1))
}

// gvClass counts Graphviz groups of a class ("node" or "edge").
func gvClass(svg []byte, class string) int {
	return strings.Count(string(svg), `class="`+class+`"`)
}

// dump writes figures to $VIZ_TEST_OUT when it is set, to look at them.
func dump(t *testing.T, name string, f *Figure) {
	t.Helper()
	dir := os.Getenv("VIZ_TEST_OUT")
	if dir == "" {
		return
	}
	if err := f.WriteSVG(filepath.Join(dir, name+".svg")); err != nil {
		t.Fatal(err)
	}
}

// check runs the checks every figure must pass.
func check(t *testing.T, name string) func(f *Figure, err error) *Figure {
	return func(f *Figure, err error) *Figure {
		t.Helper()
		return checkFigure(t, name, f, err)
	}
}

func checkFigure(t *testing.T, name string, f *Figure, err error) *Figure {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if f == nil || len(f.SVG) == 0 {
		t.Fatalf("%s: empty figure", name)
	}
	if f.Title == "" {
		t.Errorf("%s: no title", name)
	}
	if bytes.Contains(f.SVG, []byte("<script")) {
		t.Errorf("%s: SVG has a script", name)
	}
	parseSVG(t, f.SVG)
	dump(t, name, f)
	return f
}

var bestArch = nb201.Best(nb201.CIFAR10).Arch.String()
