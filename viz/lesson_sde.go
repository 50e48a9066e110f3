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

// sdeKind is lesson 12: the reverse SDE at several noise levels g. Chips set
// the app's noise; the column's table has W2 to the target for every g,
// measured off the render loop on the same weights and the same source
// draws, beside the two-sample floor.
type sdeKind struct {
	trainedKind
	table  modelTable
	noises []float64
}

func init() { registerLessonKind("sde", func() lessonKind { return &sdeKind{} }, checkSDE) }

// sdeParams are the lesson's own fields: the noise levels g its chips and
// table compare.
type sdeParams struct {
	Noises []float64 `json:"noises"`
}

// checkSDE needs noise levels within the slider's range and a step count.
func checkSDE(l lesson.Lesson, fail func(field, format string, args ...any)) {
	var p sdeParams
	if checkChoices(l, &p, &p.Noises, "noises", 0, scene.MaxNoise, fail) {
		checkSteps(l, fail)
	}
}

var (
	_ lessonKind   = (*sdeKind)(nil)
	_ lessonCloser = (*sdeKind)(nil)
)

func (k *sdeKind) open(c *lessonContext, l *lesson.Lesson, next *scene.Settings) {
	var p sdeParams
	k.table = openChoices(c, l, &p)
	k.noises = p.Noises
	if len(k.noises) > 0 {
		next.Noise = k.noises[0]
	}
}

func (k *sdeKind) update(c *lessonContext, _ *input.Snapshot, _ flow.Vec, _ bool) {
	l := c.lessons.current()
	k.table.update(c, func() measureFunc {
		if c.pane.sc == nil || len(c.pane.sc.Target) < 2*measurePoints {
			return nil
		}
		x0 := sourceDraws(c, measurePoints)
		target := append([]flow.Vec(nil), c.pane.sc.Target[:2*measurePoints]...)
		noises, steps := k.noises, l.Steps
		return func(ctx context.Context, m *train.Model) ([][]float64, error) {
			return noiseRows(ctx, m, x0, target, noises, steps)
		}
	})
}

// noiseRows is W2 to target[:n] of n samples for each noise level, and last
// the floor: W2 between target[:n] and target[n:2n].
func noiseRows(ctx context.Context, m *train.Model, x0, target []flow.Vec, noises []float64, steps int) ([][]float64, error) {
	n := len(x0)
	rows := make([][]float64, 0, len(noises)+1)
	for _, gn := range noises {
		x, err := generate(ctx, m, x0, nullClass, 1, gn, steps, 1)
		if err != nil {
			return nil, err
		}
		w2, err := flow.W2(finiteSubsample(x, n), target[:n])
		if err != nil {
			w2 = math.NaN()
		}
		rows = append(rows, []float64{w2})
	}
	floor, err := flow.W2(target[n:2*n], target[:n])
	if err != nil {
		floor = math.NaN()
	}
	return append(rows, []float64{floor}), nil
}

func (k *sdeKind) close() { k.table.stop() }

func (k *sdeKind) chips(c *lessonContext) {
	labels := make([]string, len(k.noises))
	for i, gn := range k.noises {
		labels[i] = "g = " + lesson.FormatNum(gn)
		if i > 0 {
			labels[i] = lesson.FormatNum(gn)
		}
	}
	c.setChips(labels, func(i int) bool { return c.pane.settings.Noise == k.noises[i] }, func(i int) {
		c.pane.settings.Noise = k.noises[i]
		c.editSetting()
	})
}

// lines is the W2 table, the noise sampled now lit.
func (k *sdeKind) lines(c *lessonContext) []numLine {
	l := c.lessons.current()
	lines := []numLine{}
	// The placeholder has the measured table's shape, rows and header
	// length, so that the column does not refit and move the chips when
	// the numbers arrive.
	lines = append(lines, proseLine(fmt.Sprintf("W2 to the target, %d samples, %d steps; %s", measurePoints, l.Steps, measuringOr(k.table.step, "g"))))
	lines = append(lines, tableHead("noise g", "W2", "sampler"))
	for i, gn := range k.noises {
		w2 := "…"
		if i < len(k.table.rows) {
			w2 = lesson.FormatNum(k.table.rows[i][0])
		}
		how := "ODE, Euler"
		if gn > 0 {
			how = "SDE, Euler–Maruyama"
		}
		row := tableRow(lesson.FormatNum(gn), w2, how)
		row.hi = c.pane.applied.Noise == gn
		lines = append(lines, row)
	}
	floor := "…"
	if n := len(k.noises); n < len(k.table.rows) {
		floor = lesson.FormatNum(k.table.rows[n][0])
	}
	lines = append(lines, tableRow("floor", floor, "two target samples"))
	return lines
}
