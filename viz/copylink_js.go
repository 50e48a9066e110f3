//go:build js

package viz

import "syscall/js"

// shareLink puts the fragment in the page's address (without reloading or
// adding a history entry) and copies the whole link to the clipboard. The
// clipboard may refuse (no focus, no permission): the address bar then
// holds the link to copy by hand.
func shareLink(frag string) string {
	w := js.Global()
	loc := w.Get("location")
	url := loc.Get("origin").String() + loc.Get("pathname").String() + frag
	w.Get("history").Call("replaceState", nil, "", frag)
	w.Set("flowvizLink", url)
	if cb := w.Get("navigator").Get("clipboard"); cb.Truthy() {
		var failed js.Func
		failed = js.FuncOf(func(js.Value, []js.Value) any {
			defer failed.Release()
			w.Get("console").Call("warn", "flowviz: the clipboard refused the link; it is in the address bar: "+url)
			return nil
		})
		cb.Call("writeText", url).Call("catch", failed)
	}
	return "link copied (and in the address bar): " + url
}
