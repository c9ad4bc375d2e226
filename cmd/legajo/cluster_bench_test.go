package main

import (
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sesver/legajo/fixtures"
)

// BenchmarkLoadCluster is BenchmarkLoad (20 clerks and 20 staff, the same
// think times and LEGAJO_LOAD_* knobs) on the distributed MinIO of
// .ci/minio.sh, against one node and then against two nodes sharing one
// bucket, in the same run: client c talks to node c%2, and each node goes
// through a MinIO process of its own. Each case files into a new bucket.
// It reports total and per-node issues/s and p50/p99 and, with two nodes,
// how long a document issued on one node takes to be found by search on
// the other (visible-p99-ms, probed once a second beside the load).
//
//	source .ci/minio.sh && minio_start
//	LEGAJO_LOAD_CLERK_THINK=0 LEGAJO_LOAD_STAFF_THINK=0 LEGAJO_LOAD_SECONDS=20 \
//	  go test -run '^$' -bench LoadCluster -benchtime 1x -count 3 ./cmd/legajo
//
// LEGAJO_LOAD_CPUPROFILE=<file> writes each node's CPU profile to
// <file>.<nodes>-<node>.
func BenchmarkLoadCluster(b *testing.B) {
	c := needMinio(b)
	secs := 5
	if n, err := strconv.Atoi(os.Getenv("LEGAJO_LOAD_SECONDS")); err == nil && n > 0 {
		secs = n
	}
	for _, nodes := range []int{1, 2} {
		b.Run(fmt.Sprintf("nodos=%d", nodes), func(b *testing.B) {
			bucket := "legajo-carga-" + randomSuffix()
			first := map[string]string{"LEGAJO_DATA": b.TempDir(), "LEGAJO_SESSION_KEY": strings.Repeat("ab", 32)}
			maps.Copy(first, c.env(0, bucket))
			// The first open makes the signing and request keys in the
			// first node's data directory; the other nodes use them.
			tokens := loadUsers(b, first)
			req, err := os.ReadFile(filepath.Join(first["LEGAJO_DATA"], "secrets", "solicitudes.key"))
			if err != nil {
				b.Fatal(err)
			}
			var bases []string
			for i := range nodes {
				env := maps.Clone(first)
				if i > 0 {
					env["LEGAJO_DATA"] = b.TempDir()
					env["LEGAJO_SIGNING_KEY_FILE"] = filepath.Join(first["LEGAJO_DATA"], "secrets", "firma.key")
					env["LEGAJO_REQUEST_KEY"] = strings.TrimSpace(string(req))
					maps.Copy(env, c.env(i, bucket))
				}
				var args []string
				if prof := os.Getenv("LEGAJO_LOAD_CPUPROFILE"); prof != "" {
					args = append(args, fmt.Sprintf("-test.cpuprofile=%s.%d-%d", prof, nodes, i+1))
				}
				bases = append(bases, startNode(b, fmt.Sprintf("nodo%d", i+1), env, args...).base)
			}
			for b.Loop() {
				var vis []time.Duration
				done := make(chan struct{})
				if nodes > 1 {
					go func() { defer close(done); vis = probeVisibility(b, bases, tokens, time.Duration(secs)*time.Second) }()
				} else {
					close(done)
				}
				runLoadNodes(b, bases, tokens, time.Duration(secs)*time.Second)
				<-done
				if nodes > 1 {
					if len(vis) == 0 {
						b.Fatal("no cross-node search timed")
					}
					slices.Sort(vis)
					p99 := vis[min(len(vis)-1, len(vis)*99/100)]
					fmt.Fprintf(os.Stderr, "%s: cross-node visibility of %d documents: p50 %v, p99 %v, max %v\n", b.Name(),
						len(vis), vis[len(vis)/2].Round(time.Millisecond), p99.Round(time.Millisecond), vis[len(vis)-1].Round(time.Millisecond))
					b.ReportMetric(float64(p99.Milliseconds()), "visible-p99-ms")
				}
			}
		})
	}
}

// probeVisibility issues, for d, an oficio on one node every second or so
// (alternating nodes) and times how long until a search on the other node
// finds it: the lag of the other node's index following the archive.
func probeVisibility(b *testing.B, bases []string, tokens map[string]string, d time.Duration) []time.Duration {
	samples := clusterSamples(b)
	i := slices.IndexFunc(samples, func(s fixtures.Sample) bool { return s.Type == "oficio-liberacion" })
	if i < 0 {
		b.Error("no sample oficio-liberacion")
		return nil
	}
	var out []time.Duration
	time.Sleep(time.Second) // past the thundering start
	for k, deadline := 0, time.Now().Add(d-2*time.Second); time.Now().Before(deadline); k++ {
		from, to := bases[k%len(bases)], bases[(k+1)%len(bases)]
		folio, code, err := issueOne(from, tokens["capturista"], samples[i], fmt.Sprintf("sonda-%d-%d", time.Now().UnixNano(), k))
		if err != nil || code != http.StatusCreated {
			b.Errorf("sonda: emitir: %d %v", code, err)
			return out
		}
		t0 := time.Now()
		for {
			ok, err := searchFolio(to, tokens["consulta"], folio)
			if err != nil {
				b.Errorf("sonda: %v", err)
				return out
			}
			if ok {
				out = append(out, time.Since(t0))
				break
			}
			if time.Since(t0) > time.Minute {
				b.Errorf("sonda: %s not found on %s after a minute", folio, to)
				return out
			}
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(time.Second)
	}
	return out
}
