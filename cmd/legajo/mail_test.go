package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMailConfig(t *testing.T) {
	const pw = "contraseña-del-correo-9"
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	c := &Config{}
	if err := c.parseMail(env()); err != nil || c.Mail != nil {
		t.Fatalf("no host: %v %+v", err, c.Mail)
	}
	err := c.parseMail(env("LEGAJO_SMTP_HOST", "smtp.ssaver.gob.mx", "LEGAJO_SMTP_USER", "dti", "LEGAJO_SMTP_PASSWORD", pw, "LEGAJO_SMTP_FROM", "dti@ssaver.gob.mx"))
	if err != nil {
		t.Fatal(err)
	}
	if m := c.Mail; m.Port != 587 || !m.StartTLS || m.User != "dti" || m.Password != pw || m.From != "dti@ssaver.gob.mx" {
		t.Errorf("%+v", *m)
	}
	if s := fmt.Sprint(c.Mail) + fmt.Sprintf("%v %s", *c.Mail, *c.Mail); strings.Contains(s, pw) {
		t.Errorf("the password is printed: %s", s)
	}
	if err := c.parseMail(env("LEGAJO_SMTP_HOST", "h", "LEGAJO_SMTP_FROM", "a@b.mx", "LEGAJO_SMTP_PORT", "25", "LEGAJO_SMTP_STARTTLS", "false")); err != nil || c.Mail.StartTLS || c.Mail.Port != 25 {
		t.Errorf("port 25 without STARTTLS: %v %+v", err, c.Mail)
	}
	for name, e := range map[string]func(string) string{
		"no sender":         env("LEGAJO_SMTP_HOST", "h"),
		"bad port":          env("LEGAJO_SMTP_HOST", "h", "LEGAJO_SMTP_FROM", "a@b.mx", "LEGAJO_SMTP_PORT", "x"),
		"bad starttls":      env("LEGAJO_SMTP_HOST", "h", "LEGAJO_SMTP_FROM", "a@b.mx", "LEGAJO_SMTP_STARTTLS", "tal vez"),
		"password, no user": env("LEGAJO_SMTP_HOST", "h", "LEGAJO_SMTP_FROM", "a@b.mx", "LEGAJO_SMTP_PASSWORD", pw),
	} {
		err := (&Config{}).parseMail(e)
		if err == nil || !strings.Contains(err.Error(), "LEGAJO_SMTP") || strings.Contains(err.Error(), pw) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// `legajo receive` registers a phone call without a file and an e-mail
// from its .eml.
func TestReceiveWithoutPaperCLI(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"LEGAJO_DATA": filepath.Join(dir, "data")}
	call := filepath.Join(dir, "llamada.json")
	os.WriteFile(call, []byte(`{"tipo": "Llamada telefónica", "fecha_recepcion": "2026-11-26", "hora_recepcion": "10:15",
		"remitente": "Lic. Sofía Ávila", "area": "Jurisdicción Sanitaria V", "extension": "3021", "asunto": "Falla del enlace"}`), 0o644)
	if code, out, errs := run(t, env, "receive", "--data", call); code != 0 || !strings.Contains(out, "RE/0001/2026") {
		t.Fatalf("call: %d %s %s", code, out, errs)
	}
	area := filepath.Join(dir, "area.json")
	os.WriteFile(area, []byte(`{"area": "Jurisdicción Sanitaria V"}`), 0o644)
	eml := filepath.Join("..", "..", "testdata", "eml", "respaldo-multipart.eml")
	if code, out, errs := run(t, env, "receive", "--data", area, "--eml", eml, "--json"); code != 0 || !strings.Contains(out, "RE/0002/2026") || !strings.Contains(out, `"CORREO"`) {
		t.Fatalf("eml: %d %s %s", code, out, errs)
	}
	if code, _, errs := run(t, env, "receive", "--data", area); code == 0 || !strings.Contains(errs, "Documento escaneado") {
		t.Errorf("paper without its scan: %d %s", code, errs)
	}
}
