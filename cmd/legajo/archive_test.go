package main

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// cycle runs a procedure's paper trail through the CLI: emit, show, acuse,
// cancel, receive, list, verify, fsck.
func cycle(t *testing.T, env map[string]string) {
	dir := t.TempDir()
	data := "../../fixtures/documents/oficio-liberacion.json"
	code, out, errs := run(t, env, "emit", "--type", "oficio-liberacion", "--data", data, "--tramite", "SICIP",
		"--idempotency-key", "k1", "--author", "ana", "--out", filepath.Join(dir, "print"), "--json")
	if code != 0 {
		t.Fatalf("emit: exit %d: %s", code, errs)
	}
	var res struct {
		Folio, Type, Expediente, Date string
		Tantos                        []struct{ Tanto, Key, SHA256 string }
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("emit --json: %v\n%s", err, out)
	}
	if res.Folio != "SESVER/DA/DTI/OL/0001/2026" || res.Expediente != "dti" || len(res.Tantos) != 2 || res.Date == "" {
		t.Fatalf("emit result %+v", res)
	}
	// the same key again: the same folio, not a second one
	_, out2, _ := run(t, env, "emit", "--type", "oficio-liberacion", "--data", data, "--tramite", "SICIP", "--idempotency-key", "k1", "--json")
	if !strings.Contains(out2, res.Folio) {
		t.Errorf("retry with the same key: %s", out2)
	}
	prints, _ := filepath.Glob(filepath.Join(dir, "print", "*.pdf"))
	if len(prints) != 2 {
		t.Errorf("--out wrote %v", prints)
	}
	if code, out, errs = run(t, env, "show", res.Folio); code != 0 || !strings.Contains(out, "pendiente de acuse") {
		t.Errorf("show: %d %s %s", code, out, errs)
	}
	scan := filepath.Join(dir, "acuse.pdf")
	os.WriteFile(scan, []byte("%PDF-1.4\n% acuse firmado\n%%EOF\n"), 0o644)
	if code, _, errs = run(t, env, "acuse", "SESVER-DA-DTI-OL-0001-2026", scan); code != 0 {
		t.Errorf("acuse: %s", errs)
	}
	if code, _, errs = run(t, env, "cancel", res.Folio, "--reason", "x"); code != 1 || !strings.Contains(errs, "motivo de la cancelación es obligatorio") {
		t.Errorf("cancel without a real reason: %d %s", code, errs)
	}
	if code, _, errs = run(t, env, "cancel", res.Folio, "--reason", "Se sustituye por el oficio con la versión 1.1."); code != 0 {
		t.Errorf("cancel: %s", errs)
	}
	recv := filepath.Join(dir, "recibido.json")
	os.WriteFile(recv, []byte(`{"tipo": "Tarjeta", "fecha_recepcion": "2026-11-25", "hora_recepcion": "09:15",
		"remitente": "Lic. Sofía Ramírez Mora", "cargo": "Jefa del Departamento de Adquisiciones",
		"area": "Departamento de Adquisiciones", "asunto": "Solicitud de restablecimiento de contraseña"}`), 0o644)
	if code, out, errs = run(t, env, "receive", "--data", recv, "--scan", scan, "--json"); code != 0 || !strings.Contains(out, "RE/0001/2026") {
		t.Errorf("receive: %d %s %s", code, out, errs)
	}
	code, out, _ = run(t, env, "show", res.Folio, "--json")
	var rec struct {
		Status string
		Events []struct{ Event string }
	}
	json.Unmarshal([]byte(out), &rec)
	if code != 0 || rec.Status != "cancelado" || len(rec.Events) != 3 {
		t.Errorf("show --json: %d %+v", code, rec)
	}
	code, out, _ = run(t, env, "list", "--expediente", "dti", "--from", "2026-11-01", "--to", "2026-11-30", "--json")
	var list []map[string]any
	if json.Unmarshal([]byte(out), &list); code != 0 || len(list) != 3 {
		t.Errorf("list: %d %s", code, out)
	}
	if code, out, errs = run(t, env, "verify"); code != 0 {
		t.Errorf("verify: %d %s %s", code, out, errs)
	}
	if code, _, errs = run(t, env, "fsck", "--json"); code != 0 {
		t.Errorf("fsck: %s", errs)
	}
}

func TestCycleFS(t *testing.T) {
	cycle(t, map[string]string{"LEGAJO_DATA": t.TempDir(), "USER": "ana"})
}

// TestCycleS3 runs the same cycle against the real S3 server that .ci/run
// starts.
func TestCycleS3(t *testing.T) {
	env := s3Env(t, "legajo-cli-"+strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-")))
	env["LEGAJO_DATA"] = t.TempDir()
	cycle(t, env)
}

// s3Env is the environment that points Main at a new bucket, named from
// bucket and a random suffix, on the S3 server of LEGAJO_TEST_S3
// (http://ACCESS:SECRET@HOST:PORT/…, as .ci/s3.sh exports it). Without it
// the test is skipped, except in CI, where the S3 tests must run.
func s3Env(tb testing.TB, bucket string) map[string]string {
	tb.Helper()
	spec := os.Getenv("LEGAJO_TEST_S3")
	if spec == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("LEGAJO_TEST_S3 is not set: CI must run the s3 tests against the real server")
		}
		tb.Skip("LEGAJO_TEST_S3 is not set")
	}
	u, err := url.Parse(spec)
	if err != nil || u.User == nil {
		tb.Fatalf("LEGAJO_TEST_S3=%q", spec)
	}
	secret, _ := u.User.Password()
	return map[string]string{
		"LEGAJO_ARCHIVE":       "s3://" + u.Host + "/" + bucket + "-" + randomSuffix(),
		"LEGAJO_S3_ACCESS_KEY": u.User.Username(), "LEGAJO_S3_SECRET_KEY": secret, "LEGAJO_S3_INSECURE": "1",
	}
}

func randomSuffix() string {
	b, _ := os.ReadFile("/proc/sys/kernel/random/uuid")
	return strings.ReplaceAll(strings.TrimSpace(string(b)), "-", "")[:10]
}

// TestVerifyTampered: a modified object makes verify exit 1 naming it.
func TestVerifyTampered(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"LEGAJO_DATA": data}
	if code, _, errs := run(t, env, "emit", "--type", "minuta", "--data", "../../fixtures/documents/minuta.json"); code != 0 {
		t.Fatal(errs)
	}
	pdfs, _ := filepath.Glob(filepath.Join(data, "archive", "expedientes", "dti", "2026", "11", "*.pdf"))
	if len(pdfs) == 0 {
		t.Fatal("nothing filed")
	}
	os.Chmod(pdfs[0], 0o644)
	b, _ := os.ReadFile(pdfs[0])
	os.WriteFile(pdfs[0], append(b, '\n'), 0o644)
	code, out, _ := run(t, env, "verify", "--expediente", "dti")
	if code != 1 || !strings.Contains(out, "modificado") || !strings.Contains(out, filepath.Base(pdfs[0])) {
		t.Errorf("verify of a tampered archive: exit %d\n%s", code, out)
	}
}

// TestSecretsNotInOutputs: the password of the e-mail account form reaches
// the printed exemplar and nothing else the CLI writes or says.
func TestSecretsNotInOutputs(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"LEGAJO_DATA": data}
	raw, _ := os.ReadFile("../../fixtures/documents/acuse-cuenta-correo.json")
	var fields map[string]any
	json.Unmarshal(raw, &fields)
	var secret string
	for _, k := range []string{"contrasena", "contrasena_inicial", "password"} {
		if s, ok := fields[k].(string); ok {
			secret = s
		}
	}
	if secret == "" {
		t.Fatalf("no password field in the sample: %v", fields)
	}
	code, out, errs := run(t, env, "emit", "--type", "acuse-cuenta-correo", "--data", "../../fixtures/documents/acuse-cuenta-correo.json", "--json")
	if code != 0 {
		t.Fatal(errs)
	}
	if strings.Contains(out+errs, secret) {
		t.Error("the password reached the command's output")
	}
	// a bad request echoes no secret either
	bad := filepath.Join(t.TempDir(), "bad.json")
	fields["correo"] = "no es correo"
	b, _ := json.Marshal(fields)
	os.WriteFile(bad, b, 0o644)
	_, out, errs = run(t, env, "emit", "--type", "acuse-cuenta-correo", "--data", bad, "--json")
	if strings.Contains(out+errs, secret) {
		t.Error("the password reached an error message")
	}
	filepath.Walk(data, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(secret)) {
				t.Errorf("password stored in %s", p)
			}
		}
		return nil
	})
}

// TestLockNotice: verify says, in Spanish, when the storage does not keep
// filed objects from being deleted, and says nothing on a bucket that Legajo
// created with Object Lock.
func TestLockNotice(t *testing.T) {
	const data = "../../fixtures/documents/minuta.json"
	t.Run("fs", func(t *testing.T) {
		env := map[string]string{"LEGAJO_DATA": t.TempDir()}
		run(t, env, "emit", "--type", "minuta", "--data", data)
		code, _, errs := run(t, env, "verify")
		if code != 0 || !strings.Contains(errs, "nota: el archivo está en un directorio") || !strings.Contains(errs, "no impide borrar") {
			t.Errorf("verify on fs: exit %d, stderr %q", code, errs)
		}
	})
	t.Run("s3", func(t *testing.T) {
		env := s3Env(t, "legajo-cli-lock")
		env["LEGAJO_DATA"] = t.TempDir()
		run(t, env, "emit", "--type", "minuta", "--data", data)
		code, _, errs := run(t, env, "verify")
		if code != 0 || strings.Contains(errs, "nota") {
			t.Errorf("verify on a bucket created with Object Lock: exit %d, stderr %q", code, errs)
		}
	})
}
