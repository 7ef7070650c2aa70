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
// DARTS's softmax over logits (moved by Adam) stay diffuse. A Geometry is one such choice: how θ is
// stored, how the stored value becomes mixture weights, and how one step moves it.
//
// GDAS (Config.Sampling = GDAS) mixes a straight-through Gumbel sample per edge exactly as the reference
// GDAS edge (see spaces.Mixture.Sampled): the value is the sampled op's output; the non-sampled weights
// get the sum of the upstream gradient. GoMLX v0.26 graphs have no conditional execution, so every op of
// the supernet is still computed — a GDAS search costs as much per step as a weighted-sum one.
//
// The geometries here are GoMLX graph code; the learning rate is a graph input (a context variable), so
// it can be changed between steps without recompiling anything.
package gaea
