package search

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/sesver/legajo"
)

// TestDocStats counts documents by month, type and área and the pending
// ones by age, and checks the counts against the index's own faceted
// search of the same period: two ways of counting the same archive.
func TestDocStats(t *testing.T) {
	e := newEnv(t, "")
	ctx := context.Background()
	folios := e.samples(t)
	// A second month: the clock jumps to April.
	e.clock.start = time.Date(2026, 4, 10, 9, 0, 0, 0, time.UTC)
	e.clock.n.Store(0)
	april := e.emit(t, "minuta", sample(t, "minuta"))
	if _, err := e.office.Cancel(ctx, april, "Emitida por error", "capturista1"); err != nil {
		t.Fatal(err)
	}
	e.emit(t, "minuta", sample(t, "minuta"))
	if err := e.index.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	zone := time.UTC
	f, err := legajo.ParseStatsFilter("2026-02", "2026-04", "", time.Date(2026, 4, 30, 0, 0, 0, 0, zone), zone)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 4, 30, 12, 0, 0, 0, zone)
	st, err := e.index.DocStats(ctx, f, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Months) != 3 {
		t.Fatalf("months = %v, want feb, mar, abr", st.Months)
	}
	if want := len(folios) + 2; st.Total != want {
		t.Errorf("total = %d, want %d", st.Total, want)
	}
	if got := st.ByType["minuta"]; got[0] != 0 || got[2] != 2 || got[1] < 1 {
		t.Errorf("minutas by month = %v, want [0 ≥1 2] (the cancelled one counts)", got)
	}
	// The same period by the search's facets.
	for m, month := range st.Months {
		res := search(t, e.index, legajo.SearchQuery{From: month, To: month.AddDate(0, 1, 0), Facets: true, PerPage: 1})
		byType := map[string]int{}
		for typ, v := range st.ByType {
			byType[typ] = v[m]
		}
		for _, fc := range res.Facets[legajo.FacetType] {
			if byType[fc.Value] != fc.Count {
				t.Errorf("%s, %s: stats %d, facets %d", month.Format("2006-01"), fc.Value, byType[fc.Value], fc.Count)
			}
			delete(byType, fc.Value)
		}
		for typ, n := range byType {
			if n != 0 {
				t.Errorf("%s, %s: stats %d, facets none", month.Format("2006-01"), typ, n)
			}
		}
		areas := 0
		for _, v := range st.ByArea {
			areas += v[m]
		}
		if areas != res.Total {
			t.Errorf("%s: áreas sum %d, search total %d", month.Format("2006-01"), areas, res.Total)
		}
	}
	// Pending: every document pending of acuse is counted once, by age.
	res := search(t, e.index, legajo.SearchQuery{Statuses: []string{string(legajo.StatusPendiente)}, PerPage: legajo.MaxPerPage})
	want := make([]int, len(legajo.AgeBuckets))
	for _, h := range res.Hits {
		want[legajo.AgeBucket(h.Date, now)]++
	}
	if !equal(st.PendingAcuse, want) || res.Total == 0 {
		t.Errorf("pending acuse by age = %v, want %v (of %d)", st.PendingAcuse, want, res.Total)
	}
	// An área filters every count.
	var area string
	for a, v := range st.ByArea {
		if a != "" && v[1] > 0 {
			area = a
			break
		}
	}
	if area == "" {
		t.Fatal("no document of the samples has an área")
	}
	f.Area = area
	st2, err := e.index.DocStats(ctx, f, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(st2.ByArea) != 1 || !equal(st2.ByArea[area], st.ByArea[area]) {
		t.Errorf("filtered by %q: áreas %v", area, keys(st2.ByArea))
	}
	// An empty period counts nothing.
	f, _ = legajo.ParseStatsFilter("2020-01", "2020-12", "", now, zone)
	st3, err := e.index.DocStats(ctx, f, now)
	if err != nil || st3.Total != 0 || len(st3.ByType) != 0 {
		t.Errorf("2020: %+v, %v", st3, err)
	}
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func keys(m map[string][]int) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// TestReportedPhoneSpend reads the telephony spend from the reportes de
// consumo through the index and the archive, and follows a cancellation
// and a new report although the sum is cached.
func TestReportedPhoneSpend(t *testing.T) {
	e := newEnv(t, "")
	ctx := context.Background()
	e.clock.start = time.Date(2026, 11, 9, 9, 0, 0, 0, time.UTC)
	first := e.emit(t, "reporte-consumo", sample(t, "reporte-consumo")) // octubre de 2026, $13,412.64
	e.emit(t, "reporte-consumo", sample(t, "reporte-consumo.extenso"))
	if err := e.index.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	src := &legajo.ReportedPhoneSpend{Search: e.index, Archive: e.archive, Prefix: e.office.Institution.FolioPrefix, Zone: time.UTC}
	f, _ := legajo.ParseStatsFilter("2026-10", "2026-11", "", e.clock.start, time.UTC)
	sum := func() map[string]float64 {
		t.Helper()
		spend, err := src.Spend(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]float64{}
		for _, s := range spend {
			out[s.Month.Format("2006-01")+" "+s.Area] += s.Amount
		}
		return out
	}
	got := sum()
	if len(got) != 2 || got["2026-10 Jurisdicción Sanitaria No. VIII Veracruz"] != 13412.64 {
		t.Fatalf("spend = %v", got)
	}
	if _, err := e.office.Cancel(ctx, first, "Cifras equivocadas", "capturista1"); err != nil {
		t.Fatal(err)
	}
	if err := e.index.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if got := sum(); len(got) != 1 {
		t.Errorf("after cancelling one report: %v", got)
	}
	e.emit(t, "reporte-consumo", sample(t, "reporte-consumo"))
	if err := e.index.CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	if got := sum(); len(got) != 2 {
		t.Errorf("after issuing it again: %v", got)
	}
	// A period the reports do not cover.
	f, _ = legajo.ParseStatsFilter("2025-01", "2025-12", "", e.clock.start, time.UTC)
	if spend, err := src.Spend(ctx, f); err != nil || len(spend) != 0 {
		t.Errorf("2025: %v %v", spend, err)
	}
}
