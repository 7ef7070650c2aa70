package purego

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// TestLayoutOpsMatchSimplego: purego's Transpose and Slice give simplego's values, for the permutations
// (PC-DARTS's channel shuffle among them) and partial-channel slices of the supernets and others, in float32 and float64; small or strided
// ones stay with simplego.
func TestLayoutOpsMatchSimplego(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	perms := [][]int{{0, 3, 1, 2}, {1, 2, 3, 0}, {3, 2, 1, 0}, {0, 2, 1, 3}}
	slices := [][]graph.SliceAxisSpec{
		{graph.AxisRange(), graph.AxisRange(), graph.AxisRange(), graph.AxisRange(0, 4)},  // partial channels, first quarter
		{graph.AxisRange(), graph.AxisRange(), graph.AxisRange(), graph.AxisRange(4, 16)}, // the rest
		{graph.AxisRange(1, 7), graph.AxisRange(), graph.AxisRange(2, 14), graph.AxisRange()},
		{graph.AxisRange(0, 8), graph.AxisRange(3, 16), graph.AxisRange(), graph.AxisRange()},
	}
	for _, dtype := range []dtypes.DType{dtypes.Float32, dtypes.Float64} {
		x := specialTensor(rng, dtype, 8, 16, 16, 16)
		for _, p := range perms {
			f := func(x *graph.Node) *graph.Node { return graph.TransposeAllAxes(x, p...) }
			sameBits(t, fmt.Sprintf("Transpose %v %s", p, dtype), graph.MustExecOnce(New(), f, clone(t, x)), graph.MustExecOnce(simple(t), f, clone(t, x)))
		}
		// PC-DARTS's channel shuffle, [B, H, W, g, C/g] → [B, H, W, C/g, g] (a gather table per pixel).
		for _, g := range []int{2, 4, 8} {
			f := func(x *graph.Node) *graph.Node {
				return graph.TransposeAllAxes(graph.Reshape(x, 8, 16, 16, g, 16/g), 0, 1, 2, 4, 3)
			}
			sameBits(t, fmt.Sprintf("channel shuffle g=%d %s", g, dtype), graph.MustExecOnce(New(), f, clone(t, x)), graph.MustExecOnce(simple(t), f, clone(t, x)))
		}
		for i, sp := range slices {
			g := func(x *graph.Node) *graph.Node { return graph.Slice(x, sp...) }
			sameBits(t, fmt.Sprintf("Slice %d %s", i, dtype), graph.MustExecOnce(New(), g, clone(t, x)), graph.MustExecOnce(simple(t), g, clone(t, x)))
		}
	}
	// Which ones purego takes: large float transposes and unit-stride slices, not small ones.
	b := New().Builder("t").(*Builder)
	big, err := b.Parameter("big", shapes.Make(dtypes.Float32, 8, 16, 16, 16), nil)
	if err != nil {
		t.Fatal(err)
	}
	small, err := b.Parameter("small", shapes.Make(dtypes.Float32, 2, 4, 4, 4), nil)
	if err != nil {
		t.Fatal(err)
	}
	custom := func(op backends.Op, err error) bool {
		if err != nil {
			t.Fatal(err)
		}
		return op.(*node).custom != nil
	}
	if !custom(b.Transpose(big, 0, 3, 1, 2)) || !custom(b.Slice(big, []int{0, 0, 0, 4}, []int{8, 16, 16, 16}, nil)) {
		t.Error("a large Transpose or Slice did not take purego's kernel")
	}
	if custom(b.Transpose(small, 0, 3, 1, 2)) || custom(b.Slice(big, []int{0, 0, 0, 0}, []int{8, 16, 16, 16}, []int{1, 1, 1, 2})) {
		t.Error("a small Transpose or a strided Slice took purego's kernel")
	}
}
