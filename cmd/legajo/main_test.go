package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// run runs the real Main with args and an environment of its own.
func run(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	m := &Main{Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] },
		Now: func() time.Time { return time.Date(2026, 11, 26, 16, 30, 0, 0, time.UTC) }}
	code = m.Run(context.Background(), args)
	return code, out.String(), errb.String()
}

func TestTypesJSON(t *testing.T) {
	code, out, errs := run(t, nil, "types", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var types []map[string]any
	if err := json.Unmarshal([]byte(out), &types); err != nil {
		t.Fatalf("stdout is not one JSON value: %v", err)
	}
	if len(types) != 22 {
		t.Errorf("%d types, want the 22 of the catalog", len(types))
	}
	for _, ty := range types {
		for _, k := range []string{"id", "title", "version", "serie", "expediente", "tantos", "fields"} {
			if _, ok := ty[k]; !ok {
				t.Errorf("type %v lacks %q", ty["id"], k)
			}
		}
		for _, f := range ty["fields"].([]any) {
			fm := f.(map[string]any)
			for _, k := range []string{"name", "label", "type", "required", "options", "columns"} {
				if _, ok := fm[k]; !ok {
					t.Errorf("type %v field %v lacks %q", ty["id"], fm["name"], k)
				}
			}
		}
	}
}

func TestTypesText(t *testing.T) {
	code, out, _ := run(t, nil, "types")
	if code != 0 || !strings.Contains(out, "oficio-liberacion") || !strings.Contains(out, "Oficio de liberación de sistema") {
		t.Errorf("exit %d, output:\n%s", code, out)
	}
}

func TestRender(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := run(t, nil, "render", "--type", "oficio-liberacion", "--data", "../../fixtures/documents/oficio-liberacion.json",
		"--out", dir, "--folio", "42", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var res struct {
		Folio string
		Files []renderedFile
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if res.Folio != "SESVER/DA/DTI/OL/0042/2026" {
		t.Errorf("folio %q", res.Folio)
	}
	for _, name := range []string{"oficio-liberacion-original.pdf", "oficio-liberacion-copia.pdf"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if len(res.Files) != 2 {
		t.Errorf("files = %v", res.Files)
	}
}

func TestRenderBadData(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "d.json")
	os.WriteFile(data, []byte(`{"area": "Dirección de Salud Pública", "fecha_capacitacion": "12/11/2026", "inventado": 1}`), 0o644)
	out := filepath.Join(dir, "out")
	code, _, errs := run(t, nil, "render", "--type", "oficio-liberacion", "--data", data, "--out", out)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, want := range []string{"El campo «Nombre del sistema» es obligatorio.", "«Fecha de la capacitación» no es una fecha válida (use AAAA-MM-DD).",
		"El campo «inventado» no existe en «Oficio de liberación de sistema»."} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("bad data must not produce any PDF or folder")
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{{}, {"nope"}, {"render", "--type", "x"}, {"render", "--bogus"}, {"types", "extra"}} {
		if code, _, _ := run(t, nil, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	code, _, errs := run(t, nil, "render", "--type", "no-existe", "--data", "../../fixtures/documents/oficio-liberacion.json", "--out", t.TempDir())
	if code != 1 || !strings.Contains(errs, "No existe el tipo de documento «no-existe»") {
		t.Errorf("unknown type: exit %d, %s", code, errs)
	}
}

func TestDemo(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := run(t, map[string]string{"LEGAJO_DATA": dir}, "demo")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	pdfs, _ := filepath.Glob(filepath.Join(dir, "demo", "*.pdf"))
	if len(pdfs) < 44 || !strings.Contains(out, "documentos de ejemplo") {
		t.Errorf("%d PDFs; output %q", len(pdfs), out)
	}
}
