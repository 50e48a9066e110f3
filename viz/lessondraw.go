package viz

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/flowviz/flowviz/viz/lesson"
)

// setChips sets the lesson's chips; layoutLesson places them.
func (g *Game) setChips(labels []string, on func(i int) bool, do func(i int)) {
	ls := &g.lessons
	ls.chips = ls.chips[:0]
	for i, lab := range labels {
		ls.chips = append(ls.chips, chip{label: lab, on: on(i), do: func() { do(i) }})
	}
}

// editSetting applies an edit made by a lesson at once and shows it in the
// panel.
func (g *Game) editSetting() {
	g.pane.dirty, g.pane.editedAt = true, time.Time{}
	g.panel.Sync(g.pane.settings, g.pane.backend.Options())
}

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
