package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserRuleBesideField: in a real browser, a minuta that ends before
// it starts comes back with the Spanish message beside «Hora de término»
// and the times as typed; the lista de asistencia asks nothing for the
// handwritten «Firma».
func TestBrowserRuleBesideField(t *testing.T) {
	ctx := browser(t)
	base, pw := startServer(t, map[string]string{"LEGAJO_DATA": t.TempDir()})
	firstLogin(t, ctx, base, pw)
	step(t, ctx, "fill",
		chromedp.Navigate(base+"/nuevo/minuta"),
		chromedp.WaitVisible(field("f.hora_inicio")),
		chromedp.SendKeys(field("f.area"), "Laboratorio Estatal de Salud Pública"),
		chromedp.SetValue(field("f.fecha_reunion"), "2026-11-20"),
		chromedp.SetValue(field("f.hora_inicio"), "10:00"),
		chromedp.SetValue(field("f.hora_termino"), "09:30"),
		chromedp.Click(chromedp.CSS(`button[value="vista-previa"]`)),
		chromedp.WaitVisible(`//div[contains(@class, "invalid")][.//input[@id="f.hora_termino"]]/span[@class="error" and contains(., "«Hora de término» (09:30) debe ser posterior a «Hora de inicio» (10:00).")]`),
	)
	shot(t, ctx, "rule-beside-field")
	for id, want := range map[string]string{"f.hora_inicio": "10:00", "f.hora_termino": "09:30", "f.area": "Laboratorio Estatal de Salud Pública", "f.fecha_reunion": "2026-11-20"} {
		if v := value(t, ctx, "kept-"+id, chromedp.Value(field(id))); v != want {
			t.Errorf("after the errors %s holds %q, want %q", id, v, want)
		}
	}
	inputs := value(t, ctx, "firma", chromedp.Evaluate[int](`document.querySelectorAll('[name$=".firma"]').length`))
	header := value(t, ctx, "firma-header", chromedp.Text(chromedp.CSS(`#tabla-asistentes thead`)))
	if inputs != 0 || strings.Contains(header, "Firma") {
		t.Errorf("the form asks for the handwritten Firma: %d inputs, header %q", inputs, header)
	}
}
