//go:build !js

package viz

import (
	"os"
	"os/signal"
	"syscall"
)

// onSignals calls quit on the first SIGINT or SIGTERM until the returned
// stop is called. Stop unsubscribes before it closes the channel: a signal
// in between would otherwise be sent on a closed channel and panic.
func onSignals(quit func()) (stop func()) {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, ok := <-signals; ok {
			quit()
		}
	}()
	return func() {
		signal.Stop(signals)
		close(signals)
		<-done
	}
}
