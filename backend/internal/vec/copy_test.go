package vec

import (
	"math/rand/v2"
	"testing"
)

// TestCopyRows: the runs land where copy puts them, nothing else in dst changes, at widths that are
// and are not multiples of 8 and strides smaller than, equal to and larger than the width.
func TestCopyRows(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 5))
	for _, width := range []int{1, 8, 24, 27, 72} {
		for _, rows := range []int{0, 1, 5} {
			for _, ss := range []int{8, width, width + 8} {
				ds := width + 3
				src := values(r, max(1, rows)*max(ss, width)+width)
				dst := values(r, max(1, rows)*ds+5)
				want := append([]float32(nil), dst...)
				for i := range rows {
					copy(want[i*ds:i*ds+width], src[i*ss:i*ss+width])
				}
				CopyRows(dst, ds, src, ss, rows, width)
				sameBits(t, "CopyRows", dst, want)
			}
		}
	}
}
