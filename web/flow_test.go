package web

import (
	"bytes"
	"context"
	"encoding/json"
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

// sampleForm is a sample document as the form posts it.
func sampleForm(t *testing.T, name string) url.Values {
	t.Helper()
	v := url.Values{}
	for k, val := range sampleData(t, name) {
		switch x := val.(type) {
		case []any:
			for i, row := range x {
				for col, cell := range row.(map[string]any) {
					v.Set("t."+k+"."+itoa(i)+"."+col, toString(cell))
				}
			}
		default:
			v.Set("f."+k, toString(x))
		}
	}
	return v
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	}
	return ""
}

var folioLink = regexp.MustCompile(`/documentos/(SESVER-DA-DTI-[A-Z]+-\d{4}-\d{4})`)

// TestIssueByForm follows a clerk: a form with mistakes shows every error
// beside its field and keeps what was typed; the corrected form issues the
// document; its tantos download; the acuse goes up; the public page checks it.
func TestIssueByForm(t *testing.T) {
	e := newEnv(t)
	c := e.client("capturista")
	code, body := e.get(c, "/nuevo/oficio-liberacion")
	if code != 200 || !strings.Contains(body, "Nombre del sistema") || !strings.Contains(body, `name="t.modulos.0.modulo"`) {
		t.Fatalf("form: %d", code)
	}
	key := regexp.MustCompile(`name="clave" value="([0-9a-f]+)"`).FindStringSubmatch(body)[1]

	form := sampleForm(t, "oficio-liberacion")
	form.Set("clave", key)
	form.Set("accion", "emitir")
	form.Set("f.fecha_capacitacion", "12/11/2026")
	form.Del("f.sistema")
	resp, _ := c.PostForm(e.ts.URL+"/nuevo/oficio-liberacion", form)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(b)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad form: %d", resp.StatusCode)
	}
	for _, want := range []string{"El campo «Nombre del sistema» es obligatorio.", "«Fecha de la capacitación» no es una fecha válida: escríbala completa o elíjala en el calendario.",
		`value="Subdirección de Recursos Humanos"`, "Catálogo de personal"} {
		if !strings.Contains(page, want) {
			t.Errorf("the form with errors lacks %q", want)
		}
	}

	form = sampleForm(t, "oficio-liberacion")
	form.Set("clave", key)
	form.Set("accion", "vista-previa")
	resp, _ = c.PostForm(e.ts.URL+"/nuevo/oficio-liberacion", form)
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(b, []byte("%PDF")) {
		t.Fatalf("preview: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	form.Set("accion", "emitir")
	resp, _ = c.PostForm(e.ts.URL+"/nuevo/oficio-liberacion", form)
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	m := folioLink.FindStringSubmatch(loc)
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("issue: %d %s", resp.StatusCode, loc)
	}
	folio := m[1]
	// a double submit with the same form key issues nothing new
	resp, _ = c.PostForm(e.ts.URL+"/nuevo/oficio-liberacion", form)
	resp.Body.Close()
	if resp.Header.Get("Location") != loc {
		t.Errorf("double submit went to %s, want %s", resp.Header.Get("Location"), loc)
	}
	code, body = e.get(c, loc)
	if code != 200 || !strings.Contains(body, "pendiente de acuse") || !strings.Contains(body, "Documento válido") {
		t.Fatalf("document page: %d", code)
	}
	code, pdf := e.get(c, "/documentos/"+folio+"/tantos/copia")
	if code != 200 || !strings.HasPrefix(pdf, "%PDF") {
		t.Fatalf("tanto download: %d", code)
	}
	// upload the acuse
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("archivo", "acuse.pdf")
	fw.Write([]byte("%PDF-1.4\n% acuse firmado\n%%EOF\n"))
	mw.Close()
	req, _ := http.NewRequest("POST", e.ts.URL+"/documentos/"+folio+"/acuse", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.Do(req)
	if err != nil || resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("acuse: %v %d", err, resp.StatusCode)
	}
	resp.Body.Close()
	if _, body = e.get(c, "/documentos/"+folio); !strings.Contains(body, "acusado") {
		t.Error("after the acuse the document is not acusado")
	}
	// the public page: no session, nothing confidential
	rec, _ := e.office.Record(t.Context(), mustFolio(t, folio))
	digest := rec.Manifests[0].Digest[:16]
	code, body = e.get(e.client(""), "/verificar/"+folio+"?h="+digest)
	if code != 200 || !strings.Contains(body, "✓ Documento válido") || !strings.Contains(body, "El código impreso en su papel coincide") || !strings.Contains(body, "acusado") {
		t.Errorf("public verification: %d\n%s", code, body)
	}
	for _, secret := range []string{"SICIP", "Gómez Téllez", "Subdirección de Recursos Humanos"} {
		if strings.Contains(body, secret) {
			t.Errorf("the public page shows %q", secret)
		}
	}
	_, body = e.get(e.client(""), "/verificar/"+folio+"?h=0000000000000000")
	if !strings.Contains(body, "No se pudo comprobar la integridad") || !strings.Contains(body, "El código impreso en el papel no coincide") || strings.Contains(body, "Documento válido") {
		t.Error("a wrong digest is not reported")
	}
}

func mustFolio(t *testing.T, s string) legajo.Folio {
	f, err := legajo.ParseFolio(s, "SESVER/DA/DTI")
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// TestSecretPrintedOnce: the exemplar with the password is handed over once
// and to its issuer only.
func TestSecretPrintedOnce(t *testing.T) {
	e := newEnv(t)
	c := e.client("capturista")
	form := sampleForm(t, "acuse-cuenta-correo")
	form.Set("clave", "k1")
	form.Set("accion", "emitir")
	resp, _ := c.PostForm(e.ts.URL+"/nuevo/acuse-cuenta-correo", form)
	resp.Body.Close()
	tok := regexp.MustCompile(`impresion=([0-9a-f]+)`).FindStringSubmatch(resp.Header.Get("Location"))
	if tok == nil {
		t.Fatalf("no print token in %s", resp.Header.Get("Location"))
	}
	if code, _ := e.get(e.client("capturista2"), "/impresion/"+tok[1]); code != http.StatusNotFound {
		t.Errorf("another clerk got the exemplar: %d", code)
	}
	code, pdf := e.get(c, "/impresion/"+tok[1])
	if code != 200 || !strings.HasPrefix(pdf, "%PDF") {
		t.Fatalf("print: %d", code)
	}
	if code, _ := e.get(c, "/impresion/"+tok[1]); code != http.StatusNotFound {
		t.Errorf("second download: %d, want 404", code)
	}
}

// TestLoginThrottle: repeated failures slow the attacker down.
func TestLoginThrottle(t *testing.T) {
	e := newEnv(t)
	c := e.client("")
	var last int
	for range 6 {
		resp, _ := c.PostForm(e.ts.URL+"/entrar", url.Values{"usuario": {"admin"}, "contrasena": {"incorrecta"}})
		resp.Body.Close()
		last = resp.StatusCode
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("sixth failure: %d, want 429", last)
	}
	// even the right password waits
	resp, _ := c.PostForm(e.ts.URL+"/entrar", url.Values{"usuario": {"admin"}, "contrasena": {testPassword}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Errorf("during the lock: %d", resp.StatusCode)
	}
}

// TestAPI issues by JSON with a service token and reads errors per field.
func TestAPI(t *testing.T) {
	e := newEnv(t)
	admin := e.client("admin")
	resp, _ := admin.PostForm(e.ts.URL+"/admin/usuarios", url.Values{"usuario": {"integracion"}, "nombre": {"Sistema SIAF"},
		"rol": {"capturista"}, "servicio": {"1"}, "accion": {"crear"}})
	resp.Body.Close()
	resp, _ = admin.PostForm(e.ts.URL+"/admin/usuarios", url.Values{"usuario": {"integracion"}, "accion": {"token"}})
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	token := regexp.MustCompile(`<code>(integracion\.[0-9a-f]+)</code>`).FindStringSubmatch(string(b))
	if token == nil {
		t.Fatalf("no token shown:\n%s", b)
	}
	call := func(method, path, body string) (int, map[string]any) {
		req, _ := http.NewRequest(method, e.ts.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token[1])
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	code, out := call("POST", "/api/v1/documentos", `{"type": "oficio-liberacion", "data": {"area": "Dirección de Salud Pública"}}`)
	if code != http.StatusUnprocessableEntity || len(out["problems"].([]any)) < 5 {
		t.Errorf("bad data: %d %v", code, out)
	}
	data, _ := json.Marshal(map[string]any{"type": "oficio-liberacion", "data": sampleData(t, "oficio-liberacion"), "idempotency_key": "x1"})
	code, out = call("POST", "/api/v1/documentos", string(data))
	if code != http.StatusCreated || out["folio"] == nil {
		t.Fatalf("issue: %d %v", code, out)
	}
	folio := slug(out["folio"].(string))
	if code, out = call("GET", "/api/v1/documentos/"+folio, ""); code != 200 || out["status"] != "pendiente de acuse" || out["verified"] != true {
		t.Errorf("get: %d %v", code, out)
	}
	if code, _ = call("GET", "/api/v1/verificacion/dti", ""); code != http.StatusForbidden {
		t.Errorf("a capturista token verified the archive: %d", code)
	}
	if code, _ := call("GET", "/api/v1/documentos/NO-EXISTE", ""); code != http.StatusNotFound {
		t.Errorf("unknown folio: %d", code)
	}
	req, _ := http.NewRequest("GET", e.ts.URL+"/api/v1/tipos", nil)
	req.Header.Set("Authorization", "Bearer integracion.falso")
	resp, _ = http.DefaultClient.Do(req)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("wrong token: %d", resp.StatusCode)
	}

	// Accounts are reused for a moment between requests: disabling one
	// here applies at once; re-enabling it from another process (the CLI,
	// its own Archive on the store) within accountTTL.
	resp, _ = admin.PostForm(e.ts.URL+"/admin/usuarios", url.Values{"usuario": {"integracion"}, "accion": {"desactivar"}})
	resp.Body.Close()
	if code, _ := call("GET", "/api/v1/tipos", ""); code != http.StatusUnauthorized {
		t.Errorf("disabled account, next request: %d", code)
	}
	u, err := e.archive.User(context.Background(), "integracion")
	if err != nil {
		t.Fatal(err)
	}
	u.Disabled = false
	if _, err := e.archive.SaveUser(context.Background(), u); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	for {
		code, _ := call("GET", "/api/v1/tipos", "")
		if code == http.StatusOK {
			break
		}
		if time.Since(start) > accountTTL+time.Second {
			t.Fatalf("account enabled by another process still refused after %v: %d", time.Since(start), code)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func sampleData(t *testing.T, name string) map[string]any {
	t.Helper()
	data, err := fixtures.SampleData(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// A search through the page is answered whole, with its length, before
// it is logged, and it is logged: who searched, from where.
func TestSearchIsLogged(t *testing.T) {
	e := newEnv(t)
	resp, err := e.client("consulta").Get(e.ts.URL + "/buscar?q=liberacion")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.ContentLength != int64(len(body)) || len(body) == 0 {
		t.Fatalf("search page: %d, Content-Length %d for %d bytes", resp.StatusCode, resp.ContentLength, len(body))
	}
	// The entry is written after the page went out: wait for it.
	var found []legajo.Activity
	for start := time.Now(); len(found) == 0 && time.Since(start) < 5*time.Second; time.Sleep(10 * time.Millisecond) {
		err = e.archive.Activities(context.Background(), time.Time{}, time.Time{}, func(a legajo.Activity) error {
			if a.Action == "buscar" {
				found = append(found, a)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(found) != 1 || found[0].User != "consulta" || found[0].Remote != "127.0.0.1" {
		t.Errorf("search log: %+v", found)
	}
}
