package densityview

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/density"
	"github.com/flowviz/flowviz/flow/mlp"
	"github.com/flowviz/flowviz/flow/train"
)

// Cells is the number of grid cells along the shorter side of the view: a
// full-screen layer at 1920×1080 is about 96×150 cells.
const Cells = 96

// Capacity is how many layers the worker keeps: every step of a 50-step
// timeline in two kinds for the pinned snapshot and the one before.
const Capacity = 220

// repinEvery is how long a training run keeps one snapshot pinned for its
// layers before moving on to the newest: long enough for the current step
// and its neighbours to be computed, so scrubbing t shows the mass flow.
const repinEvery = 4 * time.Second

// prefetchAfterMove is how long after t was last moved by hand the steps
// around it are computed ahead while training runs.
const prefetchAfterMove = 10 * time.Second

// Frame is what the layer needs to know of the app this tick.
type Frame struct {
	Visible     density.Rect // the world rectangle the canvas shows
	Settled     bool         // the camera has not moved lately: the grid may follow it
	Step, Steps int          // the timeline's step k of N: t = k/N
	Moving      bool         // the user is moving t by hand: a job for another t may be abandoned
	Model       *train.Model // the newest snapshot, nil before the first
	Training    bool         // the weights are still changing
	Source      string       // data specs of the pane's settings
	Target      string
	Path        string
	Sigma       float64
	Coupling    string
	TargetDraws []flow.Vec // target draws for targets without a density (the app passes ≤ 2,000 of its cloud)
}

// View is one pane's density layer: which mode it shows, the worker that
// computes its layers at low priority, the snapshot pinned for them, and
// the layer to draw. Update and Shown run on the render loop and never
// wait for a computation.
type View struct {
	Mode Mode

	worker *density.Worker
	stop   context.CancelFunc
	done   sync.WaitGroup

	grid     density.Grid
	haveGrid bool

	pin struct {
		model *train.Model
		net   *mlp.Net
		gen   uint64
		at    time.Time
		err   error // why the pinned model has no density layers
	}
	data dataState

	shown    *density.Layer
	shownFor Mode
	asked    Mode // the mode of the last requests
	note     string
	movedAt  time.Time // when t was last moved by hand
}

// dataState is what the layers need of the data, rebuilt when the specs,
// the path or the target draws change.
type dataState struct {
	key       dataKey
	gen       uint64
	source    *density.Mixture // log p_0, nil with sourceErr
	sourceErr error
	s0        float64 // the source's std, for the exact path marginal
	s0Err     error
	path      flow.Path
	comps     []density.Component // the target as a mixture, or its draws as point masses
	empirical int                 // > 0: comps are that many target draws
	coupling  string
}

type dataKey struct {
	source, target, path, coupling string
	sigma                          float64
	draws                          *flow.Vec
	n                              int
}

// Start runs the worker on a goroutine of its own, at the lowest priority
// lower gives it (live.LowerPriority: SCHED_IDLE on Linux), until Close.
// Update starts it on first use if Start was not called.
func (v *View) Start(lower func()) {
	if v.worker != nil {
		return
	}
	v.worker = density.NewWorker(Capacity)
	ctx, cancel := context.WithCancel(context.Background())
	v.stop = cancel
	v.done.Add(1)
	go func() {
		defer v.done.Done()
		if lower != nil {
			lower()
		}
		v.worker.Run(ctx)
	}()
}

// StartStepwise makes the worker without a goroutine: the game loop
// computes its layers with Advance (the stepwise mode of a page, which has
// one thread). Update then never starts one.
func (v *View) StartStepwise() {
	if v.worker == nil {
		v.worker = density.NewWorker(Capacity)
	}
}

// Advance computes the requested layers on the caller's goroutine for
// about budget, after StartStepwise, and reports whether work is left.
func (v *View) Advance(budget time.Duration) bool {
	if v.worker == nil || v.stop != nil {
		return false
	}
	return v.worker.Advance(budget)
}

// Close stops the worker and waits for it.
func (v *View) Close() {
	if v.stop != nil {
		v.stop()
		v.done.Wait()
		v.stop, v.worker = nil, nil
	}
}

// Shown returns the layer to draw (nil if none yet) and a note for the
// legend: why there is no layer, or what the picture approximates.
func (v *View) Shown() (*density.Layer, string) {
	if v.Mode == Off || v.shownFor != v.Mode {
		return nil, v.note
	}
	return v.shown, v.note
}

// Worker returns the worker, nil before Start.
func (v *View) Worker() *density.Worker { return v.worker }

// Grid returns the grid layers are computed on.
func (v *View) Grid() density.Grid { return v.grid }

// Update chooses the layer to show at the frame's t and asks the worker
// for what is missing: first the current step, then, while the worker is
// idle, the steps around it, so that scrubbing finds them ready.
func (v *View) Update(f Frame) {
	if v.Mode == Off {
		return
	}
	if v.worker == nil {
		v.Start(nil)
	}
	v.note = ""
	if f.Moving {
		v.movedAt = time.Now()
	}
	if v.asked != v.Mode {
		v.asked = v.Mode
		v.worker.Only(v.Mode.kind())
	}
	v.updateData(f)
	v.updateGrid(f)
	v.updatePin(f)
	if v.Mode.needsNet() && v.pin.model == nil {
		v.note = "waiting for the first training snapshot…"
		if v.pin.err != nil {
			v.note = v.pin.err.Error()
		}
		return
	}
	if why := v.missing(); why != "" {
		v.note = why
		return
	}
	steps := max(1, f.Steps)
	k := min(max(f.Step, 0), steps)
	want := v.key(k, steps)
	if l := v.worker.Layer(want); l != nil {
		v.take(l)
		// While training runs, only the step on screen is kept up to
		// date, to leave the trainer its share of the machine; once it is
		// paused, or while t is moved by hand, every step is filled in.
		if !f.Training || time.Since(v.movedAt) < prefetchAfterMove {
			v.prefetch(k, steps)
		}
	} else {
		v.request(k, steps, f.Moving)
		if l := v.nearest(k, steps); l != nil {
			v.take(l)
		}
	}
	if v.shown != nil && v.shown.Err != nil {
		v.note = v.shown.Err.Error()
	} else if v.shown != nil && v.note == "" {
		v.note = v.approximation(v.shown.T)
	}
}

func (v *View) take(l *density.Layer) { v.shown, v.shownFor = l, v.Mode }

// key is the worker's key of step k of n in the current mode.
func (v *View) key(k, n int) density.Key {
	model := v.pin.gen
	switch v.Mode {
	case Exact:
		model = v.data.gen
	case Difference:
		model = v.pin.gen<<20 ^ v.data.gen
	}
	return density.Key{Kind: v.Mode.kind(), Grid: v.grid, T: float64(k) / float64(n), Opt: density.InteractiveOptions(), Model: model}
}

// request asks for step k unless the worker is busy with this mode and
// model and t is not being moved by hand: while the timeline plays, a new
// step every few frames would abandon every job before it finished.
func (v *View) request(k, n int, moving bool) {
	want := v.key(k, n)
	if run, ok := v.worker.Running(); ok && run.Kind == want.Kind && run.Model == want.Model && run.Grid == want.Grid && !moving {
		return
	}
	v.ask(want)
}

// prefetch asks, while the worker is idle, for the uncached step nearest k
// of the pinned snapshot.
func (v *View) prefetch(k, n int) {
	if _, busy := v.worker.Running(); busy {
		return
	}
	for d := 1; d <= n; d++ {
		for _, j := range [2]int{k + d, k - d} {
			if j < 0 || j > n {
				continue
			}
			if key := v.key(j, n); v.worker.Layer(key) == nil {
				v.ask(key)
				return
			}
		}
	}
}

// ask builds the request for key and hands it to the worker.
func (v *View) ask(key density.Key) {
	r := density.Request{Key: key, Net: v.pin.net, Source: v.sourceOrNil()}
	if key.Kind == density.KindExact || key.Kind == density.KindDifference {
		target, err := v.exactAt(key.T)
		if err != nil {
			v.note = err.Error()
			return
		}
		r.Target = target
	}
	v.worker.Request(r)
}

func (v *View) sourceOrNil() density.LogDensity {
	if v.data.source == nil {
		return nil
	}
	return v.data.source
}

// nearest returns the cached layer to show while step k is computed: the
// nearest step of the pinned snapshot, else step k of an older one.
func (v *View) nearest(k, n int) *density.Layer {
	want := v.key(k, n)
	if l := v.worker.LayerAnyModel(want); l != nil {
		return l
	}
	for d := 1; d <= n; d++ {
		for _, j := range [2]int{k - d, k + d} {
			if j < 0 || j > n {
				continue
			}
			if l := v.worker.Layer(v.key(j, n)); l != nil {
				return l
			}
		}
	}
	if v.shown != nil && v.shownFor == v.Mode {
		return v.shown // another grid: still drawn where it was computed
	}
	return nil
}

// missing says why the mode cannot be computed for this data, or "".
func (v *View) missing() string {
	d := &v.data
	if (v.Mode == Learned || v.Mode == Difference) && d.sourceErr != nil {
		return d.sourceErr.Error()
	}
	if v.Mode == Exact || v.Mode == Difference {
		if d.s0Err != nil {
			return d.s0Err.Error()
		}
		if d.path == nil {
			return "the exact p_t needs a known path"
		}
		if len(d.comps) == 0 {
			return "waiting for the target's draws…"
		}
	}
	return ""
}

// exactAt is the path's exact marginal at t (density.PathMarginal). A target
// given by its draws is smoothed to at least one cell's width, since its
// p_t near t = 1 is a cloud of point masses.
func (v *View) exactAt(t float64) (*density.Mixture, error) {
	d := &v.data
	alpha, sigma := d.path.CondMeanStd(t, d.s0)
	minStd := 0.0
	if d.empirical > 0 {
		minStd = v.cell()
	}
	m, err := density.PathMarginal(d.comps, alpha, sigma, minStd)
	if errors.Is(err, density.ErrDegenerate) {
		m, err = density.PathMarginal(d.comps, alpha, sigma, v.cell())
	}
	return m, err
}

// cell is the width of a grid cell in world units.
func (v *View) cell() float64 {
	w, h := v.grid.CellSize()
	return min(w, h)
}

// approximation says what the shown layer at t approximates, or "".
func (v *View) approximation(t float64) string {
	d := &v.data
	var notes []string
	if v.Mode == Exact || v.Mode == Difference {
		if d.empirical > 0 {
			notes = append(notes, fmt.Sprintf("exact p_t of %d target draws", d.empirical))
		}
		if _, sigma := d.path.CondMeanStd(t, d.s0); d.empirical > 0 && sigma < v.cell() {
			notes = append(notes, fmt.Sprintf("σ_t = %.2g: point masses at t = 1 have no density, smoothed to σ = %.2g (one cell)", sigma, v.cell()))
		}
		if d.coupling != "" && d.coupling != train.CouplingIndependent {
			notes = append(notes, "exact for the independent coupling, not "+d.coupling)
		}
	}
	out := ""
	for i, n := range notes {
		if i > 0 {
			out += "; "
		}
		out += n
	}
	return out
}

// updateGrid lays a new grid over the view when the camera has settled
// somewhere the current grid does not cover at about Cells cells.
func (v *View) updateGrid(f Frame) {
	vis := f.Visible
	w, h := vis.MaxX-vis.MinX, vis.MaxY-vis.MinY
	if !(w > 0 && h > 0) || math.IsInf(w, 0) || math.IsInf(h, 0) {
		return
	}
	if v.haveGrid && (!f.Settled || covers(v.grid, vis)) {
		return
	}
	g := GridFor(vis)
	if g.Validate() == nil {
		v.grid, v.haveGrid = g, true
	}
}

// GridFor is the grid over the visible rectangle vis: square cells, Cells
// of them along the shorter side, one cell of margin all round so that
// linear filtering has a neighbour at the edges.
func GridFor(vis density.Rect) density.Grid {
	w, h := vis.MaxX-vis.MinX, vis.MaxY-vis.MinY
	cell := min(w, h) / Cells
	nx, ny := int(math.Ceil(w/cell))+2, int(math.Ceil(h/cell))+2
	cx, cy := (vis.MinX+vis.MaxX)/2, (vis.MinY+vis.MaxY)/2
	hw, hh := float64(nx)*cell/2, float64(ny)*cell/2
	return density.Grid{View: density.Rect{MinX: cx - hw, MinY: cy - hh, MaxX: cx + hw, MaxY: cy + hh}, NX: nx, NY: ny}
}

// covers reports whether g covers vis at a cell size within 20 % of the
// one GridFor would choose.
func covers(g density.Grid, vis density.Rect) bool {
	want := min(vis.MaxX-vis.MinX, vis.MaxY-vis.MinY) / Cells
	cw, _ := g.CellSize()
	return g.View.MinX <= vis.MinX && g.View.MinY <= vis.MinY && g.View.MaxX >= vis.MaxX && g.View.MaxY >= vis.MaxY &&
		cw <= 1.2*want && cw >= want/1.2
}

// updatePin pins the newest snapshot for the layers when none is, when
// its architecture or data changed, or when the pinned one has had
// repinEvery to fill the current step and t is not being moved by hand.
func (v *View) updatePin(f Frame) {
	m := f.Model
	if m == nil || m == v.pin.model {
		return
	}
	p := &v.pin
	switch {
	case p.model == nil, p.model.Config != m.Config:
	case m.Step == p.model.Step:
		return
	case time.Since(p.at) < repinEvery, time.Since(v.movedAt) < 2*time.Second:
		return
	default:
		// Move on only once the current step has been computed for the
		// pinned snapshot: else a busy machine would never finish one.
		if v.shown == nil || v.shown.Model != v.key(0, 1).Model {
			return
		}
	}
	p.model, p.at, p.err = m, time.Now(), nil
	p.gen++
	p.net = nil
	if err := usable(m); err != nil {
		p.err, p.model = err, nil
		return
	}
	net, err := m.Net()
	if err != nil {
		p.err, p.model = err, nil
		return
	}
	p.net = net
}

// usable reports why a model's network is not a velocity field whose
// density the change of variables gives.
func usable(m *train.Model) error {
	c := m.Config
	if c.Predict != "" && c.Predict != "velocity" {
		return fmt.Errorf("the density layer needs a network that predicts the velocity, not the %s", c.Predict)
	}
	if c.Net.Classes > 0 {
		return errors.New("the density layer is for unconditional models")
	}
	return nil
}

// updateData rebuilds what the layers need of the data when it changed.
func (v *View) updateData(f Frame) {
	key := dataKey{source: f.Source, target: f.Target, path: f.Path, coupling: f.Coupling, sigma: f.Sigma, n: len(f.TargetDraws)}
	if len(f.TargetDraws) > 0 {
		key.draws = &f.TargetDraws[0]
	}
	d := &v.data
	if key == d.key && d.gen > 0 {
		return
	}
	gen := d.gen + 1
	*d = dataState{key: key, gen: gen, coupling: f.Coupling}
	src, err := data.Load(f.Source)
	if err != nil {
		d.sourceErr = fmt.Errorf("the source %s is not a preset, so it has no log-density: no learned density", f.Source)
		d.s0Err = d.sourceErr
	} else {
		if d.source, err = density.MixtureOf(src); err != nil {
			d.sourceErr = fmt.Errorf("the source %s has no closed-form log-density here, so there is no learned density (a Gaussian source has one)", f.Source)
		}
		if d.s0, err = density.SourceStd(src); err != nil {
			d.s0Err = fmt.Errorf("the exact p_t is written for a centred Gaussian source, not %s", f.Source)
		}
	}
	if p, err := flow.ParsePath(f.Path, f.Sigma); err == nil {
		d.path = p
	}
	if tgt, err := data.Load(f.Target); err == nil {
		if comps, err := density.TargetComponents(tgt); err == nil {
			d.comps = comps
			return
		}
	}
	if pts := f.TargetDraws; len(pts) > 0 {
		d.comps, _ = density.TargetComponents(&data.PointSet{Points: pts})
		d.empirical = len(pts)
	}
}
