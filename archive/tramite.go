package archive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/sesver/legajo"
)

// Cases (trámites) live in the archive like documents:
//
//	tramites/numeros/<year>/<n, 6 digits>        case number claims (gap-free, as folios)
//	tramites/eventos/<case-slug>/<seq>[-<k>]     the claim of a case's event number
//	tramites/avisos/<key>                        a message sent once (the daily summary)
//
// and every event of a case is a chain entry of the expediente
// legajo.CaseExpediente whose manifest holds the event, so it is signed,
// sealed and verified like everything else, and replaying that chain gives
// back every case.
const (
	caseNumbers = "tramites/numeros/"
	caseEvents  = "tramites/eventos/"
	caseNotices = "tramites/avisos/"
)

var _ legajo.CaseLog = (*Archive)(nil)

// AllocateCase claims the next case number of year: TR/0001/2026. Numbers
// are gap-free across processes like folios, in a directory of their own.
func (a *Archive) AllocateCase(ctx context.Context, year int, claim []byte) (legajo.Folio, error) {
	if year < 1900 || year > 9999 {
		return legajo.Folio{}, legajo.Errorf(legajo.ErrInvalid, "archive: case year %d out of range", year)
	}
	if _, err := a.Expediente(legajo.CaseExpediente); err != nil {
		return legajo.Folio{}, legajo.Errorf(legajo.ErrUnavailable, "Los trámites necesitan el expediente «%s» en la configuración.", legajo.CaseExpediente)
	}
	dir := caseNumbers + strconv.Itoa(year) + "/"
	retain := a.longestOptions(time.Now(), "application/octet-stream").RetainUntil
	for {
		n, err := a.claimNumber(ctx, dir, claim, retain)
		if err != nil {
			return legajo.Folio{}, err
		}
		f := legajo.Folio{Serie: legajo.CaseSerie, Number: n, Year: year}
		// As for folios: a claim lost from storage must not give out the
		// number of a case that has events.
		taken, err := a.folioTaken(ctx, f)
		if err != nil || !taken {
			return f, err
		}
	}
}

// caseClaim is the content of an event number's claim.
type caseClaim struct {
	Kind   legajo.CaseEventKind `json:"kind"`
	Author string               `json:"author"`
	At     time.Time            `json:"at"`
	Nonce  string               `json:"nonce"`
}

// FileCase files ev as a chain entry of the cases' expediente, once: its
// number (case and Seq) is claimed first by a conditional create, so of
// two people acting on one case at the same moment one wins and the other
// gets ErrConflict with nothing filed. A claim whose filing died before its
// chain entry blocks the number for staleAfter; after that, with no entry
// of that number in the case's record, the number is claimed again under
// a suffixed key.
func (a *Archive) FileCase(ctx context.Context, ev legajo.CaseEvent) (legajo.Entry, error) {
	folio, err := legajo.ParseFolio(ev.Case, "")
	if err != nil || folio.Serie != legajo.CaseSerie {
		return legajo.Entry{}, legajo.Errorf(legajo.ErrInvalid, "archive: case number %q", ev.Case)
	}
	if ev.Seq < 1 || ev.At.IsZero() || ev.Kind == "" {
		return legajo.Entry{}, legajo.Errorf(legajo.ErrInvalid, "archive: case %s: event without number, time or kind", ev.Case)
	}
	if _, err := a.Expediente(legajo.CaseExpediente); err != nil {
		return legajo.Entry{}, legajo.Errorf(legajo.ErrUnavailable, "Los trámites necesitan el expediente «%s» en la configuración.", legajo.CaseExpediente)
	}
	if err := a.claimCaseEvent(ctx, folio, ev); err != nil {
		return legajo.Entry{}, err
	}
	ev.At = ev.At.UTC()
	if !ev.Due.IsZero() {
		ev.Due = ev.Due.UTC()
	}
	m := legajo.Manifest{Folio: ev.Case, Event: legajo.EventTramite, Title: "Trámite: " + ev.Kind.Label(),
		Subject: ev.Subject, Expediente: legajo.CaseExpediente, Tramite: ev.Case, Area: ev.Area, Author: ev.Author,
		Date: ev.At, FiledAt: ev.At, Reason: ev.Reason, Case: &ev}
	return a.File(ctx, legajo.Filing{Expediente: legajo.CaseExpediente, Event: legajo.EventTramite, Folio: folio,
		Type: "tramite", Author: ev.Author, Reason: ev.Reason, At: ev.At, Manifest: &m})
}

func caseEventKey(folio legajo.Folio, seq, k int) string {
	key := fmt.Sprintf("%s%s/%06d", caseEvents, folio.Slug(), seq)
	if k > 1 {
		key += "-" + strconv.Itoa(k)
	}
	return key
}

func (a *Archive) claimCaseEvent(ctx context.Context, folio legajo.Folio, ev legajo.CaseEvent) error {
	body, err := json.Marshal(caseClaim{Kind: ev.Kind, Author: ev.Author, At: ev.At.UTC(), Nonce: randomToken()})
	if err != nil {
		return err
	}
	return a.claimEventNumber(ctx, fmt.Sprintf("case %s event %d", ev.Case, ev.Seq), body, ev.At,
		func(k int) string { return caseEventKey(folio, ev.Seq, k) },
		func() (bool, error) { return a.caseSeqCommitted(ctx, folio, ev.Seq) })
}

// claimEventNumber claims an event's number (of a case or a registry)
// before it is filed, so that two processes cannot both file number N:
// body goes under key(1), or, when an earlier claim there was abandoned (it
// is older than staleAfter and its event never reached the chain, as
// committed tells), under key(2), key(3)… A claim still fresh or an event
// filed is ErrConflict; what names the event in errors.
func (a *Archive) claimEventNumber(ctx context.Context, what string, body []byte, at time.Time, key func(k int) string, committed func() (bool, error)) error {
	opts := a.longestOptions(at, "application/json")
	for k := 1; k <= 20; k++ {
		won, err := claimFolio(ctx, a.st, key(k), body, opts.RetainUntil)
		if err != nil {
			return fmt.Errorf("archive: %s: %w", what, err)
		}
		if won {
			return nil
		}
		var prev struct {
			At time.Time `json:"at"`
		}
		b, err := a.st.Get(ctx, key(k))
		if err != nil {
			return fmt.Errorf("archive: %s: %w", what, err)
		}
		if json.Unmarshal(b, &prev) != nil || at.Sub(prev.At) < staleAfter {
			return legajo.Errorf(legajo.ErrConflict, "archive: %s is taken", what)
		}
		done, err := committed()
		if err != nil {
			return err
		}
		if done {
			return legajo.Errorf(legajo.ErrConflict, "archive: %s is filed", what)
		}
		// An abandoned claim: take the number under the next key.
	}
	return fmt.Errorf("archive: %s: too many abandoned claims", what)
}

// caseSeqCommitted tells whether the case's record holds event seq.
func (a *Archive) caseSeqCommitted(ctx context.Context, folio legajo.Folio, seq int) (bool, error) {
	rec, err := a.Record(ctx, folio)
	if errors.Is(err, legajo.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, e := range rec.Entries {
		if seq == 1 && e.Event == legajo.EventAnulado {
			return true, nil // fsck annulled the number: it opens nothing any more
		}
		ev, ok, err := a.caseEventOf(ctx, e)
		if err != nil {
			return false, err
		}
		if ok && ev.Seq == seq {
			return true, nil
		}
	}
	return false, nil
}

// caseEventOf reads the case event a chain entry records, if it is one.
func (a *Archive) caseEventOf(ctx context.Context, e legajo.Entry) (legajo.CaseEvent, bool, error) {
	if e.Event != legajo.EventTramite {
		return legajo.CaseEvent{}, false, nil
	}
	m, err := a.eventManifest(ctx, e, "case event")
	if err == nil && m.Case == nil {
		err = fmt.Errorf("archive: case event of %s: unreadable manifest", e.Key)
	}
	if err != nil {
		return legajo.CaseEvent{}, false, err
	}
	return *m.Case, true, nil
}

// eventManifest reads the manifest of a chain entry that records an event
// of a case or a registry (what names it in errors).
func (a *Archive) eventManifest(ctx context.Context, e legajo.Entry, what string) (legajo.Manifest, error) {
	for _, obj := range e.Objects {
		if obj.Kind != "manifest" {
			continue
		}
		b, err := a.st.Get(ctx, obj.Key)
		if err != nil {
			return legajo.Manifest{}, fmt.Errorf("archive: %s %s: %w", what, obj.Key, err)
		}
		var m legajo.Manifest
		if err := json.Unmarshal(b, &m); err != nil {
			return legajo.Manifest{}, fmt.Errorf("archive: %s %s: unreadable manifest", what, obj.Key)
		}
		return m, nil
	}
	return legajo.Manifest{}, fmt.Errorf("archive: %s entry %s has no manifest", what, e.Key)
}

// CaseEvents calls fn for every case event filed after chain position pos
// of the cases' expediente, in chain order, and returns the position of
// the last entry read. An entry whose manifest cannot be read stops the
// walk there, so that it is tried again, not skipped.
func (a *Archive) CaseEvents(ctx context.Context, pos int64, fn func(legajo.CaseEvent) error) (int64, error) {
	if _, err := a.Expediente(legajo.CaseExpediente); err != nil {
		return pos, legajo.Errorf(legajo.ErrUnavailable, "Los trámites necesitan el expediente «%s» en la configuración.", legajo.CaseExpediente)
	}
	last := pos
	err := a.EntriesAfter(ctx, legajo.CaseExpediente, pos, func(e legajo.Entry) error {
		ev, ok, err := a.caseEventOf(ctx, e)
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

// ClaimNotice claims key once, by a conditional create like a folio's, so
// that of several servers (or one restarted) only one sends the message
// it stands for. Keys are made by the application: words, digits, dots,
// dashes and slashes.
func (a *Archive) ClaimNotice(ctx context.Context, key string, at time.Time) (bool, error) {
	if key == "" || len(key) > 300 || strings.Contains(key, "..") || strings.HasPrefix(key, "/") ||
		strings.ContainsFunc(key, func(r rune) bool { return r <= ' ' || r == '\\' || r > '~' }) {
		return false, legajo.Errorf(legajo.ErrInvalid, "archive: notice key %q", key)
	}
	body, err := json.Marshal(map[string]any{"at": at.UTC(), "nonce": randomToken()})
	if err != nil {
		return false, err
	}
	won, err := claimFolio(ctx, a.st, caseNotices+key, body, a.longestOptions(at, "application/json").RetainUntil)
	if err != nil {
		return false, fmt.Errorf("archive: notice %s: %w", key, err)
	}
	return won, nil
}
