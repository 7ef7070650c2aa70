// Package vec holds float32 loops in AVX assembly (amd64 with AVX2): element-wise add, subtract,
// multiply, divide, max and min (vector with vector, vector with scalar, scalar with vector), sign, the
// ReLU mask product, a product-and-add, batch norm's row loops and strided row copies. Each element is
// computed by the same IEEE operations, in the same order, as the Go loop it replaces, so the results
// are that loop's bits (a NaN result of two NaN operands may carry the other one's payload, as between two
// compilations of one Go loop; Max and Min return a NaN operand itself, where Go's inline max and min
// may return a NaN with another payload). Elsewhere, and for float64, they are the Go loops.
//
// Bit-identical at the default GOAMD64=v1 (and v2): from v3 on, the Go compiler may fuse a product and
// a sum into one FMA in the Go loops, which these loops do not (TestSameBitsAsGo and
// TestBNRowsSameBitsAsGo then fail, and say so).
package vec

import "math"

// Op is an element-wise binary operation.
type Op int

const (
	Add Op = iota
	Sub
	Mul
	Div
	Max // the value of Go's max builtin: NaN if either is NaN (see the package doc), max(−0, +0) = +0
	Min // the value of Go's min builtin: NaN if either is NaN (see the package doc), min(−0, +0) = −0
)

// asmMinLen: VV, VS and SV run their assembly from this many elements on; shorter slices (one pixel's
// 8 channels, in a broadcast's rows) are not worth the call.
const asmMinLen = 32

// VV sets d[i] = x[i] op y[i] for i < len(d); x and y must be at least as long as d. d may be x or y.
// Float32 runs in assembly where the CPU has AVX2; float64 and the tail in Go.
func VV[T ~float32 | ~float64](op Op, d, x, y []T) {
	x, y = x[:len(d)], y[:len(d)]
	if d32, ok := any(d).([]float32); ok && useAsm && len(d) >= asmMinLen {
		n := len(d) &^ 7
		vvAsm(op, &d32[0], &any(x).([]float32)[0], &any(y).([]float32)[0], n)
		d, x, y = d[n:], x[n:], y[n:]
	}
	switch op {
	case Add:
		for i := range d {
			d[i] = x[i] + y[i]
		}
	case Sub:
		for i := range d {
			d[i] = x[i] - y[i]
		}
	case Mul:
		for i := range d {
			d[i] = x[i] * y[i]
		}
	case Div:
		for i := range d {
			d[i] = x[i] / y[i]
		}
	case Max:
		for i := range d {
			d[i] = max(x[i], y[i])
		}
	case Min:
		for i := range d {
			d[i] = min(x[i], y[i])
		}
	}
}

// VS sets d[i] = x[i] op s.
func VS[T ~float32 | ~float64](op Op, d, x []T, s T) {
	x = x[:len(d)]
	if d32, ok := any(d).([]float32); ok && useAsm && len(d) >= asmMinLen {
		n := len(d) &^ 7
		vsAsm(op, &d32[0], &any(x).([]float32)[0], any(s).(float32), n)
		d, x = d[n:], x[n:]
	}
	switch op {
	case Add:
		for i := range d {
			d[i] = x[i] + s
		}
	case Sub:
		for i := range d {
			d[i] = x[i] - s
		}
	case Mul:
		for i := range d {
			d[i] = x[i] * s
		}
	case Div:
		for i := range d {
			d[i] = x[i] / s
		}
	case Max:
		for i := range d {
			d[i] = max(x[i], s)
		}
	case Min:
		for i := range d {
			d[i] = min(x[i], s)
		}
	}
}

// SV sets d[i] = s op y[i].
func SV[T ~float32 | ~float64](op Op, d []T, s T, y []T) {
	y = y[:len(d)]
	if d32, ok := any(d).([]float32); ok && useAsm && len(d) >= asmMinLen {
		n := len(d) &^ 7
		svAsm(op, &d32[0], any(s).(float32), &any(y).([]float32)[0], n)
		d, y = d[n:], y[n:]
	}
	switch op {
	case Add:
		for i := range d {
			d[i] = s + y[i]
		}
	case Sub:
		for i := range d {
			d[i] = s - y[i]
		}
	case Mul:
		for i := range d {
			d[i] = s * y[i]
		}
	case Div:
		for i := range d {
			d[i] = s / y[i]
		}
	case Max:
		for i := range d {
			d[i] = max(s, y[i])
		}
	case Min:
		for i := range d {
			d[i] = min(s, y[i])
		}
	}
}

// ReLUMul sets d[i] = a[i]·[x[i] > 0] (1 or 0, so a NaN or infinite a[i] gives NaN where x ≤ 0, as the
// product with the mask does); x > 0 is false for NaN and −0.
func ReLUMul(d, a, x []float32) {
	a, x = a[:len(d)], x[:len(d)]
	n := 0
	if useAsm && len(d) >= 8 {
		n = len(d) &^ 7
		reluMulVV(&d[0], &a[0], &x[0], n)
	}
	d, a, x = d[n:], a[n:], x[n:]
	for i, v := range x {
		// Branch-free: x > 0 exactly when x's bits u satisfy 0 < u ≤ 0x7F800000 (+Inf), i.e.
		// u − 1 < 0x7F800000 in uint32 arithmetic.
		lt := (uint64(math.Float32bits(v)-1) - 0x7F800000) >> 63
		d[i] = a[i] * math.Float32frombits(uint32(lt)*0x3F800000)
	}
}

// NonNegMul sets d[i] = a[i]·ind(x[i]) for i < len(d), where ind(x) = sign(sign(x) + 1) is GoMLX's
// NonNegativeIndicator: 1 for x ≥ 0 (−0 included), +0 for x < 0, and x itself, quieted, for a NaN.
// It is the mask of the gradient of Max(x, 0) (activations.Relu) and of Max(x, y) with d = x − y.
// The product is a·ind: a NaN or infinite a[i] gives NaN where ind is 0, as the product with the mask
// does. Where a[i] and x[i] are both NaN the result is NaN with either one's payload (the assembly
// returns a's, the Go loop may return x's), as for any product of two NaNs. Float32 runs in assembly
// where the CPU has AVX2.
func NonNegMul[T ~float32 | ~float64](d, a, x []T) {
	a, x = a[:len(d)], x[:len(d)]
	if d32, ok := any(d).([]float32); ok && useAsm && len(d) >= 8 {
		n := len(d) &^ 7
		nonNegMulVV(&d32[0], &any(a).([]float32)[0], &any(x).([]float32)[0], n)
		d, a, x = d[n:], a[n:], x[n:]
	}
	switch d := any(d).(type) {
	case []float32:
		a, x := any(a).([]float32), any(x).([]float32)
		for i, v := range x {
			d[i] = a[i] * math.Float32frombits(nonNegInd32(math.Float32bits(v)))
		}
	case []float64:
		a, x := any(a).([]float64), any(x).([]float64)
		for i, v := range x {
			d[i] = a[i] * math.Float64frombits(nonNegInd64(math.Float64bits(v)))
		}
	}
}

// nonNegInd32 is ind's bits for x's bits u, without branches (activations' signs mispredict half the
// time): 1.0 unless x is negative and nonzero (+0 then), u with the quiet bit for a NaN.
func nonNegInd32(u uint32) uint32 {
	abs := u & 0x7fffffff
	negNZ := (u >> 31) & ((abs + 0x7fffffff) >> 31) // 1 when x < 0 (or a NaN with the sign bit)
	isNaN := -((0x7f800000 - abs) >> 31)            // all ones for a NaN
	ind := 0x3f800000 &^ -negNZ
	return ind&^isNaN | (u|0x00400000)&isNaN
}

// nonNegInd64 is nonNegInd32 for float64.
func nonNegInd64(u uint64) uint64 {
	abs := u & 0x7fffffffffffffff
	negNZ := (u >> 63) & ((abs + 0x7fffffffffffffff) >> 63)
	isNaN := -((0x7ff0000000000000 - abs) >> 63)
	ind := 0x3ff0000000000000 &^ -negNZ
	return ind&^isNaN | (u|0x0008000000000000)&isNaN
}

// Sign sets d[i] = sign(x[i]) for i < len(d): −1 or +1 with x[i]'s sign bit, +0 for ±0, and x[i]
// itself for a NaN. Float32 runs in assembly where the CPU has AVX2.
func Sign[T ~float32 | ~float64](d, x []T) {
	x = x[:len(d)]
	if d32, ok := any(d).([]float32); ok && useAsm && len(d) >= asmMinLen {
		n := len(d) &^ 7
		signV(&d32[0], &any(x).([]float32)[0], n)
		d, x = d[n:], x[n:]
	}
	switch d := any(d).(type) {
	case []float32:
		sign32(d, any(x).([]float32))
	case []float64:
		sign64(d, any(x).([]float64))
	}
}

// sign32 is Sign's Go loop for float32, without branches (activations' signs mispredict half the time).
func sign32(d, x []float32) {
	for i, v := range x[:len(d)] {
		u := math.Float32bits(v)
		abs := u & 0x7fffffff
		nonZero := -((abs + 0x7fffffff) >> 31)         // all ones unless v is ±0
		isNaN := -((0x7f800000 - abs) >> 31)           // all ones if v is NaN
		r := ((u & 0x80000000) | 0x3f800000) & nonZero // ±1.0 or +0
		d[i] = math.Float32frombits(r&^isNaN | u&isNaN)
	}
}

// sign64 is sign32 for float64.
func sign64(d, x []float64) {
	for i, v := range x[:len(d)] {
		u := math.Float64bits(v)
		abs := u & 0x7fffffffffffffff
		nonZero := -((abs + 0x7fffffffffffffff) >> 63)
		isNaN := -((0x7ff0000000000000 - abs) >> 63)
		r := ((u & 0x8000000000000000) | 0x3ff0000000000000) & nonZero
		d[i] = math.Float64frombits(r&^isNaN | u&isNaN)
	}
}

// Accelerated reports whether the loops run in assembly on this CPU.
func Accelerated() bool { return useAsm }

// MulAdd sets d[i] = d[i] + x[i]·y[i], the product rounded before the sum, as the Go expression
// d[i] += x[i]*y[i] computes it on amd64 at the default GOAMD64=v1 (from v3 on, the compiler may fuse it
// into one FMA; TestSameBitsAsGo would then fail).
func MulAdd(d, x, y []float32) {
	x, y = x[:len(d)], y[:len(d)]
	n := 0
	if useAsm && len(d) >= 8 {
		n = len(d) &^ 7
		mulAddVV(&d[0], &x[0], &y[0], n)
	}
	d, x, y = d[n:], x[n:], y[n:]
	for i := range d {
		d[i] += x[i] * y[i]
	}
}
