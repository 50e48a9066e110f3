package viz

import (
	"os"
	"os/signal"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Bug 4 of issue 15: a burst of SIGTERMs while Run returns must not panic
// with "send on closed channel". The signals are sent to this process;
// an outer subscription keeps them from ending it between two rounds.
func TestSignalBurstAtExitDoesNotPanic(t *testing.T) {
	outer := make(chan os.Signal, 1)
	signal.Notify(outer, syscall.SIGTERM)
	var lastSignal atomic.Int64 // UnixNano of the last SIGTERM the outer subscription saw
	go func() {
		for range outer {
			lastSignal.Store(time.Now().UnixNano())
		}
	}()
	// The outer subscription stays until the burst's last signals have
	// arrived: one still in flight when it stopped would end the test
	// binary with the default action.
	defer func() {
		for quiet := time.Now().Add(5 * time.Second); time.Now().Before(quiet); {
			if time.Since(time.Unix(0, lastSignal.Load())) > 300*time.Millisecond {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		signal.Stop(outer)
	}()
	var stopBurst atomic.Bool
	burst := make(chan struct{})
	go func() {
		defer close(burst)
		for !stopBurst.Load() {
			syscall.Kill(os.Getpid(), syscall.SIGTERM)
		}
	}()
	var quits atomic.Int32
	deadline := time.Now().Add(2 * time.Second)
	rounds := 0
	for ; time.Now().Before(deadline); rounds++ {
		stop := onSignals(func() { quits.Add(1) })
		stop()
	}
	stopBurst.Store(true)
	<-burst
	if quits.Load() == 0 {
		t.Fatalf("no signal reached quit in %d rounds", rounds)
	}
	t.Logf("%d rounds, %d quits", rounds, quits.Load())
}
