package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/archive"
	"github.com/sesver/legajo/fixtures"
	"github.com/sesver/legajo/generators/pdf"
	"github.com/sesver/legajo/search"
	"github.com/sesver/legajo/templates"
)

const testPassword = "contraseña-de-prueba"

// env is a running server on an fs archive with one user per role.
type env struct {
	t       *testing.T
	srv     *Server
	ts      *httptest.Server
	archive *archive.Archive
	office  *legajo.Office
	dir     string // of the fs archive
}

var clockN atomic.Int64

func testClock() time.Time {
	return time.Date(2026, 11, 26, 16, 0, 0, 0, time.UTC).Add(time.Duration(clockN.Add(1)) * time.Second)
}

func newEnv(t *testing.T) *env {
	t.Helper()
	dir := t.TempDir()
	st, err := archive.OpenFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, err := archive.New(st, legajo.DefaultExpedientes())
	if err != nil {
		t.Fatal(err)
	}
	cat, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	r, err := pdf.New(pdf.Options{})
	if err != nil {
		t.Fatal(err)
	}
	o := &legajo.Office{Catalog: cat, Archive: a, Renderer: r, Institution: fixtures.Institution(), Directory: fixtures.Directory(), Now: testClock}
	procs, err := templates.LoadProcedures(cat)
	if err != nil {
		t.Fatal(err)
	}
	o.Cases = &legajo.Cases{Log: a, Procedures: procs, Calendar: &legajo.Calendar{}, Now: testClock}
	if err := o.Cases.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if o.Registros, err = legajo.NewRegistros(a, legajo.RegistroDefs()...); err != nil {
		t.Fatal(err)
	}
	idx, err := search.Open(t.TempDir(), cat, a)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { idx.Close() })
	s := &Server{Office: o, Users: a, Activity: a, Search: idx, Logger: slog.New(slog.NewTextHandler(testLog{t}, nil)),
		SessionKey: []byte(strings.Repeat("k", 32)), Now: time.Now, Settings: a, Areas: fixtures.Areas, StampCancelled: pdf.StampCancelled,
		Apply: func(st legajo.Settings) error {
			o.SetDirectory(st.Directory)
			return a.SetExpedientes(st.Expedientes)
		}}
	h, err := s.Handler()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close) // after the test server's: the activity log's last entries, before the folder goes
	hash, err := HashPassword(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range []legajo.User{
		{Login: "capturista", Name: "Ana Capturista", Role: legajo.RoleCapturista},
		{Login: "capturista2", Name: "Beto Capturista", Role: legajo.RoleCapturista},
		{Login: "consulta", Name: "Carla Consulta", Role: legajo.RoleConsulta},
		{Login: "auditor", Name: "Daniel Auditor", Role: legajo.RoleAuditor},
		{Login: "admin", Name: "Elena Admin", Role: legajo.RoleAdmin},
	} {
		u.PasswordHash = hash
		if _, err := a.SaveUser(context.Background(), u); err != nil {
			t.Fatal(err)
		}
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return &env{t: t, srv: s, ts: ts, archive: a, office: o, dir: dir}
}

// client returns an HTTP client logged in as login ("" for none) that does
// not follow redirects.
func (e *env) client(login string) *http.Client {
	e.t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if login == "" {
		return c
	}
	resp, err := c.PostForm(e.ts.URL+"/entrar", url.Values{"usuario": {login}, "contrasena": {testPassword}})
	if err != nil {
		e.t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("login %s: status %d", login, resp.StatusCode)
	}
	return c
}

func (e *env) get(c *http.Client, path string) (int, string) {
	e.t.Helper()
	resp, err := c.Get(e.ts.URL + path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (e *env) emit(author string) string {
	e.t.Helper()
	res, err := e.office.Emit(context.Background(), legajo.EmitRequest{Type: "oficio-liberacion",
		Data: sampleData(e.t, "oficio-liberacion"), Author: author})
	if err != nil {
		e.t.Fatal(err)
	}
	return res.Folio
}

// testLog sends the server's log to the test's.
type testLog struct{ t *testing.T }

func (l testLog) Write(b []byte) (int, error) {
	if strings.Contains(string(b), "level=ERROR") {
		l.t.Log(strings.TrimSpace(string(b)))
	}
	return len(b), nil
}

var (
	inputRe  = regexp.MustCompile(`<input name="([se]\.\d+\.\d)" value="([^"]*)"`)
	selectRe = regexp.MustCompile(`<select name="(e\.\d+\.\d)"[^>]*>(?:<option value=""></option>)?(?:<option >[^<]*</option>)*<option selected>([^<]*)</option>`)
)
