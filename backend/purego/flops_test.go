package purego

import (
	"testing"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// TestExecutedFLOPs: the counter adds 2 × multiply-adds of the live convolutions and dot products per
// execution, counted by hand here: a 3×3 same-padded convolution of [2, 8, 8, 3] to 4 channels is
// 2·(2·8·8·4)·(3·3·3) FLOPs, a [5, 6]·[6, 7] product 2·5·7·6; their gradient graph adds the input- and
// kernel-gradient convolutions (as many as the forward each) but no product: GoMLX writes a dot's
// gradient as Mul and ReduceSum (graph/ops_helpers.go dotGeneralVJP), which the counter leaves out. A
// dead op of the graph counts nothing.
func TestExecutedFLOPs(t *testing.T) {
	be := New()
	const conv, dot = 2 * (2 * 8 * 8 * 4) * (3 * 3 * 3), 2 * 5 * 7 * 6
	x := tensors.FromShape(shapes.Make(dtypes.Float32, 2, 8, 8, 3))
	k := tensors.FromShape(shapes.Make(dtypes.Float32, 3, 3, 3, 4))
	a := tensors.FromShape(shapes.Make(dtypes.Float32, 5, 6))
	b := tensors.FromShape(shapes.Make(dtypes.Float32, 6, 7))
	forward := func(x, k, a, b *Node) (*Node, *Node) {
		_ = Dot(a, Transpose(a, 0, 1)) // dead: not an output
		return Convolve(x, k).PadSame().Done(), Dot(a, b)
	}
	run := func(name string, want int64, f func(x, k, a, b *Node) []*Node) {
		t.Helper()
		e := MustNewExec(be, f)
		defer e.Finalize()
		for range 2 {
			before := ExecutedFLOPs()
			if _, err := e.Exec(x, k, a, b); err != nil {
				t.Fatal(err)
			}
			if got := ExecutedFLOPs() - before; got != want {
				t.Errorf("%s: %d FLOPs per execution, want %d", name, got, want)
			}
		}
	}
	run("forward", conv+dot, func(x, k, a, b *Node) []*Node {
		c, d := forward(x, k, a, b)
		return []*Node{c, d}
	})
	run("forward and gradients", 3*conv+dot, func(x, k, a, b *Node) []*Node {
		c, d := forward(x, k, a, b)
		loss := Add(ReduceAllSum(c), ReduceAllSum(d))
		return append([]*Node{loss}, Gradient(loss, x, k, a, b)...)
	})

	// Stride 2 (output 4×4) and a depthwise convolution (3 groups of one channel, 3×3 taps each): the
	// input gradient of the strided one runs on the gradient spread out by the stride, whose inserted
	// zeros do not count, so each gradient costs what the forward does.
	const strided, depthwise = 2 * (2 * 4 * 4 * 4) * (3 * 3 * 3), 2 * (2 * 8 * 8 * 3) * (3 * 3)
	kd := tensors.FromShape(shapes.Make(dtypes.Float32, 3, 3, 1, 3))
	conv2 := func(x, k, kd *Node) (*Node, *Node) {
		return Convolve(x, k).StridePerAxis(2, 2).PadSame().Done(), Convolve(x, kd).PadSame().ChannelGroupCount(3).Done()
	}
	for _, c := range []struct {
		name string
		want int64
		f    func(x, k, kd *Node) []*Node
	}{
		{"strided and depthwise", strided + depthwise, func(x, k, kd *Node) []*Node {
			s, d := conv2(x, k, kd)
			return []*Node{s, d}
		}},
		{"strided and depthwise with gradients", 3 * (strided + depthwise), func(x, k, kd *Node) []*Node {
			s, d := conv2(x, k, kd)
			loss := Add(ReduceAllSum(s), ReduceAllSum(d))
			return append([]*Node{loss}, Gradient(loss, x, k, kd)...)
		}},
	} {
		e := MustNewExec(be, c.f)
		before := ExecutedFLOPs()
		if _, err := e.Exec(x, k, kd); err != nil {
			t.Fatal(err)
		}
		if got := ExecutedFLOPs() - before; got != c.want {
			t.Errorf("%s: %d FLOPs, want %d", c.name, got, c.want)
		}
		e.Finalize()
	}
}
