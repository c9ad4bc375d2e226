package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sesver/legajo/internal/mailtest"
)

// intakeServer starts the real server on fresh data wired to the real
// SMTP server by LEGAJO_SMTP_*, with a respaldo, a servicio a equipo and a
// minuta issued, and logs the browser in: folios by type, the base URL.
func intakeServer(t *testing.T, srv *mailtest.Server) (context.Context, map[string]string, string) {
	t.Helper()
	data := t.TempDir()
	env := map[string]string{"LEGAJO_DATA": data, "LEGAJO_SMTP_HOST": srv.Host, "LEGAJO_SMTP_PORT": strconv.Itoa(srv.Port),
		"LEGAJO_SMTP_FROM": "dti@ssaver.gob.mx", "LEGAJO_SMTP_STARTTLS": "false", "LEGAJO_SMTP_USER": "dti", "LEGAJO_SMTP_PASSWORD": "clave-smtp-de-prueba"}
	folios := map[string]string{}
	for _, typ := range []string{"respaldo-bd", "servicio-equipo", "minuta"} {
		code, out, errs := run(t, env, "emit", "--type", typ, "--data", filepath.Join("..", "..", "fixtures", "documents", typ+".json"), "--author", "admin")
		f := regexp.MustCompile(`SESVER/DA/DTI/[A-Z]+/\d{4}/\d{4}`).FindString(out)
		if code != 0 || f == "" {
			t.Fatalf("emit %s: %d %s %s", typ, code, out, errs)
		}
		folios[typ] = strings.ReplaceAll(f, "/", "-")
	}
	base, pw := startServer(t, env)
	// The browser's time starts now, not with the emissions.
	ctx := browser(t)
	firstLogin(t, ctx, base, pw)
	return ctx, folios, base
}

// TestBrowserIntake walks the pages of requests without paper in a real
// browser against the real server: the e-mail preferences of «Mi cuenta»,
// a phone call and an .eml registered as received correspondence.
func TestBrowserIntake(t *testing.T) {
	srv := mailtest.Open(t)
	ctx, _, base := intakeServer(t, srv)
	dir := t.TempDir()
	eml, err := os.ReadFile(filepath.Join("..", "..", "testdata", "eml", "respaldo-multipart.eml"))
	if err != nil {
		t.Fatal(err)
	}
	emlPath := filepath.Join(dir, "respaldo.eml")
	os.WriteFile(emlPath, eml, 0o644)

	step(t, ctx, "account-mail",
		chromedp.Navigate(base+"/cuenta"),
		chromedp.WaitVisible(`//h2[text()="Correo electrónico"]`),
		chromedp.SendKeys(field("correo"), "admin.dti@ssaver.gob.mx"),
		chromedp.Click(`//input[@value="resumen"]`),
		chromedp.Click(`//button[text()="Guardar preferencias de correo"]`),
		chromedp.WaitVisible(`//p[text()="Preferencias de correo guardadas."]`),
		chromedp.ScrollIntoView(field("titulo-correo")),
	)
	shot(t, ctx, "cuenta-correo")

	step(t, ctx, "call",
		chromedp.Navigate(base+"/correspondencia/nueva"),
		chromedp.WaitVisible(field("f.tipo")),
		chromedp.SetValue(field("f.tipo"), "Llamada telefónica"),
		chromedp.SetValue(field("f.fecha_recepcion"), "2026-11-26"),
		chromedp.SetValue(field("f.hora_recepcion"), "10:15"),
		chromedp.SendKeys(field("f.remitente"), "Lic. Sofía Ávila Núñez"),
		chromedp.SendKeys(field("f.area"), "Jurisdicción Sanitaria V"),
		chromedp.SendKeys(field("f.extension"), "3021"),
		chromedp.SendKeys(field("f.asunto"), "Falla del enlace de Internet en la Jurisdicción"),
		chromedp.SendKeys(field("f.cuerpo"), "Sin servicio desde las 9:00; pide que se reporte al proveedor."),
	)
	shot(t, ctx, "llamada-formulario")
	step(t, ctx, "call-registered",
		chromedp.Click(`//button[text()="Registrar"]`),
		chromedp.WaitVisible(`//p[contains(., "Correspondencia registrada con el folio")]`),
		chromedp.WaitVisible(`//p[contains(., "Sin archivo: la solicitud llegó sin papel")]`),
	)
	shot(t, ctx, "llamada-registrada")

	step(t, ctx, "email",
		chromedp.Navigate(base+"/correspondencia/nueva"),
		chromedp.WaitVisible(field("correo")),
		chromedp.SendKeys(field("f.area"), "Jurisdicción Sanitaria V"),
		chromedp.SetUploadFiles(field("correo"), []string{emlPath}),
		chromedp.Click(`//button[text()="Registrar"]`),
		chromedp.WaitVisible(`//p[contains(., "Correspondencia registrada con el folio")]`),
		chromedp.WaitVisible(`//a[text()="Correo original (.eml)"]`),
		chromedp.WaitVisible(`//dd[contains(., "María Peña Ibáñez")]`),
	)
	shot(t, ctx, "correo-registrado")

}

// TestBrowserFirmaStagesMail: the signed exemplar of a respaldo, the
// stages of a servicio a equipo and a minuta sent «vía correo».
func TestBrowserFirmaStagesMail(t *testing.T) {
	srv := mailtest.Open(t)
	ctx, folios, base := intakeServer(t, srv)
	scan := filepath.Join(t.TempDir(), "firmado.pdf")
	os.WriteFile(scan, []byte("%PDF-1.4\n% respaldo firmado de conformidad\n%%EOF\n"), 0o644)

	step(t, ctx, "firma",
		chromedp.Navigate(base+"/documentos/"+folios["respaldo-bd"]),
		chromedp.WaitVisible(`//h1/span[text()="pendiente de firma"]`),
		chromedp.WaitVisible(`//h2[text()="Registrar firma"]`),
	)
	shot(t, ctx, "respaldo-pendiente-de-firma")
	step(t, ctx, "firma-registered",
		chromedp.SetUploadFiles(field("firma"), []string{scan}),
		chromedp.Click(`//button[text()="Registrar firma"]`),
		chromedp.WaitVisible(`//h1/span[text()="firmado de conformidad"]`),
	)
	shot(t, ctx, "respaldo-firmado")

	step(t, ctx, "stages",
		chromedp.Navigate(base+"/documentos/"+folios["servicio-equipo"]),
		chromedp.WaitVisible(`//h2[text()="Seguimiento del equipo"]`),
		chromedp.Click(`//button[text()="Registrar etapa"]`),
		chromedp.WaitVisible(`//td[text()="recibido"]`),
		chromedp.SetValue(field("etapa"), "en espera de refacciones"),
		chromedp.Click(`//button[text()="Registrar etapa"]`),
		chromedp.WaitVisible(`//td[text()="en espera de refacciones"]`),
	)
	shot(t, ctx, "equipo-etapas")

	to := "asistente." + time.Now().Format("150405.000000") + "@ssaver.gob.mx"
	step(t, ctx, "minuta",
		chromedp.Navigate(base+"/documentos/"+folios["minuta"]),
		chromedp.WaitVisible(`//h2[text()="Enviar por correo"]`),
		chromedp.SendKeys(field("destinatarios"), to),
		chromedp.Click(`//button[text()="Enviar por correo"]`),
		chromedp.WaitVisible(`//strong[text()="Minuta enviada por correo a 1 destinatario(s)"]`),
	)
	shot(t, ctx, "minuta-enviada")
	m := srv.Message(t, srv.For(t, to, 1)[0].ID)
	if len(m.Attachments) != 1 || !bytes.HasPrefix(srv.Part(t, m.ID, m.Attachments[0].PartID), []byte("%PDF")) {
		t.Errorf("the minuta arrived without its PDF: %+v", m)
	}
}
