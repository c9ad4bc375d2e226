package legajo

import (
	"context"
	"strings"
	"time"
	"unicode"
)

// The servicio a equipo follows a piece of equipment from its intake to
// its delivery: each stage its type lists (recibido, en diagnóstico, en
// espera de refacciones, reparado, entregado) is a filed event with its
// date and person, taken once and in order, so the page of the document
// answers «where is my equipment» and the trail proves it.

// StageEvent is a stage a document's equipment reached.
type StageEvent struct {
	Stage  string
	At     time.Time
	Author string
}

// Stages lists the stages the record's equipment reached, in order.
func (r *Record) Stages() []StageEvent {
	var out []StageEvent
	for _, e := range r.Entries {
		if e.Event == EventEtapa {
			out = append(out, StageEvent{Stage: e.Reason, At: e.At, Author: e.Author})
		}
	}
	return out
}

// NextStages are the stages of t the record may still reach: those after
// the last one reached (a stage may be skipped, as an equipment that needs
// no parts never waits for them; none is gone back to).
func (r *Record) NextStages(t *DocType) []string {
	if t == nil || len(t.Stages) == 0 {
		return nil
	}
	from := 0
	for _, s := range r.Stages() {
		for i, x := range t.Stages {
			if x == s.Stage && i+1 > from {
				from = i + 1
			}
		}
	}
	return t.Stages[from:]
}

// Stage files that the equipment of the document reached stage.
func (o *Office) Stage(ctx context.Context, folio Folio, stage, author string) (Entry, error) {
	rec, err := o.Archive.Record(ctx, folio)
	if err != nil {
		return Entry{}, err
	}
	var t *DocType
	if len(rec.Manifests) > 0 && o.Catalog != nil {
		t, _ = o.Catalog.Type(rec.Manifests[0].Type)
	}
	if t == nil || len(t.Stages) == 0 {
		return Entry{}, Errorf(ErrConflict, "El documento %s no sigue las etapas de un equipo.", folio)
	}
	switch rec.Status {
	case StatusCancelado:
		return Entry{}, o.refusal(rec, EventCancelado, EventEtapa)
	case StatusAnulado, StatusRecibido:
		return Entry{}, Errorf(ErrConflict, "El folio %s no corresponde a un documento emitido.", folio)
	}
	stage = strings.TrimSpace(stage)
	known := false
	for _, s := range t.Stages {
		known = known || s == stage
	}
	if !known {
		return Entry{}, &ValidationError{Problems: []Problem{{Field: "etapa",
			Message: "«Etapa del equipo»: elija una de estas: " + strings.Join(t.Stages, ", ") + "."}}}
	}
	next := rec.NextStages(t)
	allowed := false
	for _, s := range next {
		allowed = allowed || s == stage
	}
	if !allowed {
		for _, s := range rec.Stages() {
			if s.Stage == stage {
				return Entry{}, Errorf(ErrConflict, "El equipo del documento %s ya pasó por la etapa «%s» (el %s a las %s).", folio, stage, LongDate(o.inZone(s.At)), o.inZone(s.At).Format("15:04"))
			}
		}
		last := rec.Stages()[len(rec.Stages())-1]
		return Entry{}, Errorf(ErrConflict, "El equipo del documento %s ya está en la etapa «%s»; no se regresa a «%s».", folio, last.Stage, stage)
	}
	if err := checkLine("Autor", author, 120); err != nil {
		return Entry{}, err
	}
	now := o.now()
	m := o.eventManifest(rec, EventEtapa, author, now)
	m.Subject = "Equipo " + stage
	m.Reason = stage
	entry, err := o.Archive.File(ctx, Filing{Expediente: rec.Expediente, Event: EventEtapa, Folio: folio,
		Type: m.Type, Author: author, Reason: stage, At: now, Manifest: &m})
	if err != nil {
		return Entry{}, o.localize(err)
	}
	o.reindex(ctx, folio)
	return entry, nil
}

// stageSlug is a stage's name as part of a storage key: lower-case ASCII
// words joined by '-' («en espera de refacciones» → «en-espera-de-refacciones»).
func stageSlug(s string) string {
	fold := strings.NewReplacer("á", "a", "é", "e", "í", "i", "ó", "o", "ú", "u", "ü", "u", "ñ", "n")
	s = fold.Replace(strings.ToLower(s))
	var b strings.Builder
	dash := false
	for _, r := range s {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
		} else {
			dash = true
		}
	}
	return b.String()
}
