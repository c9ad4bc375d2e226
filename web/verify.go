package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
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
	// Key is the institution's public key, to check what it signed.
	Key string
}

// sealedInfo is the document's place in the archive's signed log.
type sealedInfo struct {
	Leaf       int64     `json:"leaf"` // counted from 1
	Size       int64     `json:"size"`
	SignedAt   time.Time `json:"signed_at"`
	Checked    bool      `json:"checked"`
	Checkpoint string    `json:"checkpoint"`
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
	// Sealed says where the document's entry stands in the archive's
	// signed log, once the inclusion proof is checked; Log is the same for
	// the API. Both are empty when the archive keeps no signed log.
	Sealed string
	Log    *sealedInfo
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
	// A folio never issued is answered without looking for its record
	// (see legajo.Archive.Claimed): anyone may type one here.
	claimed, err := s.Office.Archive.Claimed(r.Context(), f)
	if err != nil {
		return page, err
	}
	var rec *legajo.Record
	if claimed {
		rec, err = s.Office.RecordChecked(r.Context(), f)
	} else {
		err = legajo.Errorf(legajo.ErrNotFound, "No hay ningún documento con el folio %s.", f)
	}
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
	page.Key = s.PublicKey
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
func (s *Server) judge(ctx context.Context, rec *legajo.Record, digest string) (_ verdict, err error) {
	// The record's objects and its entries' inclusion in the log are
	// checked at once: on S3 each is a round of reads.
	var (
		problems, sealProblems []legajo.Finding
		sealed                 verdict // its Sealed and Log go on whatever verdict is given
		sealErr                error
		wg                     sync.WaitGroup
	)
	wg.Go(func() { sealProblems, sealErr = s.checkSealed(ctx, rec, &sealed) })
	problems, err = s.Office.CheckRecord(ctx, rec)
	wg.Wait()
	if err == nil {
		err = sealErr
	}
	if err != nil {
		return verdict{}, err
	}
	problems = append(problems, sealProblems...)
	v := s.verdictOf(rec, digest, problems)
	v.Sealed, v.Log = sealed.Sealed, sealed.Log
	return v, nil
}

// verdictOf says what rec means, given the problems found with it.
func (s *Server) verdictOf(rec *legajo.Record, digest string, problems []legajo.Finding) verdict {
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
		return v
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
		return v
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
	return v
}

// unsealedGrace is how long an entry may wait for the sealer before the
// page counts its absence from the signed log as a problem.
const unsealedGrace = 10 * time.Minute

// checkSealed proves, from storage, that every entry of rec is in the
// archive's signed log, and puts the emission's place in out. Entries
// that are not, or whose proof fails, are problems: a document the log
// does not vouch for is never shown as valid. An archive without a signed
// log (no key configured) adds nothing.
func (s *Server) checkSealed(ctx context.Context, rec *legajo.Record, out *verdict) ([]legajo.Finding, error) {
	keys := make([]string, len(rec.Entries))
	for i, e := range rec.Entries {
		keys[i] = e.Key
	}
	incs, err := s.Office.Archive.Inclusions(ctx, keys)
	if err != nil || incs == nil {
		return nil, err
	}
	emitted, _ := rec.Emitted()
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	var problems []legajo.Finding
	for i, inc := range incs {
		e := rec.Entries[i]
		switch {
		case inc.Index < 0 && now.Sub(e.At) < unsealedGrace:
			if e.Key == emitted.Key {
				out.Sealed = "El documento se emitió hace unos instantes; se incluirá en el registro sellado del archivo en unos segundos."
			}
			continue
		case inc.Index < 0:
			problems = append(problems, legajo.Finding{Expediente: e.Expediente, Key: e.Key, Problem: "sin sellar",
				Detail: "El registro sellado del archivo no incluye " + eventWords(e) + ": no se puede confirmar que lo haya registrado Legajo."})
			continue
		case !inc.Checked:
			problems = append(problems, legajo.Finding{Expediente: e.Expediente, Key: e.Key, Problem: "registro",
				Detail: "El registro sellado del archivo no confirma " + eventWords(e) + ": " + inc.Problem})
			continue
		}
		if e.Key == emitted.Key {
			at := inc.SignedAt.In(zone)
			out.Sealed = fmt.Sprintf("Incluido en el registro sellado del archivo: hoja %d de %d del punto de control firmado por la institución el %s a las %s horas. La prueba de inclusión se comprobó.",
				inc.Index+1, inc.Size, legajo.LongDate(at), at.Format("15:04"))
			out.Log = &sealedInfo{Leaf: inc.Index + 1, Size: inc.Size, SignedAt: inc.SignedAt, Checked: true, Checkpoint: inc.Checkpoint}
		}
	}
	return problems, nil
}

// eventWords names an entry for a citizen: «la emisión del documento».
func eventWords(e legajo.Entry) string {
	switch e.Event {
	case legajo.EventEmitido:
		return "la emisión del documento"
	case legajo.EventRecibido:
		return "el registro del documento recibido"
	case legajo.EventCancelado:
		return "la cancelación del documento"
	case legajo.EventAcuse:
		return "el acuse de recibido del documento"
	case legajo.EventAnulado:
		return "la anulación del folio"
	case legajo.EventFirma:
		return "el ejemplar firmado del documento"
	case legajo.EventEtapa:
		return "una etapa del equipo"
	}
	return "un evento del documento"
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
