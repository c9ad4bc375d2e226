package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/archive"
	"github.com/sesver/legajo/fixtures"
	"github.com/sesver/legajo/web"
)

// BenchmarkLoad runs the web API as the department would use it on a busy
// day: 20 clerks issuing documents and 20 staff searching, at once, for
// LEGAJO_LOAD_SECONDS (default 5), against the real Main's server on
// 127.0.0.1, on the fs archive and on the real S3 server. It fails on any
// error answer and reports p50/p99 of issuing and of searching.
//
// People pause between requests: a clerk reads the form back for about a
// second (LEGAJO_LOAD_CLERK_THINK, default 1s) and staff read results for
// half a second (LEGAJO_LOAD_STAFF_THINK, default 500ms), each drawn
// uniformly from half to one and a half times that. Set both to 0 for a
// saturation test where 40 clients fire back to back on 2 cores.
//
// LEGAJO_LOAD_CPUPROFILE=<file> writes the server process's CPU profile,
// LEGAJO_LOAD_MEMPROFILE=<file> what it allocated, and
// LEGAJO_LOAD_HEAPPROFILE=<file> what it held live at the end of the run,
// and LEGAJO_LOAD_TRACE=<file> its execution trace (go tool trace
// -pprof=sync <file> shows where its goroutines waited on each other).
// LEGAJO_LOAD_SERVER_LOG=<file> keeps what the server process printed (run
// with GODEBUG=gctrace=1 to see its collections). LEGAJO_LOAD_TIMELINE=<file>
// writes one line per timed request: when it started (ms since the clients
// started), how long it took (ms), and what it was; to find what the slow
// ones of a run have in common.
// LEGAJO_LOAD_STAFF_WEB=1 has the staff search through the web page, signed
// in, instead of the API.
//
// At scale, point it at a prepared corpus (see search/bench_test.go, which
// files one into ${TMPDIR}/legajo-corpus-s1-n<N> and indexes it):
//
//	LEGAJO_LOAD_CORPUS=/tmp/legajo-corpus-s1-n100000 \
//	LEGAJO_LOAD_INDEX=/tmp/legajo-corpus-s1-n100000-legajo-search-3 \
//	LEGAJO_LOAD_SECONDS=60 go test -run '^$' -bench Load -benchtime 1x ./cmd/legajo
//
// The fs run works on a hard-linked copy of the corpus archive (filed
// objects are read-only, new ones go to the copy only) and a copy of its
// index; the S3 run serves the corpus from a bucket of the S3 server (see
// seedBucket) and a copy of the same index.
func BenchmarkLoad(b *testing.B) {
	secs := 5
	if n, err := strconv.Atoi(os.Getenv("LEGAJO_LOAD_SECONDS")); err == nil && n > 0 {
		secs = n
	}
	for _, backend := range []string{"fs", "s3"} {
		b.Run(backend, func(b *testing.B) {
			env := loadEnv(b, backend)
			base, tokens := startLoadServer(b, env)
			for b.Loop() {
				runLoad(b, base, tokens, time.Duration(secs)*time.Second)
			}
		})
	}
}

// loadEnv prepares the data directory (and archive) of one run.
func loadEnv(b *testing.B, backend string) map[string]string {
	b.Helper()
	data := b.TempDir()
	env := map[string]string{"LEGAJO_DATA": data, "LEGAJO_SESSION_KEY": strings.Repeat("ab", 32)}
	if idx := os.Getenv("LEGAJO_LOAD_INDEX"); idx != "" {
		copyTree(b, idx, filepath.Join(data, "index"), false)
	}
	switch backend {
	case "fs":
		if corpus := os.Getenv("LEGAJO_LOAD_CORPUS"); corpus != "" {
			copyTree(b, filepath.Join(corpus, "archive"), filepath.Join(data, "archive"), true)
			// A signed corpus (the archive package's) brings its key.
			if key := filepath.Join(corpus, "firma.key"); fileExists(key) {
				env["LEGAJO_SIGNING_KEY_FILE"] = key
			}
		}
	case "s3":
		maps.Copy(env, s3Env(b, "legajo-load"))
		if corpus := os.Getenv("LEGAJO_LOAD_CORPUS"); corpus != "" {
			seedBucket(b, env, corpus)
		}
	}
	return env
}

// seedBucket puts the corpus's archive in a bucket of the S3 server, the
// same for every run on that corpus (copying 100,000 documents takes many
// minutes): env is pointed at it. The copy is a backup (archive.Backup), so
// a run interrupted, or a bucket that a previous run's clerks filed more
// documents into, is completed with what it lacks. The index copied for the
// run catches up with those documents before serve listens.
func seedBucket(b *testing.B, env map[string]string, corpus string) {
	b.Helper()
	ctx := context.Background()
	host, _, _ := strings.Cut(strings.TrimPrefix(env["LEGAJO_ARCHIVE"], "s3://"), "/")
	sum := sha256.Sum256([]byte(corpus))
	bucket := fmt.Sprintf("legajo-load-corpus-%x", sum[:4])
	env["LEGAJO_ARCHIVE"] = "s3://" + host + "/" + bucket
	src, err := archive.OpenFS(filepath.Join(corpus, "archive"))
	if err != nil {
		b.Fatal(err)
	}
	dst, err := archive.OpenS3(ctx, archive.S3Config{Endpoint: host, Bucket: bucket, AccessKey: env["LEGAJO_S3_ACCESS_KEY"],
		SecretKey: env["LEGAJO_S3_SECRET_KEY"], CreateBucket: true, ObjectLock: true})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	rep, err := archive.Backup(ctx, src, dst, archive.CopyOptions{})
	if err != nil {
		b.Fatalf("seeding %s from %s: %v", bucket, corpus, err)
	}
	fmt.Fprintf(os.Stderr, "%s: bucket %s: %d of the corpus's %d objects copied in %.0f s\n",
		b.Name(), bucket, rep.ObjectsCopied, rep.ObjectsSource, time.Since(start).Seconds())
	// The check listed both sides, 841,592 keys each at 100k: collect that
	// garbage now, or this process (the 40 clients, which time every
	// request) collects it during the run and its pauses count as the
	// server's latency.
	rep = archive.CopyReport{}
	runtime.GC()
	debug.FreeOSMemory()
	if key := filepath.Join(corpus, "firma.key"); fileExists(key) {
		env["LEGAJO_SIGNING_KEY_FILE"] = key
	}
}

// copyTree copies a directory; links makes hard links instead of copies
// (for the archive's read-only objects).
func copyTree(b *testing.B, from, to string, links bool) {
	b.Helper()
	flag := "-a"
	if links {
		flag = "-al"
	}
	if out, err := exec.Command("cp", flag, from, to).CombinedOutput(); err != nil {
		b.Fatalf("cp %s %s: %v %s", from, to, err, out)
	}
	// Flushed before the server starts: otherwise the kernel writes the
	// copy's hundreds of megabytes back during the first half minute of
	// the run, and every fsync of the run waits behind it.
	syscall.Sync()
}

// startLoadServer creates a clerk and a staff service account with API
// tokens, then starts `legajo serve` in a process of its own, as in
// production: the benchmark's 40 clients do not share its garbage
// collector or its scheduler.
func startLoadServer(b *testing.B, env map[string]string) (string, map[string]string) {
	b.Helper()
	tokens := loadUsers(b, env)
	return startServeProcess(b, env), tokens
}

// loadUsers creates the accounts of the load in the archive of env and
// returns their API tokens by role.
func loadUsers(b *testing.B, env map[string]string) map[string]string {
	b.Helper()
	ctx := context.Background()
	m := &Main{Stdout: &syncBuffer{}, Stderr: &syncBuffer{}, Getenv: func(k string) string { return env[k] }, Now: time.Now}
	a, err := m.openApp(ctx)
	if err != nil {
		b.Fatal(err)
	}
	tokens := map[string]string{}
	users := []legajo.User{
		{Login: "carga-capturista", Name: "Prueba de carga", Role: legajo.RoleCapturista, Service: true},
		{Login: "carga-consulta", Name: "Prueba de carga", Role: legajo.RoleConsulta, Service: true},
		{Login: "admin", Name: "Administrador", Role: legajo.RoleAdmin},
	}
	// The staff who search through the web page, each with an account of
	// their own, as in the department.
	for i := range loadStaff {
		users = append(users, legajo.User{Login: staffLogin(i), Name: fmt.Sprintf("Personal de consulta %d", i+1), Role: legajo.RoleConsulta})
	}
	for _, u := range users {
		tok := u.Login + ".token-de-prueba-de-carga"
		u.Tokens = []legajo.Token{{ID: "carga", Hash: web.TokenHash(tok), Label: "prueba de carga"}}
		if !u.Service {
			if u.PasswordHash, err = web.HashPassword(loadPassword); err != nil {
				b.Fatal(err)
			}
		}
		if _, err := a.archive.SaveUser(ctx, u); err != nil && !strings.Contains(err.Error(), "ya existe") {
			b.Fatal(err)
		}
		if u.Service || u.Role == legajo.RoleAdmin {
			tokens[string(u.Role)] = tok
		}
	}
	a.Close()
	return tokens
}

// loadPassword is the password of the staff accounts that search through
// the web page (LEGAJO_LOAD_STAFF_WEB).
const loadPassword = "contraseña-de-prueba-de-carga"

// loadStaff is how many staff search, and clerks issue, at once.
const loadStaff = 20

func staffLogin(i int) string { return fmt.Sprintf("carga-personal-%02d", i+1) }

// serveEnv marks the child process of startServeProcess.
const serveEnv = "LEGAJO_TEST_SERVE"

// TestHelperServe is not a test: run by startServeProcess as a child
// process, it runs `legajo serve` with the process's environment until its
// stdin closes.
func TestHelperServe(t *testing.T) {
	if os.Getenv(serveEnv) == "" {
		t.Skip("helper process")
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		io.Copy(io.Discard, os.Stdin)
		if f := os.Getenv("LEGAJO_LOAD_HEAPPROFILE"); f != "" {
			// What the server holds live at the end of the run, before
			// it stops (a heap profile at exit would show the app closed).
			runtime.GC()
			if out, err := os.Create(f); err == nil {
				pprof.Lookup("heap").WriteTo(out, 0)
				out.Close()
			}
		}
		cancel()
	}()
	m := &Main{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, Now: time.Now}
	if code := m.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}); code != 0 {
		t.Fatalf("serve exited %d", code)
	}
}

// startServeProcess starts the server process and returns its address.
func startServeProcess(b *testing.B, env map[string]string) string {
	b.Helper()
	args := []string{"-test.run=^TestHelperServe$"}
	if prof := os.Getenv("LEGAJO_LOAD_CPUPROFILE"); prof != "" {
		args = append(args, "-test.cpuprofile="+prof) // the server's, not the clients'
	}
	if prof := os.Getenv("LEGAJO_LOAD_MEMPROFILE"); prof != "" {
		args = append(args, "-test.memprofile="+prof, "-test.memprofilerate=524288")
	}
	if f := os.Getenv("LEGAJO_LOAD_TRACE"); f != "" {
		args = append(args, "-test.trace="+f) // go tool trace -pprof=sync|sched <file>
	}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), serveEnv+"=1")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	// LEGAJO_LOAD_SERVER_ENV="GOGC=800 GODEBUG=gctrace=1" sets variables
	// for the server process only, not the clients'.
	cmd.Env = append(cmd.Env, strings.Fields(os.Getenv("LEGAJO_LOAD_SERVER_ENV"))...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	// exited is closed when the process has ended, with its error in
	// waitErr: read by the start below and by the cleanup, which waits for
	// a server that ended early as for one that is told to stop.
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	b.Cleanup(func() {
		stdin.Close()
		select {
		case <-exited:
		case <-time.After(time.Minute):
			cmd.Process.Kill()
			<-exited
		}
		if f := os.Getenv("LEGAJO_LOAD_SERVER_LOG"); f != "" {
			os.WriteFile(f, []byte(out.String()), 0o644)
		}
	})
	for deadline := time.Now().Add(5 * time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if i := strings.Index(out.String(), "escuchando en "); i >= 0 {
			return strings.TrimSpace(strings.SplitN(out.String()[i+len("escuchando en "):], "\n", 2)[0])
		}
		select {
		case <-exited:
			b.Fatalf("serve exited: %v\n%s", waitErr, out.String())
		default:
		}
	}
	b.Fatalf("serve did not start:\n%s", out.String())
	return ""
}

// loadQueries are what staff type all day.
var loadQueries = []string{
	"q=liberacion", "q=contrasena", "q=dictamen+baja", "q=refaciones", "q=%22cuenta+de+correo%22",
	"q=telefonia+consumo", "q=respaldo&tipo=respaldo-bd", "q=sistema&tipo=minuta", "q=radio&desde=2025-01-01&hasta=2025-12-31",
	"q=OL/0001/2026", "q=jurisdiccion+xalapa", "q=impresora+-toner", "estado=pendiente+de+acuse&orden=fecha", "q=equipo&facetas=1",
}

func runLoad(b *testing.B, base string, tokens map[string]string, d time.Duration) {
	runLoadNodes(b, []string{base}, tokens, d)
}

// runLoadNodes is runLoad against several nodes of one archive: client c
// (clerk or staff) talks to bases[c%len(bases)]. With more than one node it
// also reports each node's issues/s and issue p50/p99.
func runLoadNodes(b *testing.B, bases []string, tokens map[string]string, d time.Duration) {
	samples, err := fixtures.Samples()
	if err != nil {
		b.Fatal(err)
	}
	var emit []fixtures.Sample
	for _, s := range samples {
		if s.Type != "etiqueta-respaldo" {
			emit = append(emit, s)
		}
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: 30 * time.Second}
	do := func(base, method, path, token string, body []byte) (int, error) {
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		var sink json.RawMessage
		json.NewDecoder(resp.Body).Decode(&sink)
		return resp.StatusCode, nil
	}
	var mu sync.Mutex
	var issue, find []time.Duration
	byNode := make([][]time.Duration, len(bases))
	byQuery := map[string][]time.Duration{}
	var failures []string
	// Staff on the web page sign in first, before the clock starts: a
	// sign-in hashes a password on purpose slowly, and twenty at once took
	// the two cores for a second and a half, while the first searches of
	// the run were timed.
	staffWeb := os.Getenv("LEGAJO_LOAD_STAFF_WEB") != ""
	searchers := make([]func(q string) (int, error), loadStaff)
	if staffWeb {
		var signIn sync.WaitGroup
		errs := make([]error, loadStaff)
		for c := range loadStaff {
			signIn.Go(func() { searchers[c], errs[c] = webSearcher(bases[c%len(bases)], staffLogin(c)) })
		}
		signIn.Wait()
		if err := errors.Join(errs...); err != nil {
			b.Fatal(err)
		}
	}
	// The first second, while the clients arrive (see arrive), is checked
	// but not timed.
	start := time.Now()
	warm := start.Add(time.Second)
	var timeline bytes.Buffer
	record := func(lat *[]time.Duration, t0 time.Time, what string, code int, err error, want int) {
		d := time.Since(t0)
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(&timeline, "%9.1f %8.1f %s\n", float64(t0.Sub(start).Microseconds())/1000, float64(d.Microseconds())/1000, what)
		if err != nil || code != want {
			if len(failures) < 10 {
				failures = append(failures, fmt.Sprintf("%s: %d %v", what, code, err))
			}
			return
		}
		if t0.After(warm) {
			*lat = append(*lat, d)
		}
	}
	clerkThink := thinkTime("LEGAJO_LOAD_CLERK_THINK", time.Second)
	staffThink := thinkTime("LEGAJO_LOAD_STAFF_THINK", 500*time.Millisecond)
	pause := func(rng *rand.Rand, mean time.Duration) {
		if mean > 0 {
			time.Sleep(mean/2 + time.Duration(rng.Int64N(int64(mean))))
		}
	}
	// People do not all press a key in the same millisecond: each client
	// starts at a random moment within its first pause, as if it had just
	// done something. (Started at once, the 40 first requests, and the
	// bursts they left in step, took the first two seconds.)
	arrive := func(rng *rand.Rand, mean time.Duration) {
		if mean > 0 {
			time.Sleep(time.Duration(rng.Int64N(int64(mean))))
		}
	}
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for c := range loadStaff {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(c), 7))
			arrive(rng, clerkThink)
			for i := 0; time.Now().Before(deadline); i++ {
				s := emit[rng.IntN(len(emit))]
				body, _ := json.Marshal(map[string]any{"type": s.Type, "data": s.Data, "idempotency_key": fmt.Sprintf("carga-%d-%d-%d", time.Now().UnixNano(), c, i)})
				t0 := time.Now()
				code, err := do(bases[c%len(bases)], "POST", "/api/v1/documentos", tokens["capturista"], body)
				record(&issue, t0, "emitir "+s.Type, code, err, http.StatusCreated)
				if err == nil && code == http.StatusCreated && t0.After(warm) {
					mu.Lock()
					byNode[c%len(bases)] = append(byNode[c%len(bases)], time.Since(t0))
					mu.Unlock()
				}
				pause(rng, clerkThink)
			}
		})
	}
	for c := range loadStaff {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(c), 11))
			ask := func(q string) (int, error) {
				path := "/api/v1/buscar?" + q
				if !strings.Contains(q, "facetas=") {
					path += "&facetas=0" // the API counts facets unless told not to
				}
				return do(bases[c%len(bases)], "GET", path, tokens["consulta"], nil)
			}
			if staffWeb {
				ask = searchers[c]
			}
			arrive(rng, staffThink)
			for time.Now().Before(deadline) {
				q := loadQueries[rng.IntN(len(loadQueries))]
				t0 := time.Now()
				code, err := ask(q)
				d := time.Since(t0)
				record(&find, t0, "buscar "+q, code, err, http.StatusOK)
				if t0.After(warm) {
					mu.Lock()
					byQuery[q] = append(byQuery[q], d)
					mu.Unlock()
				}
				pause(rng, staffThink)
			}
		})
	}
	wg.Wait()
	if f := os.Getenv("LEGAJO_LOAD_TIMELINE"); f != "" {
		if err := os.WriteFile(f, timeline.Bytes(), 0o644); err != nil {
			b.Error(err)
		}
	}
	for _, f := range failures {
		b.Error(f)
	}
	if len(issue) == 0 || len(find) == 0 {
		b.Fatal("no request succeeded")
	}
	slices.Sort(issue)
	slices.Sort(find)
	pct := func(l []time.Duration, p int) float64 { return float64(l[len(l)*p/100].Microseconds()) / 1000 }
	for _, q := range loadQueries {
		if l := byQuery[q]; len(l) > 0 {
			slices.Sort(l)
			// To stderr: benchmark logs are cut at ten lines.
			fmt.Fprintf(os.Stderr, "%s: %-44s %4d searches, p50 %6.1f ms, p99 %6.1f ms, max %6.1f ms\n",
				b.Name(), q, len(l), pct(l, 50), pct(l, 99), float64(l[len(l)-1].Microseconds())/1000)
		}
	}
	if len(bases) > 1 {
		for i, l := range byNode {
			if len(l) == 0 {
				b.Fatalf("node %d issued nothing", i+1)
			}
			slices.Sort(l)
			fmt.Fprintf(os.Stderr, "%s: nodo %d (%s): %6.2f issues/s, p50 %6.1f ms, p99 %6.1f ms\n",
				b.Name(), i+1, bases[i], float64(len(l))/(d-time.Second).Seconds(), pct(l, 50), pct(l, 99))
			b.ReportMetric(float64(len(l))/(d-time.Second).Seconds(), fmt.Sprintf("n%d-issues/s", i+1))
		}
	}
	b.ReportMetric(float64(len(issue))/(d-time.Second).Seconds(), "issues/s")
	b.ReportMetric(pct(issue, 50), "issue-p50-ms")
	b.ReportMetric(pct(issue, 99), "issue-p99-ms")
	b.ReportMetric(float64(len(find))/(d-time.Second).Seconds(), "searches/s")
	b.ReportMetric(pct(find, 50), "search-p50-ms")
	b.ReportMetric(pct(find, 99), "search-p99-ms")
}

// webSearcher signs in as one of the staff and returns what searches
// through the web page, as a browser would: /buscar counts facets and
// writes the activity log on every search.
func webSearcher(base, login string) (func(q string) (int, error), error) {
	jar, _ := cookiejar.New(nil)
	// Each person has a browser of their own, which keeps its connections
	// open: http.DefaultTransport, shared by the twenty, keeps two idle
	// connections per host and closed the others after each search.
	client := &http.Client{Jar: jar, Transport: &http.Transport{MaxIdleConnsPerHost: 6}, Timeout: 30 * time.Second}
	resp, err := client.PostForm(base+"/entrar", url.Values{"usuario": {login}, "contrasena": {loadPassword}})
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path == "/entrar" {
		return nil, fmt.Errorf("%s did not sign in: %d at %s", login, resp.StatusCode, resp.Request.URL.Path)
	}
	return func(q string) (int, error) {
		resp, err := client.Get(base + "/buscar?" + q)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		// A folio typed alone opens its document; anything else that is
		// not the search page is the sign-in page.
		if p := resp.Request.URL.Path; p != "/buscar" && !strings.HasPrefix(p, "/documentos/") {
			return http.StatusUnauthorized, nil
		}
		return resp.StatusCode, nil
	}, nil
}

func thinkTime(key string, def time.Duration) time.Duration {
	if v := os.Getenv(key); v != "" {
		if d, err := time.ParseDuration(v); err == nil && d >= 0 {
			return d
		}
	}
	return def
}
