package legajo

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func readEML(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "eml", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseEmailMultipart(t *testing.T) {
	e, err := ParseEmail(readEML(t, "respaldo-multipart.eml"))
	if err != nil {
		t.Fatal(err)
	}
	if e.FromName != "María Peña Ibáñez" || e.FromAddress != "maria.pena@ssaver.gob.mx" {
		t.Errorf("from %q <%q>", e.FromName, e.FromAddress)
	}
	if e.Subject != "Solicitud de respaldo de base de datos — Jurisdicción Sanitaria V" {
		t.Errorf("subject %q", e.Subject)
	}
	if want := time.Date(2026, 11, 25, 15, 40, 12, 0, time.UTC); !e.Date.Equal(want) {
		t.Errorf("date %v, want %v", e.Date, want)
	}
	// The text/plain part is preferred to the HTML one, and its
	// quoted-printable accents and soft line breaks are undone.
	if !strings.Contains(e.Text, "Le solicito de la manera más atenta el respaldo de la base de datos del SIAFFASPE, con periodicidad semanal.") ||
		!strings.Contains(e.Text, "María Peña Ibáñez — Jefa") || strings.Contains(e.Text, "color:red") {
		t.Errorf("text %q", e.Text)
	}
	if len(e.To) != 1 || e.To[0] != "dti@ssaver.gob.mx" {
		t.Errorf("to %v", e.To)
	}
	var names []string
	for _, a := range e.Attachments {
		names = append(names, a.Name)
	}
	if strings.Join(names, "|") != "inventario dañados.pdf|servidor.png|oficio.docx|factura.pdf" {
		t.Fatalf("attachments %q", names)
	}
	if !bytes.HasPrefix(e.Attachments[0].Data, []byte("%PDF-1.4")) || !bytes.HasPrefix(e.Attachments[1].Data, []byte("\x89PNG")) {
		t.Errorf("base64 attachments not decoded")
	}
	// A declared PDF that is not one is told by content.
	if _, err := SniffUpload("Adjunto", e.Attachments[3].Data); err == nil {
		t.Errorf("the executable named factura.pdf passed the upload check")
	}
}

func TestParseEmailHTMLOnlyWindows1252(t *testing.T) {
	e, err := ParseEmail(readEML(t, "falla-html.eml"))
	if err != nil {
		t.Fatal(err)
	}
	if e.Subject != "Falla de conexión en la Jurisdicción" || e.FromName != "" || e.Sender() != "soporte.jurisdiccion@ssaver.gob.mx" {
		t.Errorf("subject %q, sender %q", e.Subject, e.Sender())
	}
	want := "Se reporta falla en el enlace de Internet de la Jurisdicción.\n\nTeléfono: ext. 3021 & 3022\n\nEquipo: router “Cisco”"
	if e.Text != want {
		t.Errorf("text\n%q\nwant\n%q", e.Text, want)
	}
	for _, bad := range []string{"alert", "font-family", "comentario", "<"} {
		if strings.Contains(e.Text, bad) {
			t.Errorf("text keeps %q: %q", bad, e.Text)
		}
	}
}

func TestParseEmailSimple(t *testing.T) {
	e, err := ParseEmail(readEML(t, "simple.eml"))
	if err != nil {
		t.Fatal(err)
	}
	if e.FromName != "Juan" || e.Subject != "Consulta simple" || e.Text != "Texto llano sin MIME." || !e.Date.IsZero() || len(e.Attachments) != 0 {
		t.Errorf("%+v", e)
	}
}

func TestParseEmailRefusesHostile(t *testing.T) {
	huge := append([]byte("From: a@b.mx\r\nSubject: grande\r\n\r\n"), bytes.Repeat([]byte("A"), MaxUploadBytes)...)
	many := []byte("From: a@b.mx\r\nContent-Type: multipart/mixed; boundary=z\r\n\r\n" +
		strings.Repeat("--z\r\nContent-Type: text/plain\r\n\r\nx\r\n", maxEmailParts+5) + "--z--\r\n")
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", []byte(" \r\n"), "el archivo está vacío"},
		{"huge", huge, "el máximo es 20 MiB"},
		{"not a message", readEML(t, "hostil-no-correo.eml"), "no es un mensaje de correo legible"},
		{"no sender", readEML(t, "hostil-sin-remitente.eml"), "no tiene remitente"},
		{"multipart without boundary", readEML(t, "hostil-sin-boundary.eml"), "sin boundary"},
		{"boundary never found", readEML(t, "hostil-boundary-ausente.eml"), "estructura MIME está dañada"},
		{"bad base64", readEML(t, "hostil-base64.eml"), "no se pudo decodificar (base64 inválido)"},
		{"nested too deep", readEML(t, "hostil-anidado.eml"), "anida más de 8 niveles"},
		{"too many parts", many, "más de 200 partes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseEmail(c.data)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "«Correo electrónico (.eml)»") {
				t.Errorf("got %v, want ErrInvalid naming the file and %q", err, c.want)
			}
		})
	}
}

func TestStripHTML(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"solo texto", "solo texto"},
		{"<p>uno</p><p>dos</p>", "uno\n\ndos"},
		{"<SCRIPT>x()</SCRIPT>visible<style>a{}</style>", "visible"},
		{"a<br/>b &lt;c&gt; &aacute;", "a\nb <c> á"},
		{"sin cierre <b", "sin cierre"},
		{"<!-- nunca cierra", ""},
		{"<script>sin cierre", ""},
	} {
		if got := StripHTML(c.in); got != c.want {
			t.Errorf("StripHTML(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestPrintable(t *testing.T) {
	if got := Printable("Añadir 😀 equipo\tnuevo\n", false); got != "Añadir  equipo nuevo " {
		t.Errorf("%q", got)
	}
	if got := Printable("línea\nsegunda", true); got != "línea\nsegunda" {
		t.Errorf("%q", got)
	}
}

// FuzzParseEmail: whatever arrives as an .eml, the parser returns a
// message or an ErrInvalid naming the file, never panics, and keeps its
// text and attachments within the bounds.
func FuzzParseEmail(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join("testdata", "eml", "*.eml"))
	for _, n := range names {
		b, _ := os.ReadFile(n)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ParseEmail(b)
		if err != nil {
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "«Correo electrónico (.eml)»") {
				t.Fatalf("error %v", err)
			}
			return
		}
		if len([]rune(e.Text)) > MaxEmailText || len(e.Attachments) > maxEmailParts {
			t.Fatalf("beyond the bounds: %d runes, %d attachments", len([]rune(e.Text)), len(e.Attachments))
		}
		if strings.ContainsAny(e.Subject+e.FromName+e.FromAddress, "\r\n") {
			t.Fatalf("a header keeps a line break: %q", e.Subject)
		}
	})
}
