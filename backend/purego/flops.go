package purego

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gaeanas/gaeanas/backend/internal/gemm"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/shapes"
)

// executedFLOPs counts the FLOPs of every convolution and dot product that purego executables ran.
var executedFLOPs atomic.Int64

// ExecutedFLOPs returns the floating-point operations of the convolutions (ConvGeneral) and dot
// products (Dot, DotGeneral) that every purego executable of this process has run so far: 2 per
// multiply-add, counted from the ops' shapes when a graph is compiled (only its live ops) and added at
// each Execute. The difference over a piece of work is its "useful" FLOPs, the convention of FLOP
// counters (PyTorch's, fvcore's): padding taps count, element-wise ops and reductions do not. GoMLX
// writes the gradient of a dot product as Mul and ReduceSum (graph/ops_helpers.go dotGeneralVJP), so a
// dot's backward is not counted: in the supernets only the classifier is a dot product (2·B·C·classes
// FLOPs, under 0.1 % of an iteration's), the convolutions' gradients are convolutions and count.
func ExecutedFLOPs() int64 { return executedFLOPs.Load() }

// convFLOPs: each output element sums kernel-elements ÷ output-channels products (the kernel's
// spatial taps × its input channels, per group; for batch groups, the kernel gradient, the same). With
// input dilation (the input gradient of a strided convolution: the gradient spread out by the stride),
// only one tap in Π dilations meets a value, the others the inserted zeros: the count is divided by
// it, which makes that gradient cost what its forward convolution costs (exactly when the input size
// is the output size × the stride), as FLOP counters count a transposed convolution.
func convFLOPs(out, kernel shapes.Shape, kernelOutAxis int, inputDilations []int) int64 {
	cout := kernel.Dimensions[kernelOutAxis]
	if cout == 0 {
		return 0
	}
	f := 2 * int64(out.Size()) * int64(kernel.Size()/cout)
	for _, d := range inputDilations {
		f /= int64(max(d, 1))
	}
	return f
}

// DotGeneral implements backends.Builder: simplego's, with its FLOPs counted (2 × output elements ×
// the contracted size).
func (b *Builder) DotGeneral(lhs backends.Op, lhsContracting, lhsBatch []int, rhs backends.Op, rhsContracting, rhsBatch []int) (backends.Op, error) {
	outs, err := b.native("DotGeneral", []backends.Op{lhs, rhs}, 1, func(ib backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r, err := ib.DotGeneral(in[0], lhsContracting, lhsBatch, in[1], rhsContracting, rhsBatch)
		return []backends.Op{r}, err
	})
	if err != nil {
		return nil, err
	}
	n := outs[0].(*node)
	ls, _ := b.OpShape(lhs)
	k := int64(1)
	for _, a := range lhsContracting {
		k *= int64(ls.Dimensions[a])
	}
	n.call.flops = 2 * int64(n.shape.Size()) * k
	return outs[0], nil
}

// Dot implements backends.Builder: simplego's (vectors and matrices), with its FLOPs counted: lhs's
// last axis is contracted.
func (b *Builder) Dot(lhs, rhs backends.Op) (backends.Op, error) {
	outs, err := b.native("Dot", []backends.Op{lhs, rhs}, 1, func(ib backends.Builder, in []backends.Op) ([]backends.Op, error) {
		r, err := ib.Dot(in[0], in[1])
		return []backends.Op{r}, err
	})
	if err != nil {
		return nil, err
	}
	n := outs[0].(*node)
	ls, _ := b.OpShape(lhs)
	n.call.flops = 2 * int64(n.shape.Size()) * int64(ls.Dimensions[ls.Rank()-1])
	return outs[0], nil
}

// GEMMPeak measures the float32 GEMM rate of threads cores together in GFLOP/s with the micro-kernel
// level in use: threads goroutines each run a 512×512×512 product at the same time (each on its own
// operands, the kernel's steady state), repeated for about d of wall time, the best round kept. Shared
// cores (SMT siblings) and all-core clock limits show in it, as they do in a threads-wide computation.
// ExecutedFLOPs over an iteration's time, divided by GEMMPeak, says how far a computation is from what
// this machine's GEMM reaches.
func GEMMPeak(d time.Duration, threads int) float64 {
	const n = 512
	threads = max(threads, 1)
	type operands struct{ a, b, c []float32 }
	ops := make([]operands, threads)
	for t := range ops {
		ops[t] = operands{make([]float32, n*n), make([]float32, n*n), make([]float32, n*n)}
		for i := range ops[t].a {
			ops[t].a[i], ops[t].b[i] = float32(i%7)/7, float32(i%5)/5
		}
	}
	best := time.Duration(math.MaxInt64)
	for start := time.Now(); time.Since(start) < d || best == time.Duration(math.MaxInt64); {
		t0 := time.Now()
		var wg sync.WaitGroup
		for _, o := range ops {
			wg.Go(func() { gemm.GemmSerial(n, n, n, o.a, n, o.b, n, o.c, n, false) })
		}
		wg.Wait()
		best = min(best, time.Since(t0))
	}
	return 2 * n * n * n * float64(threads) / best.Seconds() / 1e9
}
