//go:build !js

package viz

import (
	"os"
	"os/signal"
	"syscall"
)

// onQuitSignal calls quit once on SIGINT or SIGTERM and returns the function
// that stops listening.
func onQuitSignal(quit func()) (stop func()) {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	go func() {
		if _, ok := <-signals; ok {
			quit()
		}
	}()
	return func() {
		signal.Stop(signals)
		close(signals)
	}
}
