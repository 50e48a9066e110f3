//go:build js

package viz

// onQuitSignal does nothing in the browser: a page has no signals; closing
// its tab ends everything.
func onQuitSignal(func()) (stop func()) { return func() {} }
