// Package pdf renders Legajo's documents with go-pdf/fpdf: every document
// type from its definition, on Letter paper, with the institution's
// letterhead, the folio, the tanto mark, the acuse box, page numbers and a
// QR code that leads to the public verification page.
//
// Every file is PDF/A-2b (pdfa.go): text is in Windows-1252, which covers
// Spanish entirely, set in the embedded Liberation fonts, whose files are
// parsed once (truetype.go); each document carries a subset of the glyphs
// it prints (subset.go). Output is reproducible: the same definition, data,
// folio and date give the same bytes.
package pdf

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"

	"github.com/go-pdf/fpdf"

	"github.com/sesver/legajo"
)

// Options configure a Renderer.
type Options struct {
	// Logo is the institution's logo, PNG or JPEG; nil prints none.
	Logo []byte
	// Uncompressed leaves page streams uncompressed (golden tests read them).
	Uncompressed bool
}

// Renderer renders documents. It is safe for concurrent use.
type Renderer struct {
	opts     Options
	logoType string
	// inspect, set only by tests, sees each rendering before its output.
	inspect func(p *page)
	// fonts are the embedded fonts, parsed once. Only benchmarks change
	// that: reparse parses them again for every document, plain writes
	// fpdf's output deflated but not PDF/A, as before issue 12.
	fonts          map[string]*ttFont
	reparse, plain bool
	qrs            *qrCache // shared by copies of the Renderer (tests make some)
}

// New returns a Renderer. It fails if the logo is not a PNG or JPEG.
func New(opts Options) (*Renderer, error) {
	fonts, err := embeddedFonts()
	if err != nil {
		return nil, err
	}
	r := &Renderer{opts: opts, fonts: fonts, qrs: &qrCache{}}
	if len(opts.Logo) > 0 {
		if r.opts.Logo, r.logoType, err = opaqueLogo(opts.Logo); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Page geometry, in millimetres (Letter: 215.9 × 279.4). Nothing is
// printed within printMargin (half an inch) of an edge, where printers
// cut or smudge; the bundle's «Foja n» stamp goes in the top right corner,
// above the tanto mark.
const (
	pageW       = 215.9
	pageH       = 279.4
	printMargin = 12.7
	marginL     = 25.0
	marginR     = 20.0
	marginT     = 14.0                // the letterhead's top
	tantoTop    = printMargin + 6     // the tanto mark's top, below the «Foja n» stamp
	bodyTop     = tantoTop + 17 + 7.3 // below the letterhead and the tanto mark
	qrSize      = 18.0
	footerTop   = pageH - printMargin - qrSize // the QR code ends at the bottom margin
	bodyBottom  = pageH - footerTop + 2        // the auto page break: what the body leaves at the bottom
	contentW    = pageW - marginL - marginR
	lineH       = 4.6 // body text line height
)

// Render writes tanto of d as a PDF to w.
func (r *Renderer) Render(w io.Writer, d *legajo.Document, tanto legajo.Tanto) error {
	p := r.newPage(d, d.TantoFor(tanto)) // the variant's destination
	switch d.Type.Layout {
	case legajo.LayoutLabel:
		p.label()
	default:
		p.f.AddPage()
		switch d.Type.Layout {
		case legajo.LayoutOficio:
			p.oficioHead()
		case legajo.LayoutTarjeta:
			p.tarjetaHead()
		default:
			p.formatoHead()
		}
		p.body() // and the closing block: see flow.go
	}
	if r.inspect != nil {
		r.inspect(p)
	}
	if err := p.f.Error(); err != nil {
		return fmt.Errorf("pdf: render %s %s: %w", d.Type.ID, tanto.Name, err)
	}
	// fpdf's output and the PDF/A file are only steps on the way to w:
	// their buffers are reused.
	buf, out := getBuffer(), getBuffer()
	defer putBuffer(buf)
	defer putBuffer(out)
	if err := p.f.Output(buf); err != nil {
		return fmt.Errorf("pdf: write %s %s: %w", d.Type.ID, tanto.Name, err)
	}
	file, err := r.pdfaTo(out, buf.Bytes(), p.info, !r.opts.Uncompressed)
	if err != nil {
		return fmt.Errorf("pdf: render %s %s: %w", d.Type.ID, tanto.Name, err)
	}
	_, err = w.Write(file)
	return err
}

// buffers are the reusable buffers of Render.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// maxPooled is the largest buffer kept for reuse: a long document's must
// not stay in memory.
const maxPooled = 1 << 20

func getBuffer() *bytes.Buffer { return buffers.Get().(*bytes.Buffer) }

func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= maxPooled {
		b.Reset()
		buffers.Put(b)
	}
}

// pdfa makes fpdf's output PDF/A (see pdfa.go), in a new buffer.
func (r *Renderer) pdfa(in []byte, info docInfo, compress bool) ([]byte, error) {
	return r.pdfaTo(new(bytes.Buffer), in, info, compress)
}

// pdfaTo makes fpdf's output PDF/A in out, which must be empty, and
// returns out's bytes.
func (r *Renderer) pdfaTo(out *bytes.Buffer, in []byte, info docInfo, compress bool) ([]byte, error) {
	fonts := r.fonts
	if r.plain {
		fonts = nil
	} else if r.reparse {
		fonts = map[string]*ttFont{}
		for std, file := range standardFont {
			ft, err := loadFont(file)
			if err != nil {
				return nil, err
			}
			fonts[std] = ft
		}
	}
	return toPDFA(out, in, info, compress, fonts)
}

// page carries the state of one rendering.
type page struct {
	r     *Renderer
	f     *fpdf.Fpdf
	d     *legajo.Document
	tanto legajo.Tanto
	url   string   // the verification address, in the QR code
	log   []placed // what the body and closing block put on which page
	paras int      // paragraphs laid out so far: their ids in the log
	fs    fontState
	info  docInfo
}

func (r *Renderer) newPage(d *legajo.Document, tanto legajo.Tanto) *page {
	f := fpdf.NewCustom(&fpdf.InitType{OrientationStr: "P", UnitStr: "mm", SizeStr: "Letter"})
	p := &page{r: r, f: f, d: d, tanto: tanto}
	f.SetCompression(false) // toPDFA compresses, see flate.go
	f.SetCatalogSort(true)
	// fpdf's dates are not written: toPDFA writes the Info dictionary.
	f.SetCreationDate(d.Date.UTC())
	f.SetModificationDate(d.Date.UTC())
	title := d.Type.Title
	if !d.Draft() {
		title += " " + d.Folio.String()
	}
	kw := []string{d.Folio.String(), d.Type.ID, tanto.Name, d.Type.Expediente, d.Display("area", tanto)}
	p.info = docInfo{
		Title:    title + " (" + tanto.Name + ")",
		Author:   d.Institution.Name + " · " + strings.Join(d.Institution.Units, " · "),
		Subject:  p.expand(d.Type.Subject),
		Keywords: strings.Join(nonEmpty(kw), ", "),
		Creator:  "Legajo · " + d.Type.ID + " v" + fmt.Sprint(d.Type.Version),
		Date:     d.Date,
	}
	f.SetMargins(marginL, bodyTop, marginR)
	f.SetAutoPageBreak(true, bodyBottom)
	f.AliasNbPages("{nb}")
	if r.logoType != "" {
		f.RegisterImageOptionsReader("logo", fpdf.ImageOptions{ImageType: r.logoType}, bytes.NewReader(r.opts.Logo))
	}
	p.url = d.VerifyURL()
	if d.Type.Layout != legajo.LayoutLabel {
		f.SetHeaderFuncMode(p.header, true)
		f.SetFooterFunc(p.footer)
	}
	return p
}

func nonEmpty(ss []string) []string {
	out := ss[:0]
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// expand fills a definition's text with the document's values as printed
// on this tanto.
func (p *page) expand(t legajo.Text) string {
	return p.d.Expand(t, p.tanto)
}

// font sets the font; style is "", "B", "I" or "BI".
func (p *page) font(style string, size float64) {
	setFont(p.f, "Helvetica", style, size)
}

// text converts UTF-8 to the fonts' Windows-1252.
func text(s string) string { return toCP1252(s) }

// space adds vertical space without crossing into the footer.
func (p *page) space(h float64) {
	p.f.SetY(p.f.GetY() + h)
}
