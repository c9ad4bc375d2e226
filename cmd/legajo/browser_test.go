package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// syncBuffer is a bytes.Buffer safe to read while Main writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startServer runs the real Main's serve on a free port and returns its
// address and the admin's one-time password.
func startServer(t *testing.T, env map[string]string) (string, string) {
	t.Helper()
	return startMain(t, &Main{Now: time.Now}, env)
}

// startMain is startServer with a Main of the test's own (its clock); its
// output and environment are set here.
func startMain(t *testing.T, m *Main, env map[string]string) (string, string) {
	t.Helper()
	addrRe := regexp.MustCompile(`escuchando en (http://127\.0\.0\.1:\d+)`)
	pwRe := regexp.MustCompile(`contraseña de un solo uso:\s+(\S+)`)
	var addr, pw string
	serveUntil(t, m, env, func(out string) bool {
		a := addrRe.FindStringSubmatch(out)
		if a == nil {
			return false
		}
		p := pwRe.FindStringSubmatch(out)
		if p == nil {
			t.Fatalf("no one-time admin password printed:\n%s", out)
		}
		addr, pw = a[1], p[1]
		return true
	})
	return addr, pw
}

// serveUntil runs m's serve on a free port until the test ends, and waits
// (a minute at most) until ready finds what the test needs in its output.
func serveUntil(t *testing.T, m *Main, env map[string]string, ready func(out string) bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, errs := &syncBuffer{}, &syncBuffer{}
	m.Stdout, m.Stderr, m.Getenv = out, errs, func(k string) string { return env[k] }
	done := make(chan int, 1)
	go func() { done <- m.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("serve exited %d: %s", code, errs.String())
			}
		case <-time.After(20 * time.Second):
			t.Error("serve did not shut down")
		}
	})
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if ready(out.String()) {
			return
		}
		select {
		case code := <-done:
			t.Fatalf("serve exited %d: %s", code, errs.String())
		default:
		}
	}
	t.Fatalf("serve did not start:\n%s\n%s", out.String(), errs.String())
}

// browser starts Debian's headless chromium, which .ci/run installs. Without
// it the test cannot run, and in CI that fails.
func browser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is missing: .ci/run must install Debian's chromium")
		}
		t.Skip("chromium not installed (apt-get install chromium)")
	}
	// The browser starts here, not at the first step: a browser that does
	// not start is reported with its own output, and a step that fails later
	// never starts a second one (chromedp allocates again on a context whose
	// first allocation failed, and panics when both exit). A start that fails
	// under load is tried once more with a fresh profile.
	var lastErr error
	output := &syncBuffer{}
	for attempt := 1; attempt <= 2; attempt++ {
		opts := append(chromedp.DefaultExecAllocatorOptions[:],
			chromedp.ExecPath(path), chromedp.NoSandbox, chromedp.DisableGPU,
			chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true), chromedp.Flag("no-first-run", true),
			chromedp.Flag("disable-dev-shm-usage", true),
			chromedp.Flag("lang", "es-MX"), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900),
			chromedp.CombinedOutput(output))
		actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelC := chromedp.NewContext(actx)
		// Not under a timeout: the context of the first run owns the browser.
		if lastErr = chromedp.Do(ctx); lastErr == nil {
			ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
			t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
			return ctx
		}
		cancelC()
		cancelA()
		t.Logf("chromium did not start (attempt %d): %v", attempt, lastErr)
	}
	t.Fatalf("chromium (%s) did not start: %v\nits output:\n%s", path, lastErr, output.String())
	return nil
}

// step runs browser actions; on failure it saves a screenshot of the page
// as a test artifact and stops the test.
func step(t *testing.T, ctx context.Context, name string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		png, _ := chromedp.Run(sctx, chromedp.FullScreenshot(80))
		dir := os.Getenv("LEGAJO_ARTIFACTS")
		if dir == "" {
			dir = filepath.Join(os.TempDir(), "legajo-artifacts")
		}
		os.MkdirAll(dir, 0o755)
		shot := filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_")+"-"+name+".jpg")
		os.WriteFile(shot, png, 0o644)
		t.Fatalf("%s: %v (screenshot: %s)", name, err, shot)
	}
	// LEGAJO_SCREENSHOTS=dir keeps a picture of every step, to look at.
	if dir := os.Getenv("LEGAJO_SCREENSHOTS"); dir != "" {
		if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90)); err == nil {
			os.MkdirAll(dir, 0o755)
			os.WriteFile(filepath.Join(dir, strings.ReplaceAll(t.Name(), "/", "_")+"-"+name+".jpg"), png, 0o644)
		}
	}
}

// value runs one action that returns a value, with step's screenshot on
// failure.
func value[T any](t *testing.T, ctx context.Context, name string, a chromedp.Action[T]) T {
	t.Helper()
	var v T
	step(t, ctx, name, func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		var err error
		v, err = a(ctx, tg)
		return chromedp.Void{}, err
	})
	return v
}

// fetchStatus asks the page to fetch url with its session: "status type".
func fetchStatus(url string) chromedp.Action[string] {
	return chromedp.Evaluate[string](fmt.Sprintf(`fetch(%q).then(r => r.status + " " + r.headers.get("content-type"))`, url), chromedp.EvalAwaitPromise)
}

// field selects a form input by its id, which may contain dots.
func field(id string) chromedp.CSS { return chromedp.CSS(`[id="` + id + `"]`) }

// TestBrowserCycle: a newcomer's first day, in a real browser: log in,
// issue an oficio de liberación, download its PDF, upload the acuse, find
// it by searching without accents, export the expediente's trail, and check
// the public verification page.
func TestBrowserCycle(t *testing.T) {
	ctx := browser(t)
	base, pw := startServer(t, map[string]string{"LEGAJO_DATA": t.TempDir()})
	scan := filepath.Join(t.TempDir(), "acuse-firmado.pdf")
	os.WriteFile(scan, []byte("%PDF-1.4\n% acuse firmado y sellado\n%%EOF\n"), 0o644)

	firstLogin(t, ctx, base, pw)
	step(t, ctx, "fill",
		chromedp.Navigate(base+"/nuevo"),
		chromedp.Click(`//a[text()="Oficio de liberación de sistema"]`),
		chromedp.WaitVisible(field("f.area")),
		chromedp.SendKeys(field("f.area"), "Subdirección de Recursos Humanos"),
		chromedp.SendKeys(field("f.destinatario_nombre"), "Mtro. Luis Alberto Gómez Téllez"),
		chromedp.SendKeys(field("f.destinatario_cargo"), "Subdirector de Recursos Humanos"),
		chromedp.SendKeys(field("f.referencia"), "oficio SESVER/DA/SRH/1187/2026"),
		chromedp.SendKeys(field("f.sistema"), "Sistema de Control de Incidencias del Personal (SICIP)"),
		chromedp.SendKeys(field("f.version"), "1.0"),
		chromedp.SendKeys(field("f.plataforma"), "https://sicip.ssaver.gob.mx"),
		chromedp.SendKeys(chromedp.CSS(`input[name="t.modulos.0.modulo"]`), "Catálogo de personal"),
		chromedp.SendKeys(chromedp.CSS(`input[name="t.modulos.0.descripcion"]`), "Alta, baja y modificación de trabajadores."),
		chromedp.Click(chromedp.CSS(`button[data-add-row="tabla-modulos"]`)),
		chromedp.SendKeys(field("f.pruebas"), "Del 5 al 30 de octubre, sin diferencias contra el registro manual."),
		chromedp.SendKeys(field("f.usuarios"), "14"),
		chromedp.SetValue(field("f.fecha_capacitacion"), "2026-11-12"),
	)
	step(t, ctx, "issue",
		chromedp.Click(chromedp.CSS(`button[value="emitir"]`)),
		chromedp.WaitVisible(`//p[contains(., "Documento archivado con el folio")]`),
	)
	folioURL := value(t, ctx, "location", chromedp.Location())
	m := regexp.MustCompile(`/documentos/(SESVER-DA-DTI-OL-\d{4}-\d{4})`).FindStringSubmatch(folioURL)
	if m == nil {
		t.Fatalf("after issuing, at %s", folioURL)
	}
	folio := m[1]
	got := value(t, ctx, "download", fetchStatus("/documentos/"+folio+"/tantos/original"))
	if got != "200 application/pdf" {
		t.Errorf("tanto download: %s", got)
	}
	step(t, ctx, "acuse",
		chromedp.SetUploadFiles(field("acuse"), []string{scan}),
		chromedp.Click(`//button[text()="Registrar acuse"]`),
		chromedp.WaitVisible(`//h1/span[text()="acuse recibido"]`),
	)
	// staff find it typing without the accent; the server's index follows
	// the archive every second, so the first search may come too early
	hit := `//div[@class="hit"]//strong[text()="` + strings.ReplaceAll(folio, "-", "/") + `"]`
	found := false
	for try := 0; try < 20 && !found; try++ {
		step(t, ctx, "search",
			chromedp.Navigate(base+"/buscar?q=liberacion+sicip"),
			chromedp.WaitVisible(`//p[strong and (contains(., " documentos.") or contains(., " documento."))]`),
		)
		found = value(t, ctx, "search-hit", chromedp.Evaluate[bool](`document.evaluate('`+hit+`', document, null, XPathResult.BOOLEAN_TYPE, null).booleanValue`))
		if !found {
			time.Sleep(250 * time.Millisecond)
		}
	}
	if !found {
		t.Fatal("searching «liberacion sicip» does not find the document")
	}
	typedSearches(t, ctx, base, folio)
	// the auditor's trail of the expediente, with the chain verified
	step(t, ctx, "expediente",
		chromedp.Navigate(base+"/expedientes/dti"),
		chromedp.WaitVisible(`//button[text()="Exportar el rastro"]`),
	)
	if got := value(t, ctx, "trail-xlsx", fetchStatus("/rastro?expediente=dti&formato=xlsx")); got != "200 application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("trail export: %s", got)
	}
	if got := value(t, ctx, "trail-pdf", fetchStatus("/rastro?expediente=dti&formato=pdf")); got != "200 application/pdf" {
		t.Errorf("bundle export: %s", got)
	}
	// the inventory to print and sign, beside its spreadsheet
	href := value(t, ctx, "inventario-link", chromedp.Evaluate[string](`document.evaluate('//a[text()="Inventario general (PDF)"]', document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue.getAttribute("href")`))
	if got := value(t, ctx, "inventario-pdf", fetchStatus(href)); got != "200 application/pdf" {
		t.Errorf("inventario PDF (%s): %s", href, got)
	}
	step(t, ctx, "verify",
		chromedp.Navigate(base+"/verificar/"+folio),
		chromedp.WaitVisible(`//dd[contains(., "Oficio de liberación de sistema")]`),
	)
	text := value(t, ctx, "verify-text", chromedp.Text(chromedp.CSS("main")))
	if !strings.HasPrefix(strings.TrimSpace(text), "✓ Documento válido") || !strings.Contains(text, "acuse recibido") || strings.Contains(text, "SICIP") {
		t.Errorf("public verification page:\n%s", text)
	}
}

// typedSearches: searches as staff type them, in the browser. A word no
// document holds: the page says the match is partial, above the hit. A
// misspelt word: «¿Quiso decir …?» links to the corrected search, which
// finds the document. A folio typed in words: straight to the document.
func typedSearches(t *testing.T, ctx context.Context, base, folio string) {
	t.Helper()
	hit := `//div[@class="hit"]//strong[text()="` + strings.ReplaceAll(folio, "-", "/") + `"]`
	step(t, ctx, "search-partial",
		chromedp.Navigate(base+"/buscar?q=liberacion+sicip+xyzzy"),
		chromedp.WaitVisible(`//p[@role="status" and contains(., "Ningún documento contiene todas las palabras")]`),
		chromedp.WaitVisible(hit),
	)
	// The notice is on screen above the hits, not pushed out of view.
	above := value(t, ctx, "partial-above", chromedp.Evaluate[bool](`(() => {
		const n = document.querySelector('p[role="status"]').getBoundingClientRect();
		const h = document.querySelector('div.hit').getBoundingClientRect();
		return n.height > 0 && n.bottom <= h.top && n.top >= 0 && n.bottom <= window.innerHeight;
	})()`))
	if !above {
		t.Error("the partial-match notice is not on screen above the hits")
	}
	if dir := os.Getenv("LEGAJO_SCREENSHOTS"); dir != "" {
		if png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90)); err == nil {
			os.WriteFile(filepath.Join(dir, "search-partial.jpg"), png, 0o644)
		}
	}
	step(t, ctx, "search-suggestion",
		chromedp.Navigate(base+"/buscar?q=incidensias+sicip"),
		chromedp.WaitVisible(`//p[@class="suggestion"]/a[strong="incidencias sicip"]`),
		chromedp.Click(`//p[@class="suggestion"]/a`),
		chromedp.WaitVisible(hit),
	)
	if loc := value(t, ctx, "suggestion-location", chromedp.Location()); !strings.Contains(loc, "q=incidencias+sicip") {
		t.Errorf("the suggestion link went to %s", loc)
	}
	m := regexp.MustCompile(`-OL-(\d{4})-(\d{4})$`).FindStringSubmatch(folio)
	step(t, ctx, "search-folio",
		chromedp.Navigate(base+"/buscar?q=oficio+ol+"+m[1]+"+"+m[2]),
		chromedp.WaitVisible(`//h1`),
	)
	if loc := value(t, ctx, "folio-location", chromedp.Location()); !strings.HasSuffix(loc, "/documentos/"+folio) {
		t.Errorf("a folio typed in words went to %s, not its document", loc)
	}
}
