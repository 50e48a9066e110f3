//go:build !js

package imageview

// runShare 0: on the desktop the trainer and the sampler have threads of
// their own, below the render loop's priority, and need not rest.
var runShare = 0.0
