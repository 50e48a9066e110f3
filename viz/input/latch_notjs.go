//go:build !js

package input

// addLatched does nothing on the desktop: GLFW's sticky keys and buttons
// keep a press shorter than a frame until the next tick reads it.
func (s *Snapshot) addLatched() {}
