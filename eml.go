package legajo

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"path"
	"strings"
	"time"
	"unicode/utf8"
)

// An e-mail is received correspondence like an oficio: procedures 2, 5, 9,
// 12, 15, 19 and 20 of the manual start with one. Its .eml file is filed
// as it came (the original), and what a clerk and the search need is read
// from it here with the standard library only. The file comes from
// outside, so every limit below is about a hostile one: a bomb of nested
// parts, a header that never ends, a body that is not what it says.

// EmailLabel names the .eml file in messages to the clerk.
const EmailLabel = "Correo electrónico (.eml)"

const (
	maxEmailParts = 200 // MIME parts of one message, at any depth
	maxEmailDepth = 8   // multipart inside multipart
	// MaxEmailText bounds the body text kept for reading and search; the
	// filed .eml keeps all of it.
	MaxEmailText = 100_000
)

// Email is what a received e-mail says.
type Email struct {
	FromName    string
	FromAddress string
	To          []string
	Date        time.Time // zero when the message has no readable Date
	Subject     string
	MessageID   string
	// Text is the body: the text/plain part, or else the HTML part with
	// its markup removed.
	Text        string
	Attachments []EmailAttachment
}

// EmailAttachment is a file attached to an e-mail. Its declared type is
// not trusted: it is sniffed like any upload before it is filed.
type EmailAttachment struct {
	Name string
	Type string // as declared by the sender
	Data []byte
}

// Sender is the sender's name, or the address when the message gives none.
func (e *Email) Sender() string {
	if e.FromName != "" {
		return e.FromName
	}
	return e.FromAddress
}

func emailErr(format string, args ...any) error {
	return Errorf(ErrInvalid, "«"+EmailLabel+"»: "+format, args...)
}

// ParseEmail reads an RFC 5322 message (an .eml file). It refuses, with
// an ErrInvalid naming the file and the problem, anything that is empty,
// larger than MaxUploadBytes, not a message, without a sender, or whose
// MIME structure is damaged or deeper or larger than a real e-mail's.
func ParseEmail(b []byte) (*Email, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, emailErr("el archivo está vacío.")
	}
	if len(b) > MaxUploadBytes {
		return nil, emailErr("el archivo mide %.1f MiB; el máximo es %d MiB.", float64(len(b))/(1<<20), MaxUploadBytes>>20)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(b))
	if err != nil {
		return nil, emailErr("no es un mensaje de correo legible (encabezados dañados o ausentes).")
	}
	dec := &mime.WordDecoder{CharsetReader: charsetReader}
	e := &Email{}
	from := msg.Header.Get("From")
	if strings.TrimSpace(from) == "" {
		return nil, emailErr("el mensaje no tiene remitente (encabezado From).")
	}
	ap := mail.AddressParser{WordDecoder: dec}
	if addrs, err := ap.ParseList(from); err == nil && len(addrs) > 0 {
		e.FromName, e.FromAddress = cleanLine(addrs[0].Name), cleanLine(addrs[0].Address)
	} else {
		// A malformed From still names someone: keep its decoded text.
		e.FromName = cleanLine(decodeHeader(dec, from))
	}
	for _, h := range []string{"To", "Cc"} {
		if addrs, err := ap.ParseList(msg.Header.Get(h)); err == nil {
			for _, a := range addrs {
				e.To = append(e.To, cleanLine(a.Address))
			}
		}
	}
	if d, err := msg.Header.Date(); err == nil {
		e.Date = d
	}
	e.Subject = cleanLine(decodeHeader(dec, msg.Header.Get("Subject")))
	e.MessageID = cleanLine(msg.Header.Get("Message-Id"))

	w := &emailWalker{dec: dec}
	if err := w.part(textproto(msg.Header), msg.Body, 0); err != nil {
		return nil, err
	}
	text := w.plain
	if strings.TrimSpace(text) == "" {
		text = StripHTML(w.html)
	}
	e.Text = clipText(strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n")), MaxEmailText)
	e.Attachments = w.files
	return e, nil
}

// textproto gives a message header the shape of a part header.
func textproto(h mail.Header) map[string][]string { return h }

type emailWalker struct {
	dec   *mime.WordDecoder
	parts int
	plain string
	html  string
	files []EmailAttachment
}

func (w *emailWalker) part(h map[string][]string, body io.Reader, depth int) error {
	w.parts++
	if w.parts > maxEmailParts {
		return emailErr("tiene más de %d partes MIME; no parece un correo real.", maxEmailParts)
	}
	get := func(k string) string {
		if v := h[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	ctype := get("Content-Type")
	mt, params, err := mime.ParseMediaType(ctype)
	if ctype == "" {
		mt, params, err = "text/plain", map[string]string{}, nil
	}
	if err != nil {
		// RFC 2045: an unreadable Content-Type is taken as plain text,
		// but never as a multipart whose boundary we would have to guess.
		if strings.HasPrefix(strings.ToLower(strings.TrimSpace(ctype)), "multipart/") {
			return emailErr("su estructura MIME está dañada (Content-Type «%s» ilegible).", printable(clipText(ctype, 80)))
		}
		mt, params = "application/octet-stream", map[string]string{}
	}
	if strings.HasPrefix(mt, "multipart/") {
		if depth >= maxEmailDepth {
			return emailErr("anida más de %d niveles de partes MIME; no parece un correo real.", maxEmailDepth)
		}
		boundary := params["boundary"]
		if boundary == "" {
			return emailErr("su estructura MIME está dañada (una parte multipart sin boundary).")
		}
		mr := multipart.NewReader(body, boundary)
		n := 0
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return emailErr("su estructura MIME está dañada (%s).", printable(clipText(err.Error(), 80)))
			}
			n++
			if err := w.part(p.Header, p, depth+1); err != nil {
				return err
			}
		}
		if n == 0 {
			return emailErr("su estructura MIME está dañada (una parte multipart vacía o sin su boundary).")
		}
		return nil
	}
	data, err := decodeBody(get("Content-Transfer-Encoding"), body)
	if err != nil {
		return emailErr("una parte no se pudo decodificar (%s).", printable(clipText(err.Error(), 80)))
	}
	disp, dparams, _ := mime.ParseMediaType(get("Content-Disposition"))
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	name = cleanLine(decodeHeader(w.dec, name))
	if name != "" {
		name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	}
	isText := mt == "text/plain" || mt == "text/html"
	if disp == "attachment" || name != "" || !isText {
		if mt == "message/rfc822" && disp != "attachment" && name == "" {
			name = "mensaje-adjunto.eml"
		}
		if name == "" {
			name = fmt.Sprintf("adjunto-%d", len(w.files)+1)
		}
		if len(data) > 0 {
			w.files = append(w.files, EmailAttachment{Name: clipText(name, 200), Type: mt, Data: data})
		}
		return nil
	}
	text := decodeCharset(params["charset"], data)
	if mt == "text/plain" && w.plain == "" {
		w.plain = text
	} else if mt == "text/html" && w.html == "" {
		w.html = text
	}
	return nil
}

// decodeBody undoes a part's Content-Transfer-Encoding.
func decodeBody(enc string, r io.Reader) ([]byte, error) {
	// The whole message is at most MaxUploadBytes, so no part is larger.
	r = io.LimitReader(r, MaxUploadBytes+1)
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "base64":
		raw, err := io.ReadAll(r)
		if err != nil {
			return nil, err
		}
		clean := bytes.Map(func(c rune) rune {
			if c == '\r' || c == '\n' || c == ' ' || c == '\t' {
				return -1
			}
			return c
		}, raw)
		out := make([]byte, base64.StdEncoding.DecodedLen(len(clean)))
		n, err := base64.StdEncoding.Decode(out, clean)
		if err != nil {
			// Senders often drop the padding.
			raw := bytes.TrimRight(clean, "=")
			out2 := make([]byte, base64.RawStdEncoding.DecodedLen(len(raw)))
			if n2, err2 := base64.RawStdEncoding.Decode(out2, raw); err2 == nil {
				return out2[:n2], nil
			}
			return nil, errors.New("base64 inválido")
		}
		return out[:n], nil
	case "quoted-printable":
		b, err := io.ReadAll(quotedprintable.NewReader(r))
		if err != nil {
			return nil, errors.New("quoted-printable inválido")
		}
		return b, nil
	}
	return io.ReadAll(r)
}

// charsetReader decodes the charsets Mexican mail clients use besides
// UTF-8; mime.WordDecoder asks it for anything but UTF-8 and ASCII.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	b, err := io.ReadAll(io.LimitReader(input, MaxUploadBytes))
	if err != nil {
		return nil, err
	}
	switch strings.ToLower(charset) {
	case "iso-8859-1", "latin1", "iso_8859-1", "windows-1252", "cp1252", "iso-8859-15":
		return strings.NewReader(decodeCharset(charset, b)), nil
	}
	return nil, fmt.Errorf("charset %q", charset)
}

// decodeCharset turns text in charset into UTF-8. Windows-1252 (a superset
// of Latin-1 for text) is decoded by table; anything else unknown is taken
// as UTF-8 with invalid bytes dropped.
func decodeCharset(charset string, b []byte) string {
	switch strings.ToLower(strings.Trim(charset, `" `)) {
	case "iso-8859-1", "latin1", "iso_8859-1", "windows-1252", "cp1252", "iso-8859-15":
		var sb strings.Builder
		for _, c := range b {
			sb.WriteRune(cp1252Rune(c))
		}
		return sb.String()
	}
	return strings.ToValidUTF8(string(b), "")
}

func cp1252Rune(c byte) rune {
	if c >= 0x80 && c <= 0x9F {
		for r, x := range cp1252High {
			if x == c {
				return r
			}
		}
		return '?'
	}
	return rune(c)
}

func decodeHeader(dec *mime.WordDecoder, s string) string {
	if d, err := dec.DecodeHeader(s); err == nil {
		return d
	}
	return s
}

// cleanLine makes header text one printable line.
func cleanLine(s string) string {
	s = strings.ToValidUTF8(s, "")
	s = strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' || r == '\t' {
			return ' '
		}
		if r < 0x20 || r == 0x7F {
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// clipText cuts s to at most n runes.
func clipText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// StripHTML returns the text a person reads in an HTML body: markup,
// scripts, styles and comments removed, entities decoded, block elements
// as line breaks.
func StripHTML(s string) string {
	var b strings.Builder
	lower := strings.ToLower(s)
	for i := 0; i < len(s); {
		if s[i] != '<' {
			j := strings.IndexByte(s[i:], '<')
			if j < 0 {
				j = len(s) - i
			}
			b.WriteString(html.UnescapeString(s[i : i+j]))
			i += j
			continue
		}
		if strings.HasPrefix(s[i:], "<!--") {
			end := strings.Index(s[i:], "-->")
			if end < 0 {
				break
			}
			i += end + 3
			continue
		}
		end := strings.IndexByte(s[i:], '>')
		if end < 0 {
			break
		}
		tag := strings.ToLower(strings.TrimLeft(s[i+1:i+end], "/ "))
		if k := strings.IndexAny(tag, " \t\r\n/"); k >= 0 {
			tag = tag[:k]
		}
		i += end + 1
		switch tag {
		case "script", "style", "head", "title":
			if !strings.HasPrefix(s[i-end-1:], "</") {
				close := strings.Index(lower[i:], "</"+tag)
				if close < 0 {
					i = len(s)
				} else {
					i += close
				}
			}
		case "br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "table", "blockquote":
			b.WriteByte('\n')
		case "td", "th":
			b.WriteByte(' ')
		}
	}
	// Collapse the spaces of the source's indentation, keep paragraphs.
	var out []string
	blank := false
	for _, line := range strings.Split(b.String(), "\n") {
		line = strings.Join(strings.Fields(strings.ReplaceAll(line, "\u00a0", " ")), " ")
		if line == "" {
			if !blank && len(out) > 0 {
				out = append(out, "")
			}
			blank = true
			continue
		}
		blank = false
		out = append(out, line)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// Printable makes text from outside fit a document field: characters the
// PDF fonts cannot print (emoji, other scripts) are dropped, control
// characters too, except line breaks and tabs where multiline is true.
func Printable(s string, multiline bool) string {
	return strings.Map(func(r rune) rune {
		if (r == '\n' || r == '\t') && !multiline {
			return ' '
		}
		if _, ok := CP1252(r); !ok {
			return -1
		}
		return r
	}, s)
}
