package record

import (
	"bytes"
	"context"
	"image/gif"
	"testing"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/scene"
)

// TestRecordingIsEncodeAll: a GIF recorded a frame at a time is
// gif.EncodeAll's of AnimatePanes's animation byte for byte, for one pane
// and two, with trails and without, two frames and many; and it decodes.
func TestRecordingIsEncodeAll(t *testing.T) {
	a := lineScene([]flow.Vec{{-1, 0.5}, {0, 0}, {1, -1}}, 6)
	a.Target = []flow.Vec{{1, 0.5}, {2, 0}}
	b := lineScene([]flow.Vec{{-1, -1}}, 6)
	for _, c := range []struct {
		name string
		scs  []*scene.Scene
		opt  Options
	}{
		{"one pane, two frames", []*scene.Scene{a}, Options{Size: 64, Frames: 2}},
		{"one pane, trails", []*scene.Scene{a}, Options{Size: 80, Frames: 9, Trails: true}},
		{"two panes", []*scene.Scene{a, b}, Options{Size: 50, Frames: 7, View: View{Zoom: 10}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var whole bytes.Buffer
			if err := WriteGIF(context.Background(), &whole, c.scs[0], c.opt); len(c.scs) == 1 && err != nil {
				t.Fatal(err)
			}
			if len(c.scs) > 1 {
				whole.Reset()
				anim, err := AnimatePanes(context.Background(), c.scs, c.opt)
				if err != nil {
					t.Fatal(err)
				}
				if err := gif.EncodeAll(&whole, anim); err != nil {
					t.Fatal(err)
				}
			}
			r, err := NewRecording(c.scs, c.opt)
			if err != nil {
				t.Fatal(err)
			}
			steps := 0
			for {
				done, err := r.Step()
				if err != nil {
					t.Fatal(err)
				}
				steps++
				if done {
					break
				}
			}
			if steps != r.Frames() || r.Done() != r.Frames() {
				t.Errorf("%d steps, %d done, for %d frames", steps, r.Done(), r.Frames())
			}
			if !bytes.Equal(r.Bytes(), whole.Bytes()) {
				t.Fatalf("the recording's %d bytes differ from EncodeAll's %d", len(r.Bytes()), whole.Len())
			}
			g, err := gif.DecodeAll(bytes.NewReader(r.Bytes()))
			if err != nil || len(g.Image) != r.Frames() {
				t.Fatalf("decoded %v frames, err %v", len(g.Image), err)
			}
			if done, err := r.Step(); !done || err != nil {
				t.Errorf("a step after the last: %v, %v", done, err)
			}
		})
	}
	if _, err := NewRecording([]*scene.Scene{a, nil}, Options{}); err == nil {
		t.Error("a pane without a scene was recorded")
	}
	if _, err := NewRecording([]*scene.Scene{a}, Options{Frames: 1}); err == nil {
		t.Error("one frame was accepted")
	}
}
