package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/archive"
)

// node starts a second server of e's deployment: its own Archive (and so
// its own caches) on the same store, the same session key.
func (e *env) node(t *testing.T) *httptest.Server {
	t.Helper()
	st, err := archive.OpenFS(e.dir)
	if err != nil {
		t.Fatal(err)
	}
	a, err := archive.New(st, legajo.DefaultExpedientes())
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Office: e.office, Users: a, Activity: a, Settings: a, Logger: slog.New(slog.NewTextHandler(testLog{t}, nil)),
		SessionKey: e.srv.SessionKey, Now: time.Now}
	h, err := s.Handler()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts
}

// sessionCookieOf is the session cookie a client holds for e's server.
func (e *env) sessionCookieOf(c *http.Client) *http.Cookie {
	e.t.Helper()
	u, _ := url.Parse(e.ts.URL)
	for _, k := range c.Jar.Cookies(u) {
		if k.Name == sessionCookie {
			return k
		}
	}
	e.t.Fatal("no session cookie")
	return nil
}

// replay requests path on base with nothing but a copy of cookie.
func replay(t *testing.T, base, path string, cookie *http.Cookie) int {
	t.Helper()
	req, _ := http.NewRequest("GET", base+path, nil)
	req.AddCookie(&http.Cookie{Name: cookie.Name, Value: cookie.Value})
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func post(t *testing.T, c *http.Client, u string, form url.Values) (int, string) {
	t.Helper()
	resp, err := c.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestLogoutThenReplay: after logging out, a saved copy of the cookie is
// refused by the node that logged out at once and by every other node of
// the deployment within accountTTL, for pages and for the API.
func TestLogoutThenReplay(t *testing.T) {
	e := newEnv(t)
	other := e.node(t)
	c := e.client("consulta")
	saved := e.sessionCookieOf(c)
	for _, base := range []string{e.ts.URL, other.URL} {
		if code := replay(t, base, "/", saved); code != http.StatusOK {
			t.Fatalf("%s before logout: %d, want 200", base, code)
		}
	}
	if code, _ := post(t, c, e.ts.URL+"/salir", nil); code != http.StatusSeeOther {
		t.Fatalf("logout: %d", code)
	}
	if code := replay(t, e.ts.URL, "/", saved); code != http.StatusSeeOther {
		t.Errorf("same node, replayed cookie after logout: %d, want a redirect to the login page", code)
	}
	if code := replay(t, e.ts.URL, "/api/v1/tipos", saved); code != http.StatusUnauthorized {
		t.Errorf("same node, API with the replayed cookie: %d, want 401", code)
	}
	start := time.Now()
	for replay(t, other.URL, "/", saved) != http.StatusSeeOther {
		if time.Since(start) > accountTTL+time.Second {
			t.Fatalf("the other node still accepts the cookie %v after the logout", time.Since(start))
		}
		time.Sleep(100 * time.Millisecond)
	}
	// Logging in again opens a new session; the old cookie stays dead.
	c = e.client("consulta")
	if code, _ := e.get(c, "/"); code != http.StatusOK {
		t.Errorf("new session: %d", code)
	}
	if code := replay(t, e.ts.URL, "/", saved); code != http.StatusSeeOther {
		t.Errorf("old cookie after a new login: %d", code)
	}
}

var sessionIDRe = regexp.MustCompile(`name="sesion" value="([0-9a-f]+)"`)

// TestMyAccount: «Mi cuenta» lists the sessions, ends another one, and a
// password change (the current password required) ends every other session
// and every API token while the session that made it goes on.
func TestMyAccount(t *testing.T) {
	e := newEnv(t)
	one, two := e.client("capturista"), e.client("capturista")
	admin := e.client("admin")
	_, body := post(t, admin, e.ts.URL+"/admin/usuarios", url.Values{"usuario": {"capturista"}, "accion": {"token"}, "etiqueta": {"escáner"}})
	token := regexp.MustCompile(`<code>(capturista\.[0-9a-f]+)</code>`).FindStringSubmatch(body)
	if token == nil {
		t.Fatalf("no token shown:\n%s", body)
	}
	if code := bearer(t, e.ts.URL, "/api/v1/tipos", token[1]); code != http.StatusOK {
		t.Fatalf("token: %d", code)
	}
	code, page := e.get(one, "/cuenta")
	if code != http.StatusOK || !strings.Contains(page, "Esta sesión") || !strings.Contains(page, "escáner") {
		t.Fatalf("Mi cuenta: %d\n%s", code, page)
	}
	ids := sessionIDRe.FindAllStringSubmatch(page, -1)
	if len(ids) != 1 {
		t.Fatalf("Mi cuenta offers to close %d sessions, want the other one", len(ids))
	}
	if code, _ := post(t, one, e.ts.URL+"/cuenta/sesiones", url.Values{"sesion": {ids[0][1]}}); code != http.StatusSeeOther {
		t.Fatalf("close the other session: %d", code)
	}
	if code, _ := e.get(two, "/"); code != http.StatusSeeOther {
		t.Errorf("closed session: %d, want a redirect to the login page", code)
	}
	if code, _ := e.get(one, "/"); code != http.StatusOK {
		t.Errorf("the session that closed the other: %d", code)
	}

	three := e.client("capturista")
	for _, tc := range []struct {
		name                 string
		current, next, again string
		want                 int
		message              string
	}{
		{"wrong current password", "otra-contraseña", "nueva-contraseña-1", "nueva-contraseña-1", http.StatusUnprocessableEntity, "La contraseña actual no es correcta."},
		{"confirmation differs", testPassword, "nueva-contraseña-1", "nueva-contraseña-2", http.StatusUnprocessableEntity, "no coinciden"},
		{"too short", testPassword, "corta", "corta", http.StatusUnprocessableEntity, "de 10 a 72 caracteres"},
		{"same as before", testPassword, testPassword, testPassword, http.StatusUnprocessableEntity, "distinta de la actual"},
		{"changed", testPassword, "nueva-contraseña-1", "nueva-contraseña-1", http.StatusSeeOther, ""},
	} {
		code, body := post(t, one, e.ts.URL+"/cuenta/contrasena", url.Values{"actual": {tc.current}, "nueva": {tc.next}, "confirmacion": {tc.again}})
		if code != tc.want || !strings.Contains(body, tc.message) {
			t.Errorf("%s: %d, want %d with %q", tc.name, code, tc.want, tc.message)
		}
	}
	if code, _ := e.get(one, "/"); code != http.StatusOK {
		t.Errorf("the session that changed the password: %d", code)
	}
	if code, _ := e.get(three, "/"); code != http.StatusSeeOther {
		t.Errorf("another session after the password change: %d", code)
	}
	if code := bearer(t, e.ts.URL, "/api/v1/tipos", token[1]); code != http.StatusUnauthorized {
		t.Errorf("token after the password change: %d", code)
	}
	if code, _ := post(t, e.client(""), e.ts.URL+"/entrar", url.Values{"usuario": {"capturista"}, "contrasena": {"nueva-contraseña-1"}}); code != http.StatusSeeOther {
		t.Errorf("login with the new password: %d", code)
	}
}

func bearer(t *testing.T, base, path, token string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", base+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestTokensOneByOne: the tokens of a login with a dot authenticate; each
// is listed by its id and revoked alone.
func TestTokensOneByOne(t *testing.T) {
	e := newEnv(t)
	admin := e.client("admin")
	if code, body := post(t, admin, e.ts.URL+"/admin/usuarios", url.Values{"usuario": {"ana.ruiz"}, "nombre": {"Ana Ruiz"},
		"rol": {"consulta"}, "servicio": {"1"}, "accion": {"crear"}}); code != http.StatusSeeOther {
		t.Fatalf("create ana.ruiz: %d\n%s", code, body)
	}
	tokenRe := regexp.MustCompile(`<code>(ana\.ruiz\.[0-9a-f]+)</code>`)
	var tokens []string
	for _, label := range []string{"SIAF", "tablero"} {
		_, body := post(t, admin, e.ts.URL+"/admin/usuarios", url.Values{"usuario": {"ana.ruiz"}, "accion": {"token"}, "etiqueta": {label}})
		m := tokenRe.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no token shown:\n%s", body)
		}
		tokens = append(tokens, m[1])
	}
	for i, tok := range tokens {
		if code := bearer(t, e.ts.URL, "/api/v1/tipos", tok); code != http.StatusOK {
			t.Errorf("token %d of ana.ruiz: %d, want 200", i, code)
		}
	}
	for _, bad := range []string{"ana.ruiz", "ana.", ".ruiz", "ana.ruiz." + strings.Repeat("0", 64), strings.TrimPrefix(tokens[0], "ana.")} {
		if code := bearer(t, e.ts.URL, "/api/v1/tipos", bad); code != http.StatusUnauthorized {
			t.Errorf("token %q: %d, want 401", bad, code)
		}
	}
	u, err := e.archive.User(context.Background(), "ana.ruiz")
	if err != nil || len(u.Tokens) != 2 {
		t.Fatalf("tokens kept: %+v %v", u.Tokens, err)
	}
	_, page := e.get(admin, "/admin/usuarios")
	for _, tk := range u.Tokens {
		if !strings.Contains(page, tk.ID) || strings.Contains(page, tk.Hash) {
			t.Errorf("the users page must list token %s by id, never its hash", tk.ID)
		}
	}
	if code, _ := post(t, admin, e.ts.URL+"/admin/usuarios", url.Values{"usuario": {"ana.ruiz"}, "accion": {"revocar-token"}, "token": {u.Tokens[0].ID}}); code != http.StatusSeeOther {
		t.Fatalf("revoke: %d", code)
	}
	if code := bearer(t, e.ts.URL, "/api/v1/tipos", tokens[0]); code != http.StatusUnauthorized {
		t.Errorf("revoked token: %d, want 401", code)
	}
	if code := bearer(t, e.ts.URL, "/api/v1/tipos", tokens[1]); code != http.StatusOK {
		t.Errorf("the other token: %d, want 200", code)
	}
	if code, _ := post(t, admin, e.ts.URL+"/admin/usuarios", url.Values{"usuario": {"ana.ruiz"}, "accion": {"revocar-token"}, "token": {u.Tokens[0].ID}}); code != http.StatusUnprocessableEntity {
		t.Errorf("revoking it again: %d, want 422", code)
	}
}

// TestProvisionalPassword: a password an administrator chose lets its
// owner do nothing but change it; a password change by the owner lifts it.
func TestProvisionalPassword(t *testing.T) {
	e := newEnv(t)
	admin := e.client("admin")
	if code, body := post(t, admin, e.ts.URL+"/admin/usuarios", url.Values{"usuario": {"ana.ruiz"}, "nombre": {"Ana Ruiz"},
		"rol": {"capturista"}, "contrasena": {"provisional-123"}, "accion": {"crear"}}); code != http.StatusSeeOther {
		t.Fatalf("create: %d\n%s", code, body)
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.PostForm(e.ts.URL+"/entrar", url.Values{"usuario": {"ana.ruiz"}, "contrasena": {"provisional-123"}, "siguiente": {"/buscar"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/cuenta" {
		t.Fatalf("first login: %d to %q, want /cuenta", resp.StatusCode, resp.Header.Get("Location"))
	}
	for _, path := range []string{"/", "/buscar", "/nuevo", "/documentos/x"} {
		resp, _ := c.Get(e.ts.URL + path)
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/cuenta" {
			t.Errorf("%s with a provisional password: %d to %q, want /cuenta", path, resp.StatusCode, resp.Header.Get("Location"))
		}
	}
	resp, _ = c.Get(e.ts.URL + "/api/v1/tipos")
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(toString(out["error"]), "contraseña provisional") {
		t.Errorf("API with a provisional password: %d %v", resp.StatusCode, out)
	}
	code, page := e.get(c, "/cuenta")
	if code != http.StatusOK || !strings.Contains(page, "Su contraseña es provisional") {
		t.Fatalf("Mi cuenta: %d\n%s", code, page)
	}
	if code, _ := post(t, c, e.ts.URL+"/cuenta/contrasena", url.Values{"actual": {"provisional-123"}, "nueva": {"mía-y-de-nadie-más"}, "confirmacion": {"mía-y-de-nadie-más"}}); code != http.StatusSeeOther {
		t.Fatalf("change: %d", code)
	}
	if code, _ := e.get(c, "/buscar"); code != http.StatusOK {
		t.Errorf("after the change: %d", code)
	}
	// The administrator's new password for her is provisional again, and
	// ends her sessions.
	post(t, admin, e.ts.URL+"/admin/usuarios", url.Values{"usuario": {"ana.ruiz"}, "nombre": {"Ana Ruiz"}, "rol": {"capturista"},
		"contrasena": {"otra-provisional"}, "accion": {"modificar"}})
	if code, _ := e.get(c, "/buscar"); code != http.StatusSeeOther {
		t.Errorf("session after an administrator reset the password: %d", code)
	}
	if u, _ := e.archive.User(context.Background(), "ana.ruiz"); !u.MustChangePassword {
		t.Error("a password set by an administrator is not provisional")
	}
}

// TestConcurrentLogins: people log in to one account at once on two nodes;
// each login adds its session to the account (one conditional create per
// version), none is lost, every cookie works.
func TestConcurrentLogins(t *testing.T) {
	e := newEnv(t)
	other := e.node(t)
	const n = 8
	cookies := make(chan *http.Cookie, n)
	errs := make(chan error, n)
	for i := range n {
		base := e.ts.URL
		if i%2 == 1 {
			base = other.URL
		}
		go func() {
			req, _ := http.NewRequest("POST", base+"/entrar", strings.NewReader(url.Values{"usuario": {"auditor"}, "contrasena": {testPassword}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				errs <- err
				return
			}
			resp.Body.Close()
			for _, c := range resp.Cookies() {
				if c.Name == sessionCookie && resp.StatusCode == http.StatusSeeOther {
					cookies <- c
					return
				}
			}
			errs <- fmt.Errorf("login: %d", resp.StatusCode)
		}()
	}
	var got []*http.Cookie
	for range n {
		select {
		case c := <-cookies:
			got = append(got, c)
		case err := <-errs:
			t.Error(err)
		}
	}
	u, err := e.archive.User(context.Background(), "auditor")
	if err != nil || len(u.Sessions) != n {
		t.Fatalf("sessions kept: %d (%v), want %d", len(u.Sessions), err, n)
	}
	for _, c := range got {
		if code := replay(t, e.ts.URL, "/", c); code != http.StatusOK {
			t.Errorf("a session of the concurrent logins: %d", code)
		}
	}
}

// TestRevokeFromMyAccount: a person revokes their own token from «Mi
// cuenta», never someone else's; an administrator ends all of someone's
// sessions.
func TestRevokeFromMyAccount(t *testing.T) {
	e := newEnv(t)
	admin := e.client("admin")
	tokenRe := regexp.MustCompile(`<code>([a-z0-9.]+\.[0-9a-f]+)</code>`)
	tokens := map[string]string{}
	for _, l := range []string{"capturista", "capturista2"} {
		_, body := post(t, admin, e.ts.URL+"/admin/usuarios", url.Values{"usuario": {l}, "accion": {"token"}})
		tokens[l] = tokenRe.FindStringSubmatch(body)[1]
	}
	id := func(login string) string {
		u, err := e.archive.User(context.Background(), login)
		if err != nil || len(u.Tokens) != 1 {
			t.Fatalf("%s tokens: %+v %v", login, u.Tokens, err)
		}
		return u.Tokens[0].ID
	}
	mine, theirs := id("capturista"), id("capturista2")
	c := e.client("capturista")
	if code, _ := post(t, c, e.ts.URL+"/cuenta/tokens", url.Values{"token": {theirs}}); code != http.StatusNotFound {
		t.Errorf("revoking another person's token: %d, want 404", code)
	}
	if code := bearer(t, e.ts.URL, "/api/v1/tipos", tokens["capturista2"]); code != http.StatusOK {
		t.Errorf("the other person's token: %d", code)
	}
	if code, _ := post(t, c, e.ts.URL+"/cuenta/tokens", url.Values{"token": {mine}}); code != http.StatusSeeOther {
		t.Errorf("revoking one's own token: %d", code)
	}
	if code := bearer(t, e.ts.URL, "/api/v1/tipos", tokens["capturista"]); code != http.StatusUnauthorized {
		t.Errorf("revoked own token: %d", code)
	}
	other := e.client("capturista")
	post(t, admin, e.ts.URL+"/admin/usuarios", url.Values{"usuario": {"capturista"}, "accion": {"cerrar-sesiones"}})
	for _, s := range []*http.Client{c, other} {
		if code, _ := e.get(s, "/"); code != http.StatusSeeOther {
			t.Errorf("a session an administrator closed: %d", code)
		}
	}
}

// TestNewAtOnceOnEveryNode: a token or a session made on one node works at
// once on another that has the account cached; revocations take up to
// accountTTL there, new credentials do not wait.
func TestNewAtOnceOnEveryNode(t *testing.T) {
	e := newEnv(t)
	other := e.node(t)
	admin := e.client("admin")
	tokenRe := regexp.MustCompile(`<code>(capturista\.[0-9a-f]+)</code>`)
	_, body := post(t, admin, e.ts.URL+"/admin/usuarios", url.Values{"usuario": {"capturista"}, "accion": {"token"}})
	first := tokenRe.FindStringSubmatch(body)[1]
	if code := bearer(t, other.URL, "/api/v1/tipos", first); code != http.StatusOK {
		t.Fatalf("first token on the other node: %d", code)
	}
	_, body = post(t, admin, e.ts.URL+"/admin/usuarios", url.Values{"usuario": {"capturista"}, "accion": {"token"}})
	second := tokenRe.FindStringSubmatch(body)[1]
	if code := bearer(t, other.URL, "/api/v1/tipos", second); code != http.StatusOK {
		t.Errorf("a token made a moment ago on another node: %d", code)
	}
	c := e.client("capturista")
	if code := replay(t, other.URL, "/", e.sessionCookieOf(c)); code != http.StatusOK {
		t.Errorf("a session opened a moment ago on another node: %d", code)
	}
}
