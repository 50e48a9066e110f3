package viz

import (
	"fmt"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/input"
	"github.com/flowviz/flowviz/viz/lesson"
	"github.com/flowviz/flowviz/viz/scene"
)

// lessonKind is what one kind of lesson adds to the shared lesson view (the
// text column, the chips, the app's own view kept to return to): its state,
// how it opens, its tick, its figure and its live numbers. Each kind lives
// in its own file, lesson_<kind>.go. A new kind registers itself there with
// one line, func init() { registerLessonKind(name, make, check) }, and
// keeps the fields of its own under the lesson's "params"; the built-in
// kinds of viz/lesson are listed in lessonKinds.
type lessonKind interface {
	// open prepares the kind as lesson l is shown; next holds the settings
	// the lesson will run with, and the kind may change them.
	open(c *lessonContext, l *lesson.Lesson, next *scene.Settings)
	// update runs one tick: at is the pointer in world coordinates, free
	// says it is on the canvas and the panel does not hold it.
	update(c *lessonContext, in *input.Snapshot, at flow.Vec, free bool)
	// chips sets the clickable choices with c.setChips; most kinds have none.
	chips(c *lessonContext)
	// draw draws the kind's own picture over the canvas, under the column.
	draw(c *lessonContext, dst *ebiten.Image)
	// lines is the live numbers of the column.
	lines(c *lessonContext) []numLine
	// geometric reports whether the kind draws its own picture on an empty
	// plane instead of the trained model's scene (and so shows no training).
	geometric() bool
}

// lessonKinds makes the state of each kind of lesson: one line per kind.
var lessonKinds = map[lesson.Kind]func() lessonKind{
	lesson.Pair:     func() lessonKind { return &pairKind{} },
	lesson.Interp:   func() lessonKind { return &interpKind{} },
	lesson.Crossing: func() lessonKind { return &crossingKind{} },
	lesson.Batch:    func() lessonKind { return &batchKind{} },
	lesson.Average:  func() lessonKind { return &averageKind{} },
	lesson.Sampling: func() lessonKind { return &samplingKind{} },
	lesson.Straight: func() lessonKind { return &straightKind{} },
	lesson.Shape:    func() lessonKind { return &shapeKind{} },
}

// registerLessonKind adds a kind of lesson: its name in the lesson files,
// what makes its state, and the check of the fields it reads (nil for
// none; see lesson.KindCheck). Call it from an init function of the kind's
// own file: that line is all a new kind adds outside its file and its JSON.
func registerLessonKind(kind lesson.Kind, mk func() lessonKind, check lesson.KindCheck) {
	if _, dup := lessonKinds[kind]; dup {
		panic(fmt.Sprintf("lesson kind %q registered twice", kind))
	}
	lesson.RegisterKind(kind, check)
	lessonKinds[kind] = mk
}

// newLessonKind makes the state of kind k; a kind without a registry entry
// (caught by the tests) shows its text and the trained model.
func newLessonKind(k lesson.Kind) lessonKind {
	if mk, ok := lessonKinds[k]; ok {
		return mk()
	}
	return &shapeKind{}
}

// Optional parts of a kind, asked for by type assertion.
type (
	// lessonCloser is a kind with work to stop when its lesson closes.
	lessonCloser interface{ close() }
	// lessonResampler is a kind whose figure R redraws too.
	lessonResampler interface{ resample() }
	// lessonEnds is a kind with draggable or fixed ends x0 and x1, which
	// the state file reports.
	lessonEnds interface{ ends() (x0, x1 flow.Vec) }
	// lessonKeepsWork is a kind whose scene is the user's own work, which
	// the autosave may record.
	lessonKeepsWork interface{ keepsWork() bool }
)

// trainedKind is the default of the kinds that show the trained model:
// no picture of their own, no pointer, no chips. Each kind opens itself.
type trainedKind struct{}

func (trainedKind) update(*lessonContext, *input.Snapshot, flow.Vec, bool) {}

func (trainedKind) chips(*lessonContext) {}

func (trainedKind) draw(*lessonContext, *ebiten.Image) {}

func (trainedKind) geometric() bool { return false }

// ownSteps is the step count of a lesson kind whose figure counts its own
// steps, not the scene's; embedded, its update keeps the timeline there.
type ownSteps int

func (n ownSteps) update(c *lessonContext, _ *input.Snapshot, _ flow.Vec, _ bool) {
	if c.tl.N != int(n) {
		// New scenes set the timeline to their step count.
		c.tl.SetSteps(int(n))
	}
}

// measuringOr is the end of a measured table's header: which weights it was
// measured on, or, until it is (step < 0), what is being measured; the
// header keeps its length so that the column does not refit when the
// numbers arrive.
func measuringOr(step int, what string) string {
	if step < 0 {
		return "measuring each " + what + "…"
	}
	return "weights of step " + thousands(step)
}
