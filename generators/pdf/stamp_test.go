package pdf_test

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/sesver/legajo/generators/pdf"
)

// TestStampCancelled: every page of a cancelled document's copy says
// CANCELADO, with the note; the original bytes are left alone.
func TestStampCancelled(t *testing.T) {
	r := newRenderer(t, false)
	for _, s := range samples(t) {
		if s.name != "oficio-liberacion" && s.name != "dictamen-tecnico" {
			continue
		}
		t.Run(s.name, func(t *testing.T) {
			doc := render(t, r, s.doc, s.doc.Type.Tantos[0])
			orig := bytes.Clone(doc)
			note := "Documento cancelado el 3 de diciembre de 2026. Motivo: se sustituye por el oficio con la versión 1.1, que corrige el número de módulos señalados en la revisión técnica."
			got, err := pdf.StampCancelled(doc, note)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(doc, orig) {
				t.Error("StampCancelled changed the bytes it was given")
			}
			if path := os.Getenv("LEGAJO_STAMP_OUT"); path != "" {
				os.WriteFile(path+"-"+s.name+".pdf", got, 0o644) // to look at the pages
			}
			want, _ := pdf.PageCount(doc)
			text := pdftotext(t, got)
			pages := strings.Split(strings.TrimSuffix(text, "\f"), "\f")
			if len(pages) != want {
				t.Fatalf("%d pages after stamping, want %d", len(pages), want)
			}
			// In content order (-raw) the diagonal letters come one per line.
			raw := strings.Split(strings.TrimSuffix(pdftotext(t, got, "-raw"), "\f"), "\f")
			for i, p := range pages {
				if !strings.Contains(strings.ReplaceAll(raw[i], "\n", ""), "CANCELADO") {
					t.Errorf("page %d lacks the CANCELADO stamp:\n%s", i+1, raw[i])
				}
				if flat := squash(p); !strings.Contains(flat, "Documento cancelado el 3 de diciembre de 2026. Motivo: se sustituye por el oficio con la versión 1.1") {
					t.Errorf("page %d lacks the note:\n%s", i+1, flat)
				}
			}
			if strings.Contains(strings.ReplaceAll(pdftotext(t, doc, "-raw"), "\n", ""), "CANCELADO") {
				t.Error("the original says CANCELADO before stamping: the test proves nothing")
			}
		})
	}
	if _, err := pdf.StampCancelled([]byte("not a pdf"), ""); err == nil {
		t.Error("StampCancelled of something that is not a PDF: no error")
	}
}
