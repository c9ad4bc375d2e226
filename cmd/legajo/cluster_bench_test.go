package main

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkLoadCluster is BenchmarkLoad (20 clerks and 20 staff, the same
// think times and LEGAJO_LOAD_* knobs) on the distributed MinIO of
// .ci/minio.sh, against one node and then against two nodes sharing one
// bucket, in the same run: client c talks to node c%2, and each node goes
// through a MinIO process of its own. Each case files into a new bucket.
// It reports total and per-node issues/s and p50/p99.
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
				runLoadNodes(b, bases, tokens, time.Duration(secs)*time.Second)
			}
		})
	}
}
