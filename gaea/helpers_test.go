package gaea

import (
	"reflect"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// conf is the tests' shorthand for "these settings on top of DefaultConfig": every field of c left at
// its zero value takes DefaultConfig's value (so a test cannot ask for an explicit zero through it; it
// sets such a field on the result). Regularizers nil keeps DefaultConfig's (the entropic one at λ 0).
func conf(c Config) Config {
	d := DefaultConfig()
	cv, dv := reflect.ValueOf(&c).Elem(), reflect.ValueOf(d)
	for i := 0; i < cv.NumField(); i++ {
		if cv.Field(i).IsZero() {
			cv.Field(i).Set(dv.Field(i))
		}
	}
	return c
}

// entropy is the entropic regulariser at λ.
func entropy(lambda float64) []Regularization {
	return []Regularization{{Regularizer: Entropy(), Lambda: lambda}}
}

// f64 returns a pointer to v (Config.BetaLR).
func f64(v float64) *float64 { return &v }

// archOptimizer sets the learning rate in ctx and returns the optimizer of geometry.
func archOptimizer(t *testing.T, ctx *context.Context, geometry Geometry, lr float64) *ArchOptimizer {
	t.Helper()
	if err := SetHyperparameter(ctx, LRVar, lr); err != nil {
		t.Fatal(err)
	}
	return &ArchOptimizer{Geometry: geometry}
}

// linearStep compiles one architecture step of opt on the linear loss Σ_blocks Σ_rows ⟨c, block row⟩
// (float64; c as long as a block's rows), returning the loss.
func linearStep(be backends.Backend, ctx *context.Context, opt *ArchOptimizer, c []float64) *context.Exec {
	return context.MustNewExec(be, ctx, func(ctx *context.Context, g *graph.Graph) *graph.Node {
		loss := graph.ScalarZero(g, dtypes.Float64)
		for _, b := range Blocks(ctx) {
			loss = graph.Add(loss, graph.ReduceAllSum(graph.Mul(b.ValueGraph(g), graph.Const(g, [][]float64{c}))))
		}
		opt.UpdateGraph(ctx, g, loss)
		return loss
	})
}
