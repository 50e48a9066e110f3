// Package drawing is the editable point set behind draw mode: spray, line and
// eraser edits with undo and redo, in world coordinates and free of any UI.
package drawing

import (
	"math"
	"math/rand/v2"
	"slices"

	"github.com/flowviz/flowviz/flow"
)

// MaxPoints caps a drawing. Beyond it a trainer's batches would still be
// cheap, but the display clouds and the saved CSV would not.
const MaxPoints = 50000

// maxUndo bounds the undo history; each entry is a full copy of the points,
// which keeps undo trivially correct at ≤ 800 KB an entry.
const maxUndo = 64

// Doc is a drawing: a set of points, each with a class (its colour), and an
// undo history. Edits between Begin and End form one undoable step (a
// stroke).
type Doc struct {
	pts     []flow.Vec
	lab     []int // lab[i] is the class of pts[i]
	undo    []state
	redo    []state
	inEdit  bool
	version int
	capped  bool // the last edit hit MaxPoints

	// Label is the class that new points get: the colour drawn with,
	// 0..Colours−1.
	Label int
}

// Colours is how many classes a drawing offers, one colour each.
const Colours = 8

// state is an undo entry: the points and their classes.
type state struct {
	pts []flow.Vec
	lab []int
}

// New returns a doc holding a copy of pts (at most MaxPoints, non-finite
// points dropped), all of class 0.
func New(pts []flow.Vec) *Doc { return NewLabeled(pts, nil) }

// NewLabeled is New with each point's class; labels nil (or of another
// length) means class 0 for all, and a class outside 0..Colours−1 is
// clamped into it.
func NewLabeled(pts []flow.Vec, labels []int) *Doc {
	d := &Doc{}
	for i, p := range pts {
		if len(d.pts) == MaxPoints {
			d.capped = true
			break
		}
		if finite(p) {
			d.pts = append(d.pts, p)
			d.lab = append(d.lab, labelAt(labels, len(pts), i))
		}
	}
	return d
}

// labelAt is labels[i] clamped into the colours, 0 when labels does not
// have one label per point.
func labelAt(labels []int, n, i int) int {
	if len(labels) != n {
		return 0
	}
	return min(Colours-1, max(0, labels[i]))
}

// Points returns the current points. The slice is shared: copy it before
// keeping it across edits.
func (d *Doc) Points() []flow.Vec { return d.pts }

// Labels returns each point's class, in the order of Points; shared as
// Points is.
func (d *Doc) Labels() []int { return d.lab }

// Labelled reports whether the drawing uses a class other than 0: only
// then are its colours classes worth training on.
func (d *Doc) Labelled() bool {
	for _, k := range d.lab {
		if k != 0 {
			return true
		}
	}
	return false
}

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
	d.undo = append(d.undo, d.snapshot())
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
	if equal(last.pts, d.pts) && slices.Equal(last.lab, d.lab) {
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
	d.lab = append(d.lab, min(Colours-1, max(0, d.Label)))
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
		kept, keptLab := d.pts[:0], d.lab[:0]
		for i, p := range d.pts {
			if math.Hypot(p[0]-c[0], p[1]-c[1]) <= r {
				removed++
				continue
			}
			kept, keptLab = append(kept, p), append(keptLab, d.lab[i])
		}
		d.pts, d.lab = kept, keptLab
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
	d.edit(func() { d.pts, d.lab = d.pts[:0], d.lab[:0] })
	d.version++
}

// Replace sets the points to a copy of pts (at most MaxPoints) as one
// undoable step, all of class 0: loading a file or a shape into the drawing.
func (d *Doc) Replace(pts []flow.Vec) { d.ReplaceLabeled(pts, nil) }

// ReplaceLabeled is Replace with each point's class (as NewLabeled takes
// them).
func (d *Doc) ReplaceLabeled(pts []flow.Vec, labels []int) {
	d.edit(func() {
		d.pts, d.lab = d.pts[:0], d.lab[:0]
		for i, p := range pts {
			if len(d.pts) >= MaxPoints {
				d.capped = true
				break
			}
			if finite(p) {
				d.pts = append(d.pts, p)
				d.lab = append(d.lab, labelAt(labels, len(pts), i))
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
	d.redo = append(d.redo, state{d.pts, d.lab})
	last := d.undo[len(d.undo)-1]
	d.pts, d.lab = last.pts, last.lab
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
	d.undo = append(d.undo, state{d.pts, d.lab})
	last := d.redo[len(d.redo)-1]
	d.pts, d.lab = last.pts, last.lab
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

// snapshot copies the points and classes for the undo history.
func (d *Doc) snapshot() state {
	return state{append([]flow.Vec(nil), d.pts...), append([]int(nil), d.lab...)}
}

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
