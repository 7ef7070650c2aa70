package darts

import (
	"fmt"
	"math"
	"slices"

	"github.com/gaeanas/gaeanas/spaces"
)

// Discretize implements spaces.Space: the genotype of architecture weights theta ([28][len(Ops())], rows
// in Edges() order) and beta (one row per EdgeGroups() group, nil for all ones — always nil with
// EdgeWeights(false)), as PC-DARTS and GAEA do (and, with β = 1, quark0/darts cnn/model_search.py
// genotype's _parse):
//
//  1. each edge weight is w[e][k] = θ[e][k]·β[e];
//  2. per node, the 2 incoming edges whose largest non-`none` weight is largest are kept, in descending
//     order of that weight (ties: the lower source state first — Python's stable sort);
//  3. each kept edge gets its largest non-`none` op (ties: the earlier op in Ops()).
//
// `none` never appears in the result, even where it has the largest weight. Concat is range(2, 6).
func (s *Space) Discretize(theta, beta [][]float64) (spaces.Genotype, error) {
	g, err := s.discretize(theta, beta)
	if err != nil {
		return nil, err
	}
	return g, nil
}

func (s *Space) discretize(theta, beta [][]float64) (*Genotype, error) {
	nEdges, nOps := 2*EdgesPerCell, len(s.ops)
	if len(theta) != nEdges {
		return nil, fmt.Errorf("darts: discretize: theta has %d rows, want %d (one per edge)", len(theta), nEdges)
	}
	for e, row := range theta {
		if len(row) != nOps {
			return nil, fmt.Errorf("darts: discretize: theta row %d (%s) has %d values, want %d (one per op)", e, s.Edges()[e], len(row), nOps)
		}
		for _, v := range row {
			if math.IsNaN(v) {
				return nil, fmt.Errorf("darts: discretize: theta row %d (%s) has NaN", e, s.Edges()[e])
			}
		}
	}
	if beta != nil && s.noEdgeWeights {
		return nil, fmt.Errorf("darts: discretize: beta given (%d rows) but the space has no edge weights", len(beta))
	}
	groups := edgeGroups()
	edgeBeta := make([]float64, nEdges)
	for e := range edgeBeta {
		edgeBeta[e] = 1
	}
	if beta != nil {
		if len(beta) != len(groups) {
			return nil, fmt.Errorf("darts: discretize: beta has %d rows, want %d (one per node)", len(beta), len(groups))
		}
		for i, group := range groups {
			if len(beta[i]) != len(group) {
				return nil, fmt.Errorf("darts: discretize: beta row %d has %d values, want %d (one per incoming edge)", i, len(beta[i]), len(group))
			}
			for j, e := range group {
				if math.IsNaN(beta[i][j]) {
					return nil, fmt.Errorf("darts: discretize: beta row %d has NaN", i)
				}
				edgeBeta[e] = beta[i][j]
			}
		}
	}
	// bestOp returns the best non-none op of edge e and its weight.
	bestOp := func(e int) (int, float64) {
		best, bestW := -1, math.Inf(-1)
		for k, name := range s.ops {
			if name == OpNone {
				continue
			}
			if w := theta[e][k] * edgeBeta[e]; best < 0 || w > bestW {
				best, bestW = k, w
			}
		}
		return best, bestW
	}
	parse := func(offset int) []OpInput {
		var cell []OpInput
		e0 := offset
		for node := 2; node < 2+Nodes; node++ {
			inputs := make([]int, node)
			strength := make([]float64, node)
			for j := range inputs {
				inputs[j] = j
				_, strength[j] = bestOp(e0 + j)
			}
			slices.SortStableFunc(inputs, func(a, b int) int {
				switch {
				case strength[a] > strength[b]:
					return -1
				case strength[a] < strength[b]:
					return 1
				}
				return 0
			})
			for _, j := range inputs[:2] {
				k, _ := bestOp(e0 + j)
				cell = append(cell, OpInput{Op: s.ops[k], Input: j})
			}
			e0 += node
		}
		return cell
	}
	concat := []int{2, 3, 4, 5}
	return &Genotype{Normal: parse(0), NormalConcat: concat, Reduce: parse(EdgesPerCell), ReduceConcat: slices.Clone(concat)}, nil
}
