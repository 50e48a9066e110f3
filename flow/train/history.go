package train

// historyLen bounds LossHistory, so a snapshot's copy stays small however
// long training runs.
const historyLen = 512

// lossCurve is the loss per step downsampled to at most historyLen points:
// each point averages stride consecutive steps, and when the curve is full
// neighbouring points merge pairwise and the stride doubles.
type lossCurve struct {
	points []float32
	stride int
	sum    float64 // losses of the point being filled
	n      int     // how many steps are in sum
}

func (c *lossCurve) reset() {
	if c.points == nil {
		c.points = make([]float32, 0, historyLen)
	}
	c.points = c.points[:0]
	c.stride, c.sum, c.n = 1, 0, 0
}

func (c *lossCurve) add(loss float64) {
	c.sum += loss
	c.n++
	if c.n < c.stride {
		return
	}
	c.points = append(c.points, float32(c.sum/float64(c.n)))
	c.sum, c.n = 0, 0
	if len(c.points) == historyLen {
		for i := range historyLen / 2 {
			c.points[i] = (c.points[2*i] + c.points[2*i+1]) / 2
		}
		c.points = c.points[:historyLen/2]
		c.stride *= 2
	}
}

// values returns a copy of the finished points.
func (c *lossCurve) values() []float32 {
	return append([]float32(nil), c.points...)
}

// LossCurve is the same curve for other trainers (the image trainer of
// flow/hd); its zero value is ready to use.
type LossCurve struct{ c lossCurve }

// Add records one step's loss.
func (l *LossCurve) Add(loss float64) {
	if l.c.stride == 0 {
		l.c.reset()
	}
	l.c.add(loss)
}

// Values returns a copy of the finished points.
func (l *LossCurve) Values() []float32 { return l.c.values() }

// Reset empties the curve.
func (l *LossCurve) Reset() { l.c.reset() }
