package gemm

// useAsm selects the assembly micro-kernels when available. Tests switch it
// off to exercise the pure-Go path.
var useAsm = hasAsm

var (
	goKernel32 = &kernel[float32]{mr: 4, nr: 4, fn: kernelGo4x4[float32], kc: 256, mc: 128, nc: 1024}
	goKernel64 = &kernel[float64]{mr: 4, nr: 4, fn: kernelGo4x4[float64], kc: 256, mc: 64, nc: 512}
)

func getKernel[T float32 | float64]() *kernel[T] {
	if isFloat32[T]() {
		k := goKernel32
		if useAsm {
			k = asmKernel32
		}
		return any(k).(*kernel[T])
	}
	k := goKernel64
	if useAsm {
		k = asmKernel64
	}
	return any(k).(*kernel[T])
}

// kernelGo4x4 is the portable 4×4 micro-kernel (see kernelFunc).
func kernelGo4x4[T float32 | float64](kc int, a []T, rsA, csA int, b []T, c []T, ldc int, acc bool) {
	var c00, c01, c02, c03 T
	var c10, c11, c12, c13 T
	var c20, c21, c22, c23 T
	var c30, c31, c32, c33 T
	if kc > 0 {
		_ = a[3*rsA+(kc-1)*csA]
	}
	b = b[:kc*4]
	ia := 0
	for p := 0; p < kc; p++ {
		bb := b[p*4 : p*4+4 : p*4+4]
		b0, b1, b2, b3 := bb[0], bb[1], bb[2], bb[3]
		a0 := a[ia]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		a1 := a[ia+rsA]
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		a2 := a[ia+2*rsA]
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		a3 := a[ia+3*rsA]
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
		ia += csA
	}
	r0 := c[0:4:4]
	r1 := c[ldc : ldc+4 : ldc+4]
	r2 := c[2*ldc : 2*ldc+4 : 2*ldc+4]
	r3 := c[3*ldc : 3*ldc+4 : 3*ldc+4]
	if acc {
		r0[0] += c00
		r0[1] += c01
		r0[2] += c02
		r0[3] += c03
		r1[0] += c10
		r1[1] += c11
		r1[2] += c12
		r1[3] += c13
		r2[0] += c20
		r2[1] += c21
		r2[2] += c22
		r2[3] += c23
		r3[0] += c30
		r3[1] += c31
		r3[2] += c32
		r3[3] += c33
		return
	}
	r0[0], r0[1], r0[2], r0[3] = c00, c01, c02, c03
	r1[0], r1[1], r1[2], r1[3] = c10, c11, c12, c13
	r2[0], r2[1], r2[2], r2[3] = c20, c21, c22, c23
	r3[0], r3[1], r3[2], r3[3] = c30, c31, c32, c33
}
