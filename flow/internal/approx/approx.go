// Package approx compares floating-point results within tolerances, for the tests of flow/.
package approx

import (
	"math"
	"testing"
)

// Equal reports whether |got − want| ≤ abs + rel·|want|: abs covers values
// near zero, rel scales with the size of the expected value. Two NaNs are
// equal (a NaN is often the documented result), as are two equal infinities.
func Equal(got, want, abs, rel float64) bool {
	switch {
	case math.IsNaN(got) || math.IsNaN(want):
		return math.IsNaN(got) && math.IsNaN(want)
	case math.IsInf(want, 0):
		return got == want
	}
	return math.Abs(got-want) <= abs+rel*math.Abs(want)
}

// Check reports a test error naming what when got is not Equal to want.
func Check(t testing.TB, what string, got, want, abs, rel float64) {
	t.Helper()
	if !Equal(got, want, abs, rel) {
		t.Errorf("%s = %.10g, want %.10g (± %.3g + %.3g·|want|)", what, got, want, abs, rel)
	}
}
