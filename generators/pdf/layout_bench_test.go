package pdf_test

import (
	"bytes"
	"io"
	"testing"

	"github.com/sesver/legajo/templates"
)

// BenchmarkRenderLong renders one tanto of each long sample (40-row tables,
// long paragraphs, long names): the documents pagination works hardest on.
//
//	go test -run '^$' -bench RenderLong -cpu 1 ./generators/pdf
func BenchmarkRenderLong(b *testing.B) {
	cat, err := templates.Load()
	if err != nil {
		b.Fatal(err)
	}
	r := newRenderer(b, false)
	for _, s := range longSamples(b, cat) {
		tanto := s.doc.Type.Tantos[len(s.doc.Type.Tantos)-1]
		var buf bytes.Buffer
		if err := r.Render(&buf, s.doc, tanto); err != nil {
			b.Fatal(err)
		}
		pages := bytes.Count(buf.Bytes(), []byte("/Type /Page\n"))
		b.Run(s.name, func(b *testing.B) {
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
