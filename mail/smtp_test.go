package mail

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/internal/mailtest"
)

const secret = "s3creto-de-prueba-Ñ"

func newSMTP(t *testing.T, srv *mailtest.Server, mod func(*Config)) *SMTP {
	t.Helper()
	cfg := Config{Host: srv.Host, Port: srv.Port, From: "dti@ssaver.gob.mx", Timeout: 10 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func unique(t *testing.T, who string) string {
	return who + "." + strings.ToLower(strings.NewReplacer("/", "-", " ", "-").Replace(t.Name())) + "." + time.Now().Format("150405.000000") + "@ssaver.gob.mx"
}

// A message with accents goes through STARTTLS with a login and arrives
// as written; the password appears nowhere: not in the message, the
// configuration's text or its log line.
func TestSendStartTLSWithLogin(t *testing.T) {
	srv := mailtest.Open(t)
	if srv.TLS == nil {
		t.Fatal("LEGAJO_TEST_SMTP_CA is not set: the STARTTLS test needs the server's certificate")
	}
	s := newSMTP(t, srv, func(c *Config) { c.User, c.Password, c.StartTLS, c.TLS = "dti", secret, true, srv.TLS })
	to := unique(t, "maria")
	err := s.Send(context.Background(), legajo.Message{To: []string{to}, Subject: "Reunión de seguimiento — Jurisdicción Sanitaria V",
		Text: "Buenos días:\n\nLa reunión es el miércoles; añada sus comentarios.\nÚltima línea con ñ y «comillas»."})
	if err != nil {
		t.Fatal(err)
	}
	got := srv.For(t, to, 1)
	m := srv.Message(t, got[0].ID)
	if m.Subject != "Reunión de seguimiento — Jurisdicción Sanitaria V" || m.From.Address != "dti@ssaver.gob.mx" ||
		!strings.Contains(m.Text, "añada sus comentarios.\r\nÚltima línea con ñ y «comillas».") && !strings.Contains(m.Text, "añada sus comentarios.\nÚltima línea con ñ y «comillas».") {
		t.Errorf("arrived: %q / %q", m.Subject, m.Text)
	}
	if raw := srv.Raw(t, got[0].ID); bytes.Contains(raw, []byte(secret)) {
		t.Error("the password is in the message")
	}
	var log bytes.Buffer
	slog.New(slog.NewTextHandler(&log, nil)).Info("smtp", "config", s.cfg)
	if strings.Contains(s.cfg.String(), secret) || strings.Contains(log.String(), secret) || !strings.Contains(log.String(), "dti") {
		t.Errorf("the password leaks: %q / %q", s.cfg.String(), log.String())
	}
}

// Without STARTTLS, to 127.0.0.1, with an attachment.
func TestSendPlainWithAttachment(t *testing.T) {
	srv := mailtest.Open(t)
	s := newSMTP(t, srv, nil)
	to := unique(t, "ana")
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{0, 1, 2, 250, 255}, 4000)...)
	err := s.Send(context.Background(), legajo.Message{To: []string{to}, Subject: "Minuta", Text: "Adjunta.",
		Attachments: []legajo.MailAttachment{{Name: "SESVER-DA-DTI-MI-0001-2026.pdf", ContentType: "application/pdf", Data: pdf}}})
	if err != nil {
		t.Fatal(err)
	}
	m := srv.Message(t, srv.For(t, to, 1)[0].ID)
	if len(m.Attachments) != 1 || m.Attachments[0].FileName != "SESVER-DA-DTI-MI-0001-2026.pdf" || m.Attachments[0].ContentType != "application/pdf" {
		t.Fatalf("attachments %+v", m.Attachments)
	}
	if got := srv.Part(t, m.ID, m.Attachments[0].PartID); !bytes.Equal(got, pdf) {
		t.Errorf("the attachment arrived changed (%d bytes, want %d)", len(got), len(pdf))
	}
}

// A server that cannot be trusted or reached is ErrUnavailable, told in
// Spanish, and the cause for the log never holds the password.
func TestSendFailures(t *testing.T) {
	srv := mailtest.Open(t)
	untrusted := newSMTP(t, srv, func(c *Config) { c.User, c.Password, c.StartTLS = "dti", secret, true })
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	down := newSMTP(t, srv, func(c *Config) { c.Port = port; c.Timeout = 2 * time.Second })
	for name, s := range map[string]*SMTP{"untrusted certificate": untrusted, "nobody listening": down} {
		t.Run(name, func(t *testing.T) {
			to := unique(t, "nadie")
			err := s.Send(context.Background(), legajo.Message{To: []string{to}, Subject: "x", Text: "x"})
			var se *SendError
			if !errors.Is(err, legajo.ErrUnavailable) || !errors.As(err, &se) || !strings.HasPrefix(err.Error(), "No se pudo enviar el correo") {
				t.Fatalf("got %v", err)
			}
			if strings.Contains(se.Cause.Error(), secret) {
				t.Error("the cause holds the password")
			}
		})
	}
	// A password is never sent in clear to another host: net/smtp refuses.
	if _, err := New(Config{Host: "smtp.example.org", Port: 25, From: "x"}); err == nil {
		t.Error("a sender without @ was taken")
	}
	if _, err := New(Config{Host: "h", Port: 25, From: "a@b.mx", Password: secret}); err == nil {
		t.Error("a password without a user was taken")
	}
	s := newSMTP(t, srv, nil)
	for _, bad := range [][]string{nil, {"sin-arroba"}, {"a@b.mx\r\nBcc: x@y.mx"}} {
		if err := s.Send(context.Background(), legajo.Message{To: bad, Subject: "x", Text: "x"}); !errors.Is(err, legajo.ErrInvalid) {
			t.Errorf("recipients %q: %v", bad, err)
		}
	}
}

// The Notifier writes each kind of message, respects a person's opt-outs
// and sends one digest a day.
func TestNotices(t *testing.T) {
	srv := mailtest.Open(t)
	day := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	now := day
	n := &legajo.Notices{Mailer: newSMTP(t, srv, nil), Institution: "Departamento de Tecnologías de la Información", Now: func() time.Time { return now }}
	ctx := context.Background()
	ana := legajo.Person{Login: "ana", Name: "Ana Capturista", Email: unique(t, "ana")}
	c := legajo.CaseNotice{Number: "T-2026-0042", Title: "Respaldo de la base de datos del SIAFFASPE", Procedure: "Respaldo de Base de Datos",
		From: "Ing. Pérez", Due: time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC), Link: "https://legajo.ssaver.gob.mx/tramites/T-2026-0042"}
	if err := n.Turnado(ctx, ana, c); err != nil {
		t.Fatal(err)
	}
	if err := n.DueSoon(ctx, ana, c); err != nil {
		t.Fatal(err)
	}
	if err := n.Overdue(ctx, ana, c); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second the same day sends nothing
		if err := n.Digest(ctx, ana, []legajo.CaseNotice{c}, []legajo.CaseNotice{c, c}); err != nil {
			t.Fatal(err)
		}
	}
	got := srv.For(t, ana.Email, 4)
	subjects := map[string]string{}
	for _, s := range got {
		subjects[s.Subject] = s.ID
	}
	for subj, want := range map[string]string{
		"Trámite turnado: T-2026-0042 — Respaldo de la base de datos del SIAFFASPE":    "Se le turnó el trámite T-2026-0042",
		"Trámite por vencer: T-2026-0042 — Respaldo de la base de datos del SIAFFASPE": "vence el 30 de noviembre de 2026",
		"Trámite vencido: T-2026-0042 — Respaldo de la base de datos del SIAFFASPE":    "venció el 30 de noviembre de 2026",
		"Resumen de trámites: 2 vencidos, 1 por vencer":                                "Resumen de sus trámites al 26 de noviembre de 2026",
	} {
		id, ok := subjects[subj]
		if !ok {
			t.Errorf("no message %q among %v", subj, subjects)
			continue
		}
		if m := srv.Message(t, id); !strings.Contains(m.Text, want) || !strings.Contains(m.Text, "Ana Capturista") {
			t.Errorf("%q says %q", subj, m.Text)
		}
	}
	// The next day brings another digest.
	now = day.Add(24 * time.Hour)
	if err := n.Digest(ctx, ana, nil, []legajo.CaseNotice{c}); err != nil {
		t.Fatal(err)
	}
	srv.For(t, ana.Email, 5)

	// Opted out of the optional kinds: only the turnado arrives.
	beto := legajo.Person{Login: "beto", Name: "Beto", Email: unique(t, "beto"), OptOut: []legajo.MailKind{legajo.MailPorVencer, legajo.MailVencido, legajo.MailResumen, legajo.MailTurnado}}
	n.DueSoon(ctx, beto, c)
	n.Overdue(ctx, beto, c)
	n.Digest(ctx, beto, []legajo.CaseNotice{c}, nil)
	if err := n.Turnado(ctx, beto, c); err != nil {
		t.Fatal(err)
	}
	if got := srv.For(t, beto.Email, 1); !strings.HasPrefix(got[0].Subject, "Trámite turnado") {
		t.Errorf("beto got %q", got[0].Subject)
	}
	// No address: nothing, no error.
	if err := n.Turnado(ctx, legajo.Person{Login: "x"}, c); err != nil {
		t.Error(err)
	}

	// A minuta to typed addresses, the PDF attached.
	a1, a2 := unique(t, "asistente1"), unique(t, "asistente2")
	pdf := []byte("%PDF-1.4\nminuta\n%%EOF\n")
	if err := n.Minuta(ctx, []string{a1 + "; " + strings.ToUpper(a1[:1]) + a1[1:], a2}, "SESVER/DA/DTI/MI/0001/2026", "Reunión de seguimiento — SICIP", pdf, "Ana Capturista"); err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{a1, a2} {
		m := srv.Message(t, srv.For(t, a, 1)[0].ID)
		if m.Subject != "Minuta de acuerdos SESVER/DA/DTI/MI/0001/2026 — Reunión de seguimiento — SICIP" || len(m.Attachments) != 1 ||
			m.Attachments[0].FileName != "SESVER-DA-DTI-MI-0001-2026.pdf" || !bytes.Equal(srv.Part(t, m.ID, m.Attachments[0].PartID), pdf) {
			t.Errorf("minuta to %s: %+v", a, m)
		}
	}
	var ve *legajo.ValidationError
	if err := n.Minuta(ctx, []string{"uno@ssaver.gob.mx, dos"}, "F", "S", pdf, "x"); !errors.As(err, &ve) || ve.Problems[0].Field != "destinatarios" ||
		!strings.Contains(err.Error(), "«dos» no es una dirección de correo completa") {
		t.Errorf("bad address: %v", err)
	}
}
