package viz

import (
	"os"
	"path/filepath"
	"testing"
)

func TestScriptHeader(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct{ script, want string }{
		{"#!/usr/bin/env bash\n# Makes the runs.\n#\n#   bash make.sh\nset -e\n# not the header\n", "# Makes the runs.\n#\n#   bash make.sh\n"},
		{"# no shebang\necho x\n", "# no shebang\n"},
		{"#!/bin/sh\necho x\n", ""},
	} {
		p := filepath.Join(dir, "make.sh")
		if err := os.WriteFile(p, []byte(c.script), 0o644); err != nil {
			t.Fatal(err)
		}
		if got, err := ScriptHeader(p); err != nil || got != c.want {
			t.Errorf("ScriptHeader(%q) = %q, %v; want %q", c.script, got, err, c.want)
		}
	}
	if _, err := ScriptHeader(filepath.Join(dir, "missing.sh")); err == nil {
		t.Error("ScriptHeader of a missing file: no error")
	}
}
