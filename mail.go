package legajo

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"time"
)

// The manual sends minutas «vía correo» to their asistentes, and a case
// turned to someone, or about to fall due, is worth a message. Messages
// are written here, in Spanish, and sent by a Mailer (package mail: SMTP).
// Passwords and secret fields never go in a message.

// MailKind is a kind of message a person may receive.
type MailKind string

const (
	MailTurnado   MailKind = "turnado"    // a case was turned to the person
	MailPorVencer MailKind = "por-vencer" // a case falls due soon
	MailVencido   MailKind = "vencido"    // a case is overdue
	MailResumen   MailKind = "resumen"    // the daily digest of both
	MailMinuta    MailKind = "minuta"     // a minuta sent «vía correo»
)

// OptionalMail lists the kinds a person may turn off in «Mi cuenta»,
// with their names for people. A case turned to someone and a minuta sent
// to its asistentes are not optional: they are how the work arrives.
var OptionalMail = []struct {
	Kind  MailKind
	Label string
}{
	{MailPorVencer, "Aviso de cada trámite por vencer"},
	{MailVencido, "Aviso de cada trámite vencido"},
	{MailResumen, "Resumen diario de trámites por vencer y vencidos"},
}

// Optional tells whether a person may turn off kind k.
func (k MailKind) Optional() bool {
	for _, o := range OptionalMail {
		if o.Kind == k {
			return true
		}
	}
	return false
}

// Person is someone a message goes to.
type Person struct {
	Login  string
	Name   string
	Email  string
	OptOut []MailKind // optional kinds the person turned off
}

// PersonOf is the account u as a recipient.
func PersonOf(u User) Person {
	p := Person{Login: u.Login, Name: u.Name, Email: u.Email}
	for _, k := range u.MailOptOut {
		p.OptOut = append(p.OptOut, MailKind(k))
	}
	return p
}

// Wants tells whether the person receives messages of kind k: it has an
// address and did not turn k off.
func (p Person) Wants(k MailKind) bool {
	if p.Email == "" {
		return false
	}
	if !k.Optional() {
		return true
	}
	for _, x := range p.OptOut {
		if x == k {
			return false
		}
	}
	return true
}

// CaseNotice is what a message says about a case (trámite).
type CaseNotice struct {
	Number    string    // número de trámite
	Title     string    // what it is about
	Procedure string    // procedure of the manual, if any
	From      string    // who turned it, by name
	Due       time.Time // zero: no due date
	Link      string    // absolute URL of the case's page, if known
	// Deadline and Action, on the notice of a plazo that passed: the
	// plazo («24 horas, actividad 4») and what the manual orders then.
	Deadline string
	Action   string
}

// Message is one e-mail to send.
type Message struct {
	To          []string // addresses
	Subject     string
	Text        string // plain text, UTF-8
	Attachments []MailAttachment
}

// MailAttachment is a file attached to a message.
type MailAttachment struct {
	Name        string
	ContentType string
	Data        []byte
}

// Mailer sends messages. Send returns an error wrapping ErrUnavailable
// when the server cannot be reached or refuses the message, and ErrInvalid
// when the message itself is wrong (an address, no recipient).
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// Notifier is what the rest of Legajo tells people by e-mail. Each method
// sends at most one message, and none when the person has no address or
// turned that kind off (see Person.Wants): then it returns nil.
type Notifier interface {
	// Turnado tells to that case c was turned to them.
	Turnado(ctx context.Context, to Person, c CaseNotice) error
	// DueSoon tells to that case c falls due on c.Due.
	DueSoon(ctx context.Context, to Person, c CaseNotice) error
	// Overdue tells to that case c fell due on c.Due.
	Overdue(ctx context.Context, to Person, c CaseNotice) error
	// Digest sends to one message with the cases due soon and overdue,
	// at most once a day per person (a second call the same day, in the
	// Office's zone, sends nothing); nothing when both lists are empty.
	Digest(ctx context.Context, to Person, soon, overdue []CaseNotice) error
	// Minuta sends the issued minuta's PDF to addresses.
	Minuta(ctx context.Context, to []string, folio, subject string, pdf []byte, sender string) error
}

// Notices is the Notifier: it writes each message and hands it to Mailer.
type Notices struct {
	Mailer      Mailer
	Institution string // signs the messages, e.g. «Departamento de Tecnologías de la Información»
	Zone        *time.Location
	Now         func() time.Time

	mu     sync.Mutex
	digest map[string]string // login → day of the last digest sent
}

var _ Notifier = (*Notices)(nil)

func (n *Notices) now() time.Time {
	t := time.Now()
	if n.Now != nil {
		t = n.Now()
	}
	if n.Zone != nil {
		t = t.In(n.Zone)
	}
	return t
}

func (n *Notices) signature() string {
	if n.Institution == "" {
		return "\n\n— Legajo\n"
	}
	return "\n\n— " + n.Institution + " (Legajo)\n"
}

func (n *Notices) Turnado(ctx context.Context, to Person, c CaseNotice) error {
	if !to.Wants(MailTurnado) {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s:\n\nSe le turnó el trámite %s: %s.\n", greeting(to), c.Number, c.Title)
	caseLines(&b, c)
	return n.send(ctx, to, "Trámite turnado: "+c.Number+" — "+c.Title, b.String())
}

func (n *Notices) DueSoon(ctx context.Context, to Person, c CaseNotice) error {
	if !to.Wants(MailPorVencer) {
		return nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s:\n\nEl trámite %s (%s) vence el %s.\n", greeting(to), c.Number, c.Title, LongDate(c.Due))
	caseLines(&b, c)
	return n.send(ctx, to, "Trámite por vencer: "+c.Number+" — "+c.Title, b.String())
}

func (n *Notices) Overdue(ctx context.Context, to Person, c CaseNotice) error {
	if !to.Wants(MailVencido) {
		return nil
	}
	var b strings.Builder
	if c.Deadline != "" {
		// A plazo of the manual, counted in hours: the hour matters.
		due := c.Due
		if n.Zone != nil {
			due = due.In(n.Zone)
		}
		fmt.Fprintf(&b, "%s:\n\nEn el trámite %s (%s) venció el plazo de %s el %s a las %s; el trámite sigue abierto.\n",
			greeting(to), c.Number, c.Title, c.Deadline, LongDate(due), due.Format("15:04"))
		if c.Action != "" {
			fmt.Fprintf(&b, "\nLo que ordena el manual: %s\n\n", c.Action)
		}
		c.Due = time.Time{}
		caseLines(&b, c)
		return n.send(ctx, to, "Plazo vencido, "+c.Deadline+": "+c.Number+" — "+c.Title, b.String())
	}
	fmt.Fprintf(&b, "%s:\n\nEl trámite %s (%s) venció el %s y sigue abierto.\n", greeting(to), c.Number, c.Title, LongDate(c.Due))
	caseLines(&b, c)
	return n.send(ctx, to, "Trámite vencido: "+c.Number+" — "+c.Title, b.String())
}

func (n *Notices) Digest(ctx context.Context, to Person, soon, overdue []CaseNotice) error {
	if !to.Wants(MailResumen) || len(soon)+len(overdue) == 0 {
		return nil
	}
	day := n.now().Format(DateLayout)
	n.mu.Lock()
	if n.digest == nil {
		n.digest = map[string]string{}
	}
	if n.digest[to.Login] == day {
		n.mu.Unlock()
		return nil
	}
	// Taken before sending: two schedulers racing send one digest; a
	// failed send gives the day back.
	n.digest[to.Login] = day
	n.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "%s:\n\nResumen de sus trámites al %s.\n", greeting(to), LongDate(n.now()))
	if len(overdue) > 0 {
		fmt.Fprintf(&b, "\nVencidos (%d):\n", len(overdue))
		for _, c := range overdue {
			fmt.Fprintf(&b, "  • %s — %s; venció el %s%s\n", c.Number, c.Title, LongDate(c.Due), linkSuffix(c))
		}
	}
	if len(soon) > 0 {
		fmt.Fprintf(&b, "\nPor vencer (%d):\n", len(soon))
		for _, c := range soon {
			fmt.Fprintf(&b, "  • %s — %s; vence el %s%s\n", c.Number, c.Title, LongDate(c.Due), linkSuffix(c))
		}
	}
	b.WriteString("\nPuede dejar de recibir este resumen en «Mi cuenta».")
	subject := "Resumen de trámites: " + Plural(len(overdue), "vencido", "vencidos") + ", " + Plural(len(soon), "por vencer", "por vencer")
	if err := n.send(ctx, to, subject, b.String()); err != nil {
		n.mu.Lock()
		if n.digest[to.Login] == day {
			delete(n.digest, to.Login)
		}
		n.mu.Unlock()
		return err
	}
	return nil
}

func (n *Notices) Minuta(ctx context.Context, to []string, folio, subject string, pdf []byte, sender string) error {
	addrs, err := ParseRecipients(strings.Join(to, ","))
	if err != nil {
		return err
	}
	if len(pdf) == 0 {
		return Errorf(ErrInvalid, "La minuta %s no tiene PDF que enviar.", folio)
	}
	text := fmt.Sprintf("Buen día:\n\nSe envía la minuta de acuerdos %s, «%s», en PDF adjunto.\n\nEnviada por %s.", folio, subject, sender)
	name := strings.ReplaceAll(folio, "/", "-") + ".pdf"
	return n.Mailer.Send(ctx, Message{To: addrs, Subject: "Minuta de acuerdos " + folio + " — " + subject, Text: text + n.signature(),
		Attachments: []MailAttachment{{Name: name, ContentType: "application/pdf", Data: pdf}}})
}

func (n *Notices) send(ctx context.Context, to Person, subject, text string) error {
	return n.Mailer.Send(ctx, Message{To: []string{to.Email}, Subject: subject, Text: text + n.signature()})
}

func greeting(p Person) string {
	if p.Name != "" {
		return p.Name
	}
	return "Buen día"
}

func caseLines(b *strings.Builder, c CaseNotice) {
	if c.Procedure != "" {
		fmt.Fprintf(b, "Procedimiento: %s.\n", c.Procedure)
	}
	if c.From != "" {
		fmt.Fprintf(b, "Lo turnó: %s.\n", c.From)
	}
	if !c.Due.IsZero() {
		fmt.Fprintf(b, "Fecha límite: %s.\n", LongDate(c.Due))
	}
	if c.Link != "" {
		fmt.Fprintf(b, "Consúltelo en %s\n", c.Link)
	}
}

func linkSuffix(c CaseNotice) string {
	if c.Link == "" {
		return ""
	}
	return " (" + c.Link + ")"
}

// MaxRecipients bounds the addresses of one message: a minuta has at most
// 30 asistentes.
const MaxRecipients = 50

// ParseRecipients reads addresses typed by a person, separated by commas,
// semicolons, spaces or lines, and returns them bare (user@host), without
// repeats. Each must be a complete address.
func ParseRecipients(s string) ([]string, error) {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '\r' || r == ' ' || r == '\t' })
	var out []string
	seen := map[string]bool{}
	for _, x := range f {
		a, err := mail.ParseAddress(x)
		if err != nil || a.Name != "" || !strings.Contains(a.Address[strings.IndexByte(a.Address, '@')+1:], ".") || len(a.Address) > 254 {
			return nil, &ValidationError{Problems: []Problem{{Field: "destinatarios",
				Message: fmt.Sprintf("«Destinatarios»: «%s» no es una dirección de correo completa (como nombre@ssaver.gob.mx).", printable(clipText(x, 80)))}}}
		}
		k := strings.ToLower(a.Address)
		if !seen[k] {
			seen[k] = true
			out = append(out, a.Address)
		}
	}
	if len(out) == 0 {
		return nil, &ValidationError{Problems: []Problem{{Field: "destinatarios", Message: "«Destinatarios»: escriba al menos una dirección de correo o elija a un asistente."}}}
	}
	if len(out) > MaxRecipients {
		return nil, &ValidationError{Problems: []Problem{{Field: "destinatarios", Message: fmt.Sprintf("«Destinatarios»: son %d direcciones; el máximo es %d.", len(out), MaxRecipients)}}}
	}
	return out, nil
}
