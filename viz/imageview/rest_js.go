//go:build js

package imageview

// runShare is the most of the page's one thread the trainer and the
// sampler may each take: in WebAssembly goroutines take turns only where
// one blocks, so a loop that never blocks would hold the page for good.
var runShare = 0.15
