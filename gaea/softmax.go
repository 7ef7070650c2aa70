package gaea

import (
	"math/rand"

	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/shapes"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/context/initializers"
)

// DARTS's settings for the architecture logits' Adam.
const (
	DARTSAdamBeta1       = 0.5
	DARTSAdamBeta2       = 0.999
	DARTSAdamEpsilon     = 1e-8
	DARTSAdamWeightDecay = 1e-3
	DARTSArchLR          = 3e-4
	DARTSInitScale       = 1e-3
)

// Softmax is DARTS's geometry: logits α (initialised 1e-3·N(0,1)), mixture weights softmax(α) per row,
// moved by Adam (betas 0.5/0.999, ε 1e-8) with L2 weight decay 1e-3 added to the gradient, as
// torch.optim.Adam(weight_decay=1e-3) does. Use the learning rate DARTSArchLR (3e-4).
func Softmax() Geometry {
	return softmaxGeometry{adam: true, beta1: DARTSAdamBeta1, beta2: DARTSAdamBeta2, eps: DARTSAdamEpsilon,
		weightDecay: DARTSAdamWeightDecay}
}

// SoftmaxSGD is the softmax parameterisation moved by plain gradient descent on the logits, which start
// at 0 (uniform weights): the third geometry of the teaching comparisons, step for step with Entropic
// and Euclidean.
func SoftmaxSGD() Geometry { return softmaxGeometry{} }

type softmaxGeometry struct {
	adam                           bool
	beta1, beta2, eps, weightDecay float64
}

func (s softmaxGeometry) Name() string {
	if s.adam {
		return "softmax"
	}
	return "softmax-sgd"
}

// Init implements Geometry: logits 1e-3·N(0,1) for DARTS's Adam geometry (0 with a nil rng), 0 for
// SoftmaxSGD.
func (s softmaxGeometry) Init(rows, cols int, rng *rand.Rand) []float64 {
	v := make([]float64, rows*cols)
	if s.adam && rng != nil {
		for i := range v {
			v[i] = DARTSInitScale * rng.NormFloat64()
		}
	}
	return v
}

func (s softmaxGeometry) ForEdgeWeights() Geometry { return s }

func (softmaxGeometry) Mixture(p *graph.Node) *graph.Node { return graph.Softmax(p, -1) }

func (s softmaxGeometry) Step(ctx *context.Context, alpha, grad, lr *graph.Node) *graph.Node {
	if !s.adam {
		return graph.Sub(alpha, graph.Mul(lr, grad))
	}
	g := alpha.Graph()
	dtype := alpha.DType()
	c := func(v float64) *graph.Node { return graph.Scalar(g, dtype, v) }
	if s.weightDecay != 0 {
		grad = graph.Add(grad, graph.Mul(c(s.weightDecay), alpha))
	}
	zeros := ctx.WithInitializer(initializers.Zero)
	mVar := zeros.VariableWithShape("adam_m", alpha.Shape()).SetTrainable(false)
	vVar := zeros.VariableWithShape("adam_v", alpha.Shape()).SetTrainable(false)
	tVar := zeros.VariableWithShape("adam_t", shapes.Make(dtypes.Float64)).SetTrainable(false)
	t := graph.Add(tVar.ValueGraph(g), graph.Scalar(g, dtypes.Float64, 1))
	tVar.SetValueGraph(t)
	m := graph.Add(graph.Mul(c(s.beta1), mVar.ValueGraph(g)), graph.Mul(c(1-s.beta1), grad))
	v := graph.Add(graph.Mul(c(s.beta2), vVar.ValueGraph(g)), graph.Mul(c(1-s.beta2), graph.Square(grad)))
	mVar.SetValueGraph(m)
	vVar.SetValueGraph(v)
	tt := graph.ConvertDType(t, dtype)
	mHat := graph.Div(m, graph.OneMinus(graph.Pow(c(s.beta1), tt)))
	vHat := graph.Div(v, graph.OneMinus(graph.Pow(c(s.beta2), tt)))
	return graph.Sub(alpha, graph.Mul(lr, graph.Div(mHat, graph.Add(graph.Sqrt(vHat), c(s.eps)))))
}
