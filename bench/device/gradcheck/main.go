// Command gradcheck compares, on the backend that backend.New() picks (run it with
// GOMLX_BACKEND=xla:cuda on a GPU machine), the gradients of channel-grouped convolutions computed by
// gaeanas's grouped-conv VJP (backend/gradients) with those of GoMLX's own VJP and with the pure-Go
// backend's. It prints one line per case and exits 1 on a mismatch.
package main

import (
	"fmt"
	"math"
	"math/rand"
	"os"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/backend/gradients"
	"github.com/gaeanas/gaeanas/backend/purego"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

type convCase struct {
	name                     string
	n, h, w, c, k, mult, grp int
	stride, dil, pad         int
}

func main() {
	be := backend.MustNew()
	cases := []convCase{
		{"depthwise 3x3 s1 p1", 4, 16, 16, 32, 3, 1, 32, 1, 1, 1},
		{"depthwise 5x5 s2 p2", 4, 16, 16, 32, 5, 1, 32, 2, 1, 2},
		{"depthwise 3x3 dil2 p2", 4, 16, 16, 32, 3, 1, 32, 1, 2, 2},
		{"depthwise ×2 3x3 s1 p1", 2, 9, 9, 8, 3, 2, 8, 1, 1, 1},
		{"groups 2, 3 ch/group", 2, 8, 8, 6, 3, 2, 2, 1, 1, 1},
	}
	rng := rand.New(rand.NewSource(1))
	failed := false
	for _, c := range cases {
		x := randT(rng, c.n, c.h, c.w, c.c)
		// Kernel [k, k, C/groups, groups·mult]: each group maps its C/groups channels to mult outputs.
		kernel := randT(rng, c.k, c.k, c.c/c.grp, c.grp*c.mult)
		f := func(x, kernel *graph.Node) []*graph.Node {
			y := graph.Convolve(x, kernel).ChannelGroupCount(c.grp).StridePerAxis(c.stride, c.stride).
				DilationPerAxis(c.dil, c.dil).PaddingPerDim([][2]int{{c.pad, c.pad}, {c.pad, c.pad}}).Done()
			w := graph.Sin(graph.IotaFull(y.Graph(), y.Shape()))
			loss := graph.ReduceAllSum(graph.Mul(y, w))
			return graph.Gradient(loss, x, kernel)
		}
		ours := run(be, f, x, kernel)
		saved := graph.VJPRegistration[graph.NodeTypeConvGeneral]
		graph.VJPRegistration[graph.NodeTypeConvGeneral] = gradients.GoMLXConvGeneralVJP
		theirs := run(be, f, x, kernel)
		graph.VJPRegistration[graph.NodeTypeConvGeneral] = saved
		cpu := run(purego.New(), f, x, kernel)
		d1 := maxRelDiff(ours, theirs)
		d2 := maxRelDiff(ours, cpu)
		status := "ok"
		// Against the pure-Go backend (float32 accumulation on the CPU) the semantics must agree closely.
		// Against GoMLX's VJP on the same GPU the convolutions differ (G small convs vs one grouped one)
		// and XLA may run float32 convolutions in TF32 (10-bit mantissa), so ~1e-3 is the right scale.
		if d1 > 2e-3 || d2 > 1e-4 {
			status, failed = "MISMATCH", true
		}
		fmt.Printf("%-26s ours vs GoMLX VJP (%s): %.2e   %s vs pure Go: %.2e   %s\n", c.name, be.Name(), d1, be.Name(), d2, status)
	}
	if failed {
		os.Exit(1)
	}
}

func randT(rng *rand.Rand, dims ...int) *tensors.Tensor {
	n := 1
	for _, d := range dims {
		n *= d
	}
	v := make([]float32, n)
	for i := range v {
		v[i] = float32(rng.NormFloat64())
	}
	return tensors.FromFlatDataAndDimensions(v, dims...)
}

func run(be backends.Backend, f func(x, k *graph.Node) []*graph.Node, x, k *tensors.Tensor) [][]float32 {
	e := graph.MustNewExec(be, f)
	defer e.Finalize()
	xl, _ := x.LocalClone()
	kl, _ := k.LocalClone()
	out := e.MustExec(xl, kl)
	res := make([][]float32, len(out))
	for i, t := range out {
		res[i] = tensors.MustCopyFlatData[float32](t)
	}
	return res
}

func maxRelDiff(a, b [][]float32) float64 {
	worst := 0.0
	for i := range a {
		scale := 0.0
		for _, v := range a[i] {
			scale = math.Max(scale, math.Abs(float64(v)))
		}
		for j := range a[i] {
			worst = math.Max(worst, math.Abs(float64(a[i][j]-b[i][j]))/(scale+1e-12))
		}
	}
	return worst
}
