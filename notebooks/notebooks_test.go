// Package notebooks holds the checks of the committed GoNB notebooks that need no Jupyter: every notebook
// declares Go for syntax highlighting, and its stored outputs come from a clean run that printed no path
// of the machine it ran on. (bash notebooks/run.sh executes them; notebooks/browsertest drives 05.)
package notebooks

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// notebook is the part of the .ipynb format these checks read.
type notebook struct {
	Metadata struct {
		Kernelspec struct {
			Language string `json:"language"`
			Name     string `json:"name"`
		} `json:"kernelspec"`
		LanguageInfo map[string]any `json:"language_info"`
	} `json:"metadata"`
	Cells []struct {
		CellType string            `json:"cell_type"`
		Source   []string          `json:"source"`
		Outputs  []json.RawMessage `json:"outputs"`
	} `json:"cells"`
}

func committed(t *testing.T) map[string]notebook {
	t.Helper()
	paths, err := filepath.Glob("*.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no notebook in notebooks/")
	}
	out := map[string]notebook{}
	for _, p := range paths {
		raw, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var nb notebook
		if err := json.Unmarshal(raw, &nb); err != nil {
			t.Fatalf("%s is not a notebook: %v", p, err)
		}
		out[p] = nb
	}
	return out
}

// TestNotebooksDeclareGo: nbconvert's HTML export highlights a notebook with
// language_info.pygments_lexer (falling back to IPython when it is empty) and Jupyter's editor with
// codemirror_mode; GoNB rewrites them when it runs a notebook, and notebooks/run.sh restores them.
func TestNotebooksDeclareGo(t *testing.T) {
	want := map[string]string{"name": "go", "pygments_lexer": "go", "codemirror_mode": "go", "file_extension": ".go", "mimetype": "text/x-go"}
	for path, nb := range committed(t) {
		if nb.Metadata.Kernelspec.Name != "gonb" || nb.Metadata.Kernelspec.Language != "go" {
			t.Errorf("%s: kernelspec %+v, want the GoNB kernel (name gonb, language go)", path, nb.Metadata.Kernelspec)
		}
		for key, v := range want {
			if got, _ := nb.Metadata.LanguageInfo[key].(string); got != v {
				t.Errorf("%s: metadata.language_info.%s = %q, want %q (bash notebooks/run.sh --save notebooks/%s restores it)", path, key, got, v, path)
			}
		}
	}
}

// machinePath matches an absolute path of the machine that ran the notebook: a home, a checkout under
// /work, a temporary folder, and the system's own (/usr/bin/python3, a script's #!/usr/bin/env) — none
// of them is the reader's. It must follow a space, a quote, a
// bracket, '=', '!' (a #! line) or the start of a line, so that URLs do not match.
var machinePath = regexp.MustCompile(`(?m)(?:^|[\s"'(\[=!])(/(?:work|home|root|tmp|var|private/var|Users|mnt|scratch|usr|opt|etc|bin|sbin|lib|srv)/[^\s"'<>)]*)`)

// TestOutputsAreClean: the stored outputs carry no error and no absolute path of the machine that ran
// them (paths are printed relative to the repository or the data folder).
func TestOutputsAreClean(t *testing.T) {
	for path, nb := range committed(t) {
		for i, c := range nb.Cells {
			for _, raw := range c.Outputs {
				var o struct {
					OutputType string `json:"output_type"`
					Ename      string `json:"ename"`
				}
				if err := json.Unmarshal(raw, &o); err != nil {
					t.Fatalf("%s cell %d: output does not parse: %v", path, i, err)
				}
				if o.OutputType == "error" {
					t.Errorf("%s cell %d: stored error output %s: commit the outputs of a clean run", path, i, o.Ename)
				}
				// Decode the JSON strings so that an escaped path (\/work\/) is seen as a path.
				var text strings.Builder
				collect(&text, raw)
				for _, m := range machinePath.FindAllStringSubmatch(text.String(), 3) {
					t.Errorf("%s cell %d: an output prints the machine path %q: print it relative to the repository or the data folder", path, i, m[1])
				}
			}
		}
	}
}

// collect writes every string inside a JSON value, one per line.
func collect(b *strings.Builder, raw json.RawMessage) {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return
	}
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			b.WriteString(x)
			b.WriteByte('\n')
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
}

// TestMachinePathPattern: what the check catches and what it lets through.
func TestMachinePathPattern(t *testing.T) {
	for s, want := range map[string]bool{
		"CIFAR-10 from /work/shared/data/cifar10":           true,
		"genotype (also in /tmp/gaeanas-notebook-04/g.txt)": true,
		`"path": "/home/me/x"`:                              true,
		"/root/go/bin/gonb":                                 true,
		"CIFAR-10 from ../shared/data/cifar10":              false,
		"#!/usr/bin/env bash":                               true,
		"\n/usr/bin/python3 - notebooks/08.ipynb":           true,
		"https://github.com/work/tmp":                       false,
		"see notebooks/data/03/make.sh":                     false,
		"$TMPDIR/gaeanas-notebook-04/genotype.txt":          false,
	} {
		if got := machinePath.MatchString(s); got != want {
			t.Errorf("%q: matched %v, want %v", s, got, want)
		}
	}
}

// TestDisplaysAreStored: a code cell that shows a figure or an HTML block (viz.Show, viz.ShowHTML) has a
// stored display output — a block sent to GoNB at the end of a cell was lost once (viz waits for GoNB
// now), leaving a verdict without its table.
func TestDisplaysAreStored(t *testing.T) {
	shows := regexp.MustCompile(`viz\.Show(HTML)?\(`)
	for path, nb := range committed(t) {
		for i, c := range nb.Cells {
			if c.CellType != "code" || !shows.MatchString(strings.Join(c.Source, "")) {
				continue
			}
			displays := 0
			for _, raw := range c.Outputs {
				var o struct {
					OutputType string `json:"output_type"`
				}
				if json.Unmarshal(raw, &o) == nil && (o.OutputType == "display_data" || o.OutputType == "update_display_data") {
					displays++
				}
			}
			if displays == 0 {
				t.Errorf("%s cell %d: calls viz.Show or viz.ShowHTML but stores no display output", path, i)
			}
		}
	}
}
