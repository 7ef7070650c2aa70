package gaea

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gaeanas/gaeanas/spaces/tiny"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

func tinyBatches(t *testing.T, seed int64) *MemoryBatches {
	t.Helper()
	b, err := NewMemoryBatches(stripes(128, 1), stripes(128, 2), BiLevel, 16, seed)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestGDASSearch(t *testing.T) {
	s, err := NewSearch(backend.MustNew(), conf(Config{Space: tiny.New().Channels(4).Classes(2),
		Sampling: GDAS, ArchLR: 0.5, Regularizers: entropy(0.01), Steps: 10, Seed: 2}), tinyBatches(t, 2))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := Hyperparameter(s.ctx, TauVar); got != 10 {
		t.Errorf("τ at start %g, want 10", got)
	}
	if err := s.Run(5); err != nil {
		t.Fatal(err)
	}
	if got, _ := Hyperparameter(s.ctx, TauVar); math.Abs(got-(10-9.9*0.5)) > 1e-12 {
		t.Errorf("τ after 5 of 10 iterations %g, want %g", got, 10-9.9*0.5)
	}
	grad := s.LastGrad()
	nonZero := 0
	for _, row := range grad {
		for _, v := range row {
			if v != 0 {
				nonZero++
			}
		}
	}
	if nonZero == 0 {
		t.Error("GDAS: θ got no gradient through the straight-through sample")
	}
	h := s.History()
	if reflect.DeepEqual(h[0].Theta, h[len(h)-1].Theta) {
		t.Error("GDAS: θ did not move")
	}
}

// TestGDASSampleIsOneHot checks the mixture a GDAS step feeds the supernet: one-hot rows in value.
func TestGDASSampleIsOneHot(t *testing.T) {
	s, err := NewSearch(backend.MustNew(), conf(Config{Space: tiny.New().Channels(2).Classes(2),
		Sampling: GDAS, Seed: 3}), tinyBatches(t, 3))
	if err != nil {
		t.Fatal(err)
	}
	exec := context.MustNewExec(backend.MustNew(), s.ctx, func(ctx *context.Context, g *graph.Graph) *graph.Node {
		return s.mixture(ctx, g).Weights
	})
	for trial := 0; trial < 5; trial++ {
		rows := rowsOf(exec.MustExec()[0])
		for e, row := range rows {
			ones, zeros := 0, 0
			for _, v := range row {
				switch {
				case math.Abs(v-1) < 1e-6:
					ones++
				case math.Abs(v) < 1e-6:
					zeros++
				}
			}
			if ones != 1 || zeros != len(row)-1 {
				t.Fatalf("edge %d: sample %v is not one-hot", e, row)
			}
		}
	}
}

func TestRSWS(t *testing.T) {
	s, err := NewSearch(backend.MustNew(), conf(Config{Space: tiny.New().Channels(4).Classes(2),
		Sampling: RSWS, Steps: 10, Seed: 4}), tinyBatches(t, 4))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.StepArch(); err == nil {
		t.Error("rsws StepArch: no error")
	}
	if err := s.Run(4); err != nil {
		t.Fatal(err)
	}
	h := s.History()
	if len(h) != 4 {
		t.Fatalf("%d records, want 4 weight steps", len(h))
	}
	for _, r := range h {
		if r.Block != "weights" {
			t.Errorf("rsws ran a %s step", r.Block)
		}
		for _, row := range r.Theta {
			for _, v := range row {
				if math.Abs(v-1.0/3) > 1e-6 {
					t.Fatalf("rsws changed θ: %v", r.Theta)
				}
			}
		}
	}
}

// betaSpace is the teaching space with PC-DARTS-style edge weights: node 1's single edge and node 2's
// two edges each form a β row; the supernet scales each edge's mixture row by its β.
type betaSpace struct{ *tiny.Space }

func (b betaSpace) EdgeGroups() [][]int { return [][]int{{0}, {1, 2}} }

func (b betaSpace) Supernet(ctx *context.Context, x *graph.Node, mix spaces.Mixture) *graph.Node {
	beta := graph.Reshape(mix.Beta, 3, 1)
	return b.Space.Supernet(ctx, x, spaces.Mixture{Weights: graph.Mul(mix.Weights, beta)})
}

func TestBetaBlocks(t *testing.T) {
	s, err := NewSearch(backend.MustNew(), conf(Config{Space: betaSpace{tiny.New().Channels(4).Classes(2)},
		ArchLR: 0.5, BetaLR: f64(2), Steps: 10, Seed: 6}), tinyBatches(t, 6))
	if err != nil {
		t.Fatal(err)
	}
	beta0, err := s.Beta()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(beta0, [][]float64{{1}, {0.5, 0.5}}) {
		t.Fatalf("initial β %v", beta0)
	}
	if err := s.Run(5); err != nil {
		t.Fatal(err)
	}
	beta, _ := s.Beta()
	if beta[0][0] != 1 || math.Abs(beta[1][0]+beta[1][1]-1) > 1e-6 || beta[1][0] == 0.5 {
		t.Errorf("β after 5 iterations %v: want row 0 = [1], row 1 moved and on the simplex", beta)
	}
	if h := s.History(); len(h[len(h)-1].Beta) != 2 {
		t.Errorf("history lacks β: %+v", h[len(h)-1])
	}
}

// TestSaveRestoreGDAS: the Gumbel noise comes from the context's RNG state, which the checkpoint keeps,
// so a restored GDAS search replays bit for bit too.
func TestSaveRestoreGDAS(t *testing.T) {
	cfg := conf(Config{Space: tiny.New().Channels(4).Classes(2), Sampling: GDAS, ArchLR: 0.3, Steps: 20, Seed: 9})
	dir := t.TempDir()
	a, err := NewSearch(backend.MustNew(), cfg, tinyBatches(t, 9))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Run(5); err != nil {
		t.Fatal(err)
	}
	if err := a.Save(dir); err != nil {
		t.Fatal(err)
	}
	if err := a.Run(5); err != nil {
		t.Fatal(err)
	}
	r, err := RestoreSearch(backend.MustNew(), cfg, tinyBatches(t, 9), dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Run(5); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a.History(), r.History()) {
		t.Fatal("restored GDAS search diverged from the uninterrupted one")
	}
}

// TestBestOfRandom: RS-WS's selection evaluates distinct random architectures with the shared weights,
// picks the most accurate, and leaves the weights alone.
func TestBestOfRandom(t *testing.T) {
	s, err := NewSearch(backend.MustNew(), conf(Config{Space: tiny.New().Channels(4).Classes(2),
		Sampling: RSWS, Steps: 10, Seed: 14}), tinyBatches(t, 14))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run(6); err != nil {
		t.Fatal(err)
	}
	before := len(s.History())
	cands, best, err := s.BestOfRandom(8, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	distinct := map[string]bool{}
	for i, c := range cands {
		distinct[c.Genotype] = true
		if c.Acc > cands[best].Acc {
			t.Errorf("candidate %d (%v) beats the chosen one (%v)", i, c, cands[best])
		}
		if _, err := s.Space().ParseGenotype(c.Genotype); err != nil {
			t.Errorf("candidate %q: %v", c.Genotype, err)
		}
	}
	if len(distinct) < 3 {
		t.Errorf("only %d distinct architectures among 8 random draws", len(distinct))
	}
	if len(s.History()) != before {
		t.Error("evaluating candidates added steps to the history")
	}
	if _, _, err := s.BestOfRandom(0, 1, 1); err == nil {
		t.Error("BestOfRandom(0, …): no error")
	}
}

// TestSamplingAndLevelText: the typed values keep their text forms in JSON and reject unknown ones.
func TestSamplingAndLevelText(t *testing.T) {
	type cfg struct {
		S Sampling `json:"s"`
		L Level    `json:"l"`
	}
	for _, c := range []struct {
		v    cfg
		json string
	}{{cfg{GDAS, SingleLevel}, `{"s":"gdas","l":"single"}`}, {cfg{RSWS, BiLevel}, `{"s":"rsws","l":"bi"}`},
		{cfg{WeightedSum, BiLevel}, `{"s":"","l":"bi"}`}} {
		b, err := json.Marshal(c.v)
		if err != nil || string(b) != c.json {
			t.Errorf("marshal %+v = %s, %v; want %s", c.v, b, err, c.json)
		}
		var back cfg
		if err := json.Unmarshal([]byte(c.json), &back); err != nil || back != c.v {
			t.Errorf("unmarshal %s = %+v, %v", c.json, back, err)
		}
	}
	var back cfg
	if err := json.Unmarshal([]byte(`{"s":"darts","l":"single"}`), &back); err == nil {
		t.Error("sampling \"darts\" accepted")
	}
	if err := json.Unmarshal([]byte(`{"s":"","l":"tri"}`), &back); err == nil {
		t.Error("level \"tri\" accepted")
	}
	if _, err := NewMemoryBatches(stripes(8, 1), stripes(8, 2), Level("both"), 4, 1); err == nil {
		t.Error("NewMemoryBatches accepted level \"both\"")
	}
}

// tauNow reads the temperature the last step used.
func tauNow(t *testing.T, s *Search) float64 {
	t.Helper()
	return s.ctx.In(ArchScope).GetVariable(TauVar).MustValue().Value().(float64)
}

// TestGDASTauPerEpoch: with StepsPerEpoch, τ is constant within an epoch and follows the reference's
// tau_max − (tau_max − tau_min)·epoch/(total_epochs − 1), then stays at τ_min; without it, τ is linear
// per iteration over Steps.
func TestGDASTauPerEpoch(t *testing.T) {
	s, err := NewSearch(backend.MustNew(), conf(Config{Space: tiny.New().Channels(4).Classes(2),
		Sampling: GDAS, TauMax: 10, TauMin: 1, StepsPerEpoch: 3, Epochs: 4, Steps: 12, Seed: 2}), tinyBatches(t, 2))
	if err != nil {
		t.Fatal(err)
	}
	for it := 1; it <= 14; it++ {
		if err := s.Step(); err != nil {
			t.Fatal(err)
		}
		epoch := min((it-1)/3, 3)
		want := 10 - 9*float64(epoch)/3
		if got := tauNow(t, s); math.Abs(got-want) > 1e-12 {
			t.Errorf("iteration %d (epoch %d): τ = %v, want %v", it, epoch, got, want)
		}
	}
	s, err = NewSearch(backend.MustNew(), conf(Config{Space: tiny.New().Channels(4).Classes(2),
		Sampling: GDAS, TauMax: 10, TauMin: 1, Steps: 8, Seed: 2}), tinyBatches(t, 2))
	if err != nil {
		t.Fatal(err)
	}
	for it := 1; it <= 4; it++ {
		if err := s.Step(); err != nil {
			t.Fatal(err)
		}
		if got, want := tauNow(t, s), 10-9*float64(it)/8; math.Abs(got-want) > 1e-12 {
			t.Errorf("per-iteration schedule, iteration %d: τ = %v, want %v", it, got, want)
		}
	}
}

// TestWarmupSkipsArchSteps: during the first WarmupSteps iterations Step only trains the weights — θ
// stays uniform and the history has no architecture record — then the alternation starts.
func TestWarmupSkipsArchSteps(t *testing.T) {
	s, err := NewSearch(backend.MustNew(), conf(Config{Space: tiny.New().Channels(4).Classes(2),
		ArchLR: 0.5, WarmupSteps: 3, Steps: 10, Seed: 5}), tinyBatches(t, 5))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run(5); err != nil {
		t.Fatal(err)
	}
	var blocks []string
	for _, r := range s.History() {
		blocks = append(blocks, r.Block)
		if r.Iteration <= 3 {
			for _, row := range r.Theta {
				for _, v := range row {
					if v != float64(float32(1.0/3)) {
						t.Fatalf("θ moved during warm-up (iteration %d): %v", r.Iteration, r.Theta)
					}
				}
			}
		}
	}
	want := []string{"weights", "weights", "weights", "arch", "weights", "arch", "weights"}
	if !reflect.DeepEqual(blocks, want) {
		t.Fatalf("blocks %v, want %v", blocks, want)
	}
	if last := s.History()[len(s.History())-1].Theta; last[0][0] == float64(float32(1.0/3)) {
		t.Errorf("θ did not move after the warm-up: %v", last)
	}
}
