package train

import (
	"math/rand/v2"

	"github.com/flowviz/flowviz/flow"
)

// overlap couples the next minibatch by exact OT on a goroutine of its own
// while the current step's forward and backward passes run, so that on a
// machine with a core to spare an OT step costs max(assignment, passes)
// rather than their sum.
//
// Batches stay those of training without overlap: the next batch is drawn
// from the trainer's stream right after this step's times (where the next
// step would draw it), and a prefetched batch is dropped, with the stream
// rewound to before its draws, whenever a command arrives (a command may
// change the data, the batch size or the seed).
type overlap struct {
	on      bool
	pending bool // x0, x1 hold the next batch; it is coupled once done has a value
	rewind  rand.PCG
	n       int
	x0, x1  []flow.Vec
	ot      flow.OTCoupling

	jobs   chan struct{} // to the worker: couple x0[:n], x1[:n]; nil when there is no worker
	done   chan struct{} // from the worker, cap 1: coupled
	exited chan struct{} // closed when the worker has returned
}

// SetOverlap turns on or off coupling the next batch by OT on a goroutine
// of its own while the current step trains. It pays where a core is to
// spare; the batches are the same either way. Off by default: the app's
// trainer runs at idle priority, which the goroutine would not have.
// Trainers driven by Step stop the goroutine with Close.
func (tr *Trainer) SetOverlap(on bool) {
	tr.enqueue(func(tr *Trainer) {
		tr.overlap.on = on
		if !on {
			tr.overlap.stop(tr.draws)
		}
	})
}

// Close stops the overlap's goroutine, if any, and drops its batch. Run
// does so itself when it returns; a trainer driven by Step needs Close
// once it is done with it. Not concurrently with Run or Step. The trainer
// stays usable: the next step draws its batch afresh.
func (tr *Trainer) Close() { tr.overlap.stop(tr.draws) }

// prefetchOT draws the next batch of n pairs and hands it to the worker,
// when overlap is on and the coupling is OT.
func (tr *Trainer) prefetchOT(n int) {
	o := &tr.overlap
	if !o.on || tr.cfg.Coupling != CouplingOT || o.pending {
		return
	}
	if o.jobs == nil {
		o.jobs, o.done, o.exited = make(chan struct{}), make(chan struct{}, 1), make(chan struct{})
		go o.work(o.jobs, o.done, o.exited)
	}
	if len(o.x0) < n {
		o.x0, o.x1 = make([]flow.Vec, n), make([]flow.Vec, n)
	}
	o.rewind = *tr.draws
	o.n = n
	tr.source.Sample(tr.rng, o.x0[:n])
	tr.target.Sample(tr.rng, o.x1[:n])
	o.pending = true
	o.jobs <- struct{}{}
}

// work couples each batch it is sent until jobs is closed. Between a job
// and its done, x0, x1, n and ot belong to it.
func (o *overlap) work(jobs <-chan struct{}, done chan<- struct{}, exited chan<- struct{}) {
	defer close(exited)
	for range jobs {
		o.ot.Pair(o.x0[:o.n], o.x1[:o.n])
		done <- struct{}{}
	}
}

// take copies the prefetched batch into x0, x1 once it is coupled and
// reports whether there was one of their size (if not, it is dropped).
func (o *overlap) take(pcg *rand.PCG, x0, x1 []flow.Vec) bool {
	if !o.pending {
		return false
	}
	if o.n != len(x0) {
		// Not expected: a new batch size comes by command, which drops.
		o.drop(pcg)
		return false
	}
	<-o.done
	o.pending = false
	copy(x0, o.x0[:o.n])
	copy(x1, o.x1[:o.n])
	return true
}

// drop discards the prefetched batch, if any, after its coupling finishes,
// and rewinds the stream pcg to before its draws.
func (o *overlap) drop(pcg *rand.PCG) {
	if !o.pending {
		return
	}
	<-o.done
	o.pending = false
	*pcg = o.rewind
}

// stop drops the prefetched batch and ends the worker.
func (o *overlap) stop(pcg *rand.PCG) {
	o.drop(pcg)
	if o.jobs != nil {
		close(o.jobs)
		<-o.exited
		o.jobs = nil
	}
}
