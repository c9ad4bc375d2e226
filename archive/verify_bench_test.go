package archive

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/sesver/legajo"
)

// The verify benchmark runs on the corpus of the backup benchmark
// (fileCorpus) filed with every entry signed and a sealer running, as
// `legajo serve` does, generated once into
// ${TMPDIR:-/tmp}/legajo-signed-corpus-s1-n<N> (with its key) and reused.
// The size comes from LEGAJO_BENCH_DOCS (default 2,000); the figures in
// BENCHMARKS.md are for 100,000:
//
//	LEGAJO_BENCH_DOCS=100000 go test -run '^$' -bench VerifyAll -benchtime 1x -timeout 3h ./archive/

// signedCorpus returns the directory of a signed, sealed corpus archive of
// n documents and its signer.
func signedCorpus(b *testing.B, n int) (string, *Signer) {
	b.Helper()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("legajo-signed-corpus-s1-n%d", n))
	if _, err := os.Stat(filepath.Join(dir, "COMPLETE")); err != nil {
		tmp := dir + ".tmp"
		os.RemoveAll(tmp)
		if err := os.MkdirAll(tmp, 0o755); err != nil {
			b.Fatal(err)
		}
		skey, _, err := GenerateKey("legajo.bench")
		if err != nil {
			b.Fatal(err)
		}
		signer, err := ParseSigner(skey)
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tmp, "firma.key"), []byte(skey), 0o600); err != nil {
			b.Fatal(err)
		}
		st, err := OpenFS(filepath.Join(tmp, "archive"))
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		fileCorpus(b, st, 1, n, false, signer)
		st.Close()
		b.Logf("filed and sealed %d documents in %v", n, time.Since(start).Round(time.Second))
		if err := os.WriteFile(filepath.Join(tmp, "COMPLETE"), nil, 0o644); err != nil {
			b.Fatal(err)
		}
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
	dir, signer := signedCorpus(b, envInt("LEGAJO_BENCH_DOCS", 2000))
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
