package viz

import (
	"fmt"
	"math"
	"time"

	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/viz/input"
	"github.com/flowviz/flowviz/viz/scene"
	"github.com/flowviz/flowviz/viz/timeline"
)

// Panes is the models on screen: pane A alone, or A and B in compare mode,
// with the one the panel, the keys and the tools act on (the focus). The
// panes share the camera (a pan or zoom in one moves both), the timeline
// (pane A's step count) and the data.
type Panes struct {
	all   []*Pane // A, and B in compare mode
	cur   *Pane   // the focused pane
	focus int     // its index
	cmp   Compare

	// newBackend makes pane B's backend; nil: compare mode is unavailable.
	newBackend func(scene.Settings) (scene.Backend, error)
	stepwise   bool     // backends are advanced from the game loop
	work       stepWork // paces them

	// stripLeft is how far left of the panes the comparison strip reaches:
	// under a deck's caption column beside them, so that it has the
	// canvas's whole width.
	stripLeft float64
}

// besideColumn notes a deck's caption column beside the figure rest (none
// when column is empty or on top): the strip runs under it too.
func (ps *Panes) besideColumn(column, rest rect) {
	ps.stripLeft = 0
	if column.W > 0 && column.H == rest.H && column.X+column.W == rest.X {
		ps.stripLeft = column.W
	}
}

func newPanes(cfg Config, canvasR rect, say func(string, bool)) *Panes {
	a := newPane(cfg.Backend, cfg.Settings, canvasR, cfg.Scale, say)
	return &Panes{all: []*Pane{a}, cur: a, cmp: Compare{Spec: cfg.Compare}, newBackend: cfg.NewBackend, stepwise: cfg.Stepwise}
}

// a is the app's own pane, A.
func (ps *Panes) a() *Pane { return ps.all[0] }

// comparing reports whether compare mode is on.
func (ps *Panes) comparing() bool { return len(ps.all) > 1 }

// other is the pane that is not focused; nil with one pane.
func (ps *Panes) other() *Pane {
	for _, p := range ps.all {
		if p != ps.cur {
			return p
		}
	}
	return nil
}

// backends are the panes' backends, A first.
func (ps *Panes) backends() []scene.Backend {
	bs := make([]scene.Backend, len(ps.all))
	for i, p := range ps.all {
		bs[i] = p.backend
	}
	return bs
}

// rects splits the canvas between the panes: the whole canvas for one;
// side by side above the comparison strip for two.
func (ps *Panes) rects(canvasR rect, ui *Chrome) []rect {
	if len(ps.all) < 2 {
		return []rect{canvasR}
	}
	gap := math.Round(4 * ui.scale)
	// The strip takes what it needs, up to half the figure's height.
	h := canvasR.H - ps.strip(canvasR, ui).h
	w := math.Floor((canvasR.W - gap) / 2)
	return []rect{{canvasR.X, canvasR.Y, w, h}, {canvasR.X + w + gap, canvasR.Y, canvasR.W - w - gap, h}}
}

// strip lays the comparison strip out across the figure area canvasR.
func (ps *Panes) strip(canvasR rect, ui *Chrome) stripLayout {
	return layoutStrip(canvasR.W+ps.stripLeft, canvasR.H/2, ps.cmp.raceNote(), ui.fonts, ui.scale)
}

// stripRect is where the comparison strip goes: under the panes (and a
// caption column beside them).
func (ps *Panes) stripRect(canvasR rect, rects []rect) rect {
	y := rects[0].Y + rects[0].H
	return rect{canvasR.X - ps.stripLeft, y, canvasR.W + ps.stripLeft, canvasR.Y + canvasR.H - y}
}

// focusAt gives the panel to the pane a left click lands in.
func (ps *Panes) focusAt(in *input.Snapshot, rects []rect, ui *Chrome) {
	if len(ps.all) < 2 || !in.JustPressed(input.Left) || !in.Free() {
		return
	}
	for i, r := range rects {
		if r.contains(in.X, in.Y) && i != ps.focus {
			ps.setFocus(i, ui)
		}
	}
}

// setFocus makes pane i the one the panel, the tools and the keys act on.
func (ps *Panes) setFocus(i int, ui *Chrome) {
	ps.focus, ps.cur = i, ps.all[i]
	ui.panel.Sync(ps.cur.settings, ps.cur.backend.Options())
	ui.say(fmt.Sprintf("the panel edits %s", compareLabels(ps.all[0].applied, ps.all[1].applied)[i]), false)
}

// panZoom pans and zooms the pane under the pointer: the panes share one
// camera, so a pan or zoom in one moves all.
func (ps *Panes) panZoom(in *input.Snapshot, rects []rect) {
	for i, p := range ps.all {
		if p.panZoom(in, rects[i]) {
			for _, o := range ps.all {
				if o != p {
					o.canvas.Cam.CenterX, o.canvas.Cam.CenterY, o.canvas.Cam.Zoom = p.canvas.Cam.CenterX, p.canvas.Cam.CenterY, p.canvas.Cam.Zoom
					o.viewMoved = p.viewMoved
				}
			}
			return
		}
	}
}

// tick advances the panes by dt: stepwise training (on the first tick of
// a frame), new scenes, the clock and the particles, settled settings,
// compare mode's measurements.
func (ps *Panes) tick(dt float64, tl *timeline.Timeline, inLesson, newFrame bool) {
	if ps.stepwise && newFrame {
		ps.work.advance(ps.stepwiseWork())
	}
	for i, p := range ps.all {
		// The timeline counts pane A's steps; B's scene plays on the
		// same clock t whatever its step count.
		if i == 0 {
			p.takeScene(tl)
		} else {
			p.takeScene(nil)
		}
	}
	tl.Advance(dt)
	for _, p := range ps.all {
		p.updatePositions(dt, tl.T)
		p.applySettings(inLesson)
		p.dens.update(p, tl, ps.stepwise)
	}
	ps.cmp.update(ps.all)
}

// edit applies the panel's edit to the focused pane, to both panes with
// link on, and always to both for what they share: the data, the seed and
// the particles.
func (ps *Panes) edit(edited scene.Settings) {
	old := ps.cur.settings
	ps.cur.edit(edited)
	for _, p := range ps.all {
		if p == ps.cur {
			continue
		}
		s := p.settings
		s.Source, s.Target, s.Seed, s.Particles, s.Grid, s.Trails = edited.Source, edited.Target, edited.Seed, edited.Particles, edited.Grid, edited.Trails
		if ps.cmp.Link {
			s = linkedEdit(old, edited, s)
		}
		if s != p.settings {
			p.edit(s)
		}
	}
}

// linkedEdit applies to s the fields that changed from old to edited.
func linkedEdit(old, edited, s scene.Settings) scene.Settings {
	pick := func(dst *string, a, b string) {
		if a != b {
			*dst = b
		}
	}
	pickI := func(dst *int, a, b int) {
		if a != b {
			*dst = b
		}
	}
	pickF := func(dst *float64, a, b float64) {
		if a != b {
			*dst = b
		}
	}
	pick(&s.Act, old.Act, edited.Act)
	pick(&s.Path, old.Path, edited.Path)
	pick(&s.Coupling, old.Coupling, edited.Coupling)
	pick(&s.Solver, old.Solver, edited.Solver)
	pickI(&s.Width, old.Width, edited.Width)
	pickI(&s.Depth, old.Depth, edited.Depth)
	pickI(&s.Batch, old.Batch, edited.Batch)
	pickI(&s.Steps, old.Steps, edited.Steps)
	pickF(&s.LR, old.LR, edited.LR)
	pickF(&s.Sigma, old.Sigma, edited.Sigma)
	return s
}

// setData gives d to every pane's backend as the source or target (compared
// panes share the data) and keeps the settings' labels in step with it. It
// returns the label, or ok false when the backend takes no data (the demo).
func (ps *Panes) setData(source bool, d data.Dist) (label string, ok bool) {
	ds, ok := ps.cur.backend.(scene.DataSetter)
	if !ok {
		return "", false
	}
	label = ds.SetData(source, d)
	for _, p := range ps.all {
		if p != ps.cur {
			if ds, ok := p.backend.(scene.DataSetter); ok {
				ds.SetData(source, d)
			}
		}
		if source {
			p.settings.Source, p.applied.Source = label, label
		} else {
			p.settings.Target, p.applied.Target = label, label
		}
	}
	return label, true
}

// closeCompare returns to pane A alone, as it was: its model, settings and
// view. It does nothing with one pane.
func (ps *Panes) closeCompare(ui *Chrome) {
	if len(ps.all) < 2 {
		return
	}
	ps.cmp.close()
	ps.all[1].dens.close()
	ps.all = ps.all[:1]
	ps.focus, ps.cur = 0, ps.all[0]
	ui.say(ps.cmp.restoreKept(ps.cur), false)
	ui.panel.Sync(ps.cur.settings, ps.cur.backend.Options())
}

// openCompare opens pane B beside A, B being A with the compare spec's
// settings changed; A's run, if it has trained, is set aside for a race
// from step 0. It reports failure on the status line.
func (ps *Panes) openCompare(ui *Chrome) bool { return ps.open(true, ui) }

// open opens compare mode with ps.cmp.Spec; keep: see Compare.open.
func (ps *Panes) open(keep bool, ui *Chrome) bool {
	if len(ps.all) > 1 {
		return true
	}
	a := ps.all[0]
	stepwise := ps.stepwise
	b, err := ps.cmp.open(a, keep, ps.newBackend, func(be scene.Backend) func() { return runBackend(be, "compared model", stepwise) }, ui.say)
	if err != nil {
		ui.say(err.Error(), true)
		return false
	}
	ps.all = append(ps.all, b)
	ps.focus, ps.cur = 0, a
	ui.say("compare "+ps.cmp.spec()+": click a pane to edit it, K closes", false)
	return true
}

// compareStash is the user's compare mode set aside while a lesson runs:
// pane B with its backend alive but paused, and compare mode's state, to
// come back exactly as it was when the lesson closes.
type compareStash struct {
	b       *Pane
	cmp     Compare
	focus   int
	running bool // B was training
}

// stash sets compare mode aside, leaving pane A alone; nil with one pane.
func (ps *Panes) stash() *compareStash {
	if !ps.comparing() {
		return nil
	}
	st := &compareStash{b: ps.all[1], focus: ps.focus, running: ps.all[1].backend.Status().State == "running"}
	if st.running {
		st.b.backend.Pause()
	}
	ps.cmp.stopMeasuring()
	// A leaves the lockstep: B is paused, and a lesson that compares
	// joins A to another.
	ps.cmp.unlock()
	st.cmp = ps.cmp
	ps.cmp = Compare{}
	ps.all = ps.all[:1]
	ps.focus, ps.cur = 0, ps.all[0]
	return st
}

// unstash brings a stashed compare mode back: pane B beside A as it was,
// training again if it was, in lockstep with A from now on.
func (ps *Panes) unstash(st *compareStash, ui *Chrome) {
	if st == nil {
		return
	}
	ps.closeCompare(ui) // a lesson's own compare mode
	ps.cmp = st.cmp
	ps.cmp.relock()
	ps.cmp.measureAt = time.Time{} // remeasure at once
	st.b.canvas.Cam = ps.all[0].canvas.Cam
	st.b.viewMoved = time.Now()
	ps.all = append(ps.all[:1], st.b)
	ps.focus, ps.cur = st.focus, ps.all[st.focus]
	if st.running {
		st.b.backend.Train()
	}
	ui.panel.Sync(ps.cur.settings, ps.cur.backend.Options())
}

// stop ends a stashed compare mode's pane B for good (the app closes).
func (st *compareStash) stop() {
	if st != nil {
		st.cmp.close()
	}
}
