package purego

// Forward tests of the ops purego runs with its own kernels, against naive references written here from
// the definitions (plain loops, float64). Shared test helpers live here too.

import (
	"fmt"
	"math"
	"math/rand"
	"testing"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/core/tensors/images"
)

// ---- helpers ------------------------------------------------------------------------------------

// arr is a dense row-major float64 array used by the references.
type arr struct {
	v    []float64
	dims []int
}

func numel(dims []int) int {
	n := 1
	for _, d := range dims {
		n *= d
	}
	return n
}

func randArr(rng *rand.Rand, dims ...int) arr {
	v := make([]float64, numel(dims))
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return arr{v, append([]int(nil), dims...)}
}

// distinctArr has pairwise distinct values (at least 0.8/√n apart): no ties for max pooling.
func distinctArr(rng *rand.Rand, dims ...int) arr {
	n := numel(dims)
	v := make([]float64, n)
	for i, p := range rng.Perm(n) {
		v[i] = (float64(p) - float64(n)/2 + 0.2*rng.Float64()) / math.Sqrt(float64(n))
	}
	return arr{v, append([]int(nil), dims...)}
}

// tensor returns a new (host) tensor of a, in float64 or float32.
func (a arr) tensor(dtype dtypes.DType) *tensors.Tensor {
	if dtype == dtypes.Float32 {
		v := make([]float32, len(a.v))
		for i, x := range a.v {
			v[i] = float32(x)
		}
		return tensors.FromFlatDataAndDimensions(v, a.dims...)
	}
	return tensors.FromFlatDataAndDimensions(append([]float64(nil), a.v...), a.dims...)
}

// roundTo32 returns a copy of a with values rounded to float32 (the exact inputs of a float32 run).
func (a arr) roundTo32() arr {
	v := make([]float64, len(a.v))
	for i, x := range a.v {
		v[i] = float64(float32(x))
	}
	return arr{v, a.dims}
}

// fromTensor reads a float32/float64 tensor as an arr.
func fromTensor(t *tensors.Tensor) arr {
	dims := append([]int(nil), t.Shape().Dimensions...)
	switch t.DType() {
	case dtypes.Float64:
		return arr{tensors.MustCopyFlatData[float64](t), dims}
	case dtypes.Float32:
		f := tensors.MustCopyFlatData[float32](t)
		v := make([]float64, len(f))
		for i, x := range f {
			v[i] = float64(x)
		}
		return arr{v, dims}
	}
	panic(fmt.Sprintf("fromTensor: dtype %s", t.DType()))
}

func sameDims(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// compare checks got against want: float64 to an absolute 1e-9·(1+|want|), float32 to a relative 1e-4.
// It returns the max abs error and max relative error.
func compare(t *testing.T, name string, got, want arr, dtype dtypes.DType) (maxAbs float64) {
	t.Helper()
	if !sameDims(got.dims, want.dims) {
		t.Errorf("%s: shape %v, want %v", name, got.dims, want.dims)
		return math.Inf(1)
	}
	tol := 1e-9
	if dtype == dtypes.Float32 {
		tol = 1e-4
	}
	bad := 0
	for i := range want.v {
		d := math.Abs(got.v[i] - want.v[i])
		if !(d <= tol*(1+math.Abs(want.v[i]))) { // also catches NaN
			if bad < 3 {
				t.Errorf("%s: element %d = %g, want %g (diff %g)", name, i, got.v[i], want.v[i], d)
			}
			bad++
		}
		if !(d <= maxAbs) {
			maxAbs = d
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d of %d elements off", name, bad, len(want.v))
	}
	return maxAbs
}

// transposeArr returns a with its axes permuted: result axis i is a's axis perm[i].
func transposeArr(a arr, perm ...int) arr {
	r := len(a.dims)
	outDims := make([]int, r)
	for i, p := range perm {
		outDims[i] = a.dims[p]
	}
	srcStride := make([]int, r)
	s := 1
	for i := r - 1; i >= 0; i-- {
		srcStride[i] = s
		s *= a.dims[i]
	}
	out := make([]float64, len(a.v))
	idx := make([]int, r)
	for o := range out {
		rem := o
		for i := r - 1; i >= 0; i-- {
			idx[i] = rem % outDims[i]
			rem /= outDims[i]
		}
		src := 0
		for i := range idx {
			src += idx[i] * srcStride[perm[i]]
		}
		out[o] = a.v[src]
	}
	return arr{out, outDims}
}

var (
	nchwToNHWC = []int{0, 2, 3, 1}
	nhwcToNCHW = []int{0, 3, 1, 2}
	oihwToHWIO = []int{2, 3, 1, 0}
)

// run executes f on purego with the given inputs.
func run(t *testing.T, be backends.Backend, f func(ins []*Node) *Node, ins ...*tensors.Tensor) *tensors.Tensor {
	t.Helper()
	args := make([]any, len(ins))
	for i, x := range ins {
		args[i] = x
	}
	out, err := ExecOnce(be, f, args...)
	if err != nil {
		t.Fatalf("exec: %+v", err)
	}
	return out
}

// execN builds and runs a multi-output graph once (graph.ExecOnceN only takes single-output functions).
func execN(be backends.Backend, f func(ins []*Node) []*Node, ins ...*tensors.Tensor) ([]*tensors.Tensor, error) {
	e, err := NewExec(be, f)
	if err != nil {
		return nil, err
	}
	defer e.Finalize()
	args := make([]any, len(ins))
	for i, x := range ins {
		args[i] = x
	}
	return e.Exec(args...)
}

// ---- naive references ---------------------------------------------------------------------------

// convSpec describes a 2-D convolution for the reference (NHWC input, HWIO kernel).
type convSpec struct {
	stride, dil [2]int
	pad         [2][2]int
	groups      int
}

func convOutSize(in, k, stride, dil int, pad [2]int) int {
	eff := (k-1)*dil + 1
	return (in+pad[0]+pad[1]-eff)/stride + 1
}

// naiveConv computes the convolution from its definition: x [B,H,W,C], k [KH,KW,C/groups,Cout].
func naiveConv(x, k arr, s convSpec) arr {
	B, H, W, C := x.dims[0], x.dims[1], x.dims[2], x.dims[3]
	KH, KW, KC, CO := k.dims[0], k.dims[1], k.dims[2], k.dims[3]
	g := max(s.groups, 1)
	if KC*g != C || CO%g != 0 {
		panic("naiveConv: bad groups")
	}
	OH := convOutSize(H, KH, s.stride[0], s.dil[0], s.pad[0])
	OW := convOutSize(W, KW, s.stride[1], s.dil[1], s.pad[1])
	coutG := CO / g
	out := make([]float64, B*OH*OW*CO)
	for b := 0; b < B; b++ {
		for oh := 0; oh < OH; oh++ {
			for ow := 0; ow < OW; ow++ {
				for co := 0; co < CO; co++ {
					grp := co / coutG
					sum := 0.0
					for kh := 0; kh < KH; kh++ {
						ih := oh*s.stride[0] - s.pad[0][0] + kh*s.dil[0]
						if ih < 0 || ih >= H {
							continue
						}
						for kw := 0; kw < KW; kw++ {
							iw := ow*s.stride[1] - s.pad[1][0] + kw*s.dil[1]
							if iw < 0 || iw >= W {
								continue
							}
							for ci := 0; ci < KC; ci++ {
								sum += x.v[((b*H+ih)*W+iw)*C+grp*KC+ci] * k.v[((kh*KW+kw)*KC+ci)*CO+co]
							}
						}
					}
					out[((b*OH+oh)*OW+ow)*CO+co] = sum
				}
			}
		}
	}
	return arr{out, []int{B, OH, OW, CO}}
}

// naivePool pools x [B,H,W,C]: "avg" (mean over the window's in-bounds elements, padding excluded),
// "sum" or "max" (padding ignored).
func naivePool(x arr, kind string, win, stride [2]int, pad [2][2]int) arr {
	B, H, W, C := x.dims[0], x.dims[1], x.dims[2], x.dims[3]
	OH := convOutSize(H, win[0], stride[0], 1, pad[0])
	OW := convOutSize(W, win[1], stride[1], 1, pad[1])
	out := make([]float64, B*OH*OW*C)
	for b := 0; b < B; b++ {
		for oh := 0; oh < OH; oh++ {
			for ow := 0; ow < OW; ow++ {
				for c := 0; c < C; c++ {
					sum, mx, n := 0.0, math.Inf(-1), 0
					for i := 0; i < win[0]; i++ {
						ih := oh*stride[0] - pad[0][0] + i
						if ih < 0 || ih >= H {
							continue
						}
						for j := 0; j < win[1]; j++ {
							iw := ow*stride[1] - pad[1][0] + j
							if iw < 0 || iw >= W {
								continue
							}
							v := x.v[((b*H+ih)*W+iw)*C+c]
							sum += v
							mx = math.Max(mx, v)
							n++
						}
					}
					var r float64
					switch kind {
					case "avg":
						r = sum / float64(n)
					case "sum":
						r = sum
					case "max":
						r = mx
					}
					out[((b*OH+oh)*OW+ow)*C+c] = r
				}
			}
		}
	}
	return arr{out, []int{B, OH, OW, C}}
}

// bnStats returns the per-feature mean and biased variance of x over all axes but axis.
func bnStats(x arr, axis int) (mean, variance []float64) {
	C := x.dims[axis]
	inner := numel(x.dims[axis+1:])
	mean, variance = make([]float64, C), make([]float64, C)
	n := float64(len(x.v) / C)
	for i, v := range x.v {
		mean[(i/inner)%C] += v
	}
	for c := range mean {
		mean[c] /= n
	}
	for i, v := range x.v {
		c := (i / inner) % C
		variance[c] += (v - mean[c]) * (v - mean[c])
	}
	for c := range variance {
		variance[c] /= n
	}
	return
}

// naiveBN normalizes x with the given statistics: (x-mean)/sqrt(var+eps)*scale+offset.
func naiveBN(x arr, axis int, scale, offset, mean, variance []float64, eps float64) arr {
	C := x.dims[axis]
	inner := numel(x.dims[axis+1:])
	out := make([]float64, len(x.v))
	for i, v := range x.v {
		c := (i / inner) % C
		out[i] = (v-mean[c])/math.Sqrt(variance[c]+eps)*scale[c] + offset[c]
	}
	return arr{out, append([]int(nil), x.dims...)}
}

// naivePad pads x by definition (negative start/end crop; interior inserts fill between elements).
func naivePad(x arr, fill float64, cfg []backends.PadAxis) arr {
	r := len(x.dims)
	cfgs := make([]backends.PadAxis, r)
	copy(cfgs, cfg)
	outDims := make([]int, r)
	for a := 0; a < r; a++ {
		d := x.dims[a]
		inner := 0
		if d > 0 {
			inner = (d - 1) * cfgs[a].Interior
		}
		outDims[a] = cfgs[a].Start + d + inner + cfgs[a].End
	}
	out := make([]float64, numel(outDims))
	idx := make([]int, r)
	for o := range out {
		rem := o
		for a := r - 1; a >= 0; a-- {
			idx[a] = rem % outDims[a]
			rem /= outDims[a]
		}
		src, ok := 0, true
		for a := 0; a < r && ok; a++ {
			pos := idx[a] - cfgs[a].Start
			step := cfgs[a].Interior + 1
			if pos < 0 || pos%step != 0 || pos/step >= x.dims[a] {
				ok = false
				break
			}
			src = src*x.dims[a] + pos/step
		}
		if ok {
			out[o] = x.v[src]
		} else {
			out[o] = fill
		}
	}
	return arr{out, outDims}
}

// naiveReverse reverses x along axes.
func naiveReverse(x arr, axes ...int) arr {
	r := len(x.dims)
	rev := make([]bool, r)
	for _, a := range axes {
		rev[a] = true
	}
	out := make([]float64, len(x.v))
	idx := make([]int, r)
	for o := range out {
		rem := o
		for a := r - 1; a >= 0; a-- {
			idx[a] = rem % x.dims[a]
			rem /= x.dims[a]
		}
		src := 0
		for a := 0; a < r; a++ {
			i := idx[a]
			if rev[a] {
				i = x.dims[a] - 1 - i
			}
			src = src*x.dims[a] + i
		}
		out[o] = x.v[src]
	}
	return arr{out, append([]int(nil), x.dims...)}
}

// ---- convolution --------------------------------------------------------------------------------

type convCase struct {
	name           string
	b, h, w, c     int
	kh, kw, cout   int
	stride, dil    [2]int
	pad            [2][2]int
	same           bool // use PadSame() in the graph (pad is computed here)
	groups         int
	nchw           bool
	dtypes         []dtypes.DType // nil: float64 only
	distinctInputs bool
}

func (cc convCase) spec() convSpec {
	s := convSpec{stride: cc.stride, dil: cc.dil, pad: cc.pad, groups: max(cc.groups, 1)}
	for i := range 2 {
		if s.stride[i] == 0 {
			s.stride[i] = 1
		}
		if s.dil[i] == 0 {
			s.dil[i] = 1
		}
	}
	if cc.same {
		ks := [2]int{cc.kh, cc.kw}
		for i := range 2 {
			eff := (ks[i]-1)*s.dil[i] + 1
			s.pad[i] = [2]int{(eff - 1) / 2, eff / 2}
		}
	}
	return s
}

// graphFn builds the convolution with GoMLX's Convolve builder.
func (cc convCase) graphFn() func(x, k *Node) *Node {
	s := cc.spec()
	return func(x, k *Node) *Node {
		cb := Convolve(x, k)
		if cc.nchw {
			cb = cb.ChannelsAxis(images.ChannelsFirst)
		}
		if s.stride != [2]int{1, 1} {
			cb = cb.StridePerAxis(s.stride[0], s.stride[1])
		}
		if s.dil != [2]int{1, 1} {
			cb = cb.DilationPerAxis(s.dil[0], s.dil[1])
		}
		if cc.same {
			cb = cb.PadSame()
		} else {
			cb = cb.PaddingPerDim([][2]int{s.pad[0], s.pad[1]})
		}
		if s.groups > 1 {
			cb = cb.ChannelGroupCount(s.groups)
		}
		return cb.Done()
	}
}

// inputs returns x and kernel in the case's layout (NHWC/HWIO or NCHW/OIHW) and the reference output in
// the case's layout.
func (cc convCase) data(rng *rand.Rand) (x, k arr) {
	g := max(cc.groups, 1)
	if cc.nchw {
		x = randArr(rng, cc.b, cc.c, cc.h, cc.w)
		k = randArr(rng, cc.cout, cc.c/g, cc.kh, cc.kw)
	} else {
		x = randArr(rng, cc.b, cc.h, cc.w, cc.c)
		k = randArr(rng, cc.kh, cc.kw, cc.c/g, cc.cout)
	}
	return
}

func (cc convCase) reference(x, k arr) arr {
	if cc.nchw {
		return transposeArr(naiveConv(transposeArr(x, nchwToNHWC...), transposeArr(k, oihwToHWIO...), cc.spec()), nhwcToNCHW...)
	}
	return naiveConv(x, k, cc.spec())
}

var f32and64 = []dtypes.DType{dtypes.Float64, dtypes.Float32}

var convForwardCases = []convCase{
	{name: "3x3/s1/same", b: 2, h: 7, w: 6, c: 4, kh: 3, kw: 3, cout: 5, same: true, dtypes: f32and64},
	{name: "3x3/s2/same/odd", b: 2, h: 7, w: 9, c: 3, kh: 3, kw: 3, cout: 5, stride: [2]int{2, 2}, same: true, dtypes: f32and64},
	{name: "3x3/s2/same/even", b: 1, h: 8, w: 6, c: 3, kh: 3, kw: 3, cout: 2, stride: [2]int{2, 2}, same: true},
	{name: "3x3/s2/nopad/odd", b: 2, h: 9, w: 7, c: 3, kh: 3, kw: 3, cout: 4, stride: [2]int{2, 2}},
	{name: "3x3/s2/nopad/even", b: 1, h: 8, w: 10, c: 5, kh: 3, kw: 3, cout: 3, stride: [2]int{2, 2}},
	{name: "3x3/s3x1/pad1,2", b: 2, h: 10, w: 5, c: 3, kh: 3, kw: 3, cout: 4, stride: [2]int{3, 1}, pad: [2][2]int{{1, 2}, {0, 1}}},
	{name: "3x3/dil2/pad2", b: 2, h: 7, w: 8, c: 3, kh: 3, kw: 3, cout: 4, dil: [2]int{2, 2}, pad: [2][2]int{{2, 2}, {2, 2}}, dtypes: f32and64},
	{name: "5x5/dil2/same", b: 1, h: 11, w: 9, c: 2, kh: 5, kw: 5, cout: 3, dil: [2]int{2, 2}, same: true},
	{name: "grouped2", b: 2, h: 6, w: 7, c: 6, kh: 3, kw: 3, cout: 4, groups: 2, same: true, dtypes: f32and64},
	{name: "grouped3/s2", b: 1, h: 7, w: 7, c: 9, kh: 3, kw: 3, cout: 6, groups: 3, stride: [2]int{2, 2}, same: true},
	{name: "depthwise3x3", b: 2, h: 7, w: 6, c: 5, kh: 3, kw: 3, cout: 5, groups: 5, same: true, dtypes: f32and64},
	{name: "depthwise5x5", b: 2, h: 8, w: 8, c: 3, kh: 5, kw: 5, cout: 3, groups: 3, same: true},
	{name: "depthwise3x3/s2", b: 1, h: 9, w: 8, c: 7, kh: 3, kw: 3, cout: 7, groups: 7, stride: [2]int{2, 2}, same: true},
	{name: "depthwise3x3/dil2", b: 1, h: 9, w: 8, c: 4, kh: 3, kw: 3, cout: 4, groups: 4, dil: [2]int{2, 2}, same: true},
	{name: "depthwise/multiplier2", b: 1, h: 5, w: 6, c: 3, kh: 3, kw: 3, cout: 6, groups: 3, same: true},
	{name: "1x1", b: 2, h: 5, w: 4, c: 6, kh: 1, kw: 1, cout: 7, dtypes: f32and64},
	{name: "1x1/s2", b: 2, h: 5, w: 4, c: 6, kh: 1, kw: 1, cout: 3, stride: [2]int{2, 2}},
	{name: "2x4/non-square-kernel", b: 1, h: 6, w: 9, c: 3, kh: 2, kw: 4, cout: 2, pad: [2][2]int{{1, 0}, {2, 1}}},
	{name: "batch1/1x1-image", b: 1, h: 1, w: 1, c: 3, kh: 3, kw: 3, cout: 2, same: true},
	{name: "nchw/3x3/s1/same", b: 2, h: 6, w: 5, c: 3, kh: 3, kw: 3, cout: 5, same: true, nchw: true, dtypes: f32and64},
	{name: "nchw/3x3/s2/same", b: 2, h: 7, w: 8, c: 5, kh: 3, kw: 3, cout: 3, stride: [2]int{2, 2}, same: true, nchw: true},
	{name: "nchw/depthwise3x3", b: 1, h: 6, w: 9, c: 6, kh: 3, kw: 3, cout: 6, groups: 6, same: true, nchw: true, dtypes: f32and64},
	{name: "nchw/1x1", b: 3, h: 4, w: 3, c: 5, kh: 1, kw: 1, cout: 7, nchw: true},
	{name: "big/b8/16x16/16to24", b: 8, h: 16, w: 16, c: 16, kh: 3, kw: 3, cout: 24, same: true, dtypes: f32and64},
	{name: "big/nchw/b8/16x16/16to24/s2", b: 8, h: 16, w: 16, c: 16, kh: 3, kw: 3, cout: 24, stride: [2]int{2, 2}, same: true, nchw: true, dtypes: f32and64},
	{name: "big/depthwise/b8/16x16x24", b: 8, h: 16, w: 16, c: 24, kh: 5, kw: 5, cout: 24, groups: 24, same: true, dtypes: f32and64},
}

func TestConvForward(t *testing.T) {
	be := New()
	rng := rand.New(rand.NewSource(10))
	for _, cc := range convForwardCases {
		x, k := cc.data(rng)
		dts := cc.dtypes
		if dts == nil {
			dts = []dtypes.DType{dtypes.Float64}
		}
		for _, dt := range dts {
			name := fmt.Sprintf("%s/%s", cc.name, dt)
			xx, kk := x, k
			if dt == dtypes.Float32 {
				xx, kk = x.roundTo32(), k.roundTo32()
			}
			want := cc.reference(xx, kk)
			out, err := ExecOnce(be, cc.graphFn(), x.tensor(dt), k.tensor(dt))
			if err != nil {
				t.Errorf("%s: %+v", name, err)
				continue
			}
			if out.DType() != dt {
				t.Errorf("%s: output dtype %s", name, out.DType())
			}
			d := compare(t, name, fromTensor(out), want, dt)
			t.Logf("%-40s out %v max abs err %.3g", name, want.dims, d)
		}
	}
}

// TestConvGeneralAxes checks an arbitrary axes layout and input dilation (the layout of GoMLX's conv
// gradients) through graph.ConvGeneral.
func TestConvGeneralAxes(t *testing.T) {
	be := New()
	rng := rand.New(rand.NewSource(11))
	// Input [H, C, B, W], kernel [O, KW, I, KH], output [W, O, H, B].
	x := randArr(rng, 6, 3, 2, 5)
	k := randArr(rng, 4, 2, 3, 3)
	axes := backends.ConvolveAxesConfig{
		InputBatch: 2, InputChannels: 1, InputSpatial: []int{0, 3},
		KernelInputChannels: 2, KernelOutputChannels: 0, KernelSpatial: []int{3, 1},
		OutputBatch: 3, OutputChannels: 1, OutputSpatial: []int{2, 0},
	}
	pads := [][2]int{{1, 2}, {0, 1}}
	out := run(t, be, func(ins []*Node) *Node {
		return ConvGeneral(ins[0], ins[1], axes, []int{2, 1}, pads, nil, nil, 1, 1)
	}, x.tensor(dtypes.Float64), k.tensor(dtypes.Float64))
	xr := transposeArr(x, 2, 0, 3, 1) // [B,H,W,C]
	kr := transposeArr(k, 3, 1, 2, 0) // [KH,KW,I,O]
	ref := naiveConv(xr, kr, convSpec{stride: [2]int{2, 1}, dil: [2]int{1, 1}, pad: [2][2]int{pads[0], pads[1]}})
	// ref [B,OH,OW,O] -> [OW,O,OH,B]
	want := transposeArr(ref, 2, 3, 1, 0)
	t.Logf("axes layout: max abs err %.3g", compare(t, "axes", fromTensor(out), want, dtypes.Float64))

	// Input dilation 2 (as in the gradient of a stride-2 conv) equals a conv over the zero-stuffed input.
	x2 := randArr(rng, 2, 4, 5, 3)
	k2 := randArr(rng, 3, 3, 3, 2)
	out2 := run(t, be, func(ins []*Node) *Node {
		return Convolve(ins[0], ins[1]).InputDilationPerAxis(2, 2).PaddingPerDim([][2]int{{2, 2}, {1, 2}}).Done()
	}, x2.tensor(dtypes.Float64), k2.tensor(dtypes.Float64))
	stuffed := naivePad(x2, 0, []backends.PadAxis{{}, {Interior: 1}, {Interior: 1}, {}})
	want2 := naiveConv(stuffed, k2, convSpec{stride: [2]int{1, 1}, dil: [2]int{1, 1}, pad: [2][2]int{{2, 2}, {1, 2}}})
	t.Logf("input dilation: max abs err %.3g", compare(t, "inputDilation", fromTensor(out2), want2, dtypes.Float64))
}

// ---- pooling ------------------------------------------------------------------------------------

type poolCase struct {
	name       string
	kind       string // avg (padding excluded), max, sum
	b, h, w, c int
	win        int
	stride     int
	pad        int
	padSame    bool // use PadSame() (win 3: pad 1)
	noPad      bool // use NoPadding() (default stride = window)
	nchw       bool
	dtypes     []dtypes.DType
}

func (pc poolCase) graphFn() func(x *Node) *Node {
	return func(x *Node) *Node {
		var pb *PoolBuilder
		switch pc.kind {
		case "avg":
			pb = MeanPool(x)
		case "max":
			pb = MaxPool(x)
		case "sum":
			pb = SumPool(x)
		}
		if pc.nchw {
			pb = pb.ChannelsAxis(images.ChannelsFirst)
		}
		pb = pb.Window(pc.win)
		switch {
		case pc.padSame:
			pb = pb.PadSame()
		case pc.noPad:
			pb = pb.NoPadding()
		default:
			pb = pb.PaddingPerDim([][2]int{{pc.pad, pc.pad}, {pc.pad, pc.pad}})
		}
		if pc.stride > 0 {
			pb = pb.Strides(pc.stride)
		}
		return pb.Done()
	}
}

func (pc poolCase) data(rng *rand.Rand) arr {
	if pc.nchw {
		return distinctArr(rng, pc.b, pc.c, pc.h, pc.w)
	}
	return distinctArr(rng, pc.b, pc.h, pc.w, pc.c)
}

func (pc poolCase) reference(x arr) arr {
	stride := pc.stride
	pad := [2]int{pc.pad, pc.pad}
	switch {
	case pc.padSame:
		pad = [2]int{(pc.win - 1) / 2, pc.win / 2}
		if stride == 0 {
			stride = 1
		}
	case pc.noPad:
		pad = [2]int{}
		if stride == 0 {
			stride = pc.win
		}
	}
	if stride == 0 {
		stride = pc.win
	}
	if pc.nchw {
		x = transposeArr(x, nchwToNHWC...)
	}
	out := naivePool(x, pc.kind, [2]int{pc.win, pc.win}, [2]int{stride, stride}, [2][2]int{pad, pad})
	if pc.nchw {
		out = transposeArr(out, nhwcToNCHW...)
	}
	return out
}

var poolCases = []poolCase{
	// NAS-Bench-201: AvgPool2d(3, 1, 1, count_include_pad=False).
	{name: "avg3/s1/p1", kind: "avg", b: 2, h: 6, w: 7, c: 3, win: 3, stride: 1, pad: 1, dtypes: f32and64},
	{name: "avg3/PadSame", kind: "avg", b: 2, h: 5, w: 5, c: 4, win: 3, padSame: true},
	{name: "avg3/s2/p1/odd", kind: "avg", b: 2, h: 7, w: 9, c: 3, win: 3, stride: 2, pad: 1, dtypes: f32and64},
	{name: "avg3/s2/p1/even", kind: "avg", b: 1, h: 8, w: 6, c: 5, win: 3, stride: 2, pad: 1},
	{name: "avg2/s2", kind: "avg", b: 2, h: 8, w: 6, c: 3, win: 2, noPad: true, dtypes: f32and64},
	{name: "avg2/s2/odd", kind: "avg", b: 1, h: 7, w: 5, c: 2, win: 2, noPad: true},
	{name: "max3/s1/p1", kind: "max", b: 2, h: 6, w: 7, c: 3, win: 3, stride: 1, pad: 1, dtypes: f32and64},
	{name: "max3/s2/p1", kind: "max", b: 2, h: 7, w: 8, c: 3, win: 3, stride: 2, pad: 1, dtypes: f32and64},
	{name: "max2/s2", kind: "max", b: 1, h: 6, w: 6, c: 5, win: 2, noPad: true},
	{name: "sum3/s1/p1", kind: "sum", b: 1, h: 5, w: 4, c: 2, win: 3, stride: 1, pad: 1},
	{name: "nchw/avg3/s1/p1", kind: "avg", b: 2, h: 6, w: 5, c: 3, win: 3, stride: 1, pad: 1, nchw: true, dtypes: f32and64},
	{name: "nchw/max3/s2/p1", kind: "max", b: 2, h: 7, w: 6, c: 3, win: 3, stride: 2, pad: 1, nchw: true},
	{name: "big/avg3/s1/p1/b8/16x16x24", kind: "avg", b: 8, h: 16, w: 16, c: 24, win: 3, stride: 1, pad: 1, dtypes: f32and64},
	{name: "big/max3/s2/p1/b8/16x16x24", kind: "max", b: 8, h: 16, w: 16, c: 24, win: 3, stride: 2, pad: 1, dtypes: f32and64},
}

func TestPoolForward(t *testing.T) {
	be := New()
	rng := rand.New(rand.NewSource(12))
	for _, pc := range poolCases {
		x := pc.data(rng)
		dts := pc.dtypes
		if dts == nil {
			dts = []dtypes.DType{dtypes.Float64}
		}
		for _, dt := range dts {
			name := fmt.Sprintf("%s/%s", pc.name, dt)
			xx := x
			if dt == dtypes.Float32 {
				xx = x.roundTo32()
			}
			want := pc.reference(xx)
			out, err := ExecOnce(be, pc.graphFn(), x.tensor(dt))
			if err != nil {
				t.Errorf("%s: %+v", name, err)
				continue
			}
			d := compare(t, name, fromTensor(out), want, dt)
			t.Logf("%-34s out %v max abs err %.3g", name, want.dims, d)
		}
	}
}

// ---- batch normalisation ------------------------------------------------------------------------

const bnEps = 1.0 / 1024 // exactly representable in float32

type bnCase struct {
	name string
	dims []int
	axis int
}

var bnCases = []bnCase{
	{"nhwc", []int{3, 4, 5, 6}, 3},
	{"nchw", []int{2, 5, 4, 3}, 1},
	{"batch1", []int{1, 3, 3, 7}, 3},
	{"rank2", []int{16, 5}, 1},
	{"big/b8/16x16x24", []int{8, 16, 16, 24}, 3},
}

func TestBatchNormForward(t *testing.T) {
	be := New()
	rng := rand.New(rand.NewSource(13))
	for _, bc := range bnCases {
		x := randArr(rng, bc.dims...)
		for i := range x.v {
			x.v[i] = 2*x.v[i] + 0.5 // non-zero mean, non-unit variance
		}
		C := bc.dims[bc.axis]
		scale, offset := randArr(rng, C), randArr(rng, C)
		mean, variance := randArr(rng, C), randArr(rng, C)
		for i := range variance.v {
			variance.v[i] = 0.5 + math.Abs(variance.v[i])
		}
		for _, dt := range f32and64 {
			name := fmt.Sprintf("%s/%s", bc.name, dt)
			xx, ss, oo, mm, vv := x, scale, offset, mean, variance
			if dt == dtypes.Float32 {
				xx, ss, oo, mm, vv = x.roundTo32(), scale.roundTo32(), offset.roundTo32(), mean.roundTo32(), variance.roundTo32()
			}
			// Training: normalized output and the batch statistics (biased variance).
			outs, err := execN(be, func(ins []*Node) []*Node {
				n, m, v := InternalBatchNormForTraining(ins[0], ins[1], ins[2], bnEps, bc.axis)
				return []*Node{n, m, v}
			}, x.tensor(dt), scale.tensor(dt), offset.tensor(dt))
			if err != nil {
				t.Errorf("%s: training: %+v", name, err)
				continue
			}
			bm, bv := bnStats(xx, bc.axis)
			want := naiveBN(xx, bc.axis, ss.v, oo.v, bm, bv, bnEps)
			d0 := compare(t, name+"/train/normalized", fromTensor(outs[0]), want, dt)
			d1 := compare(t, name+"/train/mean", fromTensor(outs[1]), arr{bm, []int{C}}, dt)
			d2 := compare(t, name+"/train/variance", fromTensor(outs[2]), arr{bv, []int{C}}, dt)
			// Inference with given statistics.
			out, err := ExecOnce(be, func(ins []*Node) *Node {
				return InternalBatchNormForInference(ins[0], ins[1], ins[2], ins[3], ins[4], bnEps, bc.axis)
			}, x.tensor(dt), scale.tensor(dt), offset.tensor(dt), mean.tensor(dt), variance.tensor(dt))
			if err != nil {
				t.Errorf("%s: inference: %+v", name, err)
				continue
			}
			d3 := compare(t, name+"/inference", fromTensor(out), naiveBN(xx, bc.axis, ss.v, oo.v, mm.v, vv.v, bnEps), dt)
			t.Logf("%-24s max abs err: train %.3g mean %.3g var %.3g, inference %.3g", name, d0, d1, d2, d3)
		}
	}
}

// ---- Pad, Reverse, Slice ------------------------------------------------------------------------

func TestPadForward(t *testing.T) {
	be := New()
	rng := rand.New(rand.NewSource(14))
	cases := []struct {
		name string
		dims []int
		cfg  []backends.PadAxis
	}{
		{"start-end", []int{3, 4}, []backends.PadAxis{{Start: 1, End: 2}, {Start: 0, End: 3}}},
		{"negative", []int{5, 6}, []backends.PadAxis{{Start: -1, End: -2}, {Start: 2, End: -3}}},
		{"interior", []int{3, 4}, []backends.PadAxis{{Interior: 2}, {Start: 1, End: 1, Interior: 1}}},
		{"interior+negative", []int{4, 5, 2}, []backends.PadAxis{{Start: -2, End: 1, Interior: 1}, {Start: 1, End: -3, Interior: 2}}},
		{"fewer-axes", []int{2, 3, 4}, []backends.PadAxis{{Start: 1, End: 1}}},
		{"rank4", []int{2, 3, 4, 5}, []backends.PadAxis{{}, {Start: 1, End: 1}, {Start: 2, End: 0, Interior: 1}, {End: -2}}},
		{"crop-to-empty", []int{3, 2}, []backends.PadAxis{{Start: -3}, {}}},
	}
	for _, c := range cases {
		x := randArr(rng, c.dims...)
		for _, dt := range f32and64 {
			name := fmt.Sprintf("%s/%s", c.name, dt)
			xx := x
			if dt == dtypes.Float32 {
				xx = x.roundTo32()
			}
			out, err := ExecOnce(be, func(x *Node) *Node {
				return Pad(x, Scalar(x.Graph(), x.DType(), 7.5), c.cfg...)
			}, x.tensor(dt))
			if err != nil {
				t.Errorf("%s: %+v", name, err)
				continue
			}
			want := naivePad(xx, 7.5, c.cfg)
			t.Logf("%-26s %v -> %v max abs err %.3g", name, c.dims, want.dims, compare(t, name, fromTensor(out), want, dt))
		}
	}
	// Integer dtype too.
	out, err := ExecOnce(be, func(x *Node) *Node {
		return Pad(x, Scalar(x.Graph(), x.DType(), -1), backends.PadAxis{Start: 1, Interior: 1})
	}, tensors.FromFlatDataAndDimensions([]int32{1, 2, 3}, 3))
	if err != nil {
		t.Fatalf("int32 pad: %+v", err)
	}
	if got, want := fmt.Sprint(out.Value()), "[-1 1 -1 2 -1 3]"; got != want {
		t.Errorf("int32 pad: got %s, want %s", got, want)
	}
}

func TestReverseForward(t *testing.T) {
	be := New()
	rng := rand.New(rand.NewSource(15))
	cases := []struct {
		dims []int
		axes []int
	}{
		{[]int{5}, []int{0}},
		{[]int{3, 4}, []int{1}},
		{[]int{3, 3, 2, 4}, []int{0, 1}},
		{[]int{2, 3, 4, 5}, []int{0, 2, 3}},
		{[]int{2, 3}, nil},
	}
	for _, c := range cases {
		x := randArr(rng, c.dims...)
		for _, dt := range f32and64 {
			name := fmt.Sprintf("%v/axes%v/%s", c.dims, c.axes, dt)
			xx := x
			if dt == dtypes.Float32 {
				xx = x.roundTo32()
			}
			out, err := ExecOnce(be, func(x *Node) *Node { return Reverse(x, c.axes...) }, x.tensor(dt))
			if err != nil {
				t.Errorf("%s: %+v", name, err)
				continue
			}
			compare(t, name, fromTensor(out), naiveReverse(xx, c.axes...), dt)
		}
	}
	out, err := ExecOnce(be, func(x *Node) *Node { return Reverse(x, 1) },
		tensors.FromFlatDataAndDimensions([]int32{1, 2, 3, 4, 5, 6}, 2, 3))
	if err != nil {
		t.Fatalf("int32 reverse: %+v", err)
	}
	if got, want := fmt.Sprint(out.Value()), "[[3 2 1] [6 5 4]]"; got != want {
		t.Errorf("int32 reverse: got %s, want %s", got, want)
	}
}

func TestSliceStridedForward(t *testing.T) {
	be := New()
	rng := rand.New(rand.NewSource(16))
	x := randArr(rng, 2, 9, 7, 3)
	out := run(t, be, func(ins []*Node) *Node {
		return Slice(ins[0], AxisRange(), AxisRange(1, 8).Stride(3), AxisRange(0, 7).Stride(2), AxisRange(1))
	}, x.tensor(dtypes.Float64))
	// Reference by index arithmetic.
	var want []float64
	for b := 0; b < 2; b++ {
		for h := 1; h < 8; h += 3 {
			for w := 0; w < 7; w += 2 {
				for c := 1; c < 3; c++ {
					want = append(want, x.v[((b*9+h)*7+w)*3+c])
				}
			}
		}
	}
	compare(t, "slice", fromTensor(out), arr{want, []int{2, 3, 4, 2}}, dtypes.Float64)
}
