package metrics

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/archive"
	"github.com/sesver/legajo/fixtures"
	"github.com/sesver/legajo/generators/pdf"
	"github.com/sesver/legajo/search"
	"github.com/sesver/legajo/templates"
)

// office is an Office on an fs archive, the worst case for the storage
// wrapper's share (a local file is the quickest storage call); with r,
// instrumented as `legajo serve` wires it.
func office(b *testing.B, r *Registry) (*legajo.Office, *archive.Archive) {
	b.Helper()
	raw, err := archive.OpenFS(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { raw.Close() })
	var st archive.Store = raw
	if r != nil {
		st = archive.Observe(raw, archive.Backend(raw), r)
	}
	a, err := archive.New(st, legajo.DefaultExpedientes())
	if err != nil {
		b.Fatal(err)
	}
	cat, err := templates.Load()
	if err != nil {
		b.Fatal(err)
	}
	rd, err := pdf.New(pdf.Options{})
	if err != nil {
		b.Fatal(err)
	}
	o := &legajo.Office{Catalog: cat, Archive: a, Renderer: rd, Institution: fixtures.Institution(), Directory: fixtures.Directory()}
	if r != nil {
		o.Observer = r
	}
	return o, a
}

// BenchmarkInstrumentation measures what the metrics add to the hot
// paths, each with and without them in one run: issuing a document
// (storage wrapper and emission observer), searching (the Searcher
// wrapper) and the bare HTTP middleware around a handler that does
// nothing (its absolute cost per request). BENCHMARKS.md gives the ratios.
func BenchmarkInstrumentation(b *testing.B) {
	data, err := fixtures.SampleData("oficio-liberacion")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, mode := range []string{"plain", "instrumented"} {
		var r *Registry
		if mode == "instrumented" {
			r = New()
		}
		b.Run("emit/"+mode, func(b *testing.B) {
			o, _ := office(b, r)
			for b.Loop() {
				if _, err := o.Emit(ctx, legajo.EmitRequest{Type: "oficio-liberacion", Data: data, Author: "ana"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// One index of 200 documents, searched plain and through the wrapper.
	o, a := office(b, nil)
	for i := range 200 {
		d := map[string]any{}
		for k, v := range data {
			d[k] = v
		}
		d["sistema"] = fmt.Sprintf("Sistema %d de control", i)
		if _, err := o.Emit(ctx, legajo.EmitRequest{Type: "oficio-liberacion", Data: d, Author: "ana"}); err != nil {
			b.Fatal(err)
		}
	}
	idx, err := search.Open(b.TempDir(), o.Catalog, a)
	if err != nil {
		b.Fatal(err)
	}
	defer idx.Close()
	if err := idx.CatchUp(ctx); err != nil {
		b.Fatal(err)
	}
	for _, mode := range []string{"plain", "instrumented"} {
		var s legajo.Searcher = idx
		if mode == "instrumented" {
			s = New().Searcher(idx)
		}
		b.Run("search/"+mode, func(b *testing.B) {
			for b.Loop() {
				res, err := s.Search(ctx, legajo.SearchQuery{Text: "sistema de control"})
				if err != nil || res.Total == 0 {
					b.Fatal(res, err)
				}
			}
		})
	}
	for _, mode := range []string{"plain", "instrumented"} {
		mux := http.NewServeMux()
		mux.HandleFunc("GET /documentos/{folio}", func(http.ResponseWriter, *http.Request) {})
		var h http.Handler = mux
		if mode == "instrumented" {
			h = New().Instrument(mux)
		}
		req := httptest.NewRequest("GET", "/documentos/SESVER-DA-DTI-OL-0001-2026", nil)
		b.Run("http/"+mode, func(b *testing.B) {
			w := httptest.NewRecorder()
			for b.Loop() {
				h.ServeHTTP(w, req)
			}
		})
	}
}
