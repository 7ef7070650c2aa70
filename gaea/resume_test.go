package gaea

import (
	"fmt"
	"math/rand"
	"reflect"
	"testing"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/spaces/darts"
	"github.com/gaeanas/gaeanas/spaces/tiny"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
)

// momentumEG is a researcher's own stateful geometry, defined here as a user of the package would:
// exponentiated gradient with a heavy-ball velocity v ← μ·v + ∇ kept in the geometry's state scope,
// θ ← θ ⊙ exp(−η v) renormalised per row.
type momentumEG struct{ mu float64 }

func (momentumEG) Name() string                                { return "momentum-eg" }
func (momentumEG) Init(rows, cols int, _ *rand.Rand) []float64 { return Uniform(rows, cols) }
func (momentumEG) Mixture(p *graph.Node) *graph.Node           { return p }
func (m momentumEG) ForEdgeWeights() Geometry                  { return m }
func (m momentumEG) Step(ctx *context.Context, theta, grad, lr *graph.Node) *graph.Node {
	g := theta.Graph()
	vVar := ctx.WithInitializer(initializers.Zero).VariableWithShape("velocity", theta.Shape()).SetTrainable(false)
	v := graph.Add(graph.MulScalar(vVar.ValueGraph(g), m.mu), grad)
	vVar.SetValueGraph(v)
	t := graph.Mul(theta, graph.Exp(graph.Neg(graph.Mul(lr, v))))
	return graph.Div(t, graph.ReduceAndKeep(t, graph.ReduceSum, -1))
}

// TestStatefulGeometryResumes: a search whose geometry keeps state (DARTS's Adam, the momentum EG
// above) saved after k iterations and restored — its state variables then already exist when the
// architecture step's graph is built — continues bit for bit as the uninterrupted search: the same
// history (θ after every block step) and the same final θ and geometry state. The restored search
// starts in a fresh context, as `gaea search --resume` does in a new process.
func TestStatefulGeometryResumes(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  Config
	}{
		{"softmax-adam", conf(Config{Geometry: Softmax(), ArchLR: 0.05})},
		{"momentum-eg", conf(Config{Geometry: momentumEG{mu: 0.9}, ArchLR: 0.3})},
		{"softmax-adam-weights-first", conf(Config{Geometry: Softmax(), ArchLR: 0.05, WeightsFirst: true, Nesterov: true})},
		// GDAS: the Gumbel noise (the context's RNG state) and τ per epoch after a warm-up.
		{"softmax-adam-gdas", conf(Config{Geometry: Softmax(), ArchLR: 0.05, Sampling: GDAS})},
		{"momentum-eg-gdas-tau-epochs", conf(Config{Geometry: momentumEG{mu: 0.9}, ArchLR: 0.3, Sampling: GDAS, StepsPerEpoch: 3,
			Epochs: 4, WarmupSteps: 3, Regularizers: entropy(0.01)})},
		{"softmax-adam-second-order", conf(Config{Geometry: Softmax(), ArchLR: 0.05, SecondOrder: true})},
		{"momentum-eg-warmup", conf(Config{Geometry: momentumEG{mu: 0.5}, ArchLR: 0.3, WarmupSteps: 2})},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := c.cfg
			cfg.Space, cfg.WeightLR, cfg.Steps, cfg.Seed = tiny.New().Channels(4).Classes(2), 0.05, 12, 5
			checkResume(t, cfg, func() Batches { return tinyBatches(t, 5) }, 4, 5, true)
		})
	}
	// Random search with weight sharing has no architecture state; its samples (the RNG state) resume.
	t.Run("rsws", func(t *testing.T) {
		cfg := conf(Config{Space: tiny.New().Channels(4).Classes(2), Sampling: RSWS, WeightLR: 0.05, Steps: 12, Seed: 5})
		checkResume(t, cfg, func() Batches { return tinyBatches(t, 5) }, 4, 5, false)
	})
}

// TestStatefulGeometryResumesWithBeta: the same on the DARTS space with edge-weight blocks β (each
// block has its own state scope) and partial channels, Adam and EG.
func TestStatefulGeometryResumesWithBeta(t *testing.T) {
	if testing.Short() {
		t.Skip("builds DARTS supernets")
	}
	for _, geo := range []Geometry{Softmax(), momentumEG{mu: 0.9}} {
		t.Run(geo.Name(), func(t *testing.T) {
			space := darts.New().Channels(4).Layers(3).Classes(2)
			cfg := conf(Config{Space: space, Geometry: geo, ArchLR: 0.05, WeightLR: 0.05, Steps: 6, Seed: 2, PartialChannels: 2})
			checkResume(t, cfg, func() Batches {
				b, err := NewMemoryBatches(colorStripes(32, 1), colorStripes(32, 2), BiLevel, 8, 2)
				if err != nil {
					t.Fatal(err)
				}
				return b
			}, 2, 2, true)
		})
	}
}

// checkResume runs k iterations, saves, runs n more; then restores the checkpoint in a new search and
// runs the same n: the histories (θ and β after every step), the final θ and every architecture-state
// variable must be equal. stateful says the geometry must have kept state (else the test is vacuous).
func checkResume(t *testing.T, cfg Config, batches func() Batches, k, n int, stateful bool) {
	t.Helper()
	dir := t.TempDir()
	a, err := NewSearch(backend.MustNew(), cfg, batches())
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Run(k); err != nil {
		t.Fatal(err)
	}
	if err := a.Save(dir); err != nil {
		t.Fatal(err)
	}
	if err := a.Run(n); err != nil {
		t.Fatal(err)
	}
	r, err := RestoreSearch(backend.MustNew(), cfg, batches(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Run(n); err != nil {
		t.Fatalf("restored search: %v", err)
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
	ta, err := a.Theta()
	if err != nil {
		t.Fatal(err)
	}
	tr, err := r.Theta()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ta, tr) {
		t.Fatalf("final θ differs:\n  uninterrupted %v\n  restored      %v", ta, tr)
	}
	sa, sr := archState(t, a), archState(t, r)
	if stateful && len(sa) == 0 {
		t.Fatal("the geometry kept no state: the test would check nothing")
	}
	if !reflect.DeepEqual(sa, sr) {
		t.Fatalf("geometry state differs:\n  uninterrupted %v\n  restored      %v", sa, sr)
	}
}

// archState returns every variable under ArchScope/state (name → value as text).
func archState(t *testing.T, s *Search) map[string]string {
	t.Helper()
	out := map[string]string{}
	for v := range s.Context().In(ArchScope).In("state").IterVariablesInScope() {
		val, err := v.Value()
		if err != nil {
			t.Fatal(err)
		}
		out[v.ScopeAndName()] = fmt.Sprint(val.Value())
	}
	return out
}
