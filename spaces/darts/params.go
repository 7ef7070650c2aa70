package darts

// Closed-form parameter counts, written from the layer shapes alone (independent of the GoMLX graph code,
// which the tests check against it). Counted as PyTorch's model.parameters(): convolution kernels
// (no biases), affine BN scale and offset (2 per channel), linear weights and biases; BN moving
// statistics are not parameters.

func bnParams(c int, affine bool) int {
	if affine {
		return 2 * c
	}
	return 0
}

// reluConvBNParams: a k×k convolution in→out and BN(out).
func reluConvBNParams(in, out, k int, affine bool) int { return in*out*k*k + bnParams(out, affine) }

// factorizedReduceParams: two 1×1 convolutions in→out/2 and BN(out).
func factorizedReduceParams(in, out int, affine bool) int {
	return 2*in*(out/2) + bnParams(out, affine)
}

// OpParams is the number of parameters of op on c channels at the given stride (affine BN, as in the
// evaluation networks): 0 for none, pools and the identity skip; c² + 2c for the stride-2 skip
// (FactorizedReduce); 2·(k²c + c² + 2c) for sep_conv_k; k²c + c² + 2c for dil_conv_k.
func OpParams(op string, c, stride int) int {
	block := func(k int) int { return k*k*c + c*c + 2*c } // depthwise + pointwise + BN
	switch op {
	case OpSkipConnect:
		if stride == 1 {
			return 0
		}
		return factorizedReduceParams(c, c, true)
	case OpSepConv3x3:
		return 2 * block(3)
	case OpSepConv5x5:
		return 2 * block(5)
	case OpDilConv3x3:
		return block(3)
	case OpDilConv5x5:
		return block(5)
	}
	return 0
}

// ParamCount returns the number of trainable parameters of the network, the auxiliary head included when
// configured (the reference papers report counts without it: build the configuration with
// Auxiliary(false) to get those).
func (n *NetworkConfig) ParamCount() int {
	g, c := n.genotype, n.channels
	total := 0
	var cpp, cp int
	reductionPrev := false
	if n.imagenet {
		total += 3*(c/2)*9 + 2*(c/2) + (c/2)*c*9 + 2*c // stem0
		total += c*c*9 + 2*c                           // stem1
		cpp, cp, reductionPrev = c, c, true
	} else {
		total += 3*StemMultiplier*c*9 + 2*StemMultiplier*c
		cpp, cp = StemMultiplier*c, StemMultiplier*c
	}
	for i := 0; i < n.layers; i++ {
		reduction := isReductionLayer(i, n.layers)
		if reduction {
			c *= 2
		}
		if reductionPrev {
			total += factorizedReduceParams(cpp, c, true)
		} else {
			total += reluConvBNParams(cpp, c, 1, true)
		}
		total += reluConvBNParams(cp, c, 1, true)
		cell, concat := g.Normal, g.NormalConcat
		if reduction {
			cell, concat = g.Reduce, g.ReduceConcat
		}
		for _, e := range cell {
			stride := 1
			if reduction && e.Input < 2 {
				stride = 2
			}
			total += OpParams(e.Op, c, stride)
		}
		cpp, cp = cp, len(concat)*c
		reductionPrev = reduction
		if n.auxiliary && i == 2*n.layers/3 {
			total += cp*128 + 2*128 + 128*768*4 + 768*n.classes + n.classes
			if !n.imagenet {
				total += 2 * 768
			}
		}
	}
	return total + cp*n.classes + n.classes
}
