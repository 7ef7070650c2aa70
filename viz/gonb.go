package viz

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/janpfeifer/gonb/gonbui"
)

// DirEnv names the environment variable with the directory Show and Live write SVG files into when the
// program does not run in GoNB (default: the current directory).
const DirEnv = "GAEA_VIZ_DIR"

// Show displays a figure. In a GoNB notebook (gonbui.IsNotebook) it is shown inline as the cell's
// output (the SVG in a <figure> with its title as caption, see Figure.HTML). Anywhere else it is
// written to "<title>.svg" (the title reduced to lower-case letters, digits and dashes) in the
// directory $GAEA_VIZ_DIR (default: the current directory), and the path is printed.
func Show(f *Figure) error {
	if f == nil || len(f.SVG) == 0 {
		return fmt.Errorf("viz: show: empty figure")
	}
	if gonbui.IsNotebook {
		if err := displayHTML(f.HTML()); err != nil {
			return fmt.Errorf("viz: show %q: %w", f.Title, err)
		}
		return nil
	}
	path, err := writeToDir(f, sanitize(f.Title)+".svg")
	if err != nil {
		return err
	}
	fmt.Printf("viz: wrote %s\n", path)
	return nil
}

// ShowHTML displays an HTML block (a viz.Table, a paragraph) as the cell's output in a GoNB notebook, in
// its place among the cell's printed lines; outside a notebook it prints nothing.
func ShowHTML(html string) error {
	if !gonbui.IsNotebook {
		return nil
	}
	return displayHTML(html)
}

// displayHTML sends html to GoNB and waits until GoNB has it (gonbui.Sync): display messages go through a
// pipe beside stdout, so without the wait a block can land after lines printed later — or not at all when
// it is the cell's last output and the program ends first (a notebook's table was lost that way).
func displayHTML(html string) error {
	gonbui.DisplayHTML(html)
	gonbui.Sync()
	return gonbui.Error()
}

// writeToDir writes f into $GAEA_VIZ_DIR under name.
func writeToDir(f *Figure, name string) (string, error) {
	dir := os.Getenv(DirEnv)
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("viz: %s: %w", DirEnv, err)
	}
	path := filepath.Join(dir, name)
	return path, f.WriteSVG(path)
}

// sanitize reduces a title to a file name: lower-case ASCII letters and digits, other runs replaced by
// one dash, at most 80 characters; "figure" if nothing is left.
func sanitize(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.TrimRight(b.String(), "-")
	if len(s) > 80 {
		s = strings.TrimRight(s[:80], "-")
	}
	if s == "" {
		s = "figure"
	}
	return s
}

// Live is a display that updates in place, e.g. a picture redrawn every N steps of a search. In GoNB it
// is one output block of the cell, replaced on every Update (gonbui.UpdateHTML with a fixed display id);
// outside GoNB it is one SVG file, rewritten on every Update. Jupyter treats such blocks as transient
// (they may not be kept when a notebook is saved), so end with Finish to leave the last picture as a
// regular output. A Live is safe for concurrent use.
type Live struct {
	mu   sync.Mutex
	id   string
	last *Figure
	path string
}

// NewLive returns a live display; nothing is shown before the first Update.
func NewLive() *Live {
	return &Live{id: "gaea-viz-live-" + gonbui.UniqueId()}
}

// Update replaces what the display shows with f. Outside GoNB the file is "<title of the first
// figure>-live.svg" in $GAEA_VIZ_DIR, the same file on every call.
func (l *Live) Update(f *Figure) error {
	if f == nil || len(f.SVG) == 0 {
		return fmt.Errorf("viz: live update: empty figure")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.last = f
	if gonbui.IsNotebook {
		gonbui.UpdateHTML(l.id, f.HTML())
		if err := gonbui.Error(); err != nil {
			return fmt.Errorf("viz: live update: %w", err)
		}
		return nil
	}
	if l.path == "" {
		l.path = sanitize(f.Title) + "-live.svg"
	}
	_, err := writeToDir(f, l.path)
	return err
}

// Path returns the file a Live display writes outside GoNB ("" before the first Update or in GoNB).
func (l *Live) Path() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if gonbui.IsNotebook || l.path == "" {
		return ""
	}
	dir := os.Getenv(DirEnv)
	if dir == "" {
		dir = "."
	}
	return filepath.Join(dir, l.path)
}

// Finish ends the live display: in GoNB it clears the transient block and shows the last figure as a
// regular output (kept when the notebook is saved); outside GoNB it leaves the file as it is.
func (l *Live) Finish() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !gonbui.IsNotebook || l.last == nil {
		return nil
	}
	gonbui.UpdateHTML(l.id, "")
	gonbui.DisplayHTML(l.last.HTML())
	if err := gonbui.Error(); err != nil {
		return fmt.Errorf("viz: live finish: %w", err)
	}
	return nil
}
