package viz

import (
	"slices"

	"github.com/flowviz/flowviz/flow/train"
	"github.com/flowviz/flowviz/viz/scene"
)

// The bound on the trained state a deck keeps: the last keptRuns live
// scenes shown, and at most keptRunFloats numbers of weights and Adam
// moments altogether (3 per parameter and pane), the oldest scene going
// first. A 3×64 scene is ~9 k parameters, ~0.1 MB; the largest network
// the app runs (2.5 M parameters) is 30 MB a pane.
const (
	keptRuns      = 4
	keptRunFloats = 24 << 20 // 96 MB of float32
)

// sceneRuns keeps the training state of the live scenes a deck showed
// last, so that paging back to one goes on where it was — weights,
// optimizer, step count and loss curve — as a slide tool keeps a slide. A
// scene with frozen weights is not kept: it shows its weights each time.
// Scenes are known by their index in the deck, so reordering or deleting
// scenes, or opening another deck, forgets every run.
type sceneRuns struct {
	runs []sceneRun // the most recently kept last
}

// sceneRun is one scene's state, one per pane (two in compare mode).
type sceneRun struct {
	scene  int
	states []*train.SavedState
}

// floats is how many numbers the run holds.
func (r sceneRun) floats() int {
	n := 0
	for _, s := range r.states {
		n += 3 * len(s.Model.Params)
	}
	return n
}

// keep captures the training state of every pane's backend for scene i.
// A backend that cannot hand its state over (the demo), or has not
// trained yet, keeps nothing. It waits for each trainer between two of its
// steps (bounded by the backend).
func (k *sceneRuns) keep(i int, backends []scene.Backend) {
	k.drop(i)
	states := make([]*train.SavedState, 0, len(backends))
	for _, b := range backends {
		tr, ok := b.(Trainer)
		if !ok {
			return
		}
		st, err := tr.TrainingState()
		if err != nil || st.Model.Step == 0 {
			return
		}
		states = append(states, st)
	}
	run := sceneRun{scene: i, states: states}
	if run.floats() > keptRunFloats {
		return
	}
	k.runs = append(k.runs, run)
	total := 0
	for _, r := range k.runs {
		total += r.floats()
	}
	for len(k.runs) > keptRuns || total > keptRunFloats {
		total -= k.runs[0].floats()
		k.runs = slices.Delete(k.runs, 0, 1)
	}
}

// take returns and forgets scene i's states, nil when none are kept.
func (k *sceneRuns) take(i int) []*train.SavedState {
	j := slices.IndexFunc(k.runs, func(r sceneRun) bool { return r.scene == i })
	if j < 0 {
		return nil
	}
	states := k.runs[j].states
	k.runs = slices.Delete(k.runs, j, j+1)
	return states
}

// drop forgets scene i's states.
func (k *sceneRuns) drop(i int) { k.take(i) }

// forget forgets every scene's states.
func (k *sceneRuns) forget() { k.runs = nil }

// scenes lists the scenes with a kept run, oldest first (for the state
// file and tests).
func (k *sceneRuns) scenes() []int {
	out := make([]int, len(k.runs))
	for j, r := range k.runs {
		out[j] = r.scene
	}
	return out
}
