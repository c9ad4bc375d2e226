package pdf_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/sesver/legajo/fixtures"
	"github.com/sesver/legajo/generators/pdf"
)

// BenchmarkRender renders one tanto of every sample, as production does
// (PDF/A, streams deflated by toPDFA), as before PDF/A (standard fonts,
// nothing embedded) and as the golden tests do (uncompressed), in one run
// so they compare as ratios on a noisy machine. Run on one core:
//
//	go test -run '^$' -bench Render -cpu 1 ./generators/pdf
func BenchmarkRender(b *testing.B) {
	for _, mode := range []struct {
		name string
		r    *pdf.Renderer
	}{{"compressed", newRenderer(b, false)}, {"not-pdfa", notPDFA(b)}, {"uncompressed", newRenderer(b, true)}} {
		r := mode.r
		for _, s := range samples(b) {
			tanto := s.doc.Type.Tantos[len(s.doc.Type.Tantos)-1]
			var buf bytes.Buffer
			if err := r.Render(&buf, s.doc, tanto); err != nil {
				b.Fatal(err)
			}
			pages := bytes.Count(buf.Bytes(), []byte("/Type /Page\n"))
			b.Run(mode.name+"/"+s.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					if err := r.Render(io.Discard, s.doc, tanto); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(pages), "pages")
				b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/1000/float64(pages), "ms/page")
			})
		}
	}
}

func notPDFA(b *testing.B) *pdf.Renderer {
	r, err := pdf.NewPlain(pdf.Options{Logo: fixtures.Logo()})
	if err != nil {
		b.Fatal(err)
	}
	return r
}
