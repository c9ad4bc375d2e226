package legajo

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"
)

// RecordChecked is Record for a page that goes on to CheckRecord: where the
// archive can, it reads every object of the record in the round that reads
// its manifests (see archive.Archive.RecordWithObjects), so that checking
// them reads nothing more.
func (o *Office) RecordChecked(ctx context.Context, folio Folio) (*Record, error) {
	if a, ok := o.Archive.(interface {
		RecordWithObjects(ctx context.Context, folio Folio) (*Record, error)
	}); ok {
		return a.RecordWithObjects(ctx, folio)
	}
	return o.Archive.Record(ctx, folio)
}

// CheckRecord tells whether what the archive returned for rec.Folio holds
// together, before anyone is told that the document is valid: every entry
// names the folio, lies in the document's expediente and comes once; the
// document was filed once; the manifests name the folio and its
// expediente, agree on the digest printed in the QR and describe the files
// their entry vouches for; and every object re-hashes to the SHA-256 and
// size its entry records. These catch a pointer or an entry that belongs
// to another document, and a changed or missing file. An entry rewritten
// together with the rest of its chain is for the verification of the whole
// chain to find, not for this.
//
// Each problem is a Finding whose Detail anyone can read, naming what
// failed; none means the record holds together. The error is a failure to
// read the storage.
func (o *Office) CheckRecord(ctx context.Context, rec *Record) ([]Finding, error) {
	var out []Finding
	add := func(e Entry, key, problem, format string, args ...any) {
		out = append(out, Finding{Expediente: e.Expediente, Key: key, Problem: problem, Detail: capitalize(fmt.Sprintf(format, args...))})
	}
	folio := rec.Folio.String()
	seen := map[string]bool{}
	filings := 0
	var emitted Entry
	for _, e := range rec.Entries {
		what := eventWords(e.Event)
		switch {
		case seen[e.Key]:
			add(e, e.Key, "duplicado", "el registro de %s aparece dos veces.", what)
			continue
		case e.Folio != folio:
			add(e, e.Key, "ajeno", "el registro de %s que el archivo dio para este folio es de otro documento (%s).", what, orNone(e.Folio))
		case e.Expediente != rec.Expediente:
			add(e, e.Key, "ajeno", "el registro de %s está en el expediente «%s», no en el del documento («%s»).", what, e.Expediente, rec.Expediente)
		}
		seen[e.Key] = true
		if e.Event == EventEmitido || e.Event == EventRecibido {
			if filings++; filings == 1 {
				emitted = e
			}
		}
	}
	switch {
	case filings > 1:
		add(emitted, "", "duplicado", "el archivo registra la emisión de este folio más de una vez.")
	case filings == 0 && rec.Status != StatusAnulado:
		add(Entry{Expediente: rec.Expediente}, "", "faltante", "el archivo no tiene el registro de la emisión de este folio.")
	}
	digest := ""
	for i, m := range rec.Manifests {
		file, key := Object{Kind: "pdf", Tanto: m.Tanto}, ""
		if m.File != nil {
			file, key = *m.File, m.File.Key
		}
		what := "la ficha " + of(fileWords(file))
		switch {
		case m.Folio != folio:
			add(emitted, key, "ajeno", "%s es de otro folio (%s).", what, orNone(m.Folio))
		case m.Expediente != rec.Expediente:
			add(emitted, key, "ajeno", "%s es del expediente «%s», no del expediente del documento («%s»).", what, m.Expediente, rec.Expediente)
		}
		if i == 0 {
			digest = m.Digest
		} else if m.Digest != digest {
			add(emitted, key, "inconsistente", "%s no lleva el mismo código de verificación que las demás.", what)
		}
		if m.File != nil && !vouches(emitted, *m.File) {
			add(emitted, key, "inconsistente", "%s describe un archivo distinto del que registra la emisión.", what)
		}
	}
	type read struct {
		e       Entry
		obj     Object
		problem string // "", "faltante" or "modificado"
		err     error
	}
	var reads []read
	for _, e := range rec.Entries {
		for _, obj := range e.Objects {
			reads = append(reads, read{e: e, obj: obj})
		}
	}
	// Read a few at a time: on S3 a document's five or six objects cost
	// one round trip's wait instead of six. What the archive read while
	// assembling rec (rec.Read) was hashed then, in this same request, and
	// is not read again.
	sem := make(chan struct{}, checkReaders)
	var wg sync.WaitGroup
	for i := range reads {
		r := &reads[i]
		if got, ok := rec.Read[r.obj.Key]; ok {
			switch {
			case got.Missing:
				r.problem = "faltante"
			case got.SHA256 != r.obj.SHA256 || got.Size != r.obj.Size:
				r.problem = "modificado"
			}
			continue
		}
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			b, err := o.Archive.Get(ctx, r.obj.Key)
			switch {
			case errors.Is(err, ErrNotFound):
				r.problem = "faltante"
			case err != nil:
				r.err = err
			default:
				if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != r.obj.SHA256 || int64(len(b)) != r.obj.Size {
					r.problem = "modificado"
				}
			}
		})
	}
	wg.Wait()
	for _, r := range reads {
		switch {
		case r.err != nil:
			return nil, r.err
		case r.problem == "faltante":
			add(r.e, r.obj.Key, "faltante", "falta %s.", fileWords(r.obj))
		case r.problem == "modificado":
			add(r.e, r.obj.Key, "modificado", "%s fue modificado: su contenido ya no es el registrado.", fileWords(r.obj))
		}
	}
	return out, nil
}

// checkReaders bounds the objects CheckRecord reads at once.
const checkReaders = 8

// vouches tells whether e records obj, with its hash and size.
func vouches(e Entry, obj Object) bool {
	for _, x := range e.Objects {
		if x.Key == obj.Key {
			return x.SHA256 == obj.SHA256 && x.Size == obj.Size
		}
	}
	return false
}

// eventWords names an event for anyone: "la emisión".
func eventWords(ev EventKind) string {
	switch ev {
	case EventEmitido:
		return "la emisión"
	case EventAcuse:
		return "el acuse de recibido"
	case EventCancelado:
		return "la cancelación"
	case EventAnexo:
		return "un anexo"
	case EventRecibido:
		return "la recepción"
	case EventAnulado:
		return "la anulación"
	case EventFirma:
		return "el ejemplar firmado"
	case EventEtapa:
		return "una etapa del equipo"
	}
	return "un evento («" + string(ev) + "»)"
}

// fileWords names a stored object for anyone: "el tanto ORIGINAL".
func fileWords(obj Object) string {
	switch obj.Kind {
	case "firma":
		return "el ejemplar firmado"
	case "correo":
		return "el correo original"
	case "pdf":
		if obj.Tanto != "" {
			return "el tanto " + obj.Tanto
		}
		return "el documento"
	case "manifest":
		if obj.Tanto != "" {
			return "la ficha del tanto " + obj.Tanto
		}
		return "la ficha del evento"
	case "acuse":
		return "el acuse de recibido escaneado"
	case "anexo":
		return "un archivo anexo"
	case "escaneo":
		return "el documento escaneado"
	}
	return "un archivo"
}

// of puts "de" before words: "del tanto ORIGINAL", "de un anexo".
func of(words string) string {
	if rest, ok := strings.CutPrefix(words, "el "); ok {
		return "del " + rest
	}
	return "de " + words
}

func orNone(s string) string {
	if s == "" {
		return "sin folio"
	}
	return s
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}
