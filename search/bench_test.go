package search

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/archive"
	"github.com/sesver/legajo/fixtures"
)

// Benchmarks run on a generated corpus (fixtures.Corpus) filed through a
// real Office into an fs archive. Filing 100,000 documents with their PDFs
// takes a while, so the archive is generated once into
// ${TMPDIR:-/tmp}/legajo-corpus-s<seed>-n<N> and reused. The size comes
// from LEGAJO_BENCH_DOCS (default 2,000, what CI affords); the figures in
// BENCHMARKS.md are for 100,000:
//
//	LEGAJO_BENCH_DOCS=100000 go test -run '^$' -bench . -benchtime 1x -timeout 3h ./search/

func benchDocs() int {
	if n, err := strconv.Atoi(os.Getenv("LEGAJO_BENCH_DOCS")); err == nil && n > 0 {
		return n
	}
	return 2000
}

const benchSeed = 1

var (
	corpusMu  sync.Mutex
	corpusDir = map[int]string{}
)

// corpusArchive returns the directory of an fs archive holding the corpus
// of n documents, generating it if no complete one is cached.
func corpusArchive(b *testing.B, n int) string {
	b.Helper()
	corpusMu.Lock()
	defer corpusMu.Unlock()
	if d, ok := corpusDir[n]; ok {
		return d
	}
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("legajo-corpus-s%d-n%d", benchSeed, n))
	if _, err := os.Stat(filepath.Join(dir, "COMPLETE")); err == nil {
		corpusDir[n] = dir
		return dir
	}
	// The archive package's verify benchmark files the same corpus, signed
	// and sealed: its archive reads the same.
	signed := filepath.Join(os.TempDir(), fmt.Sprintf("legajo-signed-corpus-s%d-n%d", benchSeed, n))
	if _, err := os.Stat(filepath.Join(signed, "COMPLETE")); err == nil {
		corpusDir[n] = signed
		return signed
	}
	os.RemoveAll(dir)
	tmp := dir + ".tmp"
	os.RemoveAll(tmp)
	cat := catalog(b)
	docs, err := fixtures.Corpus(cat, benchSeed, n)
	if err != nil {
		b.Fatal(err)
	}
	st, err := archive.OpenFS(filepath.Join(tmp, "archive"))
	if err != nil {
		b.Fatal(err)
	}
	a, err := archive.New(st, legajo.DefaultExpedientes())
	if err != nil {
		b.Fatal(err)
	}
	o := &legajo.Office{Catalog: cat, Archive: a, Renderer: renderer(b), Institution: fixtures.Institution(), Directory: fixtures.CorpusDirectory()}
	start := time.Now()
	last := start
	_, err = fixtures.FileCorpus(context.Background(), o, docs, 2, func(done, total int) {
		if time.Since(last) > 30*time.Second {
			last = time.Now()
			b.Logf("filing corpus: %d/%d events, %.0f/s", done, total, float64(done)/time.Since(start).Seconds())
		}
	})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("filed %d documents in %v (%.0f docs/s)", n, time.Since(start).Round(time.Second), float64(n)/time.Since(start).Seconds())
	if err := os.WriteFile(filepath.Join(tmp, "COMPLETE"), nil, 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.Rename(tmp, dir); err != nil {
		b.Fatal(err)
	}
	corpusDir[n] = dir
	return dir
}

func openCorpus(b *testing.B, dir string) *archive.Archive {
	b.Helper()
	st, err := archive.OpenFS(filepath.Join(dir, "archive"))
	if err != nil {
		b.Fatal(err)
	}
	a, err := archive.New(st, legajo.DefaultExpedientes())
	if err != nil {
		b.Fatal(err)
	}
	return a
}

func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// BenchmarkReindex rebuilds the index of the corpus from the fs archive
// alone, as `legajo reindex` does.
func BenchmarkReindex(b *testing.B) {
	// As `legajo reindex` does.
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(RebuildMemoryLimit))
	}
	n := benchDocs()
	a := openCorpus(b, corpusArchive(b, n))
	cat := catalog(b)
	var size int64
	for b.Loop() {
		dir := b.TempDir()
		if _, err := Rebuild(context.Background(), dir, cat, a, nil, quietLog()); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		// Opening removes the segments merges left behind.
		x, err := Open(dir, cat, a)
		if err != nil {
			b.Fatal(err)
		}
		x.Close()
		size = dirSize(dir)
		os.RemoveAll(dir)
		b.StartTimer()
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "docs/s")
	b.ReportMetric(float64(size)/(1<<20), "index-MiB")
}

// benchQueries are the query kinds whose latency BENCHMARKS.md reports.
// Selective ones match at most about 5 % of the corpus (its words come
// from a few dozen sample texts, so only names, numbers, acronyms and
// uncommon words are selective); broad ones match up to all of it.
var benchQueries = []struct {
	name      string
	selective bool
	q         legajo.SearchQuery
}{
	{"word", true, legajo.SearchQuery{Text: "obsolescencia"}},
	{"accentless-name", true, legajo.SearchQuery{Text: "Begona Ibanez"}},
	{"typo", true, legajo.SearchQuery{Text: "obsolecencia"}},
	{"acronym", true, legajo.SearchQuery{Text: "SICOVE"}},
	{"phrase", true, legajo.SearchQuery{Text: `"pantalla azul"`}},
	{"folio", true, legajo.SearchQuery{Text: "SESVER/DA/DTI/OL/0042/2024"}},
	{"folio-number", true, legajo.SearchQuery{Text: "0042/2024"}},
	{"folio-short", true, legajo.SearchQuery{Text: "ol-42"}},
	{"filter+word", true, legajo.SearchQuery{Text: "red", Types: []string{"instalacion-voz-datos"}, Statuses: []string{"acusado"}}},
	{"dates+word", true, legajo.SearchQuery{Text: "impresora", From: time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}},
	{"common-word", false, legajo.SearchQuery{Text: "transistor"}},
	{"common-accentless", false, legajo.SearchQuery{Text: "contrasena"}},
	{"two-words", false, legajo.SearchQuery{Text: "disco duro"}},
	{"common-typo", false, legajo.SearchQuery{Text: "refaciones"}},
	{"common-phrase", false, legajo.SearchQuery{Text: `"fuente de poder"`}},
	{"exclude", false, legajo.SearchQuery{Text: "equipo -dell"}},
	{"word+facets", false, legajo.SearchQuery{Text: "sistema", Facets: true}},
	{"broad+facets", false, legajo.SearchQuery{Text: "departamento", Facets: true}},
	{"all+facets", false, legajo.SearchQuery{Facets: true}}, // newest first, the default without text
	{"all+facets-unsorted", false, legajo.SearchQuery{Facets: true, Sort: legajo.SortRelevance}},
	{"year-by-date", false, legajo.SearchQuery{Sort: legajo.SortDateDesc, Year: 2025}},
}

var (
	benchIndexMu sync.Mutex
	benchIndex   = map[int]*Index{}
)

// corpusIndex is the index of the corpus, rebuilt once per run.
func corpusIndex(b *testing.B, n int) *Index {
	b.Helper()
	benchIndexMu.Lock()
	defer benchIndexMu.Unlock()
	if x, ok := benchIndex[n]; ok {
		return x
	}
	a := openCorpus(b, corpusArchive(b, n))
	// Kept between runs like the archive; LEGAJO_BENCH_REBUILD=1 (or a
	// new formatVersion) makes it anew.
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("legajo-corpus-s%d-n%d-%s", benchSeed, n, formatVersion))
	if _, err := readCurrent(dir); err != nil || os.Getenv("LEGAJO_BENCH_REBUILD") != "" {
		os.RemoveAll(dir)
		if _, err := Rebuild(context.Background(), dir, catalog(b), a, nil, quietLog()); err != nil {
			b.Fatal(err)
		}
	}
	x, err := Open(dir, catalog(b), a)
	if err != nil {
		b.Fatal(err)
	}
	x.SetLogger(quietLog())
	benchIndex[n] = x
	return x
}

// BenchmarkQuery measures every query kind's latency on the corpus's index
// and reports its median and 95th percentile.
func BenchmarkQuery(b *testing.B) {
	x := corpusIndex(b, benchDocs())
	ctx := context.Background()
	for _, bq := range benchQueries {
		b.Run(bq.name, func(b *testing.B) {
			var lat []time.Duration
			total := 0
			for range 5 { // warm up
				if _, err := x.Search(ctx, bq.q); err != nil {
					b.Fatal(err)
				}
			}
			for b.Loop() {
				start := time.Now()
				res, err := x.Search(ctx, bq.q)
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
			if bq.selective {
				b.ReportMetric(1, "selective")
			}
		})
	}
}

// BenchmarkSnapshotOpen measures what a CLI search pays beside a server
// that holds the index: opening a private snapshot of it (this process
// holds the index, as the server would), catching up and closing it.
func BenchmarkSnapshotOpen(b *testing.B) {
	held := corpusIndex(b, benchDocs())
	ctx := context.Background()
	for b.Loop() {
		x, err := Open(held.Dir(), catalog(b), held.x.src)
		if err != nil {
			b.Fatal(err)
		}
		if !x.Private() {
			b.Fatal("not a private snapshot")
		}
		if err := x.CatchUp(ctx); err != nil {
			b.Fatal(err)
		}
		if _, err := x.Search(ctx, legajo.SearchQuery{Text: "contrasena"}); err != nil {
			b.Fatal(err)
		}
		if err := x.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFacetPasses compares, in one run, faceted searches ranked and
// counted in one pass over the matches (facetedQuery, what Search does)
// with the two passes before it (facetCount, then bleve's ranking): the
// web page's search always counts facets.
//
//	LEGAJO_BENCH_DOCS=100000 go test -run '^$' -bench FacetPasses -benchtime 100x -count 3 ./search
func BenchmarkFacetPasses(b *testing.B) {
	x := corpusIndex(b, benchDocs())
	ctx := context.Background()
	defer func() { facetsInOnePass = true }()
	for _, q := range []legajo.SearchQuery{
		{Text: "equipo", Facets: true},
		{Text: "jurisdiccion xalapa", Facets: true},
		{Text: "sistema", Facets: true},
		{Text: "obsolescencia", Facets: true},
		{Facets: true, Sort: legajo.SortRelevance},
	} {
		for _, passes := range []int{2, 1} {
			name := strings.ReplaceAll(q.Text, " ", "_")
			if name == "" {
				name = "all"
			}
			b.Run(fmt.Sprintf("%s/passes=%d", name, passes), func(b *testing.B) {
				facetsInOnePass = passes == 1
				for b.Loop() {
					if _, err := x.Search(ctx, q); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
