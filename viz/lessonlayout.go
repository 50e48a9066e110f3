package viz

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"

	"github.com/flowviz/flowviz/viz/palette"
)

// numLine is one line of a lesson's live numbers.
type numLine struct {
	cells   []string       // a table row's cells; a single cell is a line of text
	prose   bool           // wraps to the column rather than widening it
	hi      bool           // the current choice, in the accent colour
	hiCell  int            // with hi: 1 + the one cell lit; 0 lights the row
	head    bool           // a table's heading, dimmed
	colours []palette.RGBA // per cell, overriding the above where not zero
}

func textLine(s string) numLine         { return numLine{cells: []string{s}} }
func proseLine(s string) numLine        { return numLine{cells: []string{s}, prose: true} }
func tableRow(cells ...string) numLine  { return numLine{cells: cells} }
func tableHead(cells ...string) numLine { return numLine{cells: cells, head: true} }

// plain is the line as text, for the state file and the tests.
func (n numLine) plain() string { return strings.Join(n.cells, "   ") }

// Lesson text faces: larger than the panel's, for the back of the room.
type lessonFaces struct{ title, caption, formula, body *text.GoTextFace }

// lessonFacesAt are the faces at scale s; the column's text uses the
// scale its layout fitted.
func lessonFacesAt(s float64) lessonFaces {
	return lessonFaces{
		title:   &text.GoTextFace{Source: boldSource, Size: 19 * s},
		caption: &text.GoTextFace{Source: regularSource, Size: 15 * s},
		formula: &text.GoTextFace{Source: boldSource, Size: 17 * s},
		body:    &text.GoTextFace{Source: regularSource, Size: 13 * s},
	}
}

// lessonLayout is where a lesson's parts go on the canvas. As on a slide,
// a text column on the left holds the caption, the chips, the live numbers
// and the training readout, and the figure gets the rest, where the
// lesson's view is fitted; nothing is drawn over anything else. A canvas
// too narrow for two columns stacks them instead: caption on top, numbers
// at the bottom, the figure between.
type lessonLayout struct {
	stacked bool
	column  rect      // the text column's background (the caption's, stacked)
	caption rect      // title, caption, formula and hint
	numbers rect      // the live numbers
	cellX   []float64 // the numbers' table columns, from numbers.X
	train   rect      // the training readout; empty when not shown
	keysY   float64   // baseline of the keys line; 0 when there is no room
	figure  rect      // where the lesson's own picture goes
	pad     float64
	ts      float64 // the scale of the column's text
	room    float64 // stacked: the height left under the text
	hint    bool    // the lesson's hint is shown under the formula
	body    bool    // the caption's sentences are shown
}

// lessonMinCanvas is the canvas width, at scale 1, below which a lesson
// takes the panel's room: its column (45 %, at least 230 px) and figure
// side by side.
const lessonMinCanvas = 520

// Line heights of the lesson faces, and the loss curve's height at scale 1.
const (
	lessonCurveH = 30
	captionLead  = 1.3
	bodyLead     = 1.38
)

// layoutLesson lays the shown lesson out on the canvas and places its chips.
// The column's text is set at the UI scale when it fits, as a slide's text
// autofits otherwise: first the hint goes (the panel and the help list the
// same keys), then the text shrinks, down to half the UI scale; a canvas
// too narrow even then stacks text over figure, and may drop the caption's
// sentences (title, formula and numbers stay). The scale found is kept
// while the lesson, the canvas and the UI scale stay the same.
func (ls *Lessons) layoutLesson(canvasR rect) lessonLayout {
	fits := func(lay lessonLayout) bool {
		if lay.stacked {
			return lay.room >= 0.35*canvasR.H
		}
		return lay.numbers.Y+lay.numbers.H <= canvasR.Y+canvasR.H-lay.pad
	}
	key := fitKey{lesson: ls.cur, canvas: canvasR, scale: ls.ui.scale}
	if key == ls.fit.key {
		if lay := ls.layoutLessonWith(canvasR, ls.fit.ts, ls.fit.hint, ls.fit.body); fits(lay) {
			return lay
		}
	}
	ls.fit.key = key
	s := ls.ui.scale
	var lay lessonLayout
	for ts := s; ts >= math.Max(1, s/2)-1e-9; ts -= 0.1 * s {
		for _, hint := range []bool{true, false} {
			if lay = ls.layoutLessonWith(canvasR, ts, hint, true); fits(lay) {
				ls.fit.ts, ls.fit.hint, ls.fit.body = ts, hint, true
				return lay
			}
		}
	}
	ts := math.Max(1, s/2)
	lay = ls.layoutLessonWith(canvasR, ts, false, false)
	ls.fit.ts, ls.fit.hint, ls.fit.body = ts, false, false
	return lay
}

// fitKey is what the fitted text scale of a lesson depends on.
type fitKey struct {
	lesson int
	canvas rect
	scale  float64
}

func (ls *Lessons) layoutLessonWith(canvasR rect, s float64, hint, body bool) lessonLayout {
	l := ls.current()
	f := lessonFacesAt(s)
	pad := 14 * s
	lay := lessonLayout{pad: pad, hint: hint && l.Hint != "", body: body, ts: s}

	// The numbers' own width: the widest unwrapped line or table. It only
	// grows while a lesson is shown (kept at scale 1), so the figure does
	// not jump as figures change.
	cellW, textW := numbersWidth(ls.lines, f.body, 18*s)
	need := math.Max(sum(cellW)+18*s*float64(max(0, len(cellW)-1)), textW) + 2*pad
	ls.colNeed = math.Max(ls.colNeed, need/s)
	minW, maxW := 0.45*canvasR.W, 0.6*canvasR.W
	colW := math.Min(maxW, math.Max(minW, ls.colNeed*s))
	lay.stacked = minW < 230*s || canvasR.H < 330*s
	if lay.stacked {
		colW = canvasR.W
	}
	lay.cellX = cellStarts(cellW, 18*s)

	// Caption: title, wrapped caption, formula, the lesson's hint.
	textW = colW - 2*pad - 4*s
	y := canvasR.Y + pad
	y += f.title.Size * captionLead
	if body {
		y += linesOf(wrap(l.Caption, f.caption, textW)) * f.caption.Size * captionLead
	}
	y += 4 * s
	y += linesOf(wrap(l.Formula, f.formula, textW)) * f.formula.Size * captionLead
	if lay.hint {
		y += linesOf(wrap(l.Hint, f.body, textW)) * f.body.Size * bodyLead
	}
	lay.caption = rect{canvasR.X, canvasR.Y, colW, y + pad/2 - canvasR.Y}
	y += pad / 2

	// Chips flow in rows under the caption.
	x := canvasR.X + pad
	chipH := f.body.Size*1.3 + 12*s
	if len(ls.chips) > 0 {
		y += 2 * s
	}
	for i := range ls.chips {
		c := &ls.chips[i]
		w := math.Max(textWidth(c.label, f.body)+18*s, chipH)
		if c.group && x > canvasR.X+pad {
			x += 16 * s
		}
		if x > canvasR.X+pad && x+w > canvasR.X+colW-pad {
			x, y = canvasR.X+pad, y+chipH+8*s
		}
		c.r = rect{x, y, w, chipH}
		x += w + 8*s
		if i == len(ls.chips)-1 {
			y += chipH + 12*s
		}
	}

	lineH := f.body.Size * bodyLead
	numH := ls.numbersHeight(f.body, colW-2*pad) * lineH
	if lay.stacked {
		// Numbers under the chips, the figure below them; on a canvas too
		// short for that the figure is the whole canvas, its top under
		// the text.
		w := math.Min(canvasR.W-2*pad, ls.colNeed*s)
		lay.numbers = rect{canvasR.X + pad, y, w, numH}
		y += numH + pad/2
		lay.column = rect{canvasR.X, canvasR.Y, colW, y - canvasR.Y}
		lay.figure = rect{canvasR.X, y, canvasR.W, canvasR.Y + canvasR.H - y}
		lay.room = lay.figure.H
		if lay.figure.H < canvasR.H*0.25 {
			lay.figure = canvasR
		}
		return lay
	}
	lay.column = rect{canvasR.X, canvasR.Y, colW, canvasR.H}
	lay.figure = rect{canvasR.X + colW, canvasR.Y, canvasR.W - colW, canvasR.H}
	lay.numbers = rect{canvasR.X + pad, y, colW - 2*pad, numH}
	y += numH + pad/2
	// Then, room allowing, the training readout and the keys line.
	bottom := canvasR.Y + canvasR.H - pad/2
	if ls.showsTraining() {
		trainH := lineH + lessonCurveH*s + 6*s
		if ls.ui.statusErr && ls.ui.status != "" {
			trainH += lineH * linesOf(wrap(ls.ui.status, f.body, colW-2*pad))
		}
		if y+trainH <= bottom {
			lay.train = rect{canvasR.X + pad, y, colW - 2*pad, trainH}
			y += trainH + pad/2
		}
	}
	if y+f.body.Size*bodyLead <= bottom {
		lay.keysY = bottom
	}
	return lay
}

// showsTraining reports whether the lesson trains a network, so its column
// carries the training readout.
func (ls *Lessons) showsTraining() bool { return !ls.kind.geometric() }

// numbersWidth measures the live numbers: the width of each table column
// over all rows, and the widest line of text that must not wrap.
func numbersWidth(lines []numLine, face *text.GoTextFace, gap float64) (cells []float64, textW float64) {
	for _, n := range lines {
		if len(n.cells) == 1 {
			if !n.prose {
				textW = math.Max(textW, textWidth(n.cells[0], face))
			}
			continue
		}
		for i, c := range n.cells {
			if i >= len(cells) {
				cells = append(cells, 0)
			}
			// A cell still being measured ("…") is as wide as the number
			// it will hold, so the column does not widen when it arrives.
			cells[i] = math.Max(cells[i], textWidth(strings.Replace(c, "…", "0.00", 1), face))
		}
	}
	return cells, textW
}

// cellStarts is where each table column begins, from the left edge.
func cellStarts(widths []float64, gap float64) []float64 {
	xs := make([]float64, len(widths))
	x := 0.0
	for i, w := range widths {
		xs[i] = x
		x += w + gap
	}
	return xs
}

func sum(v []float64) float64 {
	t := 0.0
	for _, x := range v {
		t += x
	}
	return t
}

func linesOf(s string) float64 { return float64(1 + strings.Count(s, "\n")) }

// numbersHeight is the live numbers' height in lines at width w.
func (ls *Lessons) numbersHeight(face *text.GoTextFace, w float64) float64 {
	n := 0.0
	for _, l := range ls.lines {
		if l.prose {
			n += linesOf(wrap(l.cells[0], face, w))
		} else {
			n++
		}
	}
	return n
}

// fitLesson fits the lesson's view into its figure whenever the figure
// moves (a new lesson, a resize, a new UI scale, a wider column).
func (ls *Lessons) fitLesson() {
	fig := ls.lay.figure
	if !(fig.W > 0 && fig.H > 0) {
		return
	}
	if ls.fitted && math.Abs(fig.X-ls.fitFor.X)+math.Abs(fig.Y-ls.fitFor.Y)+math.Abs(fig.W-ls.fitFor.W)+math.Abs(fig.H-ls.fitFor.H) < 2 {
		return
	}
	v := ls.current().View
	// In compare mode the figure holds both panes and the strip: each
	// pane's view is fitted into its own part.
	rects := []rect{fig}
	if ls.panes.comparing() {
		rects = ls.paneRects()
	}
	for i, p := range ls.panes.all {
		r := rects[i]
		if len(rects) > 1 {
			// A pane's viewport is its part (one pane draws on the
			// whole canvas and fits the view into the figure).
			p.canvas.Cam.SetViewport(r.X, r.Y, r.W, r.H)
		}
		p.canvas.Cam.FitIn(v[0], v[1], v[2], v[3], r.X, r.Y, r.W, r.H, 0.06)
		p.viewMoved = time.Now()
		// The view was fitted for this viewport: the next tick must not
		// take the change from the previous one (say, half the figure in
		// a lesson that compared) for a resize and rescale the fit.
		cam := &p.canvas.Cam
		p.lastCanvas = rect{X: cam.X, Y: cam.Y, W: cam.W, H: cam.H}
	}
	ls.fitted, ls.fitFor = true, fig
}

// paneRects is where the panes go in a lesson that compares: side by side
// in the figure, above the comparison strip.
func (ls *Lessons) paneRects() []rect { return ls.panes.rects(ls.lay.figure, ls.ui) }

// drawColumn draws the lesson's text: caption, chips, numbers, training
// readout and keys.
func (ls *Lessons) drawColumn(dst *ebiten.Image) {
	l := ls.current()
	lay := &ls.lay
	f := lessonFacesAt(lay.ts)
	s := lay.ts
	pad := lay.pad
	b := &ls.ui.toolBatch
	b.Begin(dst)
	col := lay.column
	b.Rect(float32(col.X), float32(col.Y), float32(col.W), float32(col.H), palette.PanelBG.WithAlpha(1))
	b.Rect(float32(col.X+col.W-s), float32(col.Y), float32(s), float32(col.H), palette.GridMajor)
	b.Rect(float32(col.X), float32(lay.caption.Y), float32(4*s), float32(lay.caption.H), palette.Accent)
	for _, c := range ls.chips {
		bg := palette.Background
		if c.on {
			bg = palette.Accent
		}
		b.Rect(float32(c.r.X), float32(c.r.Y), float32(c.r.W), float32(c.r.H), bg)
		b.Frame(float32(c.r.X), float32(c.r.Y), float32(c.r.W), float32(c.r.H), float32(s), palette.GridMajor)
	}
	st := ls.trainingStatus()
	if lay.train.H > 0 {
		tr := lay.train
		cy := tr.Y + f.body.Size*bodyLead
		b.Rect(float32(tr.X), float32(cy), float32(tr.W), float32(lessonCurveH*s), palette.RGBA{R: 1, G: 1, B: 1, A: 0.04})
		ls.curveLo, ls.curveHi = drawCurve(b, st.LossHistory, tr.X, cy, tr.W-textWidth("0.0000", f.body)-8*s, lessonCurveH*s, float32(1.6*s), palette.Accent)
	}
	b.Flush()

	// Caption.
	textW := col.W - 2*pad - 4*s
	x, y := col.X+pad+4*s, col.Y+pad
	drawText(dst, fmt.Sprintf("%d / %d   %s", l.Number, len(ls.all), l.Title), f.title, x, y, TopLeft, palette.Accent)
	y += f.title.Size * captionLead
	if lay.body {
		capText := wrap(l.Caption, f.caption, textW)
		drawText(dst, capText, f.caption, x, y, TopLeft, palette.Label)
		y += linesOf(capText) * f.caption.Size * captionLead
	}
	y += 4 * s
	formula := wrap(l.Formula, f.formula, textW)
	drawText(dst, formula, f.formula, x, y, TopLeft, palette.Label)
	y += linesOf(formula) * f.formula.Size * captionLead
	if lay.hint {
		drawText(dst, wrap(l.Hint, f.body, textW), f.body, x, y, TopLeft, palette.Dim)
	}

	for _, c := range ls.chips {
		tc := palette.Label
		if c.on {
			tc = palette.Background
		}
		drawText(dst, c.label, f.body, c.r.X+c.r.W/2, c.r.Y+c.r.H/2, Center, tc)
	}

	// Numbers: lines of text, prose wrapped, table cells in their columns.
	lineH := f.body.Size * bodyLead
	y = lay.numbers.Y
	for _, n := range ls.lines {
		c := palette.Label
		switch {
		case n.hi:
			c = palette.Accent
		case n.head:
			c = palette.Dim
		}
		if len(n.cells) == 1 {
			t := n.cells[0]
			if n.prose {
				t = wrap(t, f.body, lay.numbers.W)
			}
			drawLines(dst, t, f.body, lay.numbers.X, y, lineH, c)
			y += linesOf(t) * lineH
			continue
		}
		for i, cell := range n.cells {
			if i >= len(lay.cellX) {
				break
			}
			cc := c
			if n.hi && n.hiCell != 0 && n.hiCell != i+1 {
				cc = palette.Label
			}
			if i < len(n.colours) && n.colours[i].A > 0 {
				cc = n.colours[i]
			}
			drawText(dst, cell, f.body, lay.numbers.X+lay.cellX[i], y, TopLeft, cc)
		}
		y += lineH
	}

	if lay.train.H > 0 {
		tr := lay.train
		state := st.State
		if state == "" {
			state = "starting"
		}
		left := fmt.Sprintf("%s: step %s · loss %s", state, thousands(st.Step), lossText(st.Loss))
		drawText(dst, left, f.body, tr.X, tr.Y, TopLeft, palette.Label)
		if right := thousands(int(math.Round(st.StepsPerSec))) + " steps/s"; textWidth(left, f.body)+textWidth(right, f.body)+12*s <= tr.W {
			drawText(dst, right, f.body, tr.X+tr.W, tr.Y, TopRight, palette.Dim)
		}
		cy := tr.Y + f.body.Size*bodyLead
		if ls.curveHi > ls.curveLo {
			drawText(dst, lossText(ls.curveHi), f.body, tr.X+tr.W, cy, TopRight, palette.Dim)
			drawText(dst, lossText(ls.curveLo), f.body, tr.X+tr.W, cy+lessonCurveH*s, BottomRight, palette.Dim)
		}
		if ls.ui.statusErr && ls.ui.status != "" {
			drawText(dst, wrap(ls.ui.status, f.body, tr.W), f.body, tr.X, cy+(lessonCurveH+6)*s, TopLeft, palette.Error)
		}
	}
	if lay.keysY > 0 {
		drawText(dst, "PgDn next · PgUp back · 1–9 jump · Esc leave", f.body, col.X+pad, lay.keysY, BottomLeft, palette.Dim)
	}
}
