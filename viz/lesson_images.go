package viz

import (
	"fmt"

	"github.com/flowviz/flowviz/viz/lesson"
	"github.com/flowviz/flowviz/viz/scene"
)

func init() { registerLessonKind(imagesKind, func() lessonKind { return &imagesLesson{} }, nil) }

// imagesLesson is the high-dimensional lesson: its settings name an image
// target, so the game shows the image view (imagepane.go) in the figure,
// and the column says what is the same as in the plane.
type imagesLesson struct{ trainedKind }

var _ lessonKind = (*imagesLesson)(nil)

func (*imagesLesson) open(c *lessonContext, _ *lesson.Lesson, _ *scene.Settings) { c.tl.Play() }

// lines are the live figures of the image model.
func (*imagesLesson) lines(c *lessonContext) []numLine {
	var ip *imagePane
	if c.lessons.images != nil {
		ip = c.lessons.images()
	}
	if ip == nil {
		return []numLine{proseLine("starting the image model…")}
	}
	st, cfg := ip.be.Status(), ip.be.Config()
	lines := []numLine{
		textLine(fmt.Sprintf("%d numbers per point, network %d×%d", cfg.Net.PointDim(), cfg.Net.Depth, cfg.Net.Width)),
		textLine(fmt.Sprintf("step %s · loss %s · %s steps/s", thousands(st.Step), lossText(st.Loss), thousands(int(st.StepsPerSec+0.5)))),
	}
	if v := ip.variance(); v > 0 {
		lines = append(lines, textLine(fmt.Sprintf("PC1 and PC2 hold %.0f %% of the variance", 100*v)))
	}
	return append(lines, proseLine("the velocity x1 − x0 is a difference of images; sampling adds 1/N of it N times"))
}
