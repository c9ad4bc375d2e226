package web

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sesver/legajo"
)

// telephonyEnv is newEnv with the telephony on, its layouts read from the
// saved settings.
func telephonyEnv(t *testing.T) *env {
	e := newEnv(t)
	e.srv.Telephony = &legajo.Telephony{Office: e.srv.Office, Layouts: func() []legajo.BillLayout {
		st, _ := e.srv.Settings.Settings(context.Background())
		return st.BillLayouts
	}}
	return e
}

// An administrator maps another carrier's columns; a clerk imports a bill
// in that layout; a bad bill is refused with its row and column and
// nothing imported; the analysis prefills the reporte de consumo.
func TestTelephonyPages(t *testing.T) {
	e := telephonyEnv(t)
	admin, clerk := e.client("admin"), e.client("capturista")
	layout := url.Values{"nombre": {"Otro proveedor"}, "proveedor": {"Otro Telecom, S.A. de C.V."}, "c.cuenta": {"CUENTA"},
		"c.linea": {"NUM_TEL"}, "c.area": {"UNIDAD"}, "c.renta": {"RENTA"}, "c.local": {"LOCAL"}, "c.larga_distancia": {"LD"}}
	resp, body := e.post(admin, "/telefonia/formato", layout)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(html.UnescapeString(body), "Indique el encabezado de la columna «Celular»: es obligatoria.") {
		t.Fatalf("layout without Celular: %d", resp.StatusCode)
	}
	layout.Set("c.celular", "CEL")
	if resp, _ := e.post(clerk, "/telefonia/formato", layout); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a clerk saved a layout: %d", resp.StatusCode)
	}
	resp, _ = e.post(admin, "/telefonia/formato", layout)
	code, body := e.follow(admin, resp)
	if code != http.StatusOK || !strings.Contains(body, "Formato de factura guardado") {
		t.Fatalf("saving the layout: %d", code)
	}

	bad := "CUENTA;NUM_TEL;UNIDAD;RENTA;LOCAL;LD;CEL\n77;2711234567;Jurisdicción Sanitaria No. VI Córdoba;389;0;0;100\n77;2711234568;Jurisdicción Sanitaria No. VI Córdoba;389;0;doce;100\n"
	resp, body = e.postFiles(clerk, "/telefonia/facturas", map[string][2]string{"factura": {"otro.csv", bad}},
		map[string]string{"periodo": "2026-10", "formato": "Otro proveedor"})
	body = html.UnescapeString(body)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Fila 3, columna «LD»: «doce» no es un importe") ||
		!strings.Contains(body, "Todavía no se ha importado ninguna factura.") {
		t.Fatalf("bad bill: %d\n%s", resp.StatusCode, body)
	}
	good := strings.Replace(bad, ";doce;", ";12.50;", 1)
	resp, _ = e.postFiles(clerk, "/telefonia/facturas", map[string][2]string{"factura": {"otro.csv", good}},
		map[string]string{"periodo": "2026-10", "formato": "Otro proveedor"})
	code, body = e.follow(clerk, resp)
	body = html.UnescapeString(body)
	if code != http.StatusOK || !strings.Contains(body, "La factura se importó") || !strings.Contains(body, "Otro Telecom, S.A. de C.V.") ||
		!strings.Contains(body, "Jurisdicción Sanitaria No. VI Córdoba") {
		t.Fatalf("good bill: %d\n%s", code, body)
	}
	// No history: the line over its package is flagged by its plan alone.
	if !strings.Contains(body, "excede su plan en $112.50") || !strings.Contains(body, "Emitir reporte de consumo") {
		t.Errorf("analysis page lacks the line over its package")
	}
	var form string
	ims, err := e.srv.Telephony.Imports(context.Background())
	if err != nil || len(ims) != 1 {
		t.Fatalf("%v, %v", ims, err)
	}
	code, form = e.get(clerk, "/nuevo/reporte-consumo?"+url.Values{"factura": {slug(ims[0].Folio)}, "area": {"Jurisdicción Sanitaria No. VI Córdoba"}, "nuevo": {"1"}}.Encode())
	form = html.UnescapeString(form)
	for _, want := range []string{`value="271 123 4568"`, `value="octubre de 2026"`, `value="Otro Telecom, S.A. de C.V."`, `value="77"`, `value="112.50"`} {
		if code != http.StatusOK || !strings.Contains(form, want) {
			t.Errorf("the reporte's form lacks %s (%d)", want, code)
		}
	}
	// An área the bill does not have, or a folio that is no bill: an
	// empty form, not an error.
	code, form = e.get(clerk, "/nuevo/reporte-consumo?factura=SESVER-DA-DTI-OL-0001-2026&area=X")
	if code != http.StatusOK || strings.Contains(form, `value="octubre de 2026"`) {
		t.Errorf("prefill from no bill: %d", code)
	}
	if code, _ := e.get(clerk, "/telefonia/facturas/SESVER-DA-DTI-FT-0099-2026"); code != http.StatusNotFound {
		t.Errorf("a bill never imported: %d", code)
	}
}

// follow is what the browser does with a 303: it asks for the page.
func (e *env) follow(c *http.Client, resp *http.Response) (int, string) {
	e.t.Helper()
	if resp.StatusCode != http.StatusSeeOther {
		return resp.StatusCode, ""
	}
	return e.get(c, resp.Header.Get("Location"))
}
