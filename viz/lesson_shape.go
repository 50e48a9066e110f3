package viz

import (
	"fmt"

	"github.com/flowviz/flowviz/viz/lesson"
	"github.com/flowviz/flowviz/viz/scene"
)

// shapeKind is lesson 8: the user draws the target and the model learns it.
type shapeKind struct{ trainedKind }

var (
	_ lessonKind      = (*shapeKind)(nil)
	_ lessonKeepsWork = (*shapeKind)(nil)
)

func (*shapeKind) open(c *lessonContext, _ *lesson.Lesson, _ *scene.Settings) {
	c.draw.On, c.draw.ToSource = true, false
	c.tl.Play()
}

// keepsWork: what is drawn here is the user's own work.
func (*shapeKind) keepsWork() bool { return true }

// lines says what to do in the last lesson.
func (*shapeKind) lines(c *lessonContext) []numLine {
	n := 0
	if doc := c.draw.target; doc != nil {
		n = doc.Len()
	}
	return []numLine{
		textLine(fmt.Sprintf("%s points drawn", thousands(n))),
		proseLine("hold the left button on the canvas to paint the target, or type text in the panel's Draw section; Ctrl+Z undoes"),
		proseLine("an image is one point in H×W×3 dimensions: the same loop learns it, only the network is larger"),
	}
}
