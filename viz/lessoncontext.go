package viz

import (
	"time"

	"github.com/flowviz/flowviz/viz/timeline"
)

// lessonContext is what a lesson kind sees of the app while its lesson is
// shown: the pane the lesson runs on (its model, settings and camera), the
// clock, the lesson view (the lesson, its chips and layout), draw mode
// (lesson 8 draws), the UI scale and a batch for its shapes, and the
// chrome for the status line and the panel. Kinds get it as an argument
// and keep nothing of it, so a kind cannot reach the keep, the tools or the
// other panes.
type lessonContext struct {
	pane      *Pane   // the focused pane
	panes     []*Pane // A, and B when the lesson compares
	tl        *timeline.Timeline
	lessons   *Lessons
	draw      *Drawer
	scale     float64
	toolBatch *Batch
	ui        *Chrome
}

// setChips sets the lesson's chips; layoutLesson places them.
func (c *lessonContext) setChips(labels []string, on func(i int) bool, do func(i int)) {
	ls := c.lessons
	ls.chips = ls.chips[:0]
	for i, lab := range labels {
		ls.chips = append(ls.chips, chip{label: lab, on: on(i), do: func() { do(i) }})
	}
}

// editSetting applies the edits a lesson made to the panes' settings at
// once and shows the focused pane's in the panel.
func (c *lessonContext) editSetting() {
	for _, p := range c.panes {
		p.dirty, p.editedAt = true, time.Time{}
	}
	c.ui.panel.Sync(c.pane.settings, c.pane.backend.Options())
}

// lessonHit reports whether a screen point is on the lesson's caption or a
// chip.
func (c *lessonContext) lessonHit(x, y float64) bool { return c.lessons.hit(x, y) }

// lessonFaces are the faces of the figure's labels, at the UI scale.
func (c *lessonContext) lessonFaces() lessonFaces { return lessonFacesAt(c.scale) }
