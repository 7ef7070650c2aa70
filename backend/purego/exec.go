package purego

import (
	"fmt"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// Executable runs the stages of a compiled purego graph.
type Executable struct {
	be      *Backend
	name    string
	nodes   int
	params  []*node
	stages  []*stage
	outputs []*node
	// freeAfter[step] lists intermediate values whose last use is that step; steps number each
	// stage executable and each custom op in execution order.
	freeAfter [][]*node
	live      []bool
	flops     int64 // FLOPs of the live convolutions and dot products (flops.go), added per Execute
}

var _ backends.Executable = (*Executable)(nil)

// Compile implements backends.Builder: it keeps the live part of the graph, replays each stage's
// live simplego calls into a fresh simplego builder and compiles it.
func (b *Builder) Compile(outputs []backends.Op, shardings []*backends.ShardingSpec) (backends.Executable, error) {
	if len(shardings) != 0 {
		return nil, fmt.Errorf("purego: sharding is not supported")
	}
	outNodes, err := b.check("Compile", outputs...)
	if err != nil {
		return nil, err
	}
	b.compiled = true

	// Liveness: walk back from the outputs (nodes are in creation order, a topological order).
	live := make([]bool, len(b.nodes))
	for _, n := range outNodes {
		live[n.idx] = true
	}
	for i := len(b.nodes) - 1; i >= 0; i-- {
		n := b.nodes[i]
		if !live[i] {
			continue
		}
		var ins []*node
		if n.call != nil {
			ins = n.call.inputs
		} else if n.custom != nil {
			ins = n.custom.inputs
		}
		for _, in := range ins {
			live[in.idx] = true
		}
	}
	callLive := func(outs []*node) bool {
		for _, o := range outs {
			if live[o.idx] {
				return true
			}
		}
		return false
	}

	// Which native values each stage must return: those used by live custom ops, by later stages
	// or by the caller.
	needed := make([]map[*node]bool, len(b.stages))
	for i := range needed {
		needed[i] = map[*node]bool{}
	}
	need := func(n *node) {
		if n.call != nil {
			needed[n.stage][n] = true
		}
	}
	for _, n := range outNodes {
		need(n)
	}
	for _, st := range b.stages {
		for _, c := range st.customs {
			if callLive(c.outputs) {
				for _, in := range c.inputs {
					need(in)
				}
			}
		}
	}

	for t, st := range b.stages {
		for _, c := range st.calls {
			if callLive(c.outputs) {
				for _, in := range c.inputs {
					if in.call != nil && in.stage < t {
						need(in)
					}
				}
			}
		}
	}

	// Replay each stage's live calls into a fresh builder. Values from elsewhere become parameters.
	for s, st := range b.stages {
		st.exec, st.imports, st.outNodes = nil, nil, nil
		rb := b.be.Backend.Builder(fmt.Sprintf("%s#%d", b.name, s))
		imported := map[*node]backends.Op{}
		replayed := map[*node]backends.Op{}
		opOf := func(n *node) (backends.Op, error) {
			if op, ok := replayed[n]; ok {
				return op, nil
			}
			if _, ok := imported[n]; !ok {
				st.imports = append(st.imports, n)
			}
			return importInto(rb, imported, n)
		}
		for _, call := range st.calls {
			if !callLive(call.outputs) {
				continue
			}
			in := make([]backends.Op, len(call.inputs))
			for i, n := range call.inputs {
				if in[i], err = opOf(n); err != nil {
					return nil, err
				}
			}
			outs, err := call.build(rb, in)
			if err != nil {
				return nil, fmt.Errorf("purego: replaying %s in stage %d: %w", call.name, s, err)
			}
			for i, o := range call.outputs {
				replayed[o] = outs[i]
			}
		}
		var ops []backends.Op
		for _, n := range b.nodes {
			if n.stage == s && n.call != nil && needed[s][n] {
				st.outNodes = append(st.outNodes, n)
				ops = append(ops, replayed[n])
			}
		}
		if len(ops) == 0 {
			st.imports = nil
			continue
		}
		if st.exec, err = rb.Compile(ops, nil); err != nil {
			return nil, fmt.Errorf("purego: compiling stage %d of %q: %w", s, b.name, err)
		}
	}

	// Steps (each stage executable, then each live custom op) and the last use of each value.
	lastUse := make(map[*node]int)
	step := 0
	for _, st := range b.stages {
		for _, n := range st.imports {
			lastUse[n] = step
		}
		step++
		for _, c := range st.customs {
			if callLive(c.outputs) {
				for _, n := range c.inputs {
					lastUse[n] = step
				}
			}
			step++
		}
	}
	isOutput := map[*node]bool{}
	for _, n := range outNodes {
		isOutput[n] = true
	}
	freeAfter := make([][]*node, step)
	for n, s := range lastUse {
		if !isOutput[n] && n.paramIdx < 0 {
			freeAfter[s] = append(freeAfter[s], n)
		}
	}
	var flops int64
	for _, st := range b.stages {
		for _, c := range st.calls {
			if callLive(c.outputs) {
				flops += c.flops
			}
		}
		for _, c := range st.customs {
			if callLive(c.outputs) {
				flops += c.flops
			}
		}
	}
	return &Executable{be: b.be, name: b.name, nodes: len(b.nodes), params: b.params, stages: b.stages,
		outputs: outNodes, freeAfter: freeAfter, live: live, flops: flops}, nil
}

// Finalize implements backends.Executable.
func (e *Executable) Finalize() {
	for _, st := range e.stages {
		if st.exec != nil {
			st.exec.Finalize()
			st.exec = nil
		}
	}
}

// Inputs implements backends.Executable.
func (e *Executable) Inputs() (names []string, inputShapes []shapes.Shape) {
	if len(e.stages) == 0 {
		return nil, nil
	}
	for _, p := range e.params {
		inputShapes = append(inputShapes, p.shape)
	}
	// Names come from the stage-0 simplego builder only after compile; keep our own.
	names = make([]string, len(e.params))
	for i := range names {
		names[i] = fmt.Sprintf("p%d", i)
	}
	return names, inputShapes
}

// Outputs implements backends.Executable.
func (e *Executable) Outputs() (outputShapes []shapes.Shape) {
	for _, n := range e.outputs {
		outputShapes = append(outputShapes, n.shape)
	}
	return outputShapes
}

// Execute implements backends.Executable. Donated inputs are not reused (they are left to the garbage collector).
func (e *Executable) Execute(inputs []backends.Buffer, donate []bool, device backends.DeviceNum) ([]backends.Buffer, error) {
	if len(inputs) != len(e.params) {
		return nil, fmt.Errorf("purego: %q takes %d inputs, got %d", e.name, len(e.params), len(inputs))
	}
	vals := make([]backends.Buffer, e.nodes)
	for i, p := range e.params {
		vals[p.idx] = inputs[i]
	}
	release := func(step int) {
		for _, n := range e.freeAfter[step] {
			if buf := vals[n.idx]; buf != nil {
				_ = e.be.BufferFinalize(buf)
				vals[n.idx] = nil
			}
		}
	}
	step := 0
	for s, st := range e.stages {
		if st.exec != nil {
			args := make([]backends.Buffer, len(st.imports))
			for i, n := range st.imports {
				args[i] = vals[n.idx]
			}
			outs, err := st.exec.Execute(args, nil, device)
			if err != nil {
				return nil, fmt.Errorf("purego: %q stage %d: %w", e.name, s, err)
			}
			for i, n := range st.outNodes {
				vals[n.idx] = outs[i]
			}
		}
		release(step)
		step++
		for _, c := range st.customs {
			if !e.live[c.outputs[0].idx] && !anyLive(e.live, c.outputs) {
				release(step)
				step++
				continue
			}
			in := make([]backends.Buffer, len(c.inputs))
			for i, n := range c.inputs {
				in[i] = vals[n.idx]
				if in[i] == nil {
					return nil, fmt.Errorf("purego: %q: internal error: input %d of %s not computed", e.name, i, c.name)
				}
			}
			outs, err := runKernel(c, e.be, in)
			if err != nil {
				return nil, fmt.Errorf("purego: %s: %w", c.name, err)
			}
			for i, n := range c.outputs {
				vals[n.idx] = outs[i]
			}
			release(step)
			step++
		}
	}
	executedFLOPs.Add(e.flops)
	results := make([]backends.Buffer, len(e.outputs))
	seen := map[backends.Buffer]bool{}
	for i, n := range e.outputs {
		buf := vals[n.idx]
		if n.paramIdx >= 0 || seen[buf] {
			// Never hand the caller's own input (or one buffer twice) back as an output.
			cp, err := e.cloneBuffer(buf)
			if err != nil {
				return nil, err
			}
			buf = cp
		}
		seen[buf] = true
		results[i] = buf
	}
	return results, nil
}

func (e *Executable) cloneBuffer(buf backends.Buffer) (backends.Buffer, error) {
	shape, err := e.be.BufferShape(buf)
	if err != nil {
		return nil, err
	}
	src, err := e.be.BufferData(buf)
	if err != nil {
		return nil, err
	}
	return e.be.BufferFromFlatData(0, src, shape)
}

func anyLive(live []bool, nodes []*node) bool {
	for _, n := range nodes {
		if live[n.idx] {
			return true
		}
	}
	return false
}

// runKernel runs a custom op, turning a panic of its kernel into an error.
func runKernel(c *customOp, be *Backend, in []backends.Buffer) (outs []backends.Buffer, err error) {
	defer func() {
		if r := recover(); r != nil {
			outs, err = nil, fmt.Errorf("kernel panic: %v", r)
		}
	}()
	outs, err = c.run(be, in)
	if err == nil && len(outs) != len(c.outputs) {
		err = fmt.Errorf("kernel returned %d outputs, expected %d", len(outs), len(c.outputs))
	}
	return outs, err
}
