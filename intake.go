package legajo

import (
	"fmt"
	"strconv"
	"strings"
)

// emailData fills the fields of a received e-mail that the clerk left
// empty from the message itself: what the clerk typed always wins.
func (o *Office) emailData(e *Email, data map[string]any) map[string]any {
	out := make(map[string]any, len(data)+10)
	for k, v := range data {
		out[k] = v
	}
	set := func(k, v string) {
		if s, ok := out[k].(string); ok && strings.TrimSpace(s) != "" {
			return
		}
		if x, ok := out[k]; ok && x != nil {
			if _, isString := x.(string); !isString {
				return
			}
		}
		if v != "" {
			out[k] = v
		}
	}
	set("tipo", TipoCorreo)
	set("remitente", clipText(strings.TrimSpace(Printable(e.Sender(), false)), 150))
	set("correo_remitente", clipText(Printable(e.FromAddress, false), 254))
	when := o.now()
	if !e.Date.IsZero() {
		when = o.inZone(e.Date)
		set("fecha_documento", when.Format(DateLayout))
	}
	set("fecha_recepcion", when.Format(DateLayout))
	set("hora_recepcion", when.Format("15:04"))
	subject := clipText(strings.TrimSpace(Printable(e.Subject, false)), 300)
	if subject == "" {
		subject = "(correo sin asunto)"
	}
	set("asunto", subject)
	set("cuerpo", clipText(Printable(e.Text, true), MaxEmailText))
	var names []string
	for i, a := range e.Attachments {
		line := Printable(a.Name, false)
		if i >= maxFiledAttachments {
			line += fmt.Sprintf(" — no se archivó aparte (se archivan aparte hasta %d adjuntos); se conserva dentro del correo original", maxFiledAttachments)
		} else if _, err := SniffUpload("Adjunto", a.Data); err != nil {
			line += " — no se archivó aparte (no es PDF ni imagen, o pasa del tamaño admitido); se conserva dentro del correo original"
		}
		names = append(names, line)
	}
	set("adjuntos", clipText(strings.Join(names, "\n"), 20000))
	if len(e.Attachments) > 0 {
		set("anexos", strconv.Itoa(len(e.Attachments)))
	}
	return out
}

// maxFiledAttachments bounds the attachments of one e-mail filed on their
// own (each is one more object to store in the same filing); the others
// stay inside the filed .eml.
const maxFiledAttachments = 30

// emailFiles are the files of a received e-mail: the .eml as it came, and
// each attachment that passes the checks of any upload (content sniffed,
// size bounded), so that it can be opened and searched on its own. The
// others stay inside the filed .eml.
func emailFiles(e *Email, raw []byte, name string, m Manifest) []File {
	if name == "" {
		name = "correo.eml"
	}
	em := m
	em.File = &Object{Kind: "eml"}
	files := []File{{Name: name, Data: raw, Kind: "correo", Manifest: em}}
	for i, a := range e.Attachments {
		if i >= maxFiledAttachments {
			break
		}
		ext, err := SniffUpload("Adjunto", a.Data)
		if err != nil {
			continue
		}
		am := m
		am.Subject = fmt.Sprintf("Adjunto %d del correo: %s", i+1, Printable(a.Name, false))
		am.File = &Object{Kind: ext}
		files = append(files, File{Name: a.Name, Data: a.Data, Kind: "anexo", Manifest: am})
	}
	return files
}
