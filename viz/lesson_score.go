package viz

import (
	"fmt"
	"math"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/input"
	"github.com/flowviz/flowviz/viz/lesson"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/scene"
)

// scoreKind is lesson 11: a model trained to predict the score, probed at a
// point the lecturer moves (click or drag on the figure). The figure shows
// the learned and the exact velocity and score there; the column shows the
// conversion u = a·x + b·s at the clock's t with its numbers, and chips
// switch the field's arrows between the two.
type scoreKind struct {
	trainedKind
	at             flow.Vec
	dragging       bool
	learnedV       flow.Vec
	exactV         flow.Vec
	hasV, hasExact bool
	score          probeScore
}

var _ lessonKind = (*scoreKind)(nil)

func init() { registerLessonKind("score", func() lessonKind { return &scoreKind{} }, checkScore) }

// checkScore needs a Gaussian path named by the lesson: the score of the
// linear path with σ > 0 does not exist.
func checkScore(l lesson.Lesson, fail func(field, format string, args ...any)) {
	if l.Settings.Schedule == "" {
		fail("settings.schedule", "the score lesson names its schedule (linear, cosine, vp, ve or poly)")
	}
}

// scoreLessonT is where the lesson stops the clock: mid-way, where neither
// the source nor the data dominates.
const scoreLessonT = 0.6

func (k *scoreKind) open(c *lessonContext, l *lesson.Lesson, _ *scene.Settings) {
	k.at = l.X0
	c.tl.Pause()
	c.tl.Scrub(scoreLessonT)
}

// update moves the probe with the left button and evaluates the fields
// there at the clock's t.
func (k *scoreKind) update(c *lessonContext, in *input.Snapshot, at flow.Vec, free bool) {
	if free && in.JustPressed(input.Left) && !c.lessonHit(in.X, in.Y) {
		k.dragging = true
	}
	if k.dragging && !in.Pressed(input.Left) {
		k.dragging = false
	}
	if k.dragging && free {
		k.at = at
	}
	t := c.tl.T
	f, _ := c.pane.learned()
	k.hasV = f != nil
	if f != nil {
		k.learnedV = velocityAt(f, k.at, t)
	}
	ex, why := c.pane.exactField()
	k.hasExact = ex != nil && why == ""
	if k.hasExact {
		k.exactV = velocityAt(ex, k.at, t)
	}
	k.score.update(c.pane, k.at, t, k.learnedV, k.hasV)
}

func (*scoreKind) chips(c *lessonContext) {
	labels := []string{"velocity arrows", "score arrows"}
	c.setChips(labels, func(i int) bool { return c.pane.settings.Score == (i == 1) }, func(i int) {
		if c.pane.settings.Score != (i == 1) {
			if msg, isErr := toggleScore(&c.pane.settings); isErr {
				c.ui.say(msg, true)
				return
			}
			c.editSetting()
		}
	})
}

// draw draws the four arrows at the probe: the velocities gold (learned)
// over white (exact), the scores magenta over light magenta, each pair on
// its own scale.
func (k *scoreKind) draw(c *lessonContext, dst *ebiten.Image) {
	cam := &c.pane.canvas.Cam
	s := c.scale
	fig := c.lessons.lay.figure
	px, py := cam.ToScreen(k.at[0], k.at[1])
	b := c.toolBatch
	b.Begin(dst)
	longest := 0.0
	if k.hasV && scene.Finite(k.learnedV) {
		longest = math.Hypot(k.learnedV[0], k.learnedV[1])
	}
	if k.hasExact && scene.Finite(k.exactV) {
		longest = math.Max(longest, math.Hypot(k.exactV[0], k.exactV[1]))
	}
	if longest > 1e-9 {
		scale := probeArrowPixels * math.Min(fig.W, fig.H) / longest
		width, head := float32(3*s), float32(14*s)
		if k.hasExact {
			v := k.exactV
			b.Arrow(float32(px), float32(py), float32(v[0]*scale), float32(-v[1]*scale), width+float32(2*s), head+float32(3*s), palette.Label)
		}
		if k.hasV {
			v := k.learnedV
			b.Arrow(float32(px), float32(py), float32(v[0]*scale), float32(-v[1]*scale), width, head, palette.Accent)
		}
	}
	k.score.draw(b, px, py, fig, s)
	b.Ring(float32(px), float32(py), float32(9*s), float32(2*s), ringSegments, palette.Label)
	b.Flush()
}

// lines shows the conversion at the probe with the learned numbers.
func (k *scoreKind) lines(c *lessonContext) []numLine {
	ps := &k.score
	t := c.tl.T
	lines := []numLine{
		proseLine(fmt.Sprintf("probe x = %s at t = %s (click or drag to move it)", lesson.FormatVec(k.at), lesson.FormatNum(t))),
	}
	if !ps.ok {
		return append(lines, proseLine("the score needs a Gaussian path"))
	}
	lines = append(lines, proseLine(fmt.Sprintf("u = a·x + b·s with a = %s, b = %s", signedNum(ps.conv.X), signedNum(ps.conv.Y))))
	if !k.hasV {
		return append(lines, proseLine("training…"))
	}
	row := func(name string, v flow.Vec, col palette.RGBA) numLine {
		l := tableRow(name, lesson.FormatVec(v))
		l.colours = []palette.RGBA{col, col}
		return l
	}
	lines = append(lines,
		tableHead("learned", ""),
		row("score s", ps.learned, learnedScoreColour),
		row("a·x + b·s", ps.conv.Apply(k.at, ps.learned), palette.Accent),
		row("velocity u", k.learnedV, palette.Accent),
	)
	if ps.hasExact || k.hasExact {
		lines = append(lines, tableHead("exact", ""))
		if ps.hasExact {
			lines = append(lines, row("score", ps.exact, exactScoreColour))
		}
		if k.hasExact {
			lines = append(lines, row("velocity", k.exactV, palette.Label))
		}
	}
	return lines
}
