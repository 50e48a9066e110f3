//go:build race

package viz

// raceEnabled lets the slowest drawing tests shrink under the race detector,
// which slows ebiten's and debugui's internals tenfold and finds nothing in
// single-goroutine drawing code.
const raceEnabled = true
