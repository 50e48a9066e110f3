package viz

import (
	"fmt"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/input"
	"github.com/flowviz/flowviz/viz/lesson"
	"github.com/flowviz/flowviz/viz/scene"
)

// samplingKind is lesson 6: sample quality by step count and solver, a W2
// table measured off the render loop.
type samplingKind struct {
	trainedKind
	table w2Table
}

var (
	_ lessonKind   = (*samplingKind)(nil)
	_ lessonCloser = (*samplingKind)(nil)
)

func (k *samplingKind) open(c *lessonContext, _ *lesson.Lesson, _ *scene.Settings) {
	k.table = newW2Table()
	c.tl.Play()
}

func (k *samplingKind) update(c *lessonContext, _ *input.Snapshot, _ flow.Vec, _ bool) {
	l := c.lessons.current()
	// The table measures pane A: in compare mode B differs only in how it
	// samples, and trains on the same batches.
	k.table.update(c.panes[0], "", l.StepChoices, l.Solvers)
}

func (k *samplingKind) close() { k.table.stop() }

func (*samplingKind) chips(c *lessonContext) {
	l := c.lessons.current()
	// "N = 1" "2" "5" "10" "100", then the solvers as a second group.
	var labels []string
	for i, n := range l.StepChoices {
		if i == 0 {
			labels = append(labels, fmt.Sprintf("N = %d", n))
		} else {
			labels = append(labels, fmt.Sprint(n))
		}
	}
	for _, s := range l.Solvers {
		labels = append(labels, solverName(s))
	}
	k := len(l.StepChoices)
	c.setChips(labels, func(i int) bool {
		if i < k {
			return c.pane.settings.Steps == l.StepChoices[i]
		}
		return c.pane.settings.Solver == l.Solvers[i-k]
	}, func(i int) {
		if i < k {
			// NUM_STEPS is the same in both panes of compare mode.
			for _, p := range c.panes {
				p.settings.Steps = l.StepChoices[i]
			}
		} else {
			c.pane.settings.Solver = l.Solvers[i-k]
		}
		c.editSetting()
	})
	if k < len(c.lessons.chips) {
		c.lessons.chips[k].group = true
	}
}

// samplingLines is the W2 table: a row per step count, a column per
// solver, the setting sampled now lit.
func (k *samplingKind) lines(c *lessonContext) []numLine {
	l := c.lessons.current()
	res := k.table.results[""]
	lines := []numLine{}
	// The placeholder has the measured table's shape (see sdeKind.lines).
	step := -1
	if len(res) > 0 {
		step = k.table.step[""]
	}
	lines = append(lines, proseLine("W2 to the target (lower is better) and network evaluations; "+measuringOr(step, "setting")))
	head := []string{"NUM_STEPS"}
	for _, sv := range l.Solvers {
		head = append(head, solverName(sv))
	}
	lines = append(lines, tableHead(head...))
	// SamplingTable's order: result i·len(solvers) + j is steps[i], solvers[j].
	for i, n := range l.StepChoices {
		row := tableRow(fmt.Sprint(n))
		for j, sv := range l.Solvers {
			w2 := "…"
			if k := i*len(l.Solvers) + j; k < len(res) {
				w2 = lesson.FormatNum(res[k].W2)
			}
			row.cells = append(row.cells, fmt.Sprintf("%s  (%d)", w2, n*evalsPerStep(sv)))
			for _, p := range c.panes {
				if n == p.applied.Steps && sv == p.applied.Solver {
					if row.hi && row.hiCell != j+2 {
						row.hiCell = 0 // both panes' cells: the row
					} else {
						row.hi, row.hiCell = true, j+2
					}
				}
			}
		}
		lines = append(lines, row)
	}
	return lines
}

func evalsPerStep(solver string) int {
	s, err := flow.ParseSolver(solver)
	if err != nil {
		return 1
	}
	return s.EvalsPerStep()
}
