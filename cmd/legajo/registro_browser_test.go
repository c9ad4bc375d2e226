package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserRegistros: in a real browser, a clerk imports the padrón de
// correo from a CSV (one with a bad row first: nothing imported, every
// problem by row and column), finds an account without typing its accents,
// records on it the branch a new solicitud took and its baja, and both
// show in its history; an access registered by hand starts the informe de
// baja de accesos of its person; the registry exports to XLSX and PDF.
// LEGAJO_SCREENSHOTS=dir keeps a picture of every step.
func TestBrowserRegistros(t *testing.T) {
	ctx := browser(t)
	base, pw := startServer(t, map[string]string{"LEGAJO_DATA": t.TempDir()})
	dir := t.TempDir()
	bad := filepath.Join(dir, "padron-con-errores.csv")
	os.WriteFile(bad, []byte("Cuenta de correo;Nombre del usuario;Área de adscripción;Fecha de creación\n"+
		"rosa.chazaro@ssaver.gob.mx;Rosa Elena Cházaro Ortega;Subdirección de Recursos Materiales;2019-03-04\n"+
		"luis.perez@ssaver;Luis Pérez Núñez;Informática;2020-01-01\n"+
		"ana.ruiz@ssaver.gob.mx;Ana Ruiz;Informática;04/05/2021\n"), 0o644)
	good := filepath.Join(dir, "padron.csv")
	os.WriteFile(good, []byte("Cuenta de correo;Nombre del usuario;Área de adscripción;Fecha de creación\n"+
		"rosa.chazaro@ssaver.gob.mx;Rosa Elena Cházaro Ortega;Subdirección de Recursos Materiales;2019-03-04\n"+
		"luis.perez@ssaver.gob.mx;Luis Pérez Núñez;Informática;2020-01-01\n"), 0o644)

	firstLogin(t, ctx, base, pw)
	step(t, ctx, "registros",
		chromedp.Navigate(base+"/registros"),
		chromedp.WaitVisible(`//a[text()="Padrón de cuentas de correo electrónico"]`),
		chromedp.WaitVisible(`//a[text()="Bitácora de respaldos de bases de datos"]`),
		chromedp.WaitVisible(`//a[text()="Componentes informáticos reutilizables"]`),
	)
	step(t, ctx, "import-bad",
		chromedp.Click(`//a[text()="Padrón de cuentas de correo electrónico"]`),
		chromedp.WaitVisible(field("archivo")),
		chromedp.SetUploadFiles(field("archivo"), []string{bad}),
		chromedp.Click(`//button[text()="Importar"]`),
		chromedp.WaitVisible(`//div[@class="alert"]`),
	)
	alert := value(t, ctx, "import-bad-text", chromedp.Text(chromedp.CSS("div.alert")))
	for _, want := range []string{"Fila 3: «Cuenta de correo» no es una dirección de correo válida (se recibió «luis.perez@ssaver»)",
		"Fila 4: «Fecha de creación» debe ser una fecha AAAA-MM-DD (se recibió «04/05/2021»)"} {
		if !strings.Contains(alert, want) {
			t.Errorf("import problems lack %q:\n%s", want, alert)
		}
	}
	if txt := value(t, ctx, "import-bad-empty", chromedp.Text(chromedp.CSS("main"))); !strings.Contains(txt, "El registro está vacío") {
		t.Errorf("a refused import left rows:\n%s", txt)
	}
	step(t, ctx, "import-good",
		chromedp.SetUploadFiles(field("archivo"), []string{good}),
		// What the progress bar says is kept across the page change.
		js(`new MutationObserver(function(){ var b = document.querySelector(".upload-progress"); var p = JSON.parse(sessionStorage.getItem("progreso") || "[]"); p.push((b.querySelector("progress").hasAttribute("value") ? b.querySelector("progress").value : "…") + " " + b.querySelector(".upload-text").textContent); sessionStorage.setItem("progreso", JSON.stringify(p)) }).observe(document.querySelector(".upload-progress"), {childList: true, characterData: true, subtree: true, attributes: true})`),
		chromedp.Click(`//button[text()="Importar"]`),
		chromedp.WaitVisible(`//p[text()="Se importaron 2 renglones."]`),
		chromedp.WaitVisible(`//table[@id="renglones"]//td[text()="luis.perez@ssaver.gob.mx"]`),
	)
	progress := value(t, ctx, "progress", chromedp.Evaluate[string](`sessionStorage.getItem("progreso") || ""`))
	if !strings.Contains(progress, "Enviando el archivo") || !strings.Contains(progress, "… Revisando cada fila e importando…") || !strings.Contains(progress, "100 Archivo importado.") {
		t.Errorf("the import's progress bar did not go through sending, checking and done: %s", progress)
	}
	step(t, ctx, "search",
		chromedp.SetValue(field("q"), "chazaro"),
		chromedp.Click(`//button[text()="Buscar"]`),
		chromedp.WaitVisible(`//p[starts-with(text(), "1 renglón")]`),
		chromedp.WaitVisible(`//td[text()="Rosa Elena Cházaro Ortega"]`),
	)
	step(t, ctx, "row",
		chromedp.Click(`//a[text()="Historial"]`),
		chromedp.WaitVisible(`//h1[text()="rosa.chazaro@ssaver.gob.mx"]`),
		chromedp.WaitVisible(`//table[@id="historial"]//td[text()="Importación"]`),
	)
	// A new solicitud found the account: the user had no password (2C).
	step(t, ctx, "rama",
		chromedp.Click(`//summary[text()="Anotación"]`),
		chromedp.SetValue(field("rama"), "2A/2C"),
		chromedp.Click(`//button[text()="Registrar anotación"]`),
		chromedp.WaitVisible(`//h2[text()="Historial"]`),
	)
	step(t, ctx, "rama-shown",
		chromedp.WaitVisible(`//td[contains(., "Rama del procedimiento 6: 2A/2C")]`),
		chromedp.WaitVisible(`//td[contains(., "2A y 2C · Existía y el usuario no tiene la contraseña")]`),
	)
	step(t, ctx, "baja",
		chromedp.Click(`//summary[text()="Baja"]`),
		chromedp.SetValue(field("b-fecha"), "2026-11-30"),
		chromedp.SendKeys(field("nota-baja"), "Renuncia, oficio SRH/0913/2026"),
		chromedp.Click(`//button[text()="Registrar baja"]`),
		chromedp.WaitVisible(`//span[text()="Baja"]`),
		chromedp.WaitVisible(`//td[text()="Renuncia, oficio SRH/0913/2026"]`),
	)
	if got := value(t, ctx, "export-xlsx", fetchStatus("/registros/padron-correo/exportar?formato=xlsx")); got != "200 application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" {
		t.Errorf("XLSX export: %s", got)
	}
	if got := value(t, ctx, "export-pdf", fetchStatus("/registros/padron-correo/exportar?formato=pdf&q=chazaro")); got != "200 application/pdf" {
		t.Errorf("PDF export: %s", got)
	}
	// An access registered by hand, then the informe de baja starts with
	// it.
	step(t, ctx, "acceso",
		chromedp.Navigate(base+"/registros/accesos"),
		chromedp.WaitVisible(field("c-persona")),
		chromedp.SendKeys(field("c-persona"), "Ricardo Hernández Montiel"),
		chromedp.SendKeys(field("c-area"), "Departamento de Adquisiciones"),
		chromedp.SendKeys(field("c-sistema"), "Sistema de Control de Adquisiciones (SICOA)"),
		chromedp.SendKeys(field("c-cuenta"), "rhernandez"),
		chromedp.SendKeys(field("c-tipo_acceso"), "Capturista de requisiciones"),
		chromedp.Click(`//button[text()="Dar de alta"]`),
		chromedp.WaitVisible(`//a[starts-with(text(), "Emitir el informe de baja de accesos")]`),
		chromedp.Click(`//a[starts-with(text(), "Emitir el informe de baja de accesos")]`),
		chromedp.WaitVisible(field("f.empleado_nombre")),
	)
	got := value(t, ctx, "informe-prefill", chromedp.Evaluate[string](`document.getElementById("f.empleado_nombre").value + "|" + document.querySelector('input[name="t.accesos.0.sistema"]').value + "|" + document.querySelector('input[name="t.accesos.0.cuenta"]').value`))
	if got != "Ricardo Hernández Montiel|Sistema de Control de Adquisiciones (SICOA)|rhernandez" {
		t.Errorf("informe de baja prefilled with %q", got)
	}
	// A clerk's alta with a bad value is shown again with the problem.
	step(t, ctx, "alta-bad",
		chromedp.Navigate(base+"/registros/padron-correo"),
		chromedp.WaitVisible(field("c-cuenta")),
		chromedp.SetValue(field("c-cuenta"), "prueba@ssaver"), // the browser takes it; the server wants a domain with a dot
		chromedp.SendKeys(field("c-usuario_nombre"), "Prueba Ñandú"),
		chromedp.Click(`//button[text()="Dar de alta"]`),
		chromedp.WaitVisible(`//div[@class="alert"]//li[contains(., "«Cuenta de correo» no es una dirección de correo válida")]`),
	)
	if v := value(t, ctx, "alta-kept", chromedp.Evaluate[string](`document.getElementById("c-usuario_nombre").value`)); v != "Prueba Ñandú" {
		t.Errorf("what was typed is lost: %q", v)
	}
}
