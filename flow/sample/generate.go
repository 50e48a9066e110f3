package sample

import (
	"math/rand/v2"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/mlp"
	"github.com/flowviz/flowviz/flow/train"
)

// generator advances a frame's particles and gives its arrows: the ODE with
// the chosen solver on the model's velocity (the default), or, when the
// settings ask for it, the reverse SDE and class-conditional fields with
// guidance (Settings.Noise, Class, OneClass, Guidance).
type generator struct {
	arrows flow.Field   // what the arrows show
	fields []flow.Field // per class block: the velocity, or the SDE drift
	gs     []func(float64) float64
	sde    bool
	score  bool // the arrows show ∇log p_t
	rng    *rand.Rand

	labels  []int // each particle's class; nil for an unconditional model
	order   []int // particle indices grouped by class
	starts  []int // block b is order[starts[b]:starts[b+1]]
	buf     []flow.Vec
	scratch []flow.Vec // the SDE's drift
}

// classField returns the sampler's cached network field for class y (reused
// across frames, so that a conditional frame allocates no workspaces).
func (s *Sampler) classField(net *mlp.Net, y int) *train.NetField {
	for len(s.classFields) <= y+1 {
		s.classFields = append(s.classFields, nil)
	}
	f := s.classFields[y+1] // slot 0 is the null class
	if f == nil {
		f = train.NewNetField(net)
		s.classFields[y+1] = f
	} else {
		f.Use(net)
	}
	f.SetClass(y)
	return f
}

// newGenerator builds the generator of snap under st for p particles; vel is
// the model's plain velocity field (s.field converted).
func (s *Sampler) newGenerator(snap *train.Snapshot, st Settings, vel flow.Field, p int) *generator {
	g := &generator{arrows: vel, fields: []flow.Field{vel}, starts: []int{0, p}}
	cfg := snap.Config
	classes := cfg.Net.Classes
	sched, gaussian := cfg.Scheduler()
	g.sde = st.Noise > 0 && gaussian
	if classes == 0 && !g.sde {
		return g // the default: one field, the ODE
	}
	w := 1 + st.Guidance
	field := func(y int) flow.Field {
		raw := flow.Field(s.classField(snap.Net, y))
		if y != mlp.NullClass && w != 1 {
			raw = &flow.GuidedField{Uncond: s.classField(snap.Net, mlp.NullClass), Cond: raw, W: w}
		}
		if g.sde {
			d := &flow.SDEDrift{Pred: raw, Kind: cfg.Predicts(), Sched: sched, SourceStd: cfg.SourceStd(), Noise: st.Noise}
			g.gs = append(g.gs, d.G)
			return d
		}
		return train.VelocityOf(cfg, raw)
	}
	if g.sde {
		g.rng = rand.New(rand.NewPCG(st.Seed, 0x736465))
		g.scratch = make([]flow.Vec, p)
	}
	if classes == 0 {
		g.fields = []flow.Field{field(mlp.NullClass)}
		return g
	}
	// Classes: one, or particle i in class i mod K; the arrows show the
	// chosen class's field, or u(x | ∅) when every class is shown.
	g.labels = make([]int, p)
	g.order = make([]int, 0, p)
	g.fields, g.starts = nil, []int{0}
	g.arrows = train.VelocityOf(cfg, s.classField(snap.Net, mlp.NullClass))
	ks := []int{st.Class}
	if !st.OneClass || st.Class < 0 || st.Class >= classes {
		ks = ks[:0]
		for k := range classes {
			ks = append(ks, k)
		}
	}
	for b, k := range ks {
		for i := b; i < p; i += len(ks) {
			g.labels[i] = k
			g.order = append(g.order, i)
		}
		g.starts = append(g.starts, len(g.order))
		g.fields = append(g.fields, field(k))
	}
	if len(ks) == 1 {
		g.arrows = train.VelocityOf(cfg, guidedRaw(g.fields[0]))
	}
	g.buf = make([]flow.Vec, p)
	return g
}

// scoreArrows makes the arrows show ∇log p_t of the field they show, when
// st asks for it and the model's path is Gaussian: the velocity converts
// into the score exactly (flow.Convert), whatever the network predicts.
func (g *generator) scoreArrows(cfg train.Config, st Settings) {
	sched, ok := cfg.Scheduler()
	if !st.Score || !ok {
		return
	}
	g.arrows = &flow.ConvertedField{Pred: g.arrows, From: flow.Velocity, To: flow.Score, Sched: sched, SourceStd: cfg.SourceStd()}
	g.score = true
}

// scoreColourUntil is the last time whose score arrows set the colour scale:
// the score grows like 1/σ_t² towards the data end, where its largest
// arrows would make every earlier one look still.
const scoreColourUntil = 0.8

// maxSpeed is the arrows' colour scale: the largest over every time slice
// for the velocity, over t ≤ scoreColourUntil for the score (later arrows
// saturate).
func (g *generator) maxSpeed(field [][]flow.Vec, times []float64) float64 {
	if !g.score {
		return flow.MaxSpeed(field)
	}
	n := 1
	for n < len(times) && times[n] <= scoreColourUntil {
		n++
	}
	return flow.MaxSpeed(field[:n])
}

// guidedRaw undoes the SDE wrapper: the arrows show the velocity even while
// the particles follow the SDE.
func guidedRaw(f flow.Field) flow.Field {
	if d, ok := f.(*flow.SDEDrift); ok {
		return d.Pred
	}
	if c, ok := f.(*flow.ConvertedField); ok {
		return c.Pred
	}
	return f
}

// step advances every particle from t by h.
func (g *generator) step(ode *flow.Integrator, x []flow.Vec, t, h float64) {
	if g.labels == nil {
		g.stepBlock(ode, 0, x, t, h)
		return
	}
	for b := range g.fields {
		idx := g.order[g.starts[b]:g.starts[b+1]]
		blk := g.buf[:len(idx)]
		for j, i := range idx {
			blk[j] = x[i]
		}
		g.stepBlock(ode, b, blk, t, h)
		for j, i := range idx {
			x[i] = blk[j]
		}
	}
}

func (g *generator) stepBlock(ode *flow.Integrator, b int, x []flow.Vec, t, h float64) {
	if g.sde {
		flow.EulerMaruyama(g.fields[b], g.gs[b], x, t, t+h, 1, g.rng, nil, g.scratch)
		return
	}
	ode.Step(g.fields[b], x, t, h)
}
