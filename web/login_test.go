package web

import (
	"net/http"
	"net/url"
	"testing"
)

func TestSafeNext(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"a page", "/buscar?q=oficio", "/buscar?q=oficio"},
		{"a document", "/documentos/SESVER-DA-DTI-OL-0042-2026", "/documentos/SESVER-DA-DTI-OL-0042-2026"},
		{"empty", "", "/"},
		{"absolute", "https://evil.example/", "/"},
		{"scheme-relative", "//evil.example/", "/"},
		{"tab between the slashes", "/\t/evil.example/", "/"},
		{"line break between the slashes", "/\n/evil.example/", "/"},
		{"backslash", "/\\evil.example/", "/"},
		{"backslashes", "\\\\evil.example", "/"},
		{"encoded slash", "/%2F/evil.example", "/"},
		{"javascript", "javascript:alert(1)", "/"},
		{"NUL", "/\x00/evil.example", "/"},
	} {
		if got := safeNext(tc.in); got != tc.want {
			t.Errorf("%s: safeNext(%q) = %q, want %q", tc.name, tc.in, got, tc.want)
		}
	}
}

// TestLoginStaysOnSite: the open redirect of the issue, through the real
// handler: after logging in, the browser stays on the site.
func TestLoginStaysOnSite(t *testing.T) {
	e := newEnv(t)
	c := e.client("")
	for _, next := range []string{"/\t/evil.example/", "/%09/evil.example/", "//evil.example", "/\\evil.example"} {
		next, _ := url.QueryUnescape(next)
		resp, err := c.PostForm(e.ts.URL+"/entrar", url.Values{"usuario": {"consulta"}, "contrasena": {testPassword}, "siguiente": {next}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
			t.Errorf("siguiente=%q: %d to %q, want /", next, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
}
