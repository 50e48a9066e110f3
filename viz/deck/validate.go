package deck

import (
	"errors"
	"fmt"
	"math"
	"path"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/viz/scene"
	"github.com/flowviz/flowviz/viz/session"
)

// Validate reports every problem of the deck, each naming its scene and
// field: a known lesson, or a custom scene whose data, settings, view,
// layers, timeline, compare spec and weights the app accepts.
func (d *Deck) Validate() error {
	var errs []error
	if len(d.Scenes) > MaxScenes {
		return fmt.Errorf("deck: %d scenes, at most %d", len(d.Scenes), MaxScenes)
	}
	if len(d.Title) > maxText {
		errs = append(errs, fmt.Errorf("deck: title: %d bytes, at most %d", len(d.Title), maxText))
	}
	var lessons []string
	for i := range d.Scenes {
		s := &d.Scenes[i]
		if s.IsLesson() && lessons == nil {
			var err error
			if lessons, err = lessonNames(); err != nil {
				return err
			}
		}
		if err := s.validate(lessons); err != nil {
			errs = append(errs, fmt.Errorf("deck: scene %d: %w", i+1, err))
		}
	}
	return errors.Join(errs...)
}

// validate checks one scene; lessons are the built-in lessons' names.
func (s *Scene) validate(lessons []string) error {
	if s.IsLesson() {
		if !slices.Contains(lessons, s.Lesson) {
			return fmt.Errorf("lesson: no built-in lesson %q (have %s)", s.Lesson, strings.Join(lessons, ", "))
		}
		if !s.isBareLesson() {
			return errors.New("lesson: a lesson scene takes no other fields (the lesson brings its own)")
		}
		return nil
	}
	var errs []error
	fail := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", field, fmt.Sprintf(format, args...)))
	}
	for _, f := range []struct{ name, v string }{{"title", s.Title}, {"formula", s.Formula}, {"compare", s.Compare}} {
		if len(f.v) > maxText {
			fail(f.name, "%d bytes, at most %d", len(f.v), maxText)
		}
	}
	if n := utf8.RuneCountInString(s.Caption); n > MaxCaption {
		fail("caption", "%d characters, at most %d", n, MaxCaption)
	}
	for _, side := range []struct {
		name string
		d    Data
	}{{"source", s.Source}, {"target", s.Target}} {
		if err := side.d.validate(); err != nil {
			fail(side.name, "%v", err)
		}
	}
	if v := s.View; v != nil {
		if !goodBox(*v) {
			fail("view", "%v: want a finite box with minX < maxX and minY < maxY", *v)
		}
	}
	for i, name := range s.Layers {
		if !slices.Contains(Layers, name) {
			fail("layers", "unknown layer %q (want one of %v)", name, Layers)
		} else if slices.Contains(s.Layers[:i], name) {
			fail("layers", "layer %q named twice", name)
		}
	}
	if !(s.T >= 0 && s.T <= 1) {
		fail("t", "%v outside 0..1", s.T)
	}
	// The settings, weights and compare spec are checked as a session
	// holding them would be, so a deck never shows what a session refuses.
	set := s.Settings.Apply(scene.DefaultSettings())
	if set.Trails > set.Particles {
		set.Trails = set.Particles
	}
	if s.Settings.Steps < 0 || s.Settings.Particles < 0 || s.Settings.Grid < 0 || s.Settings.Trails < 0 ||
		s.Settings.Width < 0 || s.Settings.Depth < 0 || s.Settings.Batch < 0 {
		fail("settings", "negative counts")
	}
	m, mb, err := s.Weights()
	if err != nil {
		errs = append(errs, err)
	}
	ss := &session.Session{Settings: set, Model: m, View: session.View{Zoom: 1, Speed: 1}}
	if err := ss.Validate(); err != nil {
		fail("settings", "%v", err)
	}
	if s.Compare != "" {
		b, err := set.Differ(s.Compare)
		if err != nil {
			fail("compare", "%v", err)
		} else if err := (&session.Session{Settings: b, Model: mb, View: session.View{Zoom: 1, Speed: 1}}).Validate(); err != nil {
			fail("compare_model", "%v", err)
		}
	} else if mb != nil {
		fail("compare_model", "weights for pane B without compare")
	}
	return errors.Join(errs...)
}

// isBareLesson reports whether a lesson scene sets nothing else.
func (s *Scene) isBareLesson() bool {
	c := *s
	c.Lesson = ""
	return c.Title == "" && c.Caption == "" && c.Formula == "" && c.Source.IsZero() && c.Target.IsZero() &&
		c.Settings == Settings{} && c.View == nil && c.Layers == nil && c.T == 0 && c.Playing == nil &&
		c.Compare == "" && c.Model == nil && c.CompareModel == nil
}

// validate checks that exactly one kind of data is given, and what it
// holds.
func (d Data) validate() error {
	kinds := 0
	for _, set := range []bool{d.Spec != "", len(d.Points) > 0, d.Image != ""} {
		if set {
			kinds++
		}
	}
	switch {
	case d.IsZero():
		return nil
	case kinds != 1:
		return errors.New("give exactly one of spec, points and image")
	case len(d.Name) > maxText:
		return fmt.Errorf("name: %d bytes, at most %d", len(d.Name), maxText)
	case d.Image != "":
		return checkImage(d.Image)
	case d.Spec != "":
		// Presets and text only: a deck names its files as images, beside
		// it, never by a path of the spec.
		if len(d.Spec) > maxText {
			return fmt.Errorf("spec: %d bytes, at most %d", len(d.Spec), maxText)
		}
		if strings.HasPrefix(strings.TrimSpace(d.Spec), "text:") {
			_, err := data.Load(d.Spec)
			return err
		}
		_, err := data.Parse(d.Spec)
		return err
	}
	// Points: the session's own checks of a drawing.
	sd := session.Data{Points: d.Points, Jitter: d.Jitter, Name: d.Name}
	ss := &session.Session{Settings: scene.DefaultSettings(), Target: sd, View: session.View{Zoom: 1, Speed: 1}}
	return ss.Validate()
}

// checkImage accepts a PNG, JPEG or GIF file named relative to the deck's
// folder and inside it, with image options after a colon.
func checkImage(spec string) error {
	p, _, _ := strings.Cut(spec, ":")
	clean := path.Clean(p)
	switch ext := strings.ToLower(path.Ext(clean)); {
	case len(spec) > maxText:
		return fmt.Errorf("image: %d bytes, at most %d", len(spec), maxText)
	case path.IsAbs(clean) || strings.HasPrefix(clean, "..") || strings.Contains(p, "\\"):
		return fmt.Errorf("image %q: name a file in the deck's folder (or below it), with / between folders", p)
	case ext != ".png" && ext != ".jpg" && ext != ".jpeg" && ext != ".gif":
		return fmt.Errorf("image %q: want a .png, .jpg or .gif file", p)
	}
	return nil
}

func goodBox(b [4]float64) bool {
	for _, v := range b {
		if math.IsNaN(v) || math.IsInf(v, 0) || math.Abs(v) > 1e9 {
			return false
		}
	}
	return b[0] < b[2] && b[1] < b[3]
}
