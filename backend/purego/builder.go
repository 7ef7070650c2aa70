package purego

import (
	"fmt"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// node is one value of the graph being built: either an op built into a simplego stage graph
// ("native"), or one output of a custom op that a Go kernel computes.
type node struct {
	idx   int
	shape shapes.Shape
	stage int

	inner  backends.Op // native: the op in stages[stage].builder (the eager builder, for shapes and checks).
	call   *nativeCall // native: the call that built it (nil for graph parameters).
	custom *customOp   // custom: the producing op, and which of its outputs this is.
	outIdx int

	paramIdx int // index in Builder.params, or -1.

	// For graph rewrites (rewrite.go):
	isConst   bool    // a scalar float constant, of value constVal
	constVal  float64 //
	bcastSrc  *node   // a BroadcastInDim that only repeats bcastSrc …
	bcastDims []int   // … reshaped to these dimensions (see BroadcastInDim)
}

// nativeCall is one call of a simplego builder method; Compile replays the live ones.
type nativeCall struct {
	name    string
	inputs  []*node
	outputs []*node
	build   func(ib backends.Builder, in []backends.Op) ([]backends.Op, error)
	flops   int64 // multiply-adds × 2 of a DotGeneral (FLOPs); 0 for other ops
}

// kernelFunc runs a custom op: it reads its input buffers and returns new output buffers.
type kernelFunc func(be *Backend, in []backends.Buffer) ([]backends.Buffer, error)

// customOp is an op run by a Go kernel between two stages.
type customOp struct {
	name    string
	stage   int
	inputs  []*node
	outputs []*node
	run     kernelFunc
	flops   int64 // multiply-adds × 2 of a convolution (FLOPs); 0 for other ops
}

// stage is one simplego graph, plus the custom ops that run after it.
//
// While building, each stage has an eager simplego builder that validates ops and infers shapes.
// Compile replays the live calls of each stage into a fresh builder (dead code of the GoMLX
// graph and unused parameters never reach simplego), which gives the executable.
type stage struct {
	builder  backends.Builder
	importOp map[*node]backends.Op
	calls    []*nativeCall
	customs  []*customOp

	// Set by Compile.
	exec     backends.Executable
	imports  []*node // values fed as the executable's parameters, in order
	outNodes []*node // values the executable returns, in order
}

// Builder implements backends.Builder for purego. See the package documentation.
type Builder struct {
	be       *Backend
	name     string
	nodes    []*node
	params   []*node
	stages   []*stage
	compiled bool
}

var _ backends.Builder = (*Builder)(nil)

func newBuilder(be *Backend, name string) *Builder {
	return &Builder{be: be, name: name}
}

// Name implements backends.Builder.
func (b *Builder) Name() string { return b.name }

func (b *Builder) stageAt(s int) *stage {
	for len(b.stages) <= s {
		i := len(b.stages)
		b.stages = append(b.stages, &stage{
			builder:  b.be.Backend.Builder(fmt.Sprintf("%s#%d", b.name, i)),
			importOp: make(map[*node]backends.Op),
		})
	}
	return b.stages[s]
}

// check converts ops to this builder's nodes.
func (b *Builder) check(opName string, ops ...backends.Op) ([]*node, error) {
	if b.compiled {
		return nil, fmt.Errorf("purego: %s: builder %q already compiled", opName, b.name)
	}
	nodes := make([]*node, len(ops))
	for i, op := range ops {
		n, ok := op.(*node)
		if !ok || n == nil {
			return nil, fmt.Errorf("purego: %s: input #%d is %T, not an op of the purego backend", opName, i, op)
		}
		if n.idx >= len(b.nodes) || b.nodes[n.idx] != n {
			return nil, fmt.Errorf("purego: %s: input #%d was created by another builder", opName, i)
		}
		nodes[i] = n
	}
	return nodes, nil
}

// readyStage is the first stage in which n's value exists for a native op to use.
func (n *node) readyStage() int {
	if n.custom != nil {
		return n.stage + 1
	}
	return n.stage
}

// opIn returns n as an op of stage s's builder, importing it as a parameter if it lives elsewhere.
func (b *Builder) opIn(s int, n *node) (backends.Op, error) {
	st := b.stageAt(s)
	if n.call != nil && n.stage == s {
		return n.inner, nil
	}
	return importInto(st.builder, st.importOp, n)
}

// importInto returns n as a parameter of builder ib, creating it on first use.
func importInto(ib backends.Builder, imported map[*node]backends.Op, n *node) (backends.Op, error) {
	if op, ok := imported[n]; ok {
		return op, nil
	}
	op, err := ib.Parameter(fmt.Sprintf("v%d", n.idx), n.shape, nil)
	if err != nil {
		return nil, err
	}
	imported[n] = op
	return op, nil
}

func (b *Builder) newNode(shape shapes.Shape, s int) *node {
	n := &node{idx: len(b.nodes), shape: shape, stage: s, paramIdx: -1}
	b.nodes = append(b.nodes, n)
	return n
}

// native builds an op that simplego implements in the latest stage its inputs are ready in.
func (b *Builder) native(opName string, ins []backends.Op, nOut int,
	build func(ib backends.Builder, in []backends.Op) ([]backends.Op, error)) ([]backends.Op, error) {
	nodes, err := b.check(opName, ins...)
	if err != nil {
		return nil, err
	}
	s := 0
	for _, n := range nodes {
		s = max(s, n.readyStage())
	}
	in := make([]backends.Op, len(nodes))
	for i, n := range nodes {
		if in[i], err = b.opIn(s, n); err != nil {
			return nil, err
		}
	}
	st := b.stageAt(s)
	outs, err := build(st.builder, in)
	if err != nil {
		return nil, err
	}
	if len(outs) != nOut {
		return nil, fmt.Errorf("purego: %s: %d outputs, expected %d", opName, len(outs), nOut)
	}
	call := &nativeCall{name: opName, inputs: nodes, build: build}
	st.calls = append(st.calls, call)
	res := make([]backends.Op, nOut)
	for i, o := range outs {
		shape, err := st.builder.OpShape(o)
		if err != nil {
			return nil, err
		}
		n := b.newNode(shape, s)
		n.inner, n.call = o, call
		call.outputs = append(call.outputs, n)
		res[i] = n
	}
	return res, nil
}

// addCustom records an op computed by a Go kernel.
func (b *Builder) addCustom(opName string, ins []backends.Op, outShapes []shapes.Shape, run kernelFunc) ([]backends.Op, error) {
	nodes, err := b.check(opName, ins...)
	if err != nil {
		return nil, err
	}
	s := 0
	for _, n := range nodes {
		s = max(s, n.stage)
	}
	c := &customOp{name: opName, stage: s, inputs: nodes, run: run}
	st := b.stageAt(s)
	st.customs = append(st.customs, c)
	res := make([]backends.Op, len(outShapes))
	for i, shape := range outShapes {
		n := b.newNode(shape, s)
		n.custom, n.outIdx = c, i
		c.outputs = append(c.outputs, n)
		res[i] = n
	}
	return res, nil
}

func (b *Builder) custom1(opName string, ins []backends.Op, outShape shapes.Shape, run kernelFunc) (backends.Op, error) {
	outs, err := b.addCustom(opName, ins, []shapes.Shape{outShape}, run)
	if err != nil {
		return nil, err
	}
	return outs[0], nil
}

// OpShape implements backends.Builder.
func (b *Builder) OpShape(op backends.Op) (shapes.Shape, error) {
	n, ok := op.(*node)
	if !ok || n == nil {
		return shapes.Invalid(), fmt.Errorf("purego: OpShape: %T is not an op of the purego backend", op)
	}
	return n.shape, nil
}

// Parameter implements backends.Builder. Parameters are fed to each stage that uses them.
func (b *Builder) Parameter(name string, shape shapes.Shape, sharding *backends.ShardingSpec) (backends.Op, error) {
	if sharding != nil {
		return nil, fmt.Errorf("purego: sharding is not supported")
	}
	if b.compiled {
		return nil, fmt.Errorf("purego: Parameter: builder %q already compiled", b.name)
	}
	if !shape.Ok() {
		return nil, fmt.Errorf("purego: Parameter %q: invalid shape %s", name, shape)
	}
	n := b.newNode(shape, 0)
	n.paramIdx = len(b.params)
	b.params = append(b.params, n)
	return n, nil
}

// Constant implements backends.Builder.
func (b *Builder) Constant(flat any, dims ...int) (backends.Op, error) {
	outs, err := b.native("Constant", nil, 1, func(ib backends.Builder, _ []backends.Op) ([]backends.Op, error) {
		op, err := ib.Constant(flat, dims...)
		return []backends.Op{op}, err
	})
	if err != nil {
		return nil, err
	}
	n := outs[0].(*node)
	switch v := flat.(type) {
	case []float32:
		if len(v) == 1 && len(dims) == 0 {
			n.isConst, n.constVal = true, float64(v[0])
		}
	case []float64:
		if len(v) == 1 && len(dims) == 0 {
			n.isConst, n.constVal = true, v[0]
		}
	}
	return n, nil
}

// DistributedSPMD implements backends.Builder: only one device is supported.
func (b *Builder) DistributedSPMD(numDevices int) error {
	if numDevices == 1 {
		return nil
	}
	return fmt.Errorf("purego: distributed execution is not supported")
}

// DistributedAutoSharding implements backends.Builder: not supported.
func (b *Builder) DistributedAutoSharding(meshes ...backends.Mesh) error {
	return fmt.Errorf("purego: distributed execution is not supported")
}

// DeviceAssignment implements backends.Builder: only device 0.
func (b *Builder) DeviceAssignment(devices ...backends.DeviceNum) error {
	for _, d := range devices {
		if d != 0 {
			return fmt.Errorf("purego: only device 0 exists")
		}
	}
	return nil
}

// AllReduce implements backends.Builder: not supported.
func (b *Builder) AllReduce(operands []backends.Op, reductionType backends.ReduceOpType, replicaGroups [][]int) ([]backends.Op, error) {
	return nil, fmt.Errorf("purego: AllReduce (distributed execution) is not supported")
}
