package gaea

import (
	"fmt"

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

// Trajectory runs steps steps of geometry with learning rate lr on the problem, starting from uniform
// weights (logits 0 for the softmax geometries), and returns the weights before the first step and after
// each one (steps+1 rows). It runs the same ArchOptimizer code a search runs, in float64.
func (p SimplexProblem) Trajectory(be backends.Backend, geometry Geometry, lr float64, steps int) ([][]float64, error) {
	if p.K < 2 {
		return nil, fmt.Errorf("gaea: simplex problem needs at least 2 choices, got %d", p.K)
	}
	if steps < 0 {
		return nil, fmt.Errorf("gaea: negative number of steps %d", steps)
	}
	ctx := context.New()
	init := make([]float64, p.K)
	if geometry.Name() == Entropic().Name() || geometry.Name() == Euclidean().Name() {
		init = uniform(1, p.K)
	}
	if _, err := NewBlock(ctx, "w", 1, p.K, init, dtypes.Float64); err != nil {
		return nil, err
	}
	opt := &ArchOptimizer{Geometry: geometry, LR: lr}
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
	read := func() ([]float64, error) {
		out, err := weights.Exec()
		if err != nil {
			return nil, err
		}
		return rowsOf(out[0])[0], nil
	}
	traj := make([][]float64, 0, steps+1)
	w, err := read()
	if err != nil {
		return nil, err
	}
	traj = append(traj, w)
	for s := 0; s < steps; s++ {
		if _, err := step.Exec(); err != nil {
			return nil, fmt.Errorf("gaea: step %d: %w", s+1, err)
		}
		if w, err = read(); err != nil {
			return nil, err
		}
		traj = append(traj, w)
	}
	return traj, nil
}
