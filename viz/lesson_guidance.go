package viz

import (
	"context"
	"fmt"
	"math"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/train"
	"github.com/flowviz/flowviz/viz/input"
	"github.com/flowviz/flowviz/viz/lesson"
	"github.com/flowviz/flowviz/viz/scene"
)

// guidanceKind is lesson 13: classifier-free guidance on a class-conditional
// model. Chips set the app's w; the column's table has, for every w, the
// class accuracy, the spread of each class's samples and their mean
// distance from the centre, measured off the render loop.
type guidanceKind struct {
	trainedKind
	table modelTable
	ws    []float64
}

func init() {
	registerLessonKind("guidance", func() lessonKind { return &guidanceKind{} }, checkGuidance)
}

// guidanceParams are the lesson's own fields: the guidance weights w its
// chips and table compare.
type guidanceParams struct {
	Guidances []float64 `json:"guidances"`
}

// checkGuidance needs w within the slider's range and a class-conditional
// model.
func checkGuidance(l lesson.Lesson, fail func(field, format string, args ...any)) {
	var p guidanceParams
	if checkChoices(l, &p, &p.Guidances, "guidances", scene.MinGuidance+1, scene.MaxGuidance+1, fail) {
		checkSteps(l, fail)
	}
	if !l.Settings.Cond {
		fail("settings.cond", "the guidance lesson needs a class-conditional model")
	}
}

var (
	_ lessonKind   = (*guidanceKind)(nil)
	_ lessonCloser = (*guidanceKind)(nil)
)

func (k *guidanceKind) open(c *lessonContext, l *lesson.Lesson, next *scene.Settings) {
	var p guidanceParams
	k.table = openChoices(c, l, &p)
	k.ws = p.Guidances
	next.OneClass, next.Noise = false, 0
	if len(k.ws) > 0 {
		next.Guidance = k.ws[0] - 1
	}
}

func (k *guidanceKind) update(c *lessonContext, _ *input.Snapshot, _ flow.Vec, _ bool) {
	l := c.lessons.current()
	k.table.update(c, func() measureFunc {
		sc := c.pane.sc
		classes := sceneClasses(sc)
		if classes == 0 || len(sc.Target) < meterRefPoints {
			return nil
		}
		x0 := sourceDraws(c, measurePoints)
		ref := append([]flow.Vec(nil), sc.Target[:meterRefPoints]...)
		refLabels := append([]int(nil), sc.TargetLabels[:meterRefPoints]...)
		ws, steps := k.ws, l.Steps
		return func(ctx context.Context, m *train.Model) ([][]float64, error) {
			if m.Classes() != classes {
				return nil, fmt.Errorf("the model has %d classes, the target %d", m.Classes(), classes)
			}
			return guidanceRows(ctx, m, x0, ref, refLabels, classes, ws, steps)
		}
	})
}

// guidanceRows measures, for each w, samples of every class (source draw i
// in class i mod K): the class accuracy against the labelled reference
// draws, the spread (RMS distance of a class's samples from their mean,
// averaged over classes) and the mean distance |x| from the origin.
func guidanceRows(ctx context.Context, m *train.Model, x0, ref []flow.Vec, refLabels []int, classes int, ws []float64, steps int) ([][]float64, error) {
	rows := make([][]float64, 0, len(ws))
	for _, w := range ws {
		var hits, total int
		var spread, radius float64
		for y := range classes {
			var start []flow.Vec
			for i := y; i < len(x0); i += classes {
				start = append(start, x0[i])
			}
			x, err := generate(ctx, m, start, y, w, 0, steps, uint64(y))
			if err != nil {
				return nil, err
			}
			var mean flow.Vec
			for _, p := range x {
				if flow.NearestClass(p, ref, refLabels) == y {
					hits++
				}
				mean[0] += p[0] / float64(len(x))
				mean[1] += p[1] / float64(len(x))
				radius += math.Hypot(p[0], p[1])
			}
			var ss float64
			for _, p := range x {
				ss += (p[0]-mean[0])*(p[0]-mean[0]) + (p[1]-mean[1])*(p[1]-mean[1])
			}
			spread += math.Sqrt(ss/float64(max(1, len(x)))) / float64(classes)
			total += len(x)
		}
		rows = append(rows, []float64{float64(hits) / float64(max(1, total)), spread, radius / float64(max(1, total))})
	}
	return rows, nil
}

func (k *guidanceKind) close() { k.table.stop() }

func (k *guidanceKind) chips(c *lessonContext) {
	labels := make([]string, len(k.ws))
	for i, w := range k.ws {
		labels[i] = lesson.FormatNum(w)
		if i == 0 {
			labels[i] = "w = " + labels[i]
		}
	}
	c.setChips(labels, func(i int) bool { return c.pane.settings.Guidance == k.ws[i]-1 }, func(i int) {
		c.pane.settings.Guidance = k.ws[i] - 1
		c.editSetting()
	})
}

// lines is the guidance table, the w sampled now lit.
func (k *guidanceKind) lines(c *lessonContext) []numLine {
	lines := []numLine{}
	// The placeholder has the measured table's shape (see sdeKind.lines).
	lines = append(lines, proseLine(fmt.Sprintf("%d samples per w, every class; %s", measurePoints, measuringOr(k.table.step, "w"))))
	lines = append(lines, tableHead("w", "class accuracy", "spread", "mean |x|"))
	for i, w := range k.ws {
		cells := []string{lesson.FormatNum(w), "…", "…", "…"}
		if i < len(k.table.rows) {
			r := k.table.rows[i]
			cells[1], cells[2], cells[3] = lesson.FormatNum(r[0]), lesson.FormatNum(r[1]), lesson.FormatNum(r[2])
		}
		row := tableRow(cells...)
		row.hi = c.pane.applied.Guidance == w-1
		lines = append(lines, row)
	}
	return lines
}
