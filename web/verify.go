package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/sesver/legajo"
)

// verifyPage is public: anyone holding a printed document can check it by
// its QR code. It says first, in words a citizen understands, whether the
// document is valid, then its folio, type, date and status: nothing
// confidential (no fields, no names, no asunto).
type verifyPage struct {
	Folio    string
	Asked    bool
	NotFound string
	Found    bool
	Verdict  verdict
	Title    string
	Date     time.Time
	Status   legajo.Status
	Digest   string // as printed (from the QR)
	Match    bool   // the printed digest is the archived one
	// Sealed will say where the document's entry stands in the archive's
	// signed log («incluido en el registro sellado: entrada N del punto de
	// control M, firmado el …») once that is checked. Empty, it is not
	// shown.
	Sealed string
}

func (verifyPage) title() string { return "Verificar un documento" }

// verdict is what a page says first about a document.
type verdict struct {
	// Kind is valido, no-valido (cancelled or annulled) or sin-comprobar
	// (what the archive holds does not agree with its record).
	Kind     string
	Headline string // «Documento válido», «NO VÁLIDO», «No se pudo comprobar la integridad»
	Message  string // what it means, in full sentences
	Problems []legajo.Finding
	Keys     bool // show the storage key of each problem (staff only)
}

const (
	verdictValid   = "valido"
	verdictInvalid = "no-valido"
	verdictUnsure  = "sin-comprobar"
)

func (s *Server) verifyPage(w http.ResponseWriter, r *http.Request) error {
	page, err := s.verification(r)
	if err != nil {
		return err
	}
	s.renderPage(w, r, http.StatusOK, "verify", page)
	return nil
}

func (s *Server) verification(r *http.Request) (verifyPage, error) {
	raw := r.PathValue("folio")
	if raw == "" {
		raw = strings.TrimSpace(r.URL.Query().Get("folio"))
	}
	page := verifyPage{Folio: raw, Digest: strings.ToLower(r.URL.Query().Get("h")), Asked: raw != ""}
	if raw == "" {
		return page, nil
	}
	f, err := legajo.ParseFolio(raw, s.Office.Institution.FolioPrefix)
	if err != nil {
		page.NotFound = err.Error()
		return page, nil
	}
	page.Folio = f.String()
	rec, err := s.Office.Record(r.Context(), f)
	if err != nil {
		if status(err) == http.StatusNotFound {
			page.NotFound = "No hay ningún documento archivado con ese folio."
			return page, nil
		}
		return page, err
	}
	page.Found, page.Status = true, rec.Status
	if len(rec.Manifests) > 0 {
		m := rec.Manifests[0]
		page.Title, page.Date = m.Title, m.Date
		page.Match = len(page.Digest) >= 8 && strings.HasPrefix(m.Digest, page.Digest)
	}
	page.Verdict, err = s.judge(r.Context(), rec, page.Digest)
	if err != nil {
		return page, err
	}
	if page.Verdict.Kind == verdictUnsure {
		// What the archive returned cannot be trusted: say nothing of it
		// that could pass for this document's.
		page.Title, page.Date, page.Status = "", time.Time{}, ""
	}
	return page, nil
}

// judge checks rec and says what it means. digest is the one printed in
// the QR code ("" when the folio was typed): it must be the archived
// document's.
func (s *Server) judge(ctx context.Context, rec *legajo.Record, digest string) (verdict, error) {
	problems, err := s.Office.CheckRecord(ctx, rec)
	if err != nil {
		return verdict{}, err
	}
	var archived string
	if len(rec.Manifests) > 0 {
		archived = rec.Manifests[0].Digest
	}
	if digest != "" && (len(digest) < 8 || !strings.HasPrefix(archived, digest)) {
		detail := "El código impreso en el papel no coincide con el del documento archivado con este folio: el papel no es ese documento, o fue alterado."
		if len(problems) > 0 {
			// The archive's side is in doubt too: blame neither.
			detail = "El código impreso en el papel no coincide con el que el archivo da para este folio."
		}
		problems = append(problems, legajo.Finding{Expediente: rec.Expediente, Problem: "inconsistente", Detail: detail})
	}
	folio := rec.Folio.String()
	ended, hasEnd := lastEvent(rec, legajo.EventCancelado, legajo.EventAnulado)
	if len(problems) > 0 {
		v := verdict{Kind: verdictUnsure, Headline: "No se pudo comprobar la integridad", Problems: problems,
			Message: "Lo que el archivo conserva del folio " + folio + " no concuerda con su registro, así que no se puede confirmar que el documento sea válido. Avise al Departamento de Tecnologías de la Información."}
		if hasEnd {
			v.Message += " El archivo registra, además, " + endWords(ended) + "."
		}
		return v, nil
	}
	if hasEnd {
		v := verdict{Kind: verdictInvalid, Headline: "NO VÁLIDO"}
		if ended.Event == legajo.EventCancelado {
			v.Message = "Este documento fue cancelado el " + legajo.LongDate(ended.At.In(zone)) + "."
		} else {
			v.Message = "Este folio fue anulado el " + legajo.LongDate(ended.At.In(zone)) + ": se reservó para un documento cuya emisión no se completó, y no corresponde a ningún documento válido."
		}
		if ended.Reason != "" {
			v.Message += " Motivo: " + ended.Reason
		}
		return v, nil
	}
	v := verdict{Kind: verdictValid, Headline: "Documento válido"}
	var date time.Time
	if len(rec.Manifests) > 0 {
		date = rec.Manifests[0].Date
	}
	if rec.Status == legajo.StatusRecibido {
		v.Headline = "Documento registrado"
		v.Message = "Este documento se recibió y quedó registrado con el folio " + folio + " el " + legajo.LongDate(date.In(zone)) +
			". El archivo lo conserva tal como se recibió."
	} else {
		v.Message = "El folio " + folio + " corresponde a un documento oficial emitido el " + legajo.LongDate(date.In(zone)) +
			". No ha sido cancelado, y el archivo lo conserva tal como se emitió."
	}
	if digest != "" {
		v.Message += " El código impreso en su papel coincide con el de ese documento."
	} else {
		v.Message += " Si tiene el documento en papel, escanee su código QR para comprobar también que el papel es ese documento."
	}
	return v, nil
}

// lastEvent returns the last entry of rec that is one of kinds.
func lastEvent(rec *legajo.Record, kinds ...legajo.EventKind) (legajo.Entry, bool) {
	for i := len(rec.Entries) - 1; i >= 0; i-- {
		for _, k := range kinds {
			if rec.Entries[i].Event == k {
				return rec.Entries[i], true
			}
		}
	}
	return legajo.Entry{}, false
}

// endWords says how a document stopped being valid: "que fue cancelado el
// 3 de diciembre de 2026 (motivo: …)".
func endWords(e legajo.Entry) string {
	s := "que fue cancelado"
	if e.Event == legajo.EventAnulado {
		s = "que el folio fue anulado"
	}
	s += " el " + legajo.LongDate(e.At.In(zone))
	if e.Reason != "" {
		s += " (motivo: " + strings.TrimRight(e.Reason, ".") + ")"
	}
	return s
}

// cancellationNote is what a served copy of a cancelled document says
// along the top of each page.
func cancellationNote(rec *legajo.Record) string {
	e, ok := lastEvent(rec, legajo.EventCancelado)
	if !ok {
		return ""
	}
	s := "DOCUMENTO CANCELADO el " + legajo.LongDate(e.At.In(zone)) + "; no tiene validez."
	if e.Reason != "" {
		s += " Motivo: " + e.Reason
	}
	return s
}
