package gaea

import (
	"encoding/json"
	"math"
	"math/rand"
	"testing"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gaeanas/gaeanas/spaces/nb1shot1"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// fixedBatches hands both blocks the same batch every time, so that a step's loss is a function of the
// parameters alone.
type fixedBatches struct{ images, labels *tensors.Tensor }

func (f fixedBatches) Next(Block) (*tensors.Tensor, *tensors.Tensor, error) {
	return f.images, f.labels, nil
}
func (f fixedBatches) State() (json.RawMessage, error) { return json.RawMessage(`{}`), nil }
func (f fixedBatches) SetState(json.RawMessage) error  { return nil }

func newFixedBatches(n, h, classes int, seed int64) fixedBatches {
	rng := rand.New(rand.NewSource(seed))
	img := make([]float32, n*h*h*3)
	for i := range img {
		img[i] = float32(rng.NormFloat64())
	}
	lab := make([]int32, n)
	for i := range lab {
		lab[i] = int32(rng.Intn(classes))
	}
	return fixedBatches{tensors.FromFlatDataAndDimensions(img, n, h, h, 3), tensors.FromFlatDataAndDimensions(lab, n)}
}

// blockRows reads the architecture blocks of a search: θ's rows, then each β block's single row.
func blockRows(t *testing.T, s *Search) [][]float64 {
	t.Helper()
	var rows [][]float64
	for _, b := range Blocks(s.ctx) {
		rows = append(rows, b.MustValue().Value().([][]float64)...)
	}
	return rows
}

// TestBetaRowsBlocks: on a spaces.BetaRower (NAS-Bench-1Shot1 space 1) a search keeps one β block per
// BetaRows row, of that row's length, started by θ's geometry (uniform for GAEA; DARTS's 1e-3·N(0,1)
// logits, different per row), and records them in the history and in Beta.
func TestBetaRowsBlocks(t *testing.T) {
	space := nb1shot1.New(1).Channels(4).Cells(1).Classes(3)
	rows := space.BetaRows()
	for _, geo := range []Geometry{Entropic(), Softmax()} {
		s, err := NewSearch(backend.MustNew(), conf(Config{Space: space, Geometry: geo, Steps: 10, Seed: 3, DType: dtypes.Float64}), newFixedBatches(4, 8, 3, 1))
		if err != nil {
			t.Fatal(err)
		}
		beta, err := s.Beta()
		if err != nil {
			t.Fatal(err)
		}
		if len(beta) != len(rows) {
			t.Fatalf("%s: %d β rows, want %d", geo.Name(), len(beta), len(rows))
		}
		for i, r := range rows {
			if len(beta[i]) != r.Choices {
				t.Errorf("%s: β row %s has %d entries, want %d", geo.Name(), r.Name, len(beta[i]), r.Choices)
			}
			sum := 0.0
			for _, v := range beta[i] {
				sum += v
				if geo.Name() == "entropic" && math.Abs(v-1/float64(r.Choices)) > 1e-7 {
					t.Errorf("entropic: β row %s starts at %v, want uniform", r.Name, beta[i])
				}
			}
			if math.Abs(sum-1) > 1e-6 {
				t.Errorf("%s: β row %s = %v is not on the simplex", geo.Name(), r.Name, beta[i])
			}
		}
		if geo.Name() == "softmax" {
			stored := blockRows(t, s)[len(space.Edges()):]
			if stored[0][0] == stored[1][0] || stored[0][0] == 0 || math.Abs(stored[0][0]) > 0.01 {
				t.Errorf("softmax: β logits %v, want small random values (1e-3·N(0,1)) that differ per row", stored)
			}
		}
		if err := s.Run(1); err != nil {
			t.Fatal(err)
		}
		if h := s.History(); len(h[len(h)-1].Beta) != len(rows) {
			t.Errorf("%s: the history records %d β rows, want %d", geo.Name(), len(h[len(h)-1].Beta), len(rows))
		}
	}
}

// TestBetaRowsMixture: the search's supernet gets the β blocks' rows concatenated in BetaRows order as
// Mixture.Beta — its loss equals the loss of nb1shot1's SupernetMix given the same rows one by one.
func TestBetaRowsMixture(t *testing.T) {
	space := nb1shot1.New(2).Channels(4).Cells(1).Classes(3)
	batches := newFixedBatches(4, 8, 3, 2)
	s, err := NewSearch(backend.MustNew(), conf(Config{Space: space, Steps: 10, Seed: 4, DType: dtypes.Float64}), batches)
	if err != nil {
		t.Fatal(err)
	}
	// Distinct values in every β entry, each row on the simplex.
	var want [][]float64
	for i, b := range Blocks(s.ctx)[1:] {
		n := b.Shape().Dimensions[1]
		row := make([]float64, n)
		sum := 0.0
		for j := range row {
			row[j] = float64(1 + j + 3*i)
			sum += row[j]
		}
		for j := range row {
			row[j] /= sum
		}
		want = append(want, row)
		if err := b.SetValue(tensors.FromValue([][]float64{row})); err != nil {
			t.Fatal(err)
		}
	}
	exec := context.MustNewExec(s.be, s.ctx, func(ctx *context.Context, images, labels *graph.Node) []*graph.Node {
		g := images.Graph()
		ctx.SetTraining(g, true)
		viaSearch, _ := s.forward(ctx, images, labels)
		x := graph.ConvertDType(images, dtypes.Float64)
		theta := Blocks(ctx)[0].ValueGraph(g)
		var parents []*graph.Node
		for _, row := range want {
			parents = append(parents, graph.Const(g, row))
		}
		logits := space.SupernetMix(ctx.In(supernetScope).Checked(false), x, nb1shot1.Mix{Ops: theta, Parents: parents})
		l32 := graph.ConvertDType(labels, dtypes.Int32)
		direct := graph.ReduceAllMean(graph.Neg(graph.ReduceSum(graph.Mul(graph.OneHot(l32, 3, dtypes.Float64),
			graph.LogSoftmax(logits, -1)), -1)))
		return []*graph.Node{viaSearch, direct}
	})
	out := exec.MustExec(batches.images, batches.labels)
	a, b := out[0].Value().(float64), out[1].Value().(float64)
	if math.Abs(a-b) > 1e-12*math.Max(1, math.Abs(b)) {
		t.Errorf("the search's loss %v, the supernet's with the β rows given directly %v", a, b)
	}
	if beta, _ := s.Beta(); !closeRows(beta, want, 1e-15) {
		t.Errorf("Beta() = %v, want the blocks' rows %v", beta, want)
	}
}

func closeRows(a, b [][]float64, tol float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if len(a[i]) != len(b[i]) {
			return false
		}
		for j := range a[i] {
			if math.Abs(a[i][j]-b[i][j]) > tol {
				return false
			}
		}
	}
	return true
}

// TestBetaRowsGradient: the architecture step moves every β row of a BetaRower by exponentiated
// gradient with the gradient of the supernet's loss — checked against central finite differences of
// that loss in each β entry, on NAS-Bench-1Shot1 space 3 in float64: an EG step from a row changes
// log(β_j/β_k) by exactly −η·(∂L/∂β_j − ∂L/∂β_k) while no entry reaches the floor.
func TestBetaRowsGradient(t *testing.T) {
	space := nb1shot1.New(3).Channels(4).Cells(1).Classes(3)
	batches := newFixedBatches(4, 8, 3, 3)
	const eta = 0.5
	s, err := NewSearch(backend.MustNew(), conf(Config{Space: space, ArchLR: eta, Steps: 10, Seed: 5, DType: dtypes.Float64}), batches)
	if err != nil {
		t.Fatal(err)
	}
	lossExec := context.MustNewExec(s.be, s.ctx, func(ctx *context.Context, images, labels *graph.Node) *graph.Node {
		ctx.SetTraining(images.Graph(), true)
		loss, _ := s.forward(ctx, images, labels)
		return loss
	})
	loss := func() float64 { return lossExec.MustExec(batches.images, batches.labels)[0].Value().(float64) }
	blocks := Blocks(s.ctx)
	before := blockRows(t, s)
	nTheta := len(space.Edges())
	const h = 1e-6
	var fd [][]float64
	for i, b := range blocks[1:] {
		row := before[nTheta+i]
		g := make([]float64, len(row))
		for j := range row {
			set := func(v float64) {
				r := append([]float64(nil), row...)
				r[j] = v
				if err := b.SetValue(tensors.FromValue([][]float64{r})); err != nil {
					t.Fatal(err)
				}
			}
			set(row[j] + h)
			up := loss()
			set(row[j] - h)
			down := loss()
			set(row[j])
			g[j] = (up - down) / (2 * h)
		}
		fd = append(fd, g)
	}
	if _, err := s.StepArch(); err != nil {
		t.Fatal(err)
	}
	after := blockRows(t, s)
	checked := 0
	for i, g := range fd {
		b0, b1 := before[nTheta+i], after[nTheta+i]
		for j := 1; j < len(g); j++ {
			moved := math.Log(b1[j]/b1[0]) - math.Log(b0[j]/b0[0])
			want := -eta * (g[j] - g[0])
			if math.Abs(moved-want) > 1e-6+1e-4*math.Abs(want) {
				t.Errorf("β row %s entry %d: log-ratio moved by %.9g, finite differences give %.9g", space.BetaRows()[i].Name, j, moved, want)
			}
			if want != 0 {
				checked++
			}
		}
	}
	if checked == 0 {
		t.Fatal("every finite-difference gradient is zero: the check checks nothing")
	}
}

// TestBetaRowsEGFloor: a BetaRower's β blocks take θ's step — for GAEA exponentiated gradient with the
// MinWeight floor (liamcli/nasbench-1shot1 optimizers/edarts/architect.py normalize clamps every arch
// parameter) — where PC-DARTS's edge-normalisation β takes the step without it (TestBetaEGHasNoFloor).
func TestBetaRowsEGFloor(t *testing.T) {
	be := backend.MustNew()
	ctx := context.New()
	init := []float64{0.5, 0.5 - 2e-6, 2e-6}
	c := []float64{0, 0, 5}
	for _, name := range []string{"theta", BetaPrefix + "00"} {
		if _, err := NewBlock(ctx, name, 1, 3, init, dtypes.Float64); err != nil {
			t.Fatal(err)
		}
	}
	opt := archOptimizer(t, ctx, Entropic(), 1)
	opt.BetaRows = true
	step := linearStep(be, ctx, opt, c)
	for s := 1; s <= 3; s++ {
		step.MustExec()
		blocks := Blocks(ctx)
		theta := blocks[0].MustValue().Value().([][]float64)[0]
		beta := blocks[1].MustValue().Value().([][]float64)[0]
		for k := range theta {
			if theta[k] != beta[k] {
				t.Fatalf("step %d: β %v moved unlike θ %v", s, beta, theta)
			}
		}
		if beta[2] < MinWeight*(1-1e-4) {
			t.Errorf("step %d: β entry %g below the floor", s, beta[2])
		}
	}
}

var _ spaces.BetaRower = (*nb1shot1.Space)(nil)
