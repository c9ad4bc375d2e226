package pdf

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
