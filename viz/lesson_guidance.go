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
}

var (
	_ lessonKind   = (*guidanceKind)(nil)
	_ lessonCloser = (*guidanceKind)(nil)
)

func (k *guidanceKind) open(g *Game, l *lesson.Lesson, next *scene.Settings) {
	k.table = newModelTable()
	next.Guidance, next.OneClass, next.Noise = l.Guidances[0]-1, false, 0
	g.tl.Play()
}

func (k *guidanceKind) update(g *Game, _ *input.Snapshot, _ flow.Vec, _ bool) {
	l := g.lessons.current()
	k.table.update(g, func() measureFunc {
		sc := g.pane.sc
		classes := sceneClasses(sc)
		if classes == 0 || len(sc.Target) < meterRefPoints {
			return nil
		}
		x0 := sourceDraws(g, measurePoints)
		ref := append([]flow.Vec(nil), sc.Target[:meterRefPoints]...)
		refLabels := append([]int(nil), sc.TargetLabels[:meterRefPoints]...)
		ws, steps := l.Guidances, l.Steps
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

func (*guidanceKind) chips(g *Game) {
	l := g.lessons.current()
	labels := make([]string, len(l.Guidances))
	for i, w := range l.Guidances {
		labels[i] = lesson.FormatNum(w)
		if i == 0 {
			labels[i] = "w = " + labels[i]
		}
	}
	g.setChips(labels, func(i int) bool { return g.pane.settings.Guidance == l.Guidances[i]-1 }, func(i int) {
		g.pane.settings.Guidance = l.Guidances[i] - 1
		g.editSetting()
	})
}

// lines is the guidance table, the w sampled now lit, and the live class
// accuracy of the particles on screen.
func (k *guidanceKind) lines(g *Game) []numLine {
	l := g.lessons.current()
	lines := []numLine{}
	if r := g.diff.res; g.diff.has && r.accuracy >= 0 {
		lines = append(lines, proseLine(fmt.Sprintf("on screen, w = %s: class accuracy %s (chance %s)",
			lesson.FormatNum(r.sampling.Guidance+1), lesson.FormatNum(r.accuracy), lesson.FormatNum(r.chance))))
	}
	if k.table.step < 0 {
		lines = append(lines, proseLine("measuring each w…"))
	} else {
		lines = append(lines, proseLine(fmt.Sprintf("%d samples per w, every class; weights of step %s", measurePoints, thousands(k.table.step))))
	}
	lines = append(lines, tableHead("w", "class accuracy", "spread", "mean |x|"))
	for i, w := range l.Guidances {
		cells := []string{lesson.FormatNum(w), "…", "…", "…"}
		if i < len(k.table.rows) {
			r := k.table.rows[i]
			cells[1], cells[2], cells[3] = lesson.FormatNum(r[0]), lesson.FormatNum(r[1]), lesson.FormatNum(r[2])
		}
		row := tableRow(cells...)
		row.hi = g.pane.applied.Guidance == w-1
		lines = append(lines, row)
	}
	return lines
}
