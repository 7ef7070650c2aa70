package spaces_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/gaeanas/gaeanas/backend"
	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gaeanas/gaeanas/spaces/darts"
	"github.com/gaeanas/gaeanas/spaces/nb201"
	"github.com/gaeanas/gaeanas/spaces/tiny"
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// TestSpacesStartAsPyTorch builds the supernet and a discrete network of every space and checks every
// trainable variable against PyTorch's default initialisation (spaces.TorchUniform): a kernel
// ([kh, kw, in/groups, out] or dense [in, out]) uniform on ±1/√fan_in, fan_in the product of all but
// its last dimension — with its variance b²/3 within 5 standard errors when it has ≥ 256 values —, a
// bias within the bound of its layer's kernel, batch-norm scales 1 and offsets 0. The NAS-Bench-201
// search cells' convs have no bias (GAEA's fork of AutoDL-Projects).
func TestSpacesStartAsPyTorch(t *testing.T) {
	be := backend.MustNew()
	dartsGenotype := darts.DARTS_V2
	for _, c := range []struct {
		name  string
		space spaces.Space
		build func(ctx *context.Context, x *graph.Node, s spaces.Space) *graph.Node
	}{
		{"nb201 supernet", nb201.New().Channels(8).Cells(1), supernet},
		{"nb201 network", nb201.New().Channels(8).Cells(1), network("|nor_conv_3x3~0|+|nor_conv_1x1~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|avg_pool_3x3~2|")},
		{"darts supernet", darts.New().Channels(4).Layers(3).EdgeWeights(true), supernet},
		{"darts network", darts.New().Channels(8).Layers(3), func(ctx *context.Context, x *graph.Node, s spaces.Space) *graph.Node {
			return s.Network(ctx, x, dartsGenotype)
		}},
		{"tiny supernet", tiny.New().Channels(8).Cells(1), supernet},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx := context.New()
			if err := ctx.SetRNGStateFromSeed(5); err != nil {
				t.Fatal(err)
			}
			exec := context.MustNewExec(be, ctx, func(ctx *context.Context, x *graph.Node) *graph.Node {
				ctx.SetTraining(x.Graph(), false)
				return graph.ReduceAllSum(c.build(ctx.In("net"), x, c.space))
			})
			exec.MustExec(tensors.FromShape(shapes.Make(dtypes.Float32, 2, 16, 16, 3)))
			vars := map[string]*context.Variable{}
			for v := range ctx.IterVariables() {
				if v.Trainable && strings.HasPrefix(v.Scope(), "/net") {
					vars[v.Scope()+"/"+v.Name()] = v
				}
			}
			var kernels, biases, bns int
			for path, v := range vars {
				vals := floats(v.MustValue())
				dims := v.Shape().Dimensions
				switch name := v.Name(); {
				case name == "scale" || name == "offset":
					want := map[string]float64{"scale": 1, "offset": 0}[name]
					for _, x := range vals {
						if x != want {
							t.Fatalf("%s: %v, want all %v (PyTorch BatchNorm2d)", path, x, want)
						}
					}
					bns++
				case name == "weights" && len(dims) >= 2:
					fanIn := 1
					for _, d := range dims[:len(dims)-1] {
						fanIn *= d
					}
					checkUniform(t, path, vals, spaces.TorchUniformBound(fanIn), len(vals) >= 256)
					kernels++
				case name == "biases":
					if strings.Contains(path, "/cell") && strings.HasPrefix(c.name, "nb201 supernet") {
						t.Errorf("%s: the NAS-Bench-201 search cells' convs have no bias", path)
					}
					k, ok := vars[strings.TrimSuffix(path, "biases")+"weights"]
					if !ok {
						t.Fatalf("%s: no kernel beside the bias", path)
					}
					kd := k.Shape().Dimensions
					fanIn := 1
					for _, d := range kd[:len(kd)-1] {
						fanIn *= d
					}
					checkUniform(t, path, vals, spaces.TorchUniformBound(fanIn), false)
					biases++
				default:
					t.Errorf("%s: unexpected trainable variable of shape %v", path, dims)
				}
			}
			t.Logf("%s: %d kernels, %d biases, %d batch-norm scales/offsets", c.name, kernels, biases, bns)
			if kernels == 0 || biases == 0 {
				t.Errorf("%s: %d kernels and %d biases checked", c.name, kernels, biases)
			}
		})
	}
}

func supernet(ctx *context.Context, x *graph.Node, s spaces.Space) *graph.Node {
	w := graph.Ones(x.Graph(), shapes.Make(x.DType(), len(s.Edges()), len(s.Ops())))
	mix := spaces.Mixture{Weights: w}
	if s.EdgeGroups() != nil {
		mix.Beta = graph.Ones(x.Graph(), shapes.Make(x.DType(), len(s.Edges())))
	}
	return s.Supernet(ctx, x, mix)
}

func network(arch string) func(ctx *context.Context, x *graph.Node, s spaces.Space) *graph.Node {
	return func(ctx *context.Context, x *graph.Node, s spaces.Space) *graph.Node {
		g, err := s.ParseGenotype(arch)
		if err != nil {
			panic(err)
		}
		return s.Network(ctx, x, g)
	}
}

func floats(t *tensors.Tensor) []float64 {
	switch t.DType() {
	case dtypes.Float64:
		return tensors.MustCopyFlatData[float64](t)
	case dtypes.Float32:
		var out []float64
		for _, v := range tensors.MustCopyFlatData[float32](t) {
			out = append(out, float64(v))
		}
		return out
	}
	panic(fmt.Sprintf("dtype %s", t.DType()))
}

// checkUniform checks that vals lie in [−b, b] and, with moments, that their variance is b²/3 within 5
// standard errors (Var x² = 4b⁴/45 for U(−b, b)) and their mean 0 within 5.
func checkUniform(t *testing.T, path string, vals []float64, b float64, moments bool) {
	t.Helper()
	var sum, sumSq float64
	for _, v := range vals {
		if math.Abs(v) > b*(1+1e-6) {
			t.Fatalf("%s: %v outside ±%v (PyTorch's bound 1/√fan_in)", path, v, b)
		}
		sum += v
		sumSq += v * v
	}
	if !moments {
		return
	}
	n := float64(len(vals))
	mean, variance := sum/n, sumSq/n-(sum/n)*(sum/n)
	if se := b / math.Sqrt(3*n); math.Abs(mean) > 5*se {
		t.Errorf("%s: mean %v, want 0 ± %v", path, mean, 5*se)
	}
	if se := math.Sqrt(4.0/45/n) * b * b; math.Abs(variance-b*b/3) > 5*se {
		t.Errorf("%s: variance %v, want b²/3 = %v ± %v (%d values)", path, variance, b*b/3, 5*se, len(vals))
	}
}
