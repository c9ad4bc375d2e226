package search

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"

	"github.com/sesver/legajo"
)

// The stored values pageHits reads must be the ones bleve's own loading
// gives, on an index of many segments with replaced documents (every acuse
// and cancellation re-indexes its folio).
func TestStoredFieldsAsBleveLoadsThem(t *testing.T) {
	w := sharedWorld(t)
	x := w.index
	x.mu.RLock()
	defer x.mu.RUnlock()
	req := bleve.NewSearchRequestOptions(query.NewMatchAllQuery(), 1000, 0, false)
	req.Fields = []string{"*"}
	res, err := x.idx.SearchInContext(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Hits) < 10 {
		t.Fatalf("only %d documents", len(res.Hits))
	}
	r, err := x.reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	withText := 0
	for _, h := range res.Hits {
		got := map[string]string{}
		if err := visitStored(r, h.ID, func(name string, val []byte) { got[name] = string(val) }); err != nil {
			t.Fatal(err)
		}
		for name, v := range h.Fields {
			want, ok := v.(string)
			if !ok || name == fDate {
				continue
			}
			if got[name] != want {
				t.Errorf("%s: %s = %q, bleve %q", h.ID, name, got[name], want)
			}
		}
		if got[fFolio] != h.ID {
			t.Errorf("%s: folio %q", h.ID, got[fFolio])
		}
		if got[fText] != "" {
			withText++
		}
	}
	// Without words to mark: no analyzer needed.
	page, err := x.pageHits(res.Hits, &plan{marks: &marker{exact: map[string]bool{}}}, nil)
	if err != nil || len(page) != len(res.Hits) {
		t.Fatalf("%d page hits of %d: %v", len(page), len(res.Hits), err)
	}
	for i, h := range res.Hits {
		date, err := time.Parse(time.RFC3339Nano, h.Fields[fDate].(string))
		if err != nil {
			t.Fatal(err)
		}
		hit := page[i]
		if hit.Folio != h.ID || hit.Type != h.Fields[fType] || !hit.Date.Equal(date) || hit.Status != h.Fields[fStatus] ||
			hit.Subject != h.Fields[fSubject] || hit.Title != h.Fields[fTitle] || hit.Expediente != h.Fields[fExpediente] ||
			hit.Area != str(h.Fields[fArea]) || strings.Join(hit.NoText, "\n") != str(h.Fields[fNoText]) || hit.Score != h.Score {
			t.Errorf("page hit %+v, bleve %v", hit, h.Fields)
		}
	}
	if withText == 0 {
		t.Error("no document with a stored text")
	}
}

// Every hit of a page has its stored values, whatever the segment it is
// in: the page of everything by folio holds each folio once.
func TestPageHitsHoldEveryFolio(t *testing.T) {
	w := sharedWorld(t)
	res := search(t, w.index, legajo.SearchQuery{Sort: legajo.SortFolio, PerPage: legajo.MaxPerPage})
	seen := map[string]bool{}
	for _, h := range res.Hits {
		if h.Folio == "" || h.Type == "" || h.Date.IsZero() || h.Status == "" || seen[h.Folio] {
			t.Errorf("hit %+v", h)
		}
		seen[h.Folio] = true
	}
	if len(seen) != min(res.Total, legajo.MaxPerPage) || !strings.Contains(strings.Join(folios(res), " "), "/") {
		t.Errorf("%d folios of %d", len(seen), res.Total)
	}
}
