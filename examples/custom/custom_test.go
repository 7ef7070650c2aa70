package custom_test

import (
	"math"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/examples/custom"
	"github.com/gaeanas/gaeanas/gaea"
)

func TestMain(m *testing.M) {
	if _, ok := os.LookupEnv(backend.EnvVar); !ok {
		os.Setenv(backend.EnvVar, "go")
	}
	custom.Register()
	if dir := os.Getenv(helperDir); dir != "" { // experiment_test.go's child process
		os.Exit(runHelper(dir))
	}
	os.Exit(m.Run())
}

// stripes is a two-class set of 8×8 grey images: class 0 a bright row, class 1 a bright column, at a
// position and brightness drawn from seed.
func stripes(n int, seed int64) gaea.Dataset {
	d := gaea.Dataset{Height: 8, Width: 8, Channel: 1}
	x := uint64(seed)*6364136223846793005 + 1442695040888963407
	next := func() uint64 { x = x*6364136223846793005 + 1442695040888963407; return x >> 33 }
	for i := 0; i < n; i++ {
		class, pos, v := int32(i%2), int(next()%8), 0.5+float32(next()%100)/200
		img := make([]float32, 64)
		for j := 0; j < 8; j++ {
			if class == 0 {
				img[pos*8+j] = v
			} else {
				img[j*8+pos] = v
			}
		}
		d.Images = append(d.Images, img...)
		d.Labels = append(d.Labels, class)
	}
	return d
}

// tsallisStep is the hand computation of one Tsallis step on a row: ν by bisection.
func tsallisStep(theta, g []float64, eta float64) []float64 {
	a := make([]float64, len(theta))
	lo := math.Inf(1)
	for k := range theta {
		a[k] = 1/math.Sqrt(theta[k]) + eta*g[k]
		lo = math.Min(lo, a[k])
	}
	hi, lo := lo, lo-1e6
	total := func(nu float64) float64 {
		s := 0.0
		for _, ak := range a {
			s += 1 / ((ak - nu) * (ak - nu))
		}
		return s
	}
	for i := 0; i < 200; i++ {
		if mid := (lo + hi) / 2; total(mid) > 1 {
			hi = mid
		} else {
			lo = mid
		}
	}
	out := make([]float64, len(theta))
	for k, ak := range a {
		out[k] = 1 / ((ak - lo) * (ak - lo))
	}
	return out
}

// TestTsallisIsMirrorDescent: the Tsallis geometry registered by name, run on the linear teaching
// problem (gaea.SimplexProblem: the ArchOptimizer of a search), starts at uniform weights (its Init, not
// θ = 0 where its map is undefined) and follows the hand-computed mirror-descent step to 1e-9.
func TestTsallisIsMirrorDescent(t *testing.T) {
	geo, err := gaea.GeometryByName("tsallis")
	if err != nil {
		t.Fatal(err)
	}
	costs := []float64{0.5, -1, 2, 0}
	const eta, steps = 0.3, 12
	traj, err := gaea.Linear(costs).Trajectory(backend.MustNew(), geo, eta, steps)
	if err != nil {
		t.Fatal(err)
	}
	want := gaea.Uniform(1, len(costs))
	for s, row := range traj {
		for k := range row {
			if math.Abs(row[k]-want[k]) > 1e-9 {
				t.Fatalf("step %d: θ = %v, want %v", s, row, want)
			}
		}
		want = tsallisStep(want, costs, eta)
	}
	if last := traj[steps]; !(last[1] > 0.5) {
		t.Errorf("after %d steps θ = %v: the cheapest op (1) should lead", steps, last)
	}
}

// TestCustomGeometryRegularizerAndSpace runs a researcher's geometry (Tsallis), regulariser (L2, beside
// the entropic one) and space (TwoNode) through gaea.Search, by their registered names:
//   - a notebook drives the blocks one by one: each StepArch/StepWeights pair is one iteration
//     (Record.Iteration 1, 1, 2, 2, then Step's 3, 3) and OnBlockStep sees every record;
//   - every architecture record carries λ·R of each regulariser whose λ is not 0 — L2's equal to
//     λ·Σθ² of the θ the step started from — and SetLambda("l2", 0) drops it from the next one;
//   - θ stays on the simplex and moves; the genotype parses back;
//   - saved and restored, the search continues bit for bit; restored with another geometry, it is
//     refused.
func TestCustomGeometryRegularizerAndSpace(t *testing.T) {
	geo, err := gaea.GeometryByName("tsallis")
	if err != nil {
		t.Fatal(err)
	}
	l2, err := gaea.RegularizerByName("l2")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(gaea.GeometryNames(), "tsallis") || !slices.Contains(gaea.RegularizerNames(), "l2") {
		t.Fatalf("registries: geometries %v, regularizers %v", gaea.GeometryNames(), gaea.RegularizerNames())
	}
	space := custom.TwoNode{Channels: 4, Classes: 2}
	cfg := gaea.DefaultConfig()
	cfg.Space, cfg.Geometry, cfg.ArchLR, cfg.WeightLR, cfg.Steps, cfg.Seed = space, geo, 0.5, 0.05, 20, 3
	cfg.Regularizers = []gaea.Regularization{{Regularizer: gaea.Entropy(), Lambda: 0.01}, {Regularizer: l2, Lambda: 0.5}}
	batches := func() gaea.Batches {
		b, err := gaea.NewMemoryBatches(stripes(64, 1), stripes(64, 2), gaea.SingleLevel, 16, 3)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	s, err := gaea.NewSearch(backend.MustNew(), cfg, batches())
	if err != nil {
		t.Fatal(err)
	}
	var seen []gaea.Record
	s.OnBlockStep(func(r gaea.Record) { seen = append(seen, r) })
	for i := 0; i < 2; i++ {
		if _, err := s.StepArch(); err != nil {
			t.Fatal(err)
		}
		if _, err := s.StepWeights(); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.SetLambda("l2", 0); err != nil {
		t.Fatal(err)
	}
	if err := s.Step(); err != nil {
		t.Fatal(err)
	}
	hist := s.History()
	if !reflect.DeepEqual(seen, hist) {
		t.Fatalf("OnBlockStep saw %d records, the history has %d", len(seen), len(hist))
	}
	var its []int
	for _, r := range hist {
		its = append(its, r.Iteration)
	}
	if !slices.Equal(its, []int{1, 1, 2, 2, 3, 3}) || s.Iteration() != 3 {
		t.Errorf("iterations %v (Iteration() %d), want [1 1 2 2 3 3]", its, s.Iteration())
	}
	prev := gaea.Uniform(1, len(space.Ops()))
	for i, r := range hist {
		if r.Block != "arch" {
			prev = r.Theta[0]
			continue
		}
		sq := 0.0
		for _, v := range prev {
			sq += v * v
		}
		if i < 4 {
			if got, want := r.Penalty["l2"], 0.5*sq; math.Abs(got-want) > 1e-5*want {
				t.Errorf("record %d: l2 penalty %v, want λ·Σθ² = %v", i, got, want)
			}
		} else if _, ok := r.Penalty["l2"]; ok {
			t.Errorf("record %d after SetLambda(l2, 0): penalty %v", i, r.Penalty)
		}
		if _, ok := r.Penalty[gaea.EntropyName]; !ok {
			t.Errorf("record %d: no entropy penalty in %v", i, r.Penalty)
		}
		sum := 0.0
		for _, v := range r.Theta[0] {
			if !(v > 0) {
				t.Fatalf("record %d: θ %v", i, r.Theta)
			}
			sum += v
		}
		if math.Abs(sum-1) > 1e-5 {
			t.Errorf("record %d: θ sums to %v", i, sum)
		}
		prev = r.Theta[0]
	}
	if reflect.DeepEqual(hist[len(hist)-1].Theta[0], gaea.Uniform(1, len(space.Ops()))) {
		t.Error("θ did not move")
	}
	g, err := s.Genotype()
	if err != nil {
		t.Fatal(err)
	}
	if p, err := space.ParseGenotype(g.String()); err != nil || p.String() != g.String() || !strings.HasSuffix(g.String(), "~0|") {
		t.Errorf("genotype %q: parsed %v, %v", g, p, err)
	}

	// Save, continue; restore and continue the same: bit for bit.
	dir := t.TempDir()
	if err := s.Save(dir); err != nil {
		t.Fatal(err)
	}
	if err := s.Run(2); err != nil {
		t.Fatal(err)
	}
	r, err := gaea.RestoreSearch(backend.MustNew(), cfg, batches(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if lambda, err := r.Lambda("l2"); err != nil || lambda != 0 {
		t.Errorf("restored λ of l2: %v, %v; want the saved 0", lambda, err)
	}
	if err := r.Run(2); err != nil {
		t.Fatal(err)
	}
	if a, b := s.History(), r.History(); !reflect.DeepEqual(a, b) {
		t.Fatalf("restored history differs (%d vs %d records)", len(a), len(b))
	}
	other := cfg
	other.Geometry = gaea.Entropic()
	if _, err := gaea.RestoreSearch(backend.MustNew(), other, batches(), dir); err == nil || !strings.Contains(err.Error(), `geometry "tsallis"`) {
		t.Errorf("restore with another geometry: %v", err)
	}
}
