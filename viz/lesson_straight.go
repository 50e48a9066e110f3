package viz

import (
	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/input"
	"github.com/flowviz/flowviz/viz/lesson"
	"github.com/flowviz/flowviz/viz/scene"
)

// straightKind is lesson 7: straightness and few-step quality by coupling,
// each coupling trained in turn from its chip.
type straightKind struct {
	trainedKind
	table        w2Table            // W2 after 1 and 2 Euler steps, by coupling
	straightness map[string]float64 // S of the newest scene of each coupling
	seq          int                // scene S was measured on
}

var (
	_ lessonKind   = (*straightKind)(nil)
	_ lessonCloser = (*straightKind)(nil)
)

func (k *straightKind) open(c *lessonContext, _ *lesson.Lesson, _ *scene.Settings) {
	k.table, k.straightness, k.seq = newW2Table(), map[string]float64{}, -1
	c.tl.Play()
}

func (k *straightKind) update(c *lessonContext, _ *input.Snapshot, _ flow.Vec, _ bool) {
	k.measure(c)
	k.table.update(c, c.pane.applied.Coupling, []int{1, 2}, []string{"euler"})
}

func (k *straightKind) close() { k.table.stop() }

func (k *straightKind) chips(c *lessonContext) {
	l := c.lessons.current()
	var labels []string
	for _, c := range l.Couplings {
		labels = append(labels, couplingName(c))
	}
	c.setChips(labels, func(i int) bool { return c.pane.settings.Coupling == l.Couplings[i] }, func(i int) {
		c.pane.settings.Coupling = l.Couplings[i]
		c.editSetting()
	})
}

// measure measures S on each new scene of the coupling trained.
func (k *straightKind) measure(c *lessonContext) {
	if c.pane.sc != nil && c.pane.sc.Seq != k.seq && !c.pane.dirty {
		k.seq = c.pane.sc.Seq
		k.straightness[c.pane.applied.Coupling] = flow.Straightness(c.pane.sc.Traj)
	}
}

// straightLines is the straightness and few-step quality of each coupling
// measured so far, the one trained now lit.
func (k *straightKind) lines(c *lessonContext) []numLine {
	lines := []numLine{
		proseLine("S is 0 when every path is straight; W2 after 1 and 2 Euler steps, lower is better"),
		tableHead("coupling", "S", "W2, 1 step", "W2, 2 steps"),
	}
	missing := false
	for _, cp := range c.lessons.current().Couplings {
		cells := []string{couplingName(cp), "—", "—", "—"}
		if v, ok := k.straightness[cp]; ok {
			cells[1] = significant(v)
		} else {
			missing = true
		}
		for _, r := range k.table.results[cp] {
			if r.Steps == 1 || r.Steps == 2 {
				cells[1+r.Steps] = lesson.FormatNum(r.W2)
			}
		}
		row := tableRow(cells...)
		row.hi = cp == c.pane.applied.Coupling
		lines = append(lines, row)
	}
	if missing {
		lines = append(lines, proseLine("— not trained yet: click its chip"))
	}
	return lines
}
