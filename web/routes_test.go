package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/sesver/legajo"
)

// TestRolesRoutes requests every route of the table as every role and as
// nobody: what a role may not do is refused with 403, what needs a session
// without one with 401 (API) or a redirect to the login page.
func TestRolesRoutes(t *testing.T) {
	e := newEnv(t)
	folio := slug(e.emit("capturista"))
	fill := strings.NewReplacer("{folio}", folio, "{type}", "oficio-liberacion", "{tanto}", "copia", "{id}", "dti",
		"{token}", "caducado", "{expediente}", "dti", "{$}", "")
	clients := map[legajo.Role]*http.Client{}
	for _, r := range legajo.Roles {
		clients[r] = e.client(string(r))
	}
	anon := e.client("")
	for _, rt := range e.srv.table() {
		method, pattern, _ := strings.Cut(rt.pattern, " ")
		path := fill.Replace(pattern)
		do := func(c *http.Client) int {
			req, _ := http.NewRequest(method, e.ts.URL+path, strings.NewReader(""))
			if method == http.MethodPost {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		if rt.public {
			if code := do(anon); code == http.StatusForbidden {
				t.Errorf("%s is public but answers %d", rt.pattern, code)
			}
			continue
		}
		code := do(anon)
		switch {
		case strings.HasPrefix(path, "/api/") && code != http.StatusUnauthorized:
			t.Errorf("%s without a session: %d, want 401", rt.pattern, code)
		case !strings.HasPrefix(path, "/api/") && code != http.StatusSeeOther:
			t.Errorf("%s without a session: %d, want a redirect to the login page", rt.pattern, code)
		}
		for _, role := range legajo.Roles {
			code := do(clients[role])
			granted := rt.perm.grantedTo(role)
			if granted && (code == http.StatusForbidden || code == http.StatusUnauthorized) {
				t.Errorf("%s as %s: %d, want it allowed", rt.pattern, role, code)
			}
			if !granted && code != http.StatusForbidden {
				t.Errorf("%s as %s: %d, want 403", rt.pattern, role, code)
			}
		}
	}
}

// TestCancelOwn: a capturista cancels only what they issued.
func TestCancelOwn(t *testing.T) {
	e := newEnv(t)
	folio := slug(e.emit("capturista"))
	other := e.client("capturista2")
	resp, err := other.PostForm(e.ts.URL+"/documentos/"+folio+"/cancelar", map[string][]string{"motivo": {"Emitido con datos equivocados."}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("another capturista cancelled: %d", resp.StatusCode)
	}
	own := e.client("capturista")
	resp, _ = own.PostForm(e.ts.URL+"/documentos/"+folio+"/cancelar", map[string][]string{"motivo": {"Emitido con datos equivocados."}})
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Errorf("own cancel: %d", resp.StatusCode)
	}
	if code, body := e.get(own, "/documentos/"+folio); !strings.Contains(body, "cancelado") {
		t.Errorf("the document page does not say cancelled: %d\n%s", code, body)
	}
}
