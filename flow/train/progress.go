package train

import (
	"context"
	"time"
)

// Progress is how far StepUntil has come, for a progress line.
type Progress struct {
	Step, Until int           // steps taken in all, and the goal
	Loss        float64       // last batch's loss
	AvgLoss     float64       // the newest snapshot's smoothed loss
	Rate        float64       // steps per second since StepUntil began
	ETA         time.Duration // at that rate
}

// StepUntil takes steps synchronously until the trainer has taken until
// steps in all, a step fails (that error) or ctx is cancelled (ctx.Err()),
// then publishes a snapshot of where it stopped. report, when not nil, is
// called at most once per every with the progress so far, and not at all for
// runs shorter than that. Not concurrently with Run.
func (tr *Trainer) StepUntil(ctx context.Context, until int, every time.Duration, report func(Progress)) (err error) {
	defer tr.Publish()
	tr.Publish() // so that Latest has the step we start from
	start := time.Now()
	first := tr.Latest().Step
	last := start
	for step := first; step < until; step++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		loss, err := tr.Step()
		if err != nil {
			return err
		}
		if now := time.Now(); report != nil && now.Sub(last) >= every {
			last = now
			rate := float64(step+1-first) / now.Sub(start).Seconds()
			report(Progress{
				Step: step + 1, Until: until, Loss: loss, AvgLoss: tr.Latest().Loss, Rate: rate,
				ETA: time.Duration(float64(until-step-1) / rate * float64(time.Second)),
			})
		}
	}
	return nil
}
