package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/mlp"
)

// State says what the trainer is doing.
type State int

const (
	// Running: taking steps.
	Running State = iota
	// Paused by Pause; Resume continues.
	Paused
	// Waiting: the source or target is an empty point set, so there is
	// nothing to learn; training resumes by itself when data arrives.
	Waiting
	// Failed: the loss went non-finite. The weights were rolled back to the
	// last good ones; see Snapshot.Err. SetLR and Resume continue.
	Failed
	// Done: Config.Steps steps are taken. Raising Steps, Reset or Reseed
	// continue.
	Done
)

var stateNames = [...]string{Running: "running", Paused: "paused", Waiting: "waiting", Failed: "failed", Done: "done"}

// String names the state for display.
func (s State) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return fmt.Sprintf("State(%d)", int(s))
	}
	return stateNames[s]
}

// ErrWaiting is returned by Step while the source or target is empty.
var ErrWaiting = errors.New("train: nothing to learn: the source or target point set is empty")

// Publishing cadence: a snapshot at most every publishEvery and only after
// publishSteps steps (whichever comes later), so that cloning the weights
// stays a negligible share of training time however fast the steps are.
const (
	publishEvery = 50 * time.Millisecond
	publishSteps = 10
	rateWindow   = 200 * time.Millisecond // shortest span StepsPerSec is measured over
)

// checkpointSteps is how often the last good weights are saved for rollback.
const checkpointSteps = 25

// divergeRatio: a step whose loss exceeds divergeRatio·(L₀ + 1), with L₀ the
// loss of predicting zero on the same batch, counts as diverged. Adam's
// bounded steps rarely overflow float32 outright: a too-large learning rate
// shows as a loss that explodes by orders of magnitude while staying finite,
// and no healthy network does 100× worse than the zero field. The +1 keeps
// a batch whose targets are all ~0 from tripping it.
const divergeRatio = 100

// emaDecay smooths the displayed loss: Loss ← d·Loss + (1−d)·batch loss,
// about a 50-step window.
const emaDecay = 0.98

// Snapshot is an immutable, published view of training. Never mutate any
// field: the app, the sampler and tests share it.
type Snapshot struct {
	Step        int
	Loss        float64   // exponential moving average of the batch loss
	LossHistory []float32 // loss curve downsampled to at most historyLen points
	// HistoryStride is how many steps each LossHistory point averages.
	HistoryStride int
	StepsPerSec   float64
	Config        Config
	Net           *mlp.Net // private copy of the weights
	Source        data.Dist
	Target        data.Dist
	// DataVersion increments whenever Source or Target is swapped.
	DataVersion int
	// ModelVersion increments whenever the weights start afresh (Reset,
	// Reseed, or a config change that restarts the model).
	ModelVersion int
	State        State
	Err          error  // non-nil when State == Failed
	Message      string // the latest notice for the user, e.g. why the model restarted
}

// Model returns the snapshot's weights and config as a model file value. The
// parameters are copied, so the model may be changed freely.
func (s *Snapshot) Model() *Model {
	return &Model{
		Version: ModelVersion,
		Config:  s.Config,
		Params:  append([]float32(nil), s.Net.Params...),
		Step:    s.Step,
	}
}

// Trainer trains the velocity network. Run it on its own goroutine and talk
// to it through the command methods, which never block; or drive it
// synchronously with Step. Either way Latest shows its progress.
type Trainer struct {
	// Everything below the command queue belongs to the goroutine that calls
	// Run or Step.
	mu    sync.Mutex
	queue []func(*Trainer) // pending commands, applied in order between steps
	spare []func(*Trainer) // the drained half of the double-buffered queue; owned by the training goroutine
	wake  chan struct{}    // cap 1: poked when a command is queued

	latest  atomic.Pointer[Snapshot]
	updated chan struct{} // cap 1: poked on every publish

	cfg            Config
	source, target data.Dist
	path           flow.Path
	obj            *objective    // nil for velocity regression without classes
	coupling       flow.Coupling // pairs each batch; nil for reflow, whose pairs come from the teacher
	teacher        *Model        // frozen model of the reflow coupling
	dataVersion    int
	modelVersion   int
	state          State
	paused         bool // the user's pause, kept across Waiting and Failed
	err            error
	message        string

	net  *mlp.Net
	ws   *mlp.Workspace
	opt  *mlp.Adam
	grad []float32
	// draws is the batch stream: every x0, x1 and t comes from it (through
	// rng), in an order that depends only on the batch size and the data,
	// so that two trainers with the same seed draw the same batches at step
	// k whatever their network, learning rate, path or coupling. The path's
	// noise ε has a stream of its own (through noise), drawn only when σ > 0,
	// so that σ does not shift the batches and σ = 0 does not pay for it.
	// Both states are saved with the weights (SavedState.BatchRNG).
	draws, noiseDraws *rand.PCG
	rng, noise        *rand.Rand
	good              checkpoint

	batch   batchBuffers
	reflow  *reflowPool
	overlap overlap // the next OT batch, coupled while this step trains

	step    int
	loss    float64 // EMA of the batch loss; NaN before the first step
	history lossCurve

	lastPublish     time.Time
	stepsAtPublish  int
	rateStart       time.Time // start of the span StepsPerSec is measured over
	rateSteps       int       // step count at rateStart
	stepsPerSec     float64
	publishRequired bool // a command changed something the UI should see now
}

// batchBuffers are the per-step arrays, sized for the largest batch so far
// so that a warm step allocates nothing.
type batchBuffers struct {
	x0, x1      []flow.Vec
	xs, ts      []float32 // network inputs: xt (interleaved) and t
	want, dpred []float32 // regression target dxt and dLoss/dpred
}

func (b *batchBuffers) grow(n int) {
	if len(b.x0) >= n {
		return
	}
	*b = batchBuffers{
		x0: make([]flow.Vec, n), x1: make([]flow.Vec, n),
		xs: make([]float32, 2*n), ts: make([]float32, n),
		want: make([]float32, 2*n), dpred: make([]float32, 2*n),
	}
}

// checkpoint is the last known-good training state, restored on divergence.
type checkpoint struct {
	params       []float32
	adamM, adamV []float32
	adamSteps    int
	step         int
	loss         float64
	streams      []byte // the batch and noise streams' state, so a rollback redraws step k's batch at step k
}

// New loads cfg's data (and teacher), builds a freshly initialised network
// and publishes the first snapshot.
func New(cfg Config) (*Trainer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	source, err := data.Load(cfg.Source)
	if err != nil {
		return nil, fmt.Errorf("train: source: %w", err)
	}
	target, err := data.Load(cfg.Target)
	if err != nil {
		return nil, fmt.Errorf("train: target: %w", err)
	}
	var teacher *Model
	if cfg.Coupling == CouplingReflow {
		if teacher, err = LoadModel(cfg.Teacher); err != nil {
			return nil, fmt.Errorf("train: reflow teacher: %w", err)
		}
	}
	tr := &Trainer{
		wake:    make(chan struct{}, 1),
		updated: make(chan struct{}, 1),
		source:  source,
		target:  target,
		teacher: teacher,
	}
	if err := tr.restart(cfg); err != nil {
		return nil, err
	}
	tr.publish()
	return tr, nil
}

// NewFromModel starts a trainer from a model's config and weights, to go on
// training it (the step count continues; the optimizer starts afresh).
func NewFromModel(m *Model) (*Trainer, error) {
	if err := m.Validate(); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	tr, err := New(m.Config)
	if err != nil {
		return nil, err
	}
	copy(tr.net.Params, m.Params)
	tr.step = m.Step
	tr.saveCheckpoint()
	tr.publish()
	return tr, nil
}

// restart sets cfg and starts the model afresh: new weights from the seed (or
// the teacher's, for reflow with a matching network), new optimizer, step 0.
func (tr *Trainer) restart(cfg Config) error {
	path, err := flow.ParseSchedulePath(cfg.Schedule, cfg.Path, cfg.Sigma)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	obj, err := newObjective(cfg, path)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	// Two streams from one seed: the initial weights, and every training
	// draw, so that the draws do not depend on the network's size.
	net, err := mlp.New(cfg.Net, rand.New(rand.NewPCG(cfg.Seed, 0x6e6574)))
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if cfg.Coupling == CouplingReflow && tr.teacher != nil && tr.teacher.Config.Net == cfg.Net {
		// Liu et al. 2022 fine-tune the student from the teacher: it already
		// transports the data and only needs straightening.
		copy(net.Params, tr.teacher.Params)
	}
	var coupling flow.Coupling
	if cfg.Coupling != CouplingReflow {
		tr.teacher = nil
		if coupling, err = flow.ParseCoupling(cfg.Coupling); err != nil {
			return fmt.Errorf("train: %w", err)
		}
	}
	tr.cfg = cfg
	tr.path = path
	tr.obj = obj
	tr.coupling = coupling
	tr.net = net
	tr.batch.grow(cfg.Batch)
	tr.ws = mlp.NewWorkspace(cfg.Net, len(tr.batch.x0))
	tr.opt = mlp.NewAdam(len(net.Params))
	tr.opt.LR = cfg.LR
	tr.opt.WeightDecay = cfg.WeightDecay
	tr.grad = make([]float32, len(net.Params))
	tr.draws = rand.NewPCG(cfg.Seed, batchStream)
	tr.rng = rand.New(tr.draws)
	tr.noiseDraws = rand.NewPCG(cfg.Seed, noiseStream)
	tr.noise = rand.New(tr.noiseDraws)
	tr.reflow = nil
	tr.step = 0
	tr.loss = math.NaN()
	tr.history.reset()
	tr.err = nil
	tr.modelVersion++
	tr.saveCheckpoint()
	tr.updateState()
	return nil
}

// Latest returns the newest snapshot. It never blocks and is never nil.
func (tr *Trainer) Latest() *Snapshot { return tr.latest.Load() }

// Updated is poked (without blocking) whenever a snapshot is published.
func (tr *Trainer) Updated() <-chan struct{} { return tr.updated }

// Step takes one training step synchronously and returns the batch loss. It
// applies queued commands first and ignores Pause (the caller decides when to
// step) but not Waiting or Failed. It must not run concurrently with Run.
func (tr *Trainer) Step() (loss float64, err error) {
	tr.applyCommands()
	switch tr.state {
	case Waiting:
		tr.maybePublish()
		return math.NaN(), ErrWaiting
	case Failed:
		tr.maybePublish()
		return math.NaN(), tr.err
	}
	loss, err = tr.trainStep()
	tr.maybePublish()
	return loss, err
}

// Publish publishes a snapshot of the current state now, for headless
// callers that want Latest to show their last Step. Not concurrently with Run.
func (tr *Trainer) Publish() {
	tr.applyCommands()
	tr.publish()
}

// Run trains until ctx is cancelled, applying commands between steps and
// publishing snapshots as it goes. While paused, waiting, failed or done it
// sleeps until a command or cancellation arrives. It returns ctx.Err(),
// after stopping the overlap's goroutine, if any.
func (tr *Trainer) Run(ctx context.Context) error {
	defer tr.overlap.stop(tr.draws)
	for {
		tr.applyCommands()
		if err := ctx.Err(); err != nil {
			tr.publish()
			return err
		}
		if tr.state != Running {
			if tr.publishRequired {
				tr.publish()
			}
			select {
			case <-ctx.Done():
			case <-tr.wake:
			}
			continue
		}
		tr.trainStep() // a divergence is published as State Failed
		tr.maybePublish()
	}
}

// Second PCG seed words of the batch draws ("draw") and of the path's noise
// ("noise"); the initial weights use a stream of their own, so the draws do
// not depend on the network.
const (
	batchStream = 0x64726177
	noiseStream = 0x6e6f697365
)

// trainStep is one flow-matching step (Lipman et al. 2023, eq. 23):
//
//	x0 ~ source, x1 ~ target (coupled), t ~ U[0,1],
//	xt, dxt = path(x0, x1, t, ε),  L = mean ‖v(xt, t) − dxt‖²,
//
// then one Adam step on L.
func (tr *Trainer) trainStep() (float64, error) {
	n := tr.cfg.Batch
	b := &tr.batch
	x0, x1 := b.x0[:n], b.x1[:n]
	if !tr.overlap.take(tr.draws, x0, x1) {
		tr.drawPairs(x0, x1)
	}

	noisy := tr.cfg.Sigma > 0
	zeroLoss := 0.0 // L₀ = mean ‖dxt‖² over the 2n outputs
	for i := range n {
		t := tr.rng.Float64()
		var eps flow.Vec
		if noisy {
			eps = flow.Vec{tr.noise.NormFloat64(), tr.noise.NormFloat64()}
		}
		xt, dxt := tr.path.Point(x0[i], x1[i], t, eps)
		b.xs[2*i], b.xs[2*i+1] = float32(xt[0]), float32(xt[1])
		b.ts[i] = float32(t)
		b.want[2*i], b.want[2*i+1] = float32(dxt[0]), float32(dxt[1])
		zeroLoss += dxt[0]*dxt[0] + dxt[1]*dxt[1]
	}
	zeroLoss /= float64(2 * n)
	if tr.obj != nil && tr.obj.kind != flow.Velocity {
		zeroLoss = tr.obj.fill(tr, x0, x1) // noise, data or score targets
	}
	// The next batch's draws follow this one's, as they would without
	// overlap; its coupling runs beside the passes below.
	tr.prefetchOT(n)

	pred := tr.net.ForwardClass(tr.ws, b.xs[:2*n], b.ts[:n], tr.batchLabels(n))
	loss := tr.regress(pred, n)
	if !finite(loss) || loss > divergeRatio*(zeroLoss+1) {
		return loss, tr.diverge(loss)
	}
	tr.net.Backward(tr.ws, b.dpred[:2*n], tr.grad)
	tr.opt.Step(tr.net.Params, tr.grad)
	tr.step++

	if math.IsNaN(tr.loss) {
		tr.loss = loss
	} else {
		tr.loss = emaDecay*tr.loss + (1-emaDecay)*loss
	}
	tr.history.add(loss)
	if tr.step%checkpointSteps == 0 {
		if !allFinite(tr.net.Params) {
			return loss, tr.diverge(math.NaN())
		}
		tr.saveCheckpoint()
	}
	if tr.cfg.Steps > 0 && tr.step >= tr.cfg.Steps {
		tr.updateState()
		tr.publishRequired = true
	}
	return loss, nil
}

// drawPairs fills x0 and x1 with a coupled batch: both are drawn
// independently, then the coupling re-pairs them without drawing, so the
// couplings see the same draws.
func (tr *Trainer) drawPairs(x0, x1 []flow.Vec) {
	if tr.obj != nil && tr.obj.classes > 0 {
		tr.obj.drawPairs(tr, x0, x1)
		return
	}
	if tr.coupling == nil {
		tr.reflowPool().draw(tr, x0, x1)
		return
	}
	tr.source.Sample(tr.rng, x0)
	tr.target.Sample(tr.rng, x1)
	tr.coupling.Pair(x0, x1)
}

// diverge rolls back to the last good state and fails with an error that
// says what happened. What to do about it is the caller's to say (the app
// names its own control, the command line its flag), so the message holds
// no advice and reads on after "Training stopped: ".
func (tr *Trainer) diverge(loss float64) error {
	at := tr.step + 1
	tr.restoreCheckpoint()
	tr.err = fmt.Errorf("diverged at step %d (loss %.3g at learning rate %g); rolled back to the weights of step %d",
		at, loss, tr.cfg.LR, tr.step)
	tr.updateState()
	tr.publish()
	return tr.err
}

func (tr *Trainer) saveCheckpoint() {
	g := &tr.good
	g.params = append(g.params[:0], tr.net.Params...)
	g.adamM = append(g.adamM[:0], tr.opt.M...)
	g.adamV = append(g.adamV[:0], tr.opt.V...)
	g.adamSteps = tr.opt.Steps
	g.step = tr.step
	g.loss = tr.loss
	g.streams = tr.appendStreams(g.streams[:0])
}

// appendStreams appends the binary states of the batch and noise streams
// to b: two PCG encodings of pcgStateLen bytes.
func (tr *Trainer) appendStreams(b []byte) []byte {
	draws := tr.draws
	if tr.overlap.pending {
		// The stream as it was before the prefetched batch's draws: a
		// restore draws that batch again, as a run without overlap would.
		draws = &tr.overlap.rewind
	}
	for _, p := range []*rand.PCG{draws, tr.noiseDraws} {
		var err error
		if b, err = p.AppendBinary(b); err != nil {
			panic("train: PCG state: " + err.Error()) // PCG's encoding cannot fail
		}
	}
	return b
}

// pcgStateLen is the length of a PCG's binary state: "pcg:" and two words.
const pcgStateLen = 20

// setStreams sets the batch and noise streams from a state appendStreams
// wrote; on an error nothing changes.
func (tr *Trainer) setStreams(b []byte) error {
	var draws, noise rand.PCG
	if err := parseStreams(b, &draws, &noise); err != nil {
		return err
	}
	*tr.draws, *tr.noiseDraws = draws, noise
	return nil
}

func parseStreams(b []byte, draws, noise *rand.PCG) error {
	if len(b) != 2*pcgStateLen {
		return fmt.Errorf("batch random state of %d bytes, want %d", len(b), 2*pcgStateLen)
	}
	if err := draws.UnmarshalBinary(b[:pcgStateLen]); err != nil {
		return fmt.Errorf("batch random state is not a PCG state: %w", err)
	}
	if err := noise.UnmarshalBinary(b[pcgStateLen:]); err != nil {
		return fmt.Errorf("noise random state is not a PCG state: %w", err)
	}
	return nil
}

func (tr *Trainer) restoreCheckpoint() {
	tr.overlap.drop(tr.draws) // the prefetched batch follows the step rolled back
	g := &tr.good
	copy(tr.net.Params, g.params)
	copy(tr.opt.M, g.adamM)
	copy(tr.opt.V, g.adamV)
	tr.opt.Steps = g.adamSteps
	tr.step = g.step
	tr.loss = g.loss
	if err := tr.setStreams(g.streams); err != nil {
		panic("train: checkpoint: " + err.Error()) // written by saveCheckpoint
	}
}

// updateState derives the state from the pause flag, the error, the data and
// the step budget, in that order of precedence.
func (tr *Trainer) updateState() {
	switch {
	case tr.err != nil:
		tr.state = Failed
	case tr.paused:
		tr.state = Paused
	case IsEmpty(tr.source) || (tr.cfg.Coupling != CouplingReflow && IsEmpty(tr.target)):
		tr.state = Waiting
	case tr.cfg.Steps > 0 && tr.step >= tr.cfg.Steps:
		tr.state = Done
	default:
		tr.state = Running
	}
}

// IsEmpty reports whether d is a point set without points, which cannot be
// sampled.
func IsEmpty(d data.Dist) bool {
	switch p := d.(type) {
	case *data.PointSet:
		return len(p.Points) == 0
	}
	return false
}

// maybePublish publishes if the cadence allows or a command asked for it.
func (tr *Trainer) maybePublish() {
	if tr.publishRequired ||
		(tr.step-tr.stepsAtPublish >= publishSteps && time.Since(tr.lastPublish) >= publishEvery) {
		tr.publish()
	}
}

// publish stores a new snapshot and pokes Updated. The weights are cloned, so
// the snapshot never changes; non-finite weights are never published.
func (tr *Trainer) publish() {
	now := time.Now()
	// The rate is measured over at least rateWindow, so that publishes
	// forced by commands a few steps apart do not make it jitter.
	if dt := now.Sub(tr.rateStart); tr.rateStart.IsZero() || dt >= rateWindow || tr.state != Running {
		if !tr.rateStart.IsZero() && dt > 0 {
			tr.stepsPerSec = max(0, float64(tr.step-tr.rateSteps)/dt.Seconds())
		}
		if tr.state != Running {
			tr.stepsPerSec = 0
		}
		tr.rateStart, tr.rateSteps = now, tr.step
	}
	tr.lastPublish = now
	tr.stepsAtPublish = tr.step
	tr.publishRequired = false

	net := tr.net.Clone()
	if !allFinite(net.Params) {
		copy(net.Params, tr.good.params)
	}
	tr.latest.Store(&Snapshot{
		Step:          tr.step,
		Loss:          tr.loss,
		LossHistory:   tr.history.values(),
		HistoryStride: tr.history.stride,
		StepsPerSec:   tr.stepsPerSec,
		Config:        tr.cfg,
		Net:           net,
		Source:        tr.source,
		Target:        tr.target,
		DataVersion:   tr.dataVersion,
		ModelVersion:  tr.modelVersion,
		State:         tr.state,
		Err:           tr.err,
		Message:       tr.message,
	})
	poke(tr.updated)
}

// poke sends on a cap-1 channel without blocking: a pending signal already
// says "something changed".
func poke(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

func allFinite(p []float32) bool {
	for _, v := range p {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return false
		}
	}
	return true
}
