package search

import (
	"context"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/search/query"
)

// scores runs q on x's index and returns every match's score by id, in
// bleve's order.
func scores(t *testing.T, x *Index, q query.Query) (map[string]float64, []string) {
	t.Helper()
	req := bleve.NewSearchRequestOptions(q, 10000, 0, false)
	res, err := x.idx.SearchInContext(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	var ids []string
	for _, h := range res.Hits {
		out[h.ID] = h.Score
		ids = append(ids, h.ID)
	}
	if uint64(len(res.Hits)) != res.Total {
		t.Fatalf("%d of %d hits", len(res.Hits), res.Total)
	}
	return out, ids
}

// worldOfSegments is an index of many segments, with documents replaced by
// later events (an acuse, attachments, cancellations): the deleted
// versions stay in their segments.
func worldOfSegments(t *testing.T) *env {
	t.Helper()
	e := newEnv(t, "")
	f := e.samples(t)
	fileEvents(t, e, f)
	e.emit(t, "restablecimiento-contrasena", sample(t, "restablecimiento-contrasena"))
	if _, err := e.office.Cancel(context.Background(), f["oficio-liberacion"], "Se emitió con el sistema equivocado.", "capturista1"); err != nil {
		t.Fatal(err)
	}
	return e
}

// headWordQuery matches and scores exactly as the disjunction of a term in
// the content and in the head it replaces, alone and inside conjunctions
// (which set its query norm), on words in the title or asunto of some
// documents and in the text of others.
func TestHeadWordScoresAsDisjunction(t *testing.T) {
	e := worldOfSegments(t)
	disj := func(term string) query.Query {
		c := query.NewTermQuery(term)
		c.SetField(fContent)
		h := query.NewTermQuery(term)
		h.SetField(fHead)
		h.SetBoost(boostHead)
		return query.NewDisjunctionQuery([]query.Query{c, h})
	}
	an := e.index.idx.Mapping().AnalyzerNamed(analyzerName)
	var checked int
	for _, words := range [][]string{{"sistema"}, {"contraseña"}, {"oficio"}, {"cuenta"}, {"liberación"}, {"manual"}, {"minuta"},
		{"sistema", "cuenta"}, {"contraseña", "restablecimiento"}, {"oficio", "sistema", "liberación"}, {"nadaparecido"}} {
		var mine, theirs []query.Query
		for _, w := range words {
			term := analyze(an, w)[0]
			mine = append(mine, &headWordQuery{term: term})
			theirs = append(theirs, disj(term))
		}
		var q1, q2 query.Query = mine[0], theirs[0]
		if len(words) > 1 {
			q1, q2 = query.NewConjunctionQuery(mine), query.NewConjunctionQuery(theirs)
		}
		got, gotIDs := scores(t, e.index, q1)
		want, wantIDs := scores(t, e.index, q2)
		if len(got) != len(want) {
			t.Errorf("%v: %d hits %v, want %d %v", words, len(got), gotIDs, len(want), wantIDs)
			continue
		}
		for id, s := range want {
			if g, ok := got[id]; !ok || g != s {
				t.Errorf("%v: %s scored %v (found %v), want %v", words, id, g, ok, s)
			}
		}
		checked += len(got)
	}
	if checked < 20 {
		t.Fatalf("only %d matches compared", checked)
	}
}

// liveFirstQuery halves the score of exactly the cancelled and annulled
// documents, in every segment, and leaves the matches as they are.
func TestLiveFirstScores(t *testing.T) {
	e := worldOfSegments(t)
	dead := query.NewTermQuery("no")
	dead.SetField(fLive)
	deadIDs, _ := scores(t, e.index, dead)
	if len(deadIDs) < 2 {
		t.Fatalf("%d dead documents, want the two cancelled", len(deadIDs))
	}
	for _, text := range []string{"sistema", "oficio", "fecha reunión", "cuenta -radio"} {
		an := e.index.idx.Mapping().AnalyzerNamed(analyzerName)
		tp, _, err := e.index.textQuery(text, an, nil)
		if err != nil {
			t.Fatal(err)
		}
		var inner query.Query = query.NewConjunctionQuery(tp.must)
		if len(tp.mustNot) > 0 {
			inner = query.NewBooleanQuery([]query.Query{inner}, nil, tp.mustNot)
		}
		want, _ := scores(t, e.index, inner)
		got, ids := scores(t, e.index, &liveFirstQuery{q: inner, dead: e.index.dead})
		if len(got) != len(want) || len(got) == 0 {
			t.Fatalf("%q: %d hits, want %d (not none)", text, len(got), len(want))
		}
		sawDead := false
		for id, s := range want {
			w := s
			if _, ok := deadIDs[id]; ok {
				w *= deadFactor
				sawDead = true
			}
			if got[id] != w {
				t.Errorf("%q: %s scored %v, want %v", text, id, got[id], w)
			}
		}
		if text == "sistema" && !sawDead {
			t.Errorf("%q: no dead document among %v", text, ids)
		}
	}
}
