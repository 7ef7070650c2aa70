package gaea

import (
	"fmt"
	"io"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/spaces/tiny"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
)

// stripes is a synthetic task: 8×8×1 images of horizontal (class 0) or vertical (class 1) stripes of
// random phase, plus noise. Telling them apart needs a spatial filter: an edge must convolve.
func stripes(n int, seed int64) Dataset {
	rng := rand.New(rand.NewSource(seed))
	const h, w = 8, 8
	d := Dataset{Images: make([]float32, n*h*w), Labels: make([]int32, n), Height: h, Width: w, Channel: 1}
	for i := 0; i < n; i++ {
		cls := rng.Intn(2)
		phase := rng.Intn(2)
		d.Labels[i] = int32(cls)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				v := float64((y + phase) % 2)
				if cls == 1 {
					v = float64((x + phase) % 2)
				}
				d.Images[(i*h+y)*w+x] = float32(v - 0.5 + 0.3*rng.NormFloat64())
			}
		}
	}
	return d
}

func newTinySearch(t *testing.T, geo Geometry, archLR float64, seed int64) (*Search, *MemoryBatches) {
	t.Helper()
	train, valid := stripes(256, 1), stripes(256, 2)
	b, err := NewMemoryBatches(train, valid, BiLevel, 32, seed)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSearch(backend.MustNew(), conf(Config{
		Space: tiny.New().Channels(4).Classes(2), Geometry: geo, ArchLR: archLR,
		WeightLR: 0.05, Steps: 100, Seed: seed,
	}), b)
	if err != nil {
		t.Fatal(err)
	}
	return s, b
}

func TestSearchStepsAndHistory(t *testing.T) {
	s, _ := newTinySearch(t, Entropic(), 0.5, 1)
	if _, err := s.StepArch(); err != nil {
		t.Fatal(err)
	}
	if g := s.LastGrad(); len(g) != 3 || len(g[0]) != 3 {
		t.Fatalf("last gradient %v", g)
	}
	if _, err := s.StepWeights(); err != nil {
		t.Fatal(err)
	}
	if err := s.Run(3); err != nil {
		t.Fatal(err)
	}
	h := s.History()
	if len(h) != 8 {
		t.Fatalf("%d records, want 8", len(h))
	}
	for i, r := range h {
		if r.Step != i+1 || len(r.Theta) != 3 || len(r.Entropy) != 3 {
			t.Fatalf("record %d: %+v", i, r)
		}
		for e, row := range r.Theta {
			sum := 0.0
			for _, v := range row {
				sum += v
			}
			if math.Abs(sum-1) > 1e-5 {
				t.Fatalf("record %d edge %d: θ sums to %g", i, e, sum)
			}
		}
	}
	if h[0].Block != "arch" || h[1].Block != "weights" || h[2].Block != "arch" {
		t.Errorf("blocks %s %s %s", h[0].Block, h[1].Block, h[2].Block)
	}
	// θ moved in the architecture steps and only there.
	for i := 1; i < len(h); i++ {
		moved := !reflect.DeepEqual(h[i].Theta, h[i-1].Theta)
		if moved != (h[i].Block == "arch") {
			t.Errorf("record %d (%s): θ moved = %v", i, h[i].Block, moved)
		}
	}
	g, err := s.Genotype()
	if err != nil || g.String() == "" {
		t.Fatalf("genotype %v, %v", g, err)
	}
}

// TestSaveRestoreContinuesBitIdentically: 10 iterations, save, 10 more — equals a restored search
// running the same 10 more, bit for bit.
func TestSaveRestoreContinuesBitIdentically(t *testing.T) {
	dir := t.TempDir()
	a, _ := newTinySearch(t, Entropic(), 0.5, 3)
	if err := a.Run(10); err != nil {
		t.Fatal(err)
	}
	if err := a.Save(dir); err != nil {
		t.Fatal(err)
	}
	if err := a.Run(10); err != nil {
		t.Fatal(err)
	}
	train, valid := stripes(256, 1), stripes(256, 2)
	b2, _ := NewMemoryBatches(train, valid, BiLevel, 32, 3)
	r, err := RestoreSearch(backend.MustNew(), a.Config(), b2, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.History()) != 20 {
		t.Fatalf("restored history has %d records, want 20", len(r.History()))
	}
	if err := r.Run(10); err != nil {
		t.Fatal(err)
	}
	ha, hr := a.History(), r.History()
	if len(ha) != len(hr) {
		t.Fatalf("%d vs %d records", len(ha), len(hr))
	}
	for i := range ha {
		if !reflect.DeepEqual(ha[i], hr[i]) {
			t.Fatalf("record %d differs:\n  uninterrupted %+v\n  restored      %+v", i, ha[i], hr[i])
		}
	}
}

// TestEntropicConcentratesOnBestOp: with one edge between the stem and the head, telling horizontal from
// vertical stripes needs the conv op. EG puts most weight on conv_3x3 and its entropy falls below the
// softmax geometry's (DARTS's Adam, lr 3e-4) after the same number of steps.
func TestEntropicConcentratesOnBestOp(t *testing.T) {
	run := func(geo Geometry, lr float64) [][]float64 {
		train, valid := stripes(256, 1), stripes(256, 2)
		b, err := NewMemoryBatches(train, valid, BiLevel, 32, 5)
		if err != nil {
			t.Fatal(err)
		}
		s, err := NewSearch(backend.MustNew(), conf(Config{
			Space: tiny.New().Channels(4).Nodes(2).Classes(2), Geometry: geo, ArchLR: lr,
			WeightLR: 0.05, Steps: 40, Seed: 5,
		}), b)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Run(40); err != nil {
			t.Fatal(err)
		}
		th, err := s.Theta()
		if err != nil {
			t.Fatal(err)
		}
		return th
	}
	eg := run(Entropic(), 1.0)
	sm := run(Softmax(), DARTSArchLR)
	conv := 1 // tiny.Ops[1] == "conv_3x3"
	t.Logf("EG θ %v, entropy %.4f; softmax θ %v, entropy %.4f", eg[0], Entropies(eg)[0], sm[0], Entropies(sm)[0])
	for k, v := range eg[0] {
		if k != conv && v >= eg[0][conv] {
			t.Errorf("EG did not put most weight on conv_3x3: %v", eg[0])
		}
	}
	if !(Entropies(eg)[0] < Entropies(sm)[0]) {
		t.Errorf("EG entropy %.4f not below softmax's %.4f", Entropies(eg)[0], Entropies(sm)[0])
	}
}

// TestSearchLRChangesWithoutRecompile: changing the architecture learning rate (and λ) between steps
// takes effect at the next step, and no step graph is built again.
func TestSearchLRChangesWithoutRecompile(t *testing.T) {
	s, _ := newTinySearch(t, Entropic(), 0.5, 11)
	if err := s.Run(2); err != nil {
		t.Fatal(err)
	}
	builds := s.graphBuilds
	before, _ := s.Theta()
	s.SetArchLR(0)
	if err := s.SetLambda(EntropyName, 0.1); err != nil {
		t.Fatal(err)
	}
	if _, err := s.StepArch(); err != nil {
		t.Fatal(err)
	}
	after, _ := s.Theta()
	// With lr 0 the step only renormalises the rows (float32 rounding).
	for e := range before {
		for k := range before[e] {
			if d := math.Abs(before[e][k] - after[e][k]); d > 1e-6 {
				t.Fatalf("with lr 0 the architecture step moved θ[%d][%d] by %g", e, k, d)
			}
		}
	}
	s.SetArchLR(2)
	if _, err := s.StepArch(); err != nil {
		t.Fatal(err)
	}
	moved, _ := s.Theta()
	if d := math.Abs(after[0][0] - moved[0][0]); d < 1e-4 {
		t.Errorf("with lr 2 the architecture step moved θ[0][0] by only %g", d)
	}
	if h := s.History(); h[len(h)-1].ArchLR != 2 || h[len(h)-2].ArchLR != 0 {
		t.Errorf("history lrs %v %v", h[len(h)-2].ArchLR, h[len(h)-1].ArchLR)
	}
	if s.graphBuilds != builds {
		t.Errorf("graphs built went from %d to %d after changing lr and λ", builds, s.graphBuilds)
	}
}

// TestRestoreAfterKillBetweenRenames: a kill between Save's two renames leaves only .old-checkpoint, which
// RestoreSearch uses.
func TestRestoreAfterKillBetweenRenames(t *testing.T) {
	dir := t.TempDir()
	a, _ := newTinySearch(t, Entropic(), 0.5, 15)
	if err := a.Run(2); err != nil {
		t.Fatal(err)
	}
	if err := a.Save(dir); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "checkpoint"), filepath.Join(dir, ".old-checkpoint")); err != nil {
		t.Fatal(err)
	}
	train, valid := stripes(256, 1), stripes(256, 2)
	b, _ := NewMemoryBatches(train, valid, BiLevel, 32, 15)
	r, err := RestoreSearch(backend.MustNew(), a.Config(), b, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r.History(), a.History()) {
		t.Error("restored history differs")
	}
}

// captureStderr runs f with os.Stderr redirected and returns what it wrote.
func captureStderr(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stderr
	os.Stderr = w
	done := make(chan []byte)
	go func() { b, _ := io.ReadAll(r); done <- b }()
	f()
	os.Stderr = old
	w.Close()
	return string(<-done)
}

// TestRestoreFallsBackFromCorruptCheckpoint: Save keeps the previous checkpoint; a truncated file in
// the newest makes RestoreSearch use the previous one and say so on one stderr line; with both
// corrupt it fails with one line naming the bad file. Variable files are named after the step.
func TestRestoreFallsBackFromCorruptCheckpoint(t *testing.T) {
	dir := t.TempDir()
	a, _ := newTinySearch(t, Entropic(), 0.5, 15)
	if err := a.Run(2); err != nil {
		t.Fatal(err)
	}
	if err := a.Save(dir); err != nil {
		t.Fatal(err)
	}
	first := len(a.History())
	if err := a.Run(2); err != nil {
		t.Fatal(err)
	}
	if err := a.Save(dir); err != nil {
		t.Fatal(err)
	}
	bins := func(ck string) []string {
		m, _ := filepath.Glob(filepath.Join(dir, ck, "*.bin"))
		if len(m) != 1 {
			t.Fatalf("%s: variable files %v", ck, m)
		}
		return m
	}
	newest, prev := bins("checkpoint")[0], bins("checkpoint.prev")[0]
	if want := fmt.Sprintf("-step-%08d.bin", a.step); !strings.HasSuffix(newest, want) {
		t.Errorf("newest checkpoint file %s, want it named after step %d (…%s)", filepath.Base(newest), a.step, want)
	}
	truncate := func(p string) {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(p, fi.Size()/2); err != nil {
			t.Fatal(err)
		}
	}
	restore := func() (*Search, error) {
		train, valid := stripes(256, 1), stripes(256, 2)
		b, _ := NewMemoryBatches(train, valid, "bi", 32, 15)
		return RestoreSearch(backend.MustNew(), a.Config(), b, dir)
	}
	truncate(newest)
	var (
		r   *Search
		err error
	)
	msg := captureStderr(t, func() { r, err = restore() })
	if err != nil {
		t.Fatal(err)
	}
	if len(r.History()) != first {
		t.Errorf("restored %d records, want the previous checkpoint's %d", len(r.History()), first)
	}
	if strings.Count(msg, "\n") != 1 || !strings.Contains(msg, filepath.Base(newest)) || !strings.Contains(msg, "checkpoint.prev") {
		t.Errorf("stderr %q: want one line naming the bad file and the checkpoint used", msg)
	}
	if err := os.WriteFile(prev, []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = restore()
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), filepath.Base(newest)) {
		t.Errorf("both corrupt: error %v, want one line naming %s", err, filepath.Base(newest))
	}
}

// Config.DType: a float64 search keeps θ and the supernet's weights in float64 (the float32 images are
// converted); other dtypes are refused.
func TestSearchDType(t *testing.T) {
	b, err := NewMemoryBatches(stripes(64, 1), stripes(64, 2), BiLevel, 16, 3)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSearch(backend.MustNew(), conf(Config{Space: tiny.New().Channels(4).Classes(2), Steps: 10, Seed: 3, DType: dtypes.Float64}), b)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run(2); err != nil {
		t.Fatal(err)
	}
	n := 0
	for v := range s.Context().IterVariables() {
		if v.DType().IsFloat() && v.Shape().Rank() > 0 {
			n++
			if v.DType() != dtypes.Float64 {
				t.Errorf("variable %s/%s is %s, want float64", v.Scope(), v.Name(), v.DType())
			}
		}
	}
	if n < 3 {
		t.Errorf("only %d float variables", n)
	}
	if _, err := NewSearch(backend.MustNew(), conf(Config{Space: tiny.New(), DType: dtypes.Int32}), b); err == nil {
		t.Error("DType Int32 accepted")
	}
}
