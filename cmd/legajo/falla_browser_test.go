package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sesver/legajo/internal/mailtest"
)

// testClock is the server's clock in the end-to-end tests: the real time
// moved ahead by what the test says, so that the 24 and 48 hours of a
// falla pass in seconds. It is handed to the in-process serve as Main.Now;
// production always runs on time.Now.
type testClock struct{ ahead atomic.Int64 }

func (c *testClock) Now() time.Time { return time.Now().Add(time.Duration(c.ahead.Load())) }

func (c *testClock) Advance(d time.Duration) { c.ahead.Add(int64(d)) }

// TestBrowserFalla walks a whole falla de línea in a real browser against
// the real server and the real SMTP server: reported by phone, the case
// opened from the call and turned to a person, activity 4 left without
// attention; 24 hours later the case is red in the bandeja with the
// manual's escalation as the action due, and its aviso arrives by e-mail,
// once; 48 hours after that the temporary line is the action due and the
// case moves to it; the closing report is issued inside the case, the case
// closed, and its trail exported with the events in order.
func TestBrowserFalla(t *testing.T) {
	srv := mailtest.Open(t)
	zone, err := time.LoadLocation("America/Mexico_City")
	if err != nil {
		t.Fatal(err)
	}
	clock := &testClock{}
	env := map[string]string{"LEGAJO_DATA": t.TempDir(), "LEGAJO_SMTP_HOST": srv.Host, "LEGAJO_SMTP_PORT": strconv.Itoa(srv.Port),
		"LEGAJO_SMTP_FROM": "dti@ssaver.gob.mx", "LEGAJO_SMTP_STARTTLS": "false"}
	base, pw := startMain(t, &Main{Now: clock.Now, sweepEvery: 200 * time.Millisecond}, env)
	ctx := browser(t)
	firstLogin(t, ctx, base, pw)
	addr := "redes." + time.Now().Format("150405.000000") + "@ssaver.gob.mx"
	step(t, ctx, "account-mail",
		chromedp.Navigate(base+"/cuenta"),
		chromedp.WaitVisible(field("correo")),
		chromedp.SendKeys(field("correo"), addr),
		chromedp.Click(`//button[text()="Guardar preferencias de correo"]`),
		chromedp.WaitVisible(`//p[text()="Preferencias de correo guardadas."]`),
	)
	pictures := os.Getenv("LEGAJO_SCREENSHOTS")
	picture := func(name string) {
		if pictures == "" {
			return
		}
		png := value(t, ctx, "picture-"+name, chromedp.FullScreenshot(100)) // 100: PNG
		os.MkdirAll(pictures, 0o755)
		os.WriteFile(filepath.Join(pictures, "falla-"+name+".png"), png, 0o644)
	}

	// Reported by phone: the call is received correspondence, and the
	// case opens from it.
	now := clock.Now().In(zone)
	step(t, ctx, "call",
		chromedp.Navigate(base+"/correspondencia/nueva"),
		chromedp.WaitVisible(field("f.tipo")),
		chromedp.SetValue(field("f.tipo"), "Llamada telefónica"),
		chromedp.SetValue(field("f.fecha_recepcion"), now.Format("2006-01-02")),
		chromedp.SetValue(field("f.hora_recepcion"), now.Add(-10*time.Minute).Format("15:04")),
		chromedp.SendKeys(field("f.remitente"), "Ing. Carlos Eduardo Murrieta Vela"),
		chromedp.SendKeys(field("f.area"), "Jurisdicción Sanitaria No. VIII Veracruz"),
		chromedp.SendKeys(field("f.extension"), "112"),
		chromedp.SendKeys(field("f.asunto"), "Sin internet en la Jurisdicción (reporte Telmex 0048391275)"),
		chromedp.SendKeys(field("f.cuerpo"), "Sin servicio desde las 7:50; el proveedor dio el número de reporte 0048391275."),
		chromedp.Click(`//button[text()="Registrar"]`),
		chromedp.WaitVisible(`//p[contains(., "Correspondencia registrada con el folio")]`),
	)
	step(t, ctx, "open-case",
		chromedp.Click(`//a[text()="Abrir un trámite con este documento"]`),
		chromedp.WaitVisible(field("procedimiento")),
		chromedp.SetValue(field("procedimiento"), "fallas-lineas"),
		chromedp.Click(`//button[text()="Abrir el trámite"]`),
		chromedp.WaitVisible(`//h1[starts-with(text(), "Trámite TR/0001/")]`),
	)
	number := value(t, ctx, "number", chromedp.Evaluate[string](`document.querySelector('h1').firstChild.textContent.trim().replace('Trámite ', '')`))
	if !regexp.MustCompile(`^TR/0001/\d{4}$`).MatchString(number) {
		t.Fatalf("case number %q", number)
	}
	caseURL := base + "/tramites/" + strings.ReplaceAll(number, "/", "-")
	if origin := value(t, ctx, "origin", chromedp.Text(`//dt[text()="Documento de origen"]/following-sibling::dd[1]`)); !strings.Contains(origin, "RE/") {
		t.Errorf("the case does not name the call it came from: %q", origin)
	}
	step(t, ctx, "turnar",
		chromedp.SetValue(field("persona"), "admin"),
		chromedp.Click(`//button[text()="Turnar"]`),
		chromedp.WaitVisible(`//td[starts-with(., "Turnado a Sección de Redes y Telecomunicaciones")]`),
	)
	if got := srv.For(t, addr, 1); !strings.HasPrefix(got[0].Subject, "Trámite turnado: "+number) {
		t.Errorf("turno e-mail: %q", got[0].Subject)
	}
	for _, s := range []string{"1", "2", "3"} {
		next, _ := strconv.Atoi(s)
		want := `//button[text()="Actividad ` + strconv.Itoa(next+1) + ` realizada"]`
		if s == "3" {
			want = `//legend[text()="¿Fue solucionado el reporte?"]`
		}
		step(t, ctx, "activity-"+s,
			chromedp.Click(`//button[text()="Actividad `+s+` realizada"]`),
			chromedp.WaitVisible(want),
		)
	}
	picture("1-caso-actividad-4")
	step(t, ctx, "bandeja-on-time",
		chromedp.Navigate(base+"/bandeja"),
		chromedp.WaitVisible(`//h2[@id="vencidos" and text()="Vencidos (0)"]`),
		chromedp.WaitVisible(`//a[text()="`+number+`"]`),
	)
	picture("2-bandeja-a-tiempo")

	// 24 hours without attention: the aviso is filed by the sweep (the
	// session of this morning expired meanwhile).
	clock.Advance(24*time.Hour + time.Minute)
	login(t, ctx, base)
	waitAvisos(t, ctx, caseURL, 1)
	due := value(t, ctx, "accion-24", chromedp.Text(field("accion-debida")))
	if !strings.Contains(due, "vuelve a enviar correo electrónico al proveedor") || !strings.Contains(due, "ejecutivo de cuenta") {
		t.Errorf("action due at 24 h: %q", due)
	}
	picture("3-caso-24h")
	step(t, ctx, "bandeja-24",
		chromedp.Navigate(base+"/bandeja"),
		chromedp.WaitVisible(`//h2[@id="vencidos" and text()="Vencidos (1)"]`),
	)
	row := value(t, ctx, "row-24", chromedp.Evaluate[string](`(() => { const r = document.querySelector('tr.vencido'); return r ? r.textContent + '|' + getComputedStyle(r.querySelector('td')).backgroundColor + '|' + getComputedStyle(r.querySelector('.accion-debida')).color : '' })()`))
	if !strings.Contains(row, number) || !strings.Contains(row, "Acción debida: Sin atención en 24 horas") || !strings.Contains(row, "rgb(253, 236, 234)") || !strings.Contains(row, "rgb(164, 0, 0)") {
		t.Errorf("the overdue row in the bandeja: %q", row)
	}
	picture("4-bandeja-24h")
	msgs := srv.For(t, addr, 2)
	m := srv.Message(t, msgs[0].ID)
	for _, want := range []string{"Plazo vencido, 24 horas (actividad 4): " + number, "ejecutivo de cuenta", "venció el plazo de 24 horas (actividad 4) el ",
		caseURL, "Lo que ordena el manual"} {
		if !strings.Contains(m.Subject+"\n"+m.Text, want) {
			t.Errorf("the 24 h aviso lacks %q:\n%s\n%s", want, m.Subject, m.Text)
		}
	}
	// Sweeps go on every 200 ms: the aviso is not sent again.
	time.Sleep(time.Second)
	srv.For(t, addr, 2)

	// 48 hours after the second e-mail: the temporary line.
	clock.Advance(48 * time.Hour)
	login(t, ctx, base)
	waitAvisos(t, ctx, caseURL, 2)
	due = value(t, ctx, "accion-72", chromedp.Text(field("accion-debida")))
	if !strings.Contains(due, "solicita la instalación temporal de una línea telefónica") {
		t.Errorf("action due at 72 h: %q", due)
	}
	step(t, ctx, "expired-form", chromedp.WaitVisible(`//form[@id="form-vencido"]//button[text()="Pasar a la actividad 5"]`))
	picture("5-caso-72h")
	step(t, ctx, "bandeja-72",
		chromedp.Navigate(base+"/bandeja"),
		chromedp.WaitVisible(`//tr[@class="vencido"]//span[contains(., "Acción debida: Sin solución 48 horas después del segundo correo")]`),
	)
	picture("6-bandeja-72h")
	msgs = srv.For(t, addr, 3)
	if m := srv.Message(t, msgs[0].ID); !strings.Contains(m.Subject, "48 horas después del plazo anterior") || !strings.Contains(m.Text, "línea telefónica o servicio de internet") {
		t.Errorf("the 48 h aviso:\n%s\n%s", m.Subject, m.Text)
	}
	step(t, ctx, "temporary-line",
		chromedp.Navigate(caseURL),
		chromedp.Click(`//button[text()="Pasar a la actividad 5"]`),
		chromedp.WaitVisible(`//button[text()="Actividad 5 realizada"]`),
		chromedp.Click(`//button[text()="Actividad 5 realizada"]`),
		chromedp.WaitVisible(`//button[text()="Actividad 6 realizada"]`),
		chromedp.Click(`//button[text()="Actividad 6 realizada"]`),
		chromedp.WaitVisible(`//button[text()="Terminó la espera"]`),
		chromedp.WaitVisible(`//h1/span[starts-with(text(), "en espera: ")]`),
		chromedp.Click(`//button[text()="Terminó la espera"]`),
		chromedp.WaitVisible(`//h1/span[text()="abierto"]`),
		chromedp.Click(`//button[text()="Actividad 7 realizada"]`),
		chromedp.WaitVisible(`//a[starts-with(text(), "Emitir Reporte de cierre")]`),
	)
	// The closing report, issued inside the case: its form comes with the
	// trámite; the rest is the report's content.
	fixture, err := os.ReadFile(filepath.Join("..", "..", "fixtures", "documents", "reporte-cierre.json"))
	if err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "reporte-cierre",
		chromedp.Click(`//a[starts-with(text(), "Emitir Reporte de cierre")]`),
		chromedp.WaitVisible(field("f.numero_reporte")),
	)
	if got := value(t, ctx, "prefilled", chromedp.Evaluate[string](`document.querySelector('[name="tramite"]').value`)); got != number {
		t.Errorf("the report's trámite is %q, want %s", got, number)
	}
	step(t, ctx, "reporte-fill",
		chromedp.Evaluate[chromedp.Void](`(() => { const d = `+string(fixture)+`;
			for (const [k, v] of Object.entries(d)) {
				const el = document.getElementById('f.' + k);
				if (!el) continue;
				el.value = v;
				el.dispatchEvent(new Event('input', {bubbles: true}));
				el.dispatchEvent(new Event('change', {bubbles: true}));
			}
		})()`),
		chromedp.Click(chromedp.CSS(`button[value="emitir"]`)),
		chromedp.WaitVisible(`//p[contains(., "Documento archivado con el folio")]`),
	)
	step(t, ctx, "close",
		chromedp.Navigate(caseURL),
		chromedp.WaitVisible(`//td[starts-with(text(), "Reporte de cierre de seguimiento")]`),
		chromedp.Click(`//button[text()="Actividad 8 realizada"]`),
		chromedp.WaitVisible(`//h1/span[text()="atendido"]`),
		chromedp.SendKeys(field("obs"), "Servicio restablecido por Telmex; línea temporal cancelada."),
		chromedp.Click(`//button[text()="Cerrar el trámite"]`),
		chromedp.WaitVisible(`//h1/span[text()="cerrado"]`),
	)
	picture("7-caso-cerrado")

	// The trail of the case, in the order things happened.
	raw := value(t, ctx, "trail", chromedp.Evaluate[string](`fetch('/rastro?tramite=`+number+`&formato=json').then(r => r.text())`, chromedp.EvalAwaitPromise))
	var trail struct {
		Events []struct {
			At     time.Time `json:"at"`
			Event  string    `json:"event"`
			Title  string    `json:"title"`
			Type   string    `json:"type"`
			Author string    `json:"author"`
			Reason string    `json:"reason"`
		} `json:"events"`
	}
	if err := json.Unmarshal([]byte(raw), &trail); err != nil {
		t.Fatalf("trail: %v\n%.500s", err, raw)
	}
	var got []string
	for i, ev := range trail.Events {
		if i > 0 && ev.At.Before(trail.Events[i-1].At) {
			t.Errorf("trail event %d (%s) at %s is before the one above it (%s)", i, ev.Title, ev.At, trail.Events[i-1].At)
		}
		if ev.Type == "tramite" {
			got = append(got, strings.TrimPrefix(ev.Title, "Trámite: "))
		} else if ev.Type == "reporte-cierre" && (len(got) == 0 || got[len(got)-1] != "[reporte-cierre]") {
			got = append(got, "["+ev.Type+"]")
		}
	}
	want := []string{"Apertura", "Turno", "Actividad realizada", "Actividad realizada", "Actividad realizada",
		"Aviso de vencimiento", "Aviso de vencimiento", "Plazo vencido", "Actividad realizada", "Actividad realizada",
		"Reanudación", "Actividad realizada", "[reporte-cierre]", "Documento", "Actividad realizada", "Cierre"}
	if strings.Join(got, ", ") != strings.Join(want, ", ") {
		t.Errorf("the case's trail:\n got %s\nwant %s", strings.Join(got, ", "), strings.Join(want, ", "))
	}
	// Nothing more was sent after the two avisos.
	srv.For(t, addr, 3)
}

// login opens a session again once the server's clock moved past the
// last one's end.
func login(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	step(t, ctx, "login",
		chromedp.Navigate(base+"/entrar"),
		chromedp.WaitVisible(field("usuario")),
		chromedp.SendKeys(field("usuario"), "admin"),
		chromedp.SendKeys(field("contrasena"), newAdminPassword),
		chromedp.Submit(field("contrasena")),
		chromedp.WaitVisible(`//h1[text()="Inicio"]`),
	)
}

// waitAvisos reloads the case's page until its history shows n avisos de
// vencimiento (the sweep runs every 200 ms).
func waitAvisos(t *testing.T, ctx context.Context, caseURL string, n int) {
	t.Helper()
	for deadline := time.Now().Add(15 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		step(t, ctx, "avisos", chromedp.Navigate(caseURL), chromedp.WaitVisible(`//h2[text()="Historial"]`))
		got := value(t, ctx, "avisos-count", chromedp.Evaluate[int](`[...document.querySelectorAll('td')].filter(td => td.textContent === 'Aviso de vencimiento').length`))
		if got == n {
			return
		}
		if got > n || time.Now().After(deadline) {
			t.Fatalf("%d avisos de vencimiento in the case's history, want %d", got, n)
		}
	}
}
