package input

import (
	"slices"
	"testing"

	"github.com/hajimehoshi/ebiten/v2"
)

func TestDOMCodes(t *testing.T) {
	m := domCodes()
	for _, c := range []struct {
		code string
		want []ebiten.Key
	}{
		{"KeyA", []ebiten.Key{ebiten.KeyA}},
		{"KeyV", []ebiten.Key{ebiten.KeyV}},
		{"Digit1", []ebiten.Key{ebiten.KeyDigit1}},
		{"PageDown", []ebiten.Key{ebiten.KeyPageDown}},
		{"ArrowRight", []ebiten.Key{ebiten.KeyArrowRight}},
		{"Minus", []ebiten.Key{ebiten.KeyMinus}},
		{"Equal", []ebiten.Key{ebiten.KeyEqual}},
		{"Space", []ebiten.Key{ebiten.KeySpace}},
		{"Escape", []ebiten.Key{ebiten.KeyEscape}},
		{"ControlLeft", []ebiten.Key{ebiten.KeyControlLeft, ebiten.KeyControl}},
		{"ShiftRight", []ebiten.Key{ebiten.KeyShiftRight, ebiten.KeyShift}},
		{"Control", []ebiten.Key{ebiten.KeyControl}},
		{"A", nil}, // the DOM's code for A is KeyA
	} {
		if got := m[c.code]; !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.code, got, c.want)
		}
	}
}
