package nb201

// ParamCount returns the number of parameters of the discrete NAS-Bench-201 network of a with C
// channels, N cells per stage and the given number of classes, counted as PyTorch counts
// model.parameters() of the reference network (and as NAS-Bench-201 reports "params", in millions):
// convolution kernels, batch-norm scales and offsets, the classifier's weights and bias; batch-norm
// moving statistics are not parameters. The input has 3 channels.
//
// It is the closed form of the layer shapes:
//
//	stem       9·3·C + 2C                                   conv 3×3 (no bias) + BN
//	cell(c)    Σ_edges  nor_conv_3x3: 9c²+2c,  nor_conv_1x1: c²+2c,  others: 0
//	res(c→2c)  9·c·2c + 2·2c + 9·(2c)² + 2·2c + c·2c        conv_a, conv_b (+BN), shortcut conv 1×1
//	head       2·4C + 4C·classes + classes                  BN, linear
//
// total = stem + N·(cell(C)+cell(2C)+cell(4C)) + res(C→2C) + res(2C→4C) + head.
func ParamCount(a Arch, channels, cells, classes int) int {
	c := channels
	total := 9*3*c + 2*c
	for stage := 0; stage < 3; stage++ {
		if stage > 0 {
			in := c
			c *= 2
			total += 9*in*c + 2*c + 9*c*c + 2*c + in*c
		}
		total += cells * cellParams(a, c, true)
	}
	return total + 2*c + c*classes + classes
}

// cellParams is the parameter count of one cell at c channels; affine=false is the supernet's
// flavour (BN without scale/offset: the conv kernel only).
func cellParams(a Arch, c int, affine bool) int {
	extra := 0
	if affine {
		extra = 2 * c // BN scale + offset
	}
	n := 0
	for _, o := range a {
		switch o {
		case Conv3x3:
			n += 9*c*c + extra
		case Conv1x1:
			n += c*c + extra
		}
	}
	return n
}
