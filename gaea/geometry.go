package gaea

import (
	"fmt"
	"math/rand"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Geometry is a way of storing and moving one block of architecture parameters (rows × columns, one
// row per edge or per node).
type Geometry interface {
	// Name identifies the geometry: "entropic", "euclidean", "softmax", "softmax-sgd".
	Name() string

	// Init returns the initial stored value of a rows×cols block, row-major.
	Init(rows, cols int, rng *rand.Rand) []float64

	// Mixture maps the stored parameters p ([rows, cols]) to mixture weights: rows on the simplex.
	Mixture(p *graph.Node) *graph.Node

	// Step returns the stored parameters after one step of size lr (a scalar node) against the gradient
	// grad = ∂L/∂p. State (e.g. Adam's moments) lives in ctx, which is scoped per parameter block.
	Step(ctx *context.Context, p, grad, lr *graph.Node) *graph.Node
}

// GeometryByName returns the geometry for a name accepted by the command line and the notebooks.
func GeometryByName(name string) (Geometry, error) {
	switch name {
	case "entropic", "eg", "gaea":
		return Entropic(), nil
	case "euclidean", "euclid":
		return Euclidean(), nil
	case "softmax", "darts":
		return Softmax(), nil
	case "softmax-sgd":
		return SoftmaxSGD(), nil
	}
	return nil, fmt.Errorf("gaea: unknown geometry %q (want entropic, euclidean, softmax or softmax-sgd)", name)
}

// uniform returns rows×cols entries 1/cols.
func uniform(rows, cols int) []float64 {
	v := make([]float64, rows*cols)
	for i := range v {
		v[i] = 1 / float64(cols)
	}
	return v
}
