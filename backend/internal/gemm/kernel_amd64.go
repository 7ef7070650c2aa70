//go:build !purego

package gemm

import "golang.org/x/sys/cpu"

var hasAsm = cpu.X86.HasAVX2 && cpu.X86.HasFMA

var (
	asmKernel32 = &kernel[float32]{mr: 6, nr: 16, fn: kernelAsm6x16, kc: 256, mc: 144, nc: 1024}
	asmKernel64 = &kernel[float64]{mr: 6, nr: 8, fn: kernelAsm6x8, kc: 256, mc: 72, nc: 512}
)

//go:noescape
func sgemmKernel6x16(kc int, a *float32, rsA, csA int, b *float32, c *float32, ldc int, acc bool)

//go:noescape
func dgemmKernel6x8(kc int, a *float64, rsA, csA int, b *float64, c *float64, ldc int, acc bool)

func kernelAsm6x16(kc int, a []float32, rsA, csA int, b []float32, c []float32, ldc int, acc bool) {
	// Bounds checks: the assembly reads A(5, kc-1), B[kc*16-1] and C row 5.
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
