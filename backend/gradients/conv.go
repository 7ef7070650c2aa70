package gradients

import (
	"fmt"
	"reflect"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// gomlxConvVJP is GoMLX's own VJP of ConvGeneral, saved by init before groupedConvVJP replaces it.
var gomlxConvVJP graph.VJP

// GoMLXConvGeneralVJP calls GoMLX's original VJP of ConvGeneral (the one this package replaced). It is
// what groupedConvVJP delegates to outside channel-grouped convolutions; tests compare against it.
func GoMLXConvGeneralVJP(node *graph.Node, vjpOutputs []*graph.Node, outputShape shapes.Shape) []*graph.Node {
	if gomlxConvVJP == nil {
		panic("gradients: GoMLX has no VJP registered for ConvGeneral")
	}
	return gomlxConvVJP(node, vjpOutputs, outputShape)
}

// convConfig holds the parameters of a ConvGeneral node.
type convConfig struct {
	axes                                     backends.ConvolveAxesConfig
	strides, inputDilations, kernelDilations []int
	paddings                                 [][2]int
	channelGroups, batchGroups               int
}

func intsOf(v reflect.Value) []int {
	if v.Kind() != reflect.Slice || v.IsNil() {
		return nil
	}
	res := make([]int, v.Len())
	for i := range res {
		res[i] = int(v.Index(i).Int())
	}
	return res
}

// readConvConfig reads the parameters of a ConvGeneral node from its (unexported) inputs record.
func readConvConfig(node *graph.Node) convConfig {
	var c convConfig
	a := nodeParam(node, "axes")
	field := func(name string) reflect.Value {
		f := a.FieldByName(name)
		if !f.IsValid() {
			panic(fmt.Sprintf("gradients: ConvolveAxesConfig has no field %q (GoMLX internals changed?)", name))
		}
		return f
	}
	c.axes = backends.ConvolveAxesConfig{
		InputBatch:           int(field("InputBatch").Int()),
		InputChannels:        int(field("InputChannels").Int()),
		InputSpatial:         intsOf(field("InputSpatial")),
		KernelInputChannels:  int(field("KernelInputChannels").Int()),
		KernelOutputChannels: int(field("KernelOutputChannels").Int()),
		KernelSpatial:        intsOf(field("KernelSpatial")),
		OutputBatch:          int(field("OutputBatch").Int()),
		OutputChannels:       int(field("OutputChannels").Int()),
		OutputSpatial:        intsOf(field("OutputSpatial")),
	}
	c.strides = intsOf(nodeParam(node, "strides"))
	c.inputDilations = intsOf(nodeParam(node, "inputDilations"))
	c.kernelDilations = intsOf(nodeParam(node, "kernelDilations"))
	if p := nodeParam(node, "paddings"); !p.IsNil() {
		c.paddings = make([][2]int, p.Len())
		for i := range c.paddings {
			c.paddings[i] = [2]int{int(p.Index(i).Index(0).Int()), int(p.Index(i).Index(1).Int())}
		}
	}
	c.channelGroups = int(nodeParam(node, "channelGroupCount").Int())
	c.batchGroups = int(nodeParam(node, "batchGroupCount").Int())
	return c
}

// at returns s[i], or def when s is shorter (GoMLX passes nil for "all ones" / "no padding").
func at[T any](s []T, i int, def T) T {
	if i < len(s) {
		return s[i]
	}
	return def
}

// groupedConvVJP replaces GoMLX's VJP of ConvGeneral for channel-grouped convolutions (G > 1, without
// input dilation), which GoMLX computes with 2·G convolutions on slices; here each gradient is one
// convolution. Everything else goes to GoMLX's VJP.
//
// Notation (one spatial axis shown; each spatial axis is independent): x [N, C = G·Cg, S], kernel
// K [k, Cg, O = G·Og], stride s, kernel dilation d, padding (pl, ph), output y [N, O, T]:
//
//	y[n, g·Og+j, t] = Σ_{c<Cg, i} x[n, g·Cg+c, t·s + i·d − pl] · K[i, c, g·Og+j].
//
// Input gradient: dx[n, g·Cg+c, p] = Σ_{j, t, i: p = t·s + i·d − pl} v[n, g·Og+j, t] · K[i, c, g·Og+j],
// a G-grouped convolution of v (input dilation s, so that v[t] sits at t·s) with the spatially reversed
// kernel K'[i', j, g·Cg+c] = K[k−1−i', c, g·Og+j] (axes [k, Og, G·Cg]: the kernel's out axis split into
// [G, Og], Og moved to the input-channel position and G merged, group-major, into the output channels),
// kernel dilation d, padding (keff−1−pl, S−1−(T−1)·s+pl) with keff = (k−1)·d+1 so that the output has
// exactly S positions.
//
// Kernel gradient: dK[i, c, g·Og+j] = Σ_{n, t} x[n, g·Cg+c, t·s + i·d − pl] · v[n, g·Og+j, t], one
// convolution with batch groups: x read with batch and channel axes exchanged (batch = C, features = N),
// v as the kernel (in = N, out = O, spatial = T), batchGroupCount = G (input batch group g = channels
// g·Cg…, output-feature group g = out channels g·Og…), stride d, kernel dilation s, padding
// (pl, (k−1)·d + (T−1)·s + 1 − S − pl) so that the output has exactly k positions; its output batch is
// the kernel's input-channel axis (Cg) and its output channels the kernel's output channels.
func groupedConvVJP(node *graph.Node, vjpOutputs []*graph.Node, outputShape shapes.Shape) []*graph.Node {
	c := readConvConfig(node)
	hasInputDilation := false
	for _, d := range c.inputDilations {
		hasInputDilation = hasInputDilation || d > 1
	}
	if c.channelGroups <= 1 || c.batchGroups > 1 || hasInputDilation {
		return GoMLXConvGeneralVJP(node, vjpOutputs, outputShape)
	}
	x, kernel := node.Inputs()[0], node.Inputs()[1]
	v := vjpOutputs[0]
	return []*graph.Node{groupedConvGradX(c, x, kernel, v), groupedConvGradKernel(c, x, kernel, v)}
}

// groupedConvGradX returns the gradient w.r.t. the input of a channel-grouped convolution (see groupedConvVJP).
func groupedConvGradX(c convConfig, x, kernel, v *graph.Node) *graph.Node {
	ax := c.axes
	r := len(ax.InputSpatial)
	G := c.channelGroups
	xDims, kDims, vDims := x.Shape().Dimensions, kernel.Shape().Dimensions, v.Shape().Dimensions

	// Kernel in canonical layout [k…, Cg, O], spatially reversed.
	perm := append(append([]int(nil), ax.KernelSpatial...), ax.KernelInputChannels, ax.KernelOutputChannels)
	kc := kernel
	if !isIdentityPerm(perm) {
		kc = graph.TransposeAllDims(kernel, perm...)
	}
	spatialAxes := make([]int, r)
	kSizes := make([]int, r)
	for i := range spatialAxes {
		spatialAxes[i] = i
		kSizes[i] = kDims[ax.KernelSpatial[i]]
	}
	kc = graph.Reverse(kc, spatialAxes...)
	// Regroup [k…, Cg, G·Og] → [k…, Cg, G, Og] → [k…, Og, G, Cg] → [k…, Og, G·Cg].
	cg, o := kDims[ax.KernelInputChannels], kDims[ax.KernelOutputChannels]
	og := o / G
	if cg > 1 || og > 1 {
		kc = graph.Reshape(kc, append(append([]int(nil), kSizes...), cg, G, og)...)
		regroup := append(append([]int(nil), spatialAxes...), r+2, r+1, r)
		kc = graph.TransposeAllDims(kc, regroup...)
	}
	kc = graph.Reshape(kc, append(append([]int(nil), kSizes...), og, G*cg)...)

	revAxes := backends.ConvolveAxesConfig{
		InputBatch: ax.OutputBatch, InputChannels: ax.OutputChannels, InputSpatial: ax.OutputSpatial,
		KernelInputChannels: r, KernelOutputChannels: r + 1, KernelSpatial: spatialAxes,
		OutputBatch: ax.InputBatch, OutputChannels: ax.InputChannels, OutputSpatial: ax.InputSpatial,
	}
	paddings := make([][2]int, r)
	inDil := make([]int, r)
	kDil := make([]int, r)
	for a := 0; a < r; a++ {
		s, d := at(c.strides, a, 1), at(c.kernelDilations, a, 1)
		pad := at(c.paddings, a, [2]int{})
		S, T := xDims[ax.InputSpatial[a]], vDims[ax.OutputSpatial[a]]
		keff := (kSizes[a]-1)*d + 1
		paddings[a] = [2]int{keff - 1 - pad[0], S - 1 - (T-1)*s + pad[0]}
		inDil[a], kDil[a] = s, d
	}
	return graph.ConvGeneral(v, kc, revAxes, nil, paddings, inDil, kDil, G, 1)
}

// groupedConvGradKernel returns the gradient w.r.t. the kernel of a channel-grouped convolution (see
// groupedConvVJP).
func groupedConvGradKernel(c convConfig, x, kernel, v *graph.Node) *graph.Node {
	ax := c.axes
	r := len(ax.InputSpatial)
	xDims, kDims, vDims := x.Shape().Dimensions, kernel.Shape().Dimensions, v.Shape().Dimensions
	revAxes := backends.ConvolveAxesConfig{
		InputBatch: ax.InputChannels, InputChannels: ax.InputBatch, InputSpatial: ax.InputSpatial,
		KernelInputChannels: ax.OutputBatch, KernelOutputChannels: ax.OutputChannels, KernelSpatial: ax.OutputSpatial,
		OutputBatch: ax.KernelInputChannels, OutputChannels: ax.KernelOutputChannels, OutputSpatial: ax.KernelSpatial,
	}
	strides := make([]int, r)
	kDil := make([]int, r)
	paddings := make([][2]int, r)
	for a := 0; a < r; a++ {
		s, d := at(c.strides, a, 1), at(c.kernelDilations, a, 1)
		pad := at(c.paddings, a, [2]int{})
		S, T, k := xDims[ax.InputSpatial[a]], vDims[ax.OutputSpatial[a]], kDims[ax.KernelSpatial[a]]
		strides[a], kDil[a] = d, s
		paddings[a] = [2]int{pad[0], (k-1)*d + (T-1)*s + 1 - S - pad[0]}
	}
	return graph.ConvGeneral(x, v, revAxes, strides, paddings, nil, kDil, 1, c.channelGroups)
}

func isIdentityPerm(perm []int) bool {
	for i, p := range perm {
		if i != p {
			return false
		}
	}
	return true
}
