// Package drawing is the editable point set behind draw mode: spray, line and
// eraser edits with undo and redo, in world coordinates and free of any UI.
package drawing

import (
	"math"
	"math/rand/v2"

	"github.com/flowviz/flowviz/flow"
)

// MaxPoints caps a drawing. Beyond it a trainer's batches would still be
// cheap, but the display clouds and the saved CSV would not.
const MaxPoints = 50000

// maxUndo bounds the undo history; each entry is a full copy of the points,
// which keeps undo trivially correct at ≤ 800 KB an entry.
const maxUndo = 64

// Doc is a drawing: a set of points with an undo history. Edits between
// Begin and End form one undoable step (a stroke).
type Doc struct {
	pts     []flow.Vec
	undo    [][]flow.Vec
	redo    [][]flow.Vec
	inEdit  bool
	version int
	capped  bool // the last edit hit MaxPoints
}

// New returns a doc holding a copy of pts (at most MaxPoints, non-finite
// points dropped).
func New(pts []flow.Vec) *Doc {
	d := &Doc{}
	for _, p := range pts {
		if len(d.pts) == MaxPoints {
			d.capped = true
			break
		}
		if finite(p) {
			d.pts = append(d.pts, p)
		}
	}
	return d
}

// Points returns the current points. The slice is shared: copy it before
// keeping it across edits.
func (d *Doc) Points() []flow.Vec { return d.pts }

// Len is the number of points.
func (d *Doc) Len() int { return len(d.pts) }

// Version increases with every change, so callers can tell when to resend.
func (d *Doc) Version() int { return d.version }

// Capped reports whether the most recent edit stopped at MaxPoints.
func (d *Doc) Capped() bool { return d.capped }

// CanUndo and CanRedo report whether there is a step to undo or redo.
func (d *Doc) CanUndo() bool { return len(d.undo) > 0 }

// CanRedo reports whether there is an undone step to redo.
func (d *Doc) CanRedo() bool { return len(d.redo) > 0 }

// Begin starts an undoable step. Calls while a step is open do nothing.
func (d *Doc) Begin() {
	if d.inEdit {
		return
	}
	d.inEdit = true
	d.capped = false
	d.undo = append(d.undo, clone(d.pts))
	if len(d.undo) > maxUndo {
		d.undo = d.undo[1:]
	}
	d.redo = d.redo[:0]
}

// End closes the step; a step that changed nothing leaves no undo entry.
func (d *Doc) End() {
	if !d.inEdit {
		return
	}
	d.inEdit = false
	last := d.undo[len(d.undo)-1]
	if equal(last, d.pts) {
		d.undo = d.undo[:len(d.undo)-1]
	}
}

// edit wraps a change in a step of its own unless one is open.
func (d *Doc) edit(f func()) {
	if d.inEdit {
		f()
		return
	}
	d.Begin()
	f()
	d.End()
}

// add appends p unless the cap is reached.
func (d *Doc) add(p flow.Vec) bool {
	if len(d.pts) >= MaxPoints {
		d.capped = true
		return false
	}
	if !finite(p) {
		return false
	}
	d.pts = append(d.pts, p)
	return true
}

// Spray adds n points uniform in the disc of radius r around c:
// p = c + r·√u·(cos θ, sin θ), u ~ U(0,1), θ ~ U(0,2π), whose √u makes the
// density even over the disc's area. It returns how many it added.
func (d *Doc) Spray(rng *rand.Rand, c flow.Vec, r float64, n int) int {
	added := 0
	d.edit(func() {
		for range n {
			rho := r * math.Sqrt(rng.Float64())
			th := 2 * math.Pi * rng.Float64()
			if !d.add(flow.Vec{c[0] + rho*math.Cos(th), c[1] + rho*math.Sin(th)}) {
				break
			}
			added++
		}
	})
	if added > 0 {
		d.version++
	}
	return added
}

// Line adds points along the segment a→b every spacing, each spread
// uniformly across a band of width 2·halfWidth perpendicular to it, so a
// stroke has a little body to learn. Both ends get a point.
func (d *Doc) Line(rng *rand.Rand, a, b flow.Vec, spacing, halfWidth float64) int {
	if !(spacing > 0) {
		return 0
	}
	dx, dy := b[0]-a[0], b[1]-a[1]
	l := math.Hypot(dx, dy)
	n := int(math.Min(MaxPoints, math.Floor(l/spacing))) + 1
	nx, ny := 0.0, 0.0 // unit normal
	if l > 0 {
		nx, ny = -dy/l, dx/l
	}
	added := 0
	d.edit(func() {
		for i := range n {
			f := 0.0
			if n > 1 {
				f = float64(i) / float64(n-1)
			}
			off := 0.0
			if halfWidth > 0 {
				off = halfWidth * (2*rng.Float64() - 1)
			}
			if !d.add(flow.Vec{a[0] + f*dx + off*nx, a[1] + f*dy + off*ny}) {
				break
			}
			added++
		}
	})
	if added > 0 {
		d.version++
	}
	return added
}

// Erase removes the points within distance r of c and returns how many.
func (d *Doc) Erase(c flow.Vec, r float64) int {
	removed := 0
	d.edit(func() {
		kept := d.pts[:0]
		for _, p := range d.pts {
			if math.Hypot(p[0]-c[0], p[1]-c[1]) <= r {
				removed++
				continue
			}
			kept = append(kept, p)
		}
		d.pts = kept
	})
	if removed > 0 {
		d.version++
	}
	return removed
}

// Clear removes every point (undoable).
func (d *Doc) Clear() {
	if len(d.pts) == 0 {
		return
	}
	d.edit(func() { d.pts = d.pts[:0] })
	d.version++
}

// Replace sets the points to a copy of pts (at most MaxPoints) as one
// undoable step: loading a file or a shape into the drawing.
func (d *Doc) Replace(pts []flow.Vec) {
	d.edit(func() {
		d.pts = d.pts[:0]
		for _, p := range pts {
			if !d.add(p) && len(d.pts) >= MaxPoints {
				break
			}
		}
	})
	d.version++
}

// Undo steps back; it reports whether there was a step.
func (d *Doc) Undo() bool {
	d.End()
	if len(d.undo) == 0 {
		return false
	}
	d.redo = append(d.redo, d.pts)
	d.pts = d.undo[len(d.undo)-1]
	d.undo = d.undo[:len(d.undo)-1]
	d.version++
	return true
}

// Redo re-applies the last undone step; it reports whether there was one.
func (d *Doc) Redo() bool {
	d.End()
	if len(d.redo) == 0 {
		return false
	}
	d.undo = append(d.undo, d.pts)
	d.pts = d.redo[len(d.redo)-1]
	d.redo = d.redo[:len(d.redo)-1]
	d.version++
	return true
}

// Bounds returns the bounding box minX, minY, maxX, maxY, false if empty.
func (d *Doc) Bounds() ([4]float64, bool) {
	if len(d.pts) == 0 {
		return [4]float64{}, false
	}
	b := [4]float64{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for _, p := range d.pts {
		b[0], b[1] = math.Min(b[0], p[0]), math.Min(b[1], p[1])
		b[2], b[3] = math.Max(b[2], p[0]), math.Max(b[3], p[1])
	}
	return b, true
}

func clone(pts []flow.Vec) []flow.Vec { return append([]flow.Vec(nil), pts...) }

func equal(a, b []flow.Vec) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func finite(p flow.Vec) bool {
	return !math.IsNaN(p[0]) && !math.IsNaN(p[1]) && !math.IsInf(p[0], 0) && !math.IsInf(p[1], 0)
}
