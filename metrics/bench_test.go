package metrics

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

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

// pair runs plain and instrumented alternately, each iteration both (in
// turns first), so that the machine's load, which moves by tens of
// percent on the shared box, weighs on both alike; it reports the median
// of each and their ratio.
func pair(b *testing.B, plain, instrumented func()) {
	var p, in []time.Duration
	type side struct {
		f func()
		d *[]time.Duration
	}
	for i := 0; b.Loop(); i++ {
		sides := []side{{plain, &p}, {instrumented, &in}}
		if i%2 == 1 {
			sides[0], sides[1] = sides[1], sides[0]
		}
		for _, s := range sides {
			t0 := time.Now()
			s.f()
			*s.d = append(*s.d, time.Since(t0))
		}
	}
	slices.Sort(p)
	slices.Sort(in)
	mp, mi := p[len(p)/2], in[len(in)/2]
	b.ReportMetric(float64(mp.Nanoseconds()), "plain-ns")
	b.ReportMetric(float64(mi.Nanoseconds()), "instrumented-ns")
	b.ReportMetric(float64(mi)/float64(mp), "ratio")
}

// BenchmarkInstrumentation measures what the metrics add to the hot
// paths, with and without them alternately in one run (see pair): issuing
// a document (storage wrapper and emission observer), searching (the
// Searcher wrapper) and the HTTP middleware around a handler that does
// nothing (its absolute cost: 1,000 requests per sample). BENCHMARKS.md
// gives the figures.
func BenchmarkInstrumentation(b *testing.B) {
	data, err := fixtures.SampleData("oficio-liberacion")
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.Run("emit", func(b *testing.B) {
		plain, _ := office(b, nil)
		instr, _ := office(b, New())
		emit := func(o *legajo.Office) func() {
			return func() {
				if _, err := o.Emit(ctx, legajo.EmitRequest{Type: "oficio-liberacion", Data: data, Author: "ana"}); err != nil {
					b.Fatal(err)
				}
			}
		}
		pair(b, emit(plain), emit(instr))
	})
	b.Run("search", func(b *testing.B) {
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
		find := func(s legajo.Searcher) func() {
			return func() {
				res, err := s.Search(ctx, legajo.SearchQuery{Text: "sistema de control"})
				if err != nil || res.Total == 0 {
					b.Fatal(res, err)
				}
			}
		}
		pair(b, find(idx), find(New().Searcher(idx)))
	})
	b.Run("http", func(b *testing.B) {
		mux := http.NewServeMux()
		mux.HandleFunc("GET /documentos/{folio}", func(http.ResponseWriter, *http.Request) {})
		req := httptest.NewRequest("GET", "/documentos/SESVER-DA-DTI-OL-0001-2026", nil)
		w := httptest.NewRecorder()
		serve := func(h http.Handler) func() {
			return func() {
				for range 1000 {
					h.ServeHTTP(w, req)
				}
			}
		}
		pair(b, serve(mux), serve(New().Instrument(mux)))
	})
}
