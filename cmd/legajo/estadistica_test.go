//go:build linux

package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkEstadisticas measures, against the real server in a process of
// its own, what the jefa waits for: the Estadísticas page of three years
// (every chart drawn and its table), the Informe del Departamento of one
// month, and the XLSX of three years. It reports p50 and p95 of each.
//
// At scale, on the 100,000-document corpus (see search/bench_test.go and
// BenchmarkLoad; a signed corpus brings its firma.key):
//
//	LEGAJO_LOAD_CORPUS=/tmp/legajo-signed-corpus-s1-n100000 \
//	LEGAJO_LOAD_INDEX=/tmp/legajo-corpus-s1-n100000-legajo-search-7 \
//	go test -run '^$' -bench Estadisticas -benchtime 100x ./cmd/legajo
func BenchmarkEstadisticas(b *testing.B) {
	env := loadEnv(b, "fs")
	if corpus := os.Getenv("LEGAJO_LOAD_CORPUS"); corpus != "" {
		if key := filepath.Join(corpus, "firma.key"); fileExists(key) {
			env["LEGAJO_SIGNING_KEY_FILE"] = key
		}
	}
	base, _ := startLoadServer(b, env)
	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, Timeout: 2 * time.Minute}
	resp, err := client.PostForm(base+"/entrar", url.Values{"usuario": {"admin"}, "contrasena": {loadPassword}})
	if err != nil {
		b.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	get := func(b *testing.B, path, want string) int {
		resp, err := client.Get(base + path)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), want) {
			b.Fatalf("GET %s: %d %s", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		return int(n)
	}
	for _, c := range []struct{ name, path, typ string }{
		{"pagina-3-anios", "/estadisticas?desde=2023-12&hasta=2026-11", "text/html"},
		{"informe-mes", "/estadisticas/informe.pdf?desde=2026-10&hasta=2026-10", "application/pdf"},
		{"xlsx-3-anios", "/estadisticas/estadisticas.xlsx?desde=2023-12&hasta=2026-11", "application/vnd.openxmlformats"},
	} {
		b.Run(c.name, func(b *testing.B) {
			for range 3 { // warm up: the index's columns, the reports' cache
				get(b, c.path, c.typ)
			}
			var lat []time.Duration
			size := 0
			cpu0 := childrenCPU(b)
			for b.Loop() {
				start := time.Now()
				size = get(b, c.path, c.typ)
				lat = append(lat, time.Since(start))
			}
			// The server's CPU per request: on a shared machine wall
			// times mostly measure the wait for a core.
			b.ReportMetric(float64((childrenCPU(b)-cpu0).Microseconds())/1000/float64(len(lat)), "server-cpu-ms/op")
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			pct := func(p float64) float64 {
				return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.95), "p95-ms")
			b.ReportMetric(float64(size)/1024, "KiB")
		})
	}
}

// childrenCPU is the CPU time (user and system, in clock ticks of 10 ms)
// the running children of this process have used: the server process.
func childrenCPU(b *testing.B) time.Duration {
	b.Helper()
	self := strconv.Itoa(os.Getpid())
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var ticks int64
	for _, p := range stats {
		raw, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		// pid (comm) state ppid … utime stime: fields 4, 14 and 15; comm
		// may hold spaces, so count from its closing parenthesis.
		i := strings.LastIndexByte(string(raw), ')')
		f := strings.Fields(string(raw[i+1:]))
		if len(f) < 13 || f[1] != self {
			continue
		}
		u, _ := strconv.ParseInt(f[11], 10, 64)
		k, _ := strconv.ParseInt(f[12], 10, 64)
		ticks += u + k
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
