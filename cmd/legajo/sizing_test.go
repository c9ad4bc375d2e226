package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sesver/legajo"
)

// BenchmarkNodeMemory measures what one serving node holds in memory for
// an archive: it opens a large signed archive as `legajo serve` does (the
// configuration, the accounts, the trámites, the search index caught up,
// the signed log loaded whole as the sealer loads it), then runs the load
// benchmark's kinds of search, and reports the process's resident memory
// (VmRSS: anonymous, that is the Go heap, and file-backed, the index's
// segments mapped by bleve) after each step. The archive is only read.
//
//	LEGAJO_SIZING_CORPUS=/tmp/legajo-signed-corpus-s1-n100000 \
//	LEGAJO_SIZING_INDEX=/tmp/legajo-corpus-s1-n100000-legajo-search-7 \
//	  go test -run '^$' -bench NodeMemory -benchtime 1x ./cmd/legajo
//
// The corpus is the archive package's signed corpus (BenchmarkVerifyAll
// makes it); the index, the search package's 100k query index of the
// same corpus (copied first: opening an index may write to it).
func BenchmarkNodeMemory(b *testing.B) {
	corpus, index := os.Getenv("LEGAJO_SIZING_CORPUS"), os.Getenv("LEGAJO_SIZING_INDEX")
	if corpus == "" || index == "" {
		b.Skip("LEGAJO_SIZING_CORPUS and LEGAJO_SIZING_INDEX name a signed archive and its index")
	}
	ctx := context.Background()
	idx := filepath.Join(b.TempDir(), "index")
	if out, err := exec.Command("cp", "-a", index, idx).CombinedOutput(); err != nil {
		b.Fatalf("cp: %v %s", err, out)
	}
	env := map[string]string{"LEGAJO_DATA": b.TempDir(), "LEGAJO_ARCHIVE": "fs:" + filepath.Join(corpus, "archive"),
		"LEGAJO_SIGNING_KEY_FILE": filepath.Join(corpus, "firma.key"), "LEGAJO_INDEX": idx}
	m := &Main{Stdout: io.Discard, Stderr: os.Stderr, Getenv: func(k string) string { return env[k] }, Now: time.Now}
	step := func(name string) {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		st := procStatus(b)
		b.Logf("%-34s VmRSS %4d MiB (anon %4d, file %4d), VmHWM %4d MiB, Go heap in use %4d MiB",
			name, st["VmRSS"]>>10, st["RssAnon"]>>10, st["RssFile"]>>10, st["VmHWM"]>>10, ms.HeapInuse>>20)
	}
	step("start")
	a, err := m.openApp(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer a.store.Close() // not a.Close: it would seal, and the corpus is only read
	step("archive, accounts, trámites open")
	x, err := m.openIndex(ctx, a, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer x.Close()
	t0 := time.Now()
	if err := x.CatchUp(ctx); err != nil {
		b.Fatal(err)
	}
	var events int64
	for _, n := range x.Positions() {
		events += n
	}
	b.Logf("index caught up in %v: %d chain events", time.Since(t0).Round(time.Millisecond), events)
	step("search index open")
	if _, err := a.archive.Inclusions(ctx, nil); err != nil {
		b.Fatal(err)
	}
	step("signed log loaded whole")
	queries := []legajo.SearchQuery{{Text: "liberacion"}, {Text: "contrasena"}, {Text: "dictamen baja"}, {Text: "refaciones"},
		{Text: `"cuenta de correo"`}, {Text: "telefonia consumo"}, {Text: "sistema", Types: []string{"minuta"}},
		{Text: "jurisdiccion xalapa"}, {Text: "impresora -toner"}, {Text: "OL/0001/2026"},
		{Statuses: []string{string(legajo.StatusPendiente)}, Sort: legajo.SortDate}, {Text: "equipo", Facets: true}}
	t0 = time.Now()
	for i := range 50 * len(queries) {
		if _, err := x.Search(ctx, queries[i%len(queries)]); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("%d searches in %v", 50*len(queries), time.Since(t0).Round(time.Millisecond))
	step("after 600 searches")
	du, _ := exec.Command("du", "-sm", idx).Output()
	b.Logf("index on disk: %s MiB", strings.Fields(string(du))[0])
}

// procStatus reads /proc/self/status's memory lines, in KiB.
func procStatus(b *testing.B) map[string]int64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	out := map[string]int64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if f := strings.Fields(v); ok && len(f) == 2 && f[1] == "kB" {
			out[k], _ = strconv.ParseInt(f[0], 10, 64)
		}
	}
	return out
}
