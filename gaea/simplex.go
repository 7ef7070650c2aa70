package gaea

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// SimplexProblem is the teaching problem of the geometry comparisons: minimise f(w) over one row w on
// the simplex, with w = Geometry.Mixture(p) and p moved by Geometry steps, from uniform weights.
type SimplexProblem struct {
	// Objective maps the mixture weights w ([1, K]) to a scalar. Linear builds c·w.
	Objective func(w *graph.Node) *graph.Node
	K         int
}

// Linear is the problem min c·w over the simplex; its minimiser is the vertex of the smallest cost.
// From uniform, exponentiated gradient with step η gives w_t = softmax(−η t c) exactly.
func Linear(costs []float64) SimplexProblem {
	c := append([]float64(nil), costs...)
	return SimplexProblem{K: len(c), Objective: func(w *graph.Node) *graph.Node {
		return graph.ReduceAllSum(graph.Mul(w, graph.Reshape(graph.Const(w.Graph(), c), 1, len(c))))
	}}
}

// Quadratic is min ½‖w − target‖² over the simplex (its minimiser is the projection of target).
func Quadratic(target []float64) SimplexProblem {
	t := append([]float64(nil), target...)
	return SimplexProblem{K: len(t), Objective: func(w *graph.Node) *graph.Node {
		d := graph.Sub(w, graph.Reshape(graph.Const(w.Graph(), t), 1, len(t)))
		return graph.MulScalar(graph.ReduceAllSum(graph.Square(d)), 0.5)
	}}
}

// Trajectory runs steps steps of geometry with learning rate lr on the problem, starting from the
// geometry's deterministic start — Init with a nil rng: uniform weights for the shipped geometries
// (logits 0 for the softmax ones) — and returns the weights before the first step and after each one
// (steps+1 rows). It runs the same ArchOptimizer code a search runs, in float64. A bad start (see
// Geometry.Init) or weights that become non-finite are errors naming the geometry.
func (p SimplexProblem) Trajectory(be backends.Backend, geometry Geometry, lr float64, steps int) ([][]float64, error) {
	if p.K < 2 {
		return nil, fmt.Errorf("gaea: simplex problem needs at least 2 choices, got %d", p.K)
	}
	if steps < 0 {
		return nil, fmt.Errorf("gaea: negative number of steps %d", steps)
	}
	ctx := context.New()
	init, err := initBlock(geometry, 1, p.K, nil)
	if err != nil {
		return nil, err
	}
	if _, err := NewBlock(ctx, "w", 1, p.K, init, dtypes.Float64); err != nil {
		return nil, err
	}
	if err := SetHyperparameter(ctx, LRVar, lr); err != nil {
		return nil, err
	}
	opt := &ArchOptimizer{Geometry: geometry}
	step, err := context.NewExec(be, ctx, func(ctx *context.Context, g *graph.Graph) *graph.Node {
		w := geometry.Mixture(Blocks(ctx)[0].ValueGraph(g))
		loss := p.Objective(w)
		opt.UpdateGraph(ctx, g, loss)
		return loss
	})
	if err != nil {
		return nil, err
	}
	defer step.Finalize()
	weights, err := context.NewExec(be, ctx, func(ctx *context.Context, g *graph.Graph) *graph.Node {
		return geometry.Mixture(Blocks(ctx)[0].ValueGraph(g))
	})
	if err != nil {
		return nil, err
	}
	defer weights.Finalize()
	read := func(step int) ([]float64, error) {
		out, err := weights.Exec()
		if err != nil {
			return nil, err
		}
		w := rowsOf(out[0])[0]
		for _, v := range w {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, fmt.Errorf("gaea: geometry %q: %w (%v) at step %d", geometry.Name(), errNotFinite, w, step)
			}
		}
		return w, nil
	}
	traj := make([][]float64, 0, steps+1)
	w, err := read(0)
	if err != nil {
		return nil, err
	}
	traj = append(traj, w)
	for s := 0; s < steps; s++ {
		if _, err := step.Exec(); err != nil {
			return nil, fmt.Errorf("gaea: geometry %q: step %d: %w", geometry.Name(), s+1, err)
		}
		if w, err = read(s + 1); err != nil {
			return nil, err
		}
		traj = append(traj, w)
	}
	return traj, nil
}

// CheckLinearTrajectory checks the arguments of LinearTrajectory without a backend (a command checks
// them before it creates one); errors wrap ErrSimplexInput and name the argument (costs, lr, steps,
// geometry).
func CheckLinearTrajectory(geometry string, costs []float64, lr float64, steps int) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrSimplexInput}, args...)...)
	}
	for _, c := range costs {
		if math.IsNaN(c) || math.IsInf(c, 0) {
			return bad("costs: %v is not a finite number", c)
		}
	}
	if len(costs) < 2 {
		return bad("costs: need at least 2 costs, got %d", len(costs))
	}
	if lr <= 0 || math.IsNaN(lr) || math.IsInf(lr, 0) {
		return bad("lr must be a positive finite number, got %v", lr)
	}
	for _, c := range costs {
		if math.IsInf(c*lr, 0) || math.IsInf(c-costs[0], 0) {
			return bad("costs out of range for this lr: a step η·c (or a cost difference) overflows float64")
		}
	}
	if steps < 0 || steps > 100000 {
		return bad("steps must be between 0 and 100000, got %d", steps)
	}
	if _, err := GeometryByName(geometry); err != nil {
		return bad("geometry must be one of %s, got %q", strings.Join(GeometryNames(), ", "), geometry)
	}
	return nil
}

// ErrSimplexInput marks a bad argument of LinearTrajectory (a command line maps it to a usage error).
var ErrSimplexInput = errors.New("bad simplex input")

// LinearTrajectory checks its arguments and runs Linear(costs).Trajectory with the geometry named
// geometry (see GeometryByName): at least 2 finite costs, a positive finite lr, 0–100,000 steps, no
// step η·c that overflows float64. Argument errors wrap ErrSimplexInput and name the argument; a θ that
// becomes non-finite on the way is an error too.
func LinearTrajectory(be backends.Backend, geometry string, costs []float64, lr float64, steps int) ([][]float64, error) {
	if err := CheckLinearTrajectory(geometry, costs, lr, steps); err != nil {
		return nil, err
	}
	geo, err := GeometryByName(geometry)
	if err != nil {
		return nil, err
	}
	traj, err := Linear(costs).Trajectory(be, geo, lr, steps)
	if errors.Is(err, errNotFinite) {
		return nil, fmt.Errorf("%w: costs × lr too large for float64; use smaller costs or lr", err)
	}
	return traj, err
}

// errNotFinite marks weights that became NaN or infinite.
var errNotFinite = errors.New("the weights are not finite")
