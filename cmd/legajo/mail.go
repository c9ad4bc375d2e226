package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/mail"
)

// parseMail reads the SMTP account from LEGAJO_SMTP_HOST, _PORT (587),
// _USER, _PASSWORD, _FROM and _STARTTLS (on unless 0 or false). The
// password is taken from the environment only, never from the
// configuration file, and never printed (see mail.Config.String).
// Without a host, Legajo sends no e-mail.
func (c *Config) parseMail(getenv func(string) string) error {
	host := strings.TrimSpace(getenv("LEGAJO_SMTP_HOST"))
	if host == "" {
		return nil
	}
	port, err := strconv.Atoi(envOr(getenv, "LEGAJO_SMTP_PORT", "587"))
	if err != nil || port < 1 || port > 65535 {
		return fmt.Errorf("config: LEGAJO_SMTP_PORT=%q: want a port number, e.g. 587", getenv("LEGAJO_SMTP_PORT"))
	}
	starttls := true
	switch strings.ToLower(strings.TrimSpace(getenv("LEGAJO_SMTP_STARTTLS"))) {
	case "", "1", "true", "yes", "si", "sí":
	case "0", "false", "no":
		starttls = false
	default:
		return fmt.Errorf("config: LEGAJO_SMTP_STARTTLS=%q: want true or false", getenv("LEGAJO_SMTP_STARTTLS"))
	}
	from := strings.TrimSpace(getenv("LEGAJO_SMTP_FROM"))
	if from == "" {
		return fmt.Errorf("config: LEGAJO_SMTP_FROM is required with LEGAJO_SMTP_HOST: the sender's address, e.g. dti@ssaver.gob.mx")
	}
	c.Mail = &mail.Config{Host: host, Port: port, User: getenv("LEGAJO_SMTP_USER"), Password: getenv("LEGAJO_SMTP_PASSWORD"),
		From: from, StartTLS: starttls}
	if _, err := mail.New(*c.Mail); err != nil {
		return fmt.Errorf("config: LEGAJO_SMTP_*: %w", err)
	}
	return nil
}

// notifier is the e-mail Notifier of the configured SMTP account, or nil.
func (c *Config) notifier(now func() time.Time) (legajo.Notifier, error) {
	if c.Mail == nil {
		return nil, nil
	}
	s, err := mail.New(*c.Mail)
	if err != nil {
		return nil, err
	}
	inst := "Departamento de Tecnologías de la Información"
	if n := len(c.Institution.Units); n > 0 {
		inst = c.Institution.Units[n-1]
	}
	return &legajo.Notices{Mailer: s, Institution: inst, Zone: c.Zone, Now: now}, nil
}
