// Package darts is the DARTS CNN search space (Liu, Simonyan, Yang, ICLR 2019) with the partial-channel
// and edge-normalisation extensions of PC-DARTS (Xu et al., ICLR 2020), as GAEA searches it (GAEA
// PC-DARTS), plus the discrete evaluation networks NetworkCIFAR and NetworkImageNet. The definitions
// follow the reference PyTorch code of DARTS, PC-DARTS and GAEA; parameter counts equal the reference's
// for any genotype.
//
// # Cells and ops
//
// A network is a stem followed by a stack of cells. A cell takes the outputs of the two previous cells
// (states 0 and 1, preprocessed to C channels: FactorizedReduce if the previous cell halved the
// resolution, else ReLU → 1×1 conv → BN), computes 4 intermediate nodes (states 2..5) — node i sums an op
// applied to each state before it — and outputs the concatenation of the nodes (4·C channels). Cells at
// depth Layers/3 and 2·Layers/3 are reduction cells: the edges leaving states 0 and 1 have stride 2 and
// C doubles. A search cell has all 2+3+4+5 = 14 edges; a genotype keeps 2 per node.
//
// The 8 candidate ops, in θ-column order (AllOps): none (zeros), max_pool_3x3, avg_pool_3x3 (padding not
// counted), skip_connect (identity, or FactorizedReduce at stride 2), sep_conv_3x3 and sep_conv_5x5 (two
// stacked ReLU → depthwise k×k → pointwise 1×1 → BN blocks), dil_conv_3x3 and dil_conv_5x5 (one such block
// with dilation 2). In the search cell BN has no affine parameters and the pools are followed by BN.
//
// # The search space (Space)
//
// New() is the GAEA PC-DARTS supernet: stem 3×3 conv 3 → 3C + BN, C = 16, 8 cells, global average pool,
// linear classifier. It implements spaces.Space:
//
//   - θ has 28 rows, the 14 edges of the normal cell then the 14 of the reduction cell, each ordered by
//     destination node then source state ("normal 2<-0", "normal 2<-1", "normal 3<-0", …, "normal 5<-4",
//     "reduce 2<-0", …, "reduce 5<-4"; see Space.Edges), and 8 columns (AllOps).
//   - β (PC-DARTS edge normalisation) has one group per cell type and node, the node's incoming edges
//     (Space.EdgeGroups); Mixture.Beta is its [28] flattening, each edge's output scaled by its β.
//     EdgeWeights(false) removes β (DARTS and GDAS on this space, quark0/darts cnn/model_search.py):
//     EdgeGroups is nil and each node is the plain sum of its incoming edges.
//   - Mixture.PartialChannels K: only the first C/K channels of an edge's input go through its ops; the
//     rest pass through (max-pooled 2×2 on stride-2 edges), are appended, and the channels are shuffled in
//     K groups (ChannelShuffle). GAEA PC-DARTS uses K = 4.
//   - Discretize keeps, per node, the 2 incoming edges whose best non-`none` weight θ·β (θ without β) is
//     largest, each with its best non-`none` op.
//
// # Genotypes
//
// A Genotype prints as the PyTorch namedtuple repr, e.g. PC_DARTS:
//
//	Genotype(normal=[('sep_conv_3x3', 1), ('skip_connect', 0), …], normal_concat=range(2, 6), reduce=[…], reduce_concat=range(2, 6))
//
// and ParseGenotype reads it back, as well as the multi-line layout of the reference genotype files
// (quark0/darts cnn/genotypes.py, yuhuixu1993/PC-DARTS genotypes.py).
// DARTS_V1, DARTS_V2, PC_DARTS and PC_DARTS_IMAGENET are the published cells. (GAEA's own PC-DARTS cell is
// not in the GAEA reference repository, so it is not provided.)
//
// # Evaluation networks
//
// NewNetwork(g) configures NetworkCIFAR (C = 36, 20 cells, 3×3 stem to 3C) or, with ImageNet(true),
// NetworkImageNet (three stride-2 3×3 stem convs; the reference uses C = 48, 14 cells, 224×224 images),
// with an optional auxiliary head after cell 2·Layers/3 and drop-path. Its parameters are counted as
// PyTorch does (conv kernels, BN scale and offset, linear weights and biases; not BN statistics).
// ParamCount gives the count in closed form; the papers report counts without the auxiliary head
// (DARTS_V2: 3,349,342 ≈ 3.3 M on CIFAR-10; PC_DARTS: 3,634,678 ≈ 3.6 M).
//
// Images are NHWC. NetworkImageNet pools globally (the reference's AvgPool2d(7) at 224×224 is the same).
// Weights use the context's initializer, not PyTorch's.
package darts
