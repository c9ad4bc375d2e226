package search

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/fixtures"
)

// FuzzQuery runs whatever a person types into the search box, with any
// order and page, against a small real index. A query is answered or
// refused with ErrInvalid in Spanish; never an internal error, never more
// hits than a page holds.
func FuzzQuery(f *testing.F) {
	for _, s := range []string{"", "sicip", "liberación del sistema", `"cuenta de correo"`, "-cancelado sicip", "ol-1",
		"OL/0001/2026", "0001/2026", `-"sin cerrar`, "«frase» “otra”", "contraseña~2", "a*", "año:2026", "+tipo -x",
		"- -- ---", "\u00a0-\u0085x", "folio:\"", "\xff\xfe", strings.Repeat("palabra ", 40),
		"ol 1", "oficio OL 0001 2026", "ol 1 de 2026", "dictamen tecnico 0001/2026", "15/03/2026", "31/02/26", "2026-13-40",
		"228 813 4470", "(228) 814-1500", "$18,300.00", "5cg71", "migra*", "*", "**", "|", "o", "a o b", "x|y|", "js tuxpan",
		"gomes", "lagunez", "jurisdision", "depto.", "no. ol", "inventario 912", "hhhhhhhhhhh"} {
		f.Add(s, "", 1, 0, false)
	}
	f.Add("correo", "fecha", 2, 5, true)
	f.Add("", "-folio", 0, 1, true)
	f.Add("x", "tamaño", -1, 1000, false)
	e := newEnv(f, "")
	for _, name := range []string{"oficio-liberacion", "acuse-cuenta-correo", "minuta"} {
		e.emit(f, name, sample(f, name))
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, text, sort string, page, perPage int, facets bool) {
		res, err := e.index.Search(ctx, legajo.SearchQuery{Text: text, Sort: sort, Page: page, PerPage: perPage, Facets: facets})
		if err != nil {
			if !errors.Is(err, legajo.ErrInvalid) || !utf8.ValidString(err.Error()) || !strings.HasSuffix(err.Error(), ".") {
				t.Fatalf("Search(%q, %q, %d, %d): %v", text, sort, page, perPage, err)
			}
			return
		}
		if len(res.Hits) > res.PerPage || len(res.Hits) > res.Total || res.Total > 3 {
			t.Fatalf("Search(%q): %d hits of %d, %d per page", text, len(res.Hits), res.Total, res.PerPage)
		}
		for _, h := range res.Hits {
			if _, err := legajo.ParseFolio(h.Folio, fixtures.Institution().FolioPrefix); err != nil {
				t.Errorf("hit %+v: %v", h, err)
			}
			for _, frags := range h.Fragments {
				for _, fr := range frags {
					if !utf8.ValidString(fr) {
						t.Errorf("fragment %q is not UTF-8", fr)
					}
				}
			}
		}
	})
}

// FuzzPDFText feeds any bytes to the text extraction of uploads: it
// returns text (valid UTF-8) or an error, never panics and answers within
// seconds.
func FuzzPDFText(f *testing.F) {
	text := fixtures.TextPDF("ACUSE DE RECIBIDO", "Recibí original firmado")
	f.Add(text)
	f.Add(text[:len(text)/2])
	f.Add(bytes.Replace(text, []byte("/Length "), []byte("/Length 9"), 1))
	f.Add(bytes.Replace(text, []byte("Tj"), []byte("TJ"), -1))
	f.Add([]byte("%PDF-1.4\n%%EOF\n"))
	f.Add([]byte("%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 1 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF"))
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var s string
		var err error
		done := make(chan struct{})
		go func() {
			defer close(done)
			s, err = pdfText(data)
		}()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("no answer after 10 s for %d bytes", len(data))
		}
		if err != nil && s != "" {
			t.Errorf("text %q with error %v", s, err)
		}
		if !utf8.ValidString(s) {
			t.Errorf("text is not UTF-8: %q", s)
		}
	})
}

// TestPDFTextSelfReferencingPages: found by FuzzPDFText. A page tree that
// lists itself among its kids (700 bytes that anyone may upload as an
// anexo) keeps the extraction busy forever.
func TestPDFTextSelfReferencingPages(t *testing.T) {
	pdf := bytes.Replace(fixtures.TextPDF("ACUSE DE RECIBIDO"), []byte("/Kids [3 0 R]"), []byte("/Kids [2 0 R]"), 1)
	if !bytes.Contains(pdf, []byte("/Kids [2 0 R]")) {
		t.Fatal("the sample PDF changed: no page tree to loop")
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		pdfText(pdf)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("pdfText still busy after 10 s on a page tree that lists itself")
	}
}
