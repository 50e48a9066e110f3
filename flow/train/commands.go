package train

import (
	"fmt"

	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/mlp"
)

// TeacherInMemory is the Config.Teacher of a reflow run whose teacher was
// handed over with SetTeacher rather than loaded from a file.
const TeacherInMemory = "(in memory)"

// enqueue appends a command for the training goroutine and wakes it. It
// holds the lock only for the append, so the UI never waits for training.
func (tr *Trainer) enqueue(cmd func(*Trainer)) {
	tr.mu.Lock()
	tr.queue = append(tr.queue, cmd)
	tr.mu.Unlock()
	poke(tr.wake)
}

// applyCommands runs the queued commands in order. The queue is double
// buffered: the UI appends to one slice while this goroutine drains the other.
func (tr *Trainer) applyCommands() {
	tr.mu.Lock()
	cmds := tr.queue
	if len(cmds) == 0 {
		tr.mu.Unlock()
		return
	}
	tr.queue = tr.spare[:0]
	tr.mu.Unlock()
	// A command may change what the prefetched batch was drawn from.
	tr.overlap.drop(tr.draws)
	for _, cmd := range cmds {
		cmd(tr)
	}
	clear(cmds) // drop the closures for the garbage collector
	tr.spare = cmds[:0]
	tr.updateState()
	tr.publishRequired = true
}

// notify records a message for the next snapshot.
func (tr *Trainer) notify(format string, args ...any) {
	tr.message = fmt.Sprintf(format, args...)
}

// SetLR sets the learning rate (finite, > 0) from the next step on.
func (tr *Trainer) SetLR(lr float64) {
	tr.enqueue(func(tr *Trainer) {
		if !finite(lr) || lr <= 0 {
			tr.notify("learning rate %v refused: it must be finite and > 0", lr)
			return
		}
		tr.cfg.LR = lr
		tr.opt.LR = lr
	})
}

// SetWeightDecay sets the decoupled weight decay (finite, ≥ 0).
func (tr *Trainer) SetWeightDecay(wd float64) {
	tr.enqueue(func(tr *Trainer) {
		if !finite(wd) || wd < 0 {
			tr.notify("weight decay %v refused: it must be finite and ≥ 0", wd)
			return
		}
		tr.cfg.WeightDecay = wd
		tr.opt.WeightDecay = wd
	})
}

// SetBatch sets the batch size (1..MaxBatch) from the next step on.
func (tr *Trainer) SetBatch(n int) {
	tr.enqueue(func(tr *Trainer) {
		if n < 1 || n > MaxBatch {
			tr.notify("batch %d refused: it must be in 1..%d", n, MaxBatch)
			return
		}
		tr.setBatch(n)
	})
}

func (tr *Trainer) setBatch(n int) {
	if n > len(tr.batch.x0) {
		tr.batch.grow(n)
		tr.ws = nil
	}
	if tr.ws == nil {
		tr.ws = mlp.NewWorkspace(tr.cfg.Net, len(tr.batch.x0))
	}
	tr.cfg.Batch = n
}

// SetTarget swaps the target distribution, keeping the weights and the
// optimizer (a warm start: the field morphs from the old shape to the new).
// The trainer takes d over: do not change it afterwards. An empty point set
// makes the trainer wait.
func (tr *Trainer) SetTarget(d data.Dist) {
	tr.enqueue(func(tr *Trainer) {
		tr.target = d
		tr.cfg.Target = d.String()
		tr.dataVersion++
	})
}

// SetSource swaps the source distribution, keeping the weights (warm start).
// The trainer takes d over: do not change it afterwards.
func (tr *Trainer) SetSource(d data.Dist) {
	tr.enqueue(func(tr *Trainer) {
		tr.source = d
		tr.cfg.Source = d.String()
		tr.dataVersion++
		tr.reflow = nil // its pairs start from the old source
	})
}

// SetConfig moves to cfg. Learning rate, weight decay, batch and step budget
// change in place; new data specs are loaded and swapped in (warm start); a
// different network, path, coupling, teacher or seed restarts the model from
// fresh weights, which the snapshot's Message and ModelVersion announce. An
// invalid cfg is refused with a Message and changes nothing.
func (tr *Trainer) SetConfig(cfg Config) {
	tr.enqueue(func(tr *Trainer) { tr.setConfig(cfg) })
}

func (tr *Trainer) setConfig(cfg Config) {
	if err := cfg.Validate(); err != nil {
		tr.notify("settings refused: %v", err)
		return
	}
	old := tr.cfg
	// Load everything that can fail before changing anything.
	source, target := tr.source, tr.target
	dataChanged := cfg.Source != old.Source || cfg.Target != old.Target
	var err error
	if cfg.Source != old.Source {
		if source, err = data.Load(cfg.Source); err != nil {
			tr.notify("settings refused: source: %v", err)
			return
		}
	}
	if cfg.Target != old.Target {
		if target, err = data.Load(cfg.Target); err != nil {
			tr.notify("settings refused: target: %v", err)
			return
		}
	}
	teacher := tr.teacher
	if cfg.Coupling == CouplingReflow && (cfg.Teacher != old.Teacher || teacher == nil) {
		if cfg.Teacher == TeacherInMemory {
			tr.notify("settings refused: no teacher in memory; use SetTeacher")
			return
		}
		if teacher, err = LoadModel(cfg.Teacher); err != nil {
			tr.notify("settings refused: reflow teacher: %v", err)
			return
		}
	}
	if dataChanged {
		tr.dataVersion++
		tr.reflow = nil
	}
	tr.source, tr.target, tr.teacher = source, target, teacher

	if restartsModel(old, cfg) {
		if err := tr.restart(cfg); err != nil {
			tr.notify("settings refused: %v", err)
			tr.cfg = old
			return
		}
		tr.notify("model restarted: %s", describeRestart(old, cfg))
		return
	}
	tr.cfg.Source, tr.cfg.Target = cfg.Source, cfg.Target
	tr.cfg.LR, tr.opt.LR = cfg.LR, cfg.LR
	tr.cfg.WeightDecay, tr.opt.WeightDecay = cfg.WeightDecay, cfg.WeightDecay
	tr.cfg.Steps = cfg.Steps
	tr.setBatch(cfg.Batch)
}

// describeRestart names what changed between a and b that restarted the model.
func describeRestart(a, b Config) string {
	switch {
	case a.Net != b.Net:
		return fmt.Sprintf("network changed to width %d, depth %d, %v", b.Net.Width, b.Net.Depth, b.Net.Act)
	case a.Schedule != b.Schedule || a.Predict != b.Predict:
		return fmt.Sprintf("schedule or prediction target changed to %s, %s", orDefault(b.Schedule, "linear"), orDefault(b.Predict, "velocity"))
	case a.Path != b.Path || a.Sigma != b.Sigma:
		return fmt.Sprintf("path changed to %s (σ = %g)", b.Path, b.Sigma)
	case a.Coupling != b.Coupling:
		return fmt.Sprintf("coupling changed to %s", b.Coupling)
	case a.Teacher != b.Teacher:
		return "reflow teacher changed"
	default:
		return fmt.Sprintf("seed changed to %d", b.Seed)
	}
}

// SetTeacher switches to the reflow coupling with m as the frozen teacher
// (Liu et al. 2022): pairs (x0, ODE_m(x0)) replace independent draws. When m
// has the current network shape training starts from m's weights; otherwise
// from fresh ones.
func (tr *Trainer) SetTeacher(m *Model) {
	tr.enqueue(func(tr *Trainer) {
		if err := m.Validate(); err != nil {
			tr.notify("teacher refused: %v", err)
			return
		}
		tr.teacher = m
		cfg := tr.cfg
		cfg.Coupling, cfg.Teacher = CouplingReflow, TeacherInMemory
		if err := tr.restart(cfg); err != nil {
			tr.notify("teacher refused: %v", err)
			return
		}
		tr.notify("reflow: training on pairs (x0, ODE(x0)) from the teacher of step %d", m.Step)
	})
}

// Pause stops training after the current step.
func (tr *Trainer) Pause() {
	tr.enqueue(func(tr *Trainer) { tr.paused = true })
}

// Resume continues after Pause, and after a failure (lower the learning rate
// first).
func (tr *Trainer) Resume() {
	tr.enqueue(func(tr *Trainer) {
		tr.paused = false
		if tr.err != nil {
			tr.err = nil
			tr.notify("resumed from step %d with learning rate %g", tr.step, tr.cfg.LR)
		}
	})
}

// Reset starts the model afresh from the current seed with the current
// settings and data.
func (tr *Trainer) Reset() {
	tr.enqueue(func(tr *Trainer) {
		if err := tr.restart(tr.cfg); err != nil {
			tr.notify("reset failed: %v", err)
			return
		}
		tr.notify("model reset")
	})
}

// Reseed resets the model with a new seed.
func (tr *Trainer) Reseed(seed uint64) {
	tr.enqueue(func(tr *Trainer) {
		cfg := tr.cfg
		cfg.Seed = seed
		if err := tr.restart(cfg); err != nil {
			tr.notify("reseed failed: %v", err)
			return
		}
		tr.notify("model reset with seed %d", seed)
	})
}
