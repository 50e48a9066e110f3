package viz

import (
	"fmt"
	"image"
	"math"
	"strings"
	"time"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/hd"
	"github.com/flowviz/flowviz/viz/camera"
	"github.com/flowviz/flowviz/viz/input"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/record"
	"github.com/flowviz/flowviz/viz/scene"
	"github.com/flowviz/flowviz/viz/timeline"
)

// Pane is one model on screen: its backend, the settings edited for it and
// their debounce, the scenes it shows with the blend from one to the next,
// and the canvas that draws them through its camera. Compare mode is two
// panes.
type Pane struct {
	backend scene.Backend
	// say puts a message on the status line.
	say func(msg string, isErr bool)

	settings  scene.Settings // as edited
	applied   scene.Settings // as last given to the backend
	dirty     bool
	editedAt  time.Time
	viewMoved time.Time // when the camera last moved; zero once the grid follows

	canvas Canvas
	sc     *scene.Scene
	scenes int
	// fitData asks to fit the view to the data once a scene of new data
	// arrives (at start and after the source or target changed); fitFrom is
	// the target cloud that was shown when it was asked.
	fitData  bool
	fitFrom  cloud
	pos      []flow.Vec // particles as drawn
	target   []flow.Vec // particles of the current scene at t
	from     []flow.Vec // particles when the current scene arrived
	blendAge float64    // seconds since the current scene arrived

	lastCanvas rect // canvas of the previous tick, to notice resizes
	panning    bool
	panX, panY float64 // pointer at the previous tick of a pan

	lastErr, lastNote string // the backend's last error and note, said once

	insp inspector // the learned and exact fields where the tools ask
	dens densityLayer
}

// newPane shows backend on canvasR with settings s; the arrow grid covers
// what the canvas shows from the first frame on.
func newPane(backend scene.Backend, s scene.Settings, canvasR rect, scale float64, say func(string, bool)) *Pane {
	p := &Pane{backend: backend, say: say, settings: s.Clamp(), fitData: true}
	p.canvas.Layers = DefaultLayers()
	p.canvas.Underlay = p.dens.drawHeat
	p.canvas.Scale = scale
	v := p.settings.View
	p.canvas.Cam = camera.New(canvasR.X, canvasR.Y, canvasR.W, canvasR.H, v[0], v[1], v[2], v[3])
	// If the real screen differs (fullscreen, a window manager's choice), the
	// first Update treats it as a resize.
	p.lastCanvas = canvasR
	p.settings.View = p.fieldView()
	p.applied = p.settings
	if hd.IsTarget(p.applied.Target) {
		// The image view trains on it (imagepane.go); the 2D model
		// behind starts on the default target.
		p.applied.Target = scene.DefaultSettings().Target
	}
	return p
}

// advance drives a stepwise backend (scene.Stepper) for about budget; the
// backends of desktop runs train on their own goroutines instead. A
// backend that stopped before its budget was spent has nothing more to do
// this tick.
func (p *Pane) advance(budget time.Duration) bool {
	st, ok := p.backend.(scene.Stepper)
	if !ok {
		return false
	}
	start := time.Now()
	st.Advance(budget)
	return time.Since(start) >= budget
}

// edit takes settings edited in the panel; they reach the backend once
// they have settled for applyDelay. The camera, not the panel, owns the
// arrow grid's view.
func (p *Pane) edit(s scene.Settings) {
	s.View = p.settings.View
	p.settings = s
	p.dirty, p.editedAt = true, time.Now()
}

// applyNow hands pending edits to the backend at once.
func (p *Pane) applyNow(inLesson bool) {
	if p.dirty {
		p.editedAt = time.Time{}
		p.applySettings(inLesson)
	}
}

// resize follows a canvas that grew or shrank: the picture scales with it,
// as a lecturer going fullscreen expects, keeping the world centre where it
// is, and the arrow grid follows as it does after a pan.
func (p *Pane) resize(canvasR rect) {
	if canvasR != p.lastCanvas {
		if old := p.lastCanvas; old.W > 0 && old.H > 0 && canvasR.W > 0 && canvasR.H > 0 {
			f := math.Min(canvasR.W/old.W, canvasR.H/old.H)
			p.canvas.Cam.Zoom = math.Min(camera.MaxZoom, math.Max(camera.MinZoom, p.canvas.Cam.Zoom*f))
			p.viewMoved = time.Now()
		}
		p.lastCanvas = canvasR
	}
	p.canvas.Cam.SetViewport(canvasR.X, canvasR.Y, canvasR.W, canvasR.H)
}

// panZoom pans with the right or middle button dragged from the canvas and
// zooms with the wheel around the pointer. It reports whether the camera
// moved this tick.
func (p *Pane) panZoom(in *input.Snapshot, canvasR rect) bool {
	mx, my := in.X, in.Y
	free := in.Free()
	panButton := in.Pressed(input.Right) || in.Pressed(input.Middle)
	panPressed := in.JustPressed(input.Right) || in.JustPressed(input.Middle)
	cam := &p.canvas.Cam
	moved := false
	switch {
	case p.panning && panButton:
		if mx != p.panX || my != p.panY {
			cam.Pan(mx-p.panX, my-p.panY)
			moved = true
		}
		p.panX, p.panY = mx, my
	case p.panning:
		p.panning = false
	// A pan starts with a press on the canvas: a button pressed over the
	// panel and dragged onto the canvas must not grab the view there.
	case panPressed && free && canvasR.contains(mx, my):
		p.panning, p.panX, p.panY = true, mx, my
	}
	if wy := in.WheelY; wy != 0 && free && canvasR.contains(mx, my) {
		// One wheel notch zooms by 15 % around the pointer.
		cam.ZoomAt(mx, my, math.Pow(1.15, math.Max(-10, math.Min(10, wy))))
		moved = true
	}
	if moved {
		p.viewMoved = time.Now()
	}
	return moved
}

// trackStatus turns backend errors and notes into status-line messages once.
func (p *Pane) trackStatus(st scene.Status) {
	if st.Err != nil {
		if msg := st.Err.Error(); msg != p.lastErr {
			p.lastErr = msg
			if st.State == "failed" {
				// The trainer says what went wrong; add what to press here.
				p.say(fmt.Sprintf("Training stopped: %s. Use lr ÷10 in the panel, then Train.", strings.TrimSuffix(msg, ".")), true)
			} else {
				p.say(msg, true)
			}
		}
	} else {
		p.lastErr = ""
	}
	if st.Note != "" && st.Note != p.lastNote {
		p.lastNote = st.Note
		p.say(st.Note, false)
	}
}

// fit zooms to the source and target clouds (their 1st–99th percentiles, so
// a few outliers do not shrink the picture).
func (p *Pane) fit() {
	if p.sc == nil {
		return
	}
	pts := append(append([]flow.Vec(nil), p.sc.Source...), p.sc.Target...)
	box, ok := robustBox(pts)
	if !ok {
		return
	}
	p.canvas.Cam.Fit(box[0], box[1], box[2], box[3], 0.1)
	p.viewMoved = time.Now()
}

// showsData reports whether the view contains the data's robust box.
func (p *Pane) showsData() bool {
	if p.sc == nil {
		return false
	}
	box, ok := robustBox(append(append([]flow.Vec(nil), p.sc.Source...), p.sc.Target...))
	if !ok {
		return true
	}
	x0, y0, x1, y1 := p.canvas.Cam.Visible()
	return box[0] >= x0 && box[1] >= y0 && box[2] <= x1 && box[3] <= y1
}

// takeScene switches to a newly published scene, starting a blend from the
// positions on screen so particles glide instead of jumping, and sets tl's
// step count to the scene's (tl nil: the pane plays on another's clock).
func (p *Pane) takeScene(tl *timeline.Timeline) {
	sc := p.backend.Scene()
	if sc == nil || sc == p.sc {
		return
	}
	if len(sc.Traj) == 0 {
		return
	}
	p.scenes++
	if p.sc != nil && len(p.pos) == sc.Particles() {
		p.from = append(p.from[:0], p.pos...)
		p.blendAge = 0
	} else {
		p.from = p.from[:0]
		p.blendAge = blendTime
	}
	p.sc = sc
	if tl != nil {
		tl.SetSteps(sc.Steps())
	}
	if p.fitData && cloudID(sc.Target) != p.fitFrom {
		p.fitData = false
		// At start the default view stays if it already shows the data.
		if p.scenes > 1 || !p.showsData() {
			p.fit()
		}
	}
}

// updatePositions computes the particles to draw at the clock's t.
func (p *Pane) updatePositions(dt, t float64) {
	if p.sc == nil {
		p.pos = p.pos[:0]
		return
	}
	p.target = p.sc.PositionsAt(p.target, t)
	p.blendAge += dt
	if p.blendAge < blendTime && len(p.from) == len(p.target) {
		if cap(p.pos) < len(p.target) {
			p.pos = make([]flow.Vec, len(p.target))
		}
		p.pos = p.pos[:len(p.target)]
		scene.Blend(p.pos, p.from, p.target, scene.SmoothStep(p.blendAge/blendTime))
		return
	}
	p.pos = append(p.pos[:0], p.target...)
}

// applySettings hands edited settings to the backend once they have settled,
// and moves the arrow grid to the visible area once the camera has. In a
// lesson, new data keeps the lesson's view instead of fitting to the data.
func (p *Pane) applySettings(inLesson bool) {
	now := time.Now()
	if !p.viewMoved.IsZero() && now.Sub(p.viewMoved) > viewDelay {
		p.viewMoved = time.Time{}
		if v := p.fieldView(); v != p.settings.View {
			p.settings.View = v
			p.dirty, p.editedAt = true, now.Add(-applyDelay)
		}
	}
	if !p.dirty || now.Sub(p.editedAt) < applyDelay {
		return
	}
	p.dirty = false
	next := p.settings.Clamp()
	if hd.IsTarget(next.Target) {
		// An image target is the image view's: the 2D model keeps its data.
		next.Target = p.applied.Target
	}
	if next == p.applied {
		return
	}
	if err := p.backend.Apply(next); err != nil {
		p.say(err.Error(), true)
		// Keep the panel's edit so the user can correct it; remember what the
		// backend really runs.
		return
	}
	archChanged := next.Width != p.applied.Width || next.Depth != p.applied.Depth || next.Act != p.applied.Act ||
		next.Path != p.applied.Path || next.Coupling != p.applied.Coupling || next.Sigma != p.applied.Sigma ||
		diffusionRetrains(next, p.applied)
	switch {
	case archChanged:
		p.say("model changed: training restarted from scratch", false)
	case next.LR != p.applied.LR || next.Batch != p.applied.Batch:
		p.say(fmt.Sprintf("applied live: lr %.1e, batch %d", next.LR, next.Batch), false)
	case next.Target != p.applied.Target || next.Source != p.applied.Source:
		p.say("new data: training continues from the current weights", false)
	}
	if (next.Target != p.applied.Target || next.Source != p.applied.Source) && !inLesson {
		// A lesson chooses its own view.
		p.fitData = true
		if p.sc != nil {
			p.fitFrom = cloudID(p.sc.Target)
		}
	}
	p.applied = next
}

// fieldView is the world square the arrow grid should cover: centred on the
// view, as wide as the longer side of the canvas, so the arrows sit on square
// cells and fill the canvas.
func (p *Pane) fieldView() [4]float64 {
	x0, y0, x1, y1 := p.canvas.Cam.Visible()
	half := math.Max(x1-x0, y1-y0) / 2
	cx, cy := (x0+x1)/2, (y0+y1)/2
	if !(half > 0) || math.IsInf(half, 0) {
		return p.settings.View
	}
	return [4]float64{cx - half, cy - half, cx + half, cy + half}
}

// figureShot draws the pane's figure into img (of the canvas's size) with
// the camera fitted to every point of the data and particles, the way the
// GIF export frames them, for the PNG export.
func (p *Pane) figureShot(img *image.RGBA, t float64, fonts Fonts) {
	w, h := img.Rect.Dx(), img.Rect.Dy()
	off := ebiten.NewImage(w, h)
	defer off.Deallocate()
	off.Fill(toColor(palette.Background))
	cv := Canvas{Layers: p.canvas.Layers, Scale: p.canvas.Scale, Cam: p.canvas.Cam}
	cv.Cam.SetViewport(0, 0, float64(w), float64(h))
	if box, ok := record.Extent(p.sc); ok {
		cv.Cam.Fit(box[0], box[1], box[2], box[3], 0.06)
	}
	cv.Draw(off, p.sc, t, p.pos, fonts)
	off.ReadPixels(img.Pix)
	cv.release()
}

// drawInPane draws pane i in compare mode in r: its field, particles and
// trails, its legend and its training readout with its loss curve placed
// clear of its figure by pr (status is the status line, shown by the
// focused pane only), its label and, when focused, its frame. It returns
// where the training readout is (empty when it found no room).
func (p *Pane) drawInPane(dst *ebiten.Image, r rect, t float64, label string, i int, focused bool, status string, isErr bool, ui *Chrome, pr *Presenter) (readout rect) {
	p.canvas.Draw(dst, p.sc, t, p.pos, ui.fonts)
	// Below the label, which sits at the pane's top centre.
	top := 8*ui.scale + ui.fonts.Bold.Size*1.5
	pl := newPlacer(rect{r.X, r.Y + top, r.W, r.H - top}, pr.figureOf(i), 10*ui.scale)
	name := []string{"a", "b"}[min(i, 1)]
	if !pr.On {
		readout = pr.drawReadout(dst, ui, pl, "training_"+name, p.backend.Status(), p.dens.nllLine(), status, isErr)
		if l := p.canvas.Layers; l.Legend && p.sc != nil && (l.Field || l.Particles) {
			pr.drawPlacedLegend(dst, ui, pl, "legend_"+name, p.sc.MaxSpeed, l)
		}
		if p.canvas.Layers.Legend {
			pr.drawPlacedDensityKey(dst, ui, pl, "density_legend_"+name, &p.dens)
		}
	}
	if p.sc == nil {
		drawText(dst, "waiting for the first sample…", ui.fonts.Large, r.X+r.W/2, r.Y+r.H/2, Center, palette.Dim)
	}
	drawPaneFrame(dst, &ui.toolBatch, r, label, i, focused, ui.fonts, ui.scale)
	return readout
}
