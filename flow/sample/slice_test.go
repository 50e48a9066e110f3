package sample

import (
	"context"
	"runtime"
	"slices"
	"testing"
	"time"
)

// TestAdvanceForSlicesAFrame: a frame computed in slices far shorter than
// it needs is the frame computed whole, bit for bit; it takes many calls;
// a change of settings half-way drops the old frame for the new one; and
// Abandon ends the goroutine of a frame left half done.
func TestAdvanceForSlicesAFrame(t *testing.T) {
	before := runtime.NumGoroutine()
	tr := newTrainer(t, 30)
	st := smallSettings()
	st.Particles, st.Steps = 2000, 20
	whole := frame(t, New(tr, DefaultSettings()), st)

	s := New(tr, st)
	s.minInterval = 0
	calls := 0
	for !s.AdvanceFor(0) {
		if calls++; calls > 100000 {
			t.Fatal("no frame after 100,000 slices")
		}
	}
	if calls < 10 {
		t.Errorf("a frame of 2,000 particles × 20 steps took %d zero-length slices; want one per chunk of %d points", calls, sliceChunk)
	}
	f := s.Latest()
	if f == nil || f.Seq != 1 || f.Snap != whole.Snap || f.Settings != st {
		t.Fatalf("frame %+v not published", f)
	}
	for k := range whole.Traj {
		if !slices.Equal(f.Traj[k], whole.Traj[k]) || !slices.Equal(f.Field[k], whole.Field[k]) {
			t.Fatalf("state %d differs from the frame computed whole", k)
		}
	}
	if s.AdvanceFor(time.Second) {
		t.Error("a second frame of the same snapshot and settings")
	}

	// New settings half-way: the old frame is dropped, the new one comes.
	for range 3 {
		s.AdvanceFor(0)
	}
	st2 := st
	st2.Particles = 300
	s.Set(st2)
	for !s.AdvanceFor(10 * time.Millisecond) {
	}
	if f := s.Latest(); f.Settings != st2 || len(f.Traj[0]) != 300 {
		t.Errorf("after new settings the frame has %d particles, settings %+v", len(f.Traj[0]), f.Settings)
	}

	// A frame left half done is ended by Abandon.
	s.Set(st)
	s.AdvanceFor(0)
	if !s.slicer.running {
		t.Fatal("a frame of 2,000 particles finished in one zero-length slice")
	}
	s.Abandon()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after Abandon, %d before", n, before)
	}
}

// TestAdvanceForWhileTraining: a frame sliced while the trainer goes on
// between the slices (as the page does) is still its snapshot's frame.
func TestAdvanceForWhileTraining(t *testing.T) {
	tr := newTrainer(t, 30)
	st := smallSettings()
	st.Particles, st.Steps = 1000, 10
	s := New(tr, st)
	s.minInterval = 0
	for n := 0; !s.AdvanceFor(0); n++ {
		if _, err := tr.Step(); err != nil {
			t.Fatal(err)
		}
		tr.Publish()
		if n > 100000 {
			t.Fatal("no frame")
		}
	}
	f := s.Latest()
	if f.Snap == tr.Latest() {
		t.Fatal("the trainer did not move on during the frame")
	}
	w := New(tr, st)
	whole := w.compute(context.Background(), f.Snap, st, w.gen.Load())
	for k := range whole.Traj {
		if !slices.Equal(f.Traj[k], whole.Traj[k]) {
			t.Fatalf("state %d differs from the frame of the same snapshot computed whole", k)
		}
	}
}
