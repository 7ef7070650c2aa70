//go:build !amd64 || purego

package gemm

func supportedLevels() []level { return []level{levelGo} }

// Never selected here (kernelLevel is always levelGo); aliases so that
// getKernel compiles on every platform.
var (
	avx2Kernel64 = goKernel64
)

func avx2Kernel32(int) *kernel[float32]   { return goKernel32 }
func avx512Kernel32(int) *kernel[float32] { return goKernel32 }
func avx512Kernel64(int) *kernel[float64] { return goKernel64 }
