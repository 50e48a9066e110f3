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
	seq          map[*Pane]int      // scene S was last measured on, by pane
	turn         int                // which pane the table tries first
}

var (
	_ lessonKind   = (*straightKind)(nil)
	_ lessonCloser = (*straightKind)(nil)
)

func (k *straightKind) open(c *lessonContext, _ *lesson.Lesson, _ *scene.Settings) {
	k.table, k.straightness, k.seq = newW2Table(), map[string]float64{}, map[*Pane]int{}
	c.tl.Play()
}

func (k *straightKind) update(c *lessonContext, _ *input.Snapshot, _ flow.Vec, _ bool) {
	// In compare mode each pane's coupling is measured on its own model;
	// the table measures one at a time, so the panes take turns.
	for i := range c.panes {
		p := c.panes[(i+k.turn)%len(c.panes)]
		k.measure(p)
		k.table.update(p, p.applied.Coupling, []int{1, 2}, []string{"euler"})
	}
	k.turn++
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

// measure measures S on each new scene of the coupling p trains.
func (k *straightKind) measure(p *Pane) {
	if seq, ok := k.seq[p]; p.sc != nil && (!ok || p.sc.Seq != seq) && !p.dirty {
		k.seq[p] = p.sc.Seq
		k.straightness[p.applied.Coupling] = flow.Straightness(p.sc.Traj)
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
		for _, p := range c.panes {
			row.hi = row.hi || cp == p.applied.Coupling
		}
		lines = append(lines, row)
	}
	if missing {
		lines = append(lines, proseLine("— not trained yet: click its chip"))
	}
	return lines
}
