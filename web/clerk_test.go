package web

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sesver/legajo"
)

func (e *env) post(c *http.Client, path string, form url.Values) (*http.Response, string) {
	e.t.Helper()
	resp, err := c.PostForm(e.ts.URL+path, form)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// upload posts a file to a document's form.
func (e *env) upload(c *http.Client, path, name string, data []byte, fields map[string]string) (*http.Response, string) {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if name != "" {
		fw, _ := mw.CreateFormFile("archivo", name)
		fw.Write(data)
	} else {
		// what a browser sends when no file was chosen
		fw, _ := mw.CreatePart(map[string][]string{"Content-Disposition": {`form-data; name="archivo"; filename=""`},
			"Content-Type": {"application/octet-stream"}})
		fw.Write(nil)
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

// The draft's key issues one folio whatever the browser does: two submits
// at once, a submit after Back with changed data (with and without the
// browser remembering the folio).
func TestDraftIssuesOnce(t *testing.T) {
	e := newEnv(t)
	c := e.client("capturista")
	form := sampleForm(t, "oficio-liberacion")
	form.Set("clave", "borrador-1")
	form.Set("accion", "emitir")
	var wg sync.WaitGroup
	locs := make([]string, 2)
	for i := range locs {
		wg.Go(func() {
			resp, _ := e.post(c, "/nuevo/oficio-liberacion", form)
			locs[i] = resp.Header.Get("Location")
		})
	}
	wg.Wait()
	m0, m1 := folioLink.FindStringSubmatch(locs[0]), folioLink.FindStringSubmatch(locs[1])
	if m0 == nil || m1 == nil || m0[1] != m1[1] {
		t.Fatalf("a double submit went to %q and %q", locs[0], locs[1])
	}
	folio := m0[1]

	changed := url.Values{}
	for k, v := range form {
		changed[k] = v
	}
	changed.Set("f.version", "2.0")
	changed.Set("folio_emitido", strings.ReplaceAll(folio, "-", "/"))
	resp, _ := e.post(c, "/nuevo/oficio-liberacion", changed)
	if loc := resp.Header.Get("Location"); loc != "/documentos/"+folio+"?ya_emitido=1" {
		t.Errorf("a changed draft sent again went to %q", loc)
	}
	_, body := e.get(c, "/documentos/"+folio+"?ya_emitido=1")
	if !strings.Contains(body, "no se emitió otro documento") {
		t.Error("the document page does not say that nothing new was issued")
	}
	// The browser's word is checked: another clerk's draft key does not
	// lead to this document.
	other := e.client("capturista2")
	resp, _ = e.post(other, "/nuevo/oficio-liberacion", changed)
	if loc := resp.Header.Get("Location"); strings.Contains(loc, folio) {
		t.Errorf("another clerk's draft was taken for this one: %s", loc)
	}
	changed.Del("folio_emitido")
	resp, body = e.post(c, "/nuevo/oficio-liberacion", changed)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "Este formulario ya se envió y no se emitió otro documento.") ||
		!strings.Contains(body, `value="2.0"`) {
		t.Errorf("a changed draft without its folio: %d", resp.StatusCode)
	}
	if strings.Contains(body, "idempotencia") {
		t.Error("the clerk is told about idempotency keys")
	}
	n := 0
	e.archive.Entries(context.Background(), "dti", time.Time{}, time.Time{}, func(en legajo.Entry) error {
		if en.Event == legajo.EventEmitido && en.Author == "capturista" {
			n++
		}
		return nil
	})
	if n != 1 {
		t.Errorf("the clerk's one draft issued %d documents", n)
	}
}

// A refused upload comes back to the document page, with the message
// beside the field and the description kept.
func TestUploadRefusedBesideField(t *testing.T) {
	e := newEnv(t)
	c := e.client("capturista")
	folio := slug(e.emit("capturista"))
	for _, tc := range []struct {
		name, path, file string
		data             []byte
		want             string
	}{
		{"acuse not a PDF", "/acuse", "acuse.docx", []byte("PK\x03\x04 not a scan"), `id="acuse-error" role="alert">«Acuse»: el contenido del archivo`},
		{"acuse not chosen", "/acuse", "", nil, `id="acuse-error" role="alert">Elija un archivo`},
		{"anexo not a PDF", "/anexos", "manual.exe", []byte("MZ\x90\x00"), `id="anexo-error" role="alert">«Anexo»: el contenido del archivo`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := e.upload(c, "/documentos/"+folio+tc.path, tc.file, tc.data, map[string]string{"descripcion": "Manual del usuario"})
			if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, tc.want) {
				t.Fatalf("%d, want the message beside the field:\n%s", resp.StatusCode, body)
			}
			if !strings.Contains(body, "<h1>"+strings.ReplaceAll(folio, "-", "/<wbr>")) || strings.Contains(body, "No se pudo completar") {
				t.Error("not the document page")
			}
			if tc.path == "/anexos" && !strings.Contains(body, `value="Manual del usuario"`) {
				t.Error("the description typed was lost")
			}
		})
	}
}

// The document page speaks the clerk's words: names, titles, tables,
// paragraphs, and the actions the type has.
func TestDocumentPageInWords(t *testing.T) {
	e := newEnv(t)
	c := e.client("capturista")
	folio := slug(e.emit("capturista"))
	e.upload(c, "/documentos/"+folio+"/anexos", "manual.pdf", []byte("%PDF-1.4\n%%EOF\n"), map[string]string{"descripcion": "Manual del usuario del SICIP"})
	_, body := e.get(c, "/documentos/"+folio)
	for _, want := range []string{"Expediente del Departamento de Tecnologías de la Información", "<dd>Oficio de liberación de sistema</dd>",
		"Ana Capturista", "<th scope=\"col\">Módulo</th>", "Catálogo de personal", "Manual del usuario del SICIP", "Subir el acuse de recibido"} {
		if !strings.Contains(body, want) {
			t.Errorf("the document page lacks %q", want)
		}
	}
	if regexp.MustCompile(`\d+ renglones`).MatchString(body) {
		t.Error("the table is shown as a count of rows")
	}
	// and so does the expediente's chronological list
	_, body = e.get(c, "/expedientes/dti")
	for _, want := range []string{"<td>Oficio de liberación de sistema</td>", "<td>Ana Capturista</td>", "<td>Emisión</td>", "2 años en trámite"} {
		if !strings.Contains(body, want) {
			t.Errorf("the expediente page lacks %q", want)
		}
	}
	// A type that waits for no acuse asks for none.
	res, err := e.office.Emit(context.Background(), legajo.EmitRequest{Type: "minuta", Data: sampleData(t, "minuta"), Author: "capturista"})
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := e.office.Record(context.Background(), mustFolio(t, res.Folio))
	_, body = e.get(c, "/documentos/"+slug(res.Folio)+"?emitido=1")
	if rec.Status != legajo.StatusPendiente && (strings.Contains(body, "Subir el acuse") || strings.Contains(body, "suba el acuse")) {
		t.Errorf("a %s document asks for an acuse", rec.Status)
	}
}

// The activity log pages, filters by person and action, and records what
// was searched.
func TestActivityLogFilters(t *testing.T) {
	e := newEnv(t)
	c := e.client("consulta")
	for i := range 60 {
		e.get(c, "/buscar?q=sicip+"+itoa(i)+"&tipo=oficio-liberacion")
	}
	a := e.client("auditor")
	var body string
	for start := time.Now(); time.Since(start) < 5*time.Second; time.Sleep(50 * time.Millisecond) {
		_, body = e.get(a, "/auditoria?persona=consulta&accion=buscar")
		if strings.Contains(body, "60 registro(s)") {
			break
		}
	}
	for _, want := range []string{"60 registro(s)", "Página 1 de 2", "sicip 59", "tipo: oficio-liberacion", "Carla Consulta", "Siguiente »"} {
		if !strings.Contains(body, want) {
			t.Errorf("the activity log lacks %q", want)
		}
	}
	if strings.Contains(body, "<td>entrar</td>") {
		t.Error("the filter by action lets other actions through")
	}
	_, body = e.get(a, "/auditoria?persona=consulta&accion=buscar&pagina=2")
	if !strings.Contains(body, "Página 2 de 2") || !strings.Contains(body, "sicip 0<") {
		t.Error("the second page is not the oldest searches")
	}
	_, body = e.get(a, "/auditoria?persona=auditor&accion=emitir")
	if !strings.Contains(body, "Sin actividad en el periodo.") {
		t.Error("the filter by person lets others through")
	}
}

// Registering correspondence without choosing the scan asks for the file
// beside its input, not for an «empty file», and keeps what was typed.
func TestReceiveWithoutFile(t *testing.T) {
	e := newEnv(t)
	c := e.client("capturista")
	resp, body := e.upload(c, "/correspondencia/nueva", "", nil, map[string]string{"f.remitente": "Lic. Ana María Rojas Pérez"})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if !regexp.MustCompile(`(?s)id="archivo"[^>]*>\s*<span class="error" role="alert">Elija un archivo`).MatchString(body) {
		t.Error("no «Elija un archivo» beside the file input")
	}
	if strings.Contains(body, "vacío") || !strings.Contains(body, `value="Lic. Ana María Rojas Pérez"`) {
		t.Error("an empty file is blamed, or what was typed is lost")
	}
}

// A storage layer's note in English never reaches a person.
func TestNoTechnicalNotes(t *testing.T) {
	e := newEnv(t)
	r := httptestRequest()
	for _, tc := range []struct {
		err  error
		want string
	}{
		{legajo.Errorf(legajo.ErrConflict, "archive: create x: object exists"), "Otra operación"},
		{legajo.Errorf(legajo.ErrInvalid, "archive: invalid key \"a\": character '\\x00' not allowed"), "cambie su nombre"},
		{legajo.Errorf(legajo.ErrInvalid, "«Acuse»: el archivo mide 30 MiB."), "«Acuse»: el archivo mide 30 MiB."},
	} {
		if got := e.srv.message(r, tc.err); !strings.Contains(got, tc.want) || strings.Contains(got, "archive:") {
			t.Errorf("%v is told as %q", tc.err, got)
		}
	}
}

func httptestRequest() *http.Request {
	r, _ := http.NewRequest("GET", "/documentos/x", nil)
	return r
}

// A cancellation refused (a reason too short) stays on the document's page
// with the reason typed.
func TestCancelRefusedKeepsReason(t *testing.T) {
	e := newEnv(t)
	c := e.client("capturista")
	folio := slug(e.emit("capturista"))
	resp, body := e.post(c, "/documentos/"+folio+"/cancelar", url.Values{"motivo": {"Error"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, ">Error</textarea>") ||
		!strings.Contains(body, "El motivo de la cancelación es obligatorio") {
		t.Errorf("%d:\n%s", resp.StatusCode, body)
	}
}

// Registering correspondence twice with the same form (Back and
// «Registrar» again, a double click) registers it once; a new form, again.
func TestReceiveOnce(t *testing.T) {
	e := newEnv(t)
	c := e.client("capturista")
	fields := map[string]string{"f.tipo": "Tarjeta", "f.fecha_recepcion": "2026-11-25", "f.hora_recepcion": "09:15",
		"f.remitente": "Lic. Sofía Ramírez Mora", "f.cargo": "Jefa del Departamento de Adquisiciones",
		"f.area": "Departamento de Adquisiciones", "f.asunto": "Solicitud de restablecimiento de contraseña",
		"clave": "borrador-1"}
	scan := []byte("%PDF-1.4\n% tarjeta escaneada\n%%EOF\n")
	var where []string
	for range 2 {
		resp, body := e.upload(c, "/correspondencia/nueva", "tarjeta.pdf", scan, fields)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("status %d\n%s", resp.StatusCode, body)
		}
		where = append(where, resp.Header.Get("Location"))
	}
	if where[0] != where[1] || !strings.Contains(where[0], "RE-0001-2026") {
		t.Errorf("the same form registered twice: %v", where)
	}
	fields["clave"] = "borrador-2"
	resp, _ := e.upload(c, "/correspondencia/nueva", "tarjeta.pdf", scan, fields)
	if loc := resp.Header.Get("Location"); !strings.Contains(loc, "RE-0002-2026") {
		t.Errorf("a new form: %d %s", resp.StatusCode, loc)
	}
	// The form carries its key, and keeps it when it comes back with errors.
	_, body := e.get(c, "/correspondencia/nueva")
	if !regexp.MustCompile(`name="clave" value="[0-9a-f]{8,}"`).MatchString(body) {
		t.Error("the form has no key of its own")
	}
	delete(fields, "f.asunto")
	fields["clave"] = "borrador-3"
	_, body = e.upload(c, "/correspondencia/nueva", "tarjeta.pdf", scan, fields)
	if !strings.Contains(body, `name="clave" value="borrador-3"`) {
		t.Error("a form with errors lost its key")
	}
}
