package vec

// CopyRows copies rows runs of width elements: run r from src[r·srcStride:] to dst[r·dstStride:].
// im2col writes a patch matrix this way: one kernel row of each output pixel along an image row.
func CopyRows(dst []float32, dstStride int, src []float32, srcStride, rows, width int) {
	if rows <= 0 || width <= 0 {
		return
	}
	_, _ = dst[(rows-1)*dstStride+width-1], src[(rows-1)*srcStride+width-1]
	if useAsm && width%8 == 0 {
		copyRows8(&dst[0], dstStride, &src[0], srcStride, rows, width)
		return
	}
	for r := range rows {
		copy(dst[r*dstStride:r*dstStride+width], src[r*srcStride:r*srcStride+width])
	}
}
