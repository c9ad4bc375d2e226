package web

import (
	"bytes"
	"compress/zlib"
	"context"
	"fmt"
	"github.com/sesver/legajo/archive"
	"github.com/sesver/legajo/search"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/sesver/legajo"
)

// post sends a multipart form with one file to path.
func (e *env) postFile(c *http.Client, path, name string, data []byte) (int, string) {
	e.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("descripcion", "Oficio escaneado")
	fw, _ := mw.CreateFormFile("archivo", name)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", e.ts.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := c.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestUploadLeavesNoTemporaryFile: a 3 MB anexo is filed and nothing stays
// in the temporary directory.
func TestUploadLeavesNoTemporaryFile(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	e := newEnv(t)
	c := e.client("capturista")
	folio := strings.ReplaceAll(e.emit("capturista"), "/", "-")
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte("% relleno\n"), 300_000)...)
	code, body := e.postFile(c, "/documentos/"+folio+"/anexos", "anexo.pdf", pdf)
	if code != http.StatusSeeOther {
		t.Fatalf("anexo: %d %s", code, body)
	}
	left, _ := os.ReadDir(tmp)
	if len(left) != 0 {
		t.Errorf("the upload left %d files in the temporary directory: %v", len(left), left[0].Name())
	}
}

// TestUploadBadRequests: wrong content types and odd names get a Spanish
// 4xx, never a 500.
func TestUploadBadRequests(t *testing.T) {
	e := newEnv(t)
	c := e.client("capturista")
	folio := strings.ReplaceAll(e.emit("capturista"), "/", "-")
	paths := []string{"/documentos/" + folio + "/acuse", "/documentos/" + folio + "/anexos",
		"/correspondencia/nueva", "/api/v1/documentos/" + folio + "/acuse"}
	for _, p := range paths {
		t.Run("not multipart "+p, func(t *testing.T) {
			resp, err := c.Post(e.ts.URL+p, "application/x-www-form-urlencoded", strings.NewReader("archivo=x"))
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode < 400 || resp.StatusCode >= 500 && !strings.HasPrefix(p, "/api/") {
				t.Errorf("status %d\n%s", resp.StatusCode, b)
			}
			if resp.StatusCode >= 500 {
				t.Errorf("status %d", resp.StatusCode)
			}
		})
	}
	for _, c2 := range []struct {
		name, file string
		want       int
	}{
		{"nul", "acuse\x00.pdf", http.StatusUnprocessableEntity},
		{"control", "acuse\x07.pdf", http.StatusUnprocessableEntity},
		{"long", strings.Repeat("a", 10_000) + ".pdf", http.StatusUnprocessableEntity},
		{"path", "../../etc/acuse.pdf", http.StatusSeeOther},
		{"windows path", `C:\Users\ana\acuse.pdf`, http.StatusSeeOther},
	} {
		t.Run("name "+c2.name, func(t *testing.T) {
			code, body := e.postFile(c, "/documentos/"+folio+"/anexos", c2.file, []byte("%PDF-1.4\n%%EOF\n"))
			if code != c2.want {
				t.Errorf("status %d, want %d\n%s", code, c2.want, body)
			}
			if code == http.StatusUnprocessableEntity && !strings.Contains(body, "nombre del archivo") {
				t.Errorf("no Spanish reason in\n%s", body)
			}
		})
	}
}

// failingUsers fails every lookup as a store that does not answer.
type failingUsers struct{ inner legajo.Users }

func (failingUsers) User(context.Context, string) (legajo.User, error) {
	return legajo.User{}, legajo.ErrUnavailable
}

// TestStorageDownIsNot401: while the store does not answer, a request with
// a session or a token, and a login, get 503 and a Spanish message, not
// «Inicie sesión» or «Usuario o contraseña incorrectos».
func TestStorageDownIsNot401(t *testing.T) {
	e := newEnv(t)
	c := e.client("capturista")
	e.srv.Users = failingUsers{e.srv.Users}
	e.srv.accounts.mu.Lock()
	clear(e.srv.accounts.m)
	e.srv.accounts.mu.Unlock()
	code, body := e.get(c, "/")
	if code != http.StatusServiceUnavailable || !strings.Contains(body, "no responde") {
		t.Errorf("page: %d\n%s", code, body)
	}
	resp, err := e.client("").PostForm(e.ts.URL+"/entrar", url.Values{"usuario": {"capturista"}, "contrasena": {testPassword}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(b), "no responde") {
		t.Errorf("login: %d\n%s", resp.StatusCode, b)
	}
	req, _ := http.NewRequest("GET", e.ts.URL+"/api/v1/tipos", nil)
	req.Header.Set("Authorization", "Bearer capturista.abc")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(b), "no responde") {
		t.Errorf("api: %d %s", resp.StatusCode, b)
	}
}

func TestStatusOfStorageErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		err  error
		want int
	}{
		{"unavailable", legajo.ErrUnavailable, http.StatusServiceUnavailable},
		{"deadline", context.DeadlineExceeded, http.StatusServiceUnavailable},
		{"full", legajo.ErrFull, http.StatusInsufficientStorage},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := status(c.err); got != c.want {
				t.Errorf("status = %d, want %d", got, c.want)
			}
		})
	}
}

func (f failingUsers) Users(ctx context.Context) ([]legajo.User, error) { return f.inner.Users(ctx) }
func (f failingUsers) SaveUser(ctx context.Context, u legajo.User) (legajo.User, error) {
	return f.inner.SaveUser(ctx, u)
}

// bombPDF is a one-page PDF whose content stream inflates to 40 MiB.
func bombPDF() []byte {
	var z bytes.Buffer
	w, _ := zlib.NewWriterLevel(&z, zlib.BestCompression)
	spaces := bytes.Repeat([]byte(" "), 1<<20)
	for range 40 {
		w.Write(spaces)
	}
	w.Close()
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
		fmt.Sprintf("<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", z.Len(), z.Bytes()),
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// TestBombAnexoFiledWithoutText: a PDF over the limits of text extraction
// is filed, and the document page and the search results say that its
// text was not extracted, and why (the inflated bytes, or the time under
// the race detector).
func TestBombAnexoFiledWithoutText(t *testing.T) {
	e := newEnv(t)
	c := e.client("capturista")
	folio := e.emit("capturista")
	slug := strings.ReplaceAll(folio, "/", "-")
	if code, body := e.postFile(c, "/documentos/"+slug+"/anexos", "bomba.pdf", bombPDF()); code != http.StatusSeeOther {
		t.Fatalf("anexo: %d\n%s", code, body)
	}
	if err := e.srv.Search.(*search.Index).CatchUp(t.Context()); err != nil {
		t.Fatal(err)
	}
	// Ordered by folio, the search lists the folio instead of going
	// straight to its document.
	for _, path := range []string{"/documentos/" + slug, "/buscar?orden=folio&q=" + url.QueryEscape(folio)} {
		code, body := e.get(c, path)
		if code != http.StatusOK || !strings.Contains(body, "texto no extraído: ") {
			t.Errorf("%s: %d, no «texto no extraído» and why", path, code)
		}
	}
}

// fullStore fails every Create as a full disk does.
type fullStore struct{ archive.Store }

func (fullStore) Create(context.Context, string, []byte, archive.CreateOptions) error {
	return fmt.Errorf("archive: create: %w: %w", legajo.ErrFull, syscall.ENOSPC)
}

// TestDiskFullSaysSo: a full disk while filing an anexo is a 507 whose
// Spanish message names the cause, and nothing is filed.
func TestDiskFullSaysSo(t *testing.T) {
	e := newEnv(t)
	c := e.client("capturista")
	folio := e.emit("capturista")
	a, err := archive.New(fullStore{e.archive.Store()}, legajo.DefaultExpedientes())
	if err != nil {
		t.Fatal(err)
	}
	e.office.Archive = a
	code, body := e.postFile(c, "/documentos/"+strings.ReplaceAll(folio, "/", "-")+"/anexos", "anexo.pdf", []byte("%PDF-1.4\n%%EOF\n"))
	if code != http.StatusInsufficientStorage || !strings.Contains(body, "El almacenamiento del archivo está lleno") {
		t.Errorf("%d\n%s", code, body)
	}
	e.office.Archive = e.archive
	rec, err := e.office.Record(t.Context(), mustFolio(t, folio))
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Entries) != 1 {
		t.Errorf("%d events after the failed upload, want the emission only", len(rec.Entries))
	}
}
