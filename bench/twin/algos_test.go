package twin_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/backend/purego"
	"github.com/gaeanas/gaeanas/experiment"
	"github.com/gaeanas/gaeanas/gaea"
	"github.com/gaeanas/gaeanas/spaces/nb201"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// refValues are the values the twin runs an algorithm with, written here from the reference files (not
// read from gaeanas' presets or constants; our search runs its preset, experiment.Defaults).
type refValues struct {
	lr, lrMin, momentum, weightDecay, clip float64
	archLR, edgeLR                         float64
	lambda                                 float64 // entropic regulariser λ
	tauMax, tauMin                         float64
	floor                                  float64 // EG floor
}

// The reference values, by algorithm. Sources:
//
//	GR   liamcli/gaea_release configs/cnn/mode/search_nasbench201.yaml (learning_rate 0.025, learning_rate_min
//	     0.001, momentum 0.9, weight_decay 0.0003, grad_clip 5) and search_pcdarts.yaml (learning_rate 0.1,
//	     learning_rate_min 0.0, weight_decay 0.0003, grad_clip 5); method_edarts_space_nasbench201.yaml
//	     (arch_learning_rate 0.1, arch_weight_decay 0.0), method_eedarts_space_pcdarts.yaml
//	     (arch_learning_rate 0.1, edge_learning_rate 0.1, arch_weight_decay 0.0),
//	     method_egdas_space_nasbench201.yaml (arch_learning_rate 0.01, arch_weight_decay 0.01, max_tau 10,
//	     min_tau 0.1); cnn/architect/architect_edarts.py and architect_egdas.py normalize(min_v=1e-5).
//	DXY  D-X-Y/AutoDL-Projects configs/nas-benchmark/algos/DARTS.config, GDAS.config, RANDOM.config (LR 0.025,
//	     eta_min 0.001, momentum 0.9, decay 0.0005); scripts-search/NAS-Bench-201-algos/DARTS-V1.sh, DARTS-V2.sh,
//	     GDAS.sh (--arch_learning_rate 0.0003; GDAS --tau_max 10 --tau_min 0.1); DARTS-V1.py --gradient_clip 5,
//	     GDAS.py and RANDOM-NAS.py clip_grad_norm_(…, 5).
//	PC   yuhuixu1993/PC-DARTS train_search.py (--learning_rate 0.1, --learning_rate_min 0.0, --momentum 0.9,
//	     --weight_decay 3e-4, --grad_clip 5, --arch_learning_rate 6e-4).
var refs = map[experiment.Algo]refValues{
	experiment.GAEADARTS:   {lr: 0.025, lrMin: 0.001, momentum: 0.9, weightDecay: 3e-4, clip: 5, archLR: 0.1, lambda: 0.0, floor: 1e-5},
	experiment.EuclidDARTS: {lr: 0.025, lrMin: 0.001, momentum: 0.9, weightDecay: 3e-4, clip: 5, archLR: 0.1, lambda: 0.0, floor: 1e-5},
	experiment.GAEAGDAS:    {lr: 0.025, lrMin: 0.001, momentum: 0.9, weightDecay: 3e-4, clip: 5, archLR: 0.01, lambda: 0.01, tauMax: 10, tauMin: 0.1, floor: 1e-5},
	experiment.DARTSV1:     {lr: 0.025, lrMin: 0.001, momentum: 0.9, weightDecay: 5e-4, clip: 5, archLR: 3e-4},
	experiment.DARTSV2:     {lr: 0.025, lrMin: 0.001, momentum: 0.9, weightDecay: 5e-4, clip: 5, archLR: 3e-4},
	experiment.GDAS:        {lr: 0.025, lrMin: 0.001, momentum: 0.9, weightDecay: 5e-4, clip: 5, archLR: 3e-4, tauMax: 10, tauMin: 0.1},
	experiment.GAEAPCDARTS: {lr: 0.1, lrMin: 0.0, momentum: 0.9, weightDecay: 3e-4, clip: 5, archLR: 0.1, edgeLR: 0.1, lambda: 0.0, floor: 1e-5},
	experiment.PCDARTS:     {lr: 0.1, lrMin: 0.0, momentum: 0.9, weightDecay: 3e-4, clip: 5, archLR: 6e-4},
	experiment.RSWS:        {lr: 0.025, lrMin: 0.001, momentum: 0.9, weightDecay: 5e-4, clip: 5},
}

// algoRequest is what twin.py's "algo" mode reads (see ALGOS there).
type algoRequest struct {
	Mode     string                `json:"mode"`
	Algo     string                `json:"algo"`
	Space    string                `json:"space"`
	C        int                   `json:"C"`
	N        int                   `json:"N"`
	Layers   int                   `json:"layers"`
	K        int                   `json:"k"`
	WithNone bool                  `json:"with_none"`
	Groups   [][]int               `json:"groups,omitempty"`
	Vars     map[string]tensorJSON `json:"vars"`
	BNEps    float64               `json:"bn_eps"`

	ThetaInit [][]float64   `json:"theta_init"` // θ (EG, projection) or α (Adam)
	BetaInit  [][]float64   `json:"beta_init,omitempty"`
	ArchX     []tensorJSON  `json:"arch_x"`
	ArchY     [][]int32     `json:"arch_y"`
	WeightX   []tensorJSON  `json:"weight_x"`
	WeightY   [][]int32     `json:"weight_y"`
	Gumbel    [][][]float64 `json:"gumbel,omitempty"` // per sampled forward pass, in order
	Cells     [][]int       `json:"cells,omitempty"`  // RS-WS: the sampled op per edge of every weight step

	Iterations     int     `json:"iterations"`
	StepsPerEpoch  int     `json:"steps_per_epoch"`
	Epochs         int     `json:"epochs"`
	ScheduleEpochs int     `json:"schedule_epochs"`
	WarmupEpochs   int     `json:"warmup_epochs"`
	LR             float64 `json:"lr"`
	LRMin          float64 `json:"lr_min"`
	Momentum       float64 `json:"momentum"`
	WeightDecay    float64 `json:"weight_decay"`
	Clip           float64 `json:"clip"`
	ArchLR         float64 `json:"arch_lr"`
	EdgeLR         float64 `json:"edge_lr"`
	Lambda         float64 `json:"lambda"`
	TauMax         float64 `json:"tau_max"`
	TauMin         float64 `json:"tau_min"`
	Floor          float64 `json:"floor"`

	CandidateCells [][]int      `json:"candidate_cells,omitempty"`
	CandidateX     []tensorJSON `json:"candidate_x,omitempty"`
	CandidateY     [][]int32    `json:"candidate_y,omitempty"`
}

// algoReply is what twin.py returns for one algorithm.
type algoReply struct {
	ArchLoss      []float64      `json:"arch_loss"`
	WeightLoss    []float64      `json:"weight_loss"`
	ThetaTrace    [][]float64    `json:"theta_trace"` // mixture weights (and β) after every iteration
	LRs           []float64      `json:"lrs"`
	Taus          []float64      `json:"taus"`
	FloorHits     int            `json:"floor_hits"`
	Draws         map[string]int `json:"draws"`
	Batches       map[string]int `json:"batches"`
	CandidateLoss []float64      `json:"candidate_loss"`
	CandidateAcc  []float64      `json:"candidate_acc"`
}

// algoCase is one algorithm of the preset table, or a constructed case of one.
type algoCase struct {
	name           string
	algo           experiment.Algo
	space          string
	epochs         int // iterations = epochs × perEpoch
	scheduleEpochs int
	warmupEpochs   int
	seed           int64
	// floorStart makes θ start next to the EG floor (GAEA DARTS at a larger step), so that the floor binds.
	floorStart bool
	archLR     float64 // overrides the reference (and our preset) arch lr; 0 = keep
}

const perEpoch = 4

// algoCases are the algorithms of experiment.Algos() on their home space (the DARTS-space ones first, so
// that their twin runs while we run the others; NB201 C=4 N=1, the DARTS space
// C=4, 3 layers, K=4, β), each for epochs × 4 iterations with epoch schedules, plus the floor case. The
// schedule and warm-up epochs keep the paper preset's ratios (GAEA DARTS: cosine over twice the epochs;
// GAEA GDAS warm-up 50/250; PC-DARTS 15/50; rounded, at least 1). Default run: 2 epochs (8 iterations)
// on NB201 and 2 (8 iterations) of PC-DARTS on the DARTS space, whose supernet costs ~5× more (its
// twin ~8 s a case); GAEA_TEST_LONG: every case, 8 epochs (32 iterations).
func algoCases() []algoCase {
	nb, ds := 2, 2
	if long() {
		nb, ds = 8, 8
	}
	scaled := func(e, a, b int) int { return max(1, int(math.Round(float64(e*a)/float64(b)))) }
	cases := []algoCase{
		{name: "gaea-pcdarts", algo: experiment.GAEAPCDARTS, space: "darts", epochs: ds, scheduleEpochs: ds, seed: 38},
		{name: "pcdarts", algo: experiment.PCDARTS, space: "darts", epochs: ds, scheduleEpochs: ds, warmupEpochs: scaled(ds, 15, 50), seed: 39},
		{name: "gaea-darts", algo: experiment.GAEADARTS, space: "nb201", epochs: nb, scheduleEpochs: 2 * nb, seed: 31},
		{name: "euclid-darts", algo: experiment.EuclidDARTS, space: "nb201", epochs: nb, scheduleEpochs: 2 * nb, seed: 32},
		{name: "gaea-gdas", algo: experiment.GAEAGDAS, space: "nb201", epochs: nb, scheduleEpochs: nb, warmupEpochs: scaled(nb, 50, 250), seed: 33},
		{name: "darts", algo: experiment.DARTSV1, space: "nb201", epochs: nb, scheduleEpochs: nb, seed: 34},
		{name: "darts-v2", algo: experiment.DARTSV2, space: "nb201", epochs: nb, scheduleEpochs: nb, seed: 35},
		{name: "gdas", algo: experiment.GDAS, space: "nb201", epochs: nb, scheduleEpochs: nb, seed: 36},
		{name: "rsws", algo: experiment.RSWS, space: "nb201", epochs: nb, scheduleEpochs: nb, seed: 37},
		{name: "gaea-darts-floor", algo: experiment.GAEADARTS, space: "nb201", epochs: nb, scheduleEpochs: 2 * nb, seed: 40, floorStart: true, archLR: 1},
	}
	if !long() {
		// GAEA PC-DARTS's update (EG on θ with the floor and on β without, partial channels) is also
		// TestSearchMatchesTwin's DARTS case in every run; its preset here only in the long run.
		cases = cases[1:]
	}
	return cases
}

// algoRun is one of our searches of an algoCase and the request that replays it in the twin.
type algoRun struct {
	req                  algoRequest
	archLoss, weightLoss []float64
	trace                [][]float64 // mixture weights (θ, then β) after every iteration
	lrs                  []float64   // the weight step's learning rate of every iteration
	candidates           []gaea.RandomCandidate
	seconds              float64 // our search's wall time
}

// sampler replays the random draws of our search's steps from its RNG state: the Gumbel noise of a GDAS
// forward pass (ctx.RandomUniform over θ's shape, −log(−log(max(u, 1e-10))) as gaea.Search computes it)
// and RS-WS's cell (ctx.RandomIntN over the ops, one per edge).
type sampler struct {
	gumbel, cell *graph.Exec
}

func newSampler(t *testing.T, be backends.Backend, rows, cols int, dtype dtypes.DType) *sampler {
	t.Helper()
	gumbel, err := graph.NewExec(be, func(state *graph.Node) []*graph.Node {
		next, u := graph.RandomUniform(state, shapes.Make(dtype, rows, cols))
		u = graph.Max(u, graph.Scalar(state.Graph(), dtype, 1e-10))
		return []*graph.Node{next, graph.Neg(graph.Log(graph.Neg(graph.Log(u))))}
	})
	if err != nil {
		t.Fatal(err)
	}
	cell, err := graph.NewExec(be, func(state *graph.Node) []*graph.Node {
		next, idx := graph.RandomIntN(state, int32(cols), shapes.Make(dtypes.Int32, rows))
		return []*graph.Node{next, idx}
	})
	if err != nil {
		t.Fatal(err)
	}
	return &sampler{gumbel: gumbel, cell: cell}
}

// runAlgo runs our search of c (float64, the preset of its algorithm with the case's epochs) on fixed
// batches and returns it with the twin's request.
func runAlgo(t *testing.T, be backends.Backend, c algoCase) algoRun {
	t.Helper()
	st, err := experiment.Defaults(experiment.Paper, c.space, c.algo, "")
	if err != nil {
		t.Fatal(err)
	}
	st.Channels, st.Cells, st.Seed = 4, 1, c.seed
	if c.space == "darts" {
		st.Cells = 3
	}
	st.Epochs, st.ScheduleEpochs, st.WarmupEpochs = c.epochs, c.scheduleEpochs, c.warmupEpochs
	if c.archLR != 0 {
		st.ArchLR = c.archLR
	}
	if err := st.Validate(); err != nil {
		t.Fatal(err)
	}
	space, err := st.BuildSpace(10)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := st.Config(space, perEpoch)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DType = dtypes.Float64
	iterations := c.epochs * perEpoch

	// The batches: 8 random 8×8 images per batch, enough of each block for every iteration.
	const batch, h = 8, 8
	rng := rand.New(rand.NewSource(500 + c.seed))
	fb := &fixedBatches{}
	ref := refs[c.algo]
	req := algoRequest{Mode: "algo", Algo: string(c.algo), Space: string(c.space), C: st.Channels, N: st.Cells, Layers: st.Cells,
		K: st.PartialChannels, WithNone: st.WithNone, Groups: space.EdgeGroups(), BNEps: bnEps,
		Iterations: iterations, StepsPerEpoch: perEpoch, Epochs: c.epochs, ScheduleEpochs: c.scheduleEpochs,
		WarmupEpochs: c.warmupEpochs, LR: ref.lr, LRMin: ref.lrMin, Momentum: ref.momentum, WeightDecay: ref.weightDecay,
		Clip: ref.clip, ArchLR: ref.archLR, EdgeLR: ref.edgeLR, Lambda: ref.lambda, TauMax: ref.tauMax, TauMin: ref.tauMin, Floor: ref.floor}
	if c.archLR != 0 {
		req.ArchLR = c.archLR
	}
	for it := 0; it < iterations; it++ {
		for _, b := range []gaea.Block{gaea.ArchBlock, gaea.WeightBlock} {
			xs, ys := randomImages(rng, batch, h)
			xt := tensors.FromFlatDataAndDimensions(xs, batch, h, h, 3)
			fb.x[b] = append(fb.x[b], xt)
			fb.y[b] = append(fb.y[b], tensors.FromFlatDataAndDimensions(ys, batch))
			if b == gaea.ArchBlock {
				req.ArchX, req.ArchY = append(req.ArchX, toJSON(xt)), append(req.ArchY, ys)
			} else {
				req.WeightX, req.WeightY = append(req.WeightX, toJSON(xt)), append(req.WeightY, ys)
			}
		}
	}

	s, err := gaea.NewSearch(be, cfg, fb)
	if err != nil {
		t.Fatal(err)
	}
	rows, cols := len(space.Edges()), len(space.Ops())
	req.Vars = exportSupernetVars(t, be, s, space, cfg.PartialChannels, space.EdgeGroups() != nil, dtypes.Float64, fb.x[0][0])
	blocks := gaea.Blocks(s.Context())
	if c.floorStart {
		// θ next to the floor: per edge one op at ~1, the others at 1.1–1.4 × 1e-5, so that an EG step
		// with a positive gradient on them pushes them under it.
		init := make([]float64, rows*cols)
		for e := 0; e < rows; e++ {
			sum := 0.0
			for k := 0; k < cols; k++ {
				if k != e%cols {
					init[e*cols+k] = (1.1 + 0.1*float64((e+k)%4)) * 1e-5
					sum += init[e*cols+k]
				}
			}
			init[e*cols+e%cols] = 1 - sum
		}
		if err := blocks[0].SetValue(tensors.FromFlatDataAndDimensions(init, rows, cols)); err != nil {
			t.Fatal(err)
		}
	}
	for _, b := range blocks {
		vals := tensors.MustCopyFlatData[float64](b.MustValue())
		r, k := b.Shape().Dimensions[0], b.Shape().Dimensions[1]
		rowsOf := make([][]float64, r)
		for i := range rowsOf {
			rowsOf[i] = vals[i*k : (i+1)*k]
		}
		if b == blocks[0] {
			req.ThetaInit = rowsOf
		} else {
			req.BetaInit = append(req.BetaInit, rowsOf[0])
		}
	}

	smp := newSampler(t, be, rows, cols, dtypes.Float64)
	rngVar := s.Context().GetVariableByScopeAndName(context.RootScope, context.RNGStateVariableName)
	run := algoRun{}
	for it := 1; it <= iterations; it++ {
		state, err := rngVar.MustValue().LocalClone() // the step donates the variable's buffer
		if err != nil {
			t.Fatal(err)
		}
		before := len(s.History())
		if err := s.Step(); err != nil {
			t.Fatal(err)
		}
		h := s.History()
		for _, rec := range h[before:] {
			switch {
			case cfg.Sampling == gaea.GDAS:
				out := smp.gumbel.MustExec(state)
				state = out[0]
				vals := tensors.MustCopyFlatData[float64](out[1])
				g := make([][]float64, rows)
				for i := range g {
					g[i] = vals[i*cols : (i+1)*cols]
				}
				req.Gumbel = append(req.Gumbel, g)
			case cfg.Sampling == gaea.RSWS && rec.Block == "weights":
				out := smp.cell.MustExec(state)
				state = out[0]
				var cell []int
				for _, v := range tensors.MustCopyFlatData[int32](out[1]) {
					cell = append(cell, int(v))
				}
				req.Cells = append(req.Cells, cell)
			}
			if rec.Block == "arch" {
				run.archLoss = append(run.archLoss, rec.Loss)
			} else {
				run.weightLoss = append(run.weightLoss, rec.Loss)
				run.lrs = append(run.lrs, rec.WeightLR)
			}
		}
		theta, err := s.Theta()
		if err != nil {
			t.Fatal(err)
		}
		beta, err := s.Beta()
		if err != nil {
			t.Fatal(err)
		}
		run.trace = append(run.trace, append(flat(theta), flat(beta)...))
	}

	if c.algo == experiment.RSWS {
		// The selection: 8 candidates, one held-out batch each.
		var xs, ys []*tensors.Tensor
		for i := 0; i < 8; i++ {
			x, y := randomImages(rng, batch, h)
			xs, ys = append(xs, tensors.FromFlatDataAndDimensions(x, batch, h, h, 3)), append(ys, tensors.FromFlatDataAndDimensions(y, batch))
			req.CandidateX, req.CandidateY = append(req.CandidateX, toJSON(xs[i])), append(req.CandidateY, y)
		}
		i := 0
		cands, _, err := s.BestOfRandomOn(len(xs), 1, c.seed, func() (*tensors.Tensor, *tensors.Tensor, error) {
			i++
			return xs[i-1], ys[i-1], nil
		})
		if err != nil {
			t.Fatal(err)
		}
		ops := space.Ops()
		for _, cand := range cands {
			a, err := nb201.ParseArch(cand.Genotype)
			if err != nil {
				t.Fatal(err)
			}
			var cell []int
			for _, op := range a {
				cell = append(cell, indexOf(ops, op.String()))
			}
			req.CandidateCells = append(req.CandidateCells, cell)
		}
		run.candidates = cands
	}
	run.req = req
	return run
}

func indexOf(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	panic("twin: no op " + s)
}

// runTwinBatch runs twin.py once on several algorithm requests (in dir, which TWIN_KEEP keeps). It does not
// touch the testing.T, so that it can run beside our searches.
func runTwinBatch(dir string, reqs []algoRequest, env ...string) ([]algoReply, error) {
	in, out := filepath.Join(dir, "in.json"), filepath.Join(dir, "out.json")
	data, err := json.Marshal(map[string]any{"mode": "batch", "requests": reqs})
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(in, data, 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command(python, "twin.py", in, out)
	cmd.Env = append(append(os.Environ(), "OMP_NUM_THREADS=1"), env...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("twin.py: %v\n%s", err, msg)
	}
	if data, err = os.ReadFile(out); err != nil {
		return nil, err
	}
	var r []algoReply
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, err
	}
	if len(r) != len(reqs) {
		return nil, fmt.Errorf("twin.py answered %d of %d requests", len(r), len(reqs))
	}
	return r, nil
}

// twinDir is the folder of a twin.py run: a temporary one, or under TWIN_KEEP.
func twinDir(t *testing.T, name string) string {
	t.Helper()
	keep := os.Getenv("TWIN_KEEP")
	if keep == "" {
		return t.TempDir()
	}
	dir := filepath.Join(keep, filepath.Base(t.Name()), name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// algoDiff is the largest relative difference of one algorithm's run from the twin's.
type algoDiff struct {
	trace      float64 // θ, β after every iteration: max |ours − twin| / max |twin| per iteration
	elem       float64 // the same, entry by entry: max |ours − twin| / |twin| (the entries at the floor too)
	losses     float64 // every architecture and weight loss
	candidates float64 // RS-WS's candidate losses
}

func (d algoDiff) max() float64 {
	return math.Max(math.Max(d.trace, d.elem), math.Max(d.losses, d.candidates))
}

// compareAlgo checks our run against the twin's and returns the largest differences.
func compareAlgo(t *testing.T, c algoCase, ours algoRun, r algoReply) algoDiff {
	t.Helper()
	var d algoDiff
	if len(r.ThetaTrace) != len(ours.trace) || len(r.ArchLoss) != len(ours.archLoss) || len(r.WeightLoss) != len(ours.weightLoss) {
		t.Fatalf("%s: the twin ran %d iterations, %d arch and %d weight steps; ours %d, %d, %d",
			c.name, len(r.ThetaTrace), len(r.ArchLoss), len(r.WeightLoss), len(ours.trace), len(ours.archLoss), len(ours.weightLoss))
	}
	for i := range ours.trace {
		d.trace = math.Max(d.trace, relErr(ours.trace[i], r.ThetaTrace[i]))
		for j, v := range ours.trace[i] {
			d.elem = math.Max(d.elem, math.Abs(v-r.ThetaTrace[i][j])/math.Abs(r.ThetaTrace[i][j]))
		}
		if os.Getenv("TWIN_TRACE") != "" {
			t.Logf("%s iteration %d: θ/β %.2e (τ %g, lr %g)", c.name, i+1, relErr(ours.trace[i], r.ThetaTrace[i]), r.Taus[i], r.LRs[i])
			if os.Getenv("TWIN_TRACE") == "2" {
				t.Logf("  ours %v\n  twin %v", ours.trace[i], r.ThetaTrace[i])
			}
		}
	}
	lossDiff := func(a, b []float64) {
		for i := range a {
			d.losses = math.Max(d.losses, math.Abs(a[i]-b[i])/math.Abs(b[i]))
		}
	}
	lossDiff(ours.archLoss, r.ArchLoss)
	lossDiff(ours.weightLoss, r.WeightLoss)
	for i := range ours.lrs {
		if math.Abs(ours.lrs[i]-r.LRs[i]) > 1e-12*r.LRs[0] {
			t.Errorf("%s iteration %d: weight lr %v, the reference schedule %v", c.name, i+1, ours.lrs[i], r.LRs[i])
		}
	}
	if got, want := r.Draws["gumbel"], len(ours.req.Gumbel); got != want {
		t.Errorf("%s: the twin used %d Gumbel draws, our search made %d", c.name, got, want)
	}
	if got, want := r.Draws["cells"], len(ours.req.Cells); got != want {
		t.Errorf("%s: the twin used %d random cells, our search drew %d", c.name, got, want)
	}
	if r.Batches["arch"] != len(ours.archLoss) || (c.algo != experiment.DARTSV2 && r.Batches["weights"] != len(ours.weightLoss)) {
		t.Errorf("%s: the twin drew %v batches for %d arch and %d weight steps", c.name, r.Batches, len(ours.archLoss), len(ours.weightLoss))
	}
	if len(ours.candidates) > 0 {
		if len(r.CandidateLoss) != len(ours.candidates) {
			t.Fatalf("%s: %d candidates scored by the twin, %d by us", c.name, len(r.CandidateLoss), len(ours.candidates))
		}
		for i, cand := range ours.candidates {
			d.candidates = math.Max(d.candidates, math.Abs(cand.Loss-r.CandidateLoss[i])/r.CandidateLoss[i])
			if math.Abs(cand.Acc-r.CandidateAcc[i]) > 1e-6 {
				t.Errorf("%s candidate %d (%s): accuracy %v, the twin %v", c.name, i, cand.Genotype, cand.Acc, r.CandidateAcc[i])
			}
		}
	}
	return d
}

// TestAlgorithmsMatchTwin: every algorithm of the preset table (experiment.Algos()), run by our search in
// float64 from its preset (epochs, warm-up and schedule span scaled to the case) on a small supernet, equals
// the twin's reference update (twin.py ALGOS, written from the reference code) from the same weights, the
// same batches and the same random draws — the Gumbel noise of every GDAS forward pass and RS-WS's cell of
// every weight step are replayed from our search's RNG state and handed to the twin: the mixture weights
// (θ or softmax(α), and β) after every iteration, every architecture and weight loss, and RS-WS's candidate
// scores agree to 1e-8 relative; the weight learning rate of every iteration equals the reference schedule
// of its epoch. The cases cover GDAS's straight-through sample, τ schedule, warm-up and λ (GAEA GDAS), the
// softmax + Adam update (DARTS, GDAS, PC-DARTS with β), DARTS's second-order gradient, Nesterov and the
// weights-first order (DARTS-V1, GDAS, RS-WS), per-epoch schedules (PC-DARTS's scheduler stepped first and
// its warm-up), RS-WS, and a GAEA DARTS search started next to the EG floor, where the floor binds (the
// twin counts the entries it clamps; it must be some).
//
// Default run: 8 iterations each on NAS-Bench-201 and 8 of PC-DARTS (GAEA PC-DARTS only in the long run;
// algoCases), at the best GEMM kernel level; GAEA_TEST_LONG=1: 32 iterations each at every level.
func TestAlgorithmsMatchTwin(t *testing.T) {
	needTorch(t)
	be := backend.MustNew()
	cases := algoCases()
	if only := os.Getenv("TWIN_ALGOS"); only != "" { // debug aid: a comma-separated list of case names
		var some []algoCase
		for _, c := range cases {
			if strings.Contains(","+only+",", ","+c.name+",") {
				some = append(some, c)
			}
		}
		cases = some
	}
	var replies []algoReply
	// The twin runs beside our searches: the NAS-Bench-201 cases' requests go to twin.py while we run the
	// DARTS-space cases (one interpreter per group; python is single-threaded, our search not always).
	type twinResult struct {
		replies []algoReply
		err     error
		seconds float64
	}
	var twins []chan twinResult // per group, filled by the first level
	check := func(t *testing.T, level string) {
		runs := make([]algoRun, len(cases))
		first := twins == nil
		var group []int
		flush := func(i int) {
			if !first || len(group) == 0 || (i < len(cases) && cases[i].space == cases[group[0]].space) {
				return
			}
			reqs := make([]algoRequest, len(group))
			for j, k := range group {
				reqs[j] = runs[k].req
			}
			ch := make(chan twinResult, 1)
			twins = append(twins, ch)
			dir := twinDir(t, fmt.Sprint(len(twins)))
			go func() {
				start := time.Now()
				r, err := runTwinBatch(dir, reqs)
				ch <- twinResult{r, err, time.Since(start).Seconds()}
			}()
			group = nil
		}
		for i, c := range cases {
			start := time.Now()
			runs[i] = runAlgo(t, be, c)
			runs[i].seconds = time.Since(start).Seconds()
			group = append(group, i)
			flush(i + 1)
		}
		if first {
			for _, ch := range twins {
				r := <-ch
				if r.err != nil {
					t.Fatal(r.err)
				}
				t.Logf("twin.py: %.1f s for %d cases", r.seconds, len(r.replies))
				replies = append(replies, r.replies...)
			}
		}
		for i, c := range cases {
			d := compareAlgo(t, c, runs[i], replies[i])
			iterations := len(runs[i].trace)
			t.Logf("%-16s [%s] %2d iterations (%d arch, %d weight steps): largest relative difference %.1e (θ/β %.1e, entry by entry %.1e, losses %.1e, candidates %.1e); floor clamps %d; %.1f s",
				c.name, level, iterations, len(runs[i].archLoss), len(runs[i].weightLoss), d.max(), d.trace, d.elem, d.losses, d.candidates, replies[i].FloorHits, runs[i].seconds)
			if d.max() > 1e-8 || math.IsNaN(d.max()) {
				t.Errorf("%s [%s]: differs from the twin by %.3g (tolerance 1e-8)", c.name, level, d.max())
			}
			if c.floorStart && replies[i].FloorHits == 0 {
				t.Errorf("%s: the floor never bound: the case proves nothing about it", c.name)
			}
		}
	}
	if long() {
		atEveryLevel(t, be, check)
	} else {
		level := be.Name()
		if level == purego.BackendName {
			level = purego.GEMMKernel() // the best this CPU has (or GAEA_GEMM_KERNEL's)
		}
		t.Run(level, func(t *testing.T) { check(t, level) })
	}
}
