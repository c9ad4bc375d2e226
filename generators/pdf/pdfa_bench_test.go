package pdf_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-pdf/fpdf"

	"github.com/sesver/legajo/fixtures"
	"github.com/sesver/legajo/generators/pdf"
)

// BenchmarkPDFA renders a one-page tanto (the ORIGINAL of an oficio to a
// supplier) three ways in one run, to compare as ratios on a shared
// machine: as production does (PDF/A-2b, font subsets from fonts parsed
// once), the naive way (the same, parsing the TrueType files again for
// every document), and as before issue 12 (standard fonts, not PDF/A).
// cpu-ms/op is the process's CPU time per document, less disturbed than
// the wall time by other processes. Run on one core:
//
//	go test ./generators/pdf -run '^$' -bench PDFA -cpu 1 -count 5
func BenchmarkPDFA(b *testing.B) {
	var one sample
	for _, s := range samples(b) {
		if s.name == "oficio-proveedor" {
			one = s
		}
	}
	if one.doc == nil {
		b.Fatal("no oficio-proveedor sample")
	}
	tanto := one.doc.Type.Tantos[0]
	opts := pdf.Options{Logo: fixtures.Logo()}
	reparsing, err1 := pdf.NewReparsing(opts)
	plain, err2 := pdf.NewPlain(opts)
	if err1 != nil || err2 != nil {
		b.Fatal(err1, err2)
	}
	// pdfa-each-folio renders a new document each time, as emission does:
	// the same text under another folio, so another QR code.
	b.Run("pdfa-each-folio", func(b *testing.B) {
		r := newRenderer(b, false)
		b.ReportAllocs()
		start := cpuTime()
		n := 0
		for b.Loop() {
			d := *one.doc
			n++
			d.Folio.Number = 1000 + n
			if err := r.Render(io.Discard, &d, tanto); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/1e6/float64(b.N), "cpu-ms/op")
	})
	for _, mode := range []struct {
		name string
		r    *pdf.Renderer
	}{{"pdfa", newRenderer(b, false)}, {"pdfa-reparsing-fonts", reparsing}, {"not-pdfa", plain}} {
		var buf bytes.Buffer
		if err := mode.r.Render(&buf, one.doc, tanto); err != nil {
			b.Fatal(err)
		}
		if n := bytes.Count(buf.Bytes(), []byte("/Type /Page\n")); n != 1 {
			b.Fatalf("%s: %d pages, want a one-page tanto", mode.name, n)
		}
		size := buf.Len()
		b.Run(mode.name, func(b *testing.B) {
			b.ReportAllocs()
			start := cpuTime()
			for b.Loop() {
				if err := mode.r.Render(io.Discard, one.doc, tanto); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/1e6/float64(b.N), "cpu-ms/op")
			b.ReportMetric(float64(size), "bytes")
		})
	}
}

// BenchmarkFpdfUTF8Fonts is fpdf's own way of embedding TrueType fonts:
// AddUTF8FontFromBytes parses each file again in every document. One line
// in each of the three faces a tanto uses, nothing else: a floor for that
// way of rendering a tanto.
//
//	go test ./generators/pdf -run '^$' -bench FpdfUTF8Fonts -cpu 1
func BenchmarkFpdfUTF8Fonts(b *testing.B) {
	var files [][]byte
	for _, name := range []string{"LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf", "LiberationSans-Italic.ttf"} {
		data, err := os.ReadFile(filepath.Join("fonts", name))
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, data)
	}
	start := cpuTime()
	for b.Loop() {
		f := fpdf.New("P", "mm", "Letter", "")
		for i, style := range []string{"", "B", "I"} {
			f.AddUTF8FontFromBytes("liberation", style, files[i])
		}
		f.AddPage()
		for _, style := range []string{"", "B", "I"} {
			f.SetFont("liberation", style, 10)
			f.Cell(0, 5, "Xalapa-Enríquez, Ver., a 26 de noviembre de 2026 · SESVER/DA/DTI/OP/0042/2026")
			f.Ln(6)
		}
		if err := f.Output(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/1e6/float64(b.N), "cpu-ms/op")
}
