package viz

import (
	"fmt"
	"image"
	"math"
	"time"

	"github.com/ebitengine/debugui"
	"github.com/hajimehoshi/ebiten/v2"

	"github.com/flowviz/flowviz/flow"
	"github.com/flowviz/flowviz/flow/hd"
	"github.com/flowviz/flowviz/viz/appstate"
	"github.com/flowviz/flowviz/viz/imageview"
	"github.com/flowviz/flowviz/viz/input"
	"github.com/flowviz/flowviz/viz/lesson"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/scene"
	"github.com/flowviz/flowviz/viz/session"
	"github.com/flowviz/flowviz/viz/timeline"
)

// imagePane is the image view on the canvas (the digits targets): its own
// trainer and sampler (imageview.Backend) and its own Update/Draw. The
// game shows it instead of the 2D pane while the target is an image one.
type imagePane struct {
	be     *imageview.Backend
	resume bool // the 2D training ran when the view opened: resume it on closing
	stop   func()
	view   imageview.View
	lay    imageview.Layout
	// asked is another model the settings ask for since askedAt (the zero
	// Config when they ask for this one).
	asked   hd.Config
	askedAt time.Time

	// Pictures uploaded to the GPU, redrawn only when what they show
	// changed (a new frame, t, the chosen sample).
	grid, strip, near pictureCache
	buf               []float32
	proj              []flow.Vec
	box               struct {
		seq int
		b   [4]float64
	}
	batch Batch
}

// pictureCache is one picture built on the CPU and its GPU copy.
type pictureCache struct {
	pic *image.RGBA
	img *ebiten.Image
	key [4]float64
}

// show returns the GPU image of what paint builds, rebuilt when key differs.
func (c *pictureCache) show(key [4]float64, paint func(*image.RGBA) *image.RGBA) *ebiten.Image {
	if c.img != nil && key == c.key {
		return c.img
	}
	c.key = key
	c.pic = paint(c.pic)
	if b := c.pic.Rect; c.img == nil || c.img.Bounds().Dx() != b.Dx() || c.img.Bounds().Dy() != b.Dy() {
		if c.img != nil {
			c.img.Deallocate()
		}
		c.img = ebiten.NewImage(b.Dx(), b.Dy())
	}
	c.img.WritePixels(c.pic.Pix)
	return c.img
}

func (c *pictureCache) free() {
	if c.img != nil {
		c.img.Deallocate()
		c.img = nil
	}
}

// imageConfig is the image model the settings ask for: the default image
// network on their image target and seed, conditional on the digit with
// their label dropout when Cond is on (the Diffusion section's checkbox).
func imageConfig(s scene.Settings) hd.Config {
	cfg := hd.DefaultConfig()
	cfg.Target, cfg.Seed = hd.Canonical(s.Target), max(1, s.Seed)
	if s.Cond {
		cfg.Net.Classes, cfg.PUncond = hd.Classes, s.PUncond
		if s.PUncond == 0 {
			cfg.PUncond = scene.DefaultPUncond
		}
	}
	return cfg
}

// imageGuidance is what the Diffusion section's class picker and w slider
// ask of a conditional image model.
func imageGuidance(s scene.Settings) imageview.Guidance {
	return imageview.Guidance{OneClass: s.OneClass, Class: s.Class, W: 1 + s.Guidance}
}

// sameImageModel reports whether the backend trains the model the
// settings ask for: the target, and the conditioning with its dropout.
func sameImageModel(be *imageview.Backend, s scene.Settings) bool {
	want, have := imageConfig(s), be.Config()
	return have.Target == want.Target && have.Net.Classes == want.Net.Classes && (!want.Conditional() || have.PUncond == want.PUncond)
}

// outdated reports whether the settings have asked for another image model
// (another target, the conditioning or its dropout) for imageApplyDelay: a
// dragged dropout slider restarts training once, when it rests.
func (ip *imagePane) outdated(s scene.Settings, now time.Time) bool {
	if sameImageModel(ip.be, s) {
		ip.asked = hd.Config{}
		return false
	}
	if want := imageConfig(s); want != ip.asked {
		ip.asked, ip.askedAt = want, now
	}
	return now.Sub(ip.askedAt) >= imageApplyDelay
}

// imageApplyDelay is how long another image model must be asked for before
// it replaces the one training: longer than the 2D pane's applyDelay, so that
// the pane behind, which applies the same edit (the conditioning is shared),
// says its piece first and the image view's message is the one left.
const imageApplyDelay = 2 * applyDelay

// openImagePane starts training the image model of s (imageConfig), or
// continues a session's (restore, not nil), and samples in s.Steps Euler
// steps.
func openImagePane(s scene.Settings, restore *session.Images) (*imagePane, error) {
	var be *imageview.Backend
	var err error
	var view imageview.View
	if restore != nil {
		be, err = imageview.NewRestored(restore.Model, restore.Optimizer, s.Steps)
		view.Cell = restore.Cell
		if restore.PCA {
			view.Mode = imageview.PCAView
		}
	} else {
		cfg := imageConfig(s)
		be, err = imageview.New(cfg, s.Steps, cfg.Seed)
	}
	if err != nil {
		return nil, err
	}
	// Its own goroutines even in the stepwise mode: the image model has
	// no stepwise driver yet.
	return &imagePane{be: be, view: view, stop: runBackend(be, "image view", false)}, nil
}

// close stops the trainer and sampler and frees the pictures.
func (ip *imagePane) close() {
	ip.stop()
	ip.grid.free()
	ip.strip.free()
	ip.near.free()
}

// Update lays the view out in area, chooses the sample a click lands on,
// passes NUM_STEPS and the class and guidance of s on and gives the
// timeline the frame's step count.
func (ip *imagePane) Update(in *input.Snapshot, area rect, scale float64, s scene.Settings, tl *timeline.Timeline) {
	ip.lay = imageview.NewLayout(imageview.Rect(area), scale, ip.view.Mode)
	f := ip.be.Frame()
	if f != nil && in.Free() && in.JustPressed(input.Left) {
		ip.view.Click(ip.lay, in.X, in.Y, f.Rows)
	}
	ip.be.SetSteps(s.Steps)
	ip.be.SetGuidance(imageGuidance(s))
	if f != nil {
		tl.SetSteps(f.N)
		if ip.view.Cell >= f.Cells() {
			ip.view.Cell = 0 // the grid lost its tenth row
		}
	}
}

// toggle switches grid and PCA view and says what the new one shows.
func (ip *imagePane) toggle() string {
	ip.view.Toggle()
	if ip.view.Mode == imageview.PCAView {
		return "PCA view: every image is one point on the data's first two principal components (X: back to the grid)"
	}
	return "grid view: 8 × 8 samples from fixed noise (X: the PCA view)"
}

// variance is the share of the data's variance on the two components, 0
// before the data are drawn.
func (ip *imagePane) variance() float64 {
	if d := ip.be.Data(); d != nil {
		return d.PCA.Fraction()
	}
	return 0
}

// state is the state file's image section.
func (ip *imagePane) state() *appstate.Images {
	s := &appstate.Images{Target: ip.be.Target(), Mode: ip.view.Mode.String(), Cell: ip.view.Cell, Variance: ip.variance(),
		Main: [4]float64(rectArray(ip.lay.Main)), Strip: [4]float64(rectArray(ip.lay.Strip)),
		Cond: ip.be.Config().Conditional(), Class: -1}
	if f := ip.be.Frame(); f != nil {
		s.Frames, s.Step, s.N, s.Rows = f.Seq, f.Step, f.N, f.Rows
		s.Main = [4]float64(rectArray(ip.lay.GridRect(f.Rows)))
		if ip.view.Mode == imageview.PCAView {
			s.Main = [4]float64(rectArray(ip.lay.Main))
		}
		if c := ip.view.Cell; c < len(f.NearestDist) {
			s.Nearest = f.NearestDist[c]
		}
		if a, ok := f.Accuracy(); ok {
			s.Accuracy, s.Guidance = a, f.Guidance.W
			if f.Guidance.OneClass {
				s.Class = f.Guidance.Class
			}
		}
	}
	return s
}

func rectArray(r imageview.Rect) [4]float64 { return [4]float64{r.X, r.Y, r.W, r.H} }

// Draw draws the view: the training readout, the grid or the PCA plot at
// t, the chosen sample beside its nearest fresh image, and its film strip.
func (ip *imagePane) Draw(dst *ebiten.Image, t float64, fonts Fonts, status string, statusErr bool) {
	l := ip.lay
	s := l.Scale
	ip.drawTraining(dst, ip.be.Status(), status, statusErr, fonts)
	f, d := ip.be.Frame(), ip.be.Data()
	if f == nil || d == nil {
		msg := "drawing fresh digits and fitting their principal components…"
		if d != nil {
			msg = "sampling the first images…"
		}
		drawText(dst, wrap(msg, fonts.Large, l.Main.W), fonts.Large, l.Main.X+l.Main.W/2, l.Main.Y+l.Main.H/2, Center, palette.Dim)
		return
	}
	k, exact := stepAt(t, f.N)
	when := fmt.Sprintf("t = %.2f", t)
	if exact {
		when = fmt.Sprintf("t = %d/%d", k, f.N)
	}
	narrow := l.Info.W <= 0 // beside a lesson's column: short captions
	// The caption is centred over the main area and may reach as far left
	// as the readout's edge, as far right again.
	avail := l.Main.W
	if !narrow {
		avail += 2 * math.Max(0, l.Main.X-(l.Info.X+l.Info.W))
	}
	var captions []string // the longest that fits is shown, else the last
	if ip.view.Mode == imageview.PCAView {
		ip.drawPCA(dst, f, d, t, fonts)
		if !narrow {
			captions = append(captions, fmt.Sprintf("data and %d samples at %s on PC1, PC2 (%.0f %% of the variance)", imageview.Particles, when, 100*d.PCA.Fraction()))
		}
		captions = append(captions, fmt.Sprintf("%s on PC1, PC2: %.0f %% of the variance", when, 100*d.PCA.Fraction()))
	} else {
		ip.drawGrid(dst, f, t, fonts)
		if !narrow {
			captions = append(captions, fmt.Sprintf("%d samples%s at %s · weights of step %s", f.Cells(), askedCaption(f, false), when, thousands(f.Step)))
		}
		captions = append(captions, fmt.Sprintf("%s%s · step %s", askedCaption(f, true), when, thousands(f.Step)))
	}
	caption := captions[len(captions)-1]
	for _, c := range captions {
		if textWidth(c, fonts.Body) <= avail {
			caption = c
			break
		}
	}
	drawText(dst, caption, fonts.Body, l.Main.X+l.Main.W/2, l.Main.Y-6*s, BottomCenter, palette.Label)
	ip.drawNearest(dst, f, d, fonts)
	ip.drawStrip(dst, f, t, fonts)
}

// drawTraining is the training readout in the left column: step, state,
// loss and steps/s, the loss curve, the status line.
func (ip *imagePane) drawTraining(dst *ebiten.Image, st scene.Status, status string, statusErr bool, fonts Fonts) {
	r := ip.lay.Info
	if r.W <= 0 || r.H <= 0 {
		return
	}
	s := ip.lay.Scale
	pad := 10 * s
	lineH := fonts.Body.Size * 1.35
	x, y, w := r.X+pad, r.Y+pad, r.W-2*pad
	var msg string
	if status != "" {
		msg = wrap(status, fonts.Small, w-2*pad)
	}
	msgH := 0.0
	if msg != "" {
		msgH = fonts.Small.Size * 1.3 * linesOf(msg)
	}
	curveH := math.Max(16*s, r.H-2*pad-2*lineH-msgH-16*s)
	b := &ip.batch
	b.Begin(dst)
	b.Rect(float32(x), float32(y), float32(w), float32(r.H-2*pad), palette.PanelBG.WithAlpha(0.82))
	cx, cy, cw := x+pad, y+8*s+2*lineH, w-2*pad
	b.Rect(float32(cx), float32(cy), float32(cw), float32(curveH), palette.RGBA{R: 1, G: 1, B: 1, A: 0.04})
	lo, hi := drawCurve(b, st.LossHistory, cx, cy, cw, curveH, float32(1.6*s), palette.Accent)
	b.Flush()
	state := st.State
	if state == "" {
		state = "starting"
	}
	col := palette.Label
	switch state {
	case "failed":
		col = palette.Error
	case "running":
		col = palette.RGBA{R: 0.55, G: 0.85, B: 0.55, A: 1}
	}
	drawText(dst, "step "+thousands(st.Step), fonts.Bold, cx, y+6*s, TopLeft, palette.Label)
	drawText(dst, state, fonts.Bold, cx+cw, y+6*s, TopRight, col)
	drawText(dst, fmt.Sprintf("loss %s   %s steps/s", statusLoss(st), thousands(int(math.Round(st.StepsPerSec)))), fonts.Body, cx, y+6*s+lineH, TopLeft, palette.Label)
	if hi > lo && curveH > 2.6*fonts.Small.Size {
		drawText(dst, lossText(hi), fonts.Small, cx+cw-2*s, cy+2*s, TopRight, palette.Dim)
		drawText(dst, lossText(lo), fonts.Small, cx+cw-2*s, cy+curveH-2*s, BottomRight, palette.Dim)
	}
	if msg != "" {
		c := palette.Label
		if statusErr {
			c = palette.Error
		}
		drawText(dst, msg, fonts.Small, cx, cy+curveH+6*s, TopLeft, c)
	}
}

// stepAt is the solver step at t and whether t is exactly on it.
func stepAt(t float64, n int) (int, bool) {
	k, a := timeline.Segment(t, n)
	switch a {
	case 0:
		return k, true
	case 1:
		return k + 1, true
	}
	return int(math.Round(t * float64(n))), false
}

// drawPicture draws img into r, magnified by the largest factor that fits
// (whole pixels when it is at least 1), centred.
func drawPicture(dst, img *ebiten.Image, r imageview.Rect) {
	b := img.Bounds()
	z := math.Min(r.W/float64(b.Dx()), r.H/float64(b.Dy()))
	if z >= 1 {
		z = math.Floor(z)
	}
	if !(z > 0) {
		return
	}
	var op ebiten.DrawImageOptions
	op.GeoM.Scale(z, z)
	op.GeoM.Translate(math.Round(r.X+(r.W-z*float64(b.Dx()))/2), math.Round(r.Y+(r.H-z*float64(b.Dy()))/2))
	op.Filter = ebiten.FilterNearest
	dst.DrawImage(img, &op)
}

// askedCaption says what a conditional model's grid was asked for: one
// digit, or a row per digit, with w; "" for an unconditional model. The
// short form leads a caption ("digit 3, w = 2.0 · ").
func askedCaption(f *imageview.Frame, short bool) string {
	switch {
	case f.Asked == nil:
		return ""
	case short && f.Guidance.OneClass:
		return fmt.Sprintf("digit %d, w = %.1f · ", f.Guidance.Class, f.Guidance.W)
	case short:
		return fmt.Sprintf("a row per digit, w = %.1f · ", f.Guidance.W)
	case f.Guidance.OneClass:
		return fmt.Sprintf(" of digit %d (w = %.1f)", f.Guidance.Class, f.Guidance.W)
	}
	return fmt.Sprintf(", a row per digit 0–9 (w = %.1f)", f.Guidance.W)
}

func (ip *imagePane) drawGrid(dst *ebiten.Image, f *imageview.Frame, t float64, fonts Fonts) {
	img := ip.grid.show([4]float64{float64(f.Seq), t, float64(ip.view.Cell), 0}, func(pic *image.RGBA) *image.RGBA {
		ip.buf = f.At(ip.buf, t)
		return imageview.Tiles(pic, f.Cells(), imageview.Cols, f.Side, ip.view.Cell, func(i int) []float32 { return ip.buf[i*f.Dim : (i+1)*f.Dim] })
	})
	r := ip.lay.GridRect(f.Rows)
	drawPicture(dst, img, r)
	if f.Asked != nil && !f.Guidance.OneClass {
		// Each row's digit at its left edge, in the digit's colour.
		s := ip.lay.Scale
		for k := range f.Rows {
			y := r.Y + (float64(k)+0.5)*r.H/float64(f.Rows)
			drawText(dst, fmt.Sprint(k), fonts.Bold, r.X-6*s, y, CenterRight, imageview.ClassColour(k))
		}
	}
}

func (ip *imagePane) drawPCA(dst *ebiten.Image, f *imageview.Frame, d *imageview.Data, t float64, fonts Fonts) {
	r := ip.lay.Main
	s := ip.lay.Scale
	if ip.box.seq != f.Seq {
		ip.box.seq = f.Seq
		ip.box.b = imageview.Box(append([][]flow.Vec{d.Proj}, f.Proj...)...)
	}
	z, ox, oy := imageview.Fit(ip.box.b, r)
	at := func(p flow.Vec) (float32, float32) { return float32(ox + z*p[0]), float32(oy - z*p[1]) }
	b := &ip.batch
	b.Begin(dst)
	b.Frame(float32(r.X), float32(r.Y), float32(r.W), float32(r.H), float32(s), palette.GridMajor)
	// The axes through the data's mean (the origin of the projection).
	x0, y0 := at(flow.Vec{0, 0})
	b.Line(float32(r.X), y0, float32(r.X+r.W), y0, float32(s), palette.GridMajor, palette.GridMajor)
	b.Line(x0, float32(r.Y), x0, float32(r.Y+r.H), float32(s), palette.GridMajor, palette.GridMajor)
	dot := float32(2.5 * s)
	for i, p := range d.Proj {
		x, y := at(p)
		b.Rect(x-dot/2, y-dot/2, dot, dot, imageview.ClassColour(d.Labels[i]).WithAlpha(0.3))
	}
	// Trajectories, as the 2D canvas's paths: each particle's Euler polyline.
	w := float32(math.Max(1, s))
	for i := range f.Class {
		c := imageview.ClassColour(f.Class[i]).WithAlpha(0.22)
		px, py := at(f.Proj[0][i])
		for k := 1; k <= f.N; k++ {
			qx, qy := at(f.Proj[k][i])
			b.Line(px, py, qx, qy, w, c, c)
			px, py = qx, qy
		}
	}
	ip.proj = f.ProjAt(ip.proj, t)
	pd := float32(5 * s)
	for i, p := range ip.proj {
		x, y := at(p)
		b.Rect(x-pd/2, y-pd/2, pd, pd, imageview.ClassColour(f.Class[i]))
	}
	if c := ip.view.Cell; c < len(ip.proj) {
		x, y := at(ip.proj[c])
		b.Ring(x, y, float32(9*s), float32(2*s), 24, palette.Accent)
	}
	b.Flush()
	// Each digit's label at the centre of its data: the clusters by name,
	// not only by hue.
	var sum [10]flow.Vec
	var n [10]int
	for i, p := range d.Proj {
		c := d.Labels[i]
		sum[c][0] += p[0]
		sum[c][1] += p[1]
		n[c]++
	}
	for c := range sum {
		if n[c] > 0 {
			x, y := at(flow.Vec{sum[c][0] / float64(n[c]), sum[c][1] / float64(n[c])})
			drawText(dst, fmt.Sprint(c), fonts.Large, float64(x), float64(y), Center, imageview.ClassColour(c))
		}
	}
	drawText(dst, "PC1 →", fonts.Small, r.X+r.W-6*s, float64(y0)-4*s, BottomRight, palette.Dim)
	drawText(dst, "↑ PC2", fonts.Small, float64(x0)+6*s, r.Y+4*s, TopLeft, palette.Dim)
}

// drawNearest draws the chosen sample at t = 1 beside the fresh image
// nearest to it: a new digit, not a copy of one seen in training.
func (ip *imagePane) drawNearest(dst *ebiten.Image, f *imageview.Frame, d *imageview.Data, fonts Fonts) {
	r := ip.lay.Near
	s := ip.lay.Scale
	c := ip.view.Cell
	j := f.Nearest[c]
	lineH := fonts.Small.Size * 1.3
	head := wrap("the nearest fresh digit", fonts.Bold, r.W)
	drawText(dst, head, fonts.Bold, r.X, r.Y+4*s, TopLeft, palette.Label)
	y := r.Y + 4*s + fonts.Bold.Size*1.3*linesOf(head) + fonts.Bold.Size*0.2
	note := wrap(fmt.Sprintf("distance %.2f; fresh digits lie %.2f from their nearest of %s", f.NearestDist[c], d.DataDist, thousands(imageview.RefImages)), fonts.Small, r.W)
	textH := lineH * (1 + linesOf(note))
	pr := imageview.Rect{X: r.X, Y: y, W: r.W, H: math.Max(0, r.H-(y-r.Y)-textH-4*s)}
	img := ip.near.show([4]float64{float64(f.Seq), float64(c), float64(j), 0}, func(pic *image.RGBA) *image.RGBA {
		return imageview.Tiles(pic, 2, 2, f.Side, -1, func(i int) []float32 {
			if i == 0 {
				return f.Image(f.N, c)
			}
			return d.X[j*d.Dim : (j+1)*d.Dim]
		})
	})
	drawPicture(dst, img, imageview.Rect{X: pr.X, Y: pr.Y, W: pr.W, H: pr.H})
	// Under each image what it is: the two halves of the picture.
	b := img.Bounds()
	z := math.Min(pr.W/float64(b.Dx()), pr.H/float64(b.Dy()))
	if z >= 1 {
		z = math.Floor(z)
	}
	w := z * float64(b.Dx())
	left := math.Round(pr.X + (pr.W-w)/2)
	below := math.Round(pr.Y+(pr.H-z*float64(b.Dy()))/2) + z*float64(b.Dy()) + 2*s
	drawText(dst, fmt.Sprintf("sample %d", c+1), fonts.Small, left+w/4, below, TopCenter, palette.Label)
	drawText(dst, fmt.Sprintf("data: %d", d.Labels[j]), fonts.Small, left+3*w/4, below, TopCenter, palette.Label)
	drawText(dst, note, fonts.Small, r.X, below+lineH, TopLeft, palette.Dim)
}

// drawStrip draws the chosen sample at every solver step with |v| under
// each, the state at t lit.
func (ip *imagePane) drawStrip(dst *ebiten.Image, f *imageview.Frame, t float64, fonts Fonts) {
	r := ip.lay.Strip
	s := ip.lay.Scale
	c := ip.view.Cell
	lineH := fonts.Body.Size * 1.35
	// At least two screen pixels per image pixel at scale 1, so the strip
	// reads from the back of the room.
	every := imageview.StripEvery(f.N, f.Side, r.W, 2*s*float64(f.Side+1))
	ks := imageview.StripStates(f.N, every)
	k, exact := stepAt(t, f.N)
	hi := -1
	for i, kk := range ks {
		if exact && kk == k {
			hi = i
		}
	}
	head := fmt.Sprintf("sample %d: x at every solver step k = 0 … %d, and |v(x, k/N)| below", c+1, f.N)
	if every > 1 {
		head = fmt.Sprintf("sample %d: x at every %s solver step of %d, and |v(x, k/N)| below", c+1, ordinal(every), f.N)
	}
	drawText(dst, head, fonts.Body, r.X, r.Y, TopLeft, palette.Label)
	barH := math.Round(math.Min(40*s, r.H*0.25))
	labelH := fonts.Small.Size * 1.3
	pr := imageview.Rect{X: r.X, Y: r.Y + lineH, W: r.W, H: math.Max(0, r.H-lineH-barH-labelH-4*s)}
	img := ip.strip.show([4]float64{float64(f.Seq), float64(c), float64(hi), float64(every)}, func(pic *image.RGBA) *image.RGBA {
		return imageview.Tiles(pic, len(ks), len(ks), f.Side, hi, func(i int) []float32 { return f.Image(ks[i], c) })
	})
	drawPicture(dst, img, pr)
	// Where drawPicture put the tiles, to align the bars under them.
	bw, bh := float64(img.Bounds().Dx()), float64(img.Bounds().Dy())
	z := math.Min(pr.W/bw, pr.H/bh)
	if z >= 1 {
		z = math.Floor(z)
	}
	left := math.Round(pr.X + (pr.W-z*bw)/2)
	bottom := math.Round(pr.Y+(pr.H-z*bh)/2) + z*bh + 4*s + barH
	tile := z * float64(f.Side+1)
	var vmax float32
	for _, sp := range f.Speed {
		vmax = max(vmax, sp[c])
	}
	b := &ip.batch
	b.Begin(dst)
	for i, kk := range ks {
		if kk >= f.N || !(vmax > 0) {
			continue
		}
		v := f.Speed[kk][c]
		h := float32(barH * float64(v/vmax))
		col := palette.Accent.WithAlpha(0.55)
		if i == hi {
			col = palette.Accent
		}
		b.Rect(float32(left+z+float64(i)*tile), float32(bottom)-h, float32(tile-2*z), h, col)
	}
	b.Flush()
	// |v| as numbers where they fit: every label at least its width apart.
	gap := int(math.Ceil((textWidth("00.0", fonts.Small) + 6*s) / tile))
	for i, kk := range ks {
		if kk >= f.N || (i%max(1, gap) != 0 && i != hi) {
			continue
		}
		col := palette.Dim
		if i == hi {
			col = palette.Label
		}
		drawText(dst, fmt.Sprintf("%.1f", f.Speed[kk][c]), fonts.Small, left+(float64(i)+0.5)*tile, bottom+2*s, TopCenter, col)
	}
}

// imagesKind is the kind of the lessons that show the image view.
const imagesKind lesson.Kind = "images"

// followImageTarget opens the image view when the focused settings name an
// image target and closes it when they no longer do, and returns the view
// open now (ip, a new one or nil). The 2D training behind it pauses
// meanwhile and resumes after. A lesson of another kind shows the plane: it
// keeps the 2D target. A session's image model (restore, not nil) replaces
// the one shown.
func followImageTarget(ip *imagePane, ps *Panes, ls *Lessons, ui *Chrome, tl *timeline.Timeline, restore *session.Images) *imagePane {
	p := ps.cur
	target := p.settings.Target
	want := hd.IsTarget(target)
	switch {
	case want && ps.comparing():
		p.settings.Target = p.applied.Target
		ui.panel.Sync(p.settings, p.backend.Options())
		ui.say("compare mode compares 2D models: close it (K) to train on images", true)
		want = false
	case want && ls.active() && ls.current().Kind != imagesKind:
		p.settings.Target = p.applied.Target
		ui.panel.Sync(p.settings, p.backend.Options())
		want = false
	}
	resume := p.backend.Status().State == "running"
	if ip != nil && (!want || restore != nil || ip.outdated(p.settings, time.Now())) {
		// Another image model follows at once (want) or the plane comes
		// back: the 2D training resumes only then.
		resume = ip.resume
		ip.close()
		ip = nil
		if resume && !want {
			p.backend.Train()
		}
	}
	if want && ip == nil {
		opened, err := openImagePane(p.settings, restore)
		if err != nil {
			ui.say(err.Error(), true)
			p.settings.Target = p.applied.Target
			ui.panel.Sync(p.settings, p.backend.Options())
			if resume {
				p.backend.Train()
			}
			return nil
		}
		opened.resume = resume
		ip = opened
		p.backend.Pause()
		tl.Play()
		msg := fmt.Sprintf("%s: the same loop on %d numbers per image; X switches grid and PCA", hd.Canonical(target), ip.be.Config().Net.PointDim())
		if ip.be.Config().Conditional() {
			msg = fmt.Sprintf("%s, conditional on the digit: pick a digit and w in the Diffusion section", hd.Canonical(target))
		}
		if restore != nil {
			msg = fmt.Sprintf("%s: the session's image model trains on from step %s", hd.Canonical(target), thousands(restore.Model.Step))
		}
		ui.say(msg, false)
	}
	return ip
}

// imageArea is where the image view goes: the canvas, or in a lesson the
// lesson's figure.
func imageArea(ls *Lessons, canvasR rect) rect {
	if ls.active() && ls.lay.figure.W > 0 {
		return ls.lay.figure
	}
	return canvasR
}

// trainingStatus is the readout of what trains on screen: the image view's
// model while it is shown (ip not nil), else the focused pane's.
func trainingStatus(ip *imagePane, ps *Panes) scene.Status {
	if ip != nil {
		return ip.be.Status()
	}
	return ps.cur.backend.Status()
}

// trainingStatus is what the lesson column's readout shows: the image
// model while the image view is shown.
func (ls *Lessons) trainingStatus() scene.Status {
	if ls.images != nil {
		if ip := ls.images(); ip != nil {
			return ip.be.Status()
		}
	}
	return ls.panes.cur.backend.Status()
}

// actions are the panel's buttons acting on the image model; lessons is
// the panel's Lessons section, as the 2D panel has it.
func (ip *imagePane) actions(ui *Chrome, ps *Panes, lessons func(*debugui.Context)) Actions {
	be := ip.be
	return Actions{
		Train:    func() { be.Train(); ui.say("training", false) },
		Pause:    func() { be.Pause(); ui.say("training paused", false) },
		Reset:    func() { be.Reset(); ui.say("weights reset: training from scratch", false) },
		Resample: func() { be.Resample(); ui.say("new fixed noise for the grid", false) },
		Fit:      func() {},
		Lessons:  lessons,
		Images:   func(ctx *debugui.Context) { ip.panel(ctx, ui) },
		ScaleBy:  func(d float64) { ui.setScale(ui.scale+d, ps) },
		Contrast: ui.setContrast,
		Colours:  ui.setColours,
		Classes:  hd.Classes, // the Diffusion section's picker: the digits
	}
}

// panel is the panel's section of the image view.
func (ip *imagePane) panel(ctx *debugui.Context, ui *Chrome) {
	ctx.Header("Images", true, func() {
		ctx.Text(ip.be.String())
		ctx.Button(fmt.Sprintf("view: %s (X switches)", ip.view.Mode)).On(func() { toggleImageView(ip, ui) })
		if v := ip.variance(); v > 0 {
			ctx.Text(fmt.Sprintf("PC1 and PC2 hold %.0f %% of the variance", 100*v))
		}
		if f := ip.be.Frame(); f != nil {
			ctx.Text(fmt.Sprintf("sample %d: nearest fresh digit at %.2f", ip.view.Cell+1, f.NearestDist[ip.view.Cell]))
		}
		if !ip.be.Config().Conditional() {
			ctx.Text("unconditional: tick class-conditional (Diffusion) to train on the digit too")
			return
		}
		if f := ip.be.Frame(); f != nil {
			if a, ok := f.Accuracy(); ok {
				ctx.Text(fmt.Sprintf("%.0f %% of %d samples look like the digit asked (nearest fresh digit; chance 10 %%)", 100*a, len(f.Asked)))
			}
		}
	})
}

// toggleImageView is the X key: grid or PCA view of ip, which is nil
// while no image target is chosen.
func toggleImageView(ip *imagePane, ui *Chrome) {
	if ip == nil {
		ui.say("X switches the image view: choose the digits or digits8 target first", true)
		return
	}
	ui.say(ip.toggle(), false)
}

// drawOnCanvas draws the image view at time t, with the lesson's column
// over it, and takes a screenshot of canvasR when one is asked for.
func (ip *imagePane) drawOnCanvas(screen *ebiten.Image, canvasR rect, t float64, ui *Chrome, ls *Lessons, keep *Keeper) {
	status, isErr := ui.status, ui.statusErr
	if ls.active() {
		status, isErr = "", false
	}
	ip.Draw(screen, t, ui.fonts, status, isErr)
	if ls.active() {
		ls.drawColumn(screen)
	}
	keep.screenshot(screen, canvasR)
}

// report puts the image view into the state file.
func (ip *imagePane) report(s *appstate.State) {
	s.Images = ip.state()
	st := ip.be.Status()
	cfg := ip.be.Config()
	s.Training = appstate.Training{Step: st.Step, Loss: st.Loss, StepsPerSec: st.StepsPerSec, State: st.State, LR: cfg.LR, Batch: cfg.Batch}
	if st.Err != nil {
		s.Training.Err = st.Err.Error()
	}
	s.Target = ip.be.Target()
}

// ordinal spells 2 as "2nd", 3 as "3rd", 4 as "4th".
func ordinal(n int) string {
	suffix := "th"
	if n%100 < 11 || n%100 > 13 {
		switch n % 10 {
		case 1:
			suffix = "st"
		case 2:
			suffix = "nd"
		case 3:
			suffix = "rd"
		}
	}
	return fmt.Sprint(n) + suffix
}
