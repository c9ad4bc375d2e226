package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/archive"
	"github.com/sesver/legajo/fixtures"
	"github.com/sesver/legajo/generators/pdf"
	"github.com/sesver/legajo/templates"
)

// The figures of issue 14: with 10,000 open cases filed in a real fs
// archive, the bandeja and the case page answer with p95 ≤ 50 ms and a
// deadline sweep over every open case takes ≤ 1 s. BENCH_CASES changes the
// number of cases.
//
//	go test ./web -run '^$' -bench 'Cases' -benchtime 200x -count 5

type caseBench struct {
	ts      *httptest.Server
	client  *http.Client
	cases   *legajo.Cases
	dir     string
	numbers []string
	replay  time.Duration
	fill    time.Duration
	now     time.Time
}

var (
	benchOnce sync.Once
	benchEnv  *caseBench
	benchErr  error
)

func caseBenchEnv(b *testing.B) *caseBench {
	b.Helper()
	benchOnce.Do(func() { benchEnv, benchErr = buildCaseBench() })
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchEnv
}

func buildCaseBench() (*caseBench, error) {
	n := 10000
	if s := os.Getenv("BENCH_CASES"); s != "" {
		fmt.Sscan(s, &n)
	}
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "legajo-cases-bench")
	if err != nil {
		return nil, err
	}
	st, err := archive.OpenFS(dir)
	if err != nil {
		return nil, err
	}
	a, err := archive.New(st, legajo.DefaultExpedientes())
	if err != nil {
		return nil, err
	}
	cat, err := templates.Load()
	if err != nil {
		return nil, err
	}
	procs, err := templates.LoadProcedures(cat)
	if err != nil {
		return nil, err
	}
	// Opened over the last ten days, one a minute or so; 20 people in
	// four sections; due dates from 5 days ago to 10 days ahead.
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	var tick atomic.Int64
	clock := func() time.Time {
		return now.Add(-10 * 24 * time.Hour).Add(time.Duration(tick.Add(1)) * 80 * time.Second)
	}
	cs := &legajo.Cases{Log: a, Procedures: procs, Calendar: &legajo.Calendar{}, Now: clock}
	if err := cs.Sync(ctx); err != nil {
		return nil, err
	}
	all := procs.All()
	start := time.Now()
	var wg sync.WaitGroup
	var firstErr atomic.Value
	work := make(chan int)
	for range 8 {
		wg.Go(func() {
			for i := range work {
				p := all[i%len(all)]
				_, err := cs.Open(ctx, legajo.OpenCaseRequest{Procedure: p.ID, Area: fixtures.Areas[i%len(fixtures.Areas)],
					Subject:   fmt.Sprintf("Solicitud %d de la Jurisdicción Sanitaria, atención de %s", i, strings.ToLower(p.Name)),
					Requester: "Lic. Ángela Núñez", Assignee: fmt.Sprintf("tecnico%02d", i%20),
					Due: now.Add(time.Duration(i%15-5) * 24 * time.Hour), Author: "capturista"})
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
				}
			}
		})
	}
	for i := range n {
		work <- i
	}
	close(work)
	wg.Wait()
	if err, _ := firstErr.Load().(error); err != nil {
		return nil, err
	}
	fill := time.Since(start)
	// A server that starts now replays them all from the archive.
	cs2 := &legajo.Cases{Log: a, Procedures: procs, Calendar: &legajo.Calendar{}, Now: func() time.Time { return now }}
	start = time.Now()
	if err := cs2.Sync(ctx); err != nil {
		return nil, err
	}
	replay := time.Since(start)
	if cs2.Count() != n {
		return nil, fmt.Errorf("replayed %d cases of %d", cs2.Count(), n)
	}
	r, err := pdf.New(pdf.Options{})
	if err != nil {
		return nil, err
	}
	o := &legajo.Office{Catalog: cat, Archive: a, Renderer: r, Institution: fixtures.Institution(), Directory: fixtures.Directory(), Cases: cs2,
		Now: func() time.Time { return now }}
	hash, _ := HashPassword(testPassword)
	for i := range 20 {
		a.SaveUser(ctx, legajo.User{Login: fmt.Sprintf("tecnico%02d", i), Name: fmt.Sprintf("Técnico %d", i), Role: legajo.RoleCapturista,
			Area: all[i%len(all)].Section, PasswordHash: hash})
	}
	s := &Server{Office: o, Users: a, Activity: a, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		SessionKey: []byte(strings.Repeat("k", 32)), Now: func() time.Time { return now }, Settings: a, Areas: fixtures.Areas}
	h, err := s.Handler()
	if err != nil {
		return nil, err
	}
	ts := httptest.NewServer(h)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(ts.URL+"/entrar", url.Values{"usuario": {"tecnico03"}, "contrasena": {testPassword}})
	if err != nil {
		return nil, err
	}
	resp.Body.Close()
	var nums []string
	for _, c := range cs2.List(legajo.CaseFilter{}) {
		nums = append(nums, c.Number)
	}
	return &caseBench{ts: ts, client: c, cases: cs2, dir: dir, numbers: nums, replay: replay, fill: fill, now: now}, nil
}

// p95 runs get b.N times and reports the 95th percentile in ms.
func (e *caseBench) p95(b *testing.B, path func(i int) string, want string) {
	b.Helper()
	durs := make([]time.Duration, 0, b.N)
	cpu0 := cpuTime()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		resp, err := e.client.Get(e.ts.URL + path(i))
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		durs = append(durs, time.Since(start))
		if resp.StatusCode != 200 || !strings.Contains(string(body), want) {
			b.Fatalf("%s: %d, lacks %q", path(i), resp.StatusCode, want)
		}
	}
	b.StopTimer()
	// The machine is shared: the CPU this process spent per request (server
	// and client) does not grow with the others' load, wall time does.
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
	sort.Slice(durs, func(i, j int) bool { return durs[i] < durs[j] })
	b.ReportMetric(float64(durs[len(durs)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(durs[len(durs)/2].Microseconds())/1000, "p50-ms")
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func BenchmarkCasesBandejaMine(b *testing.B) {
	e := caseBenchEnv(b)
	e.p95(b, func(int) string { return "/bandeja?ver=mios" }, "Vencidos (")
}

func BenchmarkCasesBandejaSection(b *testing.B) {
	e := caseBenchEnv(b)
	e.p95(b, func(int) string {
		return "/bandeja?ver=seccion&seccion=" + url.QueryEscape("Sección de Redes y Telecomunicaciones")
	}, "Vencidos (")
}

func BenchmarkCasesBandejaAll(b *testing.B) {
	e := caseBenchEnv(b)
	e.p95(b, func(int) string { return "/bandeja?ver=todos" }, "Vencidos (")
}

func BenchmarkCasesPage(b *testing.B) {
	e := caseBenchEnv(b)
	e.p95(b, func(i int) string { return "/tramites/" + legajo.CaseSlug(e.numbers[(i*7919)%len(e.numbers)]) }, `<svg class="flujo"`)
}

func BenchmarkCasesSweep(b *testing.B) {
	e := caseBenchEnv(b)
	overdue := 0
	cpu0 := cpuTime()
	n := 0
	for b.Loop() {
		overdue = len(e.cases.Sweep(e.now))
		n++
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(n), "cpu-ms/op")
	b.ReportMetric(float64(overdue), "overdue")
}

// BenchmarkCasesReplay reports how long building the 10,000 cases took
// and how long a process starting on them replays them from the archive.
func BenchmarkCasesReplay(b *testing.B) {
	e := caseBenchEnv(b)
	for b.Loop() {
	}
	b.ReportMetric(float64(e.cases.Count()), "cases")
	b.ReportMetric(e.fill.Seconds(), "fill-s")
	b.ReportMetric(e.replay.Seconds(), "replay-s")
}

var escalateOnce sync.Once

// BenchmarkCasesEscalate is serve's deadline sweep in its steady state:
// every plazo passed was told already (the first sweep, outside the timer,
// files an aviso for each), so a sweep reads the chain for news and finds
// nothing to tell. «avisos-first» is how many the first sweep filed and
// «first-s» how long it took.
func BenchmarkCasesEscalate(b *testing.B) {
	e := caseBenchEnv(b)
	var first int
	var took time.Duration
	escalateOnce.Do(func() {
		start := time.Now()
		n, err := e.cases.Escalate(context.Background(), e.now)
		if err != nil {
			b.Fatal(err)
		}
		first, took = n, time.Since(start)
	})
	cpu0 := cpuTime()
	n := 0
	for b.Loop() {
		if filed, err := e.cases.Escalate(context.Background(), e.now); err != nil || filed != 0 {
			b.Fatalf("steady sweep filed %d: %v", filed, err)
		}
		n++
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(n), "cpu-ms/op")
	if first > 0 {
		b.ReportMetric(float64(first), "avisos-first")
		b.ReportMetric(took.Seconds(), "first-s")
	}
}
