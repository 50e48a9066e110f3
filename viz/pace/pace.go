// Package pace keeps work on background goroutines to a share of the page's
// one thread in WebAssembly; on the desktop it does nothing.
package pace

import (
	"context"
	"sync/atomic"
	"time"
)

// Rest blocks, after work that began at start, for as long as keeps that
// work to Share of the time, or until ctx ends. It returns at once where
// Share is 0. In a page the work still holds the thread while it
// computes; while it rests, the page draws and reads input.
func Rest(ctx context.Context, start time.Time) {
	if Share == 0 {
		return
	}
	// work/(work + rest) = Share ⇒ rest = work·(1/Share − 1).
	d := time.Duration(float64(time.Since(start)) * (1/Share - 1))
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// pacerKey is the context key of a pacer.
type pacerKey struct{}

// pacer is when the work since the last pause began, in Unix nanoseconds.
type pacer struct{ since atomic.Int64 }

// With returns ctx carrying a pacer, for Pause; the work is counted from
// now.
func With(ctx context.Context) context.Context {
	p := &pacer{}
	p.since.Store(time.Now().UnixNano())
	return context.WithValue(ctx, pacerKey{}, p)
}

// Pause rests (Rest) after the work done since ctx's last Pause or since
// With. Long measurements call it between their pieces (a solver step, a
// row of a table), where nothing is held that the page needs. Without a
// pacer in ctx, or where Share is 0, it returns at once.
func Pause(ctx context.Context) {
	if Share == 0 {
		return
	}
	p, ok := ctx.Value(pacerKey{}).(*pacer)
	if !ok {
		return
	}
	Rest(ctx, time.Unix(0, p.since.Load()))
	p.since.Store(time.Now().UnixNano())
}
