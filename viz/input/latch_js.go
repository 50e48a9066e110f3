//go:build js

package input

import (
	"sync"
	"syscall/js"

	"github.com/hajimehoshi/ebiten/v2"
)

// latch keeps the keys and pointer buttons that went down since the last
// tick, from the page's own keydown and pointerdown events. ebiten's
// browser port keeps only whether a key is down at each tick, so a tap
// shorter than a frame (a quick key press or touch on a slow page) goes
// down and up between two ticks and is never seen. Read adds such a press
// as one that lasts a tick.
var latch struct {
	once    sync.Once
	mu      sync.Mutex
	keys    []ebiten.Key
	buttons [numButtons]bool
	x, y    float64 // where the last latched button went down
	codes   map[string][]ebiten.Key
}

// listen installs the page's listeners, once, at the first Read.
func listen() {
	latch.codes = domCodes()
	win := js.Global().Get("window")
	if win.IsUndefined() || win.IsNull() {
		return
	}
	opts := map[string]any{"capture": true, "passive": true}
	win.Call("addEventListener", "keydown", js.FuncOf(func(_ js.Value, args []js.Value) any {
		e := args[0]
		if e.Get("repeat").Truthy() {
			return nil
		}
		ks := latch.codes[e.Get("code").String()]
		latch.mu.Lock()
		latch.keys = append(latch.keys, ks...)
		latch.mu.Unlock()
		return nil
	}), opts)
	win.Call("addEventListener", "pointerdown", js.FuncOf(func(_ js.Value, args []js.Value) any {
		e := args[0]
		b := Left
		switch e.Get("button").Int() {
		case 1:
			b = Middle
		case 2:
			b = Right
		}
		// ebiten's cursor is in CSS pixels from the canvas's corner.
		x, y := e.Get("clientX").Float(), e.Get("clientY").Float()
		if c := js.Global().Get("document").Call("querySelector", "canvas"); c.Truthy() {
			r := c.Call("getBoundingClientRect")
			x, y = x-r.Get("left").Float(), y-r.Get("top").Float()
		}
		latch.mu.Lock()
		latch.buttons[b] = true
		latch.x, latch.y = x, y
		latch.mu.Unlock()
		return nil
	}), opts)
}

// addLatched adds to s the presses ebiten missed since the last tick: a
// latched key that s shows up was pressed and released between two ticks,
// and becomes a press of this tick; so does a latched button, at the point
// where it went down.
func (s *Snapshot) addLatched() {
	latch.once.Do(listen)
	latch.mu.Lock()
	keys, buttons, x, y := latch.keys, latch.buttons, latch.x, latch.y
	latch.keys, latch.buttons = latch.keys[:0:0], [numButtons]bool{}
	latch.mu.Unlock()
	for _, k := range keys {
		if s.Keys[k] == 0 {
			s.Keys[k] = 1
		}
	}
	for b, down := range buttons {
		if st := s.Buttons[b]; down && !st.Pressed && !st.JustPressed && !st.JustReleased {
			// Down and up within the tick: a click, seen where it was.
			s.Buttons[b] = ButtonState{JustPressed: true, JustReleased: true}
			s.X, s.Y = x, y
		}
	}
}
