package gradients

import (
	"reflect"
	"slices"
	"testing"

	"github.com/gaeanas/gaeanas/backend/purego"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// TestParametersReadable checks that the op parameters are read back from GoMLX's nodes exactly as
// given (this breaks, loudly, if GoMLX's internal node records change).
func TestParametersReadable(t *testing.T) {
	g := graph.NewGraph(purego.New(), "params")
	x := graph.Parameter(g, "x", shapes.Make(dtypes.Float32, 4, 5, 6))
	cfg := []backends.PadAxis{{Start: 1, End: -2, Interior: 3}, {Start: -1, End: 4}}
	p := graph.Pad(x, graph.ScalarZero(g, dtypes.Float32), cfg...)
	got := padConfig(p)
	want := append(slices.Clone(cfg), backends.PadAxis{}) // missing axes: no padding
	if !slices.Equal(got, want) {
		t.Errorf("padConfig = %v, want %v", got, want)
	}
	r := graph.Reverse(x, 2, 0)
	if axes := reverseAxes(r); !slices.Equal(axes, []int{2, 0}) {
		t.Errorf("reverseAxes = %v, want [2 0]", axes)
	}
	if graph.VJPRegistration[graph.NodeTypePad] == nil || graph.VJPRegistration[graph.NodeTypeReverse] == nil {
		t.Error("gradients not registered")
	}
}

// TestConvParametersReadable checks that a ConvGeneral node's parameters are read back as given.
func TestConvParametersReadable(t *testing.T) {
	g := graph.NewGraph(purego.New(), "conv-params")
	x := graph.Parameter(g, "x", shapes.Make(dtypes.Float32, 2, 6, 11, 10))
	k := graph.Parameter(g, "k", shapes.Make(dtypes.Float32, 6, 3, 3, 2))
	axes := backends.ConvolveAxesConfig{InputBatch: 0, InputChannels: 1, InputSpatial: []int{2, 3},
		KernelOutputChannels: 0, KernelInputChannels: 3, KernelSpatial: []int{1, 2},
		OutputBatch: 0, OutputChannels: 1, OutputSpatial: []int{2, 3}}
	y := graph.ConvGeneral(x, k, axes, []int{2, 1}, [][2]int{{2, 1}, {0, 3}}, nil, []int{1, 2}, 3, 1)
	c := readConvConfig(y)
	if c.axes.InputBatch != 0 || c.axes.InputChannels != 1 || !slices.Equal(c.axes.InputSpatial, []int{2, 3}) ||
		c.axes.KernelOutputChannels != 0 || c.axes.KernelInputChannels != 3 || !slices.Equal(c.axes.KernelSpatial, []int{1, 2}) ||
		c.axes.OutputBatch != 0 || c.axes.OutputChannels != 1 || !slices.Equal(c.axes.OutputSpatial, []int{2, 3}) {
		t.Errorf("axes = %+v, want %+v", c.axes, axes)
	}
	if !slices.Equal(c.strides, []int{2, 1}) || !slices.Equal(c.paddings, [][2]int{{2, 1}, {0, 3}}) ||
		len(c.inputDilations) != 0 || !slices.Equal(c.kernelDilations, []int{1, 2}) ||
		c.channelGroups != 3 || c.batchGroups != 1 {
		t.Errorf("read %+v", c)
	}
	if gomlxConvVJP == nil || reflect.ValueOf(graph.VJPRegistration[graph.NodeTypeConvGeneral]).Pointer() !=
		reflect.ValueOf(graph.VJP(groupedConvVJP)).Pointer() {
		t.Error("grouped conv VJP not registered (or GoMLX's not saved)")
	}
}

// gradientGraphNodes builds L = Σ w ⊙ conv(x, k) (depthwise 3×3, PadSame) and its gradient w.r.t. x and
// k, and returns the number of nodes of the graph.
func gradientGraphNodes(t *testing.T, b, h, w, c int) int {
	t.Helper()
	g := graph.NewGraph(purego.New(), "depthwise-grad")
	x := graph.Parameter(g, "x", shapes.Make(dtypes.Float32, b, h, w, c))
	k := graph.Parameter(g, "k", shapes.Make(dtypes.Float32, 3, 3, 1, c))
	wt := graph.Parameter(g, "w", shapes.Make(dtypes.Float32, b, h, w, c))
	y := graph.Convolve(x, k).PadSame().ChannelGroupCount(c).Done()
	grads := graph.Gradient(graph.ReduceAllSum(graph.Mul(y, wt)), x, k)
	if !slices.Equal(grads[0].Shape().Dimensions, x.Shape().Dimensions) ||
		!slices.Equal(grads[1].Shape().Dimensions, k.Shape().Dimensions) {
		t.Fatalf("gradient shapes %s, %s", grads[0].Shape(), grads[1].Shape())
	}
	return len(g.Nodes())
}

// TestGroupedConvGraphSize: the gradient graph of a depthwise convolution with C = 32 channels, with
// GoMLX's VJP (registry entry swapped back for the measurement) and with groupedConvVJP.
func TestGroupedConvGraphSize(t *testing.T) {
	const C = 32
	mine := gradientGraphNodes(t, 4, 8, 8, C)
	graph.VJPRegistration[graph.NodeTypeConvGeneral] = gomlxConvVJP
	orig := gradientGraphNodes(t, 4, 8, 8, C)
	graph.VJPRegistration[graph.NodeTypeConvGeneral] = groupedConvVJP
	t.Logf("depthwise conv C=%d, gradient graph: %d nodes with GoMLX's VJP, %d with the grouped VJP (%.1f× fewer)",
		C, orig, mine, float64(orig)/float64(mine))
	if orig < 5*mine {
		t.Errorf("gradient graph: %d nodes with GoMLX's VJP, %d with the grouped VJP: want at least 5× fewer", orig, mine)
	}
}
