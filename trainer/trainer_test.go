package trainer

import (
	"errors"
	"io"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/layers"
	"github.com/gomlx/gomlx/pkg/ml/layers/activations"
	"github.com/gomlx/gomlx/pkg/ml/layers/batchnorm"
)

// TestMain runs the graph tests on the pure-Go backend unless GOMLX_BACKEND says otherwise.
func TestMain(m *testing.M) {
	if os.Getenv(backend.EnvVar) == "" {
		_ = os.Setenv(backend.EnvVar, "go")
	}
	os.Exit(m.Run())
}

func testBackend(t testing.TB) backends.Backend {
	t.Helper()
	b, err := backend.New()
	if err != nil {
		t.Fatalf("backend: %v", err)
	}
	return b
}

// quadrants is a learnable task: 8×8 one-channel images of noise with one bright 4×4 quadrant; the
// class is the quadrant. Pixel values are shifted and scaled so that batch norm matters: without
// moving averages that track the training batches, inference would see badly normalised inputs.
func quadrants(n int, seed int64) (images []float32, labels []int32) {
	r := rand.New(rand.NewSource(seed))
	images = make([]float32, n*64)
	labels = make([]int32, n)
	for i := 0; i < n; i++ {
		c := r.Intn(4)
		labels[i] = int32(c)
		for y := 0; y < 8; y++ {
			for x := 0; x < 8; x++ {
				v := r.Float32()
				if (y/4)*2+x/4 == c {
					v += 0.4
				}
				images[i*64+y*8+x] = 20 + 10*v
			}
		}
	}
	return images, labels
}

func batchOf(images []float32, labels []int32, from, to int) (*tensors.Tensor, *tensors.Tensor) {
	x := tensors.FromFlatDataAndDimensions(append([]float32(nil), images[from*64:to*64]...), to-from, 8, 8, 1)
	y := tensors.FromFlatDataAndDimensions(append([]int32(nil), labels[from:to]...), to-from, 1)
	return x, y
}

func convBNModel(ctx *context.Context, x *graph.Node) (logits, aux *graph.Node) {
	h := layers.Convolution(ctx.In("conv"), x).Channels(8).KernelSize(3).PadSame().Strides(1).UseBias(false).Done()
	h = batchnorm.New(ctx.In("bn"), h, -1).Momentum(0.9).Epsilon(1e-5).Done()
	h = activations.Relu(h)
	h = graph.MaxPool(h).Window(4).Strides(4).Done()
	h = graph.Reshape(h, h.Shape().Dimensions[0], -1)
	logits = layers.DenseWithBias(ctx.In("dense"), h, 4)
	return logits, logits // the auxiliary head is the main one: exercises AuxWeight
}

func newTestTrainer(t *testing.T) *Trainer {
	tr, err := New(testBackend(t), Config{Model: convBNModel, AuxWeight: 0.4, Seed: 3,
		Optimizer: SGD{Momentum: 0.9, Nesterov: true, WeightDecay: 5e-4, ClipNorm: 5}})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func evalOn(tr *Trainer, images []float32, labels []int32, batch int) (Metrics, error) {
	pos := 0
	return tr.Evaluate(func() (*tensors.Tensor, *tensors.Tensor, error) {
		if pos >= len(labels) {
			return nil, nil, io.EOF
		}
		end := min(pos+batch, len(labels))
		x, y := batchOf(images, labels, pos, end)
		pos = end
		return x, y, nil
	})
}

// TestTrainerLearns trains a conv + batch-norm net and checks inference-mode test accuracy (moving
// averages) far above chance, and that the moving averages moved.
func TestTrainerLearns(t *testing.T) {
	tr := newTestTrainer(t)
	trX, trY := quadrants(256, 1)
	teX, teY := quadrants(200, 2)
	const batch, epochs = 32, 4
	total := epochs * len(trY) / batch
	for s := 0; s < total; s++ {
		if err := tr.SetLR(Cosine(0.1, 0, float64(s)/float64(total))); err != nil {
			t.Fatal(err)
		}
		from := (s * batch) % len(trY)
		x, y := batchOf(trX, trY, from, from+batch)
		if _, err := tr.Step(x, y); err != nil {
			t.Fatal(err)
		}
	}
	m, err := evalOn(tr, teX, teY, 64) // 64, 64, 64, 8: two graph shapes
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("test: loss %.3f acc %.3f (%d images)", m.Loss, m.Acc, m.Images)
	if m.Images != 200 || m.Acc < 0.8 {
		t.Errorf("test accuracy %.3f on %d images, want ≥ 0.8 (chance 0.25)", m.Acc, m.Images)
	}
	mean := tr.Context().In(ModelScope).In("bn").In("batch_normalization").GetVariable("mean")
	if mean == nil {
		t.Fatal("no batch-norm moving mean")
	}
	if v := mean.MustValue().Value().([]float32); v[0] == 0 && v[1] == 0 {
		t.Errorf("batch-norm moving mean never updated: %v", v)
	}
	if p := tr.Params(); p != 3*3*8+2*8+8*4*4+4 {
		t.Errorf("Params() = %d, want %d", p, 3*3*8+2*8+8*4*4+4)
	}
	if p := tr.Params("dense"); p != 3*3*8+2*8 {
		t.Errorf("Params(\"dense\") = %d", p)
	}
}

// TestSGDMatchesPyTorch checks two steps of SGD (Nesterov, weight decay, clipping) on f(w) = Σ c·w
// against the formulas of torch.optim.SGD and clip_grad_norm_.
func TestSGDMatchesPyTorch(t *testing.T) {
	for _, nesterov := range []bool{false, true} {
		be := testBackend(t)
		ctx := context.New()
		opt := SGD{Momentum: 0.9, Nesterov: nesterov, WeightDecay: 0.1, ClipNorm: 1}
		w0 := []float64{1, -2, 3}
		c := []float64{3, 4, 0} // gradient norm 5 → clipped to 1
		w := ctx.In("m").VariableWithValue("w", w0)
		opt.LRVariable(ctx).MustSetValue(tensors.FromValue(0.5))
		exec, err := context.NewExec(be, ctx, func(ctx *context.Context, g *graph.Graph) *graph.Node {
			loss := graph.ReduceAllSum(graph.Mul(w.ValueGraph(g), graph.Const(g, c)))
			opt.UpdateGraph(ctx, g, loss)
			return loss
		})
		if err != nil {
			t.Fatal(err)
		}
		want := append([]float64(nil), w0...)
		buf := make([]float64, 3)
		for step := 0; step < 2; step++ {
			if _, err := exec.Exec(); err != nil {
				t.Fatal(err)
			}
			norm := math.Sqrt(3*3 + 4*4)
			coef := math.Min(1, 1/(norm+1e-6))
			for i := range want {
				g := c[i]*coef + 0.1*want[i]
				buf[i] = 0.9*buf[i] + g
				d := buf[i]
				if nesterov {
					d = g + 0.9*buf[i]
				}
				want[i] -= 0.5 * d
			}
			got := w.MustValue().Value().([]float64)
			for i := range want {
				if math.Abs(got[i]-want[i]) > 1e-12 {
					t.Fatalf("nesterov=%v step %d: w = %v, want %v", nesterov, step+1, got, want)
				}
			}
		}
	}
}

// TestCheckpointResumeIsExact trains 6 steps straight, and 3 steps + Save + Restore + 3 steps, and
// compares every weight bit for bit.
func TestCheckpointResumeIsExact(t *testing.T) {
	trX, trY := quadrants(96, 5)
	run := func(tr *Trainer, from, to int) {
		for s := from; s < to; s++ {
			if err := tr.SetLR(Cosine(0.05, 0, float64(s)/6)); err != nil {
				t.Fatal(err)
			}
			x, y := batchOf(trX, trY, (s%3)*32, (s%3)*32+32)
			if _, err := tr.Step(x, y); err != nil {
				t.Fatal(err)
			}
		}
	}
	straight := newTestTrainer(t)
	run(straight, 0, 6)

	dir := t.TempDir()
	first := newTestTrainer(t)
	run(first, 0, 3)
	if err := first.Save(dir, map[string]int{"next": 3}); err != nil {
		t.Fatal(err)
	}
	run(first, 3, 4)
	if err := first.Save(dir, map[string]int{"next": 4}); err != nil { // keeps the previous checkpoint
		t.Fatal(err)
	}
	for _, name := range []string{"checkpoint", "checkpoint.prev"} {
		if _, err := os.Stat(filepath.Join(dir, name, StateFile)); err != nil {
			t.Fatalf("no %s after two saves: %v", name, err)
		}
	}
	// A Save killed half-way leaves a temporary folder; Restore ignores and removes it.
	if err := os.Mkdir(filepath.Join(dir, ".saving-123"), 0o755); err != nil {
		t.Fatal(err)
	}
	var st map[string]int
	resumed, err := Restore(testBackend(t), first.cfg, dir, &st)
	if err != nil {
		t.Fatal(err)
	}
	if st["next"] != 4 || resumed.Steps() != 4 {
		t.Fatalf("restored state %v, steps %d", st, resumed.Steps())
	}
	run(resumed, 4, 6)
	n := 0
	for v := range straight.Context().IterVariables() {
		r := resumed.Context().InAbsPath(v.Scope()).GetVariable(v.Name())
		if r == nil {
			t.Fatalf("variable %s missing after restore", v.ParameterName())
		}
		a, b := v.MustValue(), r.MustValue()
		if !a.Shape().Equal(b.Shape()) {
			t.Fatalf("%s: shape %s vs %s", v.ParameterName(), a.Shape(), b.Shape())
		}
		if av, ok := a.Value().([]float32); ok {
			bv := b.Value().([]float32)
			for i := range av {
				if math.Float32bits(av[i]) != math.Float32bits(bv[i]) {
					t.Fatalf("%s[%d]: %v straight, %v resumed", v.ParameterName(), i, av[i], bv[i])
				}
			}
			n++
		}
	}
	if n < 5 {
		t.Fatalf("compared only %d float32 variables", n)
	}
	if _, err := os.Stat(filepath.Join(dir, ".saving-123")); err == nil {
		t.Error("Restore left the temporary folder of an interrupted save")
	}
}

func TestNotFinite(t *testing.T) {
	tr := newTestTrainer(t)
	trX, trY := quadrants(64, 9)
	if err := tr.SetLR(1e30); err != nil {
		t.Fatal(err)
	}
	var err error
	for s := 0; s < 3 && err == nil; s++ {
		x, y := batchOf(trX, trY, 0, 32)
		_, err = tr.Step(x, y)
	}
	if !errors.Is(err, ErrNotFinite) {
		t.Fatalf("lr 1e30: error %v, want ErrNotFinite", err)
	}
}

func TestCosine(t *testing.T) {
	for _, c := range []struct{ t, want float64 }{{0, 0.1}, {0.5, 0.05}, {1, 0}, {2, 0}, {-1, 0.1}} {
		if got := Cosine(0.1, 0, c.t); math.Abs(got-c.want) > 1e-15 {
			t.Errorf("Cosine(0.1, 0, %v) = %v, want %v", c.t, got, c.want)
		}
	}
}

// TestRestoreFallsBackFromCorruptCheckpoint: Save keeps one previous checkpoint; a truncated file in
// the newest makes Restore use the previous one and say so on one stderr line; with both corrupt it
// fails with one line naming the bad file. Variable files are named after the step count.
func TestRestoreFallsBackFromCorruptCheckpoint(t *testing.T) {
	dir := t.TempDir()
	tr := newTestTrainer(t)
	trX, trY := quadrants(96, 5)
	for s := 1; s <= 3; s++ {
		x, y := batchOf(trX, trY, 0, 32)
		if _, err := tr.Step(x, y); err != nil {
			t.Fatal(err)
		}
		if err := tr.Save(dir, map[string]int{"next": s}); err != nil {
			t.Fatal(err)
		}
	}
	list := []string{filepath.Join(dir, "checkpoint.prev"), filepath.Join(dir, "checkpoint")} // oldest first
	bin := func(ck string) string {
		m, _ := filepath.Glob(filepath.Join(ck, "*.bin"))
		if len(m) != 1 {
			t.Fatalf("%s: variable files %v", ck, m)
		}
		return m[0]
	}
	newest, prev := bin(list[1]), bin(list[0])
	if !strings.HasSuffix(newest, "-step-00000003.bin") {
		t.Errorf("newest variable file %s, want it named after step 3", filepath.Base(newest))
	}
	fi, _ := os.Stat(newest)
	if err := os.Truncate(newest, fi.Size()-1); err != nil {
		t.Fatal(err)
	}
	r, w, _ := os.Pipe()
	old := os.Stderr
	os.Stderr = w
	var st map[string]int
	resumed, err := Restore(testBackend(t), tr.cfg, dir, &st)
	os.Stderr = old
	w.Close()
	msg, _ := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if st["next"] != 2 || resumed.Steps() != 2 {
		t.Errorf("restored state %v, steps %d; want the previous checkpoint (step 2)", st, resumed.Steps())
	}
	if strings.Count(string(msg), "\n") != 1 || !strings.Contains(string(msg), filepath.Base(newest)) || !strings.Contains(string(msg), filepath.Base(list[0])) {
		t.Errorf("stderr %q: want one line naming the bad file and the checkpoint used", msg)
	}
	if err := os.WriteFile(prev, []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Restore(testBackend(t), tr.cfg, dir, &st)
	if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), filepath.Base(newest)) {
		t.Errorf("both corrupt: error %v, want one line naming %s", err, filepath.Base(newest))
	}
}
