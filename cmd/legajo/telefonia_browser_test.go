package main

import (
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/fixtures"
)

// TestBrowserTelephony: the monthly cycle of procedure 10 in a real
// browser. A bill with a bad row is refused with the row and column named
// and nothing imported; the six months before are imported, then the
// sample bill, with the progress bar; the analysis shows the lines above
// normal with their reasons and the totals per área; the reporte de
// consumo of an área is issued prefilled from it, and its PDF holds the
// figures; the propuesta de reducción then carries the reporte's folio; the
// same bill again is refused, naming the first.
func TestBrowserTelephony(t *testing.T) {
	ctx := browser(t)
	base, pw := startServer(t, map[string]string{"LEGAJO_DATA": t.TempDir()})
	firstLogin(t, ctx, base, pw)
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	upload := func(name, path, period string, done string) {
		t.Helper()
		defer func(start time.Time) { t.Logf("%s: %v", name, time.Since(start)) }(time.Now())
		step(t, ctx, name,
			chromedp.Navigate(base+"/telefonia"),
			chromedp.WaitVisible(field("factura")),
			chromedp.SetUploadFiles(field("factura"), []string{path}),
			chromedp.SetValue(field("periodo"), period),
			chromedp.Click(`//button[text()="Importar y analizar"]`),
			chromedp.WaitVisible(done),
		)
	}

	// A bad row: named by row and column, and nothing imported.
	bad := strings.Replace(string(fixtures.SampleBill()), "\n2281004573,", "\n2281004573,TMX,22881,X,Y,Z,389.00,0.00,0.00,0.00,0.00,389.00\n2281004573,", 1)
	upload("bad-bill", write("mala.csv", []byte(bad)), "2026-04", `//div[@class="alert"]//li[contains(., "Fila 2, columna «Teléfono»: «22881» no es un número de 10 dígitos.")]`)
	shot(t, ctx, "telefonia-rechazada")
	if text := value(t, ctx, "bad-list", chromedp.Text(chromedp.CSS("main"))); !strings.Contains(text, "Todavía no se ha importado ninguna factura.") {
		t.Errorf("after a refused bill:\n%s", text)
	}

	for k := 6; k >= 1; k-- {
		p := legajo.AddMonths(fixtures.SampleBillPeriod, -k)
		upload("history-"+p, write("siana-"+p+".csv", fixtures.TelephonyBill(p, fixtures.SampleBillLines)), p,
			`//p[@role="status" and contains(., "La factura se importó")]`)
	}
	// The sample bill; the progress bar shows while it goes.
	step(t, ctx, "sample",
		chromedp.Navigate(base+"/telefonia"),
		chromedp.WaitVisible(field("factura")),
		chromedp.SetUploadFiles(field("factura"), []string{write("siana-octubre-2026.csv", fixtures.SampleBill())}),
		chromedp.SetValue(field("periodo"), fixtures.SampleBillPeriod),
		// What the progress bar says is kept across the page change.
		js(`new MutationObserver(function(){ var p = JSON.parse(sessionStorage.getItem("progreso") || "[]"); p.push((document.getElementById("progreso").hasAttribute("value") ? document.getElementById("progreso").value : "…") + " " + document.getElementById("progreso-texto").textContent); sessionStorage.setItem("progreso", JSON.stringify(p)) }).observe(document.querySelector(".upload-progress"), {childList: true, characterData: true, subtree: true, attributes: true})`),
		chromedp.Click(`//button[text()="Importar y analizar"]`),
		chromedp.WaitVisible(`//p[@role="status" and contains(., "La factura se importó")]`),
		chromedp.WaitVisible(`//h2[starts-with(., "Líneas fuera de lo normal")]`),
	)
	shot(t, ctx, "telefonia-analisis")
	progress := value(t, ctx, "progress", chromedp.Evaluate[string](`sessionStorage.getItem("progreso") || ""`))
	if !strings.Contains(progress, "Enviando la factura") || !strings.Contains(progress, "… Leyendo, analizando y archivando la factura…") || !strings.Contains(progress, "100 Factura importada.") {
		t.Errorf("the progress bar did not go through sending, reading and done: %s", progress)
	}
	text := value(t, ctx, "analysis", chromedp.Text(chromedp.CSS("main")))
	for _, want := range []string{"Consumo de octubre de 2026 · cuenta maestra 2281004573", "400 líneas", "Totales por área",
		"Jurisdicción Sanitaria No. VIII Veracruz", "Hospital Regional de Xalapa «Dr. Luis F. Nachón»",
		"veces su promedio de 6 meses", "excede su plan en $", "abril de 2026, mayo de 2026"} {
		if !strings.Contains(text, want) {
			t.Errorf("the analysis page lacks %q", want)
		}
	}
	rows := value(t, ctx, "flagged-rows", chromedp.Evaluate[int](`document.querySelectorAll("table.flagged-lines tbody tr").length`))
	if rows < 20 || rows > 100 {
		t.Errorf("%d lines above normal shown", rows)
	}

	// The reporte de consumo of the first área with lines over their
	// package, prefilled.
	link := value(t, ctx, "reporte-link", chromedp.Evaluate[string](`document.evaluate('//a[text()="Emitir reporte de consumo"]', document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue.getAttribute("href")`))
	area := value(t, ctx, "reporte-area", chromedp.Evaluate[string](`document.evaluate('//a[text()="Emitir reporte de consumo"]/ancestor::tr/td[1]/a[1]', document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue.textContent`))
	step(t, ctx, "reporte-form",
		chromedp.Navigate(base+link),
		chromedp.WaitVisible(field("f.domicilio")),
	)
	shot(t, ctx, "telefonia-reporte-form")
	prefilled := value(t, ctx, "prefilled", chromedp.Evaluate[[]string](`["f.area","f.periodo","f.cuenta_maestra","f.total_excedente","t.lineas.0.numero","t.lineas.0.excedente","f.analisis"].map(function(n){ return document.querySelector('[name="'+n+'"]').value })`))
	if prefilled[0] != area || prefilled[1] != "octubre de 2026" || prefilled[2] != fixtures.SampleBillAccount || prefilled[3] == "" ||
		!regexp.MustCompile(`^\d{3} \d{3} \d{4}$`).MatchString(prefilled[4]) || !strings.Contains(prefilled[6], "superan el costo de su paquete") && !strings.Contains(prefilled[6], "supera el costo de su paquete") {
		t.Fatalf("the reporte is not prefilled: %q", prefilled)
	}
	step(t, ctx, "reporte-issue",
		chromedp.SendKeys(field("f.domicilio"), "Av. 20 de Noviembre 1074, Xalapa, Ver."),
		chromedp.Click(chromedp.CSS(`button[value="emitir"]`)),
		chromedp.WaitVisible(`//p[contains(., "Documento archivado con el folio")]`),
	)
	m := regexp.MustCompile(`/documentos/(SESVER-DA-DTI-RCO-\d{4}-\d{4})`).FindStringSubmatch(value(t, ctx, "reporte-location", chromedp.Location()))
	if m == nil {
		t.Fatal("issuing the reporte did not lead to it")
	}
	reporte := m[1]
	pdfPath := write("reporte.pdf", fetchBytes(t, ctx, "/documentos/"+reporte+"/tantos/original"))
	got := pdfText(t, pdfPath)
	excess, _ := legajo.ParseCentavos(prefilled[3])
	for _, want := range []string{"REPORTE DE CONSUMO DE LÍNEAS TELEFÓNICAS", "octubre de 2026", fixtures.SampleBillAccount,
		prefilled[4], excess.String(), "Teléfonos de México"} {
		if !strings.Contains(got, want) {
			t.Errorf("the reporte's PDF lacks %q:\n%s", want, got)
		}
	}
	if !strings.Contains(strings.Join(strings.Fields(got), " "), strings.Join(strings.Fields(area), " ")) {
		t.Errorf("the reporte's PDF lacks the área %q", area)
	}
	renderPNG(t, pdfPath)

	// Back on the analysis, the área shows its reporte, and the propuesta
	// carries its folio.
	step(t, ctx, "propuesta-link",
		chromedp.Navigate(base+"/telefonia"),
		chromedp.Click(`//table//td/a[text()="octubre de 2026"]`),
		chromedp.WaitVisible(`//td//a[.="`+strings.ReplaceAll(reporte, "-", "/")+`"]`),
		chromedp.Click(`//a[text()="Emitir propuesta de reducción"]`),
		chromedp.WaitVisible(field("f.destinatario_nombre")),
	)
	if v := value(t, ctx, "propuesta-reporte", chromedp.Evaluate[string](`document.querySelector('[name="f.reporte"]').value`)); v != strings.ReplaceAll(reporte, "-", "/") {
		t.Errorf("the propuesta's reporte is %q, want %s", v, reporte)
	}
	step(t, ctx, "propuesta-issue",
		chromedp.SendKeys(field("f.destinatario_nombre"), "Dr. Raúl Enrique Cobos Zárate"),
		chromedp.SendKeys(field("f.destinatario_cargo"), "Director"),
		chromedp.Click(chromedp.CSS(`button[value="emitir"]`)),
		chromedp.WaitVisible(`//p[contains(., "Documento archivado con el folio")]`),
	)
	m = regexp.MustCompile(`/documentos/(SESVER-DA-DTI-PR-\d{4}-\d{4})`).FindStringSubmatch(value(t, ctx, "propuesta-location", chromedp.Location()))
	if m == nil {
		t.Fatal("issuing the propuesta did not lead to it")
	}
	propPath := write("propuesta.pdf", fetchBytes(t, ctx, "/documentos/"+m[1]+"/tantos/original"))
	got = strings.Join(strings.Fields(pdfText(t, propPath)), " ")
	for _, want := range []string{"Propuesta para reducir costos de consumo telefónico, octubre de 2026", "Reporte de consumo con folio " + strings.ReplaceAll(reporte, "-", "/"), "octubre de 2026"} {
		if !strings.Contains(got, want) {
			t.Errorf("the propuesta's PDF lacks %q:\n%s", want, got)
		}
	}
	renderPNG(t, propPath)

	// The same bill again: refused, naming the first.
	upload("again", filepath.Join(dir, "siana-octubre-2026.csv"), fixtures.SampleBillPeriod, `//div[@class="alert"]//li[contains(., "ya se importó")]`)
	shot(t, ctx, "telefonia-duplicada")
	if n := value(t, ctx, "imports", chromedp.Evaluate[int](`document.querySelectorAll("h2 + table tbody tr").length`)); n != 7 {
		t.Errorf("%d bills listed, want 7", n)
	}
}

// fetchBytes downloads url with the page's session.
func fetchBytes(t *testing.T, ctx context.Context, url string) []byte {
	t.Helper()
	enc := value(t, ctx, "fetch "+url, chromedp.Evaluate[string](fmt.Sprintf(`fetch(%q).then(r => { if (!r.ok) throw new Error("HTTP " + r.status); return r.arrayBuffer() }).then(b => { let s = ""; const u = new Uint8Array(b); for (let i = 0; i < u.length; i++) s += String.fromCharCode(u[i]); return btoa(s) })`, url), chromedp.EvalAwaitPromise))
	b, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// renderPNG renders a PDF's first page to PNG into $LEGAJO_PNG, to look at.
func renderPNG(t *testing.T, path string) {
	t.Helper()
	dir := os.Getenv("LEGAJO_PNG")
	if dir == "" {
		return
	}
	bin, err := exec.LookPath("pdftoppm")
	if err != nil {
		return
	}
	os.MkdirAll(dir, 0o755)
	out := filepath.Join(dir, strings.TrimSuffix(filepath.Base(path), ".pdf"))
	if b, err := exec.Command(bin, "-r", "60", "-png", path, out).CombinedOutput(); err != nil {
		t.Errorf("pdftoppm: %v: %s", err, b)
	}
}
