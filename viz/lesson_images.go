package viz

import (
	"fmt"

	"github.com/flowviz/flowviz/viz/lesson"
	"github.com/flowviz/flowviz/viz/scene"
)

// imagesKind is the high-dimensional lesson: its settings name an image
// target, so the game shows the image view (imagepane.go) in the figure,
// and the column says what is the same as in the plane.
type imagesKind struct{ trainedKind }

var _ lessonKind = (*imagesKind)(nil)

func (*imagesKind) open(g *Game, _ *lesson.Lesson, _ *scene.Settings) { g.tl.Play() }

// lines are the live figures of the image model.
func (*imagesKind) lines(g *Game) []numLine {
	if g.img == nil {
		return []numLine{proseLine("starting the image model…")}
	}
	st := g.img.be.Status()
	lines := []numLine{
		textLine(fmt.Sprintf("%d numbers per point, network %d×%d", g.img.be.Config().Net.PointDim(), g.img.be.Config().Net.Depth, g.img.be.Config().Net.Width)),
		textLine(fmt.Sprintf("step %s · loss %s · %s steps/s", thousands(st.Step), lossText(st.Loss), thousands(int(st.StepsPerSec+0.5)))),
	}
	if v := g.img.variance(); v > 0 {
		lines = append(lines, textLine(fmt.Sprintf("PC1 and PC2 hold %.0f %% of the variance", 100*v)))
	}
	return append(lines, proseLine("the velocity x1 − x0 is a difference of images; sampling adds 1/N of it N times"))
}
