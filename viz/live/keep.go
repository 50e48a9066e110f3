package live

import (
	"errors"
	"time"

	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/flow/train"
	"github.com/flowviz/flowviz/viz/scene"
)

// stateTimeout bounds how long TrainingState waits for the training
// goroutine, which answers between two steps (well under a millisecond for
// the networks the app trains).
const stateTimeout = 5 * time.Second

// TrainingState returns a consistent copy of weights, Adam state and data,
// taken between two training steps. It blocks until the trainer answers, so
// call it off the render loop.
func (b *Backend) TrainingState() (*train.SavedState, error) {
	if !b.running.Load() {
		// Nobody else drives the trainer: read it directly.
		b.mu.Lock()
		defer b.mu.Unlock()
		return b.tr.CurrentState(), nil
	}
	select {
	case s := <-b.tr.RequestState():
		return s, nil
	case <-time.After(stateTimeout):
		return nil, errors.New("the trainer did not answer")
	}
}

// Restore continues from a saved state: st's weights, optimizer and data
// with settings s. With st nil only the data and settings are taken and the
// weights start afresh.
func (b *Backend) Restore(s scene.Settings, st *train.SavedState, source, target data.Dist) error {
	s = s.Clamp()
	s.Source, s.Target = source.String(), target.String()
	cfg, err := trainConfig(s, b.tr.Latest().Config)
	if err != nil {
		return err
	}
	sm, err := samplerSettings(s, 0)
	if err != nil {
		return err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if st == nil {
		b.tr.SetConfig(cfg)
		b.tr.SetSource(source)
		b.tr.SetTarget(target)
		b.tr.Reset()
	} else {
		st.Source, st.Target = source, target
		b.tr.Restore(st)
		// The saved model's config says which network; the settings say
		// what the user sees in the panel, which may have moved on (a new
		// learning rate not yet applied): apply them in place.
		b.tr.SetConfig(cfg)
	}
	b.settings, b.reseed = s, 0
	b.sm.Set(sm)
	return nil
}
