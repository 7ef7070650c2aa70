package custom_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/experiment"
	"github.com/gaeanas/gaeanas/rundir"
)

// helperDir, when set, makes TestMain's process the helper that runs one search into it (the SIGTERM
// case of TestExperimentSearch runs it as a child process, which the signal ends).
const helperDir = "CUSTOM_SEARCH_DIR"

// settings are the researcher's pieces named in a search's settings: the two-node space, the Tsallis
// geometry and the L2 regulariser (λ 0.05), a checkpoint every 2 of the 8 iterations.
func settings() (experiment.Settings, error) {
	st, err := experiment.Defaults(experiment.Paper, "two-node", experiment.GAEADARTS, "")
	if err != nil {
		return st, err
	}
	return st, st.Apply(experiment.Overrides{"geometry": "tsallis", "regularizers": map[string]float64{"l2": 0.05},
		"checkpoint_every": 2, "seed": 3})
}

// runHelper is the child process's search: SIGTERM cancels its context, as gaea search's does.
func runHelper(dir string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	st, err := settings()
	if err == nil {
		_, err = experiment.Search(ctx, st, experiment.Options{Dir: dir})
	}
	switch {
	case errors.Is(err, experiment.ErrInterrupted):
		return 143
	case err != nil:
		os.Stderr.WriteString(err.Error() + "\n")
		return 1
	}
	return 0
}

var resultSeconds = regexp.MustCompile(`(?m)^  "seconds": [-+.0-9eE]+,\n`)

// TestExperimentSearch: a researcher's space, geometry and regulariser, registered by name in their own
// package, run through experiment.Search: the run folder's settings.json names them, the history
// records the regulariser's penalty, the report is written; a search stopped by SIGTERM (in a child
// process, after iteration 3, a checkpoint every 2) and resumed ends byte for byte as the uninterrupted
// one (but its wall time); Resume refuses a run whose geometry is not registered, or is not the one its
// checkpoint was made with.
func TestExperimentSearch(t *testing.T) {
	if testing.Short() {
		t.Skip("runs searches")
	}
	be, err := backend.New()
	if err != nil {
		t.Fatal(err)
	}
	st, err := settings()
	if err != nil {
		t.Fatal(err)
	}
	ref := filepath.Join(t.TempDir(), "reference")
	res, err := experiment.Search(context.Background(), st, experiment.Options{Dir: ref, Backend: be})
	if err != nil {
		t.Fatal(err)
	}
	var saved map[string]any
	if err := rundir.ReadJSON(filepath.Join(ref, rundir.SettingsFile), &saved); err != nil {
		t.Fatal(err)
	}
	if saved["space"] != "two-node" || saved["geometry"] != "tsallis" || !jsonEqual(saved["regularizers"], map[string]any{"l2": 0.05}) {
		t.Errorf("settings.json names space %v, geometry %v, regularizers %v", saved["space"], saved["geometry"], saved["regularizers"])
	}
	hist, err := experiment.ReadHistory(ref)
	if err != nil || res.Steps != 8 {
		t.Fatalf("history: %v; %d iterations, want 8", err, res.Steps)
	}
	penalties := 0
	for _, r := range hist {
		if r.Block == "arch" && r.Penalty["l2"] > 0 {
			penalties++
		}
	}
	if penalties != 8 {
		t.Errorf("%d architecture steps record the l2 penalty, want 8", penalties)
	}
	if _, err := os.Stat(filepath.Join(ref, rundir.ReportFile)); err != nil {
		t.Errorf("no report: %v", err)
	}

	// SIGTERM after iteration 3, in a child process; then Resume here.
	dir := filepath.Join(t.TempDir(), "interrupted")
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperDir+"="+dir, rundir.TestSignalEnv+"=3:SIGTERM")
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 143 {
		t.Fatalf("the search under SIGTERM: %v (want exit 143)\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, rundir.ResultFile)); err == nil {
		t.Fatal("the interrupted search wrote a result")
	}
	for _, c := range []struct{ geometry, want string }{
		{"nope", "must be registered"},     // not registered in this process
		{"entropic", "made with geometry"}, // registered, but not the checkpoint's
	} {
		other := filepath.Join(t.TempDir(), c.geometry)
		copyDir(t, dir, other)
		var s experiment.Settings
		if err := rundir.ReadJSON(filepath.Join(other, rundir.SettingsFile), &s); err != nil {
			t.Fatal(err)
		}
		s.Geometry = c.geometry
		if err := rundir.WriteJSON(filepath.Join(other, rundir.SettingsFile), s); err != nil {
			t.Fatal(err)
		}
		if _, err := experiment.Resume(context.Background(), other, experiment.Options{Backend: be}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("resume with geometry %s: %v, want an error saying %q", c.geometry, err, c.want)
		}
	}
	if _, err := experiment.Resume(context.Background(), dir, experiment.Options{Backend: be}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{rundir.HistoryFile, rundir.ResultFile} {
		want, got := readFile(t, filepath.Join(ref, f)), readFile(t, filepath.Join(dir, f))
		want, got = resultSeconds.ReplaceAll(want, nil), resultSeconds.ReplaceAll(got, nil)
		if !bytes.Equal(want, got) {
			t.Errorf("SIGTERM and resume: %s differs from the uninterrupted run's", f)
		}
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// copyDir copies a run folder (files and checkpoint folders) to dst.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
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
