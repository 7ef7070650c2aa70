package purego

import (
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	. "github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// finishesManyBatchedDots runs, 20 times, a graph of 4 × NumCPU + 4 independent batched dot products
// (each one splits its batch over simplego's worker pool of 2 × NumCPU) and reports whether it
// finished before the deadline.
func finishesManyBatchedDots(t *testing.T, b backends.Backend, deadline time.Duration) bool {
	t.Helper()
	exec := MustNewExec(b, func(x *Node) *Node {
		var sum *Node
		for i := range 4*runtime.NumCPU() + 4 {
			d := Einsum("bij,bjk->bik", x, MulScalar(x, float64(i+1)))
			if sum == nil {
				sum = d
			} else {
				sum = Add(sum, d)
			}
		}
		return ReduceAllSum(sum)
	})
	x := tensors.FromShape(shapes.Make(dtypes.Float32, 8, 16, 16))
	done := make(chan struct{})
	go func() {
		for range 20 {
			exec.MustExec(x)
		}
		close(done)
	}()
	select {
	case <-done:
		return true
	case <-time.After(deadline):
		return false
	}
}

// TestNoDeadlockOnManyBatchedDots: GoMLX v0.26.0's parallel op scheduler deadlocks on this graph
// (every worker holds a dot product waiting for a worker to split its batch); purego's default runs
// simplego's ops in sequence and finishes. A hung run leaks its goroutines, so the check of the
// deadlock itself (ops_parallel) runs only when asked for (GAEA_TEST_DEADLOCK=1).
func TestNoDeadlockOnManyBatchedDots(t *testing.T) {
	if !finishesManyBatchedDots(t, New(), 2*time.Minute) {
		t.Fatal("purego's default configuration hung on independent batched dot products")
	}
	if os.Getenv("GAEA_TEST_DEADLOCK") == "" {
		return
	}
	b, err := NewWithConfig("ops_parallel")
	if err != nil {
		t.Fatal(err)
	}
	if finishesManyBatchedDots(t, b, 30*time.Second) {
		t.Log("ops_parallel finished: this GoMLX's scheduler no longer deadlocks here; the default could go back to it")
	} else {
		t.Log("ops_parallel hung, as GoMLX v0.26.0's scheduler does")
	}
}
