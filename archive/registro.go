package archive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/sesver/legajo"
)

// Registries live in the archive like cases:
//
//	registros/eventos/<registry id>/<seq, 9 digits>[-<k>]   the claim of an event number
//
// and every event is a chain entry of the expediente
// legajo.RegistroExpediente, carrying the registry's folio
// (RG/<number>/<year>), whose manifest holds the event; replaying that
// chain gives back every registry.
const registroEvents = "registros/eventos/"

var _ legajo.RegistroLog = (*Archive)(nil)

func (a *Archive) registrosConfigured() error {
	if _, err := a.Expediente(legajo.RegistroExpediente); err != nil {
		return legajo.Errorf(legajo.ErrUnavailable, "Los registros necesitan el expediente «%s» en la configuración.", legajo.RegistroExpediente)
	}
	return nil
}

// FileRegistro files ev once: its number is claimed first by a conditional
// create, so of two processes filing number N of a registry one wins and
// the other gets ErrConflict with nothing filed. A claim whose filing died
// before its chain entry blocks the number for staleAfter; after that,
// with no entry of that number in the chain, the number is claimed again
// under a suffixed key.
func (a *Archive) FileRegistro(ctx context.Context, ev legajo.RegistroEvent, folio legajo.Folio) (legajo.Entry, error) {
	if !validRegistroID(ev.Registro) || folio.Serie != legajo.RegistroSerie {
		return legajo.Entry{}, legajo.Errorf(legajo.ErrInvalid, "archive: registry %q, folio %s", ev.Registro, folio)
	}
	if ev.Seq < 1 || ev.At.IsZero() || len(ev.Changes) == 0 {
		return legajo.Entry{}, legajo.Errorf(legajo.ErrInvalid, "archive: registry %s: event without number, time or changes", ev.Registro)
	}
	if err := a.registrosConfigured(); err != nil {
		return legajo.Entry{}, err
	}
	ev.At = ev.At.UTC()
	if err := a.claimRegistroEvent(ctx, ev); err != nil {
		return legajo.Entry{}, err
	}
	title := "Registro " + ev.Registro + ": " + ev.Changes[0].Kind.Label()
	m := legajo.Manifest{Folio: folio.String(), Event: legajo.EventRegistro, Title: title, Subject: ev.Changes[0].Row,
		Expediente: legajo.RegistroExpediente, Author: ev.Author, Date: ev.At, FiledAt: ev.At, Reason: ev.Note, Registro: &ev}
	return a.File(ctx, legajo.Filing{Expediente: legajo.RegistroExpediente, Event: legajo.EventRegistro, Folio: folio,
		Type: "registro", Author: ev.Author, At: ev.At, Manifest: &m})
}

// validRegistroID keeps claim keys inside their directory.
func validRegistroID(id string) bool {
	if id == "" || len(id) > 60 {
		return false
	}
	for _, r := range id {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

func registroEventKey(id string, seq, k int) string {
	key := fmt.Sprintf("%s%s/%09d", registroEvents, id, seq)
	if k > 1 {
		key += "-" + strconv.Itoa(k)
	}
	return key
}

// registroClaim is the content of an event number's claim.
type registroClaim struct {
	Author string    `json:"author"`
	At     time.Time `json:"at"`
	Nonce  string    `json:"nonce"`
}

func (a *Archive) claimRegistroEvent(ctx context.Context, ev legajo.RegistroEvent) error {
	body, err := json.Marshal(registroClaim{Author: ev.Author, At: ev.At, Nonce: randomToken()})
	if err != nil {
		return err
	}
	opts := a.longestOptions(ev.At, "application/json")
	for k := 1; k <= 20; k++ {
		key := registroEventKey(ev.Registro, ev.Seq, k)
		won, err := claimFolio(ctx, a.st, key, body, opts.RetainUntil)
		if err != nil {
			return fmt.Errorf("archive: registry %s event %d: %w", ev.Registro, ev.Seq, err)
		}
		if won {
			return nil
		}
		var prev registroClaim
		b, err := a.st.Get(ctx, key)
		if err != nil {
			return fmt.Errorf("archive: registry %s event %d: %w", ev.Registro, ev.Seq, err)
		}
		if json.Unmarshal(b, &prev) != nil || ev.At.Sub(prev.At) < staleAfter {
			return legajo.Errorf(legajo.ErrConflict, "archive: registry %s event %d is taken", ev.Registro, ev.Seq)
		}
		done, err := a.registroSeqCommitted(ctx, ev.Registro, ev.Seq)
		if err != nil {
			return err
		}
		if done {
			return legajo.Errorf(legajo.ErrConflict, "archive: registry %s event %d is filed", ev.Registro, ev.Seq)
		}
		// An abandoned claim: take the number under the next key.
	}
	return fmt.Errorf("archive: registry %s event %d: too many abandoned claims", ev.Registro, ev.Seq)
}

// registroSeqCommitted tells whether the chain holds event seq of
// registry id.
func (a *Archive) registroSeqCommitted(ctx context.Context, id string, seq int) (bool, error) {
	found := errors.New("found")
	_, err := a.RegistroEvents(ctx, 0, func(ev legajo.RegistroEvent) error {
		if ev.Registro == id && ev.Seq == seq {
			return found
		}
		return nil
	})
	if errors.Is(err, found) {
		return true, nil
	}
	return false, err
}

// registroEventOf reads the registry event a chain entry records, if it is
// one.
func (a *Archive) registroEventOf(ctx context.Context, e legajo.Entry) (legajo.RegistroEvent, bool, error) {
	if e.Event != legajo.EventRegistro {
		return legajo.RegistroEvent{}, false, nil
	}
	for _, obj := range e.Objects {
		if obj.Kind != "manifest" {
			continue
		}
		b, err := a.st.Get(ctx, obj.Key)
		if err != nil {
			return legajo.RegistroEvent{}, false, fmt.Errorf("archive: registry event %s: %w", obj.Key, err)
		}
		var m legajo.Manifest
		if err := json.Unmarshal(b, &m); err != nil || m.Registro == nil {
			return legajo.RegistroEvent{}, false, fmt.Errorf("archive: registry event %s: unreadable manifest", obj.Key)
		}
		return *m.Registro, true, nil
	}
	return legajo.RegistroEvent{}, false, fmt.Errorf("archive: registry entry %s has no manifest", e.Key)
}

// RegistroEvents calls fn for every registry event filed after chain
// position pos, in chain order, and returns the position of the last entry
// read. An entry whose manifest cannot be read stops the walk there, so
// that it is tried again, not skipped.
func (a *Archive) RegistroEvents(ctx context.Context, pos int64, fn func(legajo.RegistroEvent) error) (int64, error) {
	if err := a.registrosConfigured(); err != nil {
		return pos, err
	}
	last := pos
	err := a.EntriesAfter(ctx, legajo.RegistroExpediente, pos, func(e legajo.Entry) error {
		ev, ok, err := a.registroEventOf(ctx, e)
		if err != nil {
			return err
		}
		if ok {
			if err := fn(ev); err != nil {
				return err
			}
		}
		last = e.Seq
		return nil
	})
	return last, err
}
