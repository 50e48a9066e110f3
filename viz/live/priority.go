package live

// LowerPriority moves the calling goroutine's thread below the render loop,
// as the trainer's and sampler's are: for the app's other background work
// (the image view's trainer and sampler).
func LowerPriority() { lowerPriority() }
