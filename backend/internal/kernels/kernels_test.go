package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"testing"

	"github.com/gomlx/gomlx/backends"
)

// ---------- helpers ----------

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 42)) }

func randSlice[T Float](r *rand.Rand, n int) []T {
	s := make([]T, n)
	for i := range s {
		s[i] = T(r.Float64()*2 - 1)
	}
	return s
}

func toF64[T Float](s []T) []float64 {
	o := make([]float64, len(s))
	for i, v := range s {
		o[i] = float64(v)
	}
	return o
}

func size(dims []int) int {
	n := 1
	for _, d := range dims {
		n *= d
	}
	return n
}

// unflat returns the row-major coordinates of i.
func unflat(i int, dims []int) []int {
	c := make([]int, len(dims))
	for a := len(dims) - 1; a >= 0; a-- {
		c[a] = i % dims[a]
		i /= dims[a]
	}
	return c
}

func flat(c, dims []int) int {
	i := 0
	for a := range dims {
		i = i*dims[a] + c[a]
	}
	return i
}

func checkClose[T Float](t *testing.T, name string, got []T, want []float64, tol float64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d elements, want %d", name, len(got), len(want))
	}
	bad := 0
	for i := range want {
		g, w := float64(got[i]), want[i]
		if math.IsInf(w, 0) && g == w {
			continue
		}
		if math.IsNaN(g) || math.Abs(g-w) > tol*(1+math.Abs(w)) {
			if bad < 5 {
				t.Errorf("%s: element %d: got %v, want %v", name, i, g, w)
			}
			bad++
		}
	}
	if bad > 0 {
		t.Errorf("%s: %d/%d elements differ", name, bad, len(want))
	}
}

// ---------- Pad ----------

func naivePad(x []float64, dims []int, fill float64, cfg []backends.PadAxis) ([]float64, []int) {
	full := make([]backends.PadAxis, len(dims))
	copy(full, cfg)
	outDims := make([]int, len(dims))
	for a, d := range dims {
		outDims[a] = max(0, d+full[a].Start+full[a].End+max(0, d-1)*full[a].Interior)
	}
	out := make([]float64, size(outDims))
	for i := range out {
		oc := unflat(i, outDims)
		ic := make([]int, len(dims))
		ok := true
		for a := range dims {
			p := oc[a] - full[a].Start
			step := full[a].Interior + 1
			if p < 0 || p%step != 0 || p/step >= dims[a] {
				ok = false
				break
			}
			ic[a] = p / step
		}
		if ok {
			out[i] = x[flat(ic, dims)]
		} else {
			out[i] = fill
		}
	}
	return out, outDims
}

func TestPad(t *testing.T) {
	type PA = backends.PadAxis
	cases := []struct {
		dims []int
		cfg  []PA
	}{
		{[]int{5}, []PA{{Start: 2, End: 3}}},
		{[]int{5}, []PA{{Start: -2, End: 1}}},
		{[]int{5}, []PA{{Start: 1, End: -3, Interior: 2}}},
		{[]int{5}, []PA{{Start: -4, End: -4, Interior: 1}}},
		{[]int{4}, []PA{{Start: -10, End: 12}}},
		{[]int{3, 4}, []PA{{Start: 1, End: 2}, {Start: 0, End: 1}}},
		{[]int{3, 4}, []PA{{}, {Start: 1, Interior: 1}}},
		{[]int{3, 4}, []PA{{Start: -1, End: 1, Interior: 1}, {Start: 2, End: -1}}},
		{[]int{3, 4}, []PA{{Start: 1, End: 1}}}, // missing axis
		{[]int{2, 3, 4}, []PA{{Start: -1}, {Start: 1, End: 1, Interior: 2}, {Start: -1, End: 2}}},
		{[]int{2, 3, 4}, []PA{{}, {Start: 2, End: -1}, {}}},
		{[]int{2, 5, 5, 3}, []PA{{}, {Start: 1, End: 1}, {Start: 1, End: 1}, {}}}, // conv "same" padding
		{[]int{2, 5, 5, 3}, []PA{{}, {Start: -1, End: 2}, {Start: 2, End: -2}, {Start: 0, End: 1}}},
		{[]int{2, 5, 5, 3}, []PA{{Interior: 1}, {Start: -1, End: 2, Interior: 1}, {Start: 1, End: 1}, {Start: -1, Interior: 3}}},
		{[]int{2, 3, 2, 3}, []PA{{Start: 1, End: 1, Interior: 1}, {Start: -3, End: -3, Interior: 2}, {}, {}}},
		{[]int{8, 34, 34, 16}, []PA{{}, {Start: 1, End: 1}, {Start: 1, End: 1}, {}}},               // parallel fast path
		{[]int{8, 34, 34, 16}, []PA{{}, {Start: 1, End: -1, Interior: 1}, {Start: 1, End: 1}, {}}}, // parallel general
		{[]int{3, 4}, nil},
	}
	r := newRand(1)
	for _, tc := range cases {
		x := randSlice[float32](r, size(tc.dims))
		want, wantDims := naivePad(toF64(x), tc.dims, 7, tc.cfg)
		gotDims := PadDims(tc.dims, tc.cfg)
		if fmt.Sprint(gotDims) != fmt.Sprint(wantDims) {
			t.Fatalf("PadDims(%v, %v) = %v, want %v", tc.dims, tc.cfg, gotDims, wantDims)
		}
		out := make([]float32, size(gotDims))
		for i := range out {
			out[i] = -99 // Make sure everything is written.
		}
		Pad(x, tc.dims, 7, tc.cfg, out)
		checkClose(t, fmt.Sprintf("Pad(%v, %v)", tc.dims, tc.cfg), out, want, 0)
	}
	// Rank 0.
	out := []float64{0}
	Pad([]float64{3}, nil, 1, nil, out)
	if out[0] != 3 {
		t.Errorf("Pad scalar: got %v", out[0])
	}
}

// ---------- Reverse ----------

func TestReverse(t *testing.T) {
	cases := []struct {
		dims, axes []int
	}{
		{[]int{5}, []int{0}},
		{[]int{5}, nil},
		{[]int{3, 4}, []int{0}},
		{[]int{3, 4}, []int{1}},
		{[]int{3, 4}, []int{0, 1}},
		{[]int{2, 3, 4, 5}, []int{1}},
		{[]int{2, 3, 4, 5}, []int{0, 2}},
		{[]int{2, 3, 4, 5}, []int{3, 1}},
		{[]int{2, 3, 1, 5}, []int{2}},
		{[]int{8, 32, 32, 16}, []int{1, 2}},
		{[]int{8, 32, 32, 16}, []int{3}},
	}
	r := newRand(2)
	for _, tc := range cases {
		n := size(tc.dims)
		x := randSlice[float64](r, n)
		rev := make([]bool, len(tc.dims))
		for _, a := range tc.axes {
			rev[a] = true
		}
		want := make([]float64, n)
		for i := range want {
			c := unflat(i, tc.dims)
			for a := range c {
				if rev[a] {
					c[a] = tc.dims[a] - 1 - c[a]
				}
			}
			want[i] = x[flat(c, tc.dims)]
		}
		got := make([]float64, n)
		Reverse(x, tc.dims, tc.axes, got)
		checkClose(t, fmt.Sprintf("Reverse(%v, %v)", tc.dims, tc.axes), got, want, 0)
	}
}

// ---------- BatchNorm ----------

// naiveBN computes BN with batch statistics (training) in float64; returns out, mean, variance.
func naiveBNStats(x []float64, dims []int, fa int) (mean, variance []float64) {
	C := dims[fa]
	cnt := make([]float64, C)
	mean = make([]float64, C)
	variance = make([]float64, C)
	for i, v := range x {
		c := unflat(i, dims)[fa]
		mean[c] += v
		cnt[c]++
	}
	for c := range C {
		mean[c] /= cnt[c]
	}
	for i, v := range x {
		c := unflat(i, dims)[fa]
		variance[c] += (v - mean[c]) * (v - mean[c])
	}
	for c := range C {
		variance[c] /= cnt[c]
	}
	return
}

func naiveBNApply(x []float64, dims []int, fa int, scale, offset, mean, variance []float64, eps float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		c := unflat(i, dims)[fa]
		out[i] = (v-mean[c])*scale[c]/math.Sqrt(variance[c]+eps) + offset[c]
	}
	return out
}

func naiveBNGrad(x []float64, dims []int, fa int, scale, mean, variance, g []float64, eps float64) (gx, gs, gb []float64) {
	C := dims[fa]
	n := float64(len(x) / C)
	sumG := make([]float64, C)
	sumGX := make([]float64, C)
	for i, v := range x {
		c := unflat(i, dims)[fa]
		sumG[c] += g[i]
		sumGX[c] += g[i] * (v - mean[c])
	}
	gx = make([]float64, len(x))
	gs = make([]float64, C)
	gb = make([]float64, C)
	for c := range C {
		gb[c] = sumG[c]
		gs[c] = sumGX[c] / math.Sqrt(variance[c]+eps)
	}
	for i, v := range x {
		c := unflat(i, dims)[fa]
		ve := variance[c] + eps
		gx[i] = scale[c] / math.Sqrt(ve) * (g[i] - sumG[c]/n - (v-mean[c])*sumGX[c]/(n*ve))
	}
	return
}

var bnCases = []struct {
	dims []int
	fa   int
}{
	{[]int{6, 4}, 1},
	{[]int{6, 4}, 0},
	{[]int{3, 5, 4}, 2},
	{[]int{3, 5, 4}, 1},
	{[]int{2, 3, 4, 5}, 3},
	{[]int{2, 3, 4, 5}, 0},
	{[]int{2, 3, 4, 5}, 1},
	{[]int{16, 32, 32, 16}, 3}, // parallel, feature last
	{[]int{16, 32, 32, 16}, 1}, // parallel, feature "NCHW"
	{[]int{16, 32, 32, 16}, 0}, // parallel, feature first
}

func TestBatchNorm(t *testing.T) {
	r := newRand(3)
	const eps = 1e-3
	for _, tc := range bnCases {
		name := fmt.Sprintf("dims=%v fa=%d", tc.dims, tc.fa)
		n, C := size(tc.dims), tc.dims[tc.fa]
		x := randSlice[float32](r, n)
		for i := range x {
			x[i] = x[i]*3 + 5 // Non-zero mean.
		}
		scale := randSlice[float32](r, C)
		offset := randSlice[float32](r, C)
		g := randSlice[float32](r, n)
		xf, sf, of, gf := toF64(x), toF64(scale), toF64(offset), toF64(g)

		// Training.
		wm, wv := naiveBNStats(xf, tc.dims, tc.fa)
		wOut := naiveBNApply(xf, tc.dims, tc.fa, sf, of, wm, wv, eps)
		out, mean, variance := make([]float32, n), make([]float32, C), make([]float32, C)
		BatchNormTraining(x, tc.dims, scale, offset, eps, tc.fa, out, mean, variance)
		checkClose(t, "BNTraining out "+name, out, wOut, 1e-4)
		checkClose(t, "BNTraining mean "+name, mean, wm, 1e-5)
		checkClose(t, "BNTraining variance "+name, variance, wv, 1e-5)

		// Inference with other statistics.
		im, iv := randSlice[float32](r, C), randSlice[float32](r, C)
		for c := range iv {
			iv[c] = iv[c]*iv[c] + 0.1
		}
		wOut = naiveBNApply(xf, tc.dims, tc.fa, sf, of, toF64(im), toF64(iv), eps)
		BatchNormInference(x, tc.dims, scale, offset, im, iv, eps, tc.fa, out)
		checkClose(t, "BNInference "+name, out, wOut, 1e-5)

		// Gradient, with the batch statistics.
		wgx, wgs, wgb := naiveBNGrad(xf, tc.dims, tc.fa, sf, wm, wv, gf, eps)
		gx, gs, gb := make([]float32, n), make([]float32, C), make([]float32, C)
		BatchNormGradient(x, tc.dims, scale, mean, variance, g, eps, tc.fa, gx, gs, gb)
		checkClose(t, "BNGradient gradX "+name, gx, wgx, 1e-4)
		checkClose(t, "BNGradient gradScale "+name, gs, wgs, 1e-4)
		checkClose(t, "BNGradient gradOffset "+name, gb, wgb, 1e-4)
	}
}

// TestBatchNormGradientFD checks BatchNormGradient against central finite differences of
// L = Σ w·BatchNormTraining(x, scale, offset), in float64.
func TestBatchNormGradientFD(t *testing.T) {
	r := newRand(4)
	const eps = 1e-2
	for _, tc := range bnCases[:7] {
		name := fmt.Sprintf("dims=%v fa=%d", tc.dims, tc.fa)
		n, C := size(tc.dims), tc.dims[tc.fa]
		x := randSlice[float64](r, n)
		scale := randSlice[float64](r, C)
		offset := randSlice[float64](r, C)
		w := randSlice[float64](r, n)
		out, mean, variance := make([]float64, n), make([]float64, C), make([]float64, C)
		loss := func() float64 {
			BatchNormTraining(x, tc.dims, scale, offset, eps, tc.fa, out, mean, variance)
			var l float64
			for i, v := range out {
				l += w[i] * v
			}
			return l
		}
		fd := func(p []float64) []float64 {
			const h = 1e-5
			d := make([]float64, len(p))
			for i := range p {
				old := p[i]
				p[i] = old + h
				lp := loss()
				p[i] = old - h
				lm := loss()
				p[i] = old
				d[i] = (lp - lm) / (2 * h)
			}
			return d
		}
		fx, fs, fo := fd(x), fd(scale), fd(offset)
		loss() // Restore mean, variance.
		gx, gs, gb := make([]float64, n), make([]float64, C), make([]float64, C)
		BatchNormGradient(x, tc.dims, scale, mean, variance, w, eps, tc.fa, gx, gs, gb)
		checkClose(t, "BN FD gradX "+name, gx, fx, 1e-6)
		checkClose(t, "BN FD gradScale "+name, gs, fs, 1e-6)
		checkClose(t, "BN FD gradOffset "+name, gb, fo, 1e-6)
	}
}

// ---------- ReduceWindow ----------

type windowCase struct {
	dims, window, strides, baseDil, winDil []int
	paddings                               [][2]int
}

// naiveWindowDims computes the output dimensions straight from the definition.
func naiveWindowDims(tc windowCase) []int {
	out := make([]int, len(tc.dims))
	for a, d := range tc.dims {
		s, bd, wd, pl, ph := tc.window[a], 1, 1, 0, 0
		if tc.strides != nil {
			s = tc.strides[a]
		}
		if tc.baseDil != nil {
			bd = tc.baseDil[a]
		}
		if tc.winDil != nil {
			wd = tc.winDil[a]
		}
		if tc.paddings != nil {
			pl, ph = tc.paddings[a][0], tc.paddings[a][1]
		}
		padded := (d-1)*bd + 1 + pl + ph
		ew := (tc.window[a]-1)*wd + 1
		out[a] = (padded-ew)/s + 1
	}
	return out
}

// naiveWindows calls fn(outIndex, inputIndex) for every output position and every window
// element (in window order) that falls on an input element (inputIndex = -1 for padding/holes).
func naiveWindows(tc windowCase, fn func(o, i int)) {
	outDims := naiveWindowDims(tc)
	rank := len(tc.dims)
	for o := range size(outDims) {
		oc := unflat(o, outDims)
		for k := range size(tc.window) {
			kc := unflat(k, tc.window)
			ic := make([]int, rank)
			valid := true
			for a := range rank {
				s, bd, wd, pl := tc.window[a], 1, 1, 0
				if tc.strides != nil {
					s = tc.strides[a]
				}
				if tc.baseDil != nil {
					bd = tc.baseDil[a]
				}
				if tc.winDil != nil {
					wd = tc.winDil[a]
				}
				if tc.paddings != nil {
					pl = tc.paddings[a][0]
				}
				p := oc[a]*s + kc[a]*wd - pl // Position in the padded, dilated input.
				if p < 0 || p%bd != 0 || p/bd >= tc.dims[a] {
					valid = false
					break
				}
				ic[a] = p / bd
			}
			if valid {
				fn(o, flat(ic, tc.dims))
			} else {
				fn(o, -1)
			}
		}
	}
}

func naiveReduceWindow(x []float64, tc windowCase, op backends.ReduceOpType) []float64 {
	out := make([]float64, size(naiveWindowDims(tc)))
	var id float64
	switch op {
	case backends.ReduceOpSum:
		id = 0
	case backends.ReduceOpProduct:
		id = 1
	case backends.ReduceOpMax:
		id = math.Inf(-1)
	case backends.ReduceOpMin:
		id = math.Inf(1)
	}
	for i := range out {
		out[i] = id
	}
	naiveWindows(tc, func(o, i int) {
		v := id
		if i >= 0 {
			v = x[i]
		}
		switch op {
		case backends.ReduceOpSum:
			out[o] += v
		case backends.ReduceOpProduct:
			out[o] *= v
		case backends.ReduceOpMax:
			out[o] = math.Max(out[o], v)
		case backends.ReduceOpMin:
			out[o] = math.Min(out[o], v)
		}
	})
	return out
}

var reduceWindowCases = []windowCase{
	// NHWC fast path.
	{dims: []int{2, 6, 6, 3}, window: []int{1, 3, 3, 1}, strides: []int{1, 1, 1, 1}, paddings: [][2]int{{0, 0}, {1, 1}, {1, 1}, {0, 0}}},
	{dims: []int{2, 6, 6, 3}, window: []int{1, 2, 2, 1}},
	{dims: []int{2, 7, 5, 3}, window: []int{1, 3, 2, 1}, strides: []int{1, 2, 3, 1}, paddings: [][2]int{{0, 0}, {2, 1}, {0, 3}, {0, 0}}},
	{dims: []int{2, 7, 5, 3}, window: []int{1, 3, 3, 1}, strides: []int{1, 1, 1, 1}, paddings: [][2]int{{0, 0}, {3, 3}, {3, 3}, {0, 0}}, baseDil: []int{1, 1, 1, 1}},
	{dims: []int{3, 9, 4}, window: []int{1, 3, 1}, strides: []int{1, 2, 1}, paddings: [][2]int{{0, 0}, {1, 1}, {0, 0}}},
	{dims: []int{8, 32, 32, 16}, window: []int{1, 3, 3, 1}, strides: []int{1, 1, 1, 1}, paddings: [][2]int{{0, 0}, {1, 1}, {1, 1}, {0, 0}}},
	// General path.
	{dims: []int{7}, window: []int{3}, strides: []int{2}, paddings: [][2]int{{1, 2}}},
	{dims: []int{7}, window: []int{2}, strides: []int{1}, baseDil: []int{2}, winDil: []int{3}, paddings: [][2]int{{2, 1}}},
	{dims: []int{2, 3, 6, 6}, window: []int{1, 1, 3, 3}, strides: []int{1, 1, 2, 2}, paddings: [][2]int{{0, 0}, {0, 0}, {1, 1}, {1, 1}}},
	{dims: []int{4, 5}, window: []int{2, 3}, strides: []int{1, 2}, baseDil: []int{2, 1}, winDil: []int{1, 2}, paddings: [][2]int{{1, 0}, {2, 2}}},
	{dims: []int{3, 4, 5}, window: []int{2, 2, 2}, baseDil: []int{1, 2, 3}},
	{dims: []int{2, 5, 5, 2}, window: []int{2, 2, 2, 2}, strides: []int{1, 1, 1, 1}},
	{dims: []int{2, 5, 5, 2}, window: []int{1, 3, 3, 1}, strides: []int{1, 1, 1, 1}, winDil: []int{1, 2, 2, 1}, paddings: [][2]int{{0, 0}, {2, 2}, {2, 2}, {0, 0}}},
	{dims: []int{8, 16, 32, 32}, window: []int{1, 1, 3, 3}, strides: []int{1, 1, 2, 2}, paddings: [][2]int{{0, 0}, {0, 0}, {1, 1}, {1, 1}}},
}

func TestReduceWindow(t *testing.T) {
	r := newRand(5)
	ops := []backends.ReduceOpType{backends.ReduceOpSum, backends.ReduceOpProduct, backends.ReduceOpMax, backends.ReduceOpMin}
	for _, tc := range reduceWindowCases {
		wantDims := naiveWindowDims(tc)
		gotDims := ReduceWindowDims(tc.dims, tc.window, tc.strides, tc.baseDil, tc.winDil, tc.paddings)
		if fmt.Sprint(gotDims) != fmt.Sprint(wantDims) {
			t.Fatalf("ReduceWindowDims(%+v) = %v, want %v", tc, gotDims, wantDims)
		}
		x32 := randSlice[float32](r, size(tc.dims))
		for i := range x32 {
			x32[i] += 0.5 * float32(math.Copysign(1, float64(x32[i]))) // Keep |x| in [0.5, 1.5] for products.
		}
		x64 := toF64(x32)
		for _, op := range ops {
			want := naiveReduceWindow(x64, tc, op)
			name := fmt.Sprintf("ReduceWindow(%s, %+v)", op, tc)
			got32 := make([]float32, len(want))
			ReduceWindow(x32, tc.dims, op, tc.window, tc.strides, tc.baseDil, tc.winDil, tc.paddings, got32)
			checkClose(t, name+" float32", got32, want, 1e-5)
			got64 := make([]float64, len(want))
			ReduceWindow(x64, tc.dims, op, tc.window, tc.strides, tc.baseDil, tc.winDil, tc.paddings, got64)
			checkClose(t, name+" float64", got64, want, 1e-12)
		}
	}
}

func TestReduceWindowNaN(t *testing.T) {
	nan := math.NaN()
	x := []float64{1, nan, 3, 4}
	for _, op := range []backends.ReduceOpType{backends.ReduceOpMax, backends.ReduceOpMin} {
		for _, dims := range [][]int{{4}, {1, 4, 1}} { // General and NHWC paths.
			window := []int{2}
			if len(dims) == 3 {
				window = []int{1, 2, 1}
			}
			out := make([]float64, 2)
			ReduceWindow(x, dims, op, window, nil, nil, nil, nil, out)
			if !math.IsNaN(out[0]) || math.IsNaN(out[1]) {
				t.Errorf("ReduceWindow(%s, dims=%v) NaN propagation: got %v", op, dims, out)
			}
		}
	}
}

// ---------- SelectAndScatter ----------

func naiveSelectAndScatter(x []float64, tc windowCase, source []float64, selectMax bool) []float64 {
	out := make([]float64, len(x))
	nSrc := size(naiveWindowDims(tc))
	sel := make([]int, nSrc)
	for i := range sel {
		sel[i] = -1
	}
	naiveWindows(tc, func(o, i int) {
		if i < 0 {
			return
		}
		if sel[o] < 0 {
			sel[o] = i
			return
		}
		cur, v := x[sel[o]], x[i]
		if selectMax && !(cur >= v) || !selectMax && !(cur <= v) { // XLA's GE / LE select.
			sel[o] = i
		}
	})
	for o, i := range sel {
		if i >= 0 {
			out[i] += source[o]
		}
	}
	return out
}

var selectCases = []windowCase{
	// NHWC fast path: overlapping (stride 1, window 3, padding 1), non-overlapping, strided.
	{dims: []int{2, 6, 6, 3}, window: []int{1, 3, 3, 1}, strides: []int{1, 1, 1, 1}, paddings: [][2]int{{0, 0}, {1, 1}, {1, 1}, {0, 0}}},
	{dims: []int{2, 6, 6, 3}, window: []int{1, 2, 2, 1}},
	{dims: []int{2, 7, 7, 3}, window: []int{1, 3, 3, 1}, strides: []int{1, 2, 2, 1}, paddings: [][2]int{{0, 0}, {1, 1}, {1, 1}, {0, 0}}},
	{dims: []int{1, 5, 6, 4}, window: []int{1, 3, 2, 1}, strides: []int{1, 1, 3, 1}, paddings: [][2]int{{0, 0}, {3, 3}, {0, 2}, {0, 0}}},
	{dims: []int{3, 9, 4}, window: []int{1, 3, 1}, strides: []int{1, 1, 1}, paddings: [][2]int{{0, 0}, {1, 1}, {0, 0}}},
	{dims: []int{8, 32, 32, 16}, window: []int{1, 3, 3, 1}, strides: []int{1, 1, 1, 1}, paddings: [][2]int{{0, 0}, {1, 1}, {1, 1}, {0, 0}}},
	{dims: []int{1, 64, 64, 32}, window: []int{1, 3, 3, 1}, strides: []int{1, 1, 1, 1}, paddings: [][2]int{{0, 0}, {1, 1}, {1, 1}, {0, 0}}}, // N < #workers
	// General path.
	{dims: []int{2, 3, 6, 6}, window: []int{1, 1, 3, 3}, strides: []int{1, 1, 1, 1}, paddings: [][2]int{{0, 0}, {0, 0}, {1, 1}, {1, 1}}},
	{dims: []int{2, 3, 6, 6}, window: []int{1, 1, 2, 2}},
	{dims: []int{9}, window: []int{3}, strides: []int{2}, paddings: [][2]int{{2, 2}}},
	{dims: []int{4, 5, 3}, window: []int{2, 3, 2}, strides: []int{1, 2, 1}, paddings: [][2]int{{1, 0}, {1, 1}, {0, 1}}},
}

func TestSelectAndScatter(t *testing.T) {
	r := newRand(6)
	for _, tc := range selectCases {
		srcDims := naiveWindowDims(tc)
		if got := ReduceWindowDims(tc.dims, tc.window, tc.strides, nil, nil, tc.paddings); fmt.Sprint(got) != fmt.Sprint(srcDims) {
			t.Fatalf("ReduceWindowDims(%+v) = %v, want %v", tc, got, srcDims)
		}
		for _, ties := range []bool{false, true} {
			x32 := randSlice[float32](r, size(tc.dims))
			if ties {
				for i := range x32 { // Values in {-1, 0, 1}: lots of ties.
					x32[i] = float32(math.Round(float64(x32[i])))
				}
			}
			src32 := randSlice[float32](r, size(srcDims))
			x64, src64 := toF64(x32), toF64(src32)
			for _, selectMax := range []bool{true, false} {
				name := fmt.Sprintf("SelectAndScatter(max=%v, ties=%v, %+v)", selectMax, ties, tc)
				want := naiveSelectAndScatter(x64, tc, src64, selectMax)
				got32 := make([]float32, len(x32))
				for i := range got32 {
					got32[i] = 123 // Must be overwritten.
				}
				SelectAndScatter(x32, tc.dims, src32, tc.window, tc.strides, tc.paddings, selectMax, got32)
				checkClose(t, name+" float32", got32, want, 1e-6)
				got64 := make([]float64, len(x64))
				SelectAndScatter(x64, tc.dims, src64, tc.window, tc.strides, tc.paddings, selectMax, got64)
				checkClose(t, name+" float64", got64, want, 1e-12)
			}
		}
	}
}

// TestSelectAndScatterFD checks SelectAndScatter as the gradient of L = Σ source·ReduceWindow{Max,Min}(x),
// with central finite differences at random x (no ties).
func TestSelectAndScatterFD(t *testing.T) {
	r := newRand(7)
	for _, tc := range selectCases {
		if size(tc.dims) > 1000 {
			continue
		}
		srcDims := ReduceWindowDims(tc.dims, tc.window, tc.strides, nil, nil, tc.paddings)
		x := randSlice[float64](r, size(tc.dims))
		src := randSlice[float64](r, size(srcDims))
		for _, selectMax := range []bool{true, false} {
			op := backends.ReduceOpMax
			if !selectMax {
				op = backends.ReduceOpMin
			}
			pooled := make([]float64, len(src))
			loss := func() float64 {
				ReduceWindow(x, tc.dims, op, tc.window, tc.strides, nil, nil, tc.paddings, pooled)
				var l float64
				for i, v := range pooled {
					l += src[i] * v
				}
				return l
			}
			const h = 1e-7
			fd := make([]float64, len(x))
			for i := range x {
				old := x[i]
				x[i] = old + h
				lp := loss()
				x[i] = old - h
				lm := loss()
				x[i] = old
				fd[i] = (lp - lm) / (2 * h)
			}
			got := make([]float64, len(x))
			SelectAndScatter(x, tc.dims, src, tc.window, tc.strides, tc.paddings, selectMax, got)
			checkClose(t, fmt.Sprintf("SelectAndScatter FD (max=%v, %+v)", selectMax, tc), got, fd, 1e-6)
		}
	}
}

// TestManyWorkers runs a few kernels with more goroutines than cores, to exercise the chunking.
func TestManyWorkers(t *testing.T) {
	old := runtime.GOMAXPROCS(7)
	defer runtime.GOMAXPROCS(old)
	t.Run("BatchNorm", TestBatchNorm)
	t.Run("SelectAndScatter", TestSelectAndScatter)
	t.Run("Pad", TestPad)
	t.Run("Reverse", TestReverse)
}

// ---------- Benchmarks ----------

var benchDims = []int{64, 32, 32, 16}

func BenchmarkBatchNormTraining(b *testing.B) {
	r := newRand(8)
	n, C := size(benchDims), benchDims[3]
	x, scale, offset := randSlice[float32](r, n), randSlice[float32](r, C), randSlice[float32](r, C)
	out, mean, variance := make([]float32, n), make([]float32, C), make([]float32, C)
	for b.Loop() {
		BatchNormTraining(x, benchDims, scale, offset, 1e-3, 3, out, mean, variance)
	}
}

func BenchmarkBatchNormGradient(b *testing.B) {
	r := newRand(8)
	n, C := size(benchDims), benchDims[3]
	x, scale, g := randSlice[float32](r, n), randSlice[float32](r, C), randSlice[float32](r, n)
	mean, variance := randSlice[float32](r, C), randSlice[float32](r, C)
	for i := range variance {
		variance[i] = variance[i]*variance[i] + 0.1
	}
	gx, gs, gb := make([]float32, n), make([]float32, C), make([]float32, C)
	for b.Loop() {
		BatchNormGradient(x, benchDims, scale, mean, variance, g, 1e-3, 3, gx, gs, gb)
	}
}

var benchWindow = []int{1, 3, 3, 1}
var benchStrides = []int{1, 1, 1, 1}
var benchPad = [][2]int{{0, 0}, {1, 1}, {1, 1}, {0, 0}}

func benchmarkReduceWindow(b *testing.B, op backends.ReduceOpType) {
	r := newRand(9)
	x := randSlice[float32](r, size(benchDims))
	out := make([]float32, size(ReduceWindowDims(benchDims, benchWindow, benchStrides, nil, nil, benchPad)))
	for b.Loop() {
		ReduceWindow(x, benchDims, op, benchWindow, benchStrides, nil, nil, benchPad, out)
	}
}

func BenchmarkReduceWindowSum3x3(b *testing.B) { benchmarkReduceWindow(b, backends.ReduceOpSum) }
func BenchmarkReduceWindowMax3x3(b *testing.B) { benchmarkReduceWindow(b, backends.ReduceOpMax) }

func BenchmarkSelectAndScatterMax3x3(b *testing.B) {
	r := newRand(10)
	x := randSlice[float32](r, size(benchDims))
	src := randSlice[float32](r, size(ReduceWindowDims(benchDims, benchWindow, benchStrides, nil, nil, benchPad)))
	out := make([]float32, len(x))
	for b.Loop() {
		SelectAndScatter(x, benchDims, src, benchWindow, benchStrides, benchPad, true, out)
	}
}

func BenchmarkPadSpatial(b *testing.B) {
	r := newRand(11)
	x := randSlice[float32](r, size(benchDims))
	cfg := []backends.PadAxis{{}, {Start: 1, End: 1}, {Start: 1, End: 1}, {}}
	out := make([]float32, size(PadDims(benchDims, cfg)))
	for b.Loop() {
		Pad(x, benchDims, 0, cfg, out)
	}
}

func BenchmarkReverseSpatial(b *testing.B) {
	r := newRand(12)
	x := randSlice[float32](r, size(benchDims))
	out := make([]float32, len(x))
	for b.Loop() {
		Reverse(x, benchDims, []int{1, 2}, out)
	}
}

// TestSelectAndScatterNaN checks XLA's GE/LE select semantics with NaNs (a NaN is always
// replaced by the next candidate, and always replaces the current selection).
func TestSelectAndScatterNaN(t *testing.T) {
	r := newRand(13)
	for _, tc := range selectCases[:5] {
		x := randSlice[float64](r, size(tc.dims))
		for i := range x {
			if r.IntN(4) == 0 {
				x[i] = math.NaN()
			}
		}
		src := randSlice[float64](r, size(naiveWindowDims(tc)))
		for _, selectMax := range []bool{true, false} {
			want := naiveSelectAndScatter(x, tc, src, selectMax)
			got := make([]float64, len(x))
			SelectAndScatter(x, tc.dims, src, tc.window, tc.strides, tc.paddings, selectMax, got)
			checkClose(t, fmt.Sprintf("SelectAndScatter NaN (max=%v, %+v)", selectMax, tc), got, want, 1e-12)
			// General path: same windows on a transposed-free equivalent layout [N, H, W, C] -> rank 5 with a unit axis.
			dims5 := append([]int{1}, tc.dims...)
			win5 := append([]int{1}, tc.window...)
			var str5 []int
			if tc.strides != nil {
				str5 = append([]int{1}, tc.strides...)
			}
			var pad5 [][2]int
			if tc.paddings != nil {
				pad5 = append([][2]int{{0, 0}}, tc.paddings...)
			}
			got5 := make([]float64, len(x))
			SelectAndScatter(x, dims5, src, win5, str5, pad5, selectMax, got5)
			checkClose(t, fmt.Sprintf("SelectAndScatter NaN general (max=%v, %+v)", selectMax, tc), got5, want, 1e-12)
		}
	}
}

func TestEdgeCases(t *testing.T) {
	// Rank 0.
	out := []float32{0}
	ReduceWindow([]float32{5}, nil, backends.ReduceOpMax, nil, nil, nil, nil, nil, out)
	if out[0] != 5 {
		t.Errorf("ReduceWindow scalar: got %v", out[0])
	}
	SelectAndScatter([]float32{5}, nil, []float32{3}, nil, nil, nil, true, out)
	if out[0] != 3 {
		t.Errorf("SelectAndScatter scalar: got %v", out[0])
	}
	// Windows entirely in the padding: identity, and dropped source values.
	tc := windowCase{dims: []int{1, 2, 2, 1}, window: []int{1, 2, 2, 1}, strides: []int{1, 3, 3, 1}, paddings: [][2]int{{0, 0}, {0, 3}, {0, 3}, {0, 0}}}
	x := []float64{1, 2, 3, 4}
	for _, op := range []backends.ReduceOpType{backends.ReduceOpSum, backends.ReduceOpProduct, backends.ReduceOpMax, backends.ReduceOpMin} {
		want := naiveReduceWindow(x, tc, op)
		got := make([]float64, len(want))
		ReduceWindow(x, tc.dims, op, tc.window, tc.strides, nil, nil, tc.paddings, got)
		checkClose(t, fmt.Sprintf("ReduceWindow all-padding windows %s", op), got, want, 0)
	}
	src := []float64{1, 2, 3, 4}
	want := naiveSelectAndScatter(x, tc, src, true)
	got := make([]float64, 4)
	SelectAndScatter(x, tc.dims, src, tc.window, tc.strides, tc.paddings, true, got)
	checkClose(t, "SelectAndScatter all-padding windows", got, want, 0)
}

// TestSeparableSumSameBits: the separable NHWC sum's in-place horizontal adds give the bits of its
// copy-and-addRow form (same taps, same order), on strides, paddings that leave partial and empty
// windows, and channel counts below, at and above one vector.
func TestSeparableSumSameBits(t *testing.T) {
	r := newRand(21)
	for _, c := range []int{1, 3, 8, 17} {
		for _, s := range []int{1, 2} {
			for _, pad := range []int{0, 1, 3} {
				p := nhwcParams{N: 2, H: 7, W: 9, C: c, KH: 3, KW: 3, SH: s, SW: s, PH: pad, PW: pad}
				p.OH = (p.H+2*pad-p.KH)/s + 1
				p.OW = (p.W+2*pad-p.KW)/s + 1
				x32 := randSlice[float32](r, p.N*p.H*p.W*c)
				x64 := randSlice[float64](r, p.N*p.H*p.W*c)
				n := p.N * p.OH * p.OW * c
				a32, b32 := make([]float32, n), make([]float32, n)
				reduceWindowNHWCSeparable(x32, p, addRow[float32], true, 0, a32)
				reduceWindowNHWCSeparable(x32, p, addRow[float32], false, 0, b32)
				a64, b64 := make([]float64, n), make([]float64, n)
				reduceWindowNHWCSeparable(x64, p, addRow[float64], true, 0, a64)
				reduceWindowNHWCSeparable(x64, p, addRow[float64], false, 0, b64)
				for i := range a32 {
					if math.Float32bits(a32[i]) != math.Float32bits(b32[i]) || math.Float64bits(a64[i]) != math.Float64bits(b64[i]) {
						t.Fatalf("C=%d stride %d pad %d: element %d differs: %v/%v, %v/%v", c, s, pad, i, a32[i], b32[i], a64[i], b64[i])
					}
				}
			}
		}
	}
}
