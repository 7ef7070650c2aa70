package gaea

import (
	"fmt"
	"math"
	"math/rand"

	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Geometry is a way of storing and moving one block of architecture parameters (rows × columns, one
// row per edge or per node).
type Geometry interface {
	// Name identifies the geometry: the name it is registered under (RegisterGeometry).
	Name() string

	// Init returns the initial stored value of a rows×cols block, row-major: rows·cols finite values.
	// rng is the search's random source for a randomised start (DARTS's logits 1e-3·N(0,1)); nil asks
	// for the geometry's deterministic start, stored values whose mixture weights are uniform, which the
	// teaching problems (SimplexProblem.Trajectory) start from.
	Init(rows, cols int, rng *rand.Rand) []float64

	// Mixture maps the stored parameters p ([rows, cols]) to mixture weights: rows on the simplex.
	Mixture(p *graph.Node) *graph.Node

	// Step returns the stored parameters after one step of size lr (a scalar node) against the gradient
	// grad = ∂L/∂p, in p's shape. State (e.g. Adam's moments) lives in ctx, which is scoped per parameter
	// block (StateContext) and unchecked: a state variable may already exist when Step is called —
	// restored from a checkpoint, with the value it had when the search was saved, or created by another
	// graph of the same search — so Step must get it with ctx.VariableWithShape / VariableWithValue
	// (which then return the existing variable and leave its value alone: the initial value is used only
	// for a new variable), never assume it is new, and keep everything that the next step depends on
	// (counters such as Adam's t included) in such variables: they are what a checkpoint saves.
	Step(ctx *context.Context, p, grad, lr *graph.Node) *graph.Node

	// ForEdgeWeights returns the geometry that moves the edge-weight blocks β (one row per node of a
	// space with EdgeGroups, PC-DARTS's edge normalisation). Most geometries move β as θ and return
	// themselves; Entropic returns its step without the MinWeight floor, as GAEA PC-DARTS does. A
	// geometry that wraps another by embedding it forwards this method to the wrapped one (β then takes
	// the wrapped geometry's β step); it overrides the method to wrap β's step as well.
	ForEdgeWeights() Geometry
}

// geometries is the geometry registry: the shipped ones first, then RegisterGeometry's.
var geometries = newRegistry("geometry", Geometry.Name)

func init() {
	RegisterGeometry("entropic", Entropic, "eg", "gaea")
	RegisterGeometry("euclidean", Euclidean, "euclid")
	RegisterGeometry("softmax", Softmax, "darts")
	RegisterGeometry("softmax-sgd", SoftmaxSGD)
}

// RegisterGeometry makes a geometry known by name (and by the aliases): GeometryByName returns
// newGeometry() for it, GeometryNames lists it, and so the command line, settings.json and a resumed
// run can name it. newGeometry().Name() must be name. It panics on an empty, malformed or taken name
// (names are a lower-case letter, then lower-case letters, digits, '-' and '_'), as database/sql.Register
// does: call it from an init function or at the start of a program or notebook.
func RegisterGeometry(name string, newGeometry func() Geometry, aliases ...string) {
	geometries.register(name, newGeometry, aliases...)
}

// GeometryNames returns the canonical names of the registered geometries, the shipped ones first:
// "entropic", "euclidean", "softmax" (DARTS: logits moved by Adam), "softmax-sgd" (logits moved by
// plain gradient descent), then those of RegisterGeometry in the order registered.
func GeometryNames() []string { return geometries.list() }

// GeometryByName returns the geometry of a canonical name (GeometryNames) or of an alias ("eg" and
// "gaea" for entropic, "euclid" for euclidean, "darts" for softmax). An unknown name is an error that
// lists the registered ones.
func GeometryByName(name string) (Geometry, error) { return geometries.get(name) }

// Uniform returns rows×cols entries 1/cols: the start of the geometries that store θ on the simplex.
func Uniform(rows, cols int) []float64 {
	v := make([]float64, rows*cols)
	for i := range v {
		v[i] = 1 / float64(cols)
	}
	return v
}

// initBlock is geometry.Init with its result checked: a panic, a wrong length or a non-finite value is
// an error that names the geometry.
func initBlock(geometry Geometry, rows, cols int, rng *rand.Rand) (init []float64, err error) {
	defer func() {
		if r := recover(); r != nil {
			init, err = nil, fmt.Errorf("gaea: geometry %q: Init(%d, %d) panicked: %v", geometry.Name(), rows, cols, r)
		}
	}()
	init = geometry.Init(rows, cols, rng)
	if len(init) != rows*cols {
		return nil, fmt.Errorf("gaea: geometry %q: Init(%d, %d) returned %d values, want %d", geometry.Name(), rows, cols, len(init), rows*cols)
	}
	for i, v := range init {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("gaea: geometry %q: Init(%d, %d) returned %v at row %d, column %d", geometry.Name(), rows, cols, v, i/cols, i%cols)
		}
	}
	return init, nil
}
