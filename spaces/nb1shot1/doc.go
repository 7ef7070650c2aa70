// Package nb1shot1 is NAS-Bench-1Shot1 (Zela, Siems, Hutter, ICLR 2020): three weight-sharing search
// spaces whose every architecture is a NAS-Bench-101 cell, so that a one-shot search is evaluated by
// looking its final cell up in NAS-Bench-101 (subpackage nb101). It follows liamcli/nasbench-1shot1,
// the fork the GAEA authors searched with (commit e369bd7, "gaea_release"; Apache License 2.0), whose
// search spaces and evaluation are those of automl/nasbench-1shot1 (commit cb0f0ec). File and line
// references below are to that fork.
//
// # The spaces
//
// A cell has an input (node 0), choice nodes 1..N and an output (node N+1). Every choice node applies one
// of three ops — maxpool3x3, conv3x3-bn-relu, conv1x1-bn-relu, in that θ-column order
// (optimizers/darts/genotypes.py lines 5-9) — to the sum of its parents; the output concatenates its
// parents. Each node has a fixed number of parents among the lower nodes
// (nasbench_analysis/search_spaces/search_space_{1,2,3}.py):
//
//	space  choice nodes  parents of nodes 1..N   output  edges   source
//	  1         4           1, 2, 2, 2             2       9     search_space_1.py lines 13, 17-24
//	  2         4           1, 1, 2, 2             3       9     search_space_2.py lines 17, 23-30
//	  3         5           1, 1, 1, 2, 2          2       9     search_space_3.py lines 14, 20-28
//
// so no cell exceeds NAS-Bench-101's 9 edges (and the spaces check it: lines 25-26, 31-32, 29-30). Node
// 1's only parent is the input and space 1's node 2 takes both nodes below it, so neither has a choice
// (search_space.py parent_combinations, lines 15-19). Space.ParentChoices lists a node's choices,
// Space.All yields every cell (every parent choice with every op), Cell is a cell and its text form
// (Cell.String, Space.ParseCell).
//
// # How many architectures
//
// Space.Count counts each space under the definitions that can be meant; TestCounts checks them:
//
//	                                                 space 1   space 2     space 3
//	cells (parent choices × 3^N ops; All)             14,580    29,160   1,312,200
//	paper rule: 3^(nodes with an outgoing edge)        6,240    16,632     363,648
//	distinct after removing loose ends                 3,702    12,474     135,900
//	distinct NAS-Bench-101 modules (hash)              2,685     7,773      55,854
//	the paper                                          6,240    29,160     363,648
//
// The paper's figures for spaces 1 and 3 count every parent configuration once per op assignment of the
// choice nodes that feed some node — the counting of the reference's generate_search_space_without_loose_ends
// (search_space.py lines 98-128) applied to every configuration; loose ends (nodes whose output reaches
// nothing) are counted, their ops are not. Its space 2 figure is the full configuration count 360·3^4 (by
// the same rule it would be 16,632): the three published numbers do not follow one rule. What a search can
// end on and be evaluated as is the last-but-one line: NAS-Bench-101 prunes loose ends and merges
// isomorphic graphs.
//
// # Architecture weights and discretisation
//
// The reference's architecture parameters (optimizers/darts/model_search.py _initialize_alphas, lines
// 207-228) are one op-weight row per choice node ([N, 3]: θ, Space.Edges names the rows "node1"…), a
// parent-weight row for each choice node with more than one parent choice, over the nodes below it, and an
// output row over the input and all choice nodes (Space.ParentRows: space 1 rows of 3, 4 and 5; space 2 of
// 2, 3, 4, 5; space 3 of 2, 3, 4, 5, 6). DARTS starts them at 1e-3·N(0,1) and applies a softmax per row
// (model_search.py lines 158-173, 210-221); GAEA starts every row uniform and keeps it on the simplex
// (optimizers/edarts/model_search.py lines 209-223; edarts/architect.py: exponentiated gradient per row,
// separate step sizes for the op rows and for the parent and output rows, clamp at 1e-5, lines 51-53,
// 56-65, 78-111).
//
// Space.DiscretizeWeights (and Discretize) turns weights into a Cell as the reference evaluation does
// (nasbench_analysis/eval_darts_one_shot_model_in_nasbench.py lines 41-110): the op of largest weight
// per node, the in-degree parents of largest weight per weighted node and for the output (utils.py
// get_top_k, lines 88-89), fixed parents elsewhere. Cell.Spec builds the NAS-Bench-101 module the
// reference queries: the edges into the output and into the nodes that reach it (search_space.py
// _create_adjacency_matrix, lines 148-158, drops loose ends), upscaled for spaces 1 and 2 to 7 vertices by
// an unused vertex 5 (utils.py upscale_to_nasbench_format, lines 114-124). Cell.Hash is its NAS-Bench-101
// module hash, after NAS-Bench-101's own pruning.
//
// # The supernet
//
// Space.Supernet (spaces.Space) and Space.SupernetMix build the one-shot network of
// optimizers/darts/model_search.py in GoMLX: stem 3×3 conv-BN-ReLU to C = 16 channels, 9 cells, a 2×2
// max pool (padding 1) and doubled channels before cells 3 and 6; in a cell, 1×1 conv-BN-ReLU projections
// of the input (one per choice node, one for the output), choice nodes that weight their inputs by their
// parent row and mix the three ops by their op row, and an output that concatenates the output
// projection and the choice nodes, each scaled by the output row — the fork's concatenation;
// automl/nasbench-1shot1 (cb0f0ec) adds a weighted projection to the concatenated nodes instead. Then
// ReLU, 1×1 conv, BN, global pool and a linear classifier. Mixture.PartialChannels = 4 gives PC-DARTS's
// mixed op (optimizers/epc_edarts/model_search.py, GAEA PC-DARTS). Trainable parameters equal the
// reference's (TestSupernetParamCount: 1,009,530 for spaces 1 and 2 and 1,323,610 for space 3 at C=16
// with 9 cells; 400,698 and 562,570 with partial channels).
//
// # Evaluation
//
// NAS-Bench-1Shot1 evaluates a found cell by lookup only. OpenBenchmark opens nasbench_only108.tfrecord
// (path from the caller, or the environment variable EnvDataset), builds once a compact index of the
// spaces' 108-epoch results (progress reported) next to it or in the user cache, and Benchmark.Lookup
// returns a cell's test and validation accuracy (mean of the three runs) and its regret against the
// space's lowest error (search_space_{1,2,3}.py, Space.TestMinError; experiments/analysis/
// experiment_database.py lines 44-55). Space.Network builds NAS-Bench-101's network of a cell (stem 128,
// 3 stacks of 3 modules) to train one from scratch, with Space.ParamCount its parameter count.
//
// # The registry, the search and the report
//
// register.go registers the three spaces as "nb1shot1-1", "nb1shot1-2" and "nb1shot1-3" (linked by
// cmd/gaea/spaces.go) with their preset rows (the reference's train_search.py of each optimizer, file
// and line cited per value). θ is the op rows ([N, 3], Edges "node1"…); the parent and output weights
// are β through spaces.BetaRower (Space.BetaRows, one row per ParentRows entry, EdgeGroups nil): the
// search keeps each row on the simplex of its geometry and moves it as θ (GAEA: exponentiated gradient
// with the 1e-5 clamp of optimizers/edarts/architect.py; DARTS and PC-DARTS: softmax of logits moved by
// optimizers/darts/architect.py's Adam), passes their concatenation as Mixture.Beta and hands them to
// Discretize as beta. The supernet takes weighted mixtures only (spaces.Capabilities.WeightedOnly: no
// GDAS, and RS-WS needs single paths), so the searches are GAEA DARTS, GAEA PC-DARTS, DARTS (first or
// second order), PC-DARTS and the Euclidean ablation. Space.CellGraphs draws a found cell as the
// NAS-Bench-101 module it is evaluated as (ops on the vertices, loose ends dropped). The benchmark is the
// NAS-Bench-101 file the user names (spaces.BenchmarkFile: --nb101 FILE or GAEA_NB101); without it a
// search says that no lookup is available.
//
// NAS-Bench-1Shot1 (© 2019-2020 the authors, automl/nasbench-1shot1) and NAS-Bench-101 (© Google LLC) are
// released under the Apache License 2.0; this package is written from their definitions and contains
// none of their code.
package nb1shot1
