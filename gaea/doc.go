// Package gaea is GAEA — the Geometry-Aware Exponentiated Algorithm (Li, Khodak, Balcan, Talwalkar,
// ICLR 2021) — for weight-sharing neural architecture search, with its baselines, on GoMLX.
//
// Weight-sharing NAS minimises one empirical risk over shared weights w and architecture parameters θ.
// GAEA keeps θ on the probability simplex (one row per edge of the supernet, over the edge's candidate
// ops) and moves it by mirror descent with the negative-entropy mirror map: exponentiated gradient,
//
//	θ ← θ ⊙ exp(−η ∇θ L),  then clamp each entry to ≥ 1e-5 and renormalise each row to sum 1.
//
// The geometry matters: EG makes multiplicative updates that drive θ towards sparse rows quickly, which
// is what a discrete architecture needs, where a Euclidean step (then projection on the simplex) or
// DARTS's softmax over logits (moved by Adam) stay diffuse. The paper's thesis is that NAS design reduces
// to devising optimizers and regularizers; the package is built around those two extension points.
//
// # Concepts
//
//   - Space (package spaces): the supernet, its edges and candidate ops, its genotypes.
//   - Geometry: how one block of architecture parameters is stored (Init), turned into mixture weights
//     (Mixture) and moved by one step (Step), and how the edge-weight blocks β of PC-DARTS's edge
//     normalisation are moved (ForEdgeWeights; a spaces.BetaRower's β rows are choices and move as θ,
//     ArchOptimizer.BetaRows). Shipped: Entropic (GAEA), Euclidean, Softmax (DARTS: Adam on logits),
//     SoftmaxSGD. The registry (RegisterGeometry, GeometryByName, GeometryNames) names them.
//   - Regularizer: a penalty R on the architecture parameters, added to the architecture step's loss
//     as λ·R. λ is a runtime hyperparameter (Search.SetLambda changes it without recompiling); a search
//     has any number of them (Config.Regularizers). Shipped: Entropy, Σ KL(θ_row‖uniform). The
//     registry (RegisterRegularizer, RegularizerByName, RegularizerNames) names them.
//   - ArchOptimizer: the architecture step, a GoMLX optimizers.Interface: loss + Σ λ·R, its gradient
//     w.r.t. every block, one Geometry step per block.
//   - Search: the alternating search (Config, NewSearch) that a notebook or the command line drives
//     block by block — StepArch, StepWeights, Step (both, in the configured order), Run(n) — with
//     Save/RestoreSearch, Validate (held-out evaluation), BestOfRandom (RS-WS's selection) and
//     EvaluateGenotypes (any architecture as one path of the supernet, with the shared weights).
//   - Record: one block step in the history: data loss and accuracy, θ, β, entropies, learning rates,
//     and for an architecture step the penalty λ·R of every regulariser whose λ is not 0
//     (Record.Penalty, by regulariser name; Record.Loss is the data loss alone, so the architecture
//     step minimised Loss + Σ Penalty). Histories written before Penalty existed read the same.
//
// # Configuration
//
// Config is plain data in which a literal zero means zero: DefaultConfig returns GAEA DARTS's settings
// on NAS-Bench-201 (liamcli/gaea_release configs/cnn/mode/search_nasbench201.yaml), and a caller changes
// the fields it needs:
//
//	cfg := gaea.DefaultConfig()
//	cfg.Space, cfg.ArchLR, cfg.Steps = tiny.New(), 0.3, 200
//	s, err := gaea.NewSearch(be, cfg, batches)
//
// Config.Validate says what is wrong with a configuration, naming the field. The architecture learning
// rate has one home once the search runs: the hyperparameter variable LRVar (Search.ArchLR reads it,
// Search.SetArchLR sets it, checkpoints save it); Config.ArchLR is its initial value. The edge-weight
// blocks β take that same variable unless Config.BetaLR gives them their own (ArchOptimizer decides it
// in one place).
//
// # Schedules and block steps
//
// An iteration is one architecture step and one weight step. The weight learning rate (cosine,
// Config.WeightLRAt) and GDAS's temperature (Config.TauAt) are functions of the iteration. Step starts a
// new iteration; StepArch and StepWeights called alone start one when their block already ran in the
// current iteration (or none started yet), so a notebook that alternates them moves the schedules as Step
// does. Search.OnBlockStep registers a function called with the record of every block step.
//
// # Adding a geometry
//
// Implement Geometry (examples/custom has a Tsallis mirror map, TestCustomGeometryRegularizerAndSpace
// runs it):
//
//	type tsallis struct{ q float64 }
//
//	func (tsallis) Name() string                                  { return "tsallis" }
//	func (tsallis) Init(rows, cols int, _ *rand.Rand) []float64   { return gaea.Uniform(rows, cols) }
//	func (tsallis) Mixture(p *graph.Node) *graph.Node             { return p }
//	func (t tsallis) ForEdgeWeights() gaea.Geometry               { return t }
//	func (t tsallis) Step(ctx *context.Context, p, grad, lr *graph.Node) *graph.Node { … }
//
// Init's values must be finite (a search refuses a non-finite or wrongly sized Init, and a step that
// makes θ non-finite, with an error naming the geometry); Init gets a nil rng when the caller wants the
// deterministic start (SimplexProblem.Trajectory: uniform mixture weights). State lives in ctx (see
// Geometry.Step). Then, so that it can be named (by the command line, settings.json, a resume):
//
//	func init() { gaea.RegisterGeometry("tsallis", func() gaea.Geometry { return tsallis{q: 2} }) }
//
// A geometry that wraps another by embedding it forwards ForEdgeWeights to the wrapped one, so a wrapper
// of Entropic keeps β's step without the floor; override ForEdgeWeights to wrap β's step too.
//
// # Adding a regulariser
//
// Implement Regularizer: Name (a registry name, also the key of Record.Penalty and of its λ variable
// LambdaVar(name)) and Term, the unweighted penalty of the architecture parameters as a graph:
//
//	type l2 struct{}
//
//	func (l2) Name() string { return "l2" }
//	func (l2) Term(ctx *context.Context, g *graph.Graph, params []gaea.ArchParam) *graph.Node {
//		return graph.ReduceAllSum(graph.Square(params[0].Mixture)) // θ only: params[0] is θ
//	}
//
// and add it with its initial λ: cfg.Regularizers = append(cfg.Regularizers,
// gaea.Regularization{Regularizer: l2{}, Lambda: 0.01}); register it with RegisterRegularizer to name
// it. Search.SetLambda("l2", λ) changes λ between steps without recompiling anything.
//
// # Sampling
//
// GDAS (Config.Sampling = GDAS) mixes a straight-through Gumbel sample per edge exactly as the reference
// GDAS edge (see spaces.Mixture.Sampled): the value is the sampled op's output; the non-sampled weights
// get the sum of the upstream gradient. GoMLX v0.26 graphs have no conditional execution, so every op of
// the supernet is still computed — a GDAS search costs as much per step as a weighted-sum one. RSWS
// trains the weights on uniformly random single paths and has no architecture step.
//
// The geometries here are GoMLX graph code; the learning rates, λs and τ are graph inputs (context
// variables), so they can be changed between steps without recompiling anything.
//
// # Files
//
// config.go (Config, DefaultConfig, Validate), schedule.go (the weight learning rate and τ per
// iteration), search.go (Search and its block steps), graph.go (the step graphs, the forward pass and
// the mixture), checkpoint.go (Save, RestoreSearch), geometry.go (Geometry and its registry) with
// entropic.go, euclidean.go, softmax.go, regularizer.go (Regularizer, Entropy and their registry),
// optimizer.go (ArchOptimizer, the hyperparameter variables), unrolled.go (DARTS's second-order
// gradient), validate.go, random.go (RS-WS), rank.go (architectures on the shared weights), sampling.go,
// batches.go, simplex.go (the teaching problems).
package gaea
