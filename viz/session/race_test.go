//go:build race

package session

// raceEnabled skips the tests that are too slow under the race detector.
const raceEnabled = true
