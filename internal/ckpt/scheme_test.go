package ckpt

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TestScheme: Write keeps the newest two checkpoints (checkpoint, checkpoint.prev), Latest returns the
// newest usable one with its state, falls back to the previous one (with a warning) when the newest is
// corrupt, still reads the layouts earlier versions left (the trainer's checkpoint-<n>), which the next
// Write removes, removes an interrupted Write's leftovers, and says ErrNotExist without any checkpoint.
func TestScheme(t *testing.T) {
	dir := t.TempDir()
	if _, _, _, err := Latest(dir, "state.json"); !errors.Is(err, fs.ErrNotExist) || Exists(dir) {
		t.Fatalf("empty folder: %v, exists %v", err, Exists(dir))
	}
	ctx := context.New()
	ctx.VariableWithValue("w", []float32{1, 2, 3})
	for step, state := range []string{"one", "two", "three"} {
		if err := Write(dir, ctx, int64(step+1), "state.json", []byte(state)); err != nil {
			t.Fatal(err)
		}
	}
	path, state, warning, err := Latest(dir, "state.json")
	if err != nil || warning != nil || filepath.Base(path) != Newest || string(state) != "three" {
		t.Fatalf("Latest = %s, %q, %v, %v; want the newest, three", path, state, warning, err)
	}
	if err := os.WriteFile(filepath.Join(dir, Newest, "state.json"), []byte("thr"), 0o644); err != nil {
		t.Fatal(err)
	}
	path, state, warning, err = Latest(dir, "state.json")
	if err != nil || warning == nil || filepath.Base(path) != Previous || string(state) != "two" {
		t.Fatalf("corrupt newest: Latest = %s, %q, %v, %v; want the previous, two, and a warning", path, state, warning, err)
	}
	// An earlier layout: only the trainer's numbered folder, and a Write interrupted half-way.
	legacyDir := t.TempDir()
	if err := Write(legacyDir, ctx, 7, "state.json", []byte("old")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(legacyDir, Newest), filepath.Join(legacyDir, "checkpoint-00000004")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(legacyDir, savingPrefix+"x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if path, state, _, err := Latest(legacyDir, "state.json"); err != nil || filepath.Base(path) != "checkpoint-00000004" || string(state) != "old" {
		t.Fatalf("legacy layout: Latest = %s, %q, %v", path, state, err)
	}
	if present(filepath.Join(legacyDir, savingPrefix+"x")) {
		t.Error("Latest left an interrupted Write's folder")
	}
	if err := Write(legacyDir, ctx, 8, "state.json", []byte("new")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(legacyDir, "checkpoint-00000004")); err == nil {
		t.Error("Write left the legacy checkpoint")
	}
}

// present reports whether anything is at path.
func present(path string) bool { _, err := os.Stat(path); return err == nil }
