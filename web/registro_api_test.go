package web

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestRegistroAPI: a registry through the JSON API: an import (a bad file
// refused whole, with its row and column), a change, the rows searched, a
// row's history; a reader cannot change anything.
func TestRegistroAPI(t *testing.T) {
	e := newEnv(t)
	call := func(c *http.Client, method, path, ctype, body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, e.ts.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	clerk := e.client("capturista")
	code, body := call(clerk, "POST", "/api/v1/registros/padron-correo/importacion?archivo=padron.csv", "text/csv",
		"Cuenta de correo,Nombre del usuario\nrosa.chazaro@ssaver.gob.mx,Rosa Cházaro\nmal,Luis\n")
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "Fila 3: «Cuenta de correo» no es una dirección de correo válida") {
		t.Fatalf("bad import: %d %s", code, body)
	}
	code, body = call(clerk, "POST", "/api/v1/registros/padron-correo/importacion?archivo=padron.csv", "text/csv",
		"Cuenta de correo,Nombre del usuario\nrosa.chazaro@ssaver.gob.mx,Rosa Cházaro\nluis.perez@ssaver.gob.mx,Luis Pérez\n")
	if code != http.StatusCreated || !strings.Contains(body, `"source": "importacion"`) {
		t.Fatalf("import: %d %s", code, body)
	}
	code, body = call(clerk, "POST", "/api/v1/registros/padron-correo/cambios", "application/json",
		`{"note": "Renuncia", "changes": [{"row": "luis.perez@ssaver.gob.mx", "kind": "baja", "fields": {"fecha_baja": "2026-11-30"}}]}`)
	if code != http.StatusCreated || !strings.Contains(body, `"seq": 2`) {
		t.Fatalf("baja: %d %s", code, body)
	}
	code, body = call(clerk, "POST", "/api/v1/registros/padron-correo/cambios", "application/json",
		`{"changes": [{"row": "luis.perez@ssaver.gob.mx", "kind": "modificacion", "fields": {"contrasena": "x"}}]}`)
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "«contrasena» no es una columna") {
		t.Fatalf("a password: %d %s", code, body)
	}
	reader := e.client("consulta")
	code, body = call(reader, "GET", "/api/v1/registros/padron-correo?q=perez&vigentes=", "", "")
	var rows []map[string]any
	if code != http.StatusOK || json.Unmarshal([]byte(body), &rows) != nil || len(rows) != 1 || rows[0]["status"] != "Baja" {
		t.Fatalf("search: %d %s", code, body)
	}
	code, body = call(reader, "GET", "/api/v1/registros/padron-correo/fila?clave=LUIS.PEREZ@ssaver.gob.mx", "", "")
	if code != http.StatusOK || !strings.Contains(body, `"note": "Renuncia"`) || !strings.Contains(body, `"author": "capturista"`) {
		t.Fatalf("row: %d %s", code, body)
	}
	if code, _ := call(reader, "POST", "/api/v1/registros/padron-correo/cambios", "application/json", `{"changes": []}`); code != http.StatusForbidden {
		t.Errorf("a reader changed a registry: %d", code)
	}
	if code, _ := call(reader, "GET", "/api/v1/registros/nada", "", ""); code != http.StatusNotFound {
		t.Errorf("unknown registry: %d", code)
	}
}
