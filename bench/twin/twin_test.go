// Package twin_test checks our supernets against an independent PyTorch twin (twin.py, run by Debian's
// /usr/bin/python3 with python3-torch): the NAS-Bench-201 supernet and the DARTS / PC-DARTS search
// supernet, loaded with our initial weights, must give the same loss and gradients in float64, and the
// same θ (and β) after a 100-iteration GAEA search fed the same batches.
package twin_test

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/gaea"
	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gaeanas/gaeanas/spaces/darts"
	"github.com/gaeanas/gaeanas/spaces/nb201"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
	"github.com/gomlx/gomlx/pkg/ml/train/losses"
)

const python = "/usr/bin/python3"

// bnEps is the batch-norm epsilon our supernets compute with: 1e-5 as a float32. GoMLX's batchnorm
// passes its epsilon to the backend's batch-norm op as a float32 whatever the dtype of x, so a float64
// graph normalises by √(var + 9.99999974738e-06). In float32 that is 1e-5 itself; in float64 it changes
// the outputs by ~1e-12 relative, which a 100-iteration DARTS search amplifies to 1e-5 (README.md).
var bnEps = float64(float32(1e-5))

// needTorch skips the test, with one line, when the twin cannot run.
func needTorch(t *testing.T) {
	t.Helper()
	if err := exec.Command(python, "-c", "import torch").Run(); err != nil {
		t.Skip("twin: /usr/bin/python3 cannot import torch (apt-get install python3-torch)")
	}
}

// netCase is one supernet configuration.
type netCase struct {
	name   string
	space  spaces.Space
	kind   string // "nb201" or "darts"
	c      int
	layers int // darts
	k      int // PC-DARTS partial channels (darts)
	beta   bool
}

func nb201Case(c int) netCase {
	return netCase{name: fmt.Sprintf("nb201_C%d_N1", c), kind: "nb201", c: c,
		space: nb201.New().Channels(c).Cells(1).Classes(10).WithNone(false)}
}

func dartsCase(c, k int, beta bool) netCase {
	return netCase{name: fmt.Sprintf("darts_C%d_L3_K%d_beta%v", c, k, beta), kind: "darts", c: c, layers: 3, k: k, beta: beta,
		space: darts.New().Channels(c).Layers(3).Classes(10).EdgeWeights(beta)}
}

// tensorJSON is a tensor as the twin reads it.
type tensorJSON struct {
	Shape  []int     `json:"shape"`
	Values []float64 `json:"values"`
}

func toJSON(t *tensors.Tensor) tensorJSON {
	var vals []float64
	switch t.DType() {
	case dtypes.Float64:
		vals = tensors.MustCopyFlatData[float64](t)
	case dtypes.Float32:
		for _, v := range tensors.MustCopyFlatData[float32](t) {
			vals = append(vals, float64(v))
		}
	case dtypes.Int32:
		for _, v := range tensors.MustCopyFlatData[int32](t) {
			vals = append(vals, float64(v))
		}
	default:
		panic(fmt.Sprintf("twin: dtype %s", t.DType()))
	}
	return tensorJSON{Shape: t.Shape().Dimensions, Values: vals}
}

// request is what twin.py reads.
type request struct {
	Mode   string                `json:"mode"` // "grad" or "search"
	Space  string                `json:"space"`
	C      int                   `json:"C"`
	Layers int                   `json:"layers"`
	K      int                   `json:"k"`
	Vars   map[string]tensorJSON `json:"vars"` // trainable supernet variables, "scope/name" without "/supernet"
	BNEps  float64               `json:"bn_eps"`
	// grad mode
	X      *tensorJSON `json:"x,omitempty"` // NHWC
	Labels []int32     `json:"labels,omitempty"`
	Theta  *tensorJSON `json:"theta,omitempty"`
	Beta   *tensorJSON `json:"beta,omitempty"` // per edge
	// search mode
	Groups     [][]int      `json:"groups,omitempty"`
	ArchX      []tensorJSON `json:"arch_x,omitempty"`
	ArchY      [][]int32    `json:"arch_y,omitempty"`
	WeightX    []tensorJSON `json:"weight_x,omitempty"`
	WeightY    [][]int32    `json:"weight_y,omitempty"`
	ArchLR     float64      `json:"arch_lr"`
	WeightLRs  []float64    `json:"weight_lrs,omitempty"`
	Momentum   float64      `json:"momentum"`
	WeightDec  float64      `json:"weight_decay"`
	Clip       float64      `json:"clip"`
	ThetaInit  [][]float64  `json:"theta_init,omitempty"`
	BetaInit   [][]float64  `json:"beta_init,omitempty"`
	Iterations int          `json:"iterations"`
}

// reply is what twin.py writes.
type reply struct {
	Loss       float64              `json:"loss"`
	Grads      map[string][]float64 `json:"grads"`
	GradTheta  []float64            `json:"grad_theta"`
	GradBeta   []float64            `json:"grad_beta"`
	Theta      [][]float64          `json:"theta"`
	Beta       [][]float64          `json:"beta"`
	ArchLoss   []float64            `json:"arch_loss"`
	WeightLoss []float64            `json:"weight_loss"`
}

// runTwin runs twin.py on req; env adds environment variables (TWIN_DTYPE=float32 runs it in float32).
func runTwin(t *testing.T, req request, env ...string) reply {
	t.Helper()
	dir := t.TempDir()
	if keep := os.Getenv("TWIN_KEEP"); keep != "" {
		dir = filepath.Join(keep, filepath.Base(t.Name())+strings.Join(env, ""))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	in, out := filepath.Join(dir, "in.json"), filepath.Join(dir, "out.json")
	data, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(python, "twin.py", in, out)
	cmd.Env = append(append(os.Environ(), "OMP_NUM_THREADS=1"), env...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("twin.py: %v\n%s", err, msg)
	}
	data, err = os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var r reply
	if err := json.Unmarshal(data, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// randomImages returns n NHWC images of h×h×3 (standard normal) and labels in [0, 10).
func randomImages(rng *rand.Rand, n, h int) ([]float64, []int32) {
	x := make([]float64, n*h*h*3)
	for i := range x {
		x[i] = rng.NormFloat64()
	}
	y := make([]int32, n)
	for i := range y {
		y[i] = int32(rng.Intn(10))
	}
	return x, y
}

// simplexRows returns rows×cols positive values, each row summing to 1.
func simplexRows(rng *rand.Rand, rows, cols int) []float64 {
	v := make([]float64, rows*cols)
	for r := 0; r < rows; r++ {
		sum := 0.0
		for c := 0; c < cols; c++ {
			v[r*cols+c] = 0.2 + rng.Float64()
			sum += v[r*cols+c]
		}
		for c := 0; c < cols; c++ {
			v[r*cols+c] /= sum
		}
	}
	return v
}

// supernetVars returns the trainable variables under /supernet, sorted, keyed by path below it.
func supernetVars(ctx *context.Context) ([]string, []*context.Variable) {
	root := ctx.InAbsPath(context.RootScope + "supernet").Scope()
	var names []string
	byName := map[string]*context.Variable{}
	for v := range ctx.IterVariables() {
		if !v.Trainable || len(v.Scope()) < len(root) || v.Scope()[:len(root)] != root {
			continue
		}
		n := v.Scope()[len(root):] + "/" + v.Name()
		names = append(names, n)
		byName[n] = v
	}
	sort.Strings(names)
	vs := make([]*context.Variable, len(names))
	for i, n := range names {
		vs[i] = byName[n]
	}
	return names, vs
}

func crossEntropy(logits, labels *graph.Node) *graph.Node {
	l := graph.ExpandAxes(labels, -1)
	return graph.ReduceAllMean(losses.SparseCategoricalCrossEntropyLogits([]*graph.Node{l}, []*graph.Node{logits}))
}

// relErr is max|a−b| / max|b| over the vectors (b the twin's).
func relErr(a, b []float64) float64 {
	num, den := 0.0, 0.0
	for i := range a {
		num = math.Max(num, math.Abs(a[i]-b[i]))
		den = math.Max(den, math.Abs(b[i]))
	}
	if den == 0 {
		return num
	}
	return num / den
}

// TestGradientsMatchTwin: same batch, same weights, float64, batch norm in training mode: the loss and
// the gradients w.r.t. every weight, θ and (PC-DARTS) β agree with the twin to 1e-6 (relative to the
// largest entry of each tensor).
func TestGradientsMatchTwin(t *testing.T) {
	needTorch(t)
	be := backend.MustNew()
	for i, nc := range []netCase{nb201Case(4), nb201Case(8), dartsCase(4, 4, true), dartsCase(8, 4, true), dartsCase(4, 1, false)} {
		t.Run(nc.name, func(t *testing.T) {
			rng := rand.New(rand.NewSource(int64(100 + i)))
			const batch, h = 8, 8
			xs, ys := randomImages(rng, batch, h)
			rows, cols := len(nc.space.Edges()), len(nc.space.Ops())
			theta := tensors.FromFlatDataAndDimensions(simplexRows(rng, rows, cols), rows, cols)
			betaVals := make([]float64, rows)
			for e := range betaVals {
				betaVals[e] = 0.3 + rng.Float64()
			}
			beta := tensors.FromFlatDataAndDimensions(betaVals, rows)
			x := tensors.FromFlatDataAndDimensions(xs, batch, h, h, 3)
			y := tensors.FromFlatDataAndDimensions(ys, batch)

			ctx := context.New()
			ctx.SetParam(initializers.ParamInitialSeed, int64(7+i))
			var names []string
			exe, err := context.NewExec(be, ctx, func(ctx *context.Context, x, y, theta, beta *graph.Node) []*graph.Node {
				ctx.SetTraining(x.Graph(), true)
				mix := spaces.Mixture{Weights: theta, PartialChannels: nc.k}
				if nc.beta {
					mix.Beta = beta
				}
				logits := nc.space.Supernet(ctx.In("supernet").Checked(false), x, mix)
				loss := crossEntropy(logits, y)
				var vs []*context.Variable
				names, vs = supernetVars(ctx)
				wrt := make([]*graph.Node, 0, len(vs)+2)
				for _, v := range vs {
					wrt = append(wrt, v.ValueGraph(x.Graph()))
				}
				wrt = append(wrt, theta)
				if nc.beta {
					wrt = append(wrt, beta)
				}
				return append([]*graph.Node{loss}, graph.Gradient(loss, wrt...)...)
			})
			if err != nil {
				t.Fatal(err)
			}
			out, err := exe.Exec(x, y, theta, beta)
			if err != nil {
				t.Fatal(err)
			}
			_, vs := supernetVars(ctx)
			req := request{Mode: "grad", Space: nc.kind, C: nc.c, Layers: nc.layers, K: nc.k, Vars: map[string]tensorJSON{}, BNEps: bnEps}
			for j, n := range names {
				req.Vars[n] = toJSON(vs[j].MustValue())
			}
			xj, thj := toJSON(x), toJSON(theta)
			req.X, req.Labels, req.Theta = &xj, ys, &thj
			if nc.beta {
				bj := toJSON(beta)
				req.Beta = &bj
			}
			r := runTwin(t, req)

			loss := tensors.ToScalar[float64](out[0])
			lossErr := math.Abs(loss-r.Loss) / math.Abs(r.Loss)
			// Each weight tensor's error is relative to its largest gradient entry, floored at 1e-6 of the
			// largest entry over all weights: a few gradients are analytically zero (the bias of a conv
			// followed by batch norm; a 1×1 single-channel conv followed by batch norm without affine, as
			// in PC-DARTS with C/K = 1), and both sides then hold rounding noise.
			scale := 0.0
			for _, g := range r.Grads {
				for _, v := range g {
					scale = math.Max(scale, math.Abs(v))
				}
			}
			worstW, worstName, worstMax := 0.0, "", 0.0
			for j, n := range names {
				want, ok := r.Grads[n]
				if !ok {
					t.Fatalf("twin has no gradient for %s", n)
				}
				got := tensors.MustCopyFlatData[float64](out[1+j])
				num, den := 0.0, 1e-6*scale
				for q := range got {
					num = math.Max(num, math.Abs(got[q]-want[q]))
					den = math.Max(den, math.Abs(want[q]))
				}
				if e := num / den; e > worstW {
					worstW, worstName, worstMax = e, n, den
				}
			}
			if len(r.Grads) != len(names) {
				t.Errorf("twin has %d weight tensors, we have %d", len(r.Grads), len(names))
			}
			thetaErr := relErr(tensors.MustCopyFlatData[float64](out[1+len(names)]), r.GradTheta)
			betaErr := 0.0
			if nc.beta {
				betaErr = relErr(tensors.MustCopyFlatData[float64](out[2+len(names)]), r.GradBeta)
			}
			t.Logf("%s: loss %.10f, rel. errors: loss %.2e, ∇w %.2e (worst %s, max |∇| %.1e of %.1e), ∇θ %.2e, ∇β %.2e (%d weight tensors)",
				nc.name, loss, lossErr, worstW, worstName, worstMax, scale, thetaErr, betaErr, len(names))
			for what, e := range map[string]float64{"loss": lossErr, "∇w": worstW, "∇θ": thetaErr, "∇β": betaErr} {
				if e > 1e-6 || math.IsNaN(e) {
					t.Errorf("%s: %s differs from the twin: relative error %.3g", nc.name, what, e)
				}
			}
		})
	}
}

// fixedBatches feeds the search pre-drawn batches, one list per block.
type fixedBatches struct {
	x, y [2][]*tensors.Tensor
	n    [2]int
}

func (f *fixedBatches) Next(b gaea.Block) (*tensors.Tensor, *tensors.Tensor, error) {
	i := f.n[b]
	if i >= len(f.x[b]) {
		return nil, nil, fmt.Errorf("twin: %s batches exhausted", b)
	}
	f.n[b]++
	return f.x[b][i], f.y[b][i], nil
}

func (f *fixedBatches) State() (json.RawMessage, error) { return json.Marshal(f.n) }
func (f *fixedBatches) SetState(raw json.RawMessage) error {
	return json.Unmarshal(raw, &f.n)
}

// searchRun is one of our searches and what the twin needs to replay it.
type searchRun struct {
	req                  request
	archLoss, weightLoss []float64
	theta, beta          []float64 // flattened, after the run
	thetaAndBeta         []float64
}

func flat(m [][]float64) []float64 {
	var f []float64
	for _, r := range m {
		f = append(f, r...)
	}
	return f
}

// runSearch runs our search in dtype on the batches of req (fed through fb from its start) and
// returns the request for the twin: our initial weights, θ, β, the hyperparameters and learning rates.
func runSearch(t *testing.T, nc netCase, seed int64, dtype dtypes.DType, fb *fixedBatches, req request) searchRun {
	t.Helper()
	be := backend.MustNew()
	fb.n = [2]int{}
	cfg := gaea.Config{Space: nc.space, Steps: req.Iterations, PartialChannels: nc.k, Seed: seed, DType: dtype}
	if nc.kind == "darts" {
		cfg.WeightLR, cfg.WeightLRMin = 0.1, -1 // GAEA PC-DARTS: 0.1 → 0
	}
	s, err := gaea.NewSearch(be, cfg, fb)
	if err != nil {
		t.Fatal(err)
	}
	// Create the supernet's weights (inference mode: nothing but the creation), export them.
	rows, cols := len(nc.space.Edges()), len(nc.space.Ops())
	initExec, err := context.NewExec(be, s.Context(), func(ctx *context.Context, x *graph.Node) *graph.Node {
		g := x.Graph()
		ctx.SetTraining(g, false)
		x = graph.ConvertDType(x, dtype)
		mix := spaces.Mixture{Weights: graph.Zeros(g, shapes.Make(dtype, rows, cols)), PartialChannels: nc.k}
		if nc.beta {
			mix.Beta = graph.Zeros(g, shapes.Make(dtype, rows))
		}
		return graph.ReduceAllSum(nc.space.Supernet(ctx.In("supernet").Checked(false), x, mix))
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := initExec.Exec(fb.x[0][0]); err != nil {
		t.Fatal(err)
	}
	req.Vars = map[string]tensorJSON{}
	names, vs := supernetVars(s.Context())
	for j, n := range names {
		if vs[j].DType() != dtype {
			t.Fatalf("%s is %s, want %s", n, vs[j].DType(), dtype)
		}
		req.Vars[n] = toJSON(vs[j].MustValue())
	}
	if req.ThetaInit, err = s.Theta(); err != nil {
		t.Fatal(err)
	}
	if req.BetaInit, err = s.Beta(); err != nil {
		t.Fatal(err)
	}
	c := s.Config()
	req.ArchLR, req.Momentum, req.WeightDec, req.Clip = c.ArchLR, c.Momentum, c.WeightDecay, c.GradClip
	req.WeightLRs = nil
	for it := 1; it <= req.Iterations; it++ {
		req.WeightLRs = append(req.WeightLRs, c.WeightLRMin+0.5*(c.WeightLR-c.WeightLRMin)*(1+math.Cos(math.Pi*float64(it)/float64(req.Iterations))))
	}
	if err := s.Run(req.Iterations); err != nil {
		t.Fatal(err)
	}
	run := searchRun{req: req}
	for _, rec := range s.History() {
		if rec.Block == "arch" {
			run.archLoss = append(run.archLoss, rec.Loss)
		} else {
			run.weightLoss = append(run.weightLoss, rec.Loss)
			// The learning rates the search used are the ones given to the twin.
			if want := req.WeightLRs[rec.Iteration-1]; math.Abs(rec.WeightLR-want) > 1e-12 {
				t.Errorf("iteration %d: weight lr %g, twin given %g", rec.Iteration, rec.WeightLR, want)
			}
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
	run.theta, run.beta = flat(theta), flat(beta)
	run.thetaAndBeta = append(flat(theta), flat(beta)...)
	return run
}

// TestSearchMatchesTwin: a 100-iteration GAEA search (entropic EG on θ and β, SGD on the weights with
// the cosine schedule, momentum, weight decay and clipping) from our initial weights, fed the same
// batches, ends at the twin's θ and β.
//
//   - In float64 (Config.DType) the whole trajectory must agree: θ, β and every loss to 1e-8 relative
//     (measured: NB201 ~4e-15, DARTS C=4 K=4 ~4e-11, its single-channel batch norms amplifying rounding).
//   - In float32 (how searches run) the run is compared with the twin in float64 and in float32. Before
//     the float32 twin itself leaves the float64 one (a ReLU input or a max-pool choice rounded to the
//     other side; after that float32 trajectories separate at a rate set by the dynamics, not by the
//     code), our losses must agree with the float64 twin's to 1e-5; after 100 iterations our θ and β
//     must be within max(1e-5, 4·d32) of the float64 twin's, d32 being the float32 twin's own distance.
func TestSearchMatchesTwin(t *testing.T) {
	needTorch(t)
	if testing.Short() {
		t.Skip("twin: 100 search iterations (run without -short)")
	}
	const iterations, batch, h = 100, 8, 8
	for i, nc := range []netCase{nb201Case(4), nb201Case(8), dartsCase(4, 4, true)} {
		t.Run(nc.name, func(t *testing.T) {
			rng := rand.New(rand.NewSource(int64(200 + i)))
			fb := &fixedBatches{}
			req := request{Mode: "search", Space: nc.kind, C: nc.c, Layers: nc.layers, K: nc.k,
				Groups: nc.space.EdgeGroups(), Iterations: iterations, BNEps: bnEps}
			for it := 0; it < iterations; it++ {
				for _, b := range []gaea.Block{gaea.ArchBlock, gaea.WeightBlock} {
					xs, ys := randomImages(rng, batch, h)
					x32 := make([]float32, len(xs))
					for j, v := range xs {
						x32[j] = float32(v)
					}
					xt := tensors.FromFlatDataAndDimensions(x32, batch, h, h, 3)
					fb.x[b] = append(fb.x[b], xt)
					fb.y[b] = append(fb.y[b], tensors.FromFlatDataAndDimensions(ys, batch))
					if b == gaea.ArchBlock {
						req.ArchX, req.ArchY = append(req.ArchX, toJSON(xt)), append(req.ArchY, ys)
					} else {
						req.WeightX, req.WeightY = append(req.WeightX, toJSON(xt)), append(req.WeightY, ys)
					}
				}
			}
			lossDiff := func(a, b []float64, i int) float64 { return math.Abs(a[i]-b[i]) / math.Abs(b[i]) }
			seed := int64(11 + i)

			// float64: the same trajectory.
			ours := runSearch(t, nc, seed, dtypes.Float64, fb, req)
			r := runTwin(t, ours.req)
			worst := 0.0
			for it := 0; it < iterations; it++ {
				worst = math.Max(worst, math.Max(lossDiff(ours.archLoss, r.ArchLoss, it), lossDiff(ours.weightLoss, r.WeightLoss, it)))
				if os.Getenv("TWIN_TRACE") != "" {
					t.Logf("float64 iteration %3d: arch loss %.12f, twin %.12f (%.1e); weight loss %.12f, twin %.12f (%.1e)",
						it+1, ours.archLoss[it], r.ArchLoss[it], lossDiff(ours.archLoss, r.ArchLoss, it),
						ours.weightLoss[it], r.WeightLoss[it], lossDiff(ours.weightLoss, r.WeightLoss, it))
				}
			}
			e64 := relErr(ours.thetaAndBeta, append(flat(r.Theta), flat(r.Beta)...))
			t.Logf("%s float64: after %d iterations θ rel. error %.2e, β %.2e; losses of all %d steps within %.1e",
				nc.name, iterations, relErr(ours.theta, flat(r.Theta)), relErr(ours.beta, flat(r.Beta)), 2*iterations, worst)
			if e64 > 1e-8 || worst > 1e-8 || math.IsNaN(e64+worst) {
				t.Errorf("%s float64: θ, β differ from the twin's by %.3g, losses by %.3g (tolerance 1e-8)", nc.name, e64, worst)
			}

			// float32.
			ours = runSearch(t, nc, seed, dtypes.Float32, fb, req)
			r = runTwin(t, ours.req)
			r32 := runTwin(t, ours.req, "TWIN_DTYPE=float32")
			// split: the first iteration where the float32 twin's losses leave the float64 twin's by more
			// than 1e-6 (float32 rounding alone keeps them within ~3e-7 until a ReLU input or a max-pool
			// choice falls on the other side in float32), or iterations+1.
			split := iterations + 1
			worstBefore := 0.0
			for it := 0; it < iterations; it++ {
				if split > iterations && math.Max(lossDiff(r32.ArchLoss, r.ArchLoss, it), lossDiff(r32.WeightLoss, r.WeightLoss, it)) > 1e-6 {
					split = it + 1
				}
				if it+1 < split {
					worstBefore = math.Max(worstBefore, math.Max(lossDiff(ours.archLoss, r.ArchLoss, it), lossDiff(ours.weightLoss, r.WeightLoss, it)))
				}
				if os.Getenv("TWIN_TRACE") != "" {
					t.Logf("iteration %3d: arch loss %.9f, twin %.9f (%.1e), float32 twin %.1e; weight loss %.9f, twin %.9f (%.1e), float32 twin %.1e",
						it+1, ours.archLoss[it], r.ArchLoss[it], lossDiff(ours.archLoss, r.ArchLoss, it), lossDiff(r32.ArchLoss, r.ArchLoss, it),
						ours.weightLoss[it], r.WeightLoss[it], lossDiff(ours.weightLoss, r.WeightLoss, it), lossDiff(r32.WeightLoss, r.WeightLoss, it))
				}
			}
			twin64 := append(flat(r.Theta), flat(r.Beta)...)
			twin32 := append(flat(r32.Theta), flat(r32.Beta)...)
			err32 := relErr(twin32, twin64)
			t.Logf("%s float32: after %d iterations θ rel. error %.2e, β %.2e (float32 twin vs float64 twin: %.2e; ours vs float32 twin: %.2e); "+
				"losses within %.1e of the float64 twin's before iteration %d (where the float32 twin leaves it)",
				nc.name, iterations, relErr(ours.theta, flat(r.Theta)), relErr(ours.beta, flat(r.Beta)), err32, relErr(ours.thetaAndBeta, twin32), worstBefore, split)
			tol := math.Max(1e-5, 4*err32)
			if e := relErr(ours.thetaAndBeta, twin64); e > tol || math.IsNaN(e) {
				t.Errorf("%s float32: θ, β differ from the twin's by %.3g (tolerance %.3g)", nc.name, e, tol)
			}
			if worstBefore > 1e-5 {
				t.Errorf("%s float32: losses differ from the twin's by %.3g before iteration %d", nc.name, worstBefore, split)
			}
		})
	}
}
