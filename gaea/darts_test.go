package gaea

import (
	"math"
	"testing"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/spaces/darts"
)

// colorStripes is stripes with 3 channels (the DARTS stem expects RGB).
func colorStripes(n int, seed int64) Dataset {
	d := stripes(n, seed)
	rgb := Dataset{Images: make([]float32, 0, 3*len(d.Images)), Labels: d.Labels, Height: d.Height, Width: d.Width, Channel: 3}
	for _, v := range d.Images {
		rgb.Images = append(rgb.Images, v, -v, 0.5*v)
	}
	return rgb
}

// TestPCDARTSOnDARTSSpace: GAEA PC-DARTS — EG on θ and on the per-node edge weights β, partial channels
// K=2 — on a small DARTS supernet: the rows stay on the simplex, β moves, and the genotype is valid.
func TestPCDARTSOnDARTSSpace(t *testing.T) {
	if testing.Short() {
		t.Skip("DARTS supernet")
	}
	b, err := NewMemoryBatches(colorStripes(32, 1), colorStripes(32, 2), BiLevel, 8, 21)
	if err != nil {
		t.Fatal(err)
	}
	space := darts.New().Channels(4).Layers(3).Classes(2)
	s, err := NewSearch(backend.MustNew(), conf(Config{Space: space, ArchLR: 0.5, BetaLR: f64(0.5), PartialChannels: 2,
		WeightLR: 0.05, Steps: 4, Seed: 21}), b)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Run(2); err != nil {
		t.Fatal(err)
	}
	theta, beta, err := s.weights()
	if err != nil {
		t.Fatal(err)
	}
	if len(theta) != 28 || len(theta[0]) != 8 || len(beta) != 8 {
		t.Fatalf("θ %d×%d, β %d rows", len(theta), len(theta[0]), len(beta))
	}
	moved := false
	for i, row := range beta {
		if len(row) != len(space.EdgeGroups()[i]) {
			t.Fatalf("β row %d has %d entries for %d edges", i, len(row), len(space.EdgeGroups()[i]))
		}
		sum := 0.0
		for _, v := range row {
			sum += v
			if math.Abs(v-1/float64(len(row))) > 1e-6 {
				moved = true
			}
		}
		if math.Abs(sum-1) > 1e-5 {
			t.Errorf("β row %d sums to %g", i, sum)
		}
	}
	if !moved {
		t.Error("β did not move")
	}
	g, err := s.Genotype()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := space.ParseGenotype(g.String()); err != nil {
		t.Errorf("genotype %s does not parse back: %v", g, err)
	}
	t.Logf("genotype after 2 iterations: %s", g)
}

// TestDARTSSpaceWithoutEdgeWeights: on darts.New().EdgeWeights(false) (DARTS, GDAS) a search creates θ
// only — no β block — and its genotype is the θ-only ranking; the default space gets 8 β blocks.
func TestDARTSSpaceWithoutEdgeWeights(t *testing.T) {
	b, err := NewMemoryBatches(colorStripes(32, 1), colorStripes(32, 2), BiLevel, 8, 21)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		space  *darts.Space
		blocks int
	}{{darts.New().Channels(4).Layers(3).Classes(2).EdgeWeights(false), 1}, {darts.New().Channels(4).Layers(3).Classes(2), 9}} {
		s, err := NewSearch(backend.MustNew(), conf(Config{Space: c.space, Geometry: Softmax(), Steps: 4, Seed: 21}), b)
		if err != nil {
			t.Fatal(err)
		}
		blocks := Blocks(s.ctx)
		if len(blocks) != c.blocks || blocks[0].Name() != "theta" {
			t.Fatalf("%d architecture blocks, want %d", len(blocks), c.blocks)
		}
		theta, beta, err := s.weights()
		if err != nil {
			t.Fatal(err)
		}
		if c.blocks == 1 {
			if beta != nil {
				t.Fatalf("β %v without edge weights", beta)
			}
			g, err := s.Genotype()
			if err != nil {
				t.Fatal(err)
			}
			want, _ := c.space.Discretize(theta, nil)
			if g.String() != want.String() {
				t.Errorf("genotype %s, want %s", g, want)
			}
		}
	}
}
