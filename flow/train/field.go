package train

import (
	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/mlp"
)

// fieldChunk is how many points NetField pushes through the network at once:
// large enough that the matrix products run near full speed, small enough
// that the workspace stays in cache.
const fieldChunk = 1024

// NetField adapts a network to flow.Field. It converts points to float32 and
// evaluates them in chunks with one workspace, so it allocates nothing per
// call. Like any Field it must not be used from two goroutines at once; the
// network itself is only read and may be shared.
type NetField struct {
	net   *mlp.Net
	class int // the class input of a conditional network, mlp.NullClass for none
	ws    *mlp.Workspace
	xs    []float32 // chunk of inputs, x and y interleaved
	out   []float32 // chunk of velocities
}

// NewNetField returns a field backed by net.
func NewNetField(net *mlp.Net) *NetField {
	f := &NetField{
		class: mlp.NullClass,
		xs:    make([]float32, 2*fieldChunk),
		out:   make([]float32, 2*fieldChunk),
	}
	f.Use(net)
	return f
}

// Use switches the field to net, keeping the workspace when the architecture
// is unchanged (the sampler moves from snapshot to snapshot this way).
func (f *NetField) Use(net *mlp.Net) {
	if f.ws == nil || f.net.Config != net.Config {
		f.ws = mlp.NewWorkspace(net.Config, fieldChunk)
	}
	f.net = net
}

// SetClass sets the class input of a conditional network (mlp.NullClass,
// the default, for u(x | ∅)); an unconditional network ignores it.
func (f *NetField) SetClass(y int) { f.class = y }

// Net returns the network the field evaluates.
func (f *NetField) Net() *mlp.Net { return f.net }

// Velocity writes v(x[i], t) into dst[i].
func (f *NetField) Velocity(dst, x []flow.Vec, t float64) {
	for start := 0; start < len(x); start += fieldChunk {
		end := min(start+fieldChunk, len(x))
		n := end - start
		xs, out := f.xs[:2*n], f.out[:2*n]
		for i, p := range x[start:end] {
			xs[2*i], xs[2*i+1] = float32(p[0]), float32(p[1])
		}
		f.net.EvalClass(f.ws, xs, float32(t), f.class, out)
		for i := range n {
			dst[start+i] = flow.Vec{float64(out[2*i]), float64(out[2*i+1])}
		}
	}
}

var _ flow.Field = (*NetField)(nil)
