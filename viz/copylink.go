package viz

import "github.com/flowviz/flowviz/viz/link"

// sceneLink is the fragment of the scene on screen: pane A's settings, the
// lesson shown and compare mode's change (see package link).
func (g *Game) sceneLink() string {
	lesson := 0
	if g.lessons.active() {
		lesson = g.lessons.cur + 1
	}
	compare := ""
	if len(g.panes) > 1 {
		compare = g.cmp.Spec
	}
	return link.Format(g.pane.settings, lesson, compare)
}

// copyLink gives the link of what is on screen: in a browser the page's
// address with the scene's fragment, copied to the clipboard; on the
// desktop the fragment for -link, printed.
func (g *Game) copyLink() {
	g.setStatus(shareLink(g.sceneLink()), false)
}
