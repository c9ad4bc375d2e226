package pdf

import (
	"io"

	"github.com/sesver/legajo"
)

// Placed is one entry of a layout log.
type Placed = placed

// Layout is what a rendering put where.
type Layout struct {
	Log    []Placed // the body and the closing block, in order
	Pages  int
	Bottom float64 // the lowest a body item may reach, from the top of the page
}

// LayoutOf renders tanto of d and returns its layout.
func LayoutOf(r *Renderer, d *legajo.Document, tanto legajo.Tanto) (Layout, error) {
	var l Layout
	rr := *r
	rr.inspect = func(p *page) {
		_, bottom := p.f.GetAutoPageBreak()
		l = Layout{Log: p.log, Pages: p.f.PageNo(), Bottom: pageH - bottom}
	}
	err := rr.Render(io.Discard, d, tanto)
	return l, err
}

// NewReparsing returns a Renderer that parses the font files again for
// every document, for the benchmark that shows why New parses them once.
func NewReparsing(opts Options) (*Renderer, error) {
	r, err := New(opts)
	if r != nil {
		r.reparse = true
	}
	return r, err
}

// NewPlain returns a Renderer that writes fpdf's output deflated, not
// PDF/A, for the benchmark that measures what PDF/A costs.
func NewPlain(opts Options) (*Renderer, error) {
	r, err := New(opts)
	if r != nil {
		r.plain = true
	}
	return r, err
}

// FontProgramWidths reads an embedded TrueType program as a PDF/A checker
// does: the width, in thousandths of an em, of each character its Unicode
// cmap maps.
func FontProgramWidths(b []byte) (map[rune]int, error) {
	ft, err := parseTrueType(b)
	if err != nil {
		return nil, err
	}
	out := make(map[rune]int, len(ft.cmap))
	for r, g := range ft.cmap {
		out[r] = ft.width(g)
	}
	return out, nil
}

// QRBox is where a document's page prints its QR code, in millimetres
// from the top left corner: x, y and side.
func QRBox() (x, y, side float64) { return marginL, footerTop, qrSize }

// LogoBox is where a document's letterhead prints the logo: x, y and
// height in millimetres (the logo is square in the tests).
func LogoBox() (x, y, side float64) { return marginL, marginT, 16 }

// Sheets renders the index and the closing sheet of an empty legajo and a
// substitute foja, as Bundle.Write makes them before merging.
func Sheets(r *Renderer, info legajo.TrailInfo) (index, closing, substitute []byte, err error) {
	b := r.NewBundle()
	if index, err = b.index(nil, info, 0); err != nil {
		return
	}
	if closing, err = b.closing(nil, info, 0); err != nil {
		return
	}
	p := &part{item: bundleItem{ev: legajo.TrailEvent{Folio: "SESVER/DA/DTI/OL/0001/2026", Key: "k", Filed: true}}}
	p.note = "El archivo no se encontró en el almacenamiento."
	b.substitute(p, info)
	return index, closing, p.pdf, nil
}
