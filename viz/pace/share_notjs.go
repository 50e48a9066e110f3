//go:build !js

package pace

// Share 0: on the desktop background goroutines have threads of their own
// and need not rest.
var Share = 0.0
