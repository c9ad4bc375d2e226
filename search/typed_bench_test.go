package search

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/sesver/legajo"
)

// typedQueries are the kinds of query staff type that the judged set
// measures (fixtures.JudgedQueries), for their latency on the corpus.
var typedQueries = []struct {
	name string
	q    legajo.SearchQuery
}{
	{"folio-words", legajo.SearchQuery{Text: "oficio ol 0042 2024"}},
	{"partial", legajo.SearchQuery{Text: "respaldo sicip seagate cifrado"}},
	{"partial-common", legajo.SearchQuery{Text: "equipo disco duro xyzzy"}},
	{"verb-form", legajo.SearchQuery{Text: "liberar sistema incidencias"}},
	{"name-typo", legajo.SearchQuery{Text: "gomes"}},
	{"two-typos", legajo.SearchQuery{Text: "jurisdision"}},
	{"abbreviation", legajo.SearchQuery{Text: "js xalapa"}},
	{"phone", legajo.SearchQuery{Text: "2288134470"}},
	{"phone-groups", legajo.SearchQuery{Text: "228 813 4470"}},
	{"serial-prefix", legajo.SearchQuery{Text: "5cg71"}},
	{"date", legajo.SearchQuery{Text: "15/03/2024"}},
	{"prefix", legajo.SearchQuery{Text: "migra*"}},
	{"or", legajo.SearchQuery{Text: "firewall o cortafuegos"}},
}

// BenchmarkTypedQuery measures the latency of the typed kinds of query,
// as BenchmarkQuery does for the others.
func BenchmarkTypedQuery(b *testing.B) {
	x := corpusIndex(b, benchDocs())
	ctx := context.Background()
	for _, tq := range typedQueries {
		b.Run(tq.name, func(b *testing.B) {
			var lat []time.Duration
			total := 0
			for b.Loop() {
				start := time.Now()
				res, err := x.Search(ctx, tq.q)
				if err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
				total = res.Total
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			pct := func(p float64) float64 {
				return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.95), "p95-ms")
			b.ReportMetric(float64(total), "hits")
		})
	}
}
