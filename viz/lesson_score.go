package viz

import (
	"fmt"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/lesson"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/scene"
)

// scoreKind is lesson 11: a model trained to predict the score, probed at a
// point. The probe shows the learned and the exact velocity and score; the
// column shows the conversion u = a·x + b·s at the probe's t with its
// numbers, and chips switch the arrows between the two.
type scoreKind struct {
	trainedKind
}

var (
	_ lessonKind   = (*scoreKind)(nil)
	_ lessonCloser = (*scoreKind)(nil)
)

// scoreLessonT is where the lesson stops the clock: mid-way, where neither
// the source nor the data dominates.
const scoreLessonT = 0.6

func (k *scoreKind) open(g *Game, l *lesson.Lesson, _ *scene.Settings) {
	g.tools.Mode, g.tools.probeAt, g.tools.probeSet = ProbeTool, l.X0, true
	g.tl.Pause()
	g.tl.Scrub(scoreLessonT)
}

func (k *scoreKind) close() {}

func (*scoreKind) chips(g *Game) {
	labels := []string{"velocity arrows", "score arrows"}
	g.setChips(labels, func(i int) bool { return g.pane.settings.Score == (i == 1) }, func(i int) {
		if g.pane.settings.Score != (i == 1) {
			g.toggleScoreArrows()
		}
	})
}

// lines shows the conversion at the probe with the learned numbers.
func (k *scoreKind) lines(g *Game) []numLine {
	tl := &g.tools
	ps := &tl.score
	t := g.tl.T
	lines := []numLine{
		proseLine(fmt.Sprintf("probe x = %s at t = %s (click or drag to move it)", lesson.FormatVec(tl.probeAt), lesson.FormatNum(t))),
	}
	if !tl.probeSet || !ps.ok {
		return append(lines, proseLine("the score needs a Gaussian path"))
	}
	lines = append(lines, proseLine(fmt.Sprintf("u = a·x + b·s with a = %s, b = %s", signedNum(ps.conv.X), signedNum(ps.conv.Y))))
	if !tl.hasLearn {
		return append(lines, proseLine("training…"))
	}
	u := ps.conv.Apply(tl.probeAt, ps.learned)
	row := func(name string, v flow.Vec, col palette.RGBA) numLine {
		l := tableRow(name, lesson.FormatVec(v))
		l.colours = []palette.RGBA{col, col}
		return l
	}
	lines = append(lines,
		tableHead("learned", ""),
		row("score s", ps.learned, learnedScoreColour),
		row("a·x + b·s", u, palette.Accent),
		row("velocity u", tl.learnedV, palette.Accent),
	)
	if ps.hasExact {
		lines = append(lines, tableHead("exact", ""), row("score", ps.exact, exactScoreColour))
		if tl.exactWhy == "" {
			lines = append(lines, row("velocity", tl.exactV, palette.Label))
		}
	}
	return lines
}
