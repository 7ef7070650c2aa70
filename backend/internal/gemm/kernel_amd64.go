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
	avx2Kernel32Wide = asmKernelChain(6, 16, sgemmKernel6x16).withBlocks(256, 144, 1024)
	// The narrow AVX2 kernel: one vector per row of C, for n = 8, 24 … (see narrowFor). The same kc as
	// the wide one, so both give the same bits (each C element: one FMA chain per kc block).
	avx2Kernel32Narrow = asmKernelChain(12, 8, sgemmKernel12x8).withBlocks(256, 144, 1024)
	avx2Kernel64       = asmKernel(6, 8, dgemmKernel6x8).withBlocks(256, 72, 512)

	// AVX-512: a wide kernel (two ZMM vectors per row of C) and a narrow
	// one (one vector) for products whose n needs an odd number of vectors
	// (see narrowFor): n = 8, 16, 48 … are common in im2col convolutions.
	avx512Kernel32Wide   = asmKernel(14, 32, sgemmKernel14x32).withBlocks(256, 224, 1024)
	avx512Kernel32Narrow = asmKernel(16, 16, sgemmKernel16x16).withBlocks(256, 256, 1024)
	avx512Kernel64Wide   = asmKernel(14, 16, dgemmKernel14x16).withBlocks(256, 112, 512)
	avx512Kernel64Narrow = asmKernel(16, 8, dgemmKernel16x8).withBlocks(256, 128, 512)
)

func avx2Kernel32(n int) *kernel[float32] {
	if narrowFor(n, 8) {
		return avx2Kernel32Narrow
	}
	return avx2Kernel32Wide
}

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

// mode: 0 overwrite C, 1 add to C, 2 start the chain from C (see chainFunc).
//
//go:noescape
func sgemmKernel6x16(kc int, a *float32, rsA, csA int, b *float32, c *float32, ldc int, mode uint8)

//go:noescape
func sgemmKernel12x8(kc int, a *float32, rsA, csA int, b *float32, c *float32, ldc int, mode uint8)

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

// asmKernel is the micro-kernel function of an assembly kernel of shape mr×nr: it checks the bounds
// the assembly relies on (it reads A(mr-1, kc-1), B[kc·nr-1] and C row mr-1) and calls it.
func asmKernel[T float32 | float64](mr, nr int, f func(kc int, a *T, rsA, csA int, b *T, c *T, ldc int, acc bool)) *kernel[T] {
	return &kernel[T]{mr: mr, nr: nr, fn: func(kc int, a []T, rsA, csA int, b []T, c []T, ldc int, acc bool) {
		_ = a[(mr-1)*rsA+(kc-1)*csA]
		_ = b[kc*nr-1]
		_ = c[(mr-1)*ldc+nr-1]
		f(kc, &a[0], rsA, csA, &b[0], &c[0], ldc, acc)
	}}
}

// asmKernelChain is asmKernel for the kernels with a mode argument, which also start a chain from C.
func asmKernelChain(mr, nr int, f func(kc int, a *float32, rsA, csA int, b *float32, c *float32, ldc int, mode uint8)) *kernel[float32] {
	check := func(kc int, a []float32, rsA, csA int, b []float32, c []float32, ldc int) {
		_ = a[(mr-1)*rsA+(kc-1)*csA]
		_ = b[kc*nr-1]
		_ = c[(mr-1)*ldc+nr-1]
	}
	return &kernel[float32]{mr: mr, nr: nr,
		fn: func(kc int, a []float32, rsA, csA int, b []float32, c []float32, ldc int, acc bool) {
			check(kc, a, rsA, csA, b, c, ldc)
			var mode uint8
			if acc {
				mode = 1
			}
			f(kc, &a[0], rsA, csA, &b[0], &c[0], ldc, mode)
		},
		chain: func(kc int, a []float32, rsA, csA int, b []float32, c []float32, ldc int) {
			check(kc, a, rsA, csA, b, c, ldc)
			f(kc, &a[0], rsA, csA, &b[0], &c[0], ldc, 2)
		}}
}

// withBlocks sets the block sizes of k.
func (k *kernel[T]) withBlocks(kc, mc, nc int) *kernel[T] {
	k.kc, k.mc, k.nc = kc, mc, nc
	return k
}
