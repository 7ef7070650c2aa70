package gradients

import (
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
