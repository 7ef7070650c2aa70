package stats

import (
	"math"
	"testing"
)

func TestIntervalString(t *testing.T) {
	for _, c := range []struct {
		i    Interval
		want string
	}{
		{Interval{-0.15, 0.089}, "[-0.150, 0.089]"},
		{Interval{-0.0003, 0.652}, "[-3.0e-04, 0.652]"},
		{Interval{0.00049, 1}, "[4.9e-04, 1.000]"},
		{Interval{math.Copysign(0, -1), 0}, "[0.000, 0.000]"},
	} {
		if got := c.i.String(); got != c.want {
			t.Errorf("%#v.String() = %s, want %s", c.i, got, c.want)
		}
	}
}
