package web

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/archive"
)

const cancelReason = "Se sustituye por el oficio con la versión 1.1 del sistema."

// firstInMain returns the start of the page's main content, without the
// markup that only opens it.
func firstInMain(t *testing.T, body string) string {
	t.Helper()
	_, main, ok := strings.Cut(body, `<main id="contenido">`)
	if !ok {
		t.Fatalf("no main in\n%s", body)
	}
	main = strings.TrimSpace(main)
	main = strings.TrimSpace(strings.TrimPrefix(main, `<section class="verify">`))
	return main[:min(len(main), 400)]
}

// apiVerification asks the public API about folio.
func (e *env) apiVerification(folio string) verification {
	e.t.Helper()
	code, body := e.get(e.client(""), "/api/v1/verificar/"+slug(folio))
	var v verification
	if err := json.Unmarshal([]byte(body), &v); code != 200 || err != nil {
		e.t.Fatalf("API verification of %s: %d %v\n%s", folio, code, err, body)
	}
	return v
}

// TestVerifyValid: a valid document says so first, and what it means.
func TestVerifyValid(t *testing.T) {
	e := newEnv(t)
	folio := e.emit("capturista")
	rec, err := e.office.Record(context.Background(), mustFolio(t, folio))
	if err != nil {
		t.Fatal(err)
	}
	_, body := e.get(e.client(""), "/verificar/"+slug(folio)+"?h="+rec.Manifests[0].Digest[:16])
	first := firstInMain(t, body)
	if !strings.HasPrefix(first, `<div class="verdict verdict-valido" role="status">`) || !strings.Contains(first, "✓ Documento válido") {
		t.Errorf("the page does not start with the verdict:\n%s", first)
	}
	for _, want := range []string{"El folio " + folio + " corresponde a un documento oficial emitido el 26 de noviembre de 2026. No ha sido cancelado, y el archivo lo conserva tal como se emitió.",
		"El código impreso en su papel coincide con el de ese documento.", "pendiente de acuse"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if v := e.apiVerification(folio); v.Verdict != "valido" || !v.Valid || !v.Intact || v.Headline != "Documento válido" || v.Sealed != "" {
		t.Errorf("API: %+v", v)
	}
	if _, body := e.get(e.client("consulta"), "/documentos/"+slug(folio)); !strings.Contains(body, "✓ Documento válido") {
		t.Error("the document page does not say the document is valid")
	}
}

// TestVerifyCancelled: a cancelled document is NO VÁLIDO, with the date and
// the reason, first thing and with no green tick; its copies are stamped.
func TestVerifyCancelled(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	folio := e.emit("capturista")
	if _, err := e.office.Cancel(ctx, mustFolio(t, folio), cancelReason, "capturista"); err != nil {
		t.Fatal(err)
	}
	rec, err := e.office.Record(ctx, mustFolio(t, folio))
	if err != nil {
		t.Fatal(err)
	}
	want := "Este documento fue cancelado el 26 de noviembre de 2026. Motivo: " + cancelReason
	_, body := e.get(e.client(""), "/verificar/"+slug(folio)+"?h="+rec.Manifests[0].Digest[:16])
	first := firstInMain(t, body)
	if !strings.HasPrefix(first, `<div class="verdict verdict-no-valido" role="alert">`) || !strings.Contains(first, "✗ NO VÁLIDO") || !strings.Contains(first, want) {
		t.Errorf("the page does not start with NO VÁLIDO and the cancellation:\n%s", first)
	}
	if strings.Contains(body, "✓") || strings.Contains(body, `class="ok"`) || strings.Contains(body, "Documento válido") {
		t.Errorf("a cancelled document shows a tick or «válido»:\n%s", body)
	}
	if v := e.apiVerification(folio); v.Verdict != "no-valido" || v.Valid || v.Headline != "NO VÁLIDO" || v.Message != want {
		t.Errorf("API: %+v", v)
	}
	c := e.client("consulta")
	_, page := e.get(c, "/documentos/"+slug(folio))
	if !strings.Contains(firstInMain(t, page), "✗ NO VÁLIDO") || strings.Contains(page, "✓") {
		t.Errorf("the document page does not start with NO VÁLIDO")
	}

	// Downloads carry the stamp; the stored original stays as filed.
	orig := rec.Entries[0].Objects[0]
	stored, err := e.archive.Get(ctx, orig.Key)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Get(e.ts.URL + "/documentos/" + slug(folio) + "/tantos/" + strings.ToLower(orig.Tanto))
	if err != nil {
		t.Fatal(err)
	}
	var served bytes.Buffer
	served.ReadFrom(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.HasPrefix(served.Bytes(), []byte("%PDF")) || bytes.Equal(served.Bytes(), stored) {
		t.Fatalf("download of a cancelled tanto: %d, %d bytes, unchanged: %v", resp.StatusCode, served.Len(), bytes.Equal(served.Bytes(), stored))
	}
	if resp.Header.Get("X-Original-SHA256") != orig.SHA256 || resp.Header.Get("X-Content-SHA256") != "" {
		t.Errorf("headers of a stamped copy: %v", resp.Header)
	}
	if again, _ := e.archive.Get(ctx, orig.Key); !bytes.Equal(again, stored) {
		t.Error("serving a stamped copy changed the stored original")
	}
	if path := os.Getenv("LEGAJO_STAMP_OUT"); path != "" {
		os.WriteFile(path, served.Bytes(), 0o644) // to look at it
	}
	text := pdfText(t, served.Bytes(), "-raw")
	if !strings.Contains(strings.ReplaceAll(text, "\n", ""), "CANCELADO") || !strings.Contains(strings.Join(strings.Fields(text), " "), "DOCUMENTO CANCELADO el 26 de noviembre de 2026; no tiene validez.") {
		t.Errorf("the served tanto lacks the stamp:\n%s", text)
	}
}

// TestVerifyTampered: when what the archive returns for a folio is not that
// document's, the page says it could not check the document, names what
// failed, and shows nothing of the other document as this one's.
func TestVerifyTampered(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, e *env, a, b *legajo.Record)
		detail string
	}{
		{"pointer to another document's entry", func(t *testing.T, e *env, a, b *legajo.Record) {
			// documentos/<folio>/… names the chain entry of the folio.
			ptr := func(r *legajo.Record) string {
				m, _ := filepath.Glob(filepath.Join(e.dir, "documentos", r.Folio.Slug(), "*.json"))
				if len(m) != 1 {
					t.Fatalf("pointers of %s: %v", r.Folio, m)
				}
				return m[0]
			}
			overwrite(t, ptr(a), read(t, ptr(b)))
		}, "El registro de la emisión que el archivo dio para este folio es de otro documento (SESVER/DA/DTI/OL/0002/2026)."},
		{"entry replaced by another document's", func(t *testing.T, e *env, a, b *legajo.Record) {
			overwrite(t, filepath.Join(e.dir, a.Entries[0].Key), read(t, filepath.Join(e.dir, b.Entries[0].Key)))
		}, "El registro de la emisión que el archivo dio para este folio es de otro documento (SESVER/DA/DTI/OL/0002/2026)."},
		{"tanto rewritten", func(t *testing.T, e *env, a, b *legajo.Record) {
			overwrite(t, filepath.Join(e.dir, a.Entries[0].Objects[0].Key), read(t, filepath.Join(e.dir, b.Entries[0].Objects[0].Key)))
		}, "El tanto ORIGINAL fue modificado: su contenido ya no es el registrado."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			var recs []*legajo.Record
			for range 2 {
				rec, err := e.office.Record(ctx, mustFolio(t, e.emit("capturista")))
				if err != nil {
					t.Fatal(err)
				}
				recs = append(recs, rec)
			}
			a, b := recs[0], recs[1]
			tt.tamper(t, e, a, b)
			_, body := e.get(e.client(""), "/verificar/"+a.Folio.Slug()+"?h="+a.Manifests[0].Digest[:16])
			first := firstInMain(t, body)
			if !strings.HasPrefix(first, `<div class="verdict verdict-sin-comprobar" role="alert">`) || !strings.Contains(first, "✗ No se pudo comprobar la integridad") {
				t.Errorf("the page does not start with the failed check:\n%s", first)
			}
			if !strings.Contains(body, tt.detail) {
				t.Errorf("the page does not say %q:\n%s", tt.detail, body)
			}
			if strings.Contains(body, "Documento válido") || strings.Contains(body, "✓") || strings.Contains(body, "<dt>Fecha</dt>") {
				t.Errorf("a tampered document shows as valid, or shows a date:\n%s", body)
			}
			if v := e.apiVerification(a.Folio.String()); v.Verdict != "sin-comprobar" || v.Valid || v.Intact || !v.Date.IsZero() || len(v.Problems) == 0 {
				t.Errorf("API: %+v", v)
			}
			if _, page := e.get(e.client("consulta"), "/documentos/"+a.Folio.Slug()); !strings.Contains(firstInMain(t, page), "✗ No se pudo comprobar la integridad") {
				t.Error("the document page does not start with the failed check")
			}
		})
	}
}

func read(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// overwrite replaces a filed object's bytes, as someone with access to the
// directory could.
func overwrite(t *testing.T, path string, b []byte) {
	t.Helper()
	os.Chmod(path, 0o644)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// pdfText extracts a PDF's text with poppler's pdftotext.
func pdfText(t *testing.T, doc []byte, args ...string) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext is missing: .ci/run must install poppler-utils")
		}
		t.Skip("pdftotext not installed (apt-get install poppler-utils)")
	}
	in := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(in, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, append(append([]string{"-enc", "UTF-8"}, args...), in, "-")...).Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// TestVerifyAnnulled: a folio annulled after an interrupted emission is NO
// VÁLIDO, and says why.
func TestVerifyAnnulled(t *testing.T) {
	e := newEnv(t)
	f := legajo.Folio{Prefix: "SESVER/DA/DTI", Serie: "OL", Number: 7, Year: 2026}
	rec := &legajo.Record{Folio: f, Expediente: "dti", Status: legajo.StatusAnulado, Entries: []legajo.Entry{{
		Expediente: "dti", Seq: 3, At: testClock(), Event: legajo.EventAnulado, Folio: f.String(),
		Reason: "Emisión interrumpida", Key: "cadenas/dti/000000000003.json"}}}
	v, err := e.srv.judge(context.Background(), rec, "")
	if err != nil {
		t.Fatal(err)
	}
	want := "Este folio fue anulado el 26 de noviembre de 2026: se reservó para un documento cuya emisión no se completó, y no corresponde a ningún documento válido. Motivo: Emisión interrumpida"
	if v.Kind != verdictInvalid || v.Headline != "NO VÁLIDO" || v.Message != want || len(v.Problems) != 0 {
		t.Errorf("verdict %+v", v)
	}
}

// TestVerifySealed: with the institution's key, the page proves the
// document's place in the archive's signed log, shows the public key, and
// calls a document the log does not vouch for unverifiable.
func TestVerifySealed(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	skey, vkey, err := archive.GenerateKey("legajo.prueba")
	if err != nil {
		t.Fatal(err)
	}
	signer, err := archive.ParseSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	e.archive.UseKey(signer)
	e.srv.PublicKey = vkey
	folio := e.emit("capturista")

	// Filed days ago (the test clock) and never sealed: not vouched for.
	if v := e.apiVerification(folio); v.Verdict != "sin-comprobar" || v.Valid || !strings.Contains(strings.Join(v.Problems, " "), "registro sellado del archivo no incluye la emisión") {
		t.Errorf("an unsealed old document: %+v", v)
	}
	if _, err := e.archive.Seal(ctx, true); err != nil {
		t.Fatal(err)
	}
	v := e.apiVerification(folio)
	if v.Verdict != "valido" || v.Log == nil || !v.Log.Checked || v.Log.Leaf != 1 || v.Log.Size != 1 || v.Key != vkey ||
		!strings.HasPrefix(v.Sealed, "Incluido en el registro sellado del archivo: hoja 1 de 1 del punto de control firmado por la institución el") {
		t.Errorf("a sealed document: %+v", v)
	}
	_, body := e.get(e.client(""), "/verificar/"+slug(folio))
	// On a phone the folio wraps after a slash, never inside a number.
	if !strings.Contains(body, "<h1>Folio SESVER/<wbr>DA/<wbr>DTI/<wbr>") {
		t.Error("the folio in the heading has no break points after its slashes")
	}
	for _, want := range []string{"La prueba de inclusión se comprobó.", vkey} {
		if !strings.Contains(html.UnescapeString(body), want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	// The entry rewritten without the key (same content, no signature):
	// the log no longer vouches for it.
	rec, err := e.office.Record(ctx, mustFolio(t, folio))
	if err != nil {
		t.Fatal(err)
	}
	emitted, _ := rec.Emitted()
	path := filepath.Join(e.dir, filepath.FromSlash(emitted.Key))
	raw, _ := os.ReadFile(path)
	text, _, _ := strings.Cut(string(raw), "\n\n")
	os.Chmod(path, 0o644)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if v := e.apiVerification(folio); v.Verdict != "sin-comprobar" || v.Valid || v.Log != nil {
		t.Errorf("a rewritten entry: %+v", v)
	}
	_, body = e.get(e.client(""), "/verificar/"+slug(folio))
	if first := firstInMain(t, body); !strings.Contains(first, "No se pudo comprobar la integridad") {
		t.Errorf("the page does not start with the failed check:\n%s", first)
	}
}
