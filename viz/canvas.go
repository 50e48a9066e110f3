package viz

import (
	"image"
	"math"
	"strconv"

	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/viz/camera"
	"github.com/flowviz/flowviz/viz/densityview"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/scene"
)

// Layers says which canvas layers are drawn.
type Layers struct {
	Field, Particles, Trails, Trajectories, Clouds, Grid, Legend bool
	Density                                                      densityview.Mode // the density heatmap (Y), off by default
}

// DefaultLayers shows what a first look needs: grid, faint clouds, arrows,
// particles and the legend.
func DefaultLayers() Layers {
	return Layers{Field: true, Particles: true, Clouds: true, Grid: true, Legend: true}
}

// Canvas draws the world plane: grid, clouds, arrows, trajectories, trails and
// particles, in that order, batched into few DrawTriangles calls.
type Canvas struct {
	Cam    camera.Camera
	Layers Layers
	Scale  float64 // UI scale: line widths and dot sizes grow with it
	// Underlay draws into the cached layer, over the grid and the clouds,
	// under the arrows and particles: the density heatmap. It is redrawn
	// with the layer, so UnderlayVersion must change whenever what it
	// draws does.
	Underlay        func(dst *ebiten.Image, cam *camera.Camera)
	UnderlayVersion uint64

	batch   Batch
	ticks   []float64
	field   []flow.Vec // arrow velocities at the current t
	colours []palette.RGBA
	colFor  *flow.Vec // first start point of the draws the colours are for
	colMap  string    // colour map the colours are for
	// labelsFor is the first class label the colours are for, when the
	// particles are coloured by class (classColours).
	labelsFor *int
	trail     []flow.Vec

	static    *ebiten.Image // cached grid, labels and clouds
	staticKey staticKey
	dots      *ebiten.Image // the particles, uploaded from dotBuf
	dotBuf    []byte        // premultiplied RGBA of the particles' box, row-major
	dotXY     [][2]int32    // each particle's top-left pixel, MinInt32 if hidden
	dotCount  int           // particles drawn since the last Draw, for the stats
}

// maxTrajSegments bounds the segments of a whole trajectory; longer ones are
// subsampled. (Trails are scene.TrailPoints, shared with the GIF recorder.)
const maxTrajSegments = 100

// particleColours returns the colour of each particle by its start, cached
// per scene.
func (cv *Canvas) particleColours(sc *scene.Scene) []palette.RGBA {
	if c := cv.classColours(sc); c != nil {
		return c
	}
	cv.labelsFor = nil
	start := sc.Traj[0]
	// The sampler reuses the start draws across frames: recolour only when
	// they are new.
	if len(start) > 0 && &start[0] == cv.colFor && len(cv.colours) == len(start) && cv.colMap == palette.Colours().Name {
		return cv.colours
	}
	// Colour radius relative to the cloud's RMS radius so that the lightness
	// spreads evenly whatever the source's scale.
	var ss float64
	var n int
	for _, p := range start {
		if scene.Finite(p) {
			ss += p[0]*p[0] + p[1]*p[1]
			n++
		}
	}
	scale := 1.0
	if n > 0 && ss > 0 {
		scale = math.Sqrt(ss / float64(n))
	}
	if cap(cv.colours) < len(start) {
		cv.colours = make([]palette.RGBA, len(start))
	}
	cv.colours = cv.colours[:len(start)]
	for i, p := range start {
		cv.colours[i] = palette.Start(p[0], p[1], scale)
	}
	if len(start) > 0 {
		cv.colFor = &start[0]
	}
	cv.colMap = palette.Colours().Name
	return cv.colours
}

// Draw draws the layers of sc at time t with the particles at pos (already
// interpolated and blended by the caller).
//
// Software GL (Xvfb, llvmpipe) pays per triangle, so the layers that change
// rarely — grid lines and the clouds — are cached in an offscreen
// image redrawn only when the camera or the scene changes, and the particles
// are written as pixels into a buffer uploaded once per frame. What remains
// per frame is one textured quad per cached layer and a batch of arrows.
func (cv *Canvas) Draw(dst *ebiten.Image, sc *scene.Scene, t float64, pos []flow.Vec, fonts Fonts) {
	c := &cv.Cam
	cv.dotCount = 0
	w, h := int(c.W), int(c.H)
	if w < 1 || h < 1 {
		return
	}
	sub := dst.SubImage(imageRect(int(c.X), int(c.Y), int(c.X)+w, int(c.Y)+h)).(*ebiten.Image)
	var at ebiten.DrawImageOptions
	at.GeoM.Translate(float64(int(c.X)), float64(int(c.Y)))

	cv.drawStatic(sc, w, h)
	sub.DrawImage(cv.static, &at)

	b := &cv.batch
	b.Begin(sub)
	b.OX, b.OY = 0, 0
	if sc != nil {
		if cv.Layers.Field {
			cv.drawField(b, sc, t)
		}
		colours := cv.particleColours(sc)
		if cv.Layers.Trajectories {
			cv.drawTrajectories(b, sc, colours)
		}
		if cv.Layers.Trails {
			cv.drawTrails(b, sc, t, colours)
		}
		b.Flush()
		if cv.Layers.Particles {
			if box := cv.drawParticles(pos, colours, w, h); !box.Empty() {
				var op ebiten.DrawImageOptions
				op.GeoM.Translate(float64(int(c.X)+box.Min.X), float64(int(c.Y)+box.Min.Y))
				sub.DrawImage(cv.dots.SubImage(box).(*ebiten.Image), &op)
			}
		}
	}
	b.Flush()
	// The coordinates go on top so arrows never hide them.
	if cv.Layers.Grid {
		cv.drawTickLabels(sub, fonts)
	}
}

// release frees the canvas's offscreen images (an export's own canvas).
func (cv *Canvas) release() {
	for _, im := range []*ebiten.Image{cv.static, cv.dots} {
		if im != nil {
			im.Deallocate()
		}
	}
	cv.static, cv.dots = nil, nil
}

// staticKey is what the cached layer depends on.
type staticKey struct {
	cam          camera.Camera
	scale        float64
	source       cloud
	target       cloud
	grid, clouds bool
	w, h         int
	theme        string // the layer is drawn in the theme's colours
	underlay     uint64
}

// cloud identifies a point set by its first element and length: the sampler
// hands out the same immutable slices until the data or the draws change.
type cloud struct {
	first *flow.Vec
	n     int
}

func cloudID(pts []flow.Vec) cloud {
	if len(pts) == 0 {
		return cloud{}
	}
	return cloud{&pts[0], len(pts)}
}

// drawStatic redraws the cached grid and clouds if needed.
func (cv *Canvas) drawStatic(sc *scene.Scene, w, h int) {
	key := staticKey{cam: cv.Cam, scale: cv.Scale, grid: cv.Layers.Grid, clouds: cv.Layers.Clouds, w: w, h: h, theme: palette.CurrentTheme().Name, underlay: cv.UnderlayVersion}
	if sc != nil {
		key.source, key.target = cloudID(sc.Source), cloudID(sc.Target)
	}
	if cv.static != nil && key == cv.staticKey {
		return
	}
	if cv.static == nil || cv.static.Bounds().Dx() != w || cv.static.Bounds().Dy() != h {
		if cv.static != nil {
			cv.static.Deallocate()
		}
		cv.static = ebiten.NewImage(w, h)
	}
	cv.staticKey = key
	cv.static.Clear()
	b := &cv.batch
	b.Begin(cv.static)
	b.OX, b.OY = float32(int(cv.Cam.X)), float32(int(cv.Cam.Y))
	if cv.Layers.Grid {
		cv.drawGrid(b)
	}
	if sc != nil && cv.Layers.Clouds {
		s := float32(cv.Scale)
		cv.drawCloud(b, sc.Source, palette.Source, 2.2*s)
		cv.drawCloud(b, sc.Target, palette.Target, 2.2*s)
	}
	b.Flush()
	b.OX, b.OY = 0, 0
	if cv.Underlay != nil {
		// The layer's pixel (0, 0) is the canvas's top-left corner.
		at := cv.Cam
		at.SetViewport(0, 0, at.W, at.H)
		cv.Underlay(cv.static, &at)
	}
}

// gridStep is the world spacing of the grid lines: at least 70 px apart.
func (cv *Canvas) gridStep() float64 { return camera.NiceStep(cv.Cam.Zoom, 70*cv.Scale) }

func (cv *Canvas) drawGrid(b *Batch) {
	c := &cv.Cam
	x0, y0, x1, y1 := c.Visible()
	step := cv.gridStep()
	w := float32(max(1, cv.Scale))
	minor := step / 5
	// Minor lines only when they are at least 10 px apart.
	if minor*c.Zoom >= 10*cv.Scale {
		cv.ticks = camera.Ticks(cv.ticks[:0], x0, x1, minor, 2000)
		for _, x := range cv.ticks {
			sx, _ := c.ToScreen(x, 0)
			b.Rect(float32(sx)-w/2, float32(c.Y), w, float32(c.H), palette.GridMinor)
		}
		cv.ticks = camera.Ticks(cv.ticks[:0], y0, y1, minor, 2000)
		for _, y := range cv.ticks {
			_, sy := c.ToScreen(0, y)
			b.Rect(float32(c.X), float32(sy)-w/2, float32(c.W), w, palette.GridMinor)
		}
	}
	cv.ticks = camera.Ticks(cv.ticks[:0], x0, x1, step, 400)
	for _, x := range cv.ticks {
		sx, _ := c.ToScreen(x, 0)
		col := palette.GridMajor
		if x == 0 {
			col = palette.Axis
		}
		b.Rect(float32(sx)-w/2, float32(c.Y), w, float32(c.H), col)
	}
	cv.ticks = camera.Ticks(cv.ticks[:0], y0, y1, step, 400)
	for _, y := range cv.ticks {
		_, sy := c.ToScreen(0, y)
		col := palette.GridMajor
		if y == 0 {
			col = palette.Axis
		}
		b.Rect(float32(c.X), float32(sy)-w/2, float32(c.W), w, col)
	}
}

// drawTickLabels writes the coordinates of the major lines along the bottom
// and left edges of the canvas.
func (cv *Canvas) drawTickLabels(dst *ebiten.Image, fonts Fonts) {
	c := &cv.Cam
	x0, y0, x1, y1 := c.Visible()
	step := cv.gridStep()
	pad := 5 * cv.Scale
	cv.ticks = camera.Ticks(cv.ticks[:0], x0, x1, step, 400)
	for _, x := range cv.ticks {
		sx, _ := c.ToScreen(x, 0)
		if sx < c.X+40*cv.Scale { // keep clear of the y labels
			continue
		}
		drawText(dst, tickLabel(x, step), fonts.Small, sx+pad, c.Y+c.H-pad, BottomLeft, palette.Dim)
	}
	cv.ticks = camera.Ticks(cv.ticks[:0], y0, y1, step, 400)
	for _, y := range cv.ticks {
		_, sy := c.ToScreen(0, y)
		if sy > c.Y+c.H-30*cv.Scale {
			continue
		}
		drawText(dst, tickLabel(y, step), fonts.Small, c.X+pad, sy-pad, BottomLeft, palette.Dim)
	}
}

// tickLabel prints v with as many decimals as the step needs.
func tickLabel(v, step float64) string {
	decimals := 0
	if step < 1 {
		decimals = int(math.Ceil(-math.Log10(step) - 1e-9))
	}
	return strconv.FormatFloat(v, 'f', decimals, 64)
}

// maxCloud is how many points of each cloud are drawn: enough to show the
// shape, few enough to stay cheap.
const maxCloud = 3000

func (cv *Canvas) drawCloud(b *Batch, pts []flow.Vec, col palette.RGBA, size float32) {
	c := &cv.Cam
	stride := max(1, (len(pts)+maxCloud-1)/maxCloud)
	for i := 0; i < len(pts); i += stride {
		p := pts[i]
		if !scene.Finite(p) {
			continue
		}
		sx, sy := c.ToScreen(p[0], p[1])
		if !c.Contains(sx, sy) {
			continue
		}
		b.Rect(float32(sx)-size/2, float32(sy)-size/2, size, size, col)
	}
}

// drawField draws one arrow per grid point. Lengths are normalised to the
// grid cell: ℓ = 0.9·cell·(0.3 + 0.7·|v|/max|v|), so the longest arrow just
// reaches the next one and even slow arrows show their direction; the colour
// carries the speed.
func (cv *Canvas) drawField(b *Batch, sc *scene.Scene, t float64) {
	if len(sc.GridPts) == 0 || sc.Grid < 1 {
		return
	}
	c := &cv.Cam
	cv.field = sc.FieldAt(cv.field, t)
	cellW := (sc.View[2] - sc.View[0]) / float64(sc.Grid) * c.Zoom
	cellH := (sc.View[3] - sc.View[1]) / float64(sc.Grid) * c.Zoom
	cell := math.Min(cellW, cellH)
	maxSpeed := sc.MaxSpeed
	width := float32(math.Max(1.2, math.Min(2.5*cv.Scale, cell/14)) * palette.LineWidth)
	head := float32(math.Min(9*cv.Scale, cell*0.35))
	for j, p := range sc.GridPts {
		v := cv.field[j]
		if !scene.Finite(p) || !scene.Finite(v) {
			continue
		}
		sx, sy := c.ToScreen(p[0], p[1])
		if sx < c.X-cell || sx > c.X+c.W+cell || sy < c.Y-cell || sy > c.Y+c.H+cell {
			continue
		}
		speed := math.Hypot(v[0], v[1])
		u := 0.0
		if maxSpeed > 0 {
			u = math.Min(1, speed/maxSpeed)
		}
		l := 0.9 * cell * (0.3 + 0.7*u)
		var dx, dy float64
		if speed > 0 {
			dx, dy = v[0]/speed*l, -v[1]/speed*l // screen y points down
		}
		// Centre the arrow on its grid point.
		b.Arrow(float32(sx-dx/2), float32(sy-dy/2), float32(dx), float32(dy), width, head, palette.Speed(speed, maxSpeed))
	}
}

// drawParticles writes each particle as a small opaque square of its colour
// into a pixel buffer covering the particles' bounding box, uploads that box
// into the dots layer and returns it (empty when nothing is visible). Only
// the box is uploaded and drawn: a cloud that has formed a shape covers a
// fraction of the canvas, and software GL pays for every pixel.
func (cv *Canvas) drawParticles(pos []flow.Vec, colours []palette.RGBA, w, h int) image.Rectangle {
	if cv.dots == nil || cv.dots.Bounds().Dx() != w || cv.dots.Bounds().Dy() != h {
		if cv.dots != nil {
			cv.dots.Deallocate()
		}
		cv.dots = ebiten.NewImage(w, h)
	}
	c := &cv.Cam
	// Dots shrink a little as their number grows so 50k stay readable.
	n := len(pos)
	size := int(math.Round(cv.Scale * 4))
	switch {
	case n > 20000:
		size = int(math.Round(cv.Scale * 2.5))
	case n > 5000:
		size = int(math.Round(cv.Scale * 3))
	}
	size = max(1, size)
	half := float64(size) / 2

	// First pass: each visible particle's top-left pixel, and their box.
	if cap(cv.dotXY) < n {
		cv.dotXY = make([][2]int32, n)
	}
	xy := cv.dotXY[:n]
	box := image.Rectangle{Min: image.Pt(w, h)}
	for i, p := range pos {
		xy[i] = [2]int32{math.MinInt32, 0}
		if !scene.Finite(p) {
			continue
		}
		sx, sy := c.ToScreen(p[0], p[1])
		fx, fy := math.Floor(sx-c.X-half), math.Floor(sy-c.Y-half)
		if fx >= float64(w) || fy >= float64(h) || fx+float64(size) <= 0 || fy+float64(size) <= 0 {
			continue
		}
		x0, y0 := int(fx), int(fy)
		xy[i] = [2]int32{int32(x0), int32(y0)}
		box.Min.X, box.Min.Y = min(box.Min.X, max(0, x0)), min(box.Min.Y, max(0, y0))
		box.Max.X, box.Max.Y = max(box.Max.X, min(w, x0+size)), max(box.Max.Y, min(h, y0+size))
	}
	if box.Empty() {
		return image.Rectangle{}
	}
	bw, bh := box.Dx(), box.Dy()
	if cap(cv.dotBuf) < 4*bw*bh {
		cv.dotBuf = make([]byte, 4*w*h)
	}
	buf := cv.dotBuf[:4*bw*bh]
	clear(buf)
	for i, q := range xy {
		if q[0] == math.MinInt32 {
			continue
		}
		col := palette.RGBA{R: 1, G: 1, B: 1, A: 1}
		if i < len(colours) {
			col = colours[i]
		}
		r, g, bl := byte(col.R*255+0.5), byte(col.G*255+0.5), byte(col.B*255+0.5)
		x0, y0 := int(q[0])-box.Min.X, int(q[1])-box.Min.Y
		for y := max(0, y0); y < min(bh, y0+size); y++ {
			row := buf[4*(y*bw):]
			for x := max(0, x0); x < min(bw, x0+size); x++ {
				px := row[4*x : 4*x+4 : 4*x+4]
				px[0], px[1], px[2], px[3] = r, g, bl, 255
			}
		}
		cv.dotCount++
	}
	cv.dots.SubImage(box).(*ebiten.Image).WritePixels(buf)
	return box
}

// drawTrails draws, behind the first particles, their path over the last
// scene.TrailSpan of t, fading to transparent at the tail.
func (cv *Canvas) drawTrails(b *Batch, sc *scene.Scene, t float64, colours []palette.RGBA) {
	c := &cv.Cam
	n := sc.Trailed()
	if n == 0 {
		return
	}
	w := float32(1.5 * cv.Scale)
	cv.trail = sc.TrailPoints(cv.trail, t)
	for i := range n {
		col := colours[i]
		for s := range scene.TrailSegments {
			p, q := cv.trail[s*n+i], cv.trail[(s+1)*n+i]
			if !scene.Finite(p) || !scene.Finite(q) {
				continue
			}
			x0, y0 := c.ToScreen(p[0], p[1])
			x1, y1 := c.ToScreen(q[0], q[1])
			b.Line(float32(x0), float32(y0), float32(x1), float32(y1), w, col.WithAlpha(scene.TrailAlpha(s)), col.WithAlpha(scene.TrailAlpha(s+1)))
		}
	}
}

// drawTrajectories draws a subset of whole trajectories as thin lines.
func (cv *Canvas) drawTrajectories(b *Batch, sc *scene.Scene, colours []palette.RGBA) {
	c := &cv.Cam
	n := min(sc.Particles(), 300)
	steps := sc.Steps()
	if n == 0 || steps == 0 {
		return
	}
	stride := max(1, (steps+maxTrajSegments-1)/maxTrajSegments)
	w := float32(1.2 * cv.Scale)
	// Spread the chosen particles over the whole set, not just the first few.
	every := max(1, sc.Particles()/n)
	for i := 0; i < sc.Particles(); i += every {
		col := colours[i].WithAlpha(0.45)
		prev := sc.Traj[0][i]
		for k := stride; ; k += stride {
			k = min(k, steps)
			p := sc.Traj[k][i]
			if scene.Finite(prev) && scene.Finite(p) {
				x0, y0 := c.ToScreen(prev[0], prev[1])
				x1, y1 := c.ToScreen(p[0], p[1])
				b.Line(float32(x0), float32(y0), float32(x1), float32(y1), w, col, col)
			}
			prev = p
			if k == steps {
				break
			}
		}
	}
}
