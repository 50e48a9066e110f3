package viz

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/hajimehoshi/ebiten/v2"
	"github.com/hajimehoshi/ebiten/v2/text/v2"

	"github.com/flowviz/flowviz/viz/keymap"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/scene"
)

// HUD draws the overlays on the canvas: training readout with the loss curve
// (top left), speed legend (bottom right), frame timings (top right) and the
// key help (centre).
type HUD struct {
	Scale float64
	batch Batch
	// status is the status line last seen and statusAt when it changed.
	status   string
	statusAt time.Time
	help     struct { // the help's layout, kept while screen and scale stay
		screen rect
		s      float64
		l      helpLayout
	}
}

// hudVariant is a size of the training readout: the full box with its
// loss curve, a narrow box for a side column, or one line of text.
type hudVariant int

const (
	hudFull hudVariant = iota
	hudNarrow
	hudLine
)

// statusShown is how long the readout repeats a message of the status line
// (the panel keeps it): a hint that stays would cover the figure for good.
// Errors stay.
const statusShown = 6 * time.Second

// hudStatus is the status line the readout shows now: the message while it
// is new or an error, else "".
func (h *HUD) hudStatus(status string, statusErr bool, now time.Time) string {
	if status != h.status {
		h.status, h.statusAt = status, now
	}
	if statusErr || now.Sub(h.statusAt) < statusShown {
		return status
	}
	return ""
}

// trainingLayout is the readout laid out: its box's size and the lines.
type trainingLayout struct {
	v      hudVariant
	w, h   float64
	status string // wrapped
	lossLn string
	nll    string // the live NLL line (densityLayer.nllLine), "" for none
}

// layoutTraining sizes the readout in variant v; maxW bounds the full
// box's width (a share of the canvas).
func (h *HUD) layoutTraining(v hudVariant, st scene.Status, nll, status string, statusErr bool, fonts Fonts, maxW float64) trainingLayout {
	s := h.Scale
	lay := trainingLayout{v: v}
	if v != hudLine {
		lay.nll = nll
	}
	lineH := fonts.Body.Size * 1.35
	switch v {
	case hudLine:
		lay.lossLn = fmt.Sprintf("step %s · loss %s", thousands(st.Step), statusLoss(st))
		if status != "" && statusErr {
			lay.status = status
			lay.lossLn = status
		}
		lay.w, lay.h = textWidth(lay.lossLn, fonts.Small)+12*s, fonts.Small.Size*1.4+6*s
		return lay
	case hudNarrow:
		lay.lossLn = "loss " + statusLoss(st)
		w := 170 * s
		for _, l := range []string{lay.lossLn, "running  " + thousands(int(math.Round(st.StepsPerSec))) + " steps/s"} {
			w = math.Max(w, textWidth(l, fonts.Body)+20*s)
		}
		w = math.Max(w, textWidth("step "+thousands(st.Step), fonts.Bold)+20*s)
		lay.w = w
		lay.h = 12*s + lineH*3 + 36*s + 8*s
	default:
		lay.lossLn = fmt.Sprintf("loss %s   %s steps/s", statusLoss(st), thousands(int(math.Round(st.StepsPerSec))))
		// At large UI scales the lines outgrow the box: widen it to hold them.
		need := math.Max(textWidth(lay.lossLn, fonts.Body), textWidth(fmt.Sprintf("step %s  running", thousands(st.Step)), fonts.Bold)+10*s)
		lay.w = math.Min(maxW, math.Max(math.Min(310*s, maxW), need+20*s))
		lay.h = 12*s + lineH*2 + 48*s + 8*s
	}
	if lay.nll != "" {
		lay.w = math.Max(lay.w, textWidth(lay.nll, fonts.Body)+20*s)
		lay.h += lineH
	}
	if status != "" {
		lay.status = wrap(status, fonts.Body, lay.w-20*s)
		lay.h += lineH * linesOf(lay.status)
	}
	return lay
}

// drawTraining draws the readout laid out as lay in r: step, steps/s,
// loss, a loss curve and the status line.
func (h *HUD) drawTraining(dst *ebiten.Image, r rect, lay trainingLayout, st scene.Status, statusErr bool, fonts Fonts) {
	s := h.Scale
	x, y, w := r.X, r.Y, r.W
	b := &h.batch
	if lay.v == hudLine {
		b.Begin(dst)
		b.Rect(float32(x), float32(y), float32(r.W), float32(r.H), palette.PanelBG.WithAlpha(0.7))
		b.Flush()
		col := palette.Label
		if statusErr && lay.status != "" {
			col = palette.Error
		}
		drawText(dst, lay.lossLn, fonts.Small, x+6*s, y+3*s, TopLeft, col)
		return
	}
	lineH := fonts.Body.Size * 1.35
	curveH := 48 * s
	lines := 2.0
	if lay.v == hudNarrow {
		curveH, lines = 36*s, 3
	}
	nllY := y + 8*s + lineH*lines
	if lay.nll != "" {
		lines++
	}
	b.Begin(dst)
	b.Rect(float32(x), float32(y), float32(w), float32(r.H), palette.PanelBG.WithAlpha(0.82))
	cx, cy, cw := x+10*s, y+8*s+lineH*lines, w-20*s
	labelW := textWidth("0.0000", fonts.Small) + 6*s // the curve's range goes right of it
	b.Rect(float32(cx), float32(cy), float32(cw-labelW), float32(curveH), palette.RGBA{R: 1, G: 1, B: 1, A: 0.04})
	lo, hi := drawCurve(b, st.LossHistory, cx, cy, cw-labelW, curveH, float32(1.6*s), palette.Accent)
	b.Flush()

	state := st.State
	if state == "" {
		state = "starting"
	}
	stateCol := palette.Label
	switch st.State {
	case "failed":
		stateCol = palette.Error
	case "running":
		stateCol = palette.RGBA{R: 0.55, G: 0.85, B: 0.55, A: 1}
	}
	drawText(dst, fmt.Sprintf("step %s", thousands(st.Step)), fonts.Bold, cx, y+8*s, TopLeft, palette.Label)
	if lay.v == hudNarrow {
		drawText(dst, lay.lossLn, fonts.Body, cx, y+8*s+lineH, TopLeft, palette.Label)
		drawText(dst, state, fonts.Body, cx, y+8*s+2*lineH, TopLeft, stateCol)
		drawText(dst, thousands(int(math.Round(st.StepsPerSec)))+" steps/s", fonts.Body, cx+cw, y+8*s+2*lineH, TopRight, palette.Dim)
	} else {
		drawText(dst, state, fonts.Bold, cx+cw, y+8*s, TopRight, stateCol)
		drawText(dst, lay.lossLn, fonts.Body, cx, y+8*s+lineH, TopLeft, palette.Label)
	}
	if lay.nll != "" {
		drawText(dst, lay.nll, fonts.Body, cx, nllY, TopLeft, palette.Label)
	}
	if hi > lo {
		drawText(dst, lossText(hi), fonts.Small, cx+cw, cy, TopRight, palette.Dim)
		drawText(dst, lossText(lo), fonts.Small, cx+cw, cy+curveH, BottomRight, palette.Dim)
	}
	if lay.status != "" {
		col := palette.Label
		if statusErr {
			col = palette.Error
		}
		drawText(dst, lay.status, fonts.Body, cx, cy+curveH+6*s, TopLeft, col)
	}
}

// drawCurve plots values (a loss history) on a log scale in the box and
// returns the range shown. Non-finite values are skipped.
func drawCurve(b *Batch, values []float32, x, y, w, h float64, width float32, c palette.RGBA) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range values {
		f := float64(v)
		if f > 0 && !math.IsInf(f, 0) {
			lo, hi = math.Min(lo, f), math.Max(hi, f)
		}
	}
	if len(values) < 2 || !(hi >= lo) {
		return 0, 0
	}
	if hi/lo < 1.05 { // a flat curve still gets a little room
		lo, hi = lo/1.025, hi*1.025
	}
	ly, hy := math.Log(lo), math.Log(hi)
	px, py := math.NaN(), math.NaN()
	for i, v := range values {
		f := float64(v)
		if !(f > 0) || math.IsInf(f, 0) {
			px = math.NaN()
			continue
		}
		qx := x + w*float64(i)/float64(len(values)-1)
		qy := y + h - h*(math.Log(f)-ly)/(hy-ly)
		if !math.IsNaN(px) {
			b.Line(float32(px), float32(py), float32(qx), float32(qy), width, c, c)
		}
		px, py = qx, qy
	}
	return lo, hi
}

// legendSize is the legend's box with a speed bar w wide.
func (h *HUD) legendSize(w float64, speed, wheel bool, fonts Fonts) (float64, float64) {
	g := h.legendGeometry(wheel, fonts)
	if !speed {
		return g.wheelW + 6*h.Scale, g.boxH
	}
	return w + 24*h.Scale + g.wheelW, g.boxH
}

// legendHeight is the height of the speed legend's box.
func legendHeight(fonts Fonts, s float64) float64 { return 12*s + fonts.Body.Size*2.9 + 14*s }

// legendGeom is the legend's inner measures.
type legendGeom struct{ barH, boxH, titleH, wheelR, wheelW float64 }

func (h *HUD) legendGeometry(wheel bool, fonts Fonts) legendGeom {
	s := h.Scale
	g := legendGeom{barH: 12 * s, titleH: fonts.Body.Size * 1.4, boxH: legendHeight(fonts, s)}
	g.wheelR = (g.boxH - g.titleH - 14*s) / 2
	if wheel {
		g.wheelW = math.Max(textWidth("dot: start x₀", fonts.Body), 2*g.wheelR) + 18*s
	}
	return g
}

// drawLegend draws, in r (sized by legendSize), the speed colour bar with its range and, when particles
// are shown, a colour wheel that says how a particle's colour encodes where
// it started.
func (h *HUD) drawLegend(dst *ebiten.Image, r rect, w, maxSpeed float64, speed, wheel bool, fonts Fonts) {
	s := h.Scale
	lg := h.legendGeometry(wheel, fonts)
	barH, boxH, titleH, wheelR, wheelW := lg.barH, lg.boxH, lg.titleH, lg.wheelR, lg.wheelW
	if !speed {
		w = 0
	}
	x, y, boxW := r.X, r.Y, r.W
	b := &h.batch
	b.Begin(dst)
	b.Rect(float32(x), float32(y), float32(boxW), float32(boxH), palette.PanelBG.WithAlpha(0.82))
	bx, by := x+12*s+wheelW, y+8*s+fonts.Body.Size*1.4
	const n = 32
	for i := range n {
		if !speed {
			break // no arrows, no speed key
		}
		c0 := palette.Speed(float64(i)/n, 1)
		c1 := palette.Speed(float64(i+1)/n, 1)
		x0 := float32(bx + w*float64(i)/n)
		x1 := float32(bx + w*float64(i+1)/n)
		b.Quad(x0, float32(by), x1, float32(by), x1, float32(by+barH), x0, float32(by+barH), c0, c1, c1, c0)
	}
	if wheel {
		// The wheel shows palette.Start over a disc of radius 2 (in units of
		// the source's RMS radius): hue by angle, lightness by radius.
		cx, cy, r := x+12*s+(wheelW-18*s)/2, y+6*s+titleH+wheelR, wheelR
		const sectors, rings = 36, 4
		for i := range sectors {
			a0 := 2 * math.Pi * float64(i) / sectors
			a1 := 2 * math.Pi * float64(i+1) / sectors
			for j := range rings {
				r0, r1 := r*float64(j)/rings, r*float64(j+1)/rings
				col := palette.Start(2*(float64(j)+0.5)/rings*math.Cos((a0+a1)/2), 2*(float64(j)+0.5)/rings*math.Sin((a0+a1)/2), 1)
				// Screen y points down: negate sin so the wheel matches the plane.
				p := func(rr, a float64) (float32, float32) {
					return float32(cx + rr*math.Cos(a)), float32(cy - rr*math.Sin(a))
				}
				x0, y0 := p(r0, a0)
				x1, y1 := p(r1, a0)
				x2, y2 := p(r1, a1)
				x3, y3 := p(r0, a1)
				b.Quad(x0, y0, x1, y1, x2, y2, x3, y3, col, col, col, col)
			}
		}
	}
	b.Flush()
	if speed {
		drawText(dst, "speed |v(x, t)|", fonts.Body, bx, y+6*s, TopLeft, palette.Label)
		ty := by + barH + 4*s
		drawText(dst, "0", fonts.Small, bx, ty, TopLeft, palette.Dim)
		drawText(dst, fmt.Sprintf("%.3g", maxSpeed), fonts.Small, bx+w, ty, TopRight, palette.Dim)
	}
	if wheel {
		drawText(dst, "dot: start x₀", fonts.Body, x+12*s+(wheelW-18*s)/2, y+6*s, TopCenter, palette.Label)
	}
	if wheel && speed { // a rule between the two keys
		b.Begin(dst)
		b.Rect(float32(bx-12*s), float32(y+8*s), float32(s), float32(boxH-16*s), palette.GridMajor)
		b.Flush()
	}
}

// drawStats draws frame timings in the top-right corner.
func (h *HUD) drawStats(dst *ebiten.Image, area rect, lines []string, fonts Fonts) {
	s := h.Scale
	lineH := fonts.Small.Size * 1.35
	w := 0.0
	for _, l := range lines {
		w = math.Max(w, textWidth(l, fonts.Small))
	}
	w += 20 * s
	boxH := lineH*float64(len(lines)) + 12*s
	x, y := area.X+area.W-w-10*s, area.Y+10*s
	b := &h.batch
	b.Begin(dst)
	b.Rect(float32(x), float32(y), float32(w), float32(boxH), palette.PanelBG.WithAlpha(0.85))
	b.Flush()
	for i, l := range lines {
		drawText(dst, l, fonts.Small, x+10*s, y+6*s+lineH*float64(i), TopLeft, palette.Label)
	}
}

// helpEntries are the lines of the help: every key of the table with a
// help text (a second key of an action, Tab beside H or the digits after 1,
// has none), then the mouse and draw-mode inputs.
func helpEntries() []keymap.Binding {
	var out []keymap.Binding
	for _, k := range keymap.Table {
		if k.Help != "" {
			out = append(out, k)
		}
	}
	return append(out, keymap.Extra...)
}

// helpItem is one placed entry of the help: its key label at (x, y), its
// help text wrapped into lines at (x+textX, y); x and y are relative to the
// help box.
type helpItem struct {
	label, text string
	x, y, textX float64
}

// helpLayout is the help overlay laid out for a screen: the box, the scale
// its fonts are drawn at (the UI scale or, where that does not fit, less)
// and the placed entries. More counts entries left out because even the
// smallest fonts do not fit them all.
type helpLayout struct {
	box   rect
	scale float64
	fonts Fonts
	items []helpItem
	more  int
}

// helpMinScale is the smallest scale the help shrinks to; below it, the
// entries that do not fit are left out and counted.
const helpMinScale = 0.75

// layoutHelp places the help entries on screen at the UI scale s if they
// fit there in up to four columns, else at the largest smaller scale (in
// steps of ¼) that fits: on a projector a slightly smaller help beats one
// spread over pages. Long help texts wrap into two lines rather than
// widening their column.
func layoutHelp(screen rect, s float64) helpLayout {
	entries := helpEntries()
	for f := s; ; f -= 0.25 {
		f = math.Max(f, helpMinScale)
		if l, ok := layoutHelpAt(screen, entries, f, false); ok {
			return l
		}
		if f <= helpMinScale {
			l, _ := layoutHelpAt(screen, entries, f, true)
			return l
		}
	}
}

// layoutHelpAt lays the entries out at font scale f in the fewest columns
// (1 to 4) that fit the screen. With cut, a layout too tall keeps the rows
// that fit and counts the rest.
func layoutHelpAt(screen rect, entries []keymap.Binding, f float64, cut bool) (helpLayout, bool) {
	fonts := NewFonts(f)
	const margin = 8.0 // to the screen's edges
	pad, gap, keyGap := 16*f, 28*f, 12*f
	lineH := fonts.Body.Size * 1.3 // drawText's spacing of wrapped lines
	titleH := fonts.Bold.Size*1.3 + 10*f
	maxW, maxH := screen.W-2*margin, screen.H-2*margin
	maxRows := max(1, int((maxH-2*pad-titleH-lineH)/lineH)) // a line for "… more"
	wrapW := 22 * fonts.Body.Size                           // about 45 characters
	texts := make([]string, len(entries))
	lines := make([]int, len(entries))
	labelW := make([]float64, len(entries))
	textW := make([]float64, len(entries))
	total := 0
	for i, e := range entries {
		texts[i] = wrap(e.Help, fonts.Body, wrapW)
		lines[i] = 1 + strings.Count(texts[i], "\n")
		total += lines[i]
		labelW[i] = textWidth(e.Label, fonts.Bold)
		for _, ln := range strings.Split(texts[i], "\n") {
			textW[i] = math.Max(textW[i], textWidth(ln, fonts.Body))
		}
	}
	var fit, fallback *helpLayout
	for cols := 1; cols <= 4; cols++ {
		// The shortest columns that hold everything: start from an even
		// split and grow until a greedy fill needs no more columns.
		per := (total + cols - 1) / cols
		var starts []int
		for {
			starts = columnStarts(lines, per)
			if len(starts) <= cols {
				break
			}
			per++
		}
		clipped := cut && per > maxRows
		if clipped {
			per = maxRows
			starts = columnStarts(lines, per)
			starts = starts[:min(cols, len(starts))]
		}
		l := helpLayout{scale: f, fonts: fonts}
		x, shown := pad, 0
		for c, first := range starts {
			end := len(entries)
			if c+1 < len(starts) {
				end = starts[c+1]
			}
			kw, tw, row, col := 0.0, 0.0, 0, len(l.items)
			for i := first; i < end && row+lines[i] <= per; i++ {
				kw, tw = math.Max(kw, labelW[i]), math.Max(tw, textW[i])
				l.items = append(l.items, helpItem{label: entries[i].Label, text: texts[i], x: x, y: pad + titleH + float64(row)*lineH})
				row += lines[i]
				shown++
			}
			for j := col; j < len(l.items); j++ {
				l.items[j].textX = kw + keyGap
			}
			x += kw + keyGap + tw + gap
		}
		l.more = len(entries) - shown
		w := x - gap + pad
		h := pad + titleH + float64(per)*lineH + pad
		if l.more > 0 {
			h += lineH
		}
		l.box = rect{screen.X + math.Max(margin, (screen.W-w)/2), screen.Y + math.Max(margin, (screen.H-h)/2), w, h}
		if w <= maxW && h <= maxH && l.more == 0 {
			// A single column reaching from top to bottom reads worse than
			// two: prefer the fewest columns that leave some room.
			if h <= 0.7*maxH {
				return l, true
			}
			if fit == nil {
				fit = &l
			}
			continue
		}
		// Cut, the layout that shows the most entries wins.
		if clipped && w <= maxW && h <= maxH && (fallback == nil || l.more < fallback.more) {
			fallback = &l
		}
	}
	if fit != nil {
		return *fit, true
	}
	if fallback != nil {
		return *fallback, false
	}
	return helpLayout{scale: f, fonts: fonts, box: rect{screen.X, screen.Y, 0, 0}, more: len(entries)}, false
}

// columnStarts returns the first entry of each column when columns hold at
// most per lines (an entry longer than per still gets a column).
func columnStarts(lines []int, per int) []int {
	var starts []int
	used := per
	for i, n := range lines {
		if used+n > per {
			starts = append(starts, i)
			used = 0
		}
		used += n
	}
	return starts
}

// drawHelp draws the help overlay over the whole screen: it lists every
// input and must never run off screen, so it shrinks on small screens and
// at large UI scales (see layoutHelp).
func (h *HUD) drawHelp(dst *ebiten.Image, fonts Fonts) {
	b := dst.Bounds()
	screen := rect{float64(b.Min.X), float64(b.Min.Y), float64(b.Dx()), float64(b.Dy())}
	if h.help.screen != screen || h.help.s != h.Scale {
		h.help.screen, h.help.s = screen, h.Scale
		h.help.l = layoutHelp(screen, h.Scale)
	}
	l := h.help.l
	f := l.scale
	box := l.box
	if box.W <= 0 {
		return
	}
	bt := &h.batch
	bt.Begin(dst)
	bt.Rect(float32(box.X), float32(box.Y), float32(box.W), float32(box.H), palette.PanelBG.WithAlpha(1)) // opaque: nothing shows through the text
	bt.Frame(float32(box.X), float32(box.Y), float32(box.W), float32(box.H), float32(math.Max(1, f)), palette.GridMajor)
	bt.Flush()
	pad := 16 * f
	drawText(dst, "Keys and mouse   (? to close)", l.fonts.Bold, box.X+pad, box.Y+pad, TopLeft, palette.Accent)
	for _, it := range l.items {
		drawText(dst, it.label, l.fonts.Bold, box.X+it.x, box.Y+it.y, TopLeft, palette.Label)
		drawText(dst, it.text, l.fonts.Body, box.X+it.x+it.textX, box.Y+it.y, TopLeft, palette.Dim)
	}
	if l.more > 0 {
		drawText(dst, fmt.Sprintf("… and %d more: enlarge the window or press − for a smaller UI", l.more), l.fonts.Body,
			box.X+pad, box.Y+box.H-pad, BottomLeft, palette.Dim)
	}
}

// wrap breaks s into lines no wider than w.
// A parenthesised group such as "(1, 1)" is never broken.
func wrap(s string, face *text.GoTextFace, w float64) string {
	words := unbroken(strings.Fields(s))
	var out strings.Builder
	line := ""
	for _, word := range words {
		try := word
		if line != "" {
			try = line + " " + word
		}
		if line != "" && textWidth(try, face) > w {
			out.WriteString(line + "\n")
			line = word
			continue
		}
		line = try
	}
	out.WriteString(line)
	return out.String()
}

// unbroken joins the words of a short parenthesised group, a point like
// "(1.5, −0.25)", into one; a long or unclosed aside still wraps.
func unbroken(words []string) []string {
	out := words[:0]
	depth, joined := 0, 0
	for _, w := range words {
		if depth > 0 && joined < 3 {
			out[len(out)-1] += " " + w
			joined++
		} else {
			out = append(out, w)
			depth, joined = 0, 0
		}
		depth = max(0, depth+strings.Count(w, "(")-strings.Count(w, ")"))
	}
	return out
}

// thousands prints n with thin separators: 12,345.
func thousands(n int) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []byte
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	if neg {
		return "-" + string(out)
	}
	return string(out)
}

// statusLoss is the loss readout: "—" until the first step has a loss, since
// NaN there would read as a failure.
func statusLoss(st scene.Status) string {
	if st.Step == 0 && math.IsNaN(st.Loss) {
		return "—"
	}
	return lossText(st.Loss)
}

// lossText prints a loss compactly; non-finite shows as such.
func lossText(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 0):
		return "∞"
	case v == 0:
		return "—"
	case v >= 100 || v < 0.01:
		return fmt.Sprintf("%.2e", v)
	}
	return fmt.Sprintf("%.4f", v)
}

// frameTimer keeps a moving average and maximum of a duration.
type frameTimer struct {
	samples [120]time.Duration
	n       int
}

func (f *frameTimer) add(d time.Duration) { f.samples[f.n%len(f.samples)] = d; f.n++ }

func (f *frameTimer) stats() (mean, worst time.Duration) {
	n := min(f.n, len(f.samples))
	if n == 0 {
		return 0, 0
	}
	var sum time.Duration
	for _, d := range f.samples[:n] {
		sum += d
		worst = max(worst, d)
	}
	return sum / time.Duration(n), worst
}
