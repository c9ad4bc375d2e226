package search

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/ledongthuc/pdf"
)

// Bounds on what one uploaded PDF contributes to the index: enough for any
// oficio, acuse or user manual, small enough that a hostile or broken file
// cannot stall indexing or bloat the index.
const (
	maxPDFBytes = 20 << 20
	maxPDFPages = 300
	maxPDFText  = 200_000 // bytes of extracted text
)

// pdfText extracts the text layer of a PDF. A scan without a text layer
// gives "". The parser is third-party code fed with uploaded bytes, so a
// panic in it is recovered and reported as an error: a bad upload must
// never stop the index.
func pdfText(data []byte) (text string, err error) {
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		return "", nil // an image: no text layer
	}
	if len(data) > maxPDFBytes {
		return "", fmt.Errorf("pdf of %d bytes is over the limit", len(data))
	}
	defer func() {
		if r := recover(); r != nil {
			text, err = "", fmt.Errorf("pdf: unreadable: %v", r)
		}
	}()
	r, err := pdf.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", fmt.Errorf("pdf: %w", err)
	}
	n := min(r.NumPage(), maxPDFPages)
	var b strings.Builder
	fonts := map[string]*pdf.Font{}
	for i := 1; i <= n && b.Len() < maxPDFText; i++ {
		p := r.Page(i)
		if p.V.IsNull() {
			continue
		}
		for _, name := range p.Fonts() {
			if _, ok := fonts[name]; !ok {
				f := p.Font(name)
				fonts[name] = &f
			}
		}
		s, err := p.GetPlainText(fonts)
		if err != nil {
			return "", fmt.Errorf("pdf: page %d: %w", i, err)
		}
		b.WriteString(s)
		b.WriteByte('\n')
	}
	s := b.String()
	if len(s) > maxPDFText {
		s = s[:maxPDFText]
	}
	return strings.ToValidUTF8(s, ""), nil
}
