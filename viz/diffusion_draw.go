package viz

import (
	"fmt"
	"io"

	"github.com/ebitengine/debugui"

	"github.com/flowviz/flowviz/flow/data"
	"github.com/flowviz/flowviz/viz/drawing"
	"github.com/flowviz/flowviz/viz/palette"
	"github.com/flowviz/flowviz/viz/storage"
)

// colourRow is the Draw section's colour picker: the class new points
// get. A drawing in several colours is a labelled target, one class per
// colour, that a class-conditional model trains on.
func (d *Drawer) colourRow(ctx *debugui.Context) {
	doc := d.doc()
	ctx.SetGridLayout([]int{-3, -1, -1}, nil)
	ctx.Text(fmt.Sprintf("colour = class %d of %d", doc.Label, drawing.Colours))
	ctx.Button("−").On(func() { d.setColour(doc.Label - 1) })
	ctx.Button("+").On(func() { d.setColour(doc.Label + 1) })
}

// setColour makes class k (round the colours) the one both drawings draw
// with.
func (d *Drawer) setColour(k int) {
	k = (k%drawing.Colours + drawing.Colours) % drawing.Colours
	d.target.Label, d.source.Label = k, k
	d.ui.say(fmt.Sprintf("drawing in colour %d: its points are class %d (a class-conditional model learns each colour)", k, k), false)
}

// colour is the brush ring's colour: the class drawn with, once the
// drawing has more than one (the accent for a plain drawing).
func (d *Drawer) colour() palette.RGBA {
	doc := d.doc()
	if doc.Label == 0 && !doc.Labelled() {
		return palette.Accent
	}
	return palette.Class(doc.Label)
}

// writeDrawing writes a drawing as CSV, atomically: "x,y" rows for a plain
// drawing (version 1 of the drawings file), "x,y,label" rows under that
// header for one in several colours (version 2), which older builds refuse
// instead of misreading.
func writeDrawing(st storage.Store, path string, doc *drawing.Doc) error {
	if !doc.Labelled() {
		return writeCSV(st, path, doc.Points())
	}
	if err := st.WriteFile(path, func(w io.Writer) error { return data.WriteLabeledCSV(w, doc.Points(), doc.Labels()) }); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	return nil
}
