// Package density computes the densities a flow moves: the learned log p_t by the change of variables along the ODE, the exact marginal of the path for Gaussian-mixture and point-set targets, and the NLL.
package density

import (
	"fmt"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/mlp"
)

// Field is a velocity field that also knows its divergence
// div v = ∂v₀/∂x + ∂v₁/∂y, the rate at which it spreads mass.
//
// Like flow.Field, an implementation may keep scratch buffers, so one value
// must not be used from two goroutines at once.
type Field interface {
	// VelocityDiv writes v(x[i], t) into v[i] and div v(x[i], t) into
	// div[i]; all three slices have the same length.
	VelocityDiv(v []flow.Vec, div []float64, x []flow.Vec, t float64)
}

var (
	_ Field      = (*NetField)(nil)
	_ Field      = Linear{}
	_ flow.Field = Linear{}
	_ Field      = FiniteDiff{}
)

// NetField is the network's field with its exact divergence, the trace of
// the Jacobian that mlp.Net.EvalJacobian carries forward beside the values.
// It allocates only when asked for more points than ever before. The
// network is only read and may be shared; the NetField may not.
type NetField struct {
	net          *mlp.Net
	tw           *mlp.TangentWorkspace
	xs, out, jac []float32
}

// NewNetField returns the divergence-aware field of net.
func NewNetField(net *mlp.Net) *NetField {
	f := &NetField{}
	f.Use(net)
	return f
}

// Use switches to net, keeping the buffers when the architecture is the
// same (snapshot after snapshot of one training run).
func (f *NetField) Use(net *mlp.Net) {
	if f.tw == nil || f.net.Config != net.Config {
		f.tw = mlp.NewTangentWorkspace(net.Config, 256)
	}
	f.net = net
}

// Net returns the network the field evaluates.
func (f *NetField) Net() *mlp.Net { return f.net }

// VelocityDiv implements Field.
func (f *NetField) VelocityDiv(v []flow.Vec, div []float64, x []flow.Vec, t float64) {
	checkLens(len(v), len(div), len(x))
	n := len(x)
	if cap(f.xs) < 2*n {
		f.xs = make([]float32, 2*n)
		f.out = make([]float32, 2*n)
		f.jac = make([]float32, 4*n)
	}
	xs, out, jac := f.xs[:2*n], f.out[:2*n], f.jac[:4*n]
	for i, p := range x {
		xs[2*i], xs[2*i+1] = float32(p[0]), float32(p[1])
	}
	f.net.EvalJacobian(f.tw, xs, float32(t), out, jac)
	for i := range n {
		v[i] = flow.Vec{float64(out[2*i]), float64(out[2*i+1])}
		// div v = ∂v₀/∂x + ∂v₁/∂y
		div[i] = float64(jac[4*i]) + float64(jac[4*i+3])
	}
}

// Linear is the affine field v(x, t) = A·x + B, whose divergence is
// trace A everywhere. Its flow is known in closed form, which makes it the
// ground truth of the change-of-variables tests.
type Linear struct {
	A [2][2]float64
	B flow.Vec
}

// Velocity implements flow.Field.
func (l Linear) Velocity(dst, x []flow.Vec, _ float64) {
	for i, p := range x {
		dst[i] = flow.Vec{
			l.A[0][0]*p[0] + l.A[0][1]*p[1] + l.B[0],
			l.A[1][0]*p[0] + l.A[1][1]*p[1] + l.B[1],
		}
	}
}

// VelocityDiv implements Field: div v = A₀₀ + A₁₁.
func (l Linear) VelocityDiv(v []flow.Vec, div []float64, x []flow.Vec, t float64) {
	checkLens(len(v), len(div), len(x))
	l.Velocity(v, x, t)
	for i := range div {
		div[i] = l.A[0][0] + l.A[1][1]
	}
}

// FiniteDiff gives any flow.Field a divergence by central differences of
// step H (default 1e-4):
//
//	div v ≈ (v₀(x+H,y) − v₀(x−H,y) + v₁(x,y+H) − v₁(x,y−H)) / 2H
//
// with error O(H²) plus rounding O(ε/H). It costs five evaluations where
// NetField costs about three, and serves fields without tangents, such as
// flow.Marginal.
type FiniteDiff struct {
	Field flow.Field
	H     float64
}

// VelocityDiv implements Field. It allocates its scratch per call.
func (fd FiniteDiff) VelocityDiv(v []flow.Vec, div []float64, x []flow.Vec, t float64) {
	checkLens(len(v), len(div), len(x))
	h := fd.H
	if h <= 0 {
		h = 1e-4
	}
	n := len(x)
	probe := make([]flow.Vec, 4*n)
	for i, p := range x {
		probe[i] = flow.Vec{p[0] + h, p[1]}
		probe[n+i] = flow.Vec{p[0] - h, p[1]}
		probe[2*n+i] = flow.Vec{p[0], p[1] + h}
		probe[3*n+i] = flow.Vec{p[0], p[1] - h}
	}
	vp := make([]flow.Vec, 4*n)
	fd.Field.Velocity(vp, probe, t)
	fd.Field.Velocity(v, x, t)
	for i := range n {
		div[i] = (vp[i][0] - vp[n+i][0] + vp[2*n+i][1] - vp[3*n+i][1]) / (2 * h)
	}
}

func checkLens(nv, ndiv, nx int) {
	if nv != nx || ndiv != nx {
		panic(fmt.Sprintf("density: VelocityDiv with %d velocities and %d divergences for %d points", nv, ndiv, nx))
	}
}
