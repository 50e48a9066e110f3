//go:build !linux

package live

// lowerPriority is a no-op where per-thread priorities are not available.
func lowerPriority() {}
