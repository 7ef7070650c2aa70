package vec

// Row loops of batch norm over channels-last data: rows of c channels, c a multiple of 8. The
// arithmetic of each channel is the scalar expression written in each doc, operand for operand, so
// the results are those of the Go loops in kernels/batchnorm.go, bit for bit.

// ChannelsOK reports whether the row loops run in assembly for rows of c channels (AVX2 and c a
// positive multiple of 8). Where not, callers keep their Go loops; the functions below must not be
// called.
func ChannelsOK(c int) bool { return useAsm && c > 0 && c%8 == 0 }

// AffineRows sets out[r·c+j] = k1[j]·(x[r·c+j] − m[j]) + k0[j] for rows r < rows, or, when g is not
// nil, k1[j]·(x[r·c+j] − m[j]) + k2[j]·g[r·c+j] + k0[j] (sums from the left).
func AffineRows(x, g, out []float32, rows, c int, m, k1, k0, k2 []float32) {
	if !ChannelsOK(c) {
		panic("vec.AffineRows: rows of a channel count ChannelsOK refuses")
	}
	if rows <= 0 {
		return
	}
	n := rows * c
	_, _, _, _ = x[n-1], out[n-1], m[c-1], k1[c-1]
	_ = k0[c-1]
	if g == nil {
		affine8(&x[0], &out[0], rows, c, &m[0], &k1[0], &k0[0])
		return
	}
	_, _ = g[n-1], k2[c-1]
	affineGrad8(&x[0], &g[0], &out[0], rows, c, &m[0], &k1[0], &k0[0], &k2[0])
}

// SumShiftedRows adds, for 8 channels j and rows r < rows in order, d = float64(x[r·stride+j]) − sh[j]
// to a1[j] and d·d to a2[j].
func SumShiftedRows(x []float32, rows, stride int, sh, a1, a2 []float64) {
	if !useAsm {
		panic("vec.SumShiftedRows: no AVX2 here (see ChannelsOK)")
	}
	if rows <= 0 {
		return
	}
	_, _, _, _ = x[(rows-1)*stride+7], sh[7], a1[7], a2[7]
	sumShifted8(&x[0], rows, stride, &sh[0], &a1[0], &a2[0])
}

// SumGradRows adds, for 8 channels j and rows r < rows in order, gv = float64(g[r·stride+j]) to a1[j]
// and gv·(float64(x[r·stride+j]) − sh[j]) to a2[j].
func SumGradRows(x, g []float32, rows, stride int, sh, a1, a2 []float64) {
	if !useAsm {
		panic("vec.SumGradRows: no AVX2 here (see ChannelsOK)")
	}
	if rows <= 0 {
		return
	}
	_, _, _, _ = x[(rows-1)*stride+7], g[(rows-1)*stride+7], sh[7], a1[7]
	_ = a2[7]
	sumGrad8(&x[0], &g[0], rows, stride, &sh[0], &a1[0], &a2[0])
}
