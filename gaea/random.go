package gaea

import (
	"errors"
	"fmt"
	"math/rand"

	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gaeanas/gaeanas/trainer"
	"github.com/gomlx/gomlx/pkg/core/graph"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
)

// RandomCandidate is one architecture evaluated by BestOfRandom.
type RandomCandidate struct {
	Genotype string  `json:"genotype"`
	Loss     float64 `json:"loss"`
	Acc      float64 `json:"acc"`
}

// BestOfRandom is the selection step of random search with weight sharing (RS-WS, Li & Talwalkar 2019):
// it draws n architectures uniformly at random (one op per edge), evaluates each with the shared weights
// on batchesPerArch architecture-block batches, and returns all candidates and the index of the most
// accurate (lowest loss on ties). The weights are not changed. Spaces with edge weights β (DARTS) are not
// supported: their genotypes keep only two inputs per node, which a per-edge sample does not describe.
func (s *Search) BestOfRandom(n, batchesPerArch int, seed int64) ([]RandomCandidate, int, error) {
	return s.bestOfRandom(n, batchesPerArch, seed, func() (*tensors.Tensor, *tensors.Tensor, error) {
		return s.batches.Next(ArchBlock)
	}, false)
}

// BestOfRandomOn is BestOfRandom with the batches from next (images, labels), e.g. the held-out split
// in order, and the network in inference mode (batch norm with its running statistics), as
// AutoDL-Projects' RS-WS scores its candidates (search_find_best: network.eval(), one batch each).
func (s *Search) BestOfRandomOn(n, batchesPerArch int, seed int64, next func() (images, labels *tensors.Tensor, err error)) ([]RandomCandidate, int, error) {
	return s.bestOfRandom(n, batchesPerArch, seed, next, true)
}

// candidateExec evaluates the supernet under given one-hot weights, in training mode (batch statistics)
// or inference mode; nothing is updated.
func (s *Search) candidateExec(inference bool) (*context.Exec, error) {
	i := 0
	if inference {
		i = 1
	}
	if s.evalExec[i] == nil {
		var err error
		s.evalExec[i], err = context.NewExec(s.be, s.ctx, func(ctx *context.Context, images, labels, w *graph.Node) []*graph.Node {
			ctx.SetTraining(images.Graph(), !inference)
			loss, acc := s.forwardWith(ctx, images, labels, spaces.Mixture{Weights: w, Sampled: true})
			return []*graph.Node{loss, acc}
		})
		if err != nil {
			return nil, err
		}
	}
	return s.evalExec[i], nil
}

func (s *Search) bestOfRandom(n, batchesPerArch int, seed int64, next func() (images, labels *tensors.Tensor, err error), inference bool) ([]RandomCandidate, int, error) {
	if n < 1 || batchesPerArch < 1 {
		return nil, 0, fmt.Errorf("gaea: BestOfRandom(%d, %d): need at least one architecture and one batch", n, batchesPerArch)
	}
	if s.cfg.Space.EdgeGroups() != nil {
		return nil, 0, errors.New("gaea: random architecture selection is not supported for spaces with edge weights")
	}
	rows, cols := len(s.cfg.Space.Edges()), len(s.cfg.Space.Ops())
	exec, err := s.candidateExec(inference)
	if err != nil {
		return nil, 0, err
	}
	rng := rand.New(rand.NewSource(seed))
	cands := make([]RandomCandidate, n)
	best := 0
	for i := range cands {
		onehot := make([][]float64, rows)
		flat := make([]float32, rows*cols)
		for e := range onehot {
			onehot[e] = make([]float64, cols)
			k := rng.Intn(cols)
			onehot[e][k] = 1
			flat[e*cols+k] = 1
		}
		g, err := s.cfg.Space.Discretize(onehot, nil)
		if err != nil {
			return nil, 0, err
		}
		var loss, acc float64
		for b := 0; b < batchesPerArch; b++ {
			images, labels, err := next()
			if err != nil {
				return nil, 0, err
			}
			out, err := exec.Exec(images, labels, tensors.FromFlatDataAndDimensions(flat, rows, cols))
			if err != nil {
				return nil, 0, fmt.Errorf("gaea: evaluating %s: %w", g, err)
			}
			loss += trainer.Scalar(out[0]) / float64(batchesPerArch)
			acc += trainer.Scalar(out[1]) / float64(batchesPerArch)
		}
		cands[i] = RandomCandidate{Genotype: g.String(), Loss: loss, Acc: acc}
		if acc > cands[best].Acc || acc == cands[best].Acc && loss < cands[best].Loss {
			best = i
		}
	}
	return cands, best, nil
}
