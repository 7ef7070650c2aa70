package gaea

import (
	"github.com/gomlx/gomlx/pkg/core/dtypes"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// Regularizer is a penalty R on the architecture parameters. The architecture step minimises
// loss + Σ λ·R over the search's regularisers, each λ a runtime hyperparameter (the variable
// LambdaVar(Name()) in ArchScope: Search.SetLambda changes it between steps without recompiling).
type Regularizer interface {
	// Name identifies the regulariser: the name it is registered under (RegisterRegularizer), the key
	// of its penalty in Record.Penalty, and LambdaVar(Name()) names its λ.
	Name() string

	// Term returns the unweighted penalty R, a scalar, of the architecture parameters: params holds
	// every block in Blocks order (θ first, then β's blocks). ctx is the search's context.
	Term(ctx *context.Context, g *graph.Graph, params []ArchParam) *graph.Node
}

// ArchParam is one architecture parameter block as a regulariser sees it in the graph.
type ArchParam struct {
	Name        string      // the block's variable: "theta", or BetaPrefix+"NN" for β
	EdgeWeights bool        // a β block (one row per node of a space with EdgeGroups, or a BetaRower's row)
	Value       *graph.Node // the stored parameters p, [rows, cols]
	Mixture     *graph.Node // the mixture weights of p (Geometry.Mixture; ForEdgeWeights's for edge-normalisation β): rows on the simplex
}

// Regularization is a regulariser of a search with its initial λ (Config.Regularizers).
type Regularization struct {
	Regularizer
	Lambda float64
}

// LambdaVar is the name of the λ variable of the regulariser name in ArchScope: name + "_reg"
// ("entropy_reg", EntropyRegVar, for Entropy).
func LambdaVar(name string) string { return name + "_reg" }

// EntropyName is the name of the entropic regulariser (Entropy).
const EntropyName = "entropy"

// regularizers is the regulariser registry: the shipped ones first, then RegisterRegularizer's.
var regularizers = newRegistry("regularizer", Regularizer.Name)

func init() {
	RegisterRegularizer(EntropyName, Entropy)
}

// RegisterRegularizer makes a regulariser known by name (and the aliases): RegularizerByName returns
// newRegularizer() for it and RegularizerNames lists it, so that the command line, settings.json and a
// resumed run can name it. newRegularizer().Name() must be name. It panics on an empty, malformed or
// taken name (names are a lower-case letter, then lower-case letters, digits, '-' and '_').
func RegisterRegularizer(name string, newRegularizer func() Regularizer, aliases ...string) {
	regularizers.register(name, newRegularizer, aliases...)
}

// RegularizerNames returns the canonical names of the registered regularisers: "entropy" first, then
// those of RegisterRegularizer in the order registered.
func RegularizerNames() []string { return regularizers.list() }

// RegularizerByName returns the regulariser of a registered name or alias; an unknown name is an error
// that lists the registered ones.
func RegularizerByName(name string) (Regularizer, error) { return regularizers.get(name) }

// Entropy is the entropic regulariser of GAEA GDAS (liamcli/gaea_release architect_egdas.py,
// arch_weight_decay): R = Σ_blocks Σ_rows Σ_k w log(K·w) = Σ_rows KL(w‖uniform) over the mixture weights
// w of every block (θ and β). It is 0 at uniform rows and grows as rows concentrate.
func Entropy() Regularizer { return entropyReg{} }

type entropyReg struct{}

func (entropyReg) Name() string { return EntropyName }

func (entropyReg) Term(_ *context.Context, g *graph.Graph, params []ArchParam) *graph.Node {
	if len(params) == 0 {
		return graph.ScalarZero(g, dtypes.Float32)
	}
	dtype := params[0].Mixture.DType()
	total := graph.ScalarZero(g, dtype)
	for _, p := range params {
		w := p.Mixture
		k := float64(w.Shape().Dimensions[w.Rank()-1])
		tiny := graph.Scalar(g, w.DType(), 1e-30)
		kl := graph.ReduceAllSum(graph.Mul(w, graph.Log(graph.Max(graph.MulScalar(w, k), tiny))))
		total = graph.Add(total, graph.ConvertDType(kl, dtype))
	}
	return total
}
