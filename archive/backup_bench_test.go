package archive

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/fixtures"
	"github.com/sesver/legajo/templates"
)

// BenchmarkBackup copies the generated corpus (fixtures.Corpus, the one
// search's benchmarks file, shared through the same cache directory
// ${TMPDIR:-/tmp}/legajo-corpus-s1-n<N>) from the fs archive to an fs
// directory and to a bucket of the real S3 server: a first, full backup;
// a run with nothing new (the cost of listing both sides); and a run after
// LEGAJO_BENCH_NEW new documents (default a tenth of the corpus). The size
// comes from LEGAJO_BENCH_DOCS (default 2,000):
//
//	source .ci/s3.sh && s3_start
//	LEGAJO_BENCH_DOCS=2000 go test -run '^$' -bench Backup -benchtime 1x ./archive
//	LEGAJO_BENCH_NEW=20 LEGAJO_BENCH_RANGE_KEYS=40 go test -run '^$' -bench 'Backup/.*/after' -benchtime 1x ./archive
//	LEGAJO_BENCH_SIGNED=1 LEGAJO_BENCH_DOCS=100000 LEGAJO_BENCH_NEW=1000 go test -run '^$' -bench 'Backup/fs' -benchtime 1x -timeout 3h ./archive
func BenchmarkBackup(b *testing.B) {
	n := envInt("LEGAJO_BENCH_DOCS", 2000)
	added := envInt("LEGAJO_BENCH_NEW", n/10)
	// LEGAJO_BENCH_RANGE_KEYS scales the ranges down with the corpus, to
	// see at 2,000 documents how many ranges 1,000 new documents change at
	// 100,000 (with 20 new ones and ranges of 40 keys).
	defer func(k int) { rangeKeys = k }(rangeKeys)
	rangeKeys = envInt("LEGAJO_BENCH_RANGE_KEYS", rangeKeys)
	// LEGAJO_BENCH_SIGNED=1 copies the verify benchmark's signed corpus
	// instead (the same documents, with a log), so that one 100,000-document
	// corpus serves both.
	dir := ""
	var signer *Signer
	if os.Getenv("LEGAJO_BENCH_SIGNED") == "1" {
		dir, signer = signedCorpus(b, n)
	} else {
		dir = benchCorpus(b, n)
	}
	corpus := filepath.Join(dir, "archive")
	targets := []struct {
		name string
		open func(b *testing.B) Store
	}{
		{"fs", func(b *testing.B) Store { return newFSStore(b) }},
		{"s3", func(b *testing.B) Store { return countedS3Store(b) }},
	}
	for _, tg := range targets {
		b.Run(tg.name+"/full", func(b *testing.B) {
			src, err := OpenFS(corpus)
			if err != nil {
				b.Fatal(err)
			}
			var rep CopyReport
			for b.Loop() {
				b.StopTimer()
				dst := tg.open(b)
				b.StartTimer()
				if rep, err = Backup(context.Background(), src, dst, CopyOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			reportCopy(b, rep)
		})
		b.Run(tg.name+"/nothing-new", func(b *testing.B) {
			src, err := OpenFS(corpus)
			if err != nil {
				b.Fatal(err)
			}
			dst := tg.open(b)
			first, err := Backup(context.Background(), src, dst, CopyOptions{})
			if err != nil {
				b.Fatal(err)
			}
			var rep CopyReport
			for b.Loop() {
				if rep, err = Backup(context.Background(), src, dst, CopyOptions{Since: &first.State}); err != nil || rep.ObjectsCopied != 0 {
					b.Fatal(rep, err)
				}
			}
			reportCopy(b, rep)
			b.ReportMetric(float64(rep.ObjectsSource)/rep.Seconds, "listed/s")
			b.ReportMetric(float64(rep.Ranges), "ranges")
			b.ReportMetric(float64(rep.RangesListed), "ranges-listed")
		})
		// After new documents: following the log (the default), and
		// listing the whole archive (--full), in one run. On S3, also the
		// alternatives to what the copy does by default: each copy read
		// back (the target's checked create hidden), and more workers.
		type variant struct {
			name     string
			full     bool
			readBack bool
			workers  int
		}
		variants := []variant{{name: ""}, {name: "-full", full: true}}
		if tg.name == "s3" {
			variants = append(variants, variant{name: "-readback", readBack: true}, variant{name: "-w32", workers: 32}, variant{name: "-w64", workers: 64})
		}
		for _, v := range variants {
			b.Run(fmt.Sprintf("%s/after-%d-new%s", tg.name, added, v.name), func(b *testing.B) {
				var rep CopyReport
				for b.Loop() {
					b.StopTimer()
					// A source of its own: the corpus, linked, plus new documents
					// filed (and, in the signed corpus, signed and sealed) as
					// `serve` files them.
					dir := b.TempDir()
					linkTree(b, corpus, dir)
					src, err := OpenFS(dir)
					if err != nil {
						b.Fatal(err)
					}
					dst, since := backedUp(b, tg.name, corpus, tg.open)
					if v.readBack {
						dst = plainStore{dst}
					}
					fileCorpus(b, src, 2, added, true, signer)
					requests.reset()
					b.StartTimer()
					if rep, err = Backup(context.Background(), src, dst, CopyOptions{Since: since, Full: v.full, Workers: v.workers}); err != nil {
						b.Fatal(err)
					}
				}
				reportCopy(b, rep)
				b.ReportMetric(float64(rep.ObjectsCopied), "copied")
				b.ReportMetric(float64(rep.Ranges), "ranges")
				b.ReportMetric(float64(rep.RangesListed), "ranges-listed")
				requests.report(b, rep)
			})
		}
	}
}

// plainStore hides every method of a Store but those of the interface
// (such as S3Store.CreateChecked).
type plainStore struct{ Store }

// requests counts the requests sent to the S3 target, by method
// (retries included).
var requests = &requestCounter{}

type requestCounter struct {
	mu sync.Mutex
	n  map[string]int
}

// countedS3Store is newS3Store whose requests are counted in requests.
func countedS3Store(b *testing.B) *S3Store {
	cfg := s3TestConfig(b)
	st, err := OpenS3(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	st.client, err = minio.New(cfg.Endpoint, &minio.Options{
		Creds:      credentials.NewStaticV4(cfg.AccessKey, cfg.SecretKey, ""),
		Region:     cfg.Region,
		Secure:     cfg.Secure,
		Transport:  requestCounting{st.transport},
		MaxRetries: 2,
	})
	if err != nil {
		b.Fatal(err)
	}
	return st
}

type requestCounting struct{ http.RoundTripper }

func (rt requestCounting) RoundTrip(req *http.Request) (*http.Response, error) {
	requests.mu.Lock()
	if requests.n == nil {
		requests.n = map[string]int{}
	}
	requests.n[req.Method]++
	requests.mu.Unlock()
	return rt.RoundTripper.RoundTrip(req)
}

func (r *requestCounter) reset() {
	r.mu.Lock()
	r.n = nil
	r.mu.Unlock()
}

// report gives the requests of each method per object copied.
func (r *requestCounter) report(b *testing.B, rep CopyReport) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.n) == 0 || rep.ObjectsCopied == 0 {
		return
	}
	for m, n := range r.n {
		b.ReportMetric(float64(n)/float64(rep.ObjectsCopied), m+"/copied")
	}
}

func reportCopy(b *testing.B, rep CopyReport) {
	b.ReportMetric(rep.Seconds, "s/run")
	b.ReportMetric(float64(rep.ObjectsSource), "objects")
	b.ReportMetric(float64(rep.ObjectsCopied)/rep.Seconds, "copied/s")
	b.ReportMetric(float64(rep.Bytes)/1e6/rep.Seconds, "MB/s")
	b.ReportMetric(0, "ns/op")
}

func envInt(key string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(key)); err == nil && n > 0 {
		return n
	}
	return def
}

var (
	benchCorpusMu  sync.Mutex
	benchCorpusDir = map[int]string{}
)

// benchCorpus returns the directory holding (in archive/) the fs archive of
// n corpus documents, filed as search's benchmarks file it, generating it
// unless a complete one is cached.
func benchCorpus(b *testing.B, n int) string {
	b.Helper()
	benchCorpusMu.Lock()
	defer benchCorpusMu.Unlock()
	if d, ok := benchCorpusDir[n]; ok {
		return d
	}
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("legajo-corpus-s1-n%d", n))
	if _, err := os.Stat(filepath.Join(dir, "COMPLETE")); err != nil {
		tmp := dir + ".tmp"
		os.RemoveAll(tmp)
		st, err := OpenFS(filepath.Join(tmp, "archive"))
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		fileCorpus(b, st, 1, n, false, nil)
		b.Logf("filed %d documents in %v", n, time.Since(start).Round(time.Second))
		if err := os.WriteFile(filepath.Join(tmp, "COMPLETE"), nil, 0o644); err != nil {
			b.Fatal(err)
		}
		if err := os.Rename(tmp, dir); err != nil {
			b.Fatal(err)
		}
	}
	benchCorpusDir[n] = dir
	return dir
}

// fileCorpus files n corpus documents of seed into st; recent moves them
// into the corpus's last month, as the documents of a month after the
// archive's years. With a signer, every entry is signed and a sealer runs
// while they are filed, as in `legajo serve`.
func fileCorpus(b *testing.B, st Store, seed int64, n int, recent bool, signer *Signer) {
	b.Helper()
	cat, err := templates.Load()
	if err != nil {
		b.Fatal(err)
	}
	docs, err := fixtures.Corpus(cat, seed, n)
	if err != nil {
		b.Fatal(err)
	}
	if recent {
		span, month := fixtures.CorpusEnd.Sub(fixtures.CorpusStart), 30*24*time.Hour
		for i := range docs {
			d := &docs[i]
			d.MoveTo(fixtures.CorpusEnd.Add(-month + time.Duration(float64(d.Date.Sub(fixtures.CorpusStart))/float64(span)*float64(month))))
		}
	}
	a, err := New(st, legajo.DefaultExpedientes())
	if err != nil {
		b.Fatal(err)
	}
	o := &legajo.Office{Catalog: cat, Archive: a, Renderer: mustRenderer(b), Institution: fixtures.Institution(), Directory: fixtures.CorpusDirectory()}
	ctx, stopSealing := context.WithCancel(context.Background())
	var sealing sync.WaitGroup
	if signer != nil {
		a.UseKey(signer)
		sealing.Go(func() { a.RunSealer(ctx, func(err error) { b.Error(err) }) })
	}
	_, err = fixtures.FileCorpus(context.Background(), o, docs, 2, nil)
	stopSealing()
	sealing.Wait()
	if err != nil {
		b.Fatal(err)
	}
	if _, err := a.Seal(context.Background(), true); err != nil {
		b.Fatal(err)
	}
}

// backedUp returns a target holding a full backup of the fs corpus, and
// the state that backup left. On fs the first backup is kept beside the
// corpus and linked for each run (a full copy of 100,000 documents takes
// minutes); on S3 it is made anew in a new bucket.
func backedUp(b *testing.B, target, corpus string, open func(*testing.B) Store) (Store, *CopyState) {
	b.Helper()
	backup := func(dst Store) CopyState {
		src, err := OpenFS(corpus)
		if err != nil {
			b.Fatal(err)
		}
		rep, err := Backup(context.Background(), src, dst, CopyOptions{})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("first backup to %s: %d objects, %.0f MB in %.0f s: %.0f objects/s, %.1f MB/s", target,
			rep.ObjectsCopied, float64(rep.Bytes)/1e6, rep.Seconds, float64(rep.ObjectsCopied)/rep.Seconds, float64(rep.Bytes)/1e6/rep.Seconds)
		return rep.State
	}
	if target != "fs" {
		dst := open(b)
		st := backup(dst)
		return dst, &st
	}
	cache := filepath.Dir(corpus) + ".backup"
	if _, err := os.Stat(filepath.Join(cache, "COMPLETE")); err != nil {
		tmp := cache + ".tmp"
		os.RemoveAll(tmp)
		dst, err := OpenFS(filepath.Join(tmp, "archive"))
		if err != nil {
			b.Fatal(err)
		}
		st := backup(dst)
		dst.Close()
		data, err := json.Marshal(st)
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tmp, "state.json"), data, 0o644); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tmp, "COMPLETE"), nil, 0o644); err != nil {
			b.Fatal(err)
		}
		if err := os.Rename(tmp, cache); err != nil {
			b.Fatal(err)
		}
	}
	data, err := os.ReadFile(filepath.Join(cache, "state.json"))
	if err != nil {
		b.Fatal(err)
	}
	var st CopyState
	if err := json.Unmarshal(data, &st); err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	linkTree(b, filepath.Join(cache, "archive"), dir)
	dst, err := OpenFS(dir)
	if err != nil {
		b.Fatal(err)
	}
	return dst, &st
}

// linkTree makes to a copy of the fs store in from, of hard links: objects
// are read-only and never change, so the copy may share them.
func linkTree(b *testing.B, from, to string) {
	b.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		return os.Link(p, filepath.Join(to, rel))
	})
	if err != nil {
		b.Fatal(err)
	}
}
