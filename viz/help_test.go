package viz

import (
	"fmt"
	"strings"
	"testing"

	"github.com/flowviz/flowviz/viz/keymap"
)

func TestHelpFitsTheScreen(t *testing.T) {
	entries := len(helpEntries())
	if want := len(keymap.Extra); entries < 30+want {
		t.Fatalf("help lists only %d entries", entries)
	}
	for _, size := range [][2]float64{{1920, 1080}, {1280, 800}, {1024, 640}, {640, 400}} {
		for s := 1.0; s <= 4; s++ {
			screen := rect{0, 0, size[0], size[1]}
			l := layoutHelp(screen, s)
			name := fmt.Sprintf("%v×%v at scale %v", size[0], size[1], s)
			b := l.box
			if b.X < 0 || b.Y < 0 || b.X+b.W > screen.W || b.Y+b.H > screen.H {
				t.Errorf("%s: box %v runs off screen", name, b)
			}
			for _, it := range l.items {
				lines := strings.Split(it.text, "\n")
				w := 0.0
				for _, ln := range lines {
					w = max(w, textWidth(ln, l.fonts.Body))
				}
				right := b.X + it.x + it.textX + w
				bottom := b.Y + it.y + float64(len(lines))*l.fonts.Body.Size*1.3
				if right > b.X+b.W || bottom > b.Y+b.H {
					t.Errorf("%s: %q ends at (%.0f, %.0f), outside the box %v", name, it.label, right, bottom, b)
				}
			}
			if size[0] == 1920 && l.more > 0 {
				t.Errorf("%s: %d entries left out", name, l.more)
			}
			if size[0] == 1920 && s <= 2 && l.scale != s {
				t.Errorf("%s: help drawn at scale %v, want the UI scale", name, l.scale)
			}
			if l.scale > s {
				t.Errorf("%s: help larger than the UI (%v)", name, l.scale)
			}
			t.Logf("%s: help at scale %v, %d entries, box %.0f×%.0f, %d left out", name, l.scale, len(l.items), b.W, b.H, l.more)
		}
	}
}
