package purego

import (
	"runtime"
	"strings"
	"testing"

	"github.com/gomlx/gomlx/backends"
)

// TestKernelPanicBecomesError: a panic in a kernel's worker goroutine is reported as an error of the
// op, not a crash of the process.
func TestKernelPanicBecomesError(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2)) // at least two workers, also under GOMAXPROCS=1
	c := &customOp{name: "Boom", outputs: []*node{{}}, run: func(be *Backend, in []backends.Buffer) ([]backends.Buffer, error) {
		parallelFor(1000, 1, func(lo, hi int) {
			if lo > 0 {
				panic("worker failed")
			}
		})
		return nil, nil
	}}
	_, err := runKernel(c, New(), nil)
	if err == nil || !strings.Contains(err.Error(), "worker failed") {
		t.Fatalf("runKernel error = %v, want the worker's panic", err)
	}
}
