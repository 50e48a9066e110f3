package viz

import "github.com/flowviz/flowviz/viz/link"

// sceneLink is the fragment of the scene on screen: pane A's settings, the
// lesson shown and compare mode's change (see package link). The Keep
// section's Copy link gives it: in a browser the page's address with it,
// copied to the clipboard; on the desktop the -link flag, printed
// (shareLink).
func (g *Game) sceneLink() string {
	lesson := 0
	if g.lessons.active() {
		lesson = g.lessons.cur + 1
	}
	ps := g.panes
	compare := ""
	if len(ps.all) > 1 {
		compare = ps.cmp.Spec
	}
	return link.Format(ps.all[0].settings, lesson, compare)
}
