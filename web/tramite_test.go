package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sesver/legajo"
)

// TestCaseByForms follows a case through the pages: opened (once, however
// often the form is sent), turned to a colleague with a due date, put on
// hold, moved through its activities and a decision, a document issued
// inside it with its form prefilled, then closed; a consulta user reads it
// and cannot move it.
func TestCaseByForms(t *testing.T) {
	e := newEnv(t)
	c := e.client("capturista")
	code, body := e.get(c, "/tramites/nuevo")
	if code != 200 || strings.Count(body, `<svg class="flujo"`) != 20 || !strings.Contains(body, "Instalación de la Red de Voz y Datos") {
		t.Fatalf("nuevo trámite: %d, %d flowcharts", code, strings.Count(body, `<svg class="flujo"`))
	}
	key := regexp.MustCompile(`name="clave" value="([0-9a-f]+)"`).FindStringSubmatch(body)[1]
	form := url.Values{"clave": {key}, "procedimiento": {"red-voz-datos"}, "area": {"Almacén Central de Xalapa"},
		"solicitante": {"Lic. José Ángel Pérez Núñez, jefe del almacén"}, "asunto": {""}}
	resp, body := e.post(c, "/tramites/nuevo", form)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "El campo «Asunto» es obligatorio.") || !strings.Contains(body, `value="Almacén Central de Xalapa"`) {
		t.Fatalf("without asunto: %d", resp.StatusCode)
	}
	form.Set("asunto", "Ampliación de la red de datos a la bodega 3")
	resp, _ = e.post(c, "/tramites/nuevo", form)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/tramites/TR-0001-2026" {
		t.Fatalf("open: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	resp, _ = e.post(c, "/tramites/nuevo", form) // Back and «Abrir» again
	if resp.Header.Get("Location") != "/tramites/TR-0001-2026" || e.office.Cases.Count() != 1 {
		t.Fatalf("the same form again: %s, %d cases", resp.Header.Get("Location"), e.office.Cases.Count())
	}
	page := "/tramites/TR-0001-2026"
	_, body = e.get(c, page)
	for _, want := range []string{`<svg class="flujo"`, `fl-actual`, "Actividad 1 realizada", "Sección de Redes y Telecomunicaciones", "Ampliación de la red de datos a la bodega 3"} {
		if !strings.Contains(body, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
	act := func(cl *http.Client, f url.Values, wantCode int) string {
		t.Helper()
		resp, body := e.post(cl, page, f)
		if resp.StatusCode != wantCode {
			t.Fatalf("%v: %d, want %d\n%s", f, resp.StatusCode, wantCode, body)
		}
		return body
	}
	act(c, url.Values{"accion": {"turnar"}, "seccion": {"Sección de Redes y Telecomunicaciones"}, "persona": {"capturista2"}, "fecha_limite": {"2030-01-15"}}, http.StatusSeeOther)
	c2 := e.client("capturista2")
	if _, body := e.get(c2, "/bandeja"); !strings.Contains(body, "TR/0001/2026") {
		t.Error("the colleague's bandeja lacks the case turned to them")
	}
	if _, body := e.get(c, "/bandeja"); strings.Contains(body, "TR/0001/2026") {
		t.Error("the bandeja «asignados a mí» of who turned it still shows it")
	}
	act(c2, url.Values{"accion": {"espera"}, "motivo": {"el área envía el croquis de la bodega"}}, http.StatusSeeOther)
	if _, body := e.get(c2, "/bandeja"); !strings.Contains(body, "En espera de otros (1)") {
		t.Error("the case on hold is not under «En espera de otros»")
	}
	if _, body := e.get(c2, "/"); !strings.Contains(body, "Mis trámites") || !strings.Contains(body, "1 asignado(s) a usted") {
		t.Error("the home page does not count the person's cases")
	}
	act(c2, url.Values{"accion": {"paso"}, "paso": {"1"}}, http.StatusSeeOther)
	body = act(c2, url.Values{"accion": {"paso"}, "paso": {"1"}}, http.StatusConflict) // a stale page
	if !strings.Contains(body, "ya no está en la actividad 1 sino en la 2") {
		t.Error("the stale page's refusal does not say where the case is")
	}
	act(c2, url.Values{"accion": {"paso"}, "paso": {"2"}}, http.StatusSeeOther)
	body = act(c2, url.Values{"accion": {"decision"}, "paso": {"3"}}, http.StatusUnprocessableEntity)
	if !strings.Contains(body, "Elija una respuesta a «¿Es viable la instalación de los servicios?»") {
		t.Error("a decision without an answer is not explained")
	}
	act(c2, url.Values{"accion": {"decision"}, "paso": {"3"}, "respuesta": {"No"}}, http.StatusSeeOther)
	_, body = e.get(c2, page)
	link := "/nuevo/justificacion-tecnica?nuevo=1&amp;tramite=TR-0001-2026"
	if !strings.Contains(body, link) || !strings.Contains(body, "3A.") {
		t.Fatalf("step 3A does not offer its document")
	}
	// The document's form comes from the case.
	_, body = e.get(c2, strings.ReplaceAll(link, "&amp;", "&"))
	if !strings.Contains(body, `name="tramite" value="TR/0001/2026"`) || !strings.Contains(body, `value="Almacén Central de Xalapa"`) {
		t.Fatalf("the document form is not prefilled from the case")
	}
	dkey := regexp.MustCompile(`name="clave" value="([0-9a-f]+)"`).FindStringSubmatch(body)[1]
	doc := sampleForm(t, "justificacion-tecnica")
	doc.Set("clave", dkey)
	doc.Set("accion", "emitir")
	doc.Set("tramite", "TR/0001/2026")
	resp, _ = e.post(c2, "/nuevo/justificacion-tecnica", doc)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("issue inside the case: %d", resp.StatusCode)
	}
	folio := folioLink.FindStringSubmatch(resp.Header.Get("Location"))[1]
	_, body = e.get(c2, page)
	if !strings.Contains(body, "/documentos/"+folio) {
		t.Errorf("the case page does not list the document issued in it (%s)", folio)
	}
	act(c2, url.Values{"accion": {"paso"}, "paso": {"3A"}}, http.StatusSeeOther)
	act(c2, url.Values{"accion": {"cerrar"}, "motivo": {"Inviabilidad notificada al área."}}, http.StatusSeeOther)
	_, body = e.get(c2, page)
	if !strings.Contains(body, "cerrado") || strings.Contains(body, `id="form-turnar"`) {
		t.Error("a closed case still offers movements")
	}
	// Consulta reads, never moves.
	cq := e.client("consulta")
	code, body = e.get(cq, page)
	if code != 200 || !strings.Contains(body, `<svg class="flujo"`) || strings.Contains(body, `action="/tramites/TR-0001-2026"`) {
		t.Errorf("consulta: %d, or sees movement forms", code)
	}
	if resp, _ := e.post(cq, page, url.Values{"accion": {"reanudar"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("consulta moved a case: %d", resp.StatusCode)
	}
	// The API tells the same case with its transitions.
	code, body = e.get(c2, "/api/v1/tramites/TR-0001-2026")
	var v struct {
		Status    string             `json:"status"`
		Events    []legajo.CaseEvent `json:"events"`
		Documents []legajo.CaseDoc   `json:"documents"`
	}
	if code != 200 || json.Unmarshal([]byte(body), &v) != nil || v.Status != "cerrado" || len(v.Documents) != 1 {
		t.Fatalf("api: %d %s", code, body)
	}
	var kinds []string
	for _, ev := range v.Events {
		kinds = append(kinds, string(ev.Kind))
	}
	if got := strings.Join(kinds, " "); got != "abierto turnado espera paso paso decision documento paso cerrado" {
		t.Errorf("transitions %s", got)
	}
}

// TestCaseFromReceivedDocument: a registered oficio offers to open a case;
// the new case's form starts with its área, asunto and sender, and the
// documents issued inside the case take their reference from it.
func TestCaseFromReceivedDocument(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	res, err := e.office.Receive(ctx, legajo.ReceiveRequest{Data: map[string]any{
		"tipo": "Oficio", "referencia": "SESVER/JS5/0412/2026", "fecha_documento": "2026-11-20", "fecha_recepcion": "2026-11-24", "hora_recepcion": "09:40",
		"remitente": "Dr. Ramón Ávila Peña", "cargo": "Jefe de la Jurisdicción Sanitaria V", "area": "Jurisdicción Sanitaria V Xalapa",
		"asunto": "Solicitud de instalación de red en el almacén de biológicos"}, Scan: []byte("%PDF-1.4\n% oficio\n%%EOF\n"), ScanName: "oficio.pdf", Author: "capturista"})
	if err != nil {
		t.Fatal(err)
	}
	c := e.client("capturista")
	_, body := e.get(c, "/documentos/"+strings.ReplaceAll(res.Folio, "/", "-"))
	link := "/tramites/nuevo?origen=" + url.QueryEscape(res.Folio)
	if !strings.Contains(body, "Abrir un trámite con este documento") {
		t.Fatal("the received oficio does not offer to open a case")
	}
	_, body = e.get(c, link)
	for _, want := range []string{`value="Jurisdicción Sanitaria V Xalapa"`, `value="Solicitud de instalación de red en el almacén de biológicos"`, `value="Dr. Ramón Ávila Peña"`, `value="` + res.Folio + `"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the new case form lacks %s", want)
		}
	}
	key := regexp.MustCompile(`name="clave" value="([0-9a-f]+)"`).FindStringSubmatch(body)[1]
	resp, _ := e.post(c, "/tramites/nuevo", url.Values{"clave": {key}, "procedimiento": {"red-voz-datos"}, "origen": {res.Folio},
		"area": {"Jurisdicción Sanitaria V Xalapa"}, "asunto": {"Red del almacén de biológicos"}, "solicitante": {"Dr. Ramón Ávila Peña"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("open: %d", resp.StatusCode)
	}
	_, body = e.get(c, "/nuevo/justificacion-tecnica?nuevo=1&tramite=TR-0001-2026")
	if !strings.Contains(body, `value="oficio SESVER/JS5/0412/2026 del 20 de noviembre de 2026"`) {
		t.Error("the document issued in the case does not take the reference of the oficio that opened it")
	}
	// A trámite typed by hand that looks like a case number must exist.
	doc := sampleForm(t, "justificacion-tecnica")
	doc.Set("clave", "k-1")
	doc.Set("accion", "emitir")
	doc.Set("tramite", "TR/0404/2026")
	resp, body = e.post(c, "/nuevo/justificacion-tecnica", doc)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "No existe el trámite TR/0404/2026.") {
		t.Errorf("an unknown case number: %d", resp.StatusCode)
	}
}

// TestCaseDeadlinePassedOnThePage: a failed line's case at activity 4 whose
// 24 h and 48 h have passed offers to go on to activity 5, as the manual
// orders, and shows it red in the bandeja.
func TestCaseDeadlinePassedOnThePage(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	// Opened and moved on the test clock (26 November); looked at now,
	// days later: every plazo of the case has passed.
	c, err := e.office.OpenCase(ctx, legajo.OpenCaseRequest{Procedure: "fallas-lineas", Area: "Jurisdicción Sanitaria V", Subject: "Sin línea en el almacén", Assignee: "capturista", Author: "capturista"})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"1", "2", "3"} {
		if _, err := e.office.Cases.Act(ctx, c.Number, legajo.CaseAction{Kind: legajo.CaseStepDone, Step: s, Author: "capturista"}); err != nil {
			t.Fatal(err)
		}
	}
	e.office.Cases.Now = time.Now // days later, like the server's clock
	cl := e.client("capturista")
	if _, body := e.get(cl, "/bandeja"); !strings.Contains(body, "Vencidos (1)") || !strings.Contains(body, `class="vencido"`) {
		t.Error("the overdue case is not red in the bandeja")
	}
	_, body := e.get(cl, "/tramites/TR-0001-2026")
	if !strings.Contains(body, "Pasar a la actividad 5") || !strings.Contains(body, "Venció un plazo:") {
		t.Fatal("the page does not offer what the manual orders when the plazo passes")
	}
	resp, _ := e.post(cl, "/tramites/TR-0001-2026", url.Values{"accion": {"vencido"}, "paso": {"4"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("vencido: %d", resp.StatusCode)
	}
	_, body = e.get(cl, "/tramites/TR-0001-2026")
	if !strings.Contains(body, "Venció el plazo de la actividad 4") || !strings.Contains(body, "Actividad 5 realizada") {
		t.Error("the case did not move on to activity 5")
	}
}
