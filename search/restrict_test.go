package search

import (
	"context"
	"testing"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/fixtures"
)

// TestRestriction: a person who may not read the confidential expedientes
// finds none of their documents, by word or by listing, and the totals and
// facet counts do not reveal them; their own documents they do find.
func TestRestriction(t *testing.T) {
	e := newEnv(t, "")
	e.samples(t) // all by capturista1, among them an acuse de cuenta de correo
	list, err := fixtures.Samples()
	if err != nil {
		t.Fatal(err)
	}
	var data map[string]any
	for _, s := range list {
		if s.Type == "acuse-cuenta-correo" {
			data = s.Data
		}
	}
	if data == nil {
		t.Fatal("no sample acuse-cuenta-correo")
	}
	ctx := context.Background()
	if _, err := e.office.Emit(ctx, legajo.EmitRequest{Type: "acuse-cuenta-correo", Data: data, Author: "ana.ruiz"}); err != nil {
		t.Fatal(err)
	}
	var readable []string
	for _, x := range legajo.DefaultExpedientes() {
		if !x.Restricted() {
			readable = append(readable, x.ID)
		}
	}
	count := func(r *legajo.SearchResult, exp string) int {
		n := 0
		for _, h := range r.Hits {
			if h.Expediente == exp {
				n++
			}
		}
		return n
	}
	facet := func(r *legajo.SearchResult, exp string) int {
		for _, f := range r.Facets[legajo.FacetExpediente] {
			if f.Value == exp {
				return f.Count
			}
		}
		return 0
	}
	for _, text := range []string{"", "cuenta de correo"} {
		all, err := e.index.Search(ctx, legajo.SearchQuery{Text: text, Facets: true, PerPage: legajo.MaxPerPage})
		if err != nil {
			t.Fatal(err)
		}
		inCorreos := facet(all, "correos")
		if inCorreos < 2 || count(all, "correos") != inCorreos {
			t.Fatalf("%q unrestricted: %d in correos (facet %d), want 2 or more", text, count(all, "correos"), inCorreos)
		}
		for _, tc := range []struct {
			name   string
			author string
			want   int // documents of correos found
		}{
			{"stranger", "consulta", 0},
			{"issuer of one", "ana.ruiz", 1},
			{"issuer of the rest", "capturista1", inCorreos - 1},
		} {
			r, err := e.index.Search(ctx, legajo.SearchQuery{Text: text, Facets: true, PerPage: legajo.MaxPerPage,
				Restrict: &legajo.Restriction{Readable: readable, Author: tc.author}})
			if err != nil {
				t.Fatal(err)
			}
			if got := count(r, "correos"); got != tc.want {
				t.Errorf("%q as %s: %d hits in correos, want %d", text, tc.name, got, tc.want)
			}
			if got := facet(r, "correos"); got != tc.want {
				t.Errorf("%q as %s: facet counts %d in correos, want %d", text, tc.name, got, tc.want)
			}
			// Other restricted expedientes (personal que causa baja, with
			// and without cuentas) hide what this reader did not issue.
			hidden := 0
			for _, x := range legajo.DefaultExpedientes() {
				if x.Restricted() && x.ID != "correos" {
					hidden += facet(all, x.ID) - count(r, x.ID)
				}
			}
			if r.Total != all.Total-inCorreos+tc.want-hidden {
				t.Errorf("%q as %s: total %d of %d reveals hidden documents", text, tc.name, r.Total, all.Total)
			}
			scores := map[string]float64{}
			for _, h := range all.Hits {
				scores[h.Folio] = h.Score
			}
			for _, h := range r.Hits {
				if h.Expediente == "correos" && tc.want == 0 {
					t.Errorf("%q as %s: found %s", text, tc.name, h.Folio)
				}
				if text != "" && h.Score != scores[h.Folio] {
					t.Errorf("%q as %s: %s scores %v, %v unrestricted: the restriction must not change relevance", text, tc.name, h.Folio, h.Score, scores[h.Folio])
				}
			}
		}
	}
}
