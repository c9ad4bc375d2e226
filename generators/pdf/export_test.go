package pdf

import (
	"io"

	"github.com/sesver/legajo"
)

// NewFpdfCompressed returns a Renderer that lets fpdf compress, for the
// benchmark comparing it with compressStreams.
func NewFpdfCompressed() *Renderer { return &Renderer{fpdfCompression: true} }

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
