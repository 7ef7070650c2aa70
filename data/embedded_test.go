package data

import (
	"io/fs"
	"strings"
	"testing"
)

func TestEmbedded(t *testing.T) {
	d, err := Embedded()
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "embedded" || d.Train.Len() != 3000 || d.Test.Len() != 1000 || d.Train.Height != 28 || d.Train.Channels != 1 {
		t.Fatalf("%s: %d/%d images %d×%d×%d", d.Name, d.Train.Len(), d.Test.Len(), d.Train.Height, d.Train.Width, d.Train.Channels)
	}
	for c, n := range d.Train.ClassCounts() {
		if n != 300 {
			t.Errorf("train class %d: %d", c, n)
		}
	}
	for c, n := range d.Test.ClassCounts() {
		if n != 100 {
			t.Errorf("test class %d: %d", c, n)
		}
	}
	total := 0
	fs.WalkDir(embeddedFS, ".", func(p string, e fs.DirEntry, err error) error {
		if info, err := e.Info(); err == nil && !e.IsDir() {
			total += int(info.Size())
		}
		return nil
	})
	if total > 2<<20 {
		t.Errorf("embedded files take %d bytes, budget 2 MiB", total)
	}
	if l := EmbeddedLicense(); !strings.Contains(l, "MIT") || !strings.Contains(l, "Zalando SE") {
		t.Error("licence text missing")
	}
	again, _ := Embedded()
	if again != d {
		t.Error("Embedded decodes twice")
	}
}
