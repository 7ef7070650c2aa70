package vec

import (
	"math"
	"math/rand/v2"
	"testing"
)

func sameBits64(t *testing.T, what string, got, want []float64) {
	t.Helper()
	for i := range want {
		if g, w := got[i], want[i]; math.Float64bits(g) != math.Float64bits(w) && !(g != g && w != w) {
			t.Fatalf("%s: element %d: %v, want %v", what, i, g, w)
		}
	}
}

// TestBNRowsSameBitsAsGo: the batch-norm row loops against the scalar expressions of their docs, for
// 8, 16 and 40 channels, 0 to 9 rows, with and without the gradient term, on values with specials.
func TestBNRowsSameBitsAsGo(t *testing.T) {
	if !ChannelsOK(8) {
		t.Skip("no AVX2 here: the row loops are not used")
	}
	if ChannelsOK(0) || ChannelsOK(12) {
		t.Fatal("ChannelsOK accepts a channel count that is not a positive multiple of 8")
	}
	r := rand.New(rand.NewPCG(8, 9))
	for _, c := range []int{8, 16, 40} {
		for rows := 0; rows <= 9; rows++ {
			x, g := values(r, rows*c+16), values(r, rows*c+16)
			m, k1, k0, k2 := values(r, c), values(r, c), values(r, c), values(r, c)
			for _, withG := range []bool{false, true} {
				want := make([]float32, rows*c)
				got := make([]float32, rows*c)
				for i := range want {
					j := i % c
					if withG {
						want[i] = k1[j]*(x[i]-m[j]) + k2[j]*g[i] + k0[j]
					} else {
						want[i] = k1[j]*(x[i]-m[j]) + k0[j]
					}
				}
				gg := g
				if !withG {
					gg = nil
				}
				AffineRows(x, gg, got, rows, c, m, k1, k0, k2)
				sameBits(t, "AffineRows", got, want)
			}
			// The sums: 8 channels at offset 8 of each row (the caller's chunk), stride c.
			if c < 16 {
				continue
			}
			sh := []float64{0.5, -1, 0, 3, 1e-3, -2, 7, 0.25}
			init1 := make([]float64, 8)
			init2 := make([]float64, 8)
			for j := range init1 {
				init1[j], init2[j] = r.NormFloat64(), r.NormFloat64()
			}
			for _, grad := range []bool{false, true} {
				w1, w2 := append([]float64(nil), init1...), append([]float64(nil), init2...)
				for row := range rows {
					for j := range 8 {
						v := x[row*c+8+j]
						if grad {
							gv := float64(g[row*c+8+j])
							w1[j] += gv
							w2[j] += gv * (float64(v) - sh[j])
						} else {
							d := float64(v) - sh[j]
							w1[j] += d
							w2[j] += d * d
						}
					}
				}
				a1, a2 := append([]float64(nil), init1...), append([]float64(nil), init2...)
				if grad {
					SumGradRows(x[8:], g[8:], rows, c, sh, a1, a2)
				} else {
					SumShiftedRows(x[8:], rows, c, sh, a1, a2)
				}
				sameBits64(t, "sum a1", a1, w1)
				sameBits64(t, "sum a2", a2, w2)
			}
		}
	}
}
