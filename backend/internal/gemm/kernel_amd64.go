//go:build !purego

package gemm

import "golang.org/x/sys/cpu"

//go:generate go run gen_avx512.go

// supportedLevels lists the kernel levels this CPU (and OS) can run, in
// increasing order of preference. AVX-512 needs only AVX512F (x/sys/cpu
// also checks that the OS saves the ZMM and mask registers).
func supportedLevels() []level {
	l := []level{levelGo}
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
		l = append(l, levelAVX2)
	}
	if cpu.X86.HasAVX512F {
		l = append(l, levelAVX512)
	}
	return l
}

// Block sizes: kc·nr·size (one packed B micro-panel, reused by every A
// micro-panel of a block) should stay in L1/L2, mc·kc·size (one packed A
// block) well inside a 1 MiB L2, kc·nc·size (the packed B block) in L3.
var (
	avx2Kernel32 = &kernel[float32]{mr: 6, nr: 16, fn: kernelAsm6x16, kc: 256, mc: 144, nc: 1024}
	avx2Kernel64 = &kernel[float64]{mr: 6, nr: 8, fn: kernelAsm6x8, kc: 256, mc: 72, nc: 512}

	// AVX-512: a wide kernel (two ZMM vectors per row of C) and a narrow
	// one (one vector) for products whose n needs an odd number of vectors
	// (see narrowFor): n = 8, 16, 48 … are common in im2col convolutions.
	avx512Kernel32Wide   = &kernel[float32]{mr: 14, nr: 32, fn: kernelAVX512s14x32, kc: 256, mc: 224, nc: 1024}
	avx512Kernel32Narrow = &kernel[float32]{mr: 16, nr: 16, fn: kernelAVX512s16x16, kc: 256, mc: 256, nc: 1024}
	avx512Kernel64Wide   = &kernel[float64]{mr: 14, nr: 16, fn: kernelAVX512d14x16, kc: 256, mc: 112, nc: 512}
	avx512Kernel64Narrow = &kernel[float64]{mr: 16, nr: 8, fn: kernelAVX512d16x8, kc: 256, mc: 128, nc: 512}
)

func avx512Kernel32(n int) *kernel[float32] {
	if narrowFor(n, 16) {
		return avx512Kernel32Narrow
	}
	return avx512Kernel32Wide
}

func avx512Kernel64(n int) *kernel[float64] {
	if narrowFor(n, 8) {
		return avx512Kernel64Narrow
	}
	return avx512Kernel64Wide
}

// The assembly kernels; see kernelFunc for the contract. The Go wrappers
// below check bounds: the assembly reads A(mr-1, kc-1), B[kc*nr-1] and
// writes C row mr-1 up to column nr-1.

//go:noescape
func sgemmKernel6x16(kc int, a *float32, rsA, csA int, b *float32, c *float32, ldc int, acc bool)

//go:noescape
func dgemmKernel6x8(kc int, a *float64, rsA, csA int, b *float64, c *float64, ldc int, acc bool)

//go:noescape
func sgemmKernel14x32(kc int, a *float32, rsA, csA int, b *float32, c *float32, ldc int, acc bool)

//go:noescape
func sgemmKernel16x16(kc int, a *float32, rsA, csA int, b *float32, c *float32, ldc int, acc bool)

//go:noescape
func dgemmKernel14x16(kc int, a *float64, rsA, csA int, b *float64, c *float64, ldc int, acc bool)

//go:noescape
func dgemmKernel16x8(kc int, a *float64, rsA, csA int, b *float64, c *float64, ldc int, acc bool)

func kernelAsm6x16(kc int, a []float32, rsA, csA int, b []float32, c []float32, ldc int, acc bool) {
	_ = a[5*rsA+(kc-1)*csA]
	_ = b[kc*16-1]
	_ = c[5*ldc+15]
	sgemmKernel6x16(kc, &a[0], rsA, csA, &b[0], &c[0], ldc, acc)
}

func kernelAsm6x8(kc int, a []float64, rsA, csA int, b []float64, c []float64, ldc int, acc bool) {
	_ = a[5*rsA+(kc-1)*csA]
	_ = b[kc*8-1]
	_ = c[5*ldc+7]
	dgemmKernel6x8(kc, &a[0], rsA, csA, &b[0], &c[0], ldc, acc)
}

func kernelAVX512s14x32(kc int, a []float32, rsA, csA int, b []float32, c []float32, ldc int, acc bool) {
	_ = a[13*rsA+(kc-1)*csA]
	_ = b[kc*32-1]
	_ = c[13*ldc+31]
	sgemmKernel14x32(kc, &a[0], rsA, csA, &b[0], &c[0], ldc, acc)
}

func kernelAVX512s16x16(kc int, a []float32, rsA, csA int, b []float32, c []float32, ldc int, acc bool) {
	_ = a[15*rsA+(kc-1)*csA]
	_ = b[kc*16-1]
	_ = c[15*ldc+15]
	sgemmKernel16x16(kc, &a[0], rsA, csA, &b[0], &c[0], ldc, acc)
}

func kernelAVX512d14x16(kc int, a []float64, rsA, csA int, b []float64, c []float64, ldc int, acc bool) {
	_ = a[13*rsA+(kc-1)*csA]
	_ = b[kc*16-1]
	_ = c[13*ldc+15]
	dgemmKernel14x16(kc, &a[0], rsA, csA, &b[0], &c[0], ldc, acc)
}

func kernelAVX512d16x8(kc int, a []float64, rsA, csA int, b []float64, c []float64, ldc int, acc bool) {
	_ = a[15*rsA+(kc-1)*csA]
	_ = b[kc*8-1]
	_ = c[15*ldc+7]
	dgemmKernel16x8(kc, &a[0], rsA, csA, &b[0], &c[0], ldc, acc)
}
