//go:build js

package input

import (
	"sync"
	"syscall/js"

	"github.com/hajimehoshi/ebiten/v2"
)

// latch keeps the keys and pointer buttons that went down and up again
// without a tick seeing them down, from the page's own key and pointer
// events. ebiten's browser port keeps only whether a key is down at each
// tick, so a tap shorter than a frame (a quick key press or touch on a slow
// page) is never seen; Read adds such a tap as a press of one tick.
//
// Only a whole tap counts: a press that a tick saw down is ebiten's to
// report, so one that went down just after a tick read the keys is not
// reported twice.
var latch struct {
	once     sync.Once
	mu       sync.Mutex
	down     map[ebiten.Key]bool // went down, not yet seen by a tick
	taps     []ebiten.Key        // went down and up, never seen
	bdown    [numButtons]bool
	btaps    [numButtons]bool
	at       [numButtons][2]float64 // where each button last went down
	codes    map[string][]ebiten.Key
	handlers []js.Func // kept for the page's lifetime
}

// listen installs the page's listeners, once, at the first Read.
func listen() {
	latch.codes = domCodes()
	latch.down = map[ebiten.Key]bool{}
	win := js.Global().Get("window")
	if win.IsUndefined() || win.IsNull() {
		return
	}
	opts := map[string]any{"capture": true, "passive": true}
	on := func(event string, f func(e js.Value)) {
		h := js.FuncOf(func(_ js.Value, args []js.Value) any {
			latch.mu.Lock()
			defer latch.mu.Unlock()
			f(args[0])
			return nil
		})
		latch.handlers = append(latch.handlers, h)
		win.Call("addEventListener", event, h, opts)
	}
	on("keydown", func(e js.Value) {
		if e.Get("repeat").Truthy() {
			return
		}
		for _, k := range latch.codes[e.Get("code").String()] {
			latch.down[k] = true
		}
	})
	on("keyup", func(e js.Value) {
		for _, k := range latch.codes[e.Get("code").String()] {
			if latch.down[k] {
				delete(latch.down, k)
				latch.taps = append(latch.taps, k)
			}
		}
	})
	on("pointerdown", func(e js.Value) {
		b := pointerButton(e)
		// ebiten's cursor is in CSS pixels from the canvas's corner.
		x, y := e.Get("clientX").Float(), e.Get("clientY").Float()
		if c := js.Global().Get("document").Call("querySelector", "canvas"); c.Truthy() {
			r := c.Call("getBoundingClientRect")
			x, y = x-r.Get("left").Float(), y-r.Get("top").Float()
		}
		latch.bdown[b], latch.at[b] = true, [2]float64{x, y}
	})
	on("pointerup", func(e js.Value) {
		if b := pointerButton(e); latch.bdown[b] {
			latch.bdown[b], latch.btaps[b] = false, true
		}
	})
}

// pointerButton is the Button of a pointer event (a touch or a pen is Left).
func pointerButton(e js.Value) Button {
	switch e.Get("button").Int() {
	case 1:
		return Middle
	case 2:
		return Right
	}
	return Left
}

// addLatched adds to s the taps ebiten missed since the last tick: each
// becomes a press of this tick, a tapped button a click where it went down.
// What s shows down was seen, and is no longer the latch's.
func (s *Snapshot) addLatched() {
	latch.once.Do(listen)
	latch.mu.Lock()
	defer latch.mu.Unlock()
	for k := range latch.down {
		if s.Keys[k] > 0 {
			delete(latch.down, k)
		}
	}
	for _, k := range latch.taps {
		if s.Keys[k] == 0 {
			s.Keys[k] = 1
		}
	}
	latch.taps = latch.taps[:0]
	for b := range latch.bdown {
		st := s.Buttons[b]
		if st.Pressed || st.JustPressed || st.JustReleased {
			latch.bdown[b], latch.btaps[b] = false, false
			continue
		}
		if latch.btaps[b] {
			// Down and up within the tick: a click, seen where it was.
			s.Buttons[b] = ButtonState{JustPressed: true, JustReleased: true}
			s.X, s.Y = latch.at[b][0], latch.at[b][1]
			latch.btaps[b] = false
		}
	}
}
