package gaea

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Geometry is a way of storing and moving one block of architecture parameters (rows × columns, one
// row per edge or per node).
type Geometry interface {
	// Name identifies the geometry: one of GeometryNames().
	Name() string

	// Init returns the initial stored value of a rows×cols block, row-major.
	Init(rows, cols int, rng *rand.Rand) []float64

	// Mixture maps the stored parameters p ([rows, cols]) to mixture weights: rows on the simplex.
	Mixture(p *graph.Node) *graph.Node

	// Step returns the stored parameters after one step of size lr (a scalar node) against the gradient
	// grad = ∂L/∂p. State (e.g. Adam's moments) lives in ctx, which is scoped per parameter block
	// (StateContext) and unchecked: a state variable may already exist when Step is called — restored
	// from a checkpoint, with the value it had when the search was saved, or created by another graph
	// of the same search — so Step must get it with ctx.VariableWithShape / VariableWithValue (which
	// then return the existing variable and leave its value alone: the initial value is used only for
	// a new variable), never assume it is new, and keep everything that the next step depends on
	// (counters such as Adam's t included) in such variables: they are what a checkpoint saves.
	Step(ctx *context.Context, p, grad, lr *graph.Node) *graph.Node
}

// geometryTable is the one table of geometry names: the canonical name (Geometry.Name) first, then the
// aliases GeometryByName also accepts.
var geometryTable = []struct {
	names []string
	make  func() Geometry
}{
	{[]string{"entropic", "eg", "gaea"}, Entropic},
	{[]string{"euclidean", "euclid"}, Euclidean},
	{[]string{"softmax", "darts"}, Softmax},
	{[]string{"softmax-sgd"}, SoftmaxSGD},
}

// GeometryNames returns the canonical geometry names, in the order of the table: "entropic",
// "euclidean", "softmax" (DARTS: logits moved by Adam), "softmax-sgd" (logits moved by plain gradient
// descent).
func GeometryNames() []string {
	names := make([]string, len(geometryTable))
	for i, g := range geometryTable {
		names[i] = g.names[0]
	}
	return names
}

// GeometryByName returns the geometry of a canonical name (GeometryNames) or of an alias ("eg" and
// "gaea" for entropic, "euclid" for euclidean, "darts" for softmax). The command line and the notebooks
// look geometries up here.
func GeometryByName(name string) (Geometry, error) {
	for _, g := range geometryTable {
		if slices.Contains(g.names, name) {
			return g.make(), nil
		}
	}
	return nil, fmt.Errorf("gaea: unknown geometry %q (want %s)", name, strings.Join(GeometryNames(), ", "))
}

// uniform returns rows×cols entries 1/cols.
func uniform(rows, cols int) []float64 {
	v := make([]float64, rows*cols)
	for i := range v {
		v[i] = 1 / float64(cols)
	}
	return v
}
