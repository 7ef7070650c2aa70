// Package gradients completes GoMLX v0.26.0's reverse-mode autodiff with the gradients it lacks for
// ops that gaeanas models and tests use: Pad (w.r.t. the operand and the fill value) and Reverse, and
// replaces the VJP of channel-grouped convolutions (GoMLX's builds 2·G convolutions on slices, one per
// group; see groupedConvVJP in conv.go) by one with a single convolution per gradient.
//
// GoMLX looks gradients up in graph.VJPRegistration by node type; importing this package (package
// backend does, so every gaeanas program has it) registers the missing entries. The op parameters
// (padding per axis, reversed axes) are not exported by GoMLX's graph nodes, so they are read from the
// node by reflection; TestParametersReadable guards that against a change of GoMLX's internals.
package gradients

import (
	"fmt"
	"reflect"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

func init() {
	if _, ok := graph.VJPRegistration[graph.NodeTypePad]; !ok {
		graph.VJPRegistration[graph.NodeTypePad] = padVJP
	}
	if _, ok := graph.VJPRegistration[graph.NodeTypeReverse]; !ok {
		graph.VJPRegistration[graph.NodeTypeReverse] = reverseVJP
	}
	// Channel-grouped convolutions (depthwise ones included): one convolution per gradient instead of
	// GoMLX's 2·G; every other convolution still goes to GoMLX's own VJP, saved here.
	if gomlxConvVJP == nil {
		gomlxConvVJP = graph.VJPRegistration[graph.NodeTypeConvGeneral]
		graph.VJPRegistration[graph.NodeTypeConvGeneral] = groupedConvVJP
	}
}

// nodeParam reads the unexported parameter field name of the node's inputs record.
func nodeParam(node *graph.Node, field string) reflect.Value {
	v := reflect.ValueOf(node).Elem().FieldByName("inputs")
	if !v.IsValid() || v.IsNil() {
		panic(fmt.Sprintf("gradients: GoMLX node %s has no readable inputs record (GoMLX internals changed?)", node.Type()))
	}
	f := v.Elem().Elem().FieldByName(field)
	if !f.IsValid() {
		panic(fmt.Sprintf("gradients: GoMLX node %s has no parameter %q (GoMLX internals changed?)", node.Type(), field))
	}
	return f
}

// padConfig returns the PadAxis list of a Pad node, one entry per axis of its operand.
func padConfig(node *graph.Node) []backends.PadAxis {
	f := nodeParam(node, "axesConfig")
	cfg := make([]backends.PadAxis, node.Inputs()[0].Rank())
	for i := 0; i < f.Len() && i < len(cfg); i++ {
		e := f.Index(i)
		cfg[i] = backends.PadAxis{Start: int(e.FieldByName("Start").Int()), End: int(e.FieldByName("End").Int()),
			Interior: int(e.FieldByName("Interior").Int())}
	}
	return cfg
}

// reverseAxes returns the reversed axes of a Reverse node.
func reverseAxes(node *graph.Node) []int {
	f := nodeParam(node, "axes")
	axes := make([]int, f.Len())
	for i := range axes {
		axes[i] = int(f.Index(i).Int())
	}
	return axes
}

// padVJP: y = Pad(x, c). Element j of x along an axis sits at s + j·(i+1) in y (start s, interior i)
// when that is inside y; elements cropped away by a negative start or end get no gradient. So dx is v,
// first re-extended by the cropped amounts, then sliced with stride i+1; dc is the sum of v over the
// padding positions, Σv − Σdx.
func padVJP(node *graph.Node, vjpOutputs []*graph.Node, _ shapes.Shape) []*graph.Node {
	v := vjpOutputs[0]
	x, fill := node.Inputs()[0], node.Inputs()[1]
	cfg := padConfig(node)
	g := v.Graph()
	zero := graph.ScalarZero(g, v.DType())

	// Undo the cropping: pad v back with zeros where start/end were negative.
	extend := make([]backends.PadAxis, len(cfg))
	needExtend := false
	for a, p := range cfg {
		extend[a] = backends.PadAxis{Start: max(0, -p.Start), End: max(0, -p.End)}
		needExtend = needExtend || extend[a] != backends.PadAxis{}
	}
	if needExtend {
		v = graph.Pad(v, zero, extend...)
	}
	specs := make([]graph.SliceAxisSpec, len(cfg))
	for a, p := range cfg {
		d := x.Shape().Dimensions[a]
		start := max(p.Start, 0)
		if d == 0 {
			specs[a] = graph.AxisRange(start, start)
			continue
		}
		specs[a] = graph.AxisRange(start, start+(d-1)*(p.Interior+1)+1).Stride(p.Interior + 1)
	}
	dx := graph.Slice(v, specs...)
	dFill := graph.Sub(graph.ReduceAllSum(vjpOutputs[0]), graph.ReduceAllSum(dx))
	return []*graph.Node{dx, graph.Reshape(dFill, fill.Shape().Dimensions...)}
}

// reverseVJP: the gradient of Reverse is the reversed adjoint.
func reverseVJP(node *graph.Node, vjpOutputs []*graph.Node, _ shapes.Shape) []*graph.Node {
	return []*graph.Node{graph.Reverse(vjpOutputs[0], reverseAxes(node)...)}
}
