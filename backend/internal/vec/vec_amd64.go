//go:build !purego

package vec

import "golang.org/x/sys/cpu"

var useAsm = cpu.X86.HasAVX2

func vvAsm(op Op, d, x, y *float32, n int) {
	switch op {
	case Add:
		addVV(d, x, y, n)
	case Sub:
		subVV(d, x, y, n)
	case Mul:
		mulVV(d, x, y, n)
	case Div:
		divVV(d, x, y, n)
	case Max:
		maxVV(d, x, y, n)
	case Min:
		minVV(d, x, y, n)
	}
}

func vsAsm(op Op, d, x *float32, s float32, n int) {
	switch op {
	case Add:
		addVS(d, x, s, n)
	case Sub:
		subVS(d, x, s, n)
	case Mul:
		mulVS(d, x, s, n)
	case Div:
		divVS(d, x, s, n)
	case Max:
		maxVS(d, x, s, n)
	case Min:
		minVS(d, x, s, n)
	}
}

func svAsm(op Op, d *float32, s float32, y *float32, n int) {
	switch op {
	case Add:
		addSV(d, y, s, n)
	case Sub:
		subSV(d, y, s, n)
	case Mul:
		mulSV(d, y, s, n)
	case Div:
		divSV(d, y, s, n)
	case Max:
		maxSV(d, y, s, n)
	case Min:
		minSV(d, y, s, n)
	}
}

//go:noescape
func addVV(d, x, y *float32, n int)

//go:noescape
func subVV(d, x, y *float32, n int)

//go:noescape
func mulVV(d, x, y *float32, n int)

//go:noescape
func divVV(d, x, y *float32, n int)

//go:noescape
func addVS(d, x *float32, s float32, n int)

//go:noescape
func subVS(d, x *float32, s float32, n int)

//go:noescape
func mulVS(d, x *float32, s float32, n int)

//go:noescape
func divVS(d, x *float32, s float32, n int)

//go:noescape
func addSV(d, y *float32, s float32, n int)

//go:noescape
func subSV(d, y *float32, s float32, n int)

//go:noescape
func mulSV(d, y *float32, s float32, n int)

//go:noescape
func divSV(d, y *float32, s float32, n int)

//go:noescape
func maxVV(d, x, y *float32, n int)

//go:noescape
func minVV(d, x, y *float32, n int)

//go:noescape
func maxVS(d, x *float32, s float32, n int)

//go:noescape
func minVS(d, x *float32, s float32, n int)

//go:noescape
func maxSV(d, y *float32, s float32, n int)

//go:noescape
func minSV(d, y *float32, s float32, n int)

//go:noescape
func signV(d, x *float32, n int)

//go:noescape
func reluMulVV(d, a, x *float32, n int)

//go:noescape
func nonNegMulVV(d, a, x *float32, n int)

//go:noescape
func affine8(x, out *float32, rows, c int, m, k1, k0 *float32)

//go:noescape
func affineGrad8(x, gr, out *float32, rows, c int, m, k1, k0, k2 *float32)

//go:noescape
func sumShifted8(x *float32, rows, stride int, sh, a1, a2 *float64)

//go:noescape
func sumGrad8(x, gr *float32, rows, stride int, sh, a1, a2 *float64)

//go:noescape
func mulAddVV(d, x, y *float32, n int)

//go:noescape
func copyRows8(dst *float32, dstStride int, src *float32, srcStride, rows, width int)
