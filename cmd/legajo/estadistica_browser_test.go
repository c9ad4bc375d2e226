package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/fixtures"
)

// statsArchive files, with the clock set to each date, documents of three
// months, two reportes de consumo and three reports of fallas (one solved
// in five hours, one in fifty, one open), and returns how many documents
// it issued.
func statsArchive(t *testing.T, env map[string]string) int {
	t.Helper()
	clock := time.Date(2026, 9, 7, 15, 0, 0, 0, time.UTC)
	m := &Main{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}, Getenv: func(k string) string { return env[k] }, Now: func() time.Time { return clock }}
	ctx := context.Background()
	a, err := m.openApp(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.office.Cases.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	issued := 0
	emit := func(at time.Time, sample string) {
		t.Helper()
		clock = at
		data, err := fixtures.SampleData(sample)
		if err != nil {
			t.Fatal(err)
		}
		typ, _, _ := strings.Cut(sample, ".")
		if _, err := a.office.Emit(ctx, legajo.EmitRequest{Type: typ, Data: data, Author: "admin"}); err != nil {
			t.Fatalf("emit %s: %v", sample, err)
		}
		issued++
	}
	emit(time.Date(2026, 9, 7, 15, 0, 0, 0, time.UTC), "minuta")
	emit(time.Date(2026, 9, 8, 15, 0, 0, 0, time.UTC), "oficio-liberacion")
	emit(time.Date(2026, 9, 21, 15, 0, 0, 0, time.UTC), "oficio-liberacion")
	emit(time.Date(2026, 10, 5, 15, 0, 0, 0, time.UTC), "acuse-cuenta-correo")
	emit(time.Date(2026, 10, 6, 15, 0, 0, 0, time.UTC), "dictamen-tecnico")
	emit(time.Date(2026, 10, 19, 15, 0, 0, 0, time.UTC), "minuta")
	emit(time.Date(2026, 11, 9, 15, 0, 0, 0, time.UTC), "reporte-consumo") // periodo: octubre de 2026
	emit(time.Date(2026, 11, 10, 15, 0, 0, 0, time.UTC), "reporte-consumo.extenso")
	emit(time.Date(2026, 11, 11, 15, 0, 0, 0, time.UTC), "oficio-liberacion")

	falla := func(opened time.Time, area string, hours float64) {
		t.Helper()
		clock = opened
		c, err := a.office.OpenCase(ctx, legajo.OpenCaseRequest{Procedure: legajo.FallasProcedure, Area: area,
			Subject: "Línea sin tono", Author: "admin"})
		if err != nil {
			t.Fatal(err)
		}
		if hours == 0 {
			return
		}
		p, _ := a.office.Cases.Procedures.Get(legajo.FallasProcedure)
		// The steps before the verification within the first hour; the
		// verification (whose plazo is 24 hours) and the closing step at
		// opened+hours.
		for i := 1; c.Status != legajo.CaseAtendido; i++ {
			if i > 10 {
				t.Fatalf("case %s does not end: at step %s", c.Number, c.Step)
			}
			clock = opened.Add(time.Duration(i) * 10 * time.Minute)
			act := legajo.CaseAction{Kind: legajo.CaseStepDone, Step: c.Step, Author: "admin"}
			if s, _ := p.Step(c.Step); s.Decision != nil {
				act.Kind, act.Answer = legajo.CaseDecided, "Sí"
				clock = opened.Add(time.Duration(hours*float64(time.Hour)) - time.Minute)
			} else if i > 3 {
				clock = opened.Add(time.Duration(hours * float64(time.Hour)))
			}
			if c, err = a.office.Cases.Act(ctx, c.Number, act); err != nil {
				t.Fatalf("step %s: %v", act.Step, err)
			}
		}
	}
	falla(time.Date(2026, 10, 12, 9, 0, 0, 0, time.UTC), "Hospital General de Tuxpan", 5)
	falla(time.Date(2026, 10, 20, 9, 0, 0, 0, time.UTC), "Jurisdicción Sanitaria No. V Xalapa", 50)
	falla(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC), "Hospital General de Tuxpan", 0)
	return issued
}

// TestBrowserEstadisticas: an administrator opens the statistics over an
// archive of three months; every chart is drawn next to its table with the
// archive's figures; a bad month is refused in Spanish; the XLSX carries a
// native chart per sheet and the Informe del Departamento reads right.
// LEGAJO_PNG=dir keeps the screenshot and the Informe's pages to look at.
func TestBrowserEstadisticas(t *testing.T) {
	env := map[string]string{"LEGAJO_DATA": t.TempDir()}
	issued := statsArchive(t, env)
	ctx := browser(t)
	base, pw := startServer(t, env)
	firstLogin(t, ctx, base, pw)
	step(t, ctx, "open",
		chromedp.Navigate(base+"/"),
		chromedp.Click(`//nav//a[text()="Estadísticas"]`),
		chromedp.WaitVisible(`//h1[text()="Estadísticas del Departamento"]`),
		chromedp.WaitVisible(`#telefonia table`),
	)
	// Every chart drawn (a decoded image) beside a table with a caption.
	loaded := value(t, ctx, "images", chromedp.Evaluate[string](`Array.from(document.querySelectorAll("section.chart")).map(s => {
		const img = s.querySelector("img"), cap = s.querySelector("table caption");
		return s.id + ":" + (img ? (img.complete && img.naturalWidth > 0 ? "img" : "broken") : "none") + ":" + (cap ? "caption" : "nocaption");
	}).join(" ")`))
	want := "documentos-tipo:img:caption documentos-area:img:caption pendientes:img:caption fallas:img:caption tramites:img:caption telefonia:img:caption"
	if loaded != want {
		t.Errorf("charts: %s\nwant     %s", loaded, want)
	}
	shot(t, ctx, "estadisticas")
	if dir := os.Getenv("LEGAJO_PNG"); dir != "" {
		// Each chart's image on its own, at the size the page draws it.
		for _, id := range strings.Fields("documentos-tipo documentos-area pendientes fallas tramites telefonia") {
			png := value(t, ctx, "shot-"+id, chromedp.Screenshot(chromedp.CSS("#"+id+" figure img")))
			os.WriteFile(filepath.Join(dir, "grafica-"+id+".png"), png, 0o644)
		}
	}
	// The figures of the archive: every document of the period, once.
	total := value(t, ctx, "total", chromedp.Evaluate[int](`Array.from(document.querySelectorAll("#documentos-tipo tbody td")).reduce((s, td) => s + Number(td.textContent.replace(/,/g, "")), 0)`))
	if total != issued {
		t.Errorf("documents by type add up to %d, want %d", total, issued)
	}
	row := func(chart, category string) string {
		return value(t, ctx, chart+"-"+category, chromedp.Evaluate[string](fmt.Sprintf(`(Array.from(document.querySelectorAll("#%s tbody tr")).find(r => r.querySelector("th").textContent === %q) || {textContent: "(no row)"}).innerText.replace(/\s+/g, " ").trim()`, chart, category)))
	}
	for _, c := range []struct{ chart, category, want string }{
		{"documentos-tipo", "septiembre de 2026", "septiembre de 2026 "}, // checked below by column
		{"fallas", "Hospital General de Tuxpan", "Hospital General de Tuxpan 1 0 0 1 5"},
		{"fallas", "Jurisdicción Sanitaria No. V Xalapa", "Jurisdicción Sanitaria No. V Xalapa 0 1 0 0 50"},
		{"tramites", "12. Gestión y Apoyo de Reportes de Fallas en Líneas Telefónicas y Servicios de Internet",
			"12. Gestión y Apoyo de Reportes de Fallas en Líneas Telefónicas y Servicios de Internet 1 1 1 50.0 %"},
		{"telefonia", "octubre de 2026", "octubre de 2026 $94,848.23 $13,412.64"}, // the área that spent most first
	} {
		if got := row(c.chart, c.category); !strings.HasPrefix(got, c.want) {
			t.Errorf("%s, row %q: %q, want %q…", c.chart, c.category, got, c.want)
		}
	}
	oficios := value(t, ctx, "oficios", chromedp.Evaluate[string](`(() => {
		const t = document.querySelector("#documentos-tipo table");
		const col = Array.from(t.tHead.rows[0].cells).findIndex(c => c.textContent === "Oficio de liberación de sistema");
		return Array.from(t.tBodies[0].rows).map(r => r.cells[0].textContent + "=" + (col > 0 ? r.cells[col].textContent : "?")).filter(s => !s.endsWith("=0")).join("; ");
	})()`))
	if oficios != "septiembre de 2026=2; noviembre de 2026=1" {
		t.Errorf("oficios de liberación by month: %q", oficios)
	}
	if p := value(t, ctx, "pending", chromedp.Text(`#pendientes tbody tr:first-child`)); !strings.Contains(p, "Hasta 7 días") {
		t.Errorf("pending first row: %q", p)
	}

	// The monthly Informe is one click away: last month's.
	mx, _ := time.LoadLocation("America/Mexico_City")
	now := time.Now().In(mx)
	last := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, mx).AddDate(0, -1, 0)
	if got, want := value(t, ctx, "last-month", chromedp.Evaluate[string](`Array.from(document.querySelectorAll(".exports button")).map(b => b.textContent).join("|")`)),
		"Descargar en Excel (XLSX) con gráficas|Informe del Departamento (PDF)|Informe de "+legajo.MonthYear(last)+" (PDF)"; got != want {
		t.Errorf("export buttons: %q, want %q", got, want)
	}

	// A long export says it is working while the file is prepared, and the
	// file arrives as a download. The test waits for it: a navigation
	// started while the form's own is still pending is aborted by it.
	downloads := t.TempDir()
	progress := chromedp.Events(ctx, cdpbrowser.DownloadProgress)
	step(t, ctx, "progress",
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			eventsOn := true
			_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
				Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: &eventsOn,
			})
			return err
		}),
		chromedp.Click(`//button[text()="Informe del Departamento (PDF)"]`),
		chromedp.WaitVisible(`//form[contains(@class, "busy")]//span[@class="progress"]/progress`),
	)
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("the Informe's download: %v", err)
		}
		if ev.State == cdpbrowser.DownloadProgressStateCanceled {
			t.Fatal("the Informe's download was cancelled")
		}
		if ev.State != cdpbrowser.DownloadProgressStateCompleted {
			continue
		}
		b, err := os.ReadFile(filepath.Join(downloads, ev.GUID))
		if err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
			t.Fatalf("the Informe downloaded from the button is not a PDF (%d bytes, %v)", len(b), err)
		}
		break
	}

	// One área: only its fallas.
	step(t, ctx, "area",
		chromedp.Navigate(base+"/estadisticas?area="+url.QueryEscape("Hospital General de Tuxpan")),
		chromedp.WaitVisible(`#fallas`),
	)
	if rows := value(t, ctx, "area-rows", chromedp.Evaluate[string](`Array.from(document.querySelectorAll("#fallas tbody th")).map(th => th.textContent).join("|")`)); rows != "Hospital General de Tuxpan" {
		t.Errorf("fallas of one área: %q", rows)
	}

	// A bad month: the page again, with the problem in Spanish.
	step(t, ctx, "bad-month",
		chromedp.Navigate(base+"/estadisticas?desde=2026-13&hasta=2026-11"),
		chromedp.WaitVisible(`//div[@role="alert"]//li[contains(., "«Desde» no es un mes válido")]`),
	)
	if st := value(t, ctx, "bad-status", fetchStatus(base+"/estadisticas?desde=2026-11&hasta=2026-01")); !strings.HasPrefix(st, "422") {
		t.Errorf("a period that ends before it starts: %s", st)
	}

	// The exports, with the session of the page.
	q := "?desde=2026-09&hasta=2026-11"
	x := download(t, ctx, base+"/estadisticas/estadisticas.xlsx"+q)
	z, err := zip.NewReader(bytes.NewReader(x), int64(len(x)))
	if err != nil {
		t.Fatalf("the XLSX is not a zip: %v", err)
	}
	refs := regexp.MustCompile(`<(?:c:)?f>([^<]+)</(?:c:)?f>`)
	charts := 0
	for _, f := range z.File {
		if !regexp.MustCompile(`^xl/charts/chart\d+\.xml$`).MatchString(f.Name) {
			continue
		}
		charts++
		r, _ := f.Open()
		b, _ := io.ReadAll(r)
		r.Close()
		if len(refs.FindAll(b, -1)) < 3 {
			t.Errorf("%s refers to no cells", f.Name)
		}
	}
	if charts != 6 {
		t.Errorf("the XLSX has %d charts, want 6", charts)
	}
	pdfDoc := download(t, ctx, base+"/estadisticas/informe.pdf"+q)
	dir := os.Getenv("LEGAJO_PNG")
	if dir == "" {
		dir = t.TempDir()
	}
	in := filepath.Join(dir, "informe-departamento.pdf")
	if err := os.WriteFile(in, pdfDoc, 0o644); err != nil {
		t.Fatal(err)
	}
	txt, err := exec.Command("pdftotext", "-enc", "UTF-8", "-layout", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	flat := strings.Join(strings.Fields(string(txt)), " ")
	for _, w := range []string{"INFORME DEL DEPARTAMENTO DE TECNOLOGÍAS DE LA INFORMACIÓN", "Septiembre a noviembre de 2026",
		"6. Gasto en telefonía por mes y área", "$13,412.64", "Hospital General de Tuxpan", "ELABORÓ", "Vo. Bo."} {
		if !strings.Contains(flat, w) {
			t.Errorf("the Informe does not say %q", w)
		}
	}
	if out, err := exec.Command("pdftoppm", "-r", "60", "-png", in, filepath.Join(dir, "informe-departamento")).CombinedOutput(); err != nil {
		t.Errorf("pdftoppm: %v %s", err, out)
	}
}

// download fetches url with the page's session and returns the body.
func download(t *testing.T, ctx context.Context, u string) []byte {
	t.Helper()
	js := fmt.Sprintf(`fetch(%q).then(r => { if (!r.ok) throw new Error("HTTP " + r.status); return r.arrayBuffer(); }).then(b => {
		const a = new Uint8Array(b); let s = "";
		for (let i = 0; i < a.length; i += 8192) s += String.fromCharCode.apply(null, a.subarray(i, i + 8192));
		return btoa(s);
	})`, u)
	b64 := value(t, ctx, "download", chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
