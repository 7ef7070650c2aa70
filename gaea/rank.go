package gaea

import (
	"errors"
	"fmt"
	"slices"

	"github.com/gaeanas/gaeanas/spaces"
	"github.com/gaeanas/gaeanas/trainer"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// ArchScore is one architecture evaluated as a single path of the supernet, with the shared weights
// (Search.EvaluateGenotypes).
type ArchScore struct {
	Genotype string  `json:"genotype"`
	Loss     float64 `json:"loss"`   // mean over its batches of each batch's mean cross-entropy
	Acc      float64 `json:"acc"`    // mean over its batches of each batch's accuracy (a fraction)
	Images   int     `json:"images"` // images it was evaluated on
}

// EvaluateGenotypes evaluates every genotype as a single path of the supernet, with the shared weights as
// they stand: the forward pass under the genotype's one-hot mixture (row e one-hot at the op the genotype
// gives edge e; spaces.Mixture.Sampled), whose value is exactly the path's output — every other op is
// computed and multiplied by 0, since GoMLX graphs have no conditional execution. Genotype i gets the
// batches i·batchesPerArch … (i+1)·batchesPerArch − 1 that next returns, in order; a next that replays
// the same batches (ReplayBatches) gives every genotype the same images, as a ranking needs. Loss and
// Acc are the means over its batches of the batch means (the image means when the batches have one size).
//
// Batch norm normalises with each batch's own statistics (training mode), as RS-WS scores its candidates
// (BestOfRandomOn, after AutoDL-Projects' RANDOM-NAS.py with track_running_stats off): the moving
// averages of the supernet follow the mixture the search trained and describe no single path. The
// moving averages the forward pass updates are restored afterwards, and nothing random is drawn, so
// nothing of the search changes (weights, θ, moving averages, random state, history): a search that
// evaluates genotypes between two steps goes on exactly as one that does not.
//
// The genotypes must be the space's cell genotypes (NAS-Bench-201's string form, as nb201 and tiny
// write them: one op per edge): each is turned into its one-hot rows and checked to discretise back to
// itself. Spaces with edge weights β (DARTS) are not supported.
func (s *Search) EvaluateGenotypes(genotypes []spaces.Genotype, batchesPerArch int, next func() (images, labels *tensors.Tensor, err error)) ([]ArchScore, error) {
	if len(genotypes) == 0 || batchesPerArch < 1 {
		return nil, fmt.Errorf("gaea: evaluate genotypes: %d genotypes on %d batches each: need at least one of each", len(genotypes), batchesPerArch)
	}
	if next == nil {
		return nil, errors.New("gaea: evaluate genotypes: no batches (next is nil)")
	}
	onehots := make([][]float32, len(genotypes))
	for i, g := range genotypes {
		var err error
		if onehots[i], err = s.OneHot(g); err != nil {
			return nil, err
		}
	}
	return s.evaluateOneHots(genotypes, onehots, batchesPerArch, next)
}

// OneHot returns the mixture weights of a genotype as one path of the supernet: [len(Edges())·len(Ops())]
// in row-major order, 1 at the op of every edge. The genotype must be a cell genotype of the search's
// space (see EvaluateGenotypes), and it must discretise back to itself.
func (s *Search) OneHot(g spaces.Genotype) ([]float32, error) {
	space := s.cfg.Space
	if space.EdgeGroups() != nil {
		return nil, fmt.Errorf("gaea: evaluating a genotype as one path is not supported for the %s space (it has edge weights β)", space.Name())
	}
	if g == nil {
		return nil, errors.New("gaea: genotype is nil")
	}
	edges, ops := space.Edges(), space.Ops()
	nodes := 1
	for nodes*(nodes-1)/2 < len(edges) {
		nodes++
	}
	if !slices.Equal(spaces.CellEdges(nodes), edges) {
		return nil, fmt.Errorf("gaea: the %s space's edges %v are not a cell's: its genotypes cannot be evaluated as one path", space.Name(), edges)
	}
	str := g.String()
	cell, err := spaces.ParseCellGenotype(str, nodes, ops)
	if err != nil {
		return nil, fmt.Errorf("gaea: genotype %q is not one of the %s supernet's paths (ops %v): %w", str, space.Name(), ops, err)
	}
	flat := make([]float32, len(edges)*len(ops))
	rows := make([][]float64, len(edges))
	for e, op := range cell.Ops {
		k := slices.Index(ops, op)
		flat[e*len(ops)+k] = 1
		rows[e] = make([]float64, len(ops))
		rows[e][k] = 1
	}
	back, err := space.Discretize(rows, nil)
	if err != nil {
		return nil, fmt.Errorf("gaea: genotype %q: %w", str, err)
	}
	if back.String() != str {
		return nil, fmt.Errorf("gaea: genotype %q reads as the path %q of the %s supernet", str, back, space.Name())
	}
	return flat, nil
}

// ReplayBatches returns a batch source (for EvaluateGenotypes) that returns the given batches in order,
// then again from the first, for ever.
func ReplayBatches(images, labels []*tensors.Tensor) func() (*tensors.Tensor, *tensors.Tensor, error) {
	i := 0
	return func() (*tensors.Tensor, *tensors.Tensor, error) {
		if len(images) == 0 || len(images) != len(labels) {
			return nil, nil, fmt.Errorf("gaea: replay batches: %d image batches and %d label batches", len(images), len(labels))
		}
		x, y := images[i], labels[i]
		i = (i + 1) % len(images)
		return x, y, nil
	}
}

// evaluateOneHots evaluates the supernet under each one-hot mixture (flat, rows × cols) on batchesPerArch
// batches from next, with batch statistics, and restores the moving averages the forward passes update.
func (s *Search) evaluateOneHots(genotypes []spaces.Genotype, onehots [][]float32, batchesPerArch int, next func() (images, labels *tensors.Tensor, err error)) (scores []ArchScore, err error) {
	rows, cols := len(s.cfg.Space.Edges()), len(s.cfg.Space.Ops())
	exec, err := s.candidateExec()
	if err != nil {
		return nil, err
	}
	restore, err := s.keepState()
	if err != nil {
		return nil, err
	}
	defer func() {
		if rerr := restore(); rerr != nil && err == nil {
			scores, err = nil, rerr
		}
	}()
	scores = make([]ArchScore, len(onehots))
	for i, flat := range onehots {
		var loss, acc float64
		images := 0
		for b := 0; b < batchesPerArch; b++ {
			x, y, err := next()
			if err != nil {
				return nil, fmt.Errorf("gaea: evaluating %s: batch %d: %w", genotypes[i], b+1, err)
			}
			out, err := exec.Exec(x, y, tensors.FromFlatDataAndDimensions(flat, rows, cols))
			if err != nil {
				return nil, fmt.Errorf("gaea: evaluating %s: %w", genotypes[i], err)
			}
			loss += trainer.Scalar(out[0]) / float64(batchesPerArch)
			acc += trainer.Scalar(out[1]) / float64(batchesPerArch)
			images += x.Shape().Dimensions[0]
		}
		scores[i] = ArchScore{Genotype: genotypes[i].String(), Loss: loss, Acc: acc, Images: images}
	}
	return scores, nil
}
