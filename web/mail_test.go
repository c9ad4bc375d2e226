package web

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/internal/mailtest"
	"github.com/sesver/legajo/mail"
)

func withMail(t *testing.T, e *env, srv *mailtest.Server, port int) {
	t.Helper()
	m, err := mail.New(mail.Config{Host: srv.Host, Port: port, From: "dti@ssaver.gob.mx", Timeout: 3 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	e.office.Mail = &legajo.Notices{Mailer: m, Institution: "Departamento de Tecnologías de la Información"}
}

// «Mi cuenta» keeps one's address and the optional messages one wants.
func TestMailPreferences(t *testing.T) {
	e := newEnv(t)
	c := e.client("capturista")
	_, body := e.get(c, "/cuenta")
	if !strings.Contains(body, "Resumen diario de trámites por vencer y vencidos") || !strings.Contains(body, `value="resumen" checked`) {
		t.Fatal("no mail preferences in «Mi cuenta»")
	}
	resp, _ := e.post(c, "/cuenta/correo", url.Values{"correo": {" ana.capturista@ssaver.gob.mx "}, "aviso": {"vencido"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d", resp.StatusCode)
	}
	u, _ := e.archive.User(context.Background(), "capturista")
	if u.Email != "ana.capturista@ssaver.gob.mx" || strings.Join(u.MailOptOut, ",") != "por-vencer,resumen" {
		t.Errorf("saved %q %v", u.Email, u.MailOptOut)
	}
	p := legajo.PersonOf(u)
	if p.Wants(legajo.MailResumen) || !p.Wants(legajo.MailVencido) || !p.Wants(legajo.MailTurnado) {
		t.Errorf("wants: %+v", p)
	}
	_, body = e.get(c, "/cuenta")
	if !strings.Contains(body, `value="vencido" checked`) || strings.Contains(body, `value="resumen" checked`) {
		t.Error("the page does not show what was saved")
	}
	resp, body = e.post(c, "/cuenta/correo", url.Values{"correo": {"ana@"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "«Correo electrónico»: «ana@» no es una dirección de correo completa") {
		t.Errorf("bad address: %d", resp.StatusCode)
	}
}

// An issued minuta goes «vía correo» to the asistentes with an account
// and to typed addresses, its filed PDF attached.
func TestMailMinuta(t *testing.T) {
	srv := mailtest.Open(t)
	e := newEnv(t)
	withMail(t, e, srv, srv.Port)
	ctx := context.Background()
	stamp := time.Now().Format("150405.000000")
	rodrigo := "rodrigo." + stamp + "@ssaver.gob.mx"
	typed := "norma." + stamp + "@ssaver.gob.mx"
	hash, _ := HashPassword(testPassword)
	if _, err := e.archive.SaveUser(ctx, legajo.User{Login: "rsalas", Name: "Ing. Rodrigo Salas Viveros", Role: legajo.RoleConsulta, Email: rodrigo, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	f := e.emitType("minuta", "capturista")
	c := e.client("capturista")
	page := "/documentos/" + f.Slug()
	_, body := e.get(c, page)
	if !strings.Contains(body, "Enviar por correo") || !strings.Contains(body, `value="`+rodrigo+`" checked`) {
		t.Fatal("no «Enviar por correo» with the asistente who has an account")
	}
	resp, body := e.post(c, page+"/correo", url.Values{"asistente": {rodrigo}, "destinatarios": {typed + ", sin-arroba"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "«sin-arroba» no es una dirección de correo completa") || !strings.Contains(body, typed+", sin-arroba</textarea>") {
		t.Errorf("a bad address: %d", resp.StatusCode)
	}
	resp, _ = e.post(c, page+"/correo", url.Values{"asistente": {rodrigo}, "destinatarios": {typed}})
	if resp.StatusCode != http.StatusSeeOther || !strings.Contains(resp.Header.Get("Location"), "enviado=2") {
		t.Fatalf("send: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	rec, _ := e.archive.Record(ctx, f)
	o, _ := findObject(rec, func(o legajo.Object) bool { return o.Kind == "pdf" && o.Tanto == "ORIGINAL" })
	filed, _ := e.archive.Get(ctx, o.Key)
	for _, to := range []string{rodrigo, typed} {
		m := srv.Message(t, srv.For(t, to, 1)[0].ID)
		if !strings.HasPrefix(m.Subject, "Minuta de acuerdos "+f.String()+" — ") || len(m.Attachments) != 1 ||
			!bytes.Equal(srv.Part(t, m.ID, m.Attachments[0].PartID), filed) || !strings.Contains(m.Text, "Enviada por Ana Capturista") {
			t.Errorf("to %s: %q, %d attachment(s)", to, m.Subject, len(m.Attachments))
		}
	}
	_, body = e.get(c, page+"?enviado=2")
	if !strings.Contains(body, "Minuta enviada por correo a 2 destinatario(s)") {
		t.Error("no notice after sending")
	}
	// A server that does not answer: told, nothing lost.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	withMail(t, e, srv, port)
	resp, body = e.post(c, page+"/correo", url.Values{"destinatarios": {typed}})
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, "No se pudo enviar el correo") || !strings.Contains(body, typed+"</textarea>") {
		t.Errorf("server down: %d", resp.StatusCode)
	}
	withMail(t, e, srv, srv.Port)
	// A cancelled minuta is not sent; other types offer no such action.
	if _, err := e.office.Cancel(ctx, f, "Se capturaron mal los acuerdos de la reunión", "capturista"); err != nil {
		t.Fatal(err)
	}
	resp, body = e.post(c, page+"/correo", url.Values{"destinatarios": {typed}})
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "está cancelada: no se envía por correo") {
		t.Errorf("cancelled: %d", resp.StatusCode)
	}
	srv.For(t, typed, 1) // still the one message
	if _, body := e.get(c, "/documentos/"+e.emitType("respaldo-bd", "capturista").Slug()); strings.Contains(body, "Enviar por correo") {
		t.Error("a respaldo offers «Enviar por correo»")
	}
	// Without a mail server configured, no action at all.
	e.office.Mail = nil
	if _, body := e.get(c, "/documentos/"+e.emitType("minuta", "capturista").Slug()); strings.Contains(body, "Enviar por correo") {
		t.Error("«Enviar por correo» without a mail server")
	}
}
