package gaea

import (
	"encoding/json"
	"math"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/internal/ckpt"
	"github.com/gaeanas/gaeanas/spaces/tiny"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TestRegistries: an unknown name lists the registered ones (TestGeometryByName has the shipped
// geometries), the shipped regulariser, and every way RegisterGeometry/RegisterRegularizer refuse a
// registration; a registered geometry is found by name and alias.
func TestRegistries(t *testing.T) {
	if _, err := GeometryByName("flat"); err == nil || !strings.Contains(err.Error(), "entropic, euclidean, softmax, softmax-sgd") {
		t.Errorf("unknown geometry: %v", err)
	}
	if r, err := RegularizerByName(EntropyName); err != nil || r.Name() != EntropyName || RegularizerNames()[0] != EntropyName {
		t.Errorf("RegularizerByName(entropy) = %v, %v; names %v", r, err, RegularizerNames())
	}
	if _, err := RegularizerByName("l1"); err == nil || !strings.Contains(err.Error(), `unknown regularizer "l1" (registered: entropy`) {
		t.Errorf("unknown regularizer: %v", err)
	}
	named := func(name string) func() Geometry { return func() Geometry { return renamed{Entropic(), name} } }
	for _, c := range []struct {
		name, want string
		register   func()
	}{
		{"taken", `"entropic" is already registered`, func() { RegisterGeometry("entropic", Entropic) }},
		{"taken alias", `"eg" is already registered (as "entropic")`, func() { RegisterGeometry("eg2", named("eg2"), "eg") }},
		{"empty", "empty geometry name", func() { RegisterGeometry("", named("")) }},
		{"upper case", `geometry name "Tsallis"`, func() { RegisterGeometry("Tsallis", named("Tsallis")) }},
		{"bad alias", `geometry name "t s"`, func() { RegisterGeometry("ts", named("ts"), "t s") }},
		{"nil", "nil constructor", func() { RegisterGeometry("nil-geo", nil) }},
		{"name mismatch", `the constructor's geometry is named "entropic"`, func() { RegisterGeometry("my-eg", Entropic) }},
		{"regularizer taken", `"entropy" is already registered`, func() { RegisterRegularizer(EntropyName, Entropy) }},
	} {
		func() {
			defer func() {
				r := recover()
				if r == nil || !strings.Contains(r.(string), c.want) {
					t.Errorf("%s: panic %v, want one with %q", c.name, r, c.want)
				}
			}()
			c.register()
		}()
	}
	RegisterGeometry("test-renamed", named("test-renamed"), "test-alias")
	if g, err := GeometryByName("test-alias"); err != nil || g.Name() != "test-renamed" || !slices.Contains(GeometryNames(), "test-renamed") {
		t.Errorf("a registered geometry: %v, %v, %v", g, err, GeometryNames())
	}
}

// renamed wraps a geometry under another name (embedding it: every other method is the wrapped one's).
type renamed struct {
	Geometry
	name string
}

func (r renamed) Name() string { return r.name }

// TestWrappedEntropicKeepsBetaWithoutFloor: a geometry that embeds Entropic() forwards ForEdgeWeights, so
// its β blocks take EG without the floor, as Entropic's own (TestBetaEGHasNoFloor), while θ keeps it.
func TestWrappedEntropicKeepsBetaWithoutFloor(t *testing.T) {
	be := backend.MustNew()
	ctx := context.New()
	init := []float64{0.5, 0.5 - 2e-6, 2e-6}
	for _, name := range []string{"theta", BetaPrefix + "00"} {
		if _, err := NewBlock(ctx, name, 1, 3, init, dtypes.Float64); err != nil {
			t.Fatal(err)
		}
	}
	opt := archOptimizer(t, ctx, renamed{Entropic(), "wrapped"}, 1)
	step := context.MustNewExec(be, ctx, func(ctx *context.Context, g *graph.Graph) *graph.Node {
		loss := graph.ScalarZero(g, dtypes.Float64)
		for _, b := range Blocks(ctx) {
			loss = graph.Add(loss, graph.ReduceAllSum(graph.Mul(b.ValueGraph(g), graph.Const(g, [][]float64{{0, 0, 5}}))))
		}
		opt.UpdateGraph(ctx, g, loss)
		return loss
	})
	step.MustExec()
	theta := Blocks(ctx)[0].MustValue().Value().([][]float64)[0]
	beta := Blocks(ctx)[1].MustValue().Value().([][]float64)[0]
	if theta[2] < MinWeight*(1-1e-4) {
		t.Errorf("θ entry %g below the floor", theta[2])
	}
	if want := 2e-6 * math.Exp(-5); beta[2] > 1.01*want {
		t.Errorf("β entry %g, want ≈ %g: the wrapper put the floor back on β", beta[2], want)
	}
}

// badGeometry is Entropic with a broken Init or Step.
type badGeometry struct {
	Geometry
	init func(rows, cols int, rng *rand.Rand) []float64
	nan  bool
}

func (b badGeometry) Name() string { return "bad" }
func (b badGeometry) Init(rows, cols int, rng *rand.Rand) []float64 {
	if b.init != nil {
		return b.init(rows, cols, rng)
	}
	return b.Geometry.Init(rows, cols, rng)
}
func (b badGeometry) Step(ctx *context.Context, p, grad, lr *graph.Node) *graph.Node {
	if b.nan {
		return graph.Div(p, graph.ScalarZero(p.Graph(), p.DType())) // 1/0 and 0/0
	}
	return b.Geometry.Step(ctx, p, grad, lr)
}

// TestBadGeometryIsAnErrorNamingIt: an Init of the wrong length, with a NaN, or that panics (on the nil
// rng of the teaching problems), and a Step that makes θ non-finite, are errors that name the geometry
// — from NewSearch, StepArch and SimplexProblem.Trajectory.
func TestBadGeometryIsAnErrorNamingIt(t *testing.T) {
	for _, c := range []struct {
		name string
		geo  badGeometry
		want string
	}{
		{"short", badGeometry{Geometry: Entropic(), init: func(r, c int, _ *rand.Rand) []float64 { return make([]float64, r*c-1) }}, "values, want"},
		{"nan", badGeometry{Geometry: Entropic(), init: func(r, c int, _ *rand.Rand) []float64 {
			v := Uniform(r, c)
			v[1] = math.NaN()
			return v
		}}, "returned NaN at row 0, column 1"},
		{"panic", badGeometry{Geometry: Entropic(), init: func(r, c int, rng *rand.Rand) []float64 { rng.Int(); return Uniform(r, c) }}, "panicked"},
		{"step", badGeometry{Geometry: Entropic(), nan: true}, "is not finite"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Linear([]float64{1, 2, 3}).Trajectory(backend.MustNew(), c.geo, 0.1, 2)
			if err == nil || !strings.Contains(err.Error(), `geometry "bad"`) {
				t.Errorf("Trajectory: %v, want an error naming the geometry", err)
			}
			if c.name == "panic" {
				return // a search passes a random source: this Init is fine there
			}
			s, err := NewSearch(backend.MustNew(), conf(Config{Space: tiny.New().Channels(2).Classes(2), Geometry: c.geo, Seed: 1}), tinyBatches(t, 1))
			if err == nil {
				_, err = s.StepArch()
			}
			if err == nil || !strings.Contains(err.Error(), `geometry "bad"`) {
				t.Errorf("search: %v, want an error naming the geometry", err)
			}
			if c.name != "step" && err != nil && !strings.Contains(err.Error(), c.want) {
				t.Errorf("search: %v, want %q", err, c.want)
			}
		})
	}
}

// TestConfigLiteralZeroAndValidate: DefaultConfig's values; a literal zero reaches the weight step as
// zero (no momentum, no weight decay, no clipping, lr_min 0); Validate names the field at fault.
func TestConfigLiteralZeroAndValidate(t *testing.T) {
	d := DefaultConfig()
	if d.Geometry.Name() != "entropic" || d.ArchLR != 0.1 || d.WeightLR != 0.025 || d.WeightLRMin != 0.001 || d.Momentum != 0.9 ||
		d.WeightDecay != 3e-4 || d.GradClip != 5 || d.Steps != 1000 || d.TauMax != 10 || d.TauMin != 0.1 ||
		len(d.Regularizers) != 1 || d.Regularizers[0].Name() != EntropyName || d.Regularizers[0].Lambda != 0 {
		t.Errorf("DefaultConfig() = %+v", d)
	}
	cfg := conf(Config{Space: tiny.New().Channels(2).Classes(2), Seed: 1})
	cfg.Momentum, cfg.WeightDecay, cfg.GradClip, cfg.WeightLRMin, cfg.ArchLR = 0, 0, 0, 0, 0
	s, err := NewSearch(backend.MustNew(), cfg, tinyBatches(t, 1))
	if err != nil {
		t.Fatal(err)
	}
	if s.sgd.Momentum != 0 || s.sgd.WeightDecay != 0 || s.sgd.ClipNorm != 0 || s.Config().WeightLRMin != 0 || s.ArchLR() != 0 {
		t.Errorf("literal zeros became %+v, lr_min %v, arch lr %v", *s.sgd, s.Config().WeightLRMin, s.ArchLR())
	}
	if _, err := NewSearch(backend.MustNew(), Config{Space: tiny.New()}, tinyBatches(t, 1)); err == nil || !strings.Contains(err.Error(), "DefaultConfig") {
		t.Errorf("a zero Config: %v, want an error that points at DefaultConfig", err)
	}
	for _, c := range []struct {
		edit func(*Config)
		want string
	}{
		{func(c *Config) { c.Space = nil }, "Config.Space is nil"},
		{func(c *Config) { c.Geometry = nil }, "Config.Geometry is nil"},
		{func(c *Config) { c.Steps = 0 }, "Config.Steps is 0"},
		{func(c *Config) { c.ArchLR = -1 }, "Config.ArchLR is -1"},
		{func(c *Config) { c.GradClip = math.NaN() }, "Config.GradClip is NaN"},
		{func(c *Config) { c.BetaLR = f64(math.Inf(1)) }, "Config.BetaLR is +Inf"},
		{func(c *Config) { c.Sampling, c.TauMin = GDAS, 0 }, "Config.TauMax (10) and TauMin (0)"},
		{func(c *Config) { c.Sampling = "gumbel" }, `sampling "gumbel"`},
		{func(c *Config) { c.WarmupSteps = -1 }, "must not be negative"},
		{func(c *Config) { c.DType = dtypes.Int32 }, "Config.DType"},
		{func(c *Config) { c.SecondOrder, c.Sampling = true, RSWS }, "Config.SecondOrder"},
		{func(c *Config) { c.Regularizers = append(c.Regularizers, Regularization{}) }, "Config.Regularizers[1] has no Regularizer"},
		{func(c *Config) { c.Regularizers = append(c.Regularizers, c.Regularizers[0]) }, `Config.Regularizers: "entropy" twice`},
		{func(c *Config) { c.Regularizers[0].Lambda = math.Inf(-1) }, "λ is -Inf"},
	} {
		cfg := DefaultConfig()
		cfg.Space = tiny.New()
		c.edit(&cfg)
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Validate: %v, want %q", err, c.want)
		}
	}
}

// TestBlockStepsAdvanceTheSchedule: a GDAS search driven by StepArch and StepWeights called alone moves
// through the iterations as Step does — its records carry the iteration of each pair, τ follows
// TauAt and the weight learning rate WeightLRAt — and ends where Run ends, record for record.
func TestBlockStepsAdvanceTheSchedule(t *testing.T) {
	cfg := conf(Config{Space: tiny.New().Channels(2).Classes(2), Sampling: GDAS, ArchLR: 0.3, Steps: 4, Seed: 7})
	byBlocks, err := NewSearch(backend.MustNew(), cfg, tinyBatches(t, 7))
	if err != nil {
		t.Fatal(err)
	}
	var hooked []int
	byBlocks.OnBlockStep(func(r Record) { hooked = append(hooked, r.Step) })
	for it := 1; it <= 4; it++ {
		a, err := byBlocks.StepArch()
		if err != nil {
			t.Fatal(err)
		}
		if tau, _ := Hyperparameter(byBlocks.ctx, TauVar); a.Iteration != it || tau != cfg.TauAt(it) {
			t.Errorf("arch step of pair %d: iteration %d, τ %v (want %v)", it, a.Iteration, tau, cfg.TauAt(it))
		}
		w, err := byBlocks.StepWeights()
		if err != nil {
			t.Fatal(err)
		}
		if w.Iteration != it || w.WeightLR != cfg.WeightLRAt(it) {
			t.Errorf("weight step of pair %d: iteration %d, lr %v (want %v)", it, w.Iteration, w.WeightLR, cfg.WeightLRAt(it))
		}
	}
	if !slices.Equal(hooked, []int{1, 2, 3, 4, 5, 6, 7, 8}) {
		t.Errorf("OnBlockStep saw steps %v", hooked)
	}
	byRun, err := NewSearch(backend.MustNew(), cfg, tinyBatches(t, 7))
	if err != nil {
		t.Fatal(err)
	}
	if err := byRun.Run(4); err != nil {
		t.Fatal(err)
	}
	a, b := byBlocks.History(), byRun.History()
	for i := range b {
		if !slices.EqualFunc(a[i].Theta, b[i].Theta, slices.Equal) || a[i].Iteration != b[i].Iteration || a[i].WeightLR != b[i].WeightLR || a[i].Loss != b[i].Loss {
			t.Fatalf("record %d: block by block %+v, Run %+v", i, a[i], b[i])
		}
	}
	// Two weight steps in a row are two iterations.
	w1, _ := byRun.StepWeights()
	w2, _ := byRun.StepWeights()
	if w1.Iteration != 5 || w2.Iteration != 6 {
		t.Errorf("weight steps alone after Run(4): iterations %d, %d; want 5, 6", w1.Iteration, w2.Iteration)
	}
}

// TestPenaltiesAndRuntimeLambda: several regularisers at once; each architecture record holds λ·R of
// those with λ ≠ 0 — the entropic one λ·Σ KL(θ‖uniform) of the θ the step started from — and none when
// every λ is 0; SetLambda changes λ without building a graph again and refuses an unknown name.
func TestPenaltiesAndRuntimeLambda(t *testing.T) {
	cfg := conf(Config{Space: tiny.New().Channels(2).Classes(2), ArchLR: 1, Steps: 10, Seed: 3})
	cfg.Regularizers = []Regularization{{Regularizer: Entropy(), Lambda: 0}, {Regularizer: sumOfSquares{}, Lambda: 0}}
	s, err := NewSearch(backend.MustNew(), cfg, tinyBatches(t, 3))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run(1); err != nil {
		t.Fatal(err)
	}
	if p := s.History()[0].Penalty; p != nil {
		t.Errorf("every λ 0: penalty %v", p)
	}
	builds := s.graphBuilds
	if err := s.SetLambda(EntropyName, 0.2); err != nil {
		t.Fatal(err)
	}
	if err := s.SetLambda("squares", 0.5); err != nil {
		t.Fatal(err)
	}
	before, _ := s.Theta()
	r, err := s.StepArch()
	if err != nil {
		t.Fatal(err)
	}
	kl, sq := 0.0, 0.0
	for _, row := range before {
		for _, v := range row {
			kl += v * math.Log(v*float64(len(row)))
			sq += v * v
		}
	}
	if math.Abs(r.Penalty[EntropyName]-0.2*kl) > 1e-6 || math.Abs(r.Penalty["squares"]-0.5*sq) > 1e-5 || len(r.Penalty) != 2 {
		t.Errorf("penalty %v, want entropy %v, squares %v", r.Penalty, 0.2*kl, 0.5*sq)
	}
	if l, err := s.Lambda("squares"); err != nil || l != 0.5 {
		t.Errorf("Lambda(squares) = %v, %v", l, err)
	}
	if err := s.SetLambda("l1", 1); err == nil || !strings.Contains(err.Error(), "it has: entropy, squares") {
		t.Errorf("SetLambda(l1): %v", err)
	}
	if s.graphBuilds != builds {
		t.Errorf("graphs built went from %d to %d after changing λ", builds, s.graphBuilds)
	}
}

// sumOfSquares is Σ w² over every block's mixture weights.
type sumOfSquares struct{}

func (sumOfSquares) Name() string { return "squares" }
func (sumOfSquares) Term(_ *context.Context, g *graph.Graph, params []ArchParam) *graph.Node {
	total := graph.ScalarZero(g, params[0].Mixture.DType())
	for _, p := range params {
		total = graph.Add(total, graph.ReduceAllSum(graph.Square(p.Mixture)))
	}
	return total
}

// TestRestoreLegacyCheckpoint: a checkpoint as written before this layout — arch_lr in search.json, no
// ran/space/geometry/regularizers, a beta_lr variable copying the arch lr — restores: the arch lr from
// search.json, β back to following LRVar (no BetaLRVar), the next block step starting a new iteration.
func TestRestoreLegacyCheckpoint(t *testing.T) {
	cfg := conf(Config{Space: betaSpace{tiny.New().Channels(2).Classes(2)}, ArchLR: 0.5, Steps: 10, Seed: 4})
	s, err := NewSearch(backend.MustNew(), cfg, tinyBatches(t, 4))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run(2); err != nil {
		t.Fatal(err)
	}
	if err := SetHyperparameter(s.ctx, BetaLRVar, 0.5); err != nil { // what the old step graph created
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := s.Save(dir); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "checkpoint", "search.json")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var st map[string]json.RawMessage
	if err := json.Unmarshal(data, &st); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"ran", "space", "geometry", "regularizers"} {
		delete(st, k)
	}
	st["arch_lr"] = json.RawMessage("0.7")
	if data, err = json.Marshal(st); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := ckpt.WriteManifest(filepath.Dir(p)); err != nil {
		t.Fatal(err)
	}
	r, err := RestoreSearch(backend.MustNew(), cfg, tinyBatches(t, 4), dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := Hyperparameter(r.ctx, BetaLRVar); ok || r.ArchLR() != 0.7 {
		t.Errorf("restored: arch lr %v, BetaLRVar present %v", r.ArchLR(), ok)
	}
	if rec, err := r.StepArch(); err != nil || rec.Iteration != 3 || rec.ArchLR != 0.7 {
		t.Errorf("first step after restore: %+v, %v; want iteration 3 at arch lr 0.7", rec, err)
	}
}
