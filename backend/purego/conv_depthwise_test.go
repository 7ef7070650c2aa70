package purego

import (
	"fmt"
	"github.com/gaeanas/gaeanas/backend/internal/vec"
	"math"
	"math/rand"
	"sync/atomic"
	"testing"

	"github.com/gomlx/gomlx/backends"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// TestDepthwiseRunsSameBits: the depthwise convolution's vector runs give the per-pixel loop's bits,
// forward and through the gradients (whose input gradient is a depthwise convolution too), for the
// DARTS space's shapes: 3×3 and 5×5, dilation 2, stride 1 and 2 (which takes the loop), channel counts
// below, at and above one vector, widths that leave partial runs.
func TestDepthwiseRunsSameBits(t *testing.T) {
	defer func() { vecPaths = true }()
	rng := rand.New(rand.NewSource(3))
	for _, c := range []struct{ h, w, ch, k, dil, stride int }{
		{8, 8, 4, 3, 1, 1}, {9, 7, 8, 3, 1, 1}, {8, 10, 16, 5, 1, 1}, {9, 9, 8, 3, 2, 1}, {7, 11, 12, 5, 2, 1}, {8, 8, 8, 3, 1, 2},
	} {
		name := fmt.Sprintf("%+v", c)
		xs := make([]float32, 2*c.h*c.w*c.ch)
		for i := range xs {
			xs[i] = float32(rng.NormFloat64())
		}
		ks := make([]float32, c.k*c.k*c.ch)
		for i := range ks {
			ks[i] = float32(rng.NormFloat64())
		}
		run := func(vecOn bool) []*tensors.Tensor {
			vecPaths = vecOn
			return MustExecOnceN(New(), func(x, k *Node) []*Node {
				y := Convolve(x, k).ChannelGroupCount(c.ch).Strides(c.stride).Dilations(c.dil).PadSame().Done()
				loss := ReduceAllSum(Mul(y, y))
				g := Gradient(loss, x, k)
				return []*Node{y, g[0], g[1]}
			}, tensors.FromFlatDataAndDimensions(xs, 2, c.h, c.w, c.ch), tensors.FromFlatDataAndDimensions(ks, c.k, c.k, 1, c.ch))
		}
		want := run(false)
		before := depthwiseRunConvs.Load()
		got := run(true)
		if depthwiseRunConvs.Load() == before && c.stride == 1 && vec.Accelerated() {
			t.Fatalf("%s: no depthwise convolution ran as vector runs", name)
		}
		for i := range want {
			w, g := tensors.MustCopyFlatData[float32](want[i]), tensors.MustCopyFlatData[float32](got[i])
			for j := range w {
				if math.Float32bits(w[j]) != math.Float32bits(g[j]) {
					t.Fatalf("%s output %d element %d: %v with runs, %v without", name, i, j, g[j], w[j])
				}
			}
		}
	}
}

// TestIm2colRunsSameBits: convolutions whose im2col takes the strided-copy runs give the per-pixel
// im2col's bits, forward and gradients, on the supernets' 8- and 16-channel 3×3 convolutions and on the
// random configurations of the robustness test (strides, dilations, paddings, groups, both layouts).
func TestIm2colRunsSameBits(t *testing.T) {
	defer func() { vecPaths = true }()
	defer func(on bool) { segPaths = on }(segPaths)
	segPaths = false // the unit-stride convolutions would take conv_segments.go's path, without im2col
	// The supernets' shapes first (kernel rows of 24 and 48 elements: the assembly copy), then random ones.
	fixed := []convCase{
		{b: 2, h: 9, w: 10, c: 8, kh: 3, kw: 3, cout: 8, same: true},
		{b: 1, h: 8, w: 8, c: 16, kh: 3, kw: 3, cout: 16, same: true},
		{b: 1, h: 9, w: 9, c: 8, kh: 3, kw: 3, cout: 16, stride: [2]int{2, 2}, same: true},
	}
	hits := samePathBits(t, 17, 60, fixed, func(cc convCase) bool { return cc.kw >= 2 }, &vecPaths, &im2colRunBlocks)
	if hits < 10 && vec.Accelerated() { // the runs are vec's assembly copies
		t.Errorf("only %d of the 60 cases wrote patches with strided copies", hits)
	}
}

// samePathBits runs n convolution cases (the fixed ones first, then random ones of the robustness test
// that keep passes true) with *on false and true, requires the same bits of the forward value and both
// gradients, and returns how many cases moved counter (took the path *on switches).
func samePathBits(t *testing.T, seed int64, n int, fixed []convCase, keep func(convCase) bool, on *bool, counter *atomic.Int64) (hits int) {
	t.Helper()
	rng := rand.New(rand.NewSource(seed))
	for i := range n {
		cc := randomConvCase(rng, i, true)
		for !keep(cc) {
			cc = randomConvCase(rng, i, true)
		}
		if i < len(fixed) {
			cc = fixed[i]
		}
		name := fmt.Sprintf("%+v", cc)
		run := func(v bool) []*tensors.Tensor {
			*on = v
			return cc.runWithGrads(t, New(), rand.New(rand.NewSource(int64(i))))
		}
		want := run(false)
		before := counter.Load()
		got := run(true)
		if counter.Load() > before {
			hits++
		}
		for o := range want {
			w, g := tensors.MustCopyFlatData[float32](want[o]), tensors.MustCopyFlatData[float32](got[o])
			for j := range w {
				if math.Float32bits(w[j]) != math.Float32bits(g[j]) {
					t.Fatalf("%s output %d element %d: %v with the path, %v without", name, o, j, g[j], w[j])
				}
			}
		}
	}
	return hits
}

// runWithGrads runs the case in float32 on b: the convolution and the gradients of Σ y² with respect to
// its input and kernel.
func (cc convCase) runWithGrads(t *testing.T, b backends.Backend, rng *rand.Rand) []*tensors.Tensor {
	t.Helper()
	x, k := cc.data(rng)
	f32 := func(a arr) *tensors.Tensor {
		v := make([]float32, len(a.v))
		for i, e := range a.v {
			v[i] = float32(e)
		}
		return tensors.FromFlatDataAndDimensions(v, a.dims...)
	}
	conv := cc.graphFn()
	return MustExecOnceN(b, func(x, k *Node) []*Node {
		y := conv(x, k)
		g := Gradient(ReduceAllSum(Mul(y, y)), x, k)
		return []*Node{y, g[0], g[1]}
	}, f32(x), f32(k))
}

// TestDepthwiseKernelGrad: the kernel gradient of a depthwise convolution runs as depthwiseKernelGrad
// (float32), for the DARTS space's shapes (3×3 and 5×5, dilation 1 and 2, stride 1 and 2, channel
// counts below, at and above one vector, odd sizes), and lies within its rounding-error bound of the
// float64 gradient (im2col + GEMM in float64, near exact): each of its sums passes every term through
// at most 1 + B·GH + GW roundings (the product, the row accumulator over the batch and g's rows, the
// final sum over g's columns), so |got − exact| ≤ γ_k·Σ|terms| with γ_k = k·u/(1 − k·u), u = 2⁻²⁴;
// Σ|terms| is the float64 gradient of the same graph on |x| and |w|.
func TestDepthwiseKernelGrad(t *testing.T) {
	rng := rand.New(rand.NewSource(5))
	be := New()
	const batch = 3
	for _, c := range []struct{ h, w, ch, k, dil, stride int }{
		{8, 8, 4, 3, 1, 1}, {9, 7, 8, 3, 1, 1}, {8, 10, 16, 5, 1, 1}, {9, 9, 8, 3, 2, 1}, {7, 11, 12, 5, 2, 1},
		{8, 8, 8, 3, 1, 2}, {9, 11, 4, 5, 1, 2}, {16, 16, 16, 3, 2, 1},
	} {
		name := fmt.Sprintf("%+v", c)
		conv := func(x, k *Node) *Node {
			return Convolve(x, k).ChannelGroupCount(c.ch).Strides(c.stride).Dilations(c.dil).PadSame().Done()
		}
		xs := make([]float64, batch*c.h*c.w*c.ch)
		for i := range xs {
			xs[i] = float64(float32(rng.NormFloat64()))
		}
		ks := make([]float64, c.k*c.k*c.ch)
		for i := range ks {
			ks[i] = float64(float32(rng.NormFloat64()))
		}
		x64, k64 := tensors.FromFlatDataAndDimensions(xs, batch, c.h, c.w, c.ch), tensors.FromFlatDataAndDimensions(ks, c.k, c.k, 1, c.ch)
		// The output gradient: a fixed random w of y's shape, through loss = Σ y·w.
		ys := MustExecOnce(be, conv, x64, k64).Shape()
		ws := make([]float64, ys.Size())
		for i := range ws {
			ws[i] = float64(float32(rng.NormFloat64()))
		}
		w64 := tensors.FromFlatDataAndDimensions(ws, ys.Dimensions...)
		grad := func(x, k, w *Node) *Node { return Gradient(ReduceAllSum(Mul(conv(x, k), w)), k)[0] }
		exact := tensors.MustCopyFlatData[float64](MustExecOnce(be, grad, x64, k64, w64))
		abs := tensors.MustCopyFlatData[float64](MustExecOnce(be, func(x, k, w *Node) *Node { return grad(Abs(x), k, Abs(w)) }, x64, k64, w64))
		to32 := func(v []float64, dims ...int) *tensors.Tensor {
			f := make([]float32, len(v))
			for i, e := range v {
				f[i] = float32(e)
			}
			return tensors.FromFlatDataAndDimensions(f, dims...)
		}
		before := dwGradConvs.Load()
		got := tensors.MustCopyFlatData[float32](MustExecOnce(be, grad, to32(xs, x64.Shape().Dimensions...),
			to32(ks, k64.Shape().Dimensions...), to32(ws, ys.Dimensions...)))
		if dwGradConvs.Load() == before {
			t.Fatalf("%s: the kernel gradient did not run as depthwiseKernelGrad", name)
		}
		depth := float64(1 + batch*ys.Dimensions[1] + ys.Dimensions[2])
		u := math.Ldexp(1, -24)
		gamma := depth * u / (1 - depth*u)
		for i := range exact {
			if err, bound := math.Abs(float64(got[i])-exact[i]), gamma*abs[i]+1e-30; err > bound {
				t.Fatalf("%s element %d: %v, exact %v: error %.3g above the bound %.3g", name, i, got[i], exact[i], err, bound)
			}
		}
	}
}
