package viz

import (
	"fmt"
	"time"

	"github.com/flowviz/flowviz/viz/imageview"
	"github.com/flowviz/flowviz/viz/session"
)

// The image view's part of sessions: a session taken while the view is
// shown keeps its model (weights, their average, Adam's state) and view,
// and restoring it opens the view on that model, training on from there.

// imageStateWait bounds how long a save waits for the image trainer,
// which runs below the render loop's priority, to answer between two steps.
const imageStateWait = 20 * time.Second

// imageBackend is the image view's backend, nil when none is shown.
func (k *Keeper) imageBackend() *imageview.Backend {
	if k.images == nil {
		return nil
	}
	if ip := k.images(); ip != nil {
		return ip.be
	}
	return nil
}

// imagesView is the render loop's half of the image part: the view, without
// the model (completeImages adds it off the loop); nil with no image view.
func (k *Keeper) imagesView() *session.Images {
	if k.images == nil {
		return nil
	}
	ip := k.images()
	if ip == nil {
		return nil
	}
	return &session.Images{PCA: ip.view.Mode == imageview.PCAView, Cell: ip.view.Cell}
}

// completeImages adds the image model and Adam's state to s.Images. It
// waits for the trainer: call it off the render loop.
func completeImages(be *imageview.Backend, s *session.Session) error {
	if s.Images == nil || be == nil {
		s.Images = nil
		return nil
	}
	st, err := be.TrainingState(imageStateWait)
	if err != nil {
		return fmt.Errorf("image model: %w", err)
	}
	// The model says which network; the settings what the view samples.
	s.Images.Model, s.Images.Optimizer = st.Model, &st.Optimizer
	return nil
}

// restoreImages hands a session's image model to the view, which opens on
// it at the next tick (followImageTarget), or leaves the plane when the
// session has none. The focused settings name the image target and its
// conditioning, so the view does not take the model for an outdated one.
func (k *Keeper) restoreImages(im *session.Images) {
	k.imageRestore = im
	if im == nil {
		return
	}
	p := k.panes.a()
	cfg := im.Model.Config
	p.settings.Target = cfg.Target
	p.settings.Cond = cfg.Conditional()
	if p.settings.Cond {
		p.settings.PUncond = cfg.PUncond
	}
	k.ui.panel.Sync(p.settings, p.backend.Options())
}

// takeImageRestore returns the session's image model waiting to be shown,
// once.
func (k *Keeper) takeImageRestore() *session.Images {
	im := k.imageRestore
	k.imageRestore = nil
	return im
}
