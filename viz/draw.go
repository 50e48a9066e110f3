package viz

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/ebitengine/debugui"
	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/assets"
	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/viz/appstate"
	"github.com/flowviz/flowviz/viz/camera"
	"github.com/flowviz/flowviz/viz/drawing"
	"github.com/flowviz/flowviz/viz/input"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/storage"
)

// Brush is a draw-mode tool.
type Brush int

// The brushes, in the order of the panel's dropdown.
const (
	Spray Brush = iota
	LineBrush
	Eraser
)

var brushNames = []string{"spray", "line", "eraser"}

// String is the brush's name in the panel and the state file.
func (b Brush) String() string {
	if b < 0 || int(b) >= len(brushNames) {
		return "?"
	}
	return brushNames[b]
}

// sendEvery throttles how often a drawing in progress goes to the trainer:
// each send is a warm-started data swap, cheap, but ten a second is all the
// eye can follow.
const sendEvery = 100 * time.Millisecond

// drawHint is what the status line says while there is nothing to learn.
const drawHint = "Nothing to learn yet: draw something on the canvas (left button; D toggles draw mode)."

// Drawer is draw mode: two drawings (target and source), the brush, and
// what has been sent to the backend.
type Drawer struct {
	On       bool
	Tool     Brush
	ToSource bool // edit the source drawing instead of the target's
	Radius   int  // brush radius in screen pixels at scale 1
	Density  int  // spray points per frame; line points per brush radius

	Shape     int     // built-in shape chosen in the panel
	Text      string  // text to render as a target
	Threshold float64 // luminance below which an image pixel is ink
	Invert    bool    // light pixels are ink instead
	File      string  // path field for Save and Load
	image     []byte  // the last dropped image, re-read when the threshold changes
	imageName string
	loads     fileLoads // files read and decoded off the render loop
	fitNext   bool      // fit the view to the drawing when it is next sent
	usedText  string    // the text last rendered

	target, source *drawing.Doc
	sent           [2]int // doc versions sent, [target, source]; -1 never
	sentAt         time.Time
	rng            *rand.Rand

	stroking bool
	lineFrom flow.Vec // world point where a line started
	lineTo   flow.Vec
	batch    Batch

	// The drawing's points are cached in an image until the drawing or
	// the camera changes: software GL pays for every square every frame.
	pointsImg *ebiten.Image
	pointsKey pointsKey
	pointerX  float64 // this tick's pointer, for Draw's brush ring
	pointerY  float64

	// What draw mode works on: the focused pane's camera, every pane's
	// data, the scale and the status line, and where drawings are kept.
	panes *Panes
	ui    *Chrome
	store storage.Store
}

type pointsKey struct {
	doc     *drawing.Doc
	version int
	cam     camera.Camera
	scale   float64
}

func newDrawer(panes *Panes, ui *Chrome, store storage.Store) *Drawer {
	if store == nil {
		store = storage.Files{}
	}
	return &Drawer{
		panes: panes, ui: ui, store: store,
		Radius: 14, Density: 12,
		Text: "FLOW", Threshold: 0.5, File: DefaultDrawingFile(),
		target: drawing.New(nil), source: drawing.New(nil),
		sent: [2]int{0, 0},
		rng:  rand.New(rand.NewPCG(0x64726177, 1)),
	}
}

// doc is the drawing being edited.
func (d *Drawer) doc() *drawing.Doc {
	if d.ToSource {
		return d.source
	}
	return d.target
}

func sideIndex(source bool) int {
	if source {
		return 1
	}
	return 0
}

// brushWorld is the brush radius in world units.
func (d *Drawer) brushWorld() float64 {
	return float64(d.Radius) * d.ui.scale / d.panes.cur.canvas.Cam.Zoom
}

// paint applies one tick of the pointer to the drawing: the left button
// paints in canvasR (the canvas, or a lesson's figure). It reports whether
// draw mode took the pointer (so nothing else uses the click).
func (d *Drawer) paint(canvasR rect, in *input.Snapshot) bool {
	d.pointerX, d.pointerY = in.X, in.Y
	if !d.On {
		return false
	}
	mx, my, left := in.X, in.Y, in.Pressed(input.Left)
	doc := d.doc()
	wx, wy := d.panes.cur.canvas.Cam.ToWorld(mx, my)
	at := flow.Vec{wx, wy}
	if !d.stroking {
		// A stroke starts only on a fresh press on the canvas that the panel
		// does not hold: clicks on the panel never paint.
		if !in.JustPressed(input.Left) || !in.Free() || !canvasR.contains(mx, my) {
			return false
		}
		d.stroking = true
		d.lineFrom, d.lineTo = at, at
		doc.Begin()
	}
	if !left {
		if d.Tool == LineBrush {
			d.drawLine(doc, d.lineFrom, d.lineTo)
		}
		d.stroking = false
		doc.End()
		return true
	}
	r := d.brushWorld()
	if !canvasR.contains(mx, my) {
		// Dragged off the canvas (onto the panel or the bar): the stroke
		// pauses there rather than painting under them.
		return true
	}
	switch d.Tool {
	case Spray:
		doc.Spray(d.rng, at, r, d.Density)
	case Eraser:
		doc.Erase(at, r)
	case LineBrush:
		d.lineTo = at
	}
	if doc.Capped() {
		d.ui.say(fmt.Sprintf("The drawing is full: at most %s points. Erase or clear some first.", thousands(drawing.MaxPoints)), true)
	}
	return true
}

// drawLine puts a stroke from a to b: Density points per brush radius, in a
// band half a radius wide.
func (d *Drawer) drawLine(doc *drawing.Doc, a, b flow.Vec) {
	r := d.brushWorld()
	doc.Line(d.rng, a, b, r/float64(max(1, d.Density)), r/2)
}

// handleKeys runs Ctrl+Z (undo) and Ctrl+Shift+Z (redo).
func (d *Drawer) handleKeys(in *input.Snapshot) {
	if !in.KeyJustPressed(ebiten.KeyZ) || !in.Ctrl() {
		return
	}
	if in.Shift() {
		d.redo()
	} else {
		d.undo()
	}
}

func (d *Drawer) undo() {
	if d.stroking {
		return
	}
	if !d.doc().Undo() {
		d.ui.say("nothing to undo", false)
	}
}

func (d *Drawer) redo() {
	if d.stroking {
		return
	}
	if !d.doc().Redo() {
		d.ui.say("nothing to redo", false)
	}
}

func (d *Drawer) clear() {
	if !d.stroking {
		d.doc().Clear()
	}
}

// toggle switches draw mode and reports whether it is on; entering it
// says what to do.
func (d *Drawer) toggle() bool {
	d.On = !d.On
	if d.On {
		d.ui.say("Draw mode: hold the left button on the canvas to draw "+d.side()+"; Ctrl+Z undoes.", false)
	} else {
		d.ui.say("draw mode off", false)
	}
	return d.On
}

func (d *Drawer) side() string {
	if d.ToSource {
		return "the source"
	}
	return "the target"
}

// send runs every tick: it hands edited drawings to the backend, at
// most every sendEvery (the last edit of a stroke follows within that time).
func (d *Drawer) send() {
	if time.Since(d.sentAt) < sendEvery {
		return
	}
	for _, source := range []bool{false, true} {
		doc := d.target
		name := "drawing"
		if source {
			doc, name = d.source, "drawn-source"
		}
		i := sideIndex(source)
		if doc.Version() == d.sent[i] {
			continue
		}
		d.sent[i] = doc.Version()
		d.sentAt = time.Now()
		// The trainer keeps the set: give it a copy the doc never touches.
		pts := append([]flow.Vec(nil), doc.Points()...)
		fit := d.fitNext && source == d.ToSource
		if fit {
			d.fitNext = false
		}
		set := &data.PointSet{Points: pts, Name: name}
		if doc.Labelled() {
			// Its colours are classes a conditional model trains on.
			set.Labels = append([]int(nil), doc.Labels()...)
		}
		if d.setData(source, set, fit) && len(pts) == 0 {
			d.ui.say(drawHint, false)
		}
	}
}

// setData gives dist to the panes' backends as the source or target and
// shows its label in the panel. fit asks to fit the view to the new data (a
// loaded shape; never for a drawing in progress).
func (d *Drawer) setData(source bool, dist data.Dist, fit bool) bool {
	label, ok := d.panes.setData(source, dist)
	if !ok {
		d.ui.say("This backend cannot take drawings or images: start without -demo.", true)
		return false
	}
	pn := &d.ui.panel
	if source {
		pn.edit.Source, pn.srcSpec = label, label
	} else {
		pn.edit.Target, pn.tgtSpec = label, label
	}
	if p := d.panes.cur; fit {
		p.fitData = true
		if p.sc != nil {
			p.fitFrom = cloudID(p.sc.Target)
		}
	}
	return true
}

// panelSection is the panel's Draw section.
func (d *Drawer) panelSection(ctx *debugui.Context, toggle func()) {
	ctx.Header("Draw", true, func() {
		ctx.SetGridLayout([]int{-1, -1}, nil)
		ctx.Checkbox(&d.On, "draw (D)").On(func() { d.On = !d.On; toggle() })
		ctx.Checkbox(&d.ToSource, "to source")
		ctx.Text("tool")
		brush := int(d.Tool) // debugui edits an int
		ctx.Dropdown(&brush, brushNames)
		d.Tool = Brush(brush)
		ctx.Text("radius px")
		ctx.Slider(&d.Radius, 2, 80, 1)
		ctx.Text("density")
		ctx.Slider(&d.Density, 1, 60, 1)
		ctx.SetGridLayout([]int{-1, -1, -1}, nil)
		ctx.Button("Undo").On(d.undo)
		ctx.Button("Redo").On(d.redo)
		ctx.Button("Clear").On(d.clear)
		d.colourRow(ctx)
		ctx.SetGridLayout(nil, nil)
		ctx.Text(fmt.Sprintf("target %s pts · source %s pts", thousands(d.target.Len()), thousands(d.source.Len())))
		ctx.SetGridLayout([]int{-2, -1}, nil)
		ctx.Dropdown(&d.Shape, shapeNames)
		ctx.Button("Use shape").On(d.useShape)
		ctx.TextField(&d.Text).On(func() {
			// The field also confirms when it loses focus: only a changed
			// text replaces the drawing then.
			if d.Text != d.usedText {
				d.useText()
			}
		})
		ctx.Button("Use text").On(d.useText)
		ctx.SetGridLayout([]int{-1, -1, -1}, nil)
		ctx.Text("image ink <")
		ctx.SliderF(&d.Threshold, 0.05, 0.95, 0.05, 2).On(d.reapplyImage)
		ctx.Checkbox(&d.Invert, "invert").On(d.reapplyImage)
		ctx.SetGridLayout(nil, nil)
		ctx.Text("drop an image or CSV on the window")
		ctx.TextField(&d.File)
		ctx.SetGridLayout([]int{-1, -1}, nil)
		ctx.Button("Save").On(func() { d.saveTo(d.File) })
		ctx.Button("Load").On(func() { d.loadFrom(d.File) })
	})
}

// drawOverlay shows the drawing being edited on top of the canvas (the
// scene's clouds follow only after the trainer and sampler catch up) and
// the brush as a circle around the pointer.
func (d *Drawer) drawOverlay(dst *ebiten.Image, area rect) {
	canvasR := area
	if !d.On {
		return
	}
	c := &d.panes.cur.canvas.Cam
	d.drawPoints(canvasR)
	var at ebiten.DrawImageOptions
	at.GeoM.Translate(float64(int(canvasR.X)), float64(int(canvasR.Y)))
	dst.DrawImage(d.pointsImg, &at)
	b := &d.batch
	b.Begin(dst)
	lw := float32(math.Max(1.5, 1.5*d.ui.scale))
	if d.stroking && d.Tool == LineBrush {
		x0, y0 := c.ToScreen(d.lineFrom[0], d.lineFrom[1])
		x1, y1 := c.ToScreen(d.lineTo[0], d.lineTo[1])
		b.Line(float32(x0), float32(y0), float32(x1), float32(y1), lw, palette.Accent, palette.Accent)
	}
	cx, cy := d.pointerX, d.pointerY
	if area.contains(cx, cy) {
		r := float64(d.Radius) * d.ui.scale
		ring := d.colour()
		if d.Tool == Eraser {
			ring = palette.Error
		}
		b.Ring(float32(cx), float32(cy), float32(r), lw, 40, ring)
	}
	b.Flush()
	label := fmt.Sprintf("DRAW · %s → %s · %s points", d.Tool, d.side(), thousands(d.doc().Len()))
	drawText(dst, label, d.ui.fonts.Bold, area.X+area.W/2, area.Y+12*d.ui.scale, TopCenter, palette.Accent)
}

// drawPoints redraws the cached image of the drawing being edited
// if it is stale: at most maxCloud squares, a stride through larger sets.
func (d *Drawer) drawPoints(canvasR rect) {
	w, h := max(1, int(canvasR.W)), max(1, int(canvasR.H))
	key := pointsKey{doc: d.doc(), version: d.doc().Version(), cam: d.panes.cur.canvas.Cam, scale: d.ui.scale}
	if d.pointsImg != nil && d.pointsImg.Bounds().Dx() == w && d.pointsImg.Bounds().Dy() == h && key == d.pointsKey {
		return
	}
	if d.pointsImg == nil || d.pointsImg.Bounds().Dx() != w || d.pointsImg.Bounds().Dy() != h {
		if d.pointsImg != nil {
			d.pointsImg.Deallocate()
		}
		d.pointsImg = ebiten.NewImage(w, h)
	}
	d.pointsKey = key
	d.pointsImg.Clear()
	c := &d.panes.cur.canvas.Cam
	b := &d.batch
	b.Begin(d.pointsImg)
	b.OX, b.OY = float32(int(canvasR.X)), float32(int(canvasR.Y))
	col := palette.Target.WithAlpha(0.85)
	if d.ToSource {
		col = palette.Source.WithAlpha(0.85)
	}
	pts, labels := d.doc().Points(), d.doc().Labels()
	coloured := d.doc().Labelled()
	size := float32(math.Max(2, 2.5*d.ui.scale))
	stride := max(1, (len(pts)+maxCloud-1)/maxCloud)
	for i := 0; i < len(pts); i += stride {
		sx, sy := c.ToScreen(pts[i][0], pts[i][1])
		if c.Contains(sx, sy) {
			ci := col
			if coloured && i < len(labels) {
				ci = palette.Class(labels[i]).WithAlpha(0.85)
			}
			b.Rect(float32(sx)-size/2, float32(sy)-size/2, size, size, ci)
		}
	}
	b.Flush()
	b.OX, b.OY = 0, 0
}

// state is the state file's view of the drawings.
func (d *Drawer) state() appstate.Drawing {
	s := appstate.Drawing{On: d.On, ToSource: d.ToSource, Tool: d.Tool.String(), Points: d.target.Len(), SourcePoints: d.source.Len()}
	if box, ok := d.target.Bounds(); ok {
		s.Box = &box
	}
	if box, ok := d.source.Bounds(); ok {
		s.SourceBox = &box
	}
	return s
}

// shapeNames are the built-in shapes, listed once.
var shapeNames = assets.Names()

// reapplyImage re-reads the last dropped image after a threshold or invert
// change; without one the controls only set what the next drop uses.
func (d *Drawer) reapplyImage() {
	if d.image != nil {
		d.applyImage()
	}
}
