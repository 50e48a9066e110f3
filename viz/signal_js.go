//go:build js

package viz

// onSignals does nothing in the browser: a page has no signals; closing
// its tab ends everything.
func onSignals(func()) (stop func()) { return func() {} }
