package viz

import (
	"fmt"
	"math"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/viz/lesson"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/scene"
)

// Score arrows at the probe: magenta, apart from the gold and white
// velocity arrows; the exact one lighter and wider under the learned one.
var (
	learnedScoreColour = palette.OKLCH(0.70, 0.20, 340*math.Pi/180)
	exactScoreColour   = palette.OKLCH(0.88, 0.08, 340*math.Pi/180)
)

// probeScore is the score half of the probe: the learned score (converted
// from the learned velocity, whatever the network predicts), the exact
// score, and the conversion u = a·x + b·s between the two targets at the
// probe's t. It exists only on a Gaussian path.
type probeScore struct {
	ok             bool   // the path is Gaussian: the rest is meaningful
	why            string // why not, for the user
	learned, exact flow.Vec
	hasLearned     bool
	hasExact       bool
	conv           flow.Conversion // velocity = conv.X·x + conv.Y·score
}

// update evaluates the score at x and t for the pane's model and target.
func (ps *probeScore) update(p *Pane, x flow.Vec, t float64, learnedV flow.Vec, hasLearned bool) {
	*ps = probeScore{}
	path, err := flow.ParseSchedulePath(p.applied.Schedule, p.applied.Path, p.applied.Sigma)
	if err != nil {
		ps.why = err.Error()
		return
	}
	sched, ok := flow.SchedulerOf(path)
	if !ok {
		ps.why = "the linear path with σ > 0 has no score"
		return
	}
	std, err := centredGaussianStd(p.applied.Source)
	if err != nil {
		std = 1
	}
	ps.ok = true
	ps.conv = flow.Convert(flow.Score, flow.Velocity, sched, t, std)
	if hasLearned {
		// Score from velocity: the inverse of conv, exact for any
		// Gaussian path.
		ps.learned = flow.Convert(flow.Velocity, flow.Score, sched, t, std).Apply(x, learnedV)
		ps.hasLearned = true
	}
	if ex := p.exactScoreField(sched, std); ex != nil {
		ps.exact, ps.hasExact = velocityAt(ex, x, t), true
	}
}

// exactScoreField is the exact ∇log p_t of the pane's target: in closed
// form for a Gaussian mixture (8 Gaussians), else over the target draws
// (flow.Marginal). nil without a centred Gaussian source or a target.
func (p *Pane) exactScoreField(sched flow.Scheduler, std float64) flow.Field {
	if _, err := centredGaussianStd(p.applied.Source); err != nil {
		return nil
	}
	if d, err := data.Load(p.applied.Target); err == nil {
		if m, ok := d.(data.Mixtured); ok {
			if _, isSet := d.(*data.PointSet); !isSet {
				return scoreOf{&flow.MixtureField{Sched: sched, Mix: m.Mixture(), SourceStd: std}}
			}
		}
	}
	ex, _ := p.exactField()
	if ex == nil {
		return nil
	}
	return scoreOf{ex}
}

// scorer is a field with an exact score: flow.MixtureField, flow.Marginal.
type scorer interface {
	Score(dst, x []flow.Vec, t float64)
}

// scoreOf is a scorer's score as a flow.Field.
type scoreOf struct{ s scorer }

func (f scoreOf) Velocity(dst, x []flow.Vec, t float64) { f.s.Score(dst, x, t) }

// lines is the probe's score part of its info box.
func (ps *probeScore) lines() []infoLine {
	if !ps.ok {
		return []infoLine{{"score: " + ps.why, palette.Dim}}
	}
	var out []infoLine
	if ps.hasLearned {
		out = append(out, infoLine{"learned  score s(x, t) = " + lesson.FormatVec(ps.learned), learnedScoreColour})
	}
	if ps.hasExact {
		out = append(out, infoLine{"exact  score grad log p(t) = " + lesson.FormatVec(ps.exact), exactScoreColour})
	}
	out = append(out, infoLine{fmt.Sprintf("u = %s·x + %s·s  (the same model, two targets)", signedNum(ps.conv.X), signedNum(ps.conv.Y)), palette.Label})
	return out
}

// signedNum formats a coefficient with three significant digits.
func signedNum(v float64) string { return lesson.FormatNum(math.Round(v*1000) / 1000) }

// draw draws the score arrows from the probe at screen (px, py), scaled so
// the longer one is probeArrowPixels of the canvas's shorter side.
func (ps *probeScore) draw(b *Batch, px, py float64, canvasR rect, s float64) {
	if !ps.ok {
		return
	}
	longest := 0.0
	if ps.hasLearned && scene.Finite(ps.learned) {
		longest = math.Hypot(ps.learned[0], ps.learned[1])
	}
	if ps.hasExact && scene.Finite(ps.exact) {
		longest = math.Max(longest, math.Hypot(ps.exact[0], ps.exact[1]))
	}
	if !(longest > 1e-9) || math.IsInf(longest, 0) {
		return
	}
	k := probeArrowPixels * math.Min(canvasR.W, canvasR.H) / longest
	width, head := float32(3*s), float32(14*s)
	if ps.hasExact && scene.Finite(ps.exact) {
		v := ps.exact
		b.Arrow(float32(px), float32(py), float32(v[0]*k), float32(-v[1]*k), width+float32(2*s), head+float32(3*s), exactScoreColour)
	}
	if ps.hasLearned && scene.Finite(ps.learned) {
		v := ps.learned
		b.Arrow(float32(px), float32(py), float32(v[0]*k), float32(-v[1]*k), width, head, learnedScoreColour)
	}
}
