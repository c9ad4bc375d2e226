package search

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sesver/legajo/internal/pdfread"
)

// Bounds on what one uploaded PDF costs and contributes to the index:
// enough for any oficio, acuse or scanned manual with a text layer, small
// enough that a hostile or broken file (a deflate bomb, millions of
// operands, a huge object stream) can neither exhaust memory nor stall
// indexing. Measured in BenchmarkWorstPDF.
const (
	maxPDFBytes    = 20 << 20 // size of the file
	maxPDFPages    = 300      // pages read; the rest are skipped
	maxPDFText     = 200_000  // bytes of extracted text kept
	maxPDFInflated = 32 << 20 // decoded stream bytes, all streams together
	maxPDFRead     = 64 << 20 // bytes read from the file, re-reads included, plus twice its size
	maxPDFShow     = 16 << 10 // bytes of one string shown on a page
	pdfTimeout     = 5 * time.Second
)

// pdfTimeoutNow is the clock of the time limit; tests move it.
var pdfTimeoutNow = time.Now

// errNoText is the kind of a PDF whose text was not extracted.
var errNoText = errors.New("texto no extraído")

// noTextError says in Spanish why the text of a PDF was not extracted, for
// the document page and the search results; Cause is the parser's own
// account, for the log.
type noTextError struct {
	why   string
	Cause any
}

func (e *noTextError) Error() string        { return errNoText.Error() + ": " + e.why }
func (e *noTextError) Is(target error) bool { return target == errNoText }

func noText(format string, args ...any) *noTextError {
	return &noTextError{why: fmt.Sprintf(format, args...)}
}

// textFull stops the interpretation of a page once enough text is kept.
type textFull struct{}

// pdfText extracts the text layer of a PDF. A scan without a text layer
// gives "". The parser (a copy of github.com/ledongthuc/pdf in
// internal/pdf, metered) is fed with uploaded bytes, so every read it
// makes counts against the limits above, and a panic in it is recovered:
// a bad upload must never stop the index. An error wraps errNoText and
// says in Spanish why the text was not extracted.
func pdfText(data []byte) (text string, err error) {
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		return "", nil // an image: no text layer
	}
	if len(data) > maxPDFBytes {
		return "", noText("el PDF pasa de %d MiB", maxPDFBytes>>20)
	}
	var b strings.Builder
	defer func() {
		if r := recover(); r != nil {
			text, err = "", whyNot(r)
		}
	}()
	r, err := pdfread.NewReaderLimits(bytes.NewReader(data), int64(len(data)), pdfread.Limits{
		Inflated: maxPDFInflated,
		Read:     maxPDFRead + 2*int64(len(data)),
		Deadline: pdfTimeoutNow().Add(pdfTimeout),
	})
	if err != nil {
		return "", whyNot(err)
	}
	n := min(r.NumPage(), maxPDFPages)
	fonts := map[string]*pdfread.Font{}
	for i := 1; i <= n && b.Len() < maxPDFText; i++ {
		if pageText(r.Page(i), fonts, &b) {
			break
		}
		b.WriteByte('\n')
	}
	s := b.String()
	if len(s) > maxPDFText {
		s = s[:maxPDFText]
	}
	return strings.ToValidUTF8(s, ""), nil
}

// pageText writes the text a page shows to b; it reports whether b is full.
func pageText(p pdfread.Page, fonts map[string]*pdfread.Font, b *strings.Builder) (full bool) {
	if p.V.IsNull() || p.V.Key("Contents").Kind() == pdfread.Null {
		return false
	}
	for _, name := range p.Fonts() {
		if _, ok := fonts[name]; !ok {
			f := p.Font(name)
			fonts[name] = &f
		}
	}
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(textFull); !ok {
				panic(r)
			}
			full = true
		}
	}()
	var enc pdfread.TextEncoding
	show := func(raw string) {
		if len(raw) > maxPDFShow {
			raw = raw[:maxPDFShow]
		}
		if enc == nil {
			b.WriteString(raw)
		} else {
			b.WriteString(enc.Decode(raw))
		}
		if b.Len() >= maxPDFText {
			panic(textFull{})
		}
	}
	pdfread.Interpret(p.V.Key("Contents"), func(stk *pdfread.Stack, op string) {
		n := stk.Len()
		args := make([]pdfread.Value, n)
		for i := n - 1; i >= 0; i-- {
			args[i] = stk.Pop()
		}
		switch op {
		case "BT", "T*":
			b.WriteByte('\n')
		case "Tf":
			enc = nil
			if len(args) == 2 {
				if f, ok := fonts[args[0].Name()]; ok {
					enc = f.Encoder()
				}
			}
		case "Tj", "'", "\"":
			if len(args) > 0 {
				show(args[len(args)-1].RawString())
			}
		case "TJ":
			if len(args) == 1 {
				v := args[0]
				for i := 0; i < v.Len(); i++ {
					if x := v.Index(i); x.Kind() == pdfread.String {
						show(x.RawString())
					}
				}
			}
		}
	})
	return false
}

// whyNot words a failure of the parser for the people who see the file;
// the parser's own words (English) go to the log with it.
func whyNot(r any) error {
	e := whyNotSpanish(r)
	e.Cause = r
	return e
}

func whyNotSpanish(r any) *noTextError {
	var le *pdfread.LimitError
	if e, ok := r.(error); ok && errors.As(e, &le) {
		switch le.What {
		case "time":
			return noText("leerlo tomaría más de %d segundos", int(pdfTimeout.Seconds()))
		case "inflated":
			return noText("su contenido descomprimido pasa de %d MiB", maxPDFInflated>>20)
		case "read", "pages":
			return noText("su estructura obliga a releerlo demasiadas veces")
		default:
			return noText("su estructura pasa los límites de lectura (%s)", le.What)
		}
	}
	if msg := fmt.Sprint(r); strings.Contains(msg, "encrypt") || strings.Contains(msg, "password") {
		return noText("el PDF está cifrado")
	}
	return noText("el PDF está dañado o escrito de una forma que Legajo no lee")
}
