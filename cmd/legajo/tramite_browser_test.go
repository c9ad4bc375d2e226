package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserCaseFlowchart: in a real browser, a case is opened from
// «Nuevo trámite» and its page draws the procedure's flowchart from the
// definition: a box per activity and a diamond per question, the current
// activity marked; once the first activity is done it is marked done with
// who and when, and the next one is current.
func TestBrowserCaseFlowchart(t *testing.T) {
	ctx := browser(t)
	base, pw := startServer(t, map[string]string{"LEGAJO_DATA": t.TempDir()})
	firstLogin(t, ctx, base, pw)
	step(t, ctx, "new-case",
		chromedp.Navigate(base+"/tramites/nuevo"),
		chromedp.WaitVisible(field("procedimiento")),
		chromedp.SetValue(field("procedimiento"), "fallas-lineas"),
		chromedp.SendKeys(field("area"), "Jurisdicción Sanitaria V Xalapa"),
		chromedp.SendKeys(field("solicitante"), "Dra. Ángela Núñez Ortiz"),
		chromedp.SendKeys(field("asunto"), "Sin internet en la jurisdicción (reporte Telmex 0044521)"),
		chromedp.Click(`//button[text()="Abrir el trámite"]`),
		chromedp.WaitVisible(`//h1[starts-with(text(), "Trámite TR/0001/")]`),
	)
	count := func(name, sel string) int {
		return value(t, ctx, name, chromedp.Evaluate[int](`document.querySelectorAll('`+sel+`').length`))
	}
	if n := count("boxes", "svg.flujo g.fl-box"); n != 9 {
		t.Errorf("%d activity boxes, want the 9 of the procedure", n)
	}
	if n := count("diamonds", "svg.flujo g.fl-dia"); n != 1 {
		t.Errorf("%d diamonds, want 1 (¿Fue solucionado el reporte?)", n)
	}
	if got := value(t, ctx, "current", chromedp.Evaluate[string](`document.querySelector('svg.flujo g.fl-actual').id`)); got != "paso-1" {
		t.Errorf("current activity drawn: %q, want paso-1", got)
	}
	// The chart is really drawn: it has a size on the page.
	if w := value(t, ctx, "width", chromedp.Evaluate[float64](`document.querySelector('svg.flujo').getBoundingClientRect().width`)); w < 500 {
		t.Errorf("flowchart width %v px", w)
	}
	step(t, ctx, "step-1",
		chromedp.Click(`//button[text()="Actividad 1 realizada"]`),
		chromedp.WaitVisible(`//button[text()="Actividad 2 realizada"]`),
	)
	done := value(t, ctx, "done", chromedp.Evaluate[string](`document.querySelector('#paso-1').getAttribute('class') + '|' + document.querySelector('#paso-1 .fl-who').textContent + '|' + document.querySelector('svg.flujo g.fl-actual').id`))
	parts := strings.Split(done, "|")
	if len(parts) != 3 || !strings.Contains(parts[0], "fl-hecho") || !strings.Contains(parts[1], "admin") || parts[2] != "paso-2" {
		t.Errorf("after activity 1: %q", done)
	}
	step(t, ctx, "bandeja",
		chromedp.Navigate(base+"/bandeja?ver=todos"),
		chromedp.WaitVisible(`//a[starts-with(text(), "TR/0001/")]`),
	)
}
