package gaea

import (
	"errors"
	"fmt"
	"math/rand"

	"github.com/gaeanas/gaeanas/spaces"
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
// (EvaluateGenotypes) on batchesPerArch architecture-block batches, and returns all candidates and the index of the most
// accurate (lowest loss on ties). Batch norm normalises with the statistics of each batch (see
// BestOfRandomOn). Nothing of the search is changed. Spaces with edge weights β (DARTS) are not
// supported: their genotypes keep only two inputs per node, which a per-edge sample does not describe.
func (s *Search) BestOfRandom(n, batchesPerArch int, seed int64) ([]RandomCandidate, int, error) {
	return s.bestOfRandom(n, batchesPerArch, seed, func() (*tensors.Tensor, *tensors.Tensor, error) {
		return s.batches.Next(ArchBlock)
	})
}

// BestOfRandomOn is BestOfRandom with the batches from next (images, labels), as AutoDL-Projects' RS-WS
// scores its candidates (D-X-Y/AutoDL-Projects exps/NAS-Bench-201-algos/RANDOM-NAS.py search_find_best,
// lines 107–131: one batch of the held-out split each, drawn by a random sampler): batch norm
// normalises with the batch's own statistics, because its script builds the network with
// track_running_stats off (RANDOM-NAS.py lines 164–178 take it from --track_running_stats, which
// scripts-search/NAS-Bench-201-algos/RANDOM-NAS.sh passes as BN=0 in its usage line), so network.eval()
// changes nothing there. The batch norms' moving averages, which a batch-statistics forward would update
// here, are restored afterwards: the scoring leaves the search as it was. Candidate i gets the batches
// i·batchesPerArch … (i+1)·batchesPerArch − 1 that next returns (EvaluateGenotypes scores them).
func (s *Search) BestOfRandomOn(n, batchesPerArch int, seed int64, next func() (images, labels *tensors.Tensor, err error)) ([]RandomCandidate, int, error) {
	return s.bestOfRandom(n, batchesPerArch, seed, next)
}

// candidateExec evaluates the supernet under given one-hot weights with batch statistics (training
// mode); the moving averages it updates are restored by evaluateOneHots.
func (s *Search) candidateExec() (*context.Exec, error) {
	if s.evalExec == nil {
		var err error
		s.evalExec, err = context.NewExec(s.be, s.ctx, func(ctx *context.Context, images, labels, w *graph.Node) []*graph.Node {
			ctx.SetTraining(images.Graph(), true)
			loss, acc := s.forwardWith(ctx, images, labels, spaces.Mixture{Weights: w, Sampled: true})
			return []*graph.Node{loss, acc}
		})
		if err != nil {
			return nil, err
		}
	}
	return s.evalExec, nil
}

// keepState copies the supernet's non-trainable variables (batch-norm moving averages and their
// counters) and returns a function that puts the copies back.
func (s *Search) keepState() (restore func() error, err error) {
	var vars []*context.Variable
	var vals []*tensors.Tensor
	for v := range s.ctx.InAbsPath(context.RootScope + supernetScope).IterVariablesInScope() {
		if v.Trainable {
			continue
		}
		t, err := v.Value()
		if err != nil {
			return nil, err
		}
		c, err := t.LocalClone()
		if err != nil {
			return nil, err
		}
		vars, vals = append(vars, v), append(vals, c)
	}
	return func() error {
		for i, v := range vars {
			if err := v.SetValue(vals[i]); err != nil {
				return fmt.Errorf("gaea: restoring %s/%s: %w", v.Scope(), v.Name(), err)
			}
		}
		return nil
	}, nil
}

func (s *Search) bestOfRandom(n, batchesPerArch int, seed int64, next func() (images, labels *tensors.Tensor, err error)) (cands []RandomCandidate, best int, err error) {
	if n < 1 || batchesPerArch < 1 {
		return nil, 0, fmt.Errorf("gaea: BestOfRandom(%d, %d): need at least one architecture and one batch", n, batchesPerArch)
	}
	if s.cfg.Space.EdgeGroups() != nil || spaces.BetaRowsOf(s.cfg.Space) != nil {
		return nil, 0, errors.New("gaea: random architecture selection is not supported for spaces with edge weights")
	}
	rows, cols := len(s.cfg.Space.Edges()), len(s.cfg.Space.Ops())
	rng := rand.New(rand.NewSource(seed))
	genotypes := make([]spaces.Genotype, n)
	for i := range genotypes {
		onehot := make([][]float64, rows)
		for e := range onehot {
			onehot[e] = make([]float64, cols)
			onehot[e][rng.Intn(cols)] = 1
		}
		if genotypes[i], err = s.cfg.Space.Discretize(onehot, nil); err != nil {
			return nil, 0, err
		}
	}
	scores, err := s.EvaluateGenotypes(genotypes, batchesPerArch, next)
	if err != nil {
		return nil, 0, err
	}
	cands = make([]RandomCandidate, n)
	for i, sc := range scores {
		cands[i] = RandomCandidate{Genotype: sc.Genotype, Loss: sc.Loss, Acc: sc.Acc}
		if sc.Acc > cands[best].Acc || sc.Acc == cands[best].Acc && sc.Loss < cands[best].Loss {
			best = i
		}
	}
	return cands, best, nil
}
