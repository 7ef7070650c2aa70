package nb101

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeDataset writes a dataset file in the official format: the three 108-epoch runs of the first n
// published modules (their real final accuracies), plus a 36-epoch run of each (to be skipped), in the
// interleaved order of a real file.
func writeDataset(t testing.TB, path string, n int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := NewWriter(f)
	for _, p := range published[:n] {
		h, _ := ParseHash(p.hash)
		spec := specFromDigits(t, p.adjacency, p.ops)
		for rep := 0; rep < 3; rep++ {
			for _, epochs := range []int{36, 108} {
				if epochs == 36 && rep > 0 {
					continue
				}
				m := sampleMetrics(int32(p.params), p.test[rep], p.valid[rep], 1000+float64(rep))
				if epochs == 36 {
					m = sampleMetrics(int32(p.params), 0.5, 0.5, 1)
				}
				if err := w.Write(Record{Hash: h, Epochs: epochs, Spec: spec, Metrics: m}.Marshal()); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
}

// TestIndexBuildLookup: the index keeps the chosen modules' 108-epoch runs, their means are the means
// of the published accuracies, progress reaches the file size, and the written index reads back equal.
func TestIndexBuildLookup(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "nasbench_only108.tfrecord")
	writeDataset(t, data, 6)
	skip := published[2].hash
	var last, calls int64
	ix, err := Build(data, BuildOptions{
		Keep:     func(h Hash) bool { return h.String() != skip },
		Tag:      "test",
		Progress: func(done, total int64) { calls++; last = done; _ = total },
	})
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(data)
	if calls < 2 || last != st.Size() {
		t.Errorf("progress: %d calls, last %d, file %d bytes", calls, last, st.Size())
	}
	if ix.Len() != 5 {
		t.Errorf("Len = %d, want 5", ix.Len())
	}
	for i, p := range published[:6] {
		h, _ := ParseHash(p.hash)
		e, ok := ix.Lookup(h)
		if p.hash == skip {
			if ok {
				t.Errorf("module %d: not kept, but found", i)
			}
			continue
		}
		wantTest := (p.test[0] + p.test[1] + p.test[2]) / 3
		wantValid := (p.valid[0] + p.valid[1] + p.valid[2]) / 3
		if !ok || e.Repeats != 3 || int(e.Params) != p.params || e.TestAccuracy != p.test ||
			math.Abs(e.MeanTestAccuracy()-wantTest) > 1e-15 || math.Abs(e.MeanValidationAccuracy()-wantValid) > 1e-15 ||
			e.TrainingTime != [3]float64{1000, 1001, 1002} {
			t.Errorf("module %d: %+v (found %v), want mean test %v, valid %v", i, e, ok, wantTest, wantValid)
		}
	}
	idx := filepath.Join(dir, "index")
	if err := ix.WriteFile(idx); err != nil {
		t.Fatal(err)
	}
	back, err := ReadIndex(idx)
	if err != nil {
		t.Fatal(err)
	}
	if back.Len() != ix.Len() || back.Tag != "test" || back.Epochs != 108 || back.SourceSize != st.Size() {
		t.Errorf("read back: %d entries, tag %q, epochs %d, size %d", back.Len(), back.Tag, back.Epochs, back.SourceSize)
	}
	for _, e := range ix.entries {
		if got, ok := back.Lookup(e.Hash); !ok || got != e {
			t.Errorf("read back %s: %+v", e.Hash, got)
		}
	}
}

// TestIndexOpen: Open builds the index once, reuses it, and rebuilds it when the dataset file changes,
// when another selection is asked for, or when the index file is damaged.
func TestIndexOpen(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "d.tfrecord")
	idx := filepath.Join(dir, "d.idx")
	writeDataset(t, data, 3)
	open := func(tag string) bool {
		t.Helper()
		ix, built, err := Open(data, idx, BuildOptions{Tag: tag})
		if err != nil || ix.Len() == 0 {
			t.Fatalf("Open: %v", err)
		}
		return built
	}
	if !open("a") {
		t.Error("first Open did not build")
	}
	if open("a") {
		t.Error("second Open rebuilt")
	}
	if !open("b") {
		t.Error("another tag did not rebuild")
	}
	future := time.Now().Add(time.Hour)
	if err := os.Chtimes(data, future, future); err != nil {
		t.Fatal(err)
	}
	if !open("b") {
		t.Error("a touched dataset did not rebuild")
	}
	b, _ := os.ReadFile(idx)
	b[len(b)/2] ^= 1
	if err := os.WriteFile(idx, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadIndex(idx); !errors.Is(err, ErrNotIndex) || !strings.Contains(err.Error(), "checksum mismatch") {
		t.Errorf("damaged index: %v", err)
	}
	if !open("b") {
		t.Error("a damaged index did not rebuild")
	}
	if err := os.WriteFile(idx, []byte("not an index at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadIndex(idx); !errors.Is(err, ErrNotIndex) || !strings.Contains(err.Error(), "wrong magic") {
		t.Errorf("foreign file: %v", err)
	}
	if entries, _ := filepath.Glob(filepath.Join(dir, "*.tmp*")); len(entries) != 0 {
		t.Errorf("temporary files left: %v", entries)
	}
}

// TestIndexBuildErrors: a corrupted or truncated dataset, a non-record, or a fourth run of a module stop
// the build with one line naming the file.
func TestIndexBuildErrors(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	writeDataset(t, good, 2)
	b, _ := os.ReadFile(good)
	h, _ := ParseHash(published[0].hash)
	extra := filepath.Join(dir, "four runs")
	{
		f, _ := os.Create(extra)
		w := NewWriter(f)
		for range 4 {
			_ = w.Write(Record{Hash: h, Epochs: 108, Spec: specFromDigits(t, published[0].adjacency, published[0].ops), Metrics: sampleMetrics(1, 0.5, 0.5, 1)}.Marshal())
		}
		f.Close()
	}
	var notRecord []byte
	{
		var buf strings.Builder
		w := NewWriter(&buf)
		_ = w.Write([]byte(`{"hash": 1}`))
		notRecord = []byte(buf.String())
	}
	cases := []struct {
		name string
		data []byte
		path string
		want string
	}{
		{"corrupted CRC", flip(b, 40), "", "data CRC mismatch"},
		{"truncated", b[:len(b)-7], "", "truncated record"},
		{"not a record", notRecord, "", "not a JSON list"},
		{"four runs", nil, extra, "more than 3 runs at 108 epochs"},
		{"missing file", nil, filepath.Join(dir, "absent"), "no such file"},
	}
	for _, c := range cases {
		path := c.path
		if c.data != nil {
			path = filepath.Join(dir, "bad")
			if err := os.WriteFile(path, c.data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		_, err := Build(path, BuildOptions{})
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line containing %q", c.name, err, c.want)
		}
	}
}
