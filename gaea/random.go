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
	if n < 1 || batchesPerArch < 1 {
		return nil, 0, fmt.Errorf("gaea: BestOfRandom(%d, %d): need at least one architecture and one batch", n, batchesPerArch)
	}
	if s.cfg.Space.EdgeGroups() != nil {
		return nil, 0, errors.New("gaea: random architecture selection is not supported for spaces with edge weights")
	}
	rows, cols := len(s.cfg.Space.Edges()), len(s.cfg.Space.Ops())
	if s.evalExec == nil {
		var err error
		s.evalExec, err = context.NewExec(s.be, s.ctx, func(ctx *context.Context, images, labels, w *graph.Node) []*graph.Node {
			ctx.SetTraining(images.Graph(), true) // batch statistics, as during the search; nothing is updated
			loss, acc := s.forwardWith(ctx, images, labels, spaces.Mixture{Weights: w, Sampled: true})
			return []*graph.Node{loss, acc}
		})
		if err != nil {
			return nil, 0, err
		}
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
			images, labels, err := s.batches.Next(ArchBlock)
			if err != nil {
				return nil, 0, err
			}
			out, err := s.evalExec.Exec(images, labels, tensors.FromFlatDataAndDimensions(flat, rows, cols))
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
