//go:build !amd64 || purego

package gemm

const hasAsm = false

var (
	asmKernel32 = goKernel32
	asmKernel64 = goKernel64
)
