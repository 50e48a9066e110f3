package viz

import (
	"fmt"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/train"
	"github.com/flowviz/flowviz/viz/scene"
)

// maxExactTargets caps the target draws the exact marginal field averages
// over: each evaluation costs one exponential per target, and 2,000 draws
// already trace the shape finely.
const maxExactTargets = 2000

// inspector evaluates the learned and the exact velocity fields at points
// the user picks. It lives on the render goroutine: the learned field's
// workspace is reused from frame to frame.
type inspector struct {
	field  *train.NetField
	vel    flow.Field // field's prediction as a velocity (train.VelocityOf)
	params *float32   // first weight of the model in field, to notice a new one
	model  *train.Model

	exact      flow.Marginal
	exactOK    bool
	exactWhy   string // why there is no exact field, for the user
	exactKey   exactKey
	targetsFor *flow.Vec // first target draw the exact field was built from
}

type exactKey struct {
	source, path, schedule string
	sigma                  float64
	n                      int
}

// learned returns the newest trained velocity field (converted from what
// the network predicts; u(x | no class) for a conditional one), or nil
// before the first snapshot or for a backend that cannot hand out its model.
func (p *Pane) learned() (flow.Field, *train.Model) {
	in, ok := p.backend.(scene.Inspector)
	if !ok {
		return nil, nil
	}
	m := in.Model()
	if m == nil || len(m.Params) == 0 {
		return nil, nil
	}
	ins := &p.insp
	if ins.params != &m.Params[0] {
		net, err := m.Net()
		if err != nil {
			return nil, nil
		}
		if ins.field == nil {
			ins.field = train.NewNetField(net)
		} else {
			ins.field.Use(net)
		}
		ins.params, ins.model = &m.Params[0], m
		ins.vel = train.VelocityOf(m.Config, ins.field)
	}
	return ins.vel, ins.model
}

// exactField returns the exact marginal field of the current path for the
// scene's target draws, v(x, t) = Σ_j w_j(x, t)·u(x | x1_j, t), or nil and
// the reason when the source is not the centred Gaussian the formula needs.
func (p *Pane) exactField() (*flow.Marginal, string) {
	ins := &p.insp
	if p.sc == nil || len(p.sc.Target) == 0 {
		return nil, "no target yet"
	}
	key := exactKey{p.applied.Source, p.applied.Path, p.applied.Schedule, p.applied.Sigma, len(p.sc.Target)}
	first := &p.sc.Target[0]
	if key == ins.exactKey && first == ins.targetsFor {
		if ins.exactOK {
			return &ins.exact, ""
		}
		return nil, ins.exactWhy
	}
	ins.exactKey, ins.targetsFor = key, first
	ins.exactOK, ins.exactWhy = false, ""
	std, err := centredGaussianStd(p.applied.Source)
	if err != nil {
		ins.exactWhy = err.Error()
		return nil, ins.exactWhy
	}
	path, err := flow.ParseSchedulePath(p.applied.Schedule, p.applied.Path, p.applied.Sigma)
	if err != nil {
		ins.exactWhy = err.Error()
		return nil, ins.exactWhy
	}
	ins.exact = flow.Marginal{Path: path, Targets: subsample(p.sc.Target, maxExactTargets), SourceStd: std}
	ins.exactOK = true
	return &ins.exact, ""
}

// centredGaussianStd returns σ of a source N(0, σ²·I); the exact marginal
// field is written for that source only.
func centredGaussianStd(spec string) (float64, error) {
	d, err := data.Load(spec)
	if err != nil {
		return 0, fmt.Errorf("the exact field needs a Gaussian source")
	}
	g, ok := d.(data.Gaussian)
	if !ok || g.Mean != (flow.Vec{}) || !(g.Std > 0) {
		return 0, fmt.Errorf("the exact field needs a centred Gaussian source, not %s", spec)
	}
	return g.Std, nil
}

// subsample returns at most n points of pts, evenly strided, without copying
// when pts is small enough.
func subsample(pts []flow.Vec, n int) []flow.Vec {
	if len(pts) <= n {
		return pts
	}
	out := make([]flow.Vec, 0, n)
	stride := float64(len(pts)) / float64(n)
	for i := range n {
		out = append(out, pts[int(float64(i)*stride)])
	}
	return out
}

// velocityAt evaluates f at one point.
func velocityAt(f flow.Field, x flow.Vec, t float64) flow.Vec {
	var dst, at [1]flow.Vec
	at[0] = x
	f.Velocity(dst[:], at[:], t)
	return dst[0]
}
