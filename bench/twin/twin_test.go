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
	"github.com/gaeanas/gaeanas/backend/purego"
	"github.com/gaeanas/gaeanas/gaea"
	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gaeanas/gaeanas/spaces/darts"
	"github.com/gaeanas/gaeanas/spaces/nb201"
	"github.com/gomlx/gomlx/backends"
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
	// Margins: per forward pass (grad: one; search: arch then weights of each iteration), the smallest
	// distance of a ReLU input from 0 or of a max-pool window's two largest entries, relative to the
	// tensor's largest |value| (twin.py, MARGINS).
	Margins []float64 `json:"margins"`
	// ThetaTrace: θ then β, flattened, after each iteration's architecture step (search).
	ThetaTrace [][]float64 `json:"theta_trace"`
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

// u is the unit roundoff of float32, 2⁻²⁴: the relative error of one rounding.
const u = 0x1p-24

// long reports whether the long cases run (GAEA_TEST_LONG set, as .ci/run does); the default run keeps
// one case per space at fewer iterations, which exercises the same code.
func long() bool { return os.Getenv("GAEA_TEST_LONG") != "" }

// atEveryLevel runs f once per GEMM micro-kernel level this CPU has (pure Go, AVX2+FMA, AVX-512: the
// arithmetic of each machine kind) with GAEA_TEST_LONG (.ci/run), restoring the level after; the default
// run takes the level the CPU picks (the one every search here runs). On another backend than the
// pure-Go one the levels do not apply and f runs once.
func atEveryLevel(t *testing.T, be backends.Backend, f func(t *testing.T, level string)) {
	t.Helper()
	if be.Name() != purego.BackendName {
		t.Run(be.Name(), func(t *testing.T) { f(t, be.Name()) })
		return
	}
	old := purego.GEMMKernel()
	defer func() {
		if err := purego.SetGEMMKernel(old); err != nil {
			t.Fatal(err)
		}
	}()
	levels := []string{old} // the default run: the level this CPU picks (AVX-512 where it has it)
	if long() {
		levels = purego.GEMMKernels() // .ci/run: pure Go, AVX2, AVX-512 — every level the CPU has
	}
	for _, level := range levels {
		if err := purego.SetGEMMKernel(level); err != nil {
			t.Fatal(err)
		}
		t.Run(level, func(t *testing.T) { f(t, level) })
	}
}

// gradResult is one evaluation of the loss and its gradients, ours or the twin's.
type gradResult struct {
	loss      float64
	grads     map[string][]float64
	gradTheta []float64
	gradBeta  []float64
}

func (r reply) gradResult() gradResult {
	return gradResult{loss: r.Loss, grads: r.Grads, gradTheta: r.GradTheta, gradBeta: r.GradBeta}
}

// gradErrors are the relative errors of one evaluation against a reference: the loss, the worst weight
// tensor (each relative to max(its largest reference entry, floor × the largest over all weights)), ∇θ
// and ∇β (relative to their largest entries). With zeroApart, the weight tensors whose reference
// gradient is analytically zero (below 1e-9 of the largest) are left out of w and their largest |value|
// relative to the largest reference gradient goes to zero instead: they hold rounding noise only.
type gradErrors struct {
	loss, w, theta, beta, zero float64
	worst                      string
	wRMS                       float64 // root mean square of the weight tensors' errors
}

func (e gradErrors) max() float64 {
	return math.Max(math.Max(e.loss, e.w), math.Max(math.Max(e.theta, e.beta), e.zero))
}

func (e gradErrors) String() string {
	return fmt.Sprintf("loss %.2e, ∇w rms %.2e, worst %.2e (%s), ∇θ %.2e, ∇β %.2e, analytically zero ∇w %.2e of the scale", e.loss, e.wRMS, e.w, e.worst, e.theta, e.beta, e.zero)
}

func compareGrads(t *testing.T, got, want gradResult, floor float64, zeroApart bool) gradErrors {
	t.Helper()
	scale := 0.0
	for _, g := range want.grads {
		for _, v := range g {
			scale = math.Max(scale, math.Abs(v))
		}
	}
	e := gradErrors{loss: math.Abs(got.loss-want.loss) / math.Abs(want.loss)}
	count := 0
	if len(got.grads) != len(want.grads) {
		t.Errorf("%d weight tensors, the reference has %d", len(got.grads), len(want.grads))
	}
	for n, g := range got.grads {
		w, ok := want.grads[n]
		if !ok || len(w) != len(g) {
			t.Fatalf("the reference has no gradient of shape %d for %s", len(g), n)
		}
		num, den, largest := 0.0, floor*scale, 0.0
		for q := range g {
			num = math.Max(num, math.Abs(g[q]-w[q]))
			den = math.Max(den, math.Abs(w[q]))
			largest = math.Max(largest, math.Abs(w[q]))
		}
		if zeroApart && largest < 1e-9*scale {
			e.zero = math.Max(e.zero, num/scale)
			continue
		}
		r := num / den
		if r > e.w || math.IsNaN(r) {
			e.w, e.worst = r, n
		}
		e.wRMS += r * r
		count++
	}
	e.wRMS = math.Sqrt(e.wRMS / float64(max(count, 1)))
	e.theta = relErr(got.gradTheta, want.gradTheta)
	if len(want.gradBeta) > 0 {
		e.beta = relErr(got.gradBeta, want.gradBeta)
	}
	return e
}

// gradCase evaluates case i of TestGradientsMatchTwin with our supernet in dtype: a batch of 8 random
// 8×8 images, random θ on the simplex and random β per edge (the same for every dtype), our initial
// weights. It returns our result and the twin's request (the weights as we initialised them).
func gradCase(t *testing.T, be backends.Backend, nc netCase, i int, dtype dtypes.DType) (gradResult, request) {
	t.Helper()
	rng := rand.New(rand.NewSource(int64(100 + i)))
	const batch, h = 8, 8
	xs, ys := randomImages(rng, batch, h)
	rows, cols := len(nc.space.Edges()), len(nc.space.Ops())
	thetaVals := simplexRows(rng, rows, cols)
	betaVals := make([]float64, rows)
	for e := range betaVals {
		betaVals[e] = 0.3 + rng.Float64()
	}
	var x, theta, beta *tensors.Tensor
	if dtype == dtypes.Float64 {
		x = tensors.FromFlatDataAndDimensions(xs, batch, h, h, 3)
		theta = tensors.FromFlatDataAndDimensions(thetaVals, rows, cols)
		beta = tensors.FromFlatDataAndDimensions(betaVals, rows)
	} else {
		// The float32 values, which the twin then reads exactly.
		x = tensors.FromFlatDataAndDimensions(to32(xs), batch, h, h, 3)
		theta = tensors.FromFlatDataAndDimensions(to32(thetaVals), rows, cols)
		beta = tensors.FromFlatDataAndDimensions(to32(betaVals), rows)
	}
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
		return append([]*graph.Node{graph.ConvertDType(loss, dtypes.Float64)}, graph.Gradient(loss, wrt...)...)
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
		if vs[j].DType() != dtype {
			t.Fatalf("%s is %s, want %s", n, vs[j].DType(), dtype)
		}
		req.Vars[n] = toJSON(vs[j].MustValue())
	}
	xj, thj := toJSON(x), toJSON(theta)
	req.X, req.Labels, req.Theta = &xj, ys, &thj
	if nc.beta {
		bj := toJSON(beta)
		req.Beta = &bj
	}
	res := gradResult{loss: tensors.ToScalar[float64](out[0]), grads: map[string][]float64{}}
	for j, n := range names {
		res.grads[n] = toJSON(out[1+j]).Values
	}
	res.gradTheta = toJSON(out[1+len(names)]).Values
	if nc.beta {
		res.gradBeta = toJSON(out[2+len(names)]).Values
	}
	return res, req
}

func to32(v []float64) []float32 {
	f := make([]float32, len(v))
	for i, x := range v {
		f[i] = float32(x)
	}
	return f
}

// TestGradientsMatchTwin: same batch, same weights, batch norm in training mode, at every GEMM kernel
// level.
//
//   - float64: the loss and the gradients w.r.t. every weight, θ and (PC-DARTS) β agree with the twin to
//     1e-6 (relative to the largest entry of each tensor; measured ~1e-15).
//   - float32 (how searches run): our float32 evaluation is compared with the float64 twin, beside
//     PyTorch's own float32 evaluation of the same inputs. The case must be away from every kink (the
//     twin's smallest ReLU input and max-pool gap are more than 16 ulps of their tensor's scale, while
//     one evaluation's rounding moves a value by a few; see README.md), and then our error must be at
//     most 4× PyTorch's float32 error, or 64 ulps: float32 is as precise here as in the reference
//     framework.
func TestGradientsMatchTwin(t *testing.T) {
	needTorch(t)
	be := backend.MustNew()
	// seed: the batch, θ and β are drawn from 100 + seed, the weights from 7 + seed. Each case's seed
	// keeps its float64 twin away from kinks (≥ 16 ulps; see below).
	for _, c := range []struct {
		nc   netCase
		seed int
		long bool // only with GAEA_TEST_LONG
	}{{nb201Case(4), 0, true}, {nb201Case(8), 1, true}, {dartsCase(4, 4, true), 2, false}, {dartsCase(8, 4, true), 8, true}, {dartsCase(4, 1, false), 4, true}} {
		if c.long && !long() {
			continue
		}
		nc, i := c.nc, c.seed
		t.Run(nc.name, func(t *testing.T) {
			var twin64, twin64of32, twin32 *reply
			atEveryLevel(t, be, func(t *testing.T, level string) {
				ours, req := gradCase(t, be, nc, i, dtypes.Float64)
				if twin64 == nil {
					r := runTwin(t, req)
					twin64 = &r
				}
				// Some weight gradients are analytically zero (the bias of a conv followed by batch norm; a
				// 1×1 single-channel conv followed by BN without affine, as in PC-DARTS with C/K = 1): both
				// sides hold rounding noise there, so each tensor's error is relative to at least 1e-6 of
				// the largest gradient over all weights.
				e := compareGrads(t, ours, twin64.gradResult(), 1e-6, false)
				t.Logf("%s float64 [%s]: loss %.10f, rel. errors %s", nc.name, level, ours.loss, e)
				if e.max() > 1e-6 || math.IsNaN(e.max()) {
					t.Errorf("%s float64 [%s]: differs from the twin: %s (tolerance 1e-6)", nc.name, level, e)
				}

				ours32, req32 := gradCase(t, be, nc, i, dtypes.Float32)
				if twin32 == nil {
					r, r32 := runTwin(t, req32), runTwin(t, req32, "TWIN_DTYPE=float32")
					twin64of32, twin32 = &r, &r32
				}
				r64 := *twin64of32
				margin := minOf(r64.Margins)
				if margin < 16*u {
					t.Fatalf("%s: the twin's smallest kink margin is %.2g (< 16 ulps): float32 rounding may flip a ReLU or max-pool here; choose another seed for this case", nc.name, margin)
				}
				// In float32 the analytically zero gradients (above) hold float32 noise, judged apart (at most 64
				// ulps of the largest gradient); the others are relative to at least 1% of the largest gradient
				// over all weights (a conv feeding a single-channel BN without affine has a gradient of the
				// size of the noise).
				mine := compareGrads(t, ours32, r64.gradResult(), 1e-2, true)
				theirs := compareGrads(t, twin32.gradResult(), r64.gradResult(), 1e-2, true)
				t.Logf("%s float32 [%s]: kink margin %.1e; ours vs float64 twin: %s; PyTorch float32 vs float64 twin: %s",
					nc.name, level, margin, mine, theirs)
				// The loss, ∇θ, ∇β and the rms over the weight tensors within 4× PyTorch's float32 error (or
				// 64 ulps). Single tensors are not compared one by one: a weight feeding a single-channel BN
				// without affine has a gradient set by BN's ε, a sum with heavy cancellation whose error
				// differs by several times between two valid float32 orders (measured up to 3.6× on DARTS
				// C=4 K=4); every tensor must still be within 1e-4, far from any lost precision.
				for _, c := range []struct {
					what      string
					ours, ref float64
				}{{"loss", mine.loss, theirs.loss}, {"∇w (rms over tensors)", mine.wRMS, theirs.wRMS}, {"∇θ", mine.theta, theirs.theta},
					{"∇β", mine.beta, theirs.beta}, {"analytically zero ∇w", mine.zero, 0}} {
					if tol := math.Max(4*c.ref, 64*u); c.ours > tol || math.IsNaN(c.ours) {
						t.Errorf("%s float32 [%s]: %s error %.3g, above 4× PyTorch's float32 error %.3g (or 64 ulps)", nc.name, level, c.what, c.ours, c.ref)
					}
				}
				if mine.w > 1e-4 || math.IsNaN(mine.w) {
					t.Errorf("%s float32 [%s]: ∇w of %s off by %.3g (> 1e-4)", nc.name, level, mine.worst, mine.w)
				}
			})
		})
	}
}

func minOf(v []float64) float64 {
	m := math.Inf(1)
	for _, x := range v {
		m = math.Min(m, x)
	}
	return m
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
	thetaTrace           [][]float64 // θ then β, flattened, after each iteration's architecture step
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
	cfg := gaea.DefaultConfig()
	cfg.Space, cfg.Steps, cfg.PartialChannels, cfg.Seed, cfg.DType = nc.space, req.Iterations, nc.k, seed, dtype
	if nc.kind == "darts" {
		cfg.WeightLR, cfg.WeightLRMin = 0.1, 0 // GAEA PC-DARTS: 0.1 → 0
	}
	s, err := gaea.NewSearch(be, cfg, fb)
	if err != nil {
		t.Fatal(err)
	}
	req.Vars = exportSupernetVars(t, be, s, nc.space, nc.k, nc.beta, dtype, fb.x[0][0])
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
			run.thetaTrace = append(run.thetaTrace, append(flat(rec.Theta), flat(rec.Beta)...))
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

// TestSearchMatchesTwin: a GAEA search (entropic EG on θ and β, SGD on the weights with the cosine
// schedule, momentum, weight decay and clipping) from our initial weights, fed the same batches, follows
// the twin's. GAEA_TEST_LONG (.ci/run): NB201 C=4 and C=8 and the DARTS supernet, 100 iterations each,
// at every GEMM kernel level; the default run: NB201 C=4 for 12 iterations and the DARTS supernet for 4
// (past the minimum kink-free horizons below, so every float32 judgement is still made), at the level
// the CPU picks.
//
//   - In float64 (Config.DType) the whole trajectory must agree: θ, β and every loss to 1e-8 relative
//     (measured: NB201 ~4e-15, DARTS C=4 K=4 ~4e-11, its single-channel batch norms amplifying rounding).
//   - In float32 (how searches run) two float32 runs — ours, PyTorch's — follow the float64 one only
//     while rounding cannot flip a kink: a ReLU input or a max-pool choice within a few ulps of its
//     tensor's scale lands on either side, the gradient then jumps by a finite amount and the runs part
//     for good (README.md, "Float32", shows one such flip reproduced in float64). The float64 twin
//     reports each step's kink margin; the horizon is the first step whose margin is below 8 ulps
//     (float32 rounding of one step moves a value by about 1–3 ulps of its tensor's scale). Up to the
//     horizon our losses and θ must stay within 4× PyTorch's own float32 distance from the float64 twin
//     (at least 8 ulps); the horizon must be at least 10 iterations, or the case proves too little.
//     Past it the distances are logged, not judged.
func TestSearchMatchesTwin(t *testing.T) {
	needTorch(t)
	if testing.Short() {
		t.Skip("twin: search iterations (run without -short)")
	}
	be := backend.MustNew()
	const batch, h = 8, 8
	type searchCase struct {
		nc         netCase
		iterations int
		seed       int64 // the weights' and θ's; the batches' is 189 + seed
		float32    bool  // also run (and judge) the float32 search …
		minHorizon int   // … which must then stay clear of kinks for this many iterations
	}
	// The seeds keep the float64 twin clear of float32's reach of a kink (see checkFloat32Search) for the
	// first 10 iterations at least on NB201 (C=4 to iteration 17 in both runs); the DARTS space has ~55k
	// ReLU inputs and ~1.4k max-pool windows per pass, and 25 of 27 seeds tried (15–41) meet a kink within
	// 10 iterations: its float32 check needs 3 (seed 37: to iteration 3), enough to run every block of
	// the EG step on θ and β in float32. (Chosen for PyTorch's initialisation.)
	cases := []searchCase{{nb201Case(4), 12, 27, true, 10}, {dartsCase(4, 4, true), 4, 37, true, 3}}
	if long() {
		cases = []searchCase{{nb201Case(4), 100, 27, true, 10}, {nb201Case(8), 100, 27, true, 10}, {dartsCase(4, 4, true), 100, 37, true, 3}}
	}
	for _, sc := range cases {
		nc, iterations, seed := sc.nc, sc.iterations, sc.seed
		t.Run(nc.name, func(t *testing.T) {
			rng := rand.New(rand.NewSource(189 + seed))
			fb := &fixedBatches{}
			req := request{Mode: "search", Space: nc.kind, C: nc.c, Layers: nc.layers, K: nc.k,
				Groups: nc.space.EdgeGroups(), Iterations: iterations, BNEps: bnEps}
			for it := 0; it < iterations; it++ {
				for _, b := range []gaea.Block{gaea.ArchBlock, gaea.WeightBlock} {
					xs, ys := randomImages(rng, batch, h)
					xt := tensors.FromFlatDataAndDimensions(to32(xs), batch, h, h, 3)
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
			var r64, r, r32 *reply // the twin's float64 run of our float64 weights; float64 and float32 runs of our float32 weights
			atEveryLevel(t, be, func(t *testing.T, level string) {
				// float64: the same trajectory.
				ours := runSearch(t, nc, seed, dtypes.Float64, fb, req)
				if r64 == nil {
					rr := runTwin(t, ours.req)
					r64 = &rr
				}
				worst := 0.0
				for it := 0; it < iterations; it++ {
					worst = math.Max(worst, math.Max(lossDiff(ours.archLoss, r64.ArchLoss, it), lossDiff(ours.weightLoss, r64.WeightLoss, it)))
					if os.Getenv("TWIN_TRACE") != "" {
						t.Logf("float64 iteration %3d: arch loss %.12f, twin %.12f (%.1e); weight loss %.12f, twin %.12f (%.1e)",
							it+1, ours.archLoss[it], r64.ArchLoss[it], lossDiff(ours.archLoss, r64.ArchLoss, it),
							ours.weightLoss[it], r64.WeightLoss[it], lossDiff(ours.weightLoss, r64.WeightLoss, it))
					}
				}
				e64 := relErr(ours.thetaAndBeta, append(flat(r64.Theta), flat(r64.Beta)...))
				t.Logf("%s float64 [%s]: after %d iterations θ rel. error %.2e, β %.2e; losses of all %d steps within %.1e",
					nc.name, level, iterations, relErr(ours.theta, flat(r64.Theta)), relErr(ours.beta, flat(r64.Beta)), 2*iterations, worst)
				if e64 > 1e-8 || worst > 1e-8 || math.IsNaN(e64+worst) {
					t.Errorf("%s float64 [%s]: θ, β differ from the twin's by %.3g, losses by %.3g (tolerance 1e-8)", nc.name, level, e64, worst)
				}

				if !sc.float32 {
					return
				}
				// float32.
				ours = runSearch(t, nc, seed, dtypes.Float32, fb, req)
				if r == nil {
					rr, rr32 := runTwin(t, ours.req), runTwin(t, ours.req, "TWIN_DTYPE=float32")
					r, r32 = &rr, &rr32
				}
				checkFloat32Search(t, nc.name+" ["+level+"]", ours, *r, *r32, iterations, sc.minHorizon)
			})
		})
	}
}

// checkFloat32Search judges our float32 search (ours) against the twin's float64 run (r) and float32
// run (r32) of the same weights and batches, up to the kink horizon (see TestSearchMatchesTwin).
func checkFloat32Search(t *testing.T, name string, ours searchRun, r, r32 reply, iterations, minHorizon int) {
	t.Helper()
	if len(r.Margins) != 2*iterations || len(r.ThetaTrace) != iterations || len(ours.thetaTrace) != iterations {
		t.Fatalf("%s: %d margins and %d θ (ours %d) for %d iterations", name, len(r.Margins), len(r.ThetaTrace), len(ours.thetaTrace), iterations)
	}
	oursLoss := func(k int) float64 {
		if k%2 == 0 {
			return ours.archLoss[k/2]
		}
		return ours.weightLoss[k/2]
	}
	twinLoss := func(rr reply, k int) float64 {
		if k%2 == 0 {
			return rr.ArchLoss[k/2]
		}
		return rr.WeightLoss[k/2]
	}
	// The horizon: the first step (0-based; arch, weights, arch, …) whose kink margin is within reach of
	// float32 rounding: below 16 ulps (one step's rounding moves a value by a few ulps of its tensor's
	// scale), or below 8× the largest distance either float32 run's losses have had from the float64
	// twin so far (the state's drift moves the ReLU inputs too, each by up to ~√(batch·classes) ≈ 9×
	// the mean loss's relative change; a flip was seen at 10 ulps after losses drifted by 4–8 ulps).
	// The losses of steps up to it are continuous in the rounding (the forward pass is continuous); θ
	// after an architecture step is too while that step is before the horizon.
	n := 2 * iterations
	mine, theirs := make([]float64, n), make([]float64, n)
	horizon, reach, drift := n, 0.0, 0.0
	for k := 0; k < n; k++ {
		want := twinLoss(r, k)
		mine[k], theirs[k] = math.Abs(oursLoss(k)-want)/math.Abs(want), math.Abs(twinLoss(r32, k)-want)/math.Abs(want)
		drift = math.Max(drift, math.Max(mine[k], theirs[k]))
		if horizon == n {
			if reach = math.Max(16*u, 8*drift); r.Margins[k] < reach {
				horizon = k
			}
		}
		if os.Getenv("TWIN_TRACE") != "" {
			t.Logf("%s float32 step %3d (iteration %3d %s): loss ours %.1e, PyTorch float32 %.1e from the float64 twin; kink margin %.1e, float32 reach %.1e (ours %.9f, twin %.9f)",
				name, k, k/2+1, map[bool]string{true: "arch", false: "weights"}[k%2 == 0], mine[k], theirs[k], r.Margins[k], math.Max(16*u, 8*drift), oursLoss(k), want)
		}
	}
	var oursL, theirsL, oursT, theirsT float64 // largest distances from the float64 twin up to the horizon
	lastArch := -1                             // the last iteration whose architecture step is before the horizon
	for k := 0; k < n && k <= horizon; k++ {
		oursL, theirsL = math.Max(oursL, mine[k]), math.Max(theirsL, theirs[k])
		if k%2 == 0 && k < horizon {
			lastArch = k / 2
		}
	}
	if lastArch >= 0 {
		oursT = relErr(ours.thetaTrace[lastArch], r.ThetaTrace[lastArch])
		theirsT = relErr(r32.ThetaTrace[lastArch], r.ThetaTrace[lastArch])
	}
	end := relErr(ours.thetaAndBeta, append(flat(r.Theta), flat(r.Beta)...))
	end32 := relErr(append(flat(r32.Theta), flat(r32.Beta)...), append(flat(r.Theta), flat(r.Beta)...))
	hIt := horizon/2 + 1
	t.Logf("%s float32: kink horizon at iteration %d of %d (margin %.1e, float32 reach %.1e); up to it, from the float64 twin: losses ours %.1e, PyTorch float32 %.1e; θ,β after iteration %d ours %.1e, PyTorch float32 %.1e; after %d iterations (not judged): ours %.1e, PyTorch float32 %.1e",
		name, hIt, iterations, marginAt(r.Margins, horizon), reach, oursL, theirsL, lastArch+1, oursT, theirsT, iterations, end, end32)
	if minIt := min(minHorizon, iterations); hIt <= minIt && horizon < n {
		t.Fatalf("%s float32: the float64 twin comes within float32's reach of a kink at iteration %d (≤ %d): too early for the float32 check to prove anything; choose other seeds for this case", name, hIt, minIt)
	}
	if tol := math.Max(4*theirsL, 8*u); oursL > tol || math.IsNaN(oursL) {
		t.Errorf("%s float32: losses up to the kink horizon differ from the float64 twin's by %.3g, above 4× PyTorch's float32 (%.3g) or 8 ulps", name, oursL, theirsL)
	}
	if tol := math.Max(4*theirsT, 8*u); oursT > tol || math.IsNaN(oursT) {
		t.Errorf("%s float32: θ, β before the kink horizon differ from the float64 twin's by %.3g, above 4× PyTorch's float32 (%.3g) or 8 ulps", name, oursT, theirsT)
	}
}

func marginAt(m []float64, k int) float64 {
	if k < len(m) {
		return m[k]
	}
	return math.NaN()
}

// exportSupernetVars creates the supernet's weights in s's context (running the supernet once in
// inference mode on x0, with zero mixture weights: nothing but the creation) and returns them for the
// twin's request; every one must be of dtype.
func exportSupernetVars(t *testing.T, be backends.Backend, s *gaea.Search, space spaces.Space, partialChannels int, beta bool,
	dtype dtypes.DType, x0 *tensors.Tensor) map[string]tensorJSON {
	t.Helper()
	rows, cols := len(space.Edges()), len(space.Ops())
	initExec, err := context.NewExec(be, s.Context(), func(ctx *context.Context, x *graph.Node) *graph.Node {
		g := x.Graph()
		ctx.SetTraining(g, false)
		x = graph.ConvertDType(x, dtype)
		mix := spaces.Mixture{Weights: graph.Zeros(g, shapes.Make(dtype, rows, cols)), PartialChannels: partialChannels}
		if beta {
			mix.Beta = graph.Zeros(g, shapes.Make(dtype, rows))
		}
		return graph.ReduceAllSum(space.Supernet(ctx.In("supernet").Checked(false), x, mix))
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := initExec.Exec(x0); err != nil {
		t.Fatal(err)
	}
	vars := map[string]tensorJSON{}
	names, vs := supernetVars(s.Context())
	for j, n := range names {
		if vs[j].DType() != dtype {
			t.Fatalf("%s is %s, want %s", n, vs[j].DType(), dtype)
		}
		vars[n] = toJSON(vs[j].MustValue())
	}
	return vars
}
