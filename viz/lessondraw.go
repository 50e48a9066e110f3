package viz

import (
	"math"
	"strconv"
	"strings"

	"github.com/flowviz/flowviz/viz/lesson"
)

func solverName(s string) string {
	switch s {
	case "euler":
		return "Euler"
	case "rk4":
		return "RK4"
	}
	return s
}

func couplingName(c string) string {
	switch c {
	case "independent":
		return "independent pairs"
	case "ot":
		return "minibatch OT"
	case "reflow":
		return "reflow (one round)"
	}
	return c
}

// significant prints x as FormatNum does, but a small x with two
// significant digits: a reflowed S of 0.004 is not 0.
func significant(x float64) string {
	if x != 0 && math.Abs(x) < 0.1 {
		return strings.Replace(strconv.FormatFloat(x, 'g', 2, 64), "-", "−", 1)
	}
	return lesson.FormatNum(x)
}
