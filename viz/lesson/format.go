package lesson

import (
	"math"
	"strconv"
	"strings"

	"github.com/flowviz/flowviz/flow"
)

// FormatVec prints a point as the captions do: "(4, 4)", "(1.5, −0.25)".
// Each coordinate is printed by FormatNum.
func FormatVec(v flow.Vec) string { return FormatVecPrec(v, 2) }

// FormatVecPrec is FormatVec with at most prec decimals, for tables whose
// columns must fit beside a figure: "(−0.8, 1.3)".
func FormatVecPrec(v flow.Vec, prec int) string {
	return "(" + FormatNumPrec(v[0], prec) + ", " + FormatNumPrec(v[1], prec) + ")"
}

// bigNum is where FormatNum switches to three significant digits: a diverged
// sample must not print hundreds of digits on the projector.
const bigNum = 1e6

// FormatNum prints x with at most 2 decimals, trailing zeros trimmed and a
// Unicode minus, never "−0": 4 → "4", −0.25 → "−0.25", 1e-9 → "0". Numbers
// from 10⁶ on print with 3 significant digits ("1.23e+06"), infinities as "∞".
func FormatNum(x float64) string { return FormatNumPrec(x, 2) }

// FormatNumPrec is FormatNum with at most prec decimals.
func FormatNumPrec(x float64, prec int) string {
	switch {
	case math.IsNaN(x):
		return "NaN"
	case math.IsInf(x, 1):
		return "∞"
	case math.IsInf(x, -1):
		return "−∞"
	}
	var s string
	if math.Abs(x) >= bigNum {
		s = strconv.FormatFloat(x, 'g', 3, 64)
	} else {
		s = strconv.FormatFloat(x, 'f', prec, 64)
		if strings.Contains(s, ".") {
			s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
		}
	}
	// A tiny negative rounds to "-0": there is no sign left to show.
	if s == "-0" {
		return "0"
	}
	return strings.Replace(s, "-", "−", 1)
}
