package main

import (
	"encoding/json"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// goBlocks are the README's Go code blocks.
var goBlocks = regexp.MustCompile("(?s)```go\n(.*?)```")

// TestAddASpace follows the README's recipes "Adding a search space" and "Adding a notebook" in a copy
// of the module: it writes the blocks that name a file ("// file: PATH"), adds the linking line to the
// file the recipe names ("// add to: PATH"), builds gaea there and runs `gaea search --space fake` end
// to end (result.json and report.html of the new space), `gaea presets --space fake` (its rows with
// their sources) and the notebook recipe's program; and an unknown space's error lists the new one.
// Nothing else of the module changes: the new space is its folder, one linking line and its preset rows.
// About 20 s with a warm build cache; the first -trimpath build of the module takes minutes.
func TestAddASpace(t *testing.T) {
	if testing.Short() || !longTests() {
		t.Skip("long: set GAEA_TEST_LONG=1 (.ci/run does); builds a copy of the module")
	}
	start := time.Now()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	mod := filepath.Join(t.TempDir(), "gaeanas")
	copyModule(t, root, mod)
	var files, links int
	for _, m := range goBlocks.FindAllSubmatch(readme, -1) {
		block := string(m[1])
		first, rest, _ := strings.Cut(block, "\n")
		switch {
		case strings.HasPrefix(first, "// file: "):
			path := filepath.Join(mod, strings.TrimPrefix(first, "// file: "))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(rest), 0o644); err != nil {
				t.Fatal(err)
			}
			files++
		case strings.HasPrefix(first, "// add to: "):
			path := filepath.Join(mod, strings.TrimPrefix(first, "// add to: "))
			f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.WriteString("\n" + rest)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			links++
		}
	}
	if files != 2 || links != 1 {
		t.Fatalf("the README's recipes name %d files and %d linking lines, want 2 and 1", files, links)
	}
	bin := filepath.Join(t.TempDir(), "gaea")
	build := exec.Command("go", "build", "-trimpath", "-tags", "noxla", "-o", bin, "./cmd/gaea")
	build.Dir = mod
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build with the new space: %v\n%s", err, out)
	}
	t.Logf("copy and build: %.1fs", time.Since(start).Seconds())

	dir := filepath.Join(t.TempDir(), "run")
	code, out, errOut := run(t, bin, "search", "--space", "fake", "--preset", "paper", "--subset", "32", "--out", dir)
	if code != 0 {
		t.Fatalf("gaea search --space fake: exit %d\n%s%s", code, out, errOut)
	}
	var res struct {
		Space, Genotype string
		Ops             []string
	}
	raw, err := os.ReadFile(filepath.Join(dir, "result.json"))
	if err != nil || json.Unmarshal(raw, &res) != nil || res.Space != "fake" || !strings.HasPrefix(res.Genotype, "|") || len(res.Ops) != 3 {
		t.Errorf("result.json of the new space: %v %s", err, raw)
	}
	if _, err := os.Stat(filepath.Join(dir, "report.html")); err != nil {
		t.Errorf("no report: %v", err)
	}
	code, out, _ = run(t, bin, "presets", "--space", "fake", "--algo", "gaea-darts")
	if code != 0 || !strings.Contains(out, "== fake gaea-darts (paper)") || !strings.Contains(out, "seconds on a CPU") {
		t.Errorf("gaea presets --space fake: exit %d\n%s", code, out)
	}
	if code, _, errOut := run(t, bin, "search", "--space", "nope"); code != 2 || !strings.Contains(errOut, "darts, fake, nb201, tiny") {
		t.Errorf("unknown space: exit %d, %q; want the registered spaces listed", code, errOut)
	}
	nb := exec.Command("go", "run", "-trimpath", "-tags", "noxla", "./examples/recipe", filepath.Join(t.TempDir(), "notebook"))
	nb.Dir = mod
	nb.Env = append(os.Environ(), "GOMLX_BACKEND=go", "GAEA_VIZ_DIR="+t.TempDir())
	if out, err := nb.CombinedOutput(); err != nil || !strings.Contains(string(out), "|") {
		t.Errorf("the notebook recipe: %v\n%s", err, out)
	}
	t.Logf("in all: %.1fs", time.Since(start).Seconds())
}

// copyModule copies the module's source (what building cmd/gaea needs: no .git, notebooks, bench,
// docker or run folders) to dst.
func copyModule(t *testing.T, root, dst string) {
	t.Helper()
	skip := map[string]bool{".git": true, "notebooks": true, "bench": true, "docker": true, "runs": true}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			if skip[d.Name()] && rel != "." {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
