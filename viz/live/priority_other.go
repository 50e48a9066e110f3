//go:build !linux

package live

// LowerPriority is a no-op where per-thread priorities are not available.
func LowerPriority() {}
