package gaea

import (
	"math"
	"slices"
)

// Mirror is a mirror map ψ on the probability simplex in plain Go (float64, one row): the mirror-descent
// step θ⁺ = argmin_{u ∈ Δ} η⟨g, u⟩ + D_ψ(u, θ) and the Bregman divergence D_ψ. It is for small
// experiments on the update itself (notebook 06), thousands of steps a second, where the graph geometries
// (Entropic, Euclidean) would spend their time in executing graphs.
type Mirror interface {
	// Name is the name of the matching graph geometry: "entropic" or "euclidean".
	Name() string
	// Step replaces theta with the mirror-descent step of size eta against grad.
	Step(theta, grad []float64, eta float64)
	// Divergence is D_ψ(u, v) = ψ(u) − ψ(v) − ⟨∇ψ(v), u − v⟩ for u, v on the simplex.
	Divergence(u, v []float64) float64
}

// NegEntropy is ψ(θ) = Σ θ_k log θ_k: exponentiated gradient, θ⁺ ∝ θ ⊙ exp(−η g), and D_ψ = KL(u ‖ v).
// It is exact mirror descent: unlike Entropic, it has no floor at MinWeight, so an entry never comes back
// from 0 (it reaches 0 only by underflow, after η·(g_k − min g) has summed to about 700).
func NegEntropy() Mirror { return negEntropy{} }

// HalfSquared is ψ(θ) = ½‖θ‖²: the projected gradient step θ⁺ = Π_Δ(θ − η g) (as Euclidean), and
// D_ψ(u, v) = ½‖u − v‖².
func HalfSquared() Mirror { return halfSquared{} }

type negEntropy struct{}

func (negEntropy) Name() string { return "entropic" }

func (negEntropy) Step(theta, grad []float64, eta float64) {
	// Shifted by min g (EG is invariant to adding a constant to g), so that no factor overflows.
	lo := slices.Min(grad)
	sum := 0.0
	for k := range theta {
		theta[k] *= math.Exp(-eta * (grad[k] - lo))
		sum += theta[k]
	}
	for k := range theta {
		theta[k] /= sum
	}
}

func (negEntropy) Divergence(u, v []float64) float64 {
	d := 0.0
	for k := range u {
		switch {
		case u[k] == 0:
		case v[k] == 0:
			return math.Inf(1)
		default:
			d += u[k] * math.Log(u[k]/v[k])
		}
	}
	return math.Max(d, 0) // rounding may leave −1e-17
}

type halfSquared struct{}

func (halfSquared) Name() string { return "euclidean" }

func (halfSquared) Step(theta, grad []float64, eta float64) {
	for k := range theta {
		theta[k] -= eta * grad[k]
	}
	projectRow(theta)
}

func (halfSquared) Divergence(u, v []float64) float64 {
	d := 0.0
	for k := range u {
		d += (u[k] - v[k]) * (u[k] - v[k])
	}
	return d / 2
}

// projectRow replaces v with its Euclidean projection onto the simplex, max(v − τ, 0) with τ =
// max_j (u₁ + … + u_j − 1)/j over the sorted values u₁ ≥ … ≥ u_K.
func projectRow(v []float64) {
	u := slices.Clone(v)
	slices.Sort(u)
	sum, tau := 0.0, math.Inf(-1)
	for j := 1; j <= len(u); j++ {
		sum += u[len(u)-j]
		tau = math.Max(tau, (sum-1)/float64(j))
	}
	for k := range v {
		v[k] = math.Max(v[k]-tau, 0)
	}
}

// Stationarity is the stationarity measure of Li et al. (GAEA, ICLR 2021; after Zhang and He 2018) at θ
// in the geometry of m, for an objective whose gradient at θ is grad:
//
//	Δ_λ(θ) = (D_ψ(θ̂, θ) + D_ψ(θ, θ̂)) / λ²,  θ̂ = argmin_{u ∈ Δ} λ⟨grad, u⟩ + D_ψ(u, θ),
//
// θ̂ being one mirror step of size λ with the exact gradient. For a linear objective θ̂ is the paper's
// Bregman proximal point, so this is the paper's measure exactly; for a smooth one it is its
// gradient-mapping form. Δ_λ(θ) = 0 exactly when θ is a stationary point of the objective on the simplex.
func Stationarity(m Mirror, theta, grad []float64, lambda float64) float64 {
	next := slices.Clone(theta)
	m.Step(next, grad, lambda)
	return (m.Divergence(next, theta) + m.Divergence(theta, next)) / (lambda * lambda)
}
