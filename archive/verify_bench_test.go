package archive

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/fixtures"
	"github.com/sesver/legajo/generators/pdf"
	"github.com/sesver/legajo/templates"
)

// The verify benchmark runs on a generated corpus (fixtures.Corpus) filed
// through a real Office into an fs archive whose entries are signed and
// sealed as `legajo serve` does, generated once into
// ${TMPDIR:-/tmp}/legajo-signed-corpus-s1-n<N> (with its key) and reused.
// The size comes from LEGAJO_BENCH_DOCS (default 2,000); the figures in
// BENCHMARKS.md are for 100,000:
//
//	LEGAJO_BENCH_DOCS=100000 go test -run '^$' -bench VerifyAll -benchtime 1x -timeout 3h ./archive/
func benchDocs() int {
	if n, err := strconv.Atoi(os.Getenv("LEGAJO_BENCH_DOCS")); err == nil && n > 0 {
		return n
	}
	return 2000
}

// signedCorpus returns the directory of a signed, sealed corpus archive of
// n documents and its signer.
func signedCorpus(b *testing.B, n int) (string, *Signer) {
	b.Helper()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("legajo-signed-corpus-s1-n%d", n))
	if _, err := os.Stat(filepath.Join(dir, "COMPLETE")); err != nil {
		os.RemoveAll(dir)
		tmp := dir + ".tmp"
		os.RemoveAll(tmp)
		os.MkdirAll(tmp, 0o755)
		skey, _, err := GenerateKey("legajo.bench")
		if err != nil {
			b.Fatal(err)
		}
		os.WriteFile(filepath.Join(tmp, "firma.key"), []byte(skey), 0o600)
		signer, _ := ParseSigner(skey)
		st, err := OpenFS(filepath.Join(tmp, "archive"))
		if err != nil {
			b.Fatal(err)
		}
		a, err := New(st, legajo.DefaultExpedientes())
		if err != nil {
			b.Fatal(err)
		}
		a.UseKey(signer)
		cat, err := templates.Load()
		if err != nil {
			b.Fatal(err)
		}
		r, err := pdf.New(pdf.Options{})
		if err != nil {
			b.Fatal(err)
		}
		docs, err := fixtures.Corpus(cat, 1, n)
		if err != nil {
			b.Fatal(err)
		}
		o := &legajo.Office{Catalog: cat, Archive: a, Renderer: r, Institution: fixtures.Institution(), Directory: fixtures.CorpusDirectory()}
		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		wg.Go(func() { a.RunSealer(ctx, func(err error) { b.Error(err) }) })
		start, last := time.Now(), time.Now()
		_, err = fixtures.FileCorpus(ctx, o, docs, 2, func(done, total int) {
			if time.Since(last) > 30*time.Second {
				last = time.Now()
				b.Logf("filing signed corpus: %d/%d events, %.0f/s", done, total, float64(done)/time.Since(start).Seconds())
			}
		})
		cancel()
		wg.Wait()
		if err != nil {
			b.Fatal(err)
		}
		if _, err := a.Seal(context.Background(), true); err != nil {
			b.Fatal(err)
		}
		st.Close()
		b.Logf("filed and sealed %d documents in %v", n, time.Since(start).Round(time.Second))
		os.WriteFile(filepath.Join(tmp, "COMPLETE"), nil, 0o644)
		if err := os.Rename(tmp, dir); err != nil {
			b.Fatal(err)
		}
	}
	skey, err := os.ReadFile(filepath.Join(dir, "firma.key"))
	if err != nil {
		b.Fatal(err)
	}
	s, err := ParseSigner(string(skey))
	if err != nil {
		b.Fatal(err)
	}
	return dir, s
}

// BenchmarkVerifyAll checks the whole corpus as `legajo verify` does:
// every chain, object, signature, the log with every leaf, the folio
// series and the pointers. It reports the peak Go heap in use.
func BenchmarkVerifyAll(b *testing.B) {
	dir, signer := signedCorpus(b, benchDocs())
	st, err := OpenFS(filepath.Join(dir, "archive"))
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	var peak uint64
	for b.Loop() {
		a, err := New(st, legajo.DefaultExpedientes())
		if err != nil {
			b.Fatal(err)
		}
		a.Trust(&signer.Verifier)
		runtime.GC()
		stop := make(chan struct{})
		sampled := make(chan uint64)
		go func() {
			var m runtime.MemStats
			var top uint64
			t := time.NewTicker(20 * time.Millisecond)
			defer t.Stop()
			for {
				runtime.ReadMemStats(&m)
				top = max(top, m.HeapInuse)
				select {
				case <-stop:
					sampled <- top
					return
				case <-t.C:
				}
			}
		}()
		vs, err := a.VerifyAll(context.Background(), AuditOptions{})
		close(stop)
		peak = max(peak, <-sampled)
		if err != nil {
			b.Fatal(err)
		}
		for _, v := range vs {
			if !v.OK() {
				b.Fatalf("%s: %d findings, first %+v", v.Expediente, len(v.Findings), v.Findings[0])
			}
			if v.Expediente == "registro" {
				b.ReportMetric(float64(v.Entries), "leaves")
			}
		}
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
}
