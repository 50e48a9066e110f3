package viz

import "github.com/flowviz/flowviz/viz/link"

// sceneLink is the fragment of the scene on screen: pane A's settings, the
// lesson shown and compare mode's change (see package link); in a lesson,
// the user's own compare mode, which the lesson's two panes stand in for.
// The Keep section's Copy link gives it: in a browser the page's address
// with it, copied to the clipboard; on the desktop the -link flag, printed
// (shareLink).
func sceneLink(ps *Panes, ls *Lessons) string {
	lesson, compare := 0, ""
	switch {
	case ls.active():
		lesson = ls.cur + 1
		if st := ls.saved.compare; st != nil {
			compare = st.cmp.spec()
		}
	case len(ps.all) > 1:
		compare = ps.cmp.Spec
	}
	return link.Format(ps.all[0].settings, lesson, compare)
}
