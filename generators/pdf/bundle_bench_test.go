package pdf_test

import (
	"io"
	"runtime"
	"strconv"
	"testing"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/fixtures"
)

// BenchmarkBundle assembles legajos of n documents (rendered samples of two
// and three pages, each followed by a one-page acuse scan): the cost of
// «legajo trail --format pdf» once the files are read.
func BenchmarkBundle(b *testing.B) {
	t := &testing.T{}
	r := newRenderer(t, false)
	var docs [][]byte
	for _, s := range samples(t) {
		if s.name == "oficio-liberacion" || s.name == "minuta" {
			docs = append(docs, render(t, r, s.doc, s.doc.Type.Tantos[0]))
		}
	}
	scan := fixtures.ScanJPEG()
	for _, n := range []int{100, 500} {
		b.Run("documents="+strconv.Itoa(n), func(b *testing.B) {
			b.ReportAllocs()
			var ms runtime.MemStats
			for b.Loop() {
				bundle := r.NewBundle()
				for i := range n {
					d := docs[i%len(docs)]
					folio := "SESVER/DA/DTI/OL/" + strconv.Itoa(i+1) + "/2026"
					bundle.Add(legajo.TrailEvent{Event: legajo.EventEmitido, Folio: folio, At: at("2026-03-02 09:30"),
						Title: "Oficio de liberación de sistema", Subject: "Liberación del sistema", Kind: "pdf", Tanto: "COPIA",
						Filed: true, Key: "expedientes/dti/" + strconv.Itoa(i) + ".pdf", SHA256: hash(d)}, d)
					bundle.Add(legajo.TrailEvent{Event: legajo.EventAcuse, Folio: folio, At: at("2026-03-03 09:30"), Kind: "acuse",
						Filed: true, Key: "expedientes/dti/" + strconv.Itoa(i) + ".jpg", SHA256: hash(scan)}, scan)
				}
				if err := bundle.Write(io.Discard, bundleInfo(true)); err != nil {
					b.Fatal(err)
				}
			}
			runtime.ReadMemStats(&ms)
			b.ReportMetric(float64(ms.HeapSys)/(1<<20), "HeapSys-MB")
		})
	}
}
