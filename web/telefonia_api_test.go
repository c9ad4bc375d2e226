package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/fixtures"
)

// token has the administrator create a service account of role and
// returns its API token.
func (e *env) token(login, role string) string {
	e.t.Helper()
	admin := e.client("admin")
	resp, err := admin.PostForm(e.ts.URL+"/admin/usuarios", url.Values{"usuario": {login}, "nombre": {"Servicio " + login},
		"rol": {role}, "servicio": {"1"}, "accion": {"crear"}})
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	resp, err = admin.PostForm(e.ts.URL+"/admin/usuarios", url.Values{"usuario": {login}, "accion": {"token"}})
	if err != nil {
		e.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`<code>(` + regexp.QuoteMeta(login) + `\.[0-9a-f]+)</code>`).FindSubmatch(b)
	if m == nil {
		e.t.Fatalf("no token shown for %s", login)
	}
	return string(m[1])
}

// apiCall sends a request with a bearer token and decodes the JSON answer
// into out (when not nil).
func (e *env) apiCall(token, method, path, ctype string, body []byte, out any) (int, string) {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.ts.URL+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s %s: %v\n%s", method, path, err, b)
		}
	}
	return resp.StatusCode, string(b)
}

// problemOf finds the problem of field in an API error.
func problemOf(body, field string) string {
	var e apiError
	json.Unmarshal([]byte(body), &e)
	for _, p := range e.Problems {
		if p.Field == field {
			return p.Message
		}
	}
	return ""
}

// TestTelephonyAPI: the bill imported through the API with a service
// token (a bad bill refused whole with its row and column, a second import
// refused naming the first), the month's analysis, the register of lines,
// and who may do what.
func TestTelephonyAPI(t *testing.T) {
	e := telephonyEnv(t)
	clerk, reader := e.token("siaf", "capturista"), e.token("tablero", "consulta")
	const csv = "text/csv"

	// A reader may not import, nor read the analysis.
	if code, _ := e.apiCall(reader, "POST", "/api/v1/telefonia/facturas?periodo=2026-10", csv, fixtures.SampleBill(), nil); code != http.StatusForbidden {
		t.Errorf("a reader imported a bill: %d", code)
	}
	if code, _ := e.apiCall(reader, "GET", "/api/v1/telefonia/analisis?mes=2026-10", "", nil, nil); code != http.StatusForbidden {
		t.Errorf("a reader read the analysis: %d", code)
	}

	// Bad bills, bad months, nothing sent: 422 naming the field, nothing filed.
	header := "Cuenta maestra,Factura,Teléfono,Centro de costos,Ubicación,Paquete,Renta mensual,Servicio medido local,Larga distancia,Llamadas a celular,Servicios adicionales,Total\n"
	bad := header + "2281004573,F1,2288123456,Jurisdicción Sanitaria No. V Xalapa,Oficina,Plan 1,389,0,0,10,0,399\n" +
		"2281004573,F1,2288123457,Jurisdicción Sanitaria No. V Xalapa,Oficina,Plan 1,389,0,doce,10,0,399\n"
	for _, c := range []struct {
		name, query string
		body        []byte
		field, want string
	}{
		{"a bad row", "?periodo=2026-10", []byte(bad), "factura", "Fila 3, columna «Larga distancia»: «doce» no es un importe"},
		{"no month", "", fixtures.SampleBill(), "periodo", "no es un mes válido"},
		{"a month to come", "?periodo=2099-01", fixtures.SampleBill(), "periodo", "todavía no termina"},
		{"nothing sent", "?periodo=2026-10", nil, "factura", "Elija el archivo de la factura"},
		{"an unknown layout", "?periodo=2026-10&formato=Nadie", fixtures.SampleBill(), "formato", "No existe el formato de factura «Nadie»"},
		{"a name with a control character", "?periodo=2026-10&archivo=a%07b.csv", fixtures.SampleBill(), "", "El nombre del archivo tiene caracteres no válidos"},
	} {
		code, body := e.apiCall(clerk, "POST", "/api/v1/telefonia/facturas"+c.query, csv, c.body, nil)
		msg := body
		if c.field != "" {
			msg = problemOf(body, c.field)
		}
		if code != http.StatusUnprocessableEntity || !strings.Contains(msg, c.want) {
			t.Errorf("%s: %d %s", c.name, code, body)
		}
	}
	var listed []legajo.BillImport
	if code, body := e.apiCall(clerk, "GET", "/api/v1/telefonia/facturas", "", nil, &listed); code != http.StatusOK || len(listed) != 0 {
		t.Fatalf("after the refusals: %d %s", code, body)
	}

	// The sample bill, raw.
	var imported apiBill
	code, body := e.apiCall(clerk, "POST", "/api/v1/telefonia/facturas?periodo=2026-10&archivo=siana-octubre.csv", csv, fixtures.SampleBill(), &imported)
	im := imported.Bill
	if code != http.StatusCreated || im.Folio == "" || im.Lines != fixtures.SampleBillLines || im.Account != fixtures.SampleBillAccount ||
		im.File != "siana-octubre.csv" || im.Author != "siaf" {
		t.Fatalf("import: %d %.600s", code, body)
	}
	if im.Flagged == 0 || len(imported.Lines) != im.Flagged || imported.Totals.Total != im.Total {
		t.Fatalf("the answer has %d lines of %d above normal; totals %d of %d", len(imported.Lines), im.Flagged, imported.Totals.Total, im.Total)
	}
	for _, l := range imported.Lines {
		if !l.AboveNormal || len(l.Reasons) == 0 || l.Total != l.LineAnalysis.Total() {
			t.Fatalf("line %s: %+v", l.Number, l)
		}
	}

	// The same bill again, as a form: refused, naming the first import.
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	mw.WriteField("periodo", "2026-10")
	fw, _ := mw.CreateFormFile("factura", "otra-vez.csv")
	fw.Write(fixtures.SampleBill())
	mw.Close()
	code, body = e.apiCall(clerk, "POST", "/api/v1/telefonia/facturas", mw.FormDataContentType(), form.Bytes(), nil)
	if code != http.StatusConflict || !strings.Contains(body, "de octubre de 2026 ya se importó el") || !strings.Contains(body, "por siaf con el folio "+im.Folio) {
		t.Fatalf("second import: %d %s", code, body)
	}
	t.Logf("second import: %s", body)
	if code, _ := e.apiCall(clerk, "GET", "/api/v1/telefonia/facturas", "", nil, &listed); code != http.StatusOK || len(listed) != 1 || listed[0].Folio != im.Folio {
		t.Fatalf("listed: %d %+v", code, listed)
	}

	// The month's analysis: every line; the áreas add up to the bill.
	var month struct {
		Month  string    `json:"mes"`
		Period string    `json:"periodo"`
		Bills  []apiBill `json:"facturas"`
	}
	code, body = e.apiCall(clerk, "GET", "/api/v1/telefonia/analisis?mes=2026-10", "", nil, &month)
	if code != http.StatusOK || month.Period != "octubre de 2026" || len(month.Bills) != 1 || len(month.Bills[0].Lines) != fixtures.SampleBillLines {
		t.Fatalf("analysis: %d %.400s", code, body)
	}
	an := month.Bills[0]
	var sum legajo.Centavos
	var flagged int
	for _, a := range an.Areas {
		sum += a.Total
	}
	for _, l := range an.Lines {
		if l.AboveNormal {
			flagged++
		}
	}
	if sum != im.Total || an.Totals.Total != im.Total || flagged != im.Flagged || an.Page != "/telefonia/facturas/"+slug(im.Folio) {
		t.Errorf("áreas add up to %d, the bill %d; %d lines flagged of %d; page %s", sum, im.Total, flagged, im.Flagged, an.Page)
	}
	first, _ := json.Marshal(imported.Lines[0])
	t.Logf("a line above normal: %s", first)
	// One área, its lines above normal only.
	area := imported.Lines[0].Area
	q := url.Values{"mes": {"2026-10"}, "area": {area}, "anormales": {"1"}}
	code, body = e.apiCall(clerk, "GET", "/api/v1/telefonia/analisis?"+q.Encode(), "", nil, &month)
	if code != http.StatusOK || len(month.Bills) != 1 || len(month.Bills[0].Areas) != 1 || month.Bills[0].Areas[0].Area != area {
		t.Fatalf("one área: %d %.400s", code, body)
	}
	if got := month.Bills[0]; len(got.Lines) != got.Totals.Flagged || len(got.Lines) == 0 {
		t.Errorf("área %s: %d lines, %d flagged", area, len(got.Lines), got.Totals.Flagged)
	}
	for _, l := range month.Bills[0].Lines {
		if l.Area != area || !l.AboveNormal {
			t.Errorf("line %s of %s, above normal %v", l.Number, l.Area, l.AboveNormal)
		}
	}
	for _, c := range []struct {
		query, field, want string
		code               int
	}{
		{"mes=2026-09", "", "No hay factura telefónica importada de septiembre de 2026.", http.StatusNotFound},
		{"mes=2026-10&cuenta=999", "", "No hay factura telefónica importada de la cuenta maestra 999 de octubre de 2026.", http.StatusNotFound},
		{"mes=2026-13", "mes", "«mes» no es un mes válido", http.StatusUnprocessableEntity},
		{"mes=", "mes", "Indique el mes de la factura", http.StatusUnprocessableEntity},
		{"mes=2026-10&area=Ninguna", "area", "El área «Ninguna» no tiene líneas en las facturas de octubre de 2026.", http.StatusUnprocessableEntity},
		{"mes=2026-10&area=" + strings.Repeat("x", 201), "area", "es demasiado largo", http.StatusUnprocessableEntity},
	} {
		code, body := e.apiCall(clerk, "GET", "/api/v1/telefonia/analisis?"+c.query, "", nil, nil)
		msg := body
		if c.field != "" {
			msg = problemOf(body, c.field)
		}
		if code != c.code || !strings.Contains(msg, c.want) {
			t.Errorf("%.60s: %d %s", c.query, code, body)
		}
	}

	// The register of lines, readable by a reader.
	alta := `{"changes": [{"kind": "alta", "fields": {"numero": "2288123456", "servicio": "Línea telefónica", "paquete": "Plan 1",
		"importe": "389.00", "proveedor": "Telmex", "area": "Jurisdicción Sanitaria No. V Xalapa", "responsable": "Rosa Cházaro"}}]}`
	if code, body := e.apiCall(clerk, "POST", "/api/v1/registros/lineas-telefonicas/cambios", "application/json", []byte(alta), nil); code != http.StatusCreated {
		t.Fatalf("alta of a line: %d %s", code, body)
	}
	var lines []map[string]any
	code, body = e.apiCall(reader, "GET", "/api/v1/telefonia/lineas?q=chazaro", "", nil, &lines)
	if code != http.StatusOK || len(lines) != 1 || lines[0]["key"] != "2288123456" || lines[0]["status"] != "Vigente" {
		t.Fatalf("register: %d %s", code, body)
	}
}

// apiStats gathers the statistics as the server's program does, from the
// search index, the cases and the bills; the JSON API draws nothing.
type apiStatsSource struct {
	b   legajo.StatsBuilder
	now func() time.Time
}

func (s apiStatsSource) Stats(ctx context.Context, f legajo.StatsFilter) (*legajo.Stats, error) {
	return s.b.Build(ctx, f, s.now())
}
func (apiStatsSource) SVG(legajo.Chart) ([]byte, error) {
	return nil, errors.New("the JSON API draws no chart")
}
func (apiStatsSource) XLSX(context.Context, io.Writer, *legajo.Stats, string) error {
	return errors.New("the JSON API exports no workbook")
}
func (apiStatsSource) Informe(context.Context, io.Writer, *legajo.Stats, string) error {
	return errors.New("the JSON API prints no Informe")
}

// TestStatisticsAPI: the figures behind the charts, for an auditor: the
// documents of the month and the bill's spend, as the archive has them.
func TestStatisticsAPI(t *testing.T) {
	e := telephonyEnv(t)
	idx := e.srv.Search.(legajo.StatsSource)
	e.srv.Statistics = apiStatsSource{now: time.Now, b: legajo.StatsBuilder{Docs: idx, Cases: e.office.Cases,
		Phone: &legajo.BilledPhoneSpend{Bills: e.srv.Telephony, Zone: zone}}}
	ctx := context.Background()
	for range 2 {
		e.emit("capturista")
	}
	im, _, err := e.srv.Telephony.Import(ctx, legajo.ImportRequest{Data: fixtures.SampleBill(), Period: "2026-10", Author: "capturista"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.srv.Search.(interface{ CatchUp(context.Context) error }).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	auditor, clerk := e.token("auditoria", "auditor"), e.token("siaf", "capturista")
	if code, _ := e.apiCall(clerk, "GET", "/api/v1/estadisticas", "", nil, nil); code != http.StatusForbidden {
		t.Errorf("a clerk read the statistics: %d", code)
	}
	var st apiStats
	code, body := e.apiCall(auditor, "GET", "/api/v1/estadisticas?desde=2026-10&hasta=2026-11", "", nil, &st)
	if code != http.StatusOK || st.Period != "octubre a noviembre de 2026" || st.From != "2026-10" || st.To != "2026-11" {
		t.Fatalf("%d %.600s", code, body)
	}
	sum := func(id string, i int) float64 {
		for _, c := range st.Charts {
			if c.ID != id {
				continue
			}
			if len(c.Categories) != 2 {
				t.Errorf("%s: categories %v", id, c.Categories)
			}
			var t float64
			for _, s := range c.Series {
				if s.Values[i] != nil {
					t += *s.Values[i]
				}
			}
			return t
		}
		t.Errorf("no chart %s in %.300s", id, body)
		return -1
	}
	// Filed on the test clock's 26 November: two oficios and the bill.
	if got := sum("documentos-tipo", 1); got != 3 || st.Documents != 3 {
		t.Errorf("documents of November: %v (of %d)", got, st.Documents)
	}
	if got, want := sum("telefonia", 0), float64(im.Total)/100; got < want-0.01 || got > want+0.01 {
		t.Errorf("telephony of October: %.2f, the bill %.2f", got, want)
	}
	if got := sum("telefonia", 1); got != 0 {
		t.Errorf("telephony of November: %.2f", got)
	}
	for _, c := range []struct{ query, field, want string }{
		{"desde=2026-13", "desde", "«Desde» no es un mes válido"},
		{"desde=2026-10&hasta=2026-01", "hasta", "«Hasta» es anterior a «Desde»"},
		{"desde=2020-01&hasta=2026-10", "hasta", "elija 60 meses o menos"},
	} {
		code, body := e.apiCall(auditor, "GET", "/api/v1/estadisticas?"+c.query, "", nil, nil)
		if code != http.StatusUnprocessableEntity || !strings.Contains(problemOf(body, c.field), c.want) {
			t.Errorf("%s: %d %s", c.query, code, body)
		}
	}
}
