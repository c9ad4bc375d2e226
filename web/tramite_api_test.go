package web

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
)

// TestCaseAPI opens a case and moves it through the JSON API: the same
// Idempotency-Key opens one case, a stale movement is a 409, bad data a
// 422 naming the field.
func TestCaseAPI(t *testing.T) {
	e := newEnv(t)
	c := e.client("capturista")
	call := func(method, path, key, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, e.ts.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("Idempotency-Key", key)
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		var v map[string]any
		json.Unmarshal(b, &v)
		return resp.StatusCode, v
	}
	open := `{"procedure": "respaldo-bd", "area": "Subdirección de Recursos Financieros", "subject": "Respaldo diario del SIAFF", "requester": "C.P. María Teresa Domínguez", "due": "2030-02-01"}`
	code, v := call("POST", "/api/v1/tramites", "clave-1", open)
	if code != http.StatusCreated || v["number"] != "TR/0001/2026" || v["step"] != "1" {
		t.Fatalf("open: %d %v", code, v)
	}
	if code, v = call("POST", "/api/v1/tramites", "clave-1", open); code != http.StatusCreated || v["number"] != "TR/0001/2026" || e.office.Cases.Count() != 1 {
		t.Fatalf("the same key again: %d %v, %d cases", code, v["number"], e.office.Cases.Count())
	}
	code, v = call("POST", "/api/v1/tramites", "", `{"procedure": "respaldo-bd", "area": "", "subject": "x"}`)
	if code != http.StatusUnprocessableEntity || !strings.Contains(toJSON(v["problems"]), `"field":"area"`) {
		t.Errorf("without área: %d %v", code, v)
	}
	code, v = call("POST", "/api/v1/tramites/TR-0001-2026/movimientos", "", `{"action": "paso", "step": "1"}`)
	if code != http.StatusCreated || v["step"] != "2" {
		t.Fatalf("paso 1: %d %v", code, v)
	}
	code, v = call("POST", "/api/v1/tramites/TR-0001-2026/movimientos", "", `{"action": "paso", "step": "1"}`)
	if code != http.StatusConflict || !strings.Contains(toJSON(v), "sino en la 2") {
		t.Errorf("paso 1 again: %d %v", code, v)
	}
	code, v = call("POST", "/api/v1/tramites/TR-0001-2026/movimientos", "", `{"action": "turnar", "assignee": "capturista2", "due": "ayer"}`)
	if code != http.StatusUnprocessableEntity || !strings.Contains(toJSON(v), "fecha_limite") {
		t.Errorf("a bad due date: %d %v", code, v)
	}
	for _, who := range []string{"nadie", "consulta"} {
		code, v = call("POST", "/api/v1/tramites/TR-0001-2026/movimientos", "", `{"action": "turnar", "assignee": "`+who+`"}`)
		if code != http.StatusUnprocessableEntity || !strings.Contains(toJSON(v), `"field":"persona"`) {
			t.Errorf("turned to %s: %d %v", who, code, v)
		}
	}
	code, v = call("POST", "/api/v1/tramites/TR-0001-2026/movimientos", "", `{"action": "turnar", "section": "Sección de Limpieza"}`)
	if code != http.StatusUnprocessableEntity || !strings.Contains(toJSON(v), `"field":"seccion"`) {
		t.Errorf("turned to an unknown section: %d %v", code, v)
	}
	code, v = call("GET", "/api/v1/tramites?estado=abiertos&procedimiento=respaldo-bd", "", "")
	if code != 200 || v["total"].(float64) != 1 {
		t.Errorf("list: %d %v", code, v)
	}
	code, v = call("GET", "/api/v1/tramites/TR-0001-2026", "", "")
	if code != 200 || len(v["events"].([]any)) != 2 || v["next_due"] == nil {
		t.Errorf("case: %d %v", code, v)
	}
	if code, _ := call("GET", "/api/v1/tramites/TR-0099-2026", "", ""); code != http.StatusNotFound {
		t.Errorf("unknown case: %d", code)
	}
	code, v = call("GET", "/api/v1/procedimientos", "", "")
	if code != 200 {
		t.Errorf("procedimientos: %d", code)
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestOpenAPIDescribesEveryRoute: each route of the API is in
// web/openapi.yaml.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	spec, err := os.ReadFile("openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	e := &Server{}
	for _, rt := range e.table() {
		_, path, _ := strings.Cut(rt.pattern, " ")
		if !strings.HasPrefix(path, "/api/v1/") {
			continue
		}
		if !bytes.Contains(spec, []byte("\n  "+path+":")) {
			t.Errorf("openapi.yaml does not describe %s", rt.pattern)
		}
	}
}
