package gemm

import (
	"fmt"
	"os"
	"strings"
)

// level names a family of micro-kernels.
type level int

const (
	levelGo     level = iota // portable 4×4 Go kernel
	levelAVX2                // AVX2+FMA assembly, YMM registers
	levelAVX512              // AVX512F assembly, ZMM registers
)

func (l level) String() string {
	switch l {
	case levelGo:
		return "purego"
	case levelAVX2:
		return "avx2"
	case levelAVX512:
		return "avx512"
	}
	return "level?"
}

// EnvVar names the environment variable that selects the micro-kernel level
// at start-up ("purego", "avx2" or "avx512"; unset: the best the CPU
// supports). It makes a run reproduce the arithmetic of another machine
// kind, e.g. GAEA_GEMM_KERNEL=avx2 on an AVX-512 machine.
const EnvVar = "GAEA_GEMM_KERNEL"

// kernelLevel selects the micro-kernels: the best level the CPU supports
// (see supportedLevels), or the one EnvVar names. Tests and benchmarks set
// it to each supported level in turn; it must not be set to a level the CPU
// lacks.
var kernelLevel = initialLevel()

func bestLevel() level {
	l := supportedLevels()
	return l[len(l)-1]
}

// initialLevel is the level EnvVar names, or the best one. A value the CPU
// cannot run stops the program with one line: silently computing with
// another kernel would defeat the variable's purpose.
func initialLevel() level {
	v := strings.TrimSpace(os.Getenv(EnvVar))
	if v == "" {
		return bestLevel()
	}
	l, err := parseLevel(v)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s=%s: %v\n", EnvVar, v, err)
		os.Exit(2)
	}
	return l
}

// parseLevel returns the supported level of a name.
func parseLevel(name string) (level, error) {
	for _, l := range supportedLevels() {
		if l.String() == name {
			return l, nil
		}
	}
	return 0, fmt.Errorf("gemm: kernel level %q is not one this CPU runs (%s)", name, strings.Join(Levels(), ", "))
}

// Levels returns the names of the micro-kernel levels this CPU runs, the
// best last: "purego", then "avx2" and "avx512" where the CPU has them.
func Levels() []string {
	var names []string
	for _, l := range supportedLevels() {
		names = append(names, l.String())
	}
	return names
}

// Level returns the name of the level in use.
func Level() string { return kernelLevel.String() }

// SetLevel selects the micro-kernel level by name (one of Levels) for every
// GEMM that starts afterwards. It is process-wide and must not be called
// while products are running (between executions of a graph is fine).
func SetLevel(name string) error {
	l, err := parseLevel(name)
	if err != nil {
		return err
	}
	kernelLevel = l
	return nil
}

var (
	goKernel32 = &kernel[float32]{mr: 4, nr: 4, fn: kernelGo4x4[float32], chain: kernelGo4x4Chain[float32], kc: 256, mc: 128, nc: 1024}
	goKernel64 = &kernel[float64]{mr: 4, nr: 4, fn: kernelGo4x4[float64], kc: 256, mc: 64, nc: 512}
)

// getKernel returns the micro-kernel for a product with n columns at the
// current kernelLevel.
func getKernel[T float32 | float64](n int) *kernel[T] {
	if isFloat32[T]() {
		k := goKernel32
		switch kernelLevel {
		case levelAVX2:
			k = avx2Kernel32(n)
		case levelAVX512:
			k = avx512Kernel32(n)
		}
		return any(k).(*kernel[T])
	}
	k := goKernel64
	switch kernelLevel {
	case levelAVX2:
		k = avx2Kernel64
	case levelAVX512:
		k = avx512Kernel64(n)
	}
	return any(k).(*kernel[T])
}

// narrowFor reports whether a product with n columns should use the
// one-vector-wide AVX-512 kernel (nr = w lanes) rather than the two-vector
// one (nr = 2w): when n needs an odd number of vectors, the wide kernel
// would spend a whole vector of every tile on padding, which costs more
// than its better FMA-to-load ratio saves; from 8 vectors on the padding
// is a small fraction and the wide kernel wins.
func narrowFor(n, w int) bool {
	v := (n + w - 1) / w
	return v%2 == 1 && v < 8
}

// kernelGo4x4 is the portable 4×4 micro-kernel (see kernelFunc).
func kernelGo4x4[T float32 | float64](kc int, a []T, rsA, csA int, b []T, c []T, ldc int, acc bool) {
	mode := 0
	if acc {
		mode = 1
	}
	kernelGo4x4Mode(kc, a, rsA, csA, b, c, ldc, mode)
}

// kernelGo4x4Chain is kernelGo4x4 with its sums started from C (see chainFunc).
func kernelGo4x4Chain[T float32 | float64](kc int, a []T, rsA, csA int, b []T, c []T, ldc int) {
	kernelGo4x4Mode(kc, a, rsA, csA, b, c, ldc, 2)
}

// kernelGo4x4Mode: mode 0 overwrites C, 1 adds to C, 2 starts the sums from C.
func kernelGo4x4Mode[T float32 | float64](kc int, a []T, rsA, csA int, b []T, c []T, ldc int, mode int) {
	var c00, c01, c02, c03 T
	var c10, c11, c12, c13 T
	var c20, c21, c22, c23 T
	var c30, c31, c32, c33 T
	r0 := c[0:4:4]
	r1 := c[ldc : ldc+4 : ldc+4]
	r2 := c[2*ldc : 2*ldc+4 : 2*ldc+4]
	r3 := c[3*ldc : 3*ldc+4 : 3*ldc+4]
	if mode == 2 {
		c00, c01, c02, c03 = r0[0], r0[1], r0[2], r0[3]
		c10, c11, c12, c13 = r1[0], r1[1], r1[2], r1[3]
		c20, c21, c22, c23 = r2[0], r2[1], r2[2], r2[3]
		c30, c31, c32, c33 = r3[0], r3[1], r3[2], r3[3]
	}
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
	if mode == 1 {
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
