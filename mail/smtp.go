// Package mail sends Legajo's messages through an SMTP server (net/smtp):
// STARTTLS when configured, PLAIN authentication with credentials from
// the environment, MIME built here (a text/plain body in quoted-printable
// UTF-8 and base64 attachments). The password is never logged or shown:
// Config's String and LogValue leave it out.
package mail

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/sesver/legajo"
)

// Config is the SMTP account (LEGAJO_SMTP_*).
type Config struct {
	Host     string
	Port     int
	User     string
	Password string
	From     string // the sender's address, e.g. dti@ssaver.gob.mx
	StartTLS bool
	// Timeout bounds a whole delivery; 0 means 30 s.
	Timeout time.Duration
	// TLS, when set, is used for STARTTLS (tests: a private CA).
	TLS *tls.Config
}

// String describes the account without its password.
func (c Config) String() string {
	auth := "sin autenticación"
	if c.User != "" {
		auth = "usuario " + c.User + ", contraseña oculta"
	}
	return fmt.Sprintf("smtp://%s (STARTTLS %v, %s, remitente %s)", net.JoinHostPort(c.Host, strconv.Itoa(c.Port)), c.StartTLS, auth, c.From)
}

// LogValue keeps the password out of structured logs.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(slog.String("host", c.Host), slog.Int("port", c.Port), slog.String("user", c.User),
		slog.Bool("starttls", c.StartTLS), slog.String("from", c.From))
}

// SMTP is a legajo.Mailer.
type SMTP struct {
	cfg Config
}

var _ legajo.Mailer = (*SMTP)(nil)

// New checks cfg and returns its Mailer.
func New(cfg Config) (*SMTP, error) {
	if cfg.Host == "" {
		return nil, errors.New("mail: no SMTP host")
	}
	if cfg.Port <= 0 || cfg.Port > 65535 {
		return nil, fmt.Errorf("mail: SMTP port %d out of range", cfg.Port)
	}
	if _, err := parseAddr(cfg.From); err != nil {
		return nil, fmt.Errorf("mail: sender %q is not an address", cfg.From)
	}
	if cfg.Password != "" && cfg.User == "" {
		return nil, errors.New("mail: a password without a user")
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &SMTP{cfg: cfg}, nil
}

func parseAddr(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, "\r\n<>,;\" ") || strings.Count(s, "@") != 1 || strings.HasPrefix(s, "@") || strings.HasSuffix(s, "@") {
		return "", errors.New("bad address")
	}
	return s, nil
}

// Send delivers m. Errors wrap legajo.ErrInvalid (the message) or
// legajo.ErrUnavailable (the server), with a Spanish message.
func (s *SMTP) Send(ctx context.Context, m legajo.Message) error {
	if len(m.To) == 0 {
		return legajo.Errorf(legajo.ErrInvalid, "El mensaje no tiene destinatarios.")
	}
	for _, to := range m.To {
		if _, err := parseAddr(to); err != nil {
			return legajo.Errorf(legajo.ErrInvalid, "«%s» no es una dirección de correo válida.", to)
		}
	}
	body, err := s.compose(m)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()
	if err := s.deliver(ctx, m.To, body); err != nil {
		return &SendError{Server: net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port)), Cause: redact(err, s.cfg.Password)}
	}
	return nil
}

// SendError is a delivery the server did not take. Its message is for a
// person; Cause, for the log, never holds the password. It matches
// legajo.ErrUnavailable.
type SendError struct {
	Server string
	Cause  error
}

func (e *SendError) Error() string {
	return "No se pudo enviar el correo: el servidor de correo no respondió o no lo aceptó. Inténtelo más tarde; si persiste, avise al administrador."
}

func (e *SendError) Unwrap() error        { return e.Cause }
func (e *SendError) Is(target error) bool { return target == legajo.ErrUnavailable }

func (s *SMTP) deliver(ctx context.Context, to []string, body []byte) error {
	addr := net.JoinHostPort(s.cfg.Host, strconv.Itoa(s.cfg.Port))
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer conn.Close()
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	// A cancelled context ends a delivery stuck in the middle.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	c, err := smtp.NewClient(conn, s.cfg.Host)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("legajo"); err != nil {
		return err
	}
	if s.cfg.StartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return errors.New("the server does not offer STARTTLS, which LEGAJO_SMTP_STARTTLS requires")
		}
		tc := s.cfg.TLS
		if tc == nil {
			tc = &tls.Config{ServerName: s.cfg.Host, MinVersion: tls.VersionTLS12}
		}
		if err := c.StartTLS(tc); err != nil {
			return err
		}
	}
	if s.cfg.User != "" {
		// smtp.PlainAuth refuses to send the password unencrypted except
		// to localhost.
		if err := c.Auth(smtp.PlainAuth("", s.cfg.User, s.cfg.Password, s.cfg.Host)); err != nil {
			return fmt.Errorf("authentication as %s failed: %w", s.cfg.User, redact(err, s.cfg.Password))
		}
	}
	if err := c.Mail(s.cfg.From); err != nil {
		return err
	}
	for _, r := range to {
		if err := c.Rcpt(r); err != nil {
			return fmt.Errorf("recipient %s: %w", r, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(body); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// redact keeps a password out of an error a server might echo.
func redact(err error, secret string) error {
	if secret == "" || !strings.Contains(err.Error(), secret) {
		return err
	}
	return errors.New(strings.ReplaceAll(err.Error(), secret, "********"))
}

// compose writes m as an RFC 5322 message with MIME parts.
func (s *SMTP) compose(m legajo.Message) ([]byte, error) {
	var b bytes.Buffer
	h := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	h("From", s.cfg.From)
	h("To", strings.Join(m.To, ", "))
	h("Subject", mime.QEncoding.Encode("utf-8", oneLine(m.Subject)))
	h("Date", time.Now().Format(time.RFC1123Z))
	h("Message-ID", "<"+token()+"@legajo>")
	h("MIME-Version", "1.0")
	h("Auto-Submitted", "auto-generated")
	text := func(w *bytes.Buffer) error {
		qp := quotedprintable.NewWriter(w)
		if _, err := qp.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(m.Text, "\r\n", "\n"), "\n", "\r\n"))); err != nil {
			return err
		}
		return qp.Close()
	}
	if len(m.Attachments) == 0 {
		h("Content-Type", "text/plain; charset=utf-8")
		h("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		if err := text(&b); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}
	mw := multipart.NewWriter(&b)
	h("Content-Type", "multipart/mixed; boundary="+mw.Boundary())
	b.WriteString("\r\n")
	pw, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"text/plain; charset=utf-8"}, "Content-Transfer-Encoding": {"quoted-printable"}})
	if err != nil {
		return nil, err
	}
	var tb bytes.Buffer
	if err := text(&tb); err != nil {
		return nil, err
	}
	pw.Write(tb.Bytes())
	for _, a := range m.Attachments {
		ct := a.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		name := oneLine(a.Name)
		pw, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {mime.FormatMediaType(ct, map[string]string{"name": name})},
			"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": name})},
			"Content-Transfer-Encoding": {"base64"},
		})
		if err != nil {
			return nil, err
		}
		enc := base64.StdEncoding.EncodeToString(a.Data)
		for len(enc) > 76 {
			pw.Write([]byte(enc[:76] + "\r\n"))
			enc = enc[76:]
		}
		pw.Write([]byte(enc + "\r\n"))
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7F {
			return ' '
		}
		return r
	}, s)), " ")
}

func token() string {
	b := make([]byte, 12)
	rand.Read(b)
	return hex.EncodeToString(b)
}
