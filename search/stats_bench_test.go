//go:build linux

package search

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/sesver/legajo"
)

// BenchmarkDocStats counts three years of the corpus by month, type and
// área, and the pending documents by age, two ways: DocStats (the
// segments' columns) against what the statistics would cost through the
// search API, one faceted search per month. p50/p95 of each; the page's
// budget is 200 ms for all of it.
//
//	LEGAJO_BENCH_DOCS=100000 go test -run '^$' -bench DocStats -benchtime 200x ./search/
func BenchmarkDocStats(b *testing.B) {
	x := corpusIndex(b, benchDocs())
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	f, err := legajo.ParseStatsFilter("2023-12", "2026-11", "", now, time.UTC)
	if err != nil {
		b.Fatal(err)
	}
	measure := func(b *testing.B, run func() int) {
		for range 3 {
			run()
		}
		var lat []time.Duration
		total := 0
		cpu0 := cpuTime(b)
		for b.Loop() {
			start := time.Now()
			total = run()
			lat = append(lat, time.Since(start))
		}
		// The machine is shared: the CPU a run takes says more than its
		// wall time when others load it.
		b.ReportMetric(float64((cpuTime(b)-cpu0).Microseconds())/1000/float64(len(lat)), "cpu-ms/op")
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		pct := func(p float64) float64 {
			return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
		}
		b.ReportMetric(pct(0.50), "p50-ms")
		b.ReportMetric(pct(0.95), "p95-ms")
		b.ReportMetric(float64(total), "docs")
	}
	b.Run("columns", func(b *testing.B) {
		measure(b, func() int {
			st, err := x.DocStats(ctx, f, now)
			if err != nil {
				b.Fatal(err)
			}
			return st.Total
		})
	})
	b.Run("facet-search-per-month", func(b *testing.B) {
		measure(b, func() int {
			total := 0
			for _, m := range f.Months() {
				res, err := x.Search(ctx, legajo.SearchQuery{From: m, To: m.AddDate(0, 1, 0), Facets: true, PerPage: 1, Sort: legajo.SortRelevance})
				if err != nil {
					b.Fatal(err)
				}
				total += res.Total
			}
			// …and the pending ones, all of them, for their ages.
			for _, s := range []string{string(legajo.StatusPendiente), string(legajo.StatusPendienteFirma)} {
				if _, err := x.Search(ctx, legajo.SearchQuery{Statuses: []string{s}, PerPage: 1, Facets: true}); err != nil {
					b.Fatal(err)
				}
			}
			return total
		})
	})
}
