package spaces

import (
	"math"
	"testing"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TestTorchUniformMoments draws a large tensor from TorchUniform for several fan-ins and dtypes and
// checks it against PyTorch's formula, U(−b, b) with b = 1/√fan_in (kaiming_uniform_ with a = √5, the
// default of nn.Conv2d and nn.Linear, and their bias): every value in [−b, b), both ends approached,
// the mean 0 and the variance b²/3 within 5 standard errors (Var x = b²/3, Var x² = 4b⁴/45).
func TestTorchUniformMoments(t *testing.T) {
	be := backend.MustNew()
	const n = 200_000
	for _, c := range []struct {
		fanIn int
		dtype dtypes.DType
	}{{1, dtypes.Float64}, {27, dtypes.Float64}, {576, dtypes.Float32}, {16 * 9, dtypes.Float32}} {
		ctx := context.New()
		if err := ctx.SetRNGStateFromSeed(int64(c.fanIn)); err != nil {
			t.Fatal(err)
		}
		init := TorchUniform(ctx, c.fanIn)
		exec := context.MustNewExec(be, ctx, func(ctx *context.Context, g *graph.Graph) *graph.Node {
			return graph.ConvertDType(init(g, shapes.Make(c.dtype, n)), dtypes.Float64)
		})
		vals := tensors.MustCopyFlatData[float64](exec.MustExec()[0])
		b := 1 / math.Sqrt(float64(c.fanIn))
		if got := TorchUniformBound(c.fanIn); got != b {
			t.Errorf("fan-in %d: bound %v, want %v", c.fanIn, got, b)
		}
		var sum, sumSq, lo, hi float64
		lo, hi = math.Inf(1), math.Inf(-1)
		for _, v := range vals {
			sum += v
			sumSq += v * v
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		mean := sum / n
		variance := sumSq/n - mean*mean
		if lo < -b || hi > b {
			t.Errorf("fan-in %d %s: values in [%v, %v], outside [−%v, %v]", c.fanIn, c.dtype, lo, hi, b, b)
		}
		// The extremes of n uniform draws are within ~b·10/n of the ends.
		if lo > -b*(1-20.0/n) || hi < b*(1-20.0/n) {
			t.Errorf("fan-in %d %s: extremes %v, %v do not reach ±%v: not uniform on the full support", c.fanIn, c.dtype, lo, hi, b)
		}
		seMean := b / math.Sqrt(3*n)
		seVar := math.Sqrt(4.0/45/n) * b * b
		if math.Abs(mean) > 5*seMean {
			t.Errorf("fan-in %d %s: mean %v, want 0 ± %v", c.fanIn, c.dtype, mean, 5*seMean)
		}
		if want := b * b / 3; math.Abs(variance-want) > 5*seVar {
			t.Errorf("fan-in %d %s: variance %v, want b²/3 = %v ± %v", c.fanIn, c.dtype, variance, want, 5*seVar)
		}
		t.Logf("fan-in %d %s: b %.5f, mean %.2e, variance %.6g (b²/3 %.6g), range [%.5f, %.5f]", c.fanIn, c.dtype, b, mean, variance, b*b/3, lo, hi)
	}
}

// TestConvFanIn: the fan-in torch.nn.init computes from a conv weight [out, in/groups, kh, kw].
func TestConvFanIn(t *testing.T) {
	for _, c := range []struct{ in, groups, kh, kw, want int }{{3, 1, 3, 3, 27}, {16, 16, 5, 5, 25}, {16, 1, 1, 1, 16}, {8, 2, 3, 3, 36}} {
		if got := ConvFanIn(c.in, c.groups, c.kh, c.kw); got != c.want {
			t.Errorf("ConvFanIn(%d, %d, %d, %d) = %d, want %d", c.in, c.groups, c.kh, c.kw, got, c.want)
		}
	}
}
