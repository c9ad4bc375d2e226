package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInstrumentsWeb: the web server's carátula and inventarios, fetched
// as an auditor with an API token from the real server: the PDF
// inventory beside the XLSX, the auditor's full name where the sheets say
// who made them (never the login), no storage path, and a clear refusal
// of an unknown format.
func TestInstrumentsWeb(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"LEGAJO_DATA": data, "USER": "rosa.duran"}
	base, _ := startServer(t, env)
	for _, name := range []string{"oficio-liberacion", "minuta"} {
		path := filepath.Join("..", "..", "fixtures", "documents", name+".json")
		if code, _, errs := run(t, env, "emit", "--type", name, "--data", path); code != 0 {
			t.Fatalf("emit %s: exit %d: %s", name, code, errs)
		}
	}
	if code, _, errs := run(t, env, "user", "add", "rosa.duran", "--name", "Rosa Elena Durán Vázquez", "--role", "auditor"); code != 0 {
		t.Fatalf("user add: exit %d: %s", code, errs)
	}
	code, out, errs := run(t, env, "user", "token", "new", "rosa.duran", "--label", "pruebas")
	token := strings.TrimSpace(out[strings.LastIndex(out, "rosa.duran."):])
	if code != 0 || !strings.HasPrefix(token, "rosa.duran.") {
		t.Fatalf("token new: exit %d: %q %s", code, out, errs)
	}
	token = strings.Fields(token)[0]
	get := func(path string) (int, string, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type") + "; " + resp.Header.Get("Content-Disposition"), b
	}
	text := func(b []byte) string {
		t.Helper()
		path := filepath.Join(t.TempDir(), "x.pdf")
		os.WriteFile(path, b, 0o644)
		return pdfText(t, path)
	}
	for _, c := range []struct{ path, name string }{
		{"/inventario?tipo=general&expediente=dti&formato=pdf", "inventario-general-"},
		{"/expedientes/dti/caratula?anio=2026", "caratula-dti-2026.pdf"},
	} {
		status, head, body := get(c.path)
		if status != http.StatusOK || !strings.HasPrefix(head, "application/pdf; attachment") || !strings.Contains(head, c.name) {
			t.Fatalf("%s: %d %s\n%s", c.path, status, head, body)
		}
		got := text(body)
		if !strings.Contains(got, "Rosa Elena Durán Vázquez") || !strings.Contains(got, "Híbrido") {
			t.Errorf("%s: lacks the auditor's name or the soporte:\n%s", c.path, got)
		}
		for _, bad := range []string{"rosa.duran", data, "expedientes/dti", "legajo verify"} {
			if strings.Contains(got, bad) {
				t.Errorf("%s shows %q:\n%s", c.path, bad, got)
			}
		}
	}
	if status, head, _ := get("/inventario?tipo=general"); status != http.StatusOK || !strings.HasPrefix(head, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet; attachment") || !strings.Contains(head, ".xlsx") {
		t.Errorf("the XLSX inventory: %d %s", status, head)
	}
	if status, _, body := get("/inventario?tipo=general&formato=docx"); status != http.StatusUnprocessableEntity || !strings.Contains(string(body), "El formato del inventario debe ser xlsx o pdf.") {
		t.Errorf("an unknown format: %d\n%s", status, body)
	}
}
