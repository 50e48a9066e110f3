package input

import (
	"strings"

	"github.com/hajimehoshi/ebiten/v2"
)

// domCodes maps a DOM KeyboardEvent.code to the ebiten keys it presses:
// ebiten's key names are the DOM's codes, but for the letters ("KeyA" is
// ebiten's "A"); a modifier also presses its side-less key.
func domCodes() map[string][]ebiten.Key {
	m := map[string][]ebiten.Key{}
	for k := ebiten.Key(0); k <= ebiten.KeyMax; k++ {
		name := k.String()
		if name == "" {
			continue
		}
		if len(name) == 1 && name[0] >= 'A' && name[0] <= 'Z' {
			name = "Key" + name
		}
		m[name] = append(m[name], k)
	}
	for _, mod := range []struct {
		prefix string
		key    ebiten.Key
	}{{"Control", ebiten.KeyControl}, {"Shift", ebiten.KeyShift}, {"Alt", ebiten.KeyAlt}, {"Meta", ebiten.KeyMeta}} {
		for code := range m {
			if strings.HasPrefix(code, mod.prefix) && code != mod.prefix {
				m[code] = append(m[code], mod.key)
			}
		}
	}
	return m
}
