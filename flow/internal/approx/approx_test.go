package approx

import (
	"math"
	"testing"
)

func TestEqual(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	for _, tc := range []struct {
		got, want, abs, rel float64
		equal               bool
	}{
		{1, 1, 0, 0, true},
		{1 + 1e-10, 1, 1e-9, 0, true},
		{1 + 1e-8, 1, 1e-9, 0, false},
		{101, 100, 0, 0.01, true},
		{102, 100, 0, 0.01, false},
		{1e-12, 0, 1e-9, 0.5, true},
		{nan, nan, 0, 0, true},
		{nan, 1, 1, 1, false},
		{1, nan, 1, 1, false},
		{inf, inf, 0, 0, true},
		{1e300, inf, 0, 1, false},
		{-inf, inf, 0, 1, false},
	} {
		if got := Equal(tc.got, tc.want, tc.abs, tc.rel); got != tc.equal {
			t.Errorf("Equal(%g, %g, %g, %g) = %v, want %v", tc.got, tc.want, tc.abs, tc.rel, got, tc.equal)
		}
	}
}
