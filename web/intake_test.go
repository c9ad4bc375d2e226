package web

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sesver/legajo/search"
)

// postFiles posts a multipart form with the given files (field → name,
// data) and fields.
func (e *env) postFiles(c *http.Client, path string, files map[string][2]string, fields map[string]string) (*http.Response, string) {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for field, f := range files {
		fw, _ := mw.CreateFormFile(field, f[0])
		fw.Write([]byte(f[1]))
	}
	mw.Close()
	req, _ := http.NewRequest("POST", e.ts.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func emlSample(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "testdata", "eml", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// An e-mail is registered from its .eml with only the área typed; its
// body and the text of its PDF attachment are found by the search, and
// the original goes out as a download, never shown as a page of the site.
func TestReceiveEmailThroughTheForm(t *testing.T) {
	e := newEnv(t)
	c := e.client("capturista")
	resp, _ := e.postFiles(c, "/correspondencia/nueva", map[string][2]string{"correo": {"respaldo.eml", emlSample(t, "respaldo-multipart.eml")}},
		map[string]string{"f.area": "Jurisdicción Sanitaria V", "clave": "k-eml-1"})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("status %d", resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	_, body := e.get(c, loc)
	for _, want := range []string{"Correo electrónico recibido", "María Peña Ibáñez", "Solicitud de respaldo de base de datos — Jurisdicción Sanitaria V",
		"Correo original (.eml)", "oficio.docx — no se archivó aparte", "SIAFFASPE"} {
		if !strings.Contains(body, want) {
			t.Errorf("document page lacks %q", want)
		}
	}
	i := strings.Index(body, "/archivo?clave=")
	key := body[i+len("/archivo?clave=") : i+strings.IndexByte(body[i:], '"')]
	r2, err := c.Get(e.ts.URL + strings.SplitN(loc, "?", 2)[0] + "/archivo?clave=" + key)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if ct, cd := r2.Header.Get("Content-Type"), r2.Header.Get("Content-Disposition"); r2.StatusCode != 200 || ct != "message/rfc822" || !strings.HasPrefix(cd, "attachment") {
		t.Errorf("the .eml goes out as %d %q %q", r2.StatusCode, ct, cd)
	}
	if err := e.srv.Search.(*search.Index).CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"SIAFFASPE", "inventario dañados", "periodicidad semanal"} {
		_, res := e.get(e.client("consulta"), "/api/v1/buscar?q="+strings.ReplaceAll(q, " ", "+"))
		if !strings.Contains(res, "RE/0001/2026") {
			t.Errorf("search %q does not find the e-mail: %s", q, res)
		}
	}
}

// A phone call needs no file; a damaged .eml is refused beside its input
// with what was typed kept.
func TestReceiveCallAndDamagedEmail(t *testing.T) {
	e := newEnv(t)
	c := e.client("capturista")
	call := map[string]string{"f.tipo": "Llamada telefónica", "f.fecha_recepcion": "2026-11-26", "f.hora_recepcion": "10:15",
		"f.remitente": "Lic. Sofía Ávila", "f.area": "Jurisdicción Sanitaria V", "f.extension": "3021", "f.asunto": "Falla del enlace de Internet"}
	resp, _ := e.postFiles(c, "/correspondencia/nueva", nil, call)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("call: status %d", resp.StatusCode)
	}
	_, body := e.get(c, resp.Header.Get("Location"))
	if !strings.Contains(body, "Llamada telefónica recibida") || !strings.Contains(body, "3021") || !strings.Contains(body, "Sin archivo: la solicitud llegó sin papel") {
		t.Error("the call's page does not show it")
	}
	resp, body = e.postFiles(c, "/correspondencia/nueva", map[string][2]string{"correo": {"roto.eml", emlSample(t, "hostil-sin-boundary.eml")}},
		map[string]string{"f.area": "Jurisdicción Sanitaria V", "f.observaciones": "Llegó por la mañana"})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "«Correo electrónico (.eml)»: su estructura MIME está dañada") ||
		!strings.Contains(body, "Llegó por la mañana") {
		t.Errorf("damaged .eml: %d", resp.StatusCode)
	}
	// The API: an e-mail with its datos as JSON.
	resp, body = e.postFiles(c, "/api/v1/correspondencia", map[string][2]string{"correo": {"falla.eml", emlSample(t, "falla-html.eml")}},
		map[string]string{"datos": `{"area": "Jurisdicción Sanitaria III"}`})
	var res struct {
		Folio  string
		Tantos []struct{ Tanto string }
	}
	if resp.StatusCode != http.StatusCreated || json.Unmarshal([]byte(body), &res) != nil || len(res.Tantos) != 1 || res.Tantos[0].Tanto != "CORREO" {
		t.Errorf("api: %d %s", resp.StatusCode, body)
	}
	resp, body = e.postFiles(c, "/api/v1/correspondencia", nil, map[string]string{"datos": `{"tipo": "Correo electrónico", "area": "X"}`})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, `"field": "correo"`) {
		t.Errorf("api without the .eml: %d %s", resp.StatusCode, body)
	}
}
