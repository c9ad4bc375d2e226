package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/search"
)

// TestConfidentialRouteByRoute: the acuse de cuenta de correo is filed in
// the expediente «correos», confidencial. For every route that takes a
// folio, whoever may not read it (consulta, a capturista who did not issue
// it) gets exactly what a folio never issued gets: 404 with the same words,
// never a 403 that would reveal it exists; the issuer, auditors,
// administrators and a person granted the expediente read it. Search,
// facets, the home page and the expediente's page leave it out for the
// former and show it to the latter.
func TestConfidentialRouteByRoute(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	exp, err := e.archive.Expediente("correos")
	if err != nil || exp.Acceso != "confidencial" {
		t.Fatalf("expediente correos: %+v %v, want confidencial", exp, err)
	}
	res, err := e.office.Emit(ctx, legajo.EmitRequest{Type: "acuse-cuenta-correo", Data: sampleData(t, "acuse-cuenta-correo"), Author: "capturista"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Expediente != "correos" {
		t.Fatalf("acuse de cuenta de correo filed in %s", res.Expediente)
	}
	public := e.emit("capturista")
	if err := e.srv.Search.(*search.Index).CatchUp(ctx); err != nil {
		t.Fatal(err)
	}
	folio := mustFolio(t, res.Folio)
	rec, err := e.archive.Record(ctx, folio)
	if err != nil {
		t.Fatal(err)
	}
	emitted, _ := rec.Emitted()
	var pdfKey, tanto string
	for _, o := range emitted.Objects {
		if o.Kind == "pdf" {
			pdfKey, tanto = o.Key, strings.ToLower(o.Tanto)
			break
		}
	}
	granted := legajo.User{Login: "archivista", Name: "Fernanda Archivista", Role: legajo.RoleConsulta, Granted: []string{"correos"}}
	granted.PasswordHash, _ = HashPassword(testPassword)
	if _, err := e.archive.SaveUser(ctx, granted); err != nil {
		t.Fatal(err)
	}

	denied := []string{"consulta", "capturista2"}
	allowed := []string{"capturista", "auditor", "admin", "archivista"}
	clients := map[string]*http.Client{}
	for _, l := range append(denied, allowed...) {
		clients[l] = e.client(l)
	}
	do := func(c *http.Client, method, path string) (int, string) {
		req, _ := http.NewRequest(method, e.ts.URL+path, strings.NewReader(""))
		if method == http.MethodPost {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	never := "SESVER-DA-DTI-CC-0999-2026" // of the same serie, never issued
	fill := func(pattern, folio string) string {
		p := strings.NewReplacer("{folio}", folio, "{tanto}", tanto).Replace(pattern)
		if strings.HasSuffix(p, "/archivo") {
			p += "?clave=" + url.QueryEscape(pdfKey)
		}
		return p
	}
	routes := 0
	for _, rt := range e.srv.table() {
		method, pattern, _ := strings.Cut(rt.pattern, " ")
		if rt.public || !strings.Contains(pattern, "{folio}") {
			continue
		}
		routes++
		for _, l := range denied {
			code, body := do(clients[l], method, fill(pattern, slug(res.Folio)))
			wantCode, wantBody := do(clients[l], method, fill(pattern, never))
			if !rt.perm.grantedTo(legajo.Role(strings.TrimSuffix(l, "2"))) {
				// Refused by role for any folio alike.
				if code != http.StatusForbidden || wantCode != http.StatusForbidden {
					t.Errorf("%s as %s: %d (never issued: %d), want 403 for both", rt.pattern, l, code, wantCode)
				}
				continue
			}
			if code != http.StatusNotFound || wantCode != http.StatusNotFound {
				t.Errorf("%s as %s: %d (never issued: %d), want 404 for both", rt.pattern, l, code, wantCode)
			}
			if strings.Replace(body, res.Folio, "F", -1) != strings.Replace(wantBody, "SESVER/DA/DTI/CC/0999/2026", "F", -1) {
				t.Errorf("%s as %s: the answer differs from a folio never issued:\n%s\n---\n%s", rt.pattern, l, body, wantBody)
			}
		}
		if method != http.MethodGet {
			continue
		}
		for _, l := range allowed {
			if code, body := do(clients[l], method, fill(pattern, slug(res.Folio))); code != http.StatusOK {
				t.Errorf("%s as %s: %d, want 200\n%s", rt.pattern, l, code, body)
			}
		}
	}
	if routes < 9 {
		t.Errorf("only %d routes take a folio: the table changed, check this test", routes)
	}

	// The pages that list documents.
	for _, path := range []string{"/", "/buscar?q=cuenta+de+correo", "/buscar?q=montiel", "/buscar?q=61582", "/buscar?q=", "/buscar?expediente=correos", "/expedientes/correos",
		"/api/v1/buscar?q=correo", "/api/v1/buscar?q=karla+montiel", "/api/v1/buscar?expediente=correos"} {
		for _, l := range denied {
			code, body := do(clients[l], "GET", path)
			if code != http.StatusOK || strings.Contains(body, res.Folio) || strings.Contains(body, "Montiel") {
				t.Errorf("%s as %s: %d, shows the confidential document: %v", path, l, code, strings.Contains(body, res.Folio))
			}
		}
		for _, l := range allowed {
			if code, body := do(clients[l], "GET", path); code != http.StatusOK || !strings.Contains(body, res.Folio) {
				t.Errorf("%s as %s: %d, does not show the folio it may read", path, l, code)
			}
		}
	}
	// Facets and totals count only what may be read.
	for _, tc := range []struct {
		login   string
		correos int
	}{{"consulta", 0}, {"capturista2", 0}, {"capturista", 1}, {"auditor", 1}, {"archivista", 1}} {
		_, body := do(clients[tc.login], "GET", "/api/v1/buscar?q=")
		var out legajo.SearchResult
		if err := json.Unmarshal([]byte(body), &out); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, f := range out.Facets[legajo.FacetExpediente] {
			if f.Value == "correos" {
				n = f.Count
			}
		}
		if n != tc.correos || out.Total != 1+tc.correos {
			t.Errorf("%s: facet correos %d, total %d; want %d and %d", tc.login, n, out.Total, tc.correos, 1+tc.correos)
		}
	}
	// Public documents are read by all.
	for _, l := range denied {
		if code, _ := do(clients[l], "GET", "/documentos/"+slug(public)); code != http.StatusOK {
			t.Errorf("public document as %s: %d", l, code)
		}
	}
	// The public verification page tells validity, never content.
	code, body := do(e.client(""), "GET", "/verificar/"+slug(res.Folio))
	if code != http.StatusOK {
		t.Errorf("Verificar: %d", code)
	}
	for _, field := range []string{"Montiel", "61582", "842 3000", "karla.montiel"} {
		if strings.Contains(body, field) {
			t.Errorf("Verificar shows %q of a confidential document", field)
		}
	}
}
