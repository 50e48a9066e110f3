package viz

import (
	"strings"
	"testing"

	"github.com/flowviz/flowviz/viz/keymap"
)

// TestScoreKeyTogglesTheFocusedPanesArrows presses U: on a path with a
// score the focused pane's arrows switch to the score and back, the edit
// is marked for the backend and the panel shows it; on the linear path
// with σ > 0 the arrows stay the velocity and the status line says why.
func TestScoreKeyTogglesTheFocusedPanesArrows(t *testing.T) {
	cases := []struct {
		name      string
		sigma     float64
		presses   int
		wantScore bool
		wantErr   bool
		wantSays  string
	}{
		{"σ = 0, once", 0, 1, true, false, "the score"},
		{"σ = 0, twice", 0, 2, false, false, "the velocity"},
		{"σ > 0 has no score", 0.1, 1, false, true, "has no score"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g := testGame(t, newSynthetic(200, 20, 8), 1280, 800)
			p := g.panes.cur
			p.settings.Sigma, p.settings.Score = tc.sigma, false
			p.dirty = false
			for range tc.presses {
				g.do(keymap.ToggleScore)
			}
			if p.settings.Score != tc.wantScore {
				t.Errorf("Score = %v after %d presses, want %v", p.settings.Score, tc.presses, tc.wantScore)
			}
			if g.ui.statusErr != tc.wantErr || !strings.Contains(g.ui.status, tc.wantSays) {
				t.Errorf("status %q (error %v), want one saying %q (error %v)", g.ui.status, g.ui.statusErr, tc.wantSays, tc.wantErr)
			}
			if p.dirty == tc.wantErr {
				t.Errorf("dirty = %v: an accepted toggle must reach the backend, a refused one must not", p.dirty)
			}
		})
	}
}
