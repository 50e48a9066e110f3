//go:build js

package pace

// Share is the most of the page's one thread a paced goroutine may take:
// in WebAssembly goroutines take turns only where one blocks, so a loop
// that never blocks would hold the page until it ends.
var Share = 0.15
