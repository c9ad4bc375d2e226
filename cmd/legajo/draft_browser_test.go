package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// fillOficio fills the oficio de liberación's form with a table of five
// modules, two of them in rows added with «Agregar renglón».
func fillOficio(sistema string) []chromedp.Action[chromedp.Void] {
	a := []chromedp.Action[chromedp.Void]{
		chromedp.WaitVisible(field("f.area")),
		chromedp.SendKeys(field("f.area"), "Subdirección de Recursos Humanos"),
		chromedp.SendKeys(field("f.destinatario_nombre"), "Mtro. Luis Alberto Gómez Téllez"),
		chromedp.SendKeys(field("f.destinatario_cargo"), "Subdirector de Recursos Humanos"),
		chromedp.SendKeys(field("f.referencia"), "oficio SESVER/DA/SRH/1187/2026"),
		chromedp.SendKeys(field("f.sistema"), sistema),
		chromedp.SendKeys(field("f.version"), "1.0"),
		chromedp.SendKeys(field("f.plataforma"), "https://sicip.ssaver.gob.mx"),
		chromedp.SendKeys(field("f.pruebas"), "Del 5 al 30 de octubre.\nSin diferencias contra el registro manual."),
		chromedp.SendKeys(field("f.usuarios"), "14"),
		chromedp.SetValue(field("f.fecha_capacitacion"), "2026-11-12"),
	}
	for i, m := range []string{"Catálogo de personal", "Incidencias", "Reportes", "Vacaciones", "Bitácora de cambios"} {
		if i >= 3 {
			a = append(a, chromedp.Click(chromedp.CSS(`button[data-add-row="tabla-modulos"]`)))
		}
		n := itoaTest(i)
		a = append(a, chromedp.SendKeys(chromedp.CSS(`input[name="t.modulos.`+n+`.modulo"]`), m),
			chromedp.SendKeys(chromedp.CSS(`input[name="t.modulos.`+n+`.descripcion"]`), "Módulo "+m))
	}
	return a
}

// back is the browser's Back button. chromedp.NavigateBack waits for a
// load event, which a page restored from the back-forward cache never
// fires.
func back() chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[bool](`history.back(), true`)(ctx, t)
		return chromedp.Void{}, err
	}
}

// waitJS waits until the expression is true. After Back, chromedp's view of
// the DOM may be of the page left (a page restored from the back-forward
// cache sends no new document), so pages reached by Back are read and
// clicked through JavaScript.
func waitJS(expr string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		for {
			ok, err := chromedp.Evaluate[bool](`(function(){ try { return !!(`+expr+`); } catch (e) { return false; } })()`)(ctx, t)
			if err == nil && ok {
				return chromedp.Void{}, nil
			}
			select {
			case <-ctx.Done():
				return chromedp.Void{}, ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
}

// js runs a statement in the page.
func js(stmt string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[bool](`(function(){ `+stmt+`; return true; })()`)(ctx, t)
		return chromedp.Void{}, err
	}
}

// jsClick clicks the element selector matches, as a person would.
func jsClick(selector string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		return js(`document.querySelector('`+selector+`').click()`)(ctx, t)
	}
}

// shot saves a PNG of the page into $LEGAJO_PNG, to look at.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("LEGAJO_PNG")
	if dir == "" {
		return
	}
	png := value(t, ctx, "shot-"+name, chromedp.FullScreenshot(100))
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
}

func itoaTest(i int) string { return string(rune('0' + i)) }

var folioInURL = regexp.MustCompile(`/documentos/(SESVER-DA-DTI-OL-\d{4}-\d{4})`)

// TestBrowserDraftIssuesOnce: the idempotency key belongs to the draft.
// Issue a document with rows added to its table, go Back, and issue again:
// the same folio, with every row, and no second document; a double click
// issues one folio; reloading the page of the issued document issues none.
func TestBrowserDraftIssuesOnce(t *testing.T) {
	ctx := browser(t)
	base, pw := startServer(t, map[string]string{"LEGAJO_DATA": t.TempDir()})
	firstLogin(t, ctx, base, pw)
	step(t, ctx, "fill", append([]chromedp.Action[chromedp.Void]{chromedp.Navigate(base + "/nuevo"),
		chromedp.Click(`//a[text()="Oficio de liberación de sistema"]`)},
		fillOficio("Sistema de Control de Incidencias del Personal (SICIP)")...)...)
	step(t, ctx, "issue",
		chromedp.Click(chromedp.CSS(`button[value="emitir"]`)),
		chromedp.WaitVisible(`//p[contains(., "Documento archivado con el folio")]`),
	)
	shot(t, ctx, "draft-issued")
	first := folioInURL.FindStringSubmatch(value(t, ctx, "location", chromedp.Location()))
	if first == nil {
		t.Fatal("issuing did not lead to the document")
	}
	// The document page shows the table whole, the added rows included.
	if text := value(t, ctx, "document-text", chromedp.Text(chromedp.CSS("main"))); !strings.Contains(text, "Bitácora de cambios") {
		t.Errorf("the document page lacks the rows added to the table:\n%s", text)
	}

	issuedNotice := `!document.getElementById("borrador-emitido").hidden && document.querySelector("[data-folio-link]").textContent === "` +
		strings.ReplaceAll(first[1], "-", "/") + `"`
	step(t, ctx, "back", back(), waitJS(issuedNotice))
	shot(t, ctx, "draft-back")
	if v := value(t, ctx, "restored-row", chromedp.Evaluate[string](`document.querySelector('input[name="t.modulos.4.modulo"]').value`)); v != "Bitácora de cambios" {
		t.Errorf("after Back the added row holds %q", v)
	}
	step(t, ctx, "issue-again",
		jsClick(`button[value="emitir"]`),
		waitJS(`document.body.innerText.includes("no se emitió otro documento")`),
	)
	shot(t, ctx, "draft-again")
	again := folioInURL.FindStringSubmatch(value(t, ctx, "location-again", chromedp.Location()))
	if again == nil || again[1] != first[1] {
		t.Fatalf("Back and «Emitir» again went to %v, want %s", again, first[1])
	}
	// The same with a change made after Back: still no second document.
	step(t, ctx, "back-change",
		back(),
		waitJS(issuedNotice),
		js(`document.getElementById("f.version").value = "1.1"`),
		jsClick(`button[value="emitir"]`),
		waitJS(`location.pathname.startsWith("/documentos/") && document.body.innerText.includes("no se emitió otro documento")`),
	)
	year := first[1][len(first[1])-4:]
	if got := value(t, ctx, "no-second", fetchStatus("/documentos/SESVER-DA-DTI-OL-0002-"+year)); !strings.HasPrefix(got, "404") {
		t.Fatalf("a second document exists after Back and «Emitir»: %s", got)
	}

	// A new draft, issued with a double click: one folio.
	step(t, ctx, "new-draft",
		chromedp.Navigate(base+"/nuevo"),
		chromedp.Click(`//a[text()="Oficio de liberación de sistema"]`),
		chromedp.WaitVisible(field("f.area")),
	)
	if v := value(t, ctx, "fresh-form", chromedp.Value(field("f.sistema"))); v != "" {
		t.Fatalf("a new document's form starts with %q: the issued draft came back", v)
	}
	step(t, ctx, "fill-new", fillOficio("Sistema de Nómina")...)
	shot(t, ctx, "draft-form")
	step(t, ctx, "double-click",
		chromedp.DoubleClick(chromedp.CSS(`button[value="emitir"]`)),
		chromedp.WaitVisible(`//p[contains(., "Documento archivado con el folio")]`),
	)
	second := folioInURL.FindStringSubmatch(value(t, ctx, "location-second", chromedp.Location()))
	if second == nil || !strings.HasPrefix(second[1], "SESVER-DA-DTI-OL-0002-") {
		t.Fatalf("the double click issued %v, want folio 0002", second)
	}
	// Reloading the page of the issued document issues nothing.
	step(t, ctx, "reload",
		chromedp.Reload(),
		chromedp.WaitVisible(`//h1[contains(., "0002")]`),
	)
	time.Sleep(200 * time.Millisecond)
	if got := value(t, ctx, "no-third", fetchStatus("/documentos/SESVER-DA-DTI-OL-0003-"+year)); !strings.HasPrefix(got, "404") {
		t.Errorf("a third document exists after a double click and a reload: %s", got)
	}
}

// TestBrowserMistakesInPlace: a limit is visible while typing and a paste is
// never cut; «Vista previa» of a form with mistakes shows them on the same
// page, with what was typed; a wrong acuse file comes back to the
// document's page with the message beside the field.
func TestBrowserMistakesInPlace(t *testing.T) {
	ctx := browser(t)
	base, pw := startServer(t, map[string]string{"LEGAJO_DATA": t.TempDir()})
	wrong := filepath.Join(t.TempDir(), "acuse.txt")
	os.WriteFile(wrong, []byte("esto no es un escaneo"), 0o644)
	firstLogin(t, ctx, base, pw)
	long := "1.0 liberada el 12 de noviembre"
	step(t, ctx, "type-long",
		chromedp.Navigate(base+"/nuevo"),
		chromedp.Click(`//a[text()="Oficio de liberación de sistema"]`),
		chromedp.WaitVisible(field("f.version")),
		chromedp.SendKeys(field("f.sistema"), "Sistema de Nómina"),
		chromedp.SendKeys(field("f.version"), long),
		chromedp.WaitVisible(`//span[@id="n-version" and contains(., "Sobra 1 carácter: el máximo es 30.")]`),
	)
	if v := value(t, ctx, "not-cut", chromedp.Value(field("f.version"))); v != long {
		t.Errorf("the input holds %q: what was typed was cut", v)
	}
	step(t, ctx, "preview-invalid",
		chromedp.Click(chromedp.CSS(`button[value="vista-previa"]`)),
		chromedp.WaitVisible(`//p[contains(., "Revise los datos")]`),
	)
	shot(t, ctx, "preview-errors")
	text := value(t, ctx, "errors", chromedp.Text(chromedp.CSS("main")))
	for _, want := range []string{"«Versión liberada» es demasiado largo", "El campo «Área solicitante» es obligatorio."} {
		if !strings.Contains(text, want) {
			t.Errorf("the errors shown in place lack %q:\n%s", want, text)
		}
	}
	if v := value(t, ctx, "kept", chromedp.Value(field("f.sistema"))); v != "Sistema de Nómina" {
		t.Errorf("after the errors the form holds %q", v)
	}
	if loc := value(t, ctx, "same-page", chromedp.Location()); !strings.HasSuffix(loc, "/nuevo/oficio-liberacion") {
		t.Errorf("the errors are at %s", loc)
	}

	step(t, ctx, "fix", append([]chromedp.Action[chromedp.Void]{
		chromedp.Navigate(base + "/nuevo"),
		chromedp.Click(`//a[text()="Oficio de liberación de sistema"]`),
	}, fillOficio("Sistema de Nómina")...)...)
	// A correct form's preview opens the PDF in a tab of its own.
	step(t, ctx, "preview", chromedp.Click(chromedp.CSS(`button[value="vista-previa"]`)))
	opened := false
	for start := time.Now(); !opened && time.Since(start) < 20*time.Second; time.Sleep(100 * time.Millisecond) {
		targets, err := chromedp.Targets(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, tg := range targets {
			opened = opened || (tg.Type == "page" && strings.HasPrefix(tg.URL, "blob:"))
		}
	}
	if !opened {
		t.Error("«Vista previa» of a correct form opened no PDF")
	}
	if loc := value(t, ctx, "preview-stays", chromedp.Location()); !strings.HasSuffix(loc, "/nuevo/oficio-liberacion") {
		t.Errorf("after the preview the form's tab is at %s", loc)
	}
	step(t, ctx, "issue",
		chromedp.Click(chromedp.CSS(`button[value="emitir"]`)),
		chromedp.WaitVisible(`//p[contains(., "Documento archivado con el folio")]`),
	)
	step(t, ctx, "wrong-acuse",
		chromedp.SetUploadFiles(field("acuse"), []string{wrong}),
		chromedp.Click(`//button[text()="Registrar acuse"]`),
		chromedp.WaitVisible(`//span[@id="acuse-error" and contains(., "el contenido del archivo no es")]`),
	)
	shot(t, ctx, "acuse-error")
	// The page's script puts the document's address back once it runs,
	// which on a loaded machine may be just after the error shows.
	loc := ""
	for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if loc = value(t, ctx, "acuse-page", chromedp.Location()); !strings.HasSuffix(loc, "/acuse") {
			break
		}
	}
	if !folioInURL.MatchString(loc) || strings.HasSuffix(loc, "/acuse") {
		t.Errorf("after a wrong acuse the address is %s", loc)
	}
	good := filepath.Join(t.TempDir(), "acuse.pdf")
	os.WriteFile(good, []byte("%PDF-1.4\n% acuse firmado y sellado\n%%EOF\n"), 0o644)
	step(t, ctx, "right-acuse-and-anexo",
		chromedp.SetUploadFiles(field("acuse"), []string{good}),
		chromedp.Click(`//button[text()="Registrar acuse"]`),
		chromedp.WaitVisible(`//h1/span[text()="acuse recibido"]`),
		chromedp.SendKeys(field("desc"), "Manual del usuario del Sistema de Nómina"),
		chromedp.SetUploadFiles(field("anexo"), []string{good}),
		chromedp.Click(`//button[text()="Anexar"]`),
		chromedp.WaitVisible(`//td[text()="Manual del usuario del Sistema de Nómina"]`),
	)
	shot(t, ctx, "document-history")
	step(t, ctx, "receive-without-scan",
		chromedp.Navigate(base+"/correspondencia/nueva"),
		chromedp.WaitVisible(field("f.remitente")),
		chromedp.SendKeys(field("f.remitente"), "Lic. Ana María Rojas Pérez"),
		chromedp.Click(`//button[text()="Registrar"]`),
		chromedp.WaitVisible(`//span[@class="error" and contains(., "Elija un archivo")]`),
	)
	shot(t, ctx, "receive-errors")
	step(t, ctx, "expediente",
		chromedp.Navigate(base+"/expedientes/dti"),
		chromedp.WaitVisible(`//h2[text()="Orden cronológico"]`),
	)
	shot(t, ctx, "expediente")
	step(t, ctx, "audit",
		chromedp.Navigate(base+"/auditoria?accion=emitir"),
		chromedp.WaitVisible(`//h2[text()="Bitácora de actividad"]`),
	)
	shot(t, ctx, "audit")
}
