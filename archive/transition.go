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

// A status change of a document (see legajo.EventKind.Transition) is
// decided by creating estados/<folio-slug>/<transition>: the conditional
// create lets exactly one of any number of concurrent filings, in any
// number of processes, make it. Checking the derived status first and
// filing after cannot: every checker sees the old status.
//
// The object is taken before the chain entry, so a filing that dies in
// between leaves a transition its record never shows. Such an object stops
// counting once it is older than staleAfter and no chain entry matches it
// (same folio, event and time): the next attempt takes <transition>-2, then
// -3 and so on. A filing still running after staleAfter could then be
// doubled; no filing's step between the create and its entry comes near
// that long.
const (
	stateRoot  = "estados/"
	staleAfter = 5 * time.Minute
)

// transition is the content of a transition object.
type transition struct {
	Event      legajo.EventKind `json:"event"`
	Author     string           `json:"author"`
	At         time.Time        `json:"at"` // the time of the filing, and of its chain entry
	Expediente string           `json:"expediente"`
	Reason     string           `json:"reason,omitempty"`
	Request    string           `json:"request,omitempty"`
	// Nonce tells this filing's own create, retried by the transport after
	// a lost response, from another's.
	Nonce string `json:"nonce"`
}

func stateDir(folio legajo.Folio) string { return stateRoot + folio.Slug() + "/" }

func stateKey(folio legajo.Folio, name string, n int) string {
	if n == 1 {
		return stateDir(folio) + name
	}
	return stateDir(folio) + name + "-" + strconv.Itoa(n)
}

// abandonedFn decides whether an uncommitted transition older than
// staleAfter may be passed over (nil: always). fsck passes over an
// emission's alta only when its files are still there.
type abandonedFn func(prev transition) (bool, error)

// transit takes folio's transition for t. It returns a
// *legajo.TransitionError when another filing holds it.
func (a *Archive) transit(ctx context.Context, folio legajo.Folio, t transition, abandoned abandonedFn) error {
	name := legajo.TransitionName(t.Event, t.Reason)
	if name == "" {
		return nil
	}
	if t.Event == legajo.EventAcuse || t.Event == legajo.EventFirma || t.Event == legajo.EventEtapa {
		// A cancelled document takes no acuse, firma or stage; one
		// cancelled meanwhile still may, as if it had come first.
		if prev, ok, err := a.holder(ctx, folio, legajo.EventCancelado.Transition(), t.At); err != nil {
			return err
		} else if ok {
			return refusal(folio, t, prev)
		}
	}
	t.Nonce = randomToken()
	body, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("archive: encode transition: %w", err)
	}
	// Kept as long as the longest-kept expediente, like the folio claims:
	// a deleted transition would let a second cancellation through.
	opts := a.longestOptions(t.At, "application/json")
	for n, vanished := 1, 0; n <= 100; n++ {
		key := stateKey(folio, name, n)
		err := a.st.Create(ctx, key, body, opts)
		if err == nil {
			return nil
		}
		if !errors.Is(err, legajo.ErrConflict) {
			return fmt.Errorf("archive: transition %s: %w", key, err)
		}
		prev, err := a.readTransition(ctx, key)
		if errors.Is(err, legajo.ErrNotFound) && vanished < 3 {
			vanished++ // a concurrent create that failed: try the key again
			n--
			continue
		}
		if err != nil {
			return err
		}
		if prev.Nonce == t.Nonce {
			return nil
		}
		live, err := a.counts(ctx, folio, prev, t.At)
		if err != nil {
			return err
		}
		if !live && abandoned != nil {
			ok, err := abandoned(prev)
			if err != nil {
				return err
			}
			live = !ok
		}
		if live {
			return refusal(folio, t, prev)
		}
	}
	return fmt.Errorf("archive: transition %s of %s: too many abandoned attempts", name, folio)
}

// holder returns the transition object of folio named name that counts
// at now, if any.
func (a *Archive) holder(ctx context.Context, folio legajo.Folio, name string, now time.Time) (transition, bool, error) {
	var keys []string
	err := a.st.List(ctx, stateDir(folio)+name, "", func(o ObjectInfo) error {
		keys = append(keys, o.Key)
		return nil
	})
	if err != nil {
		return transition{}, false, err
	}
	for _, k := range keys {
		prev, err := a.readTransition(ctx, k)
		if err != nil {
			return transition{}, false, err
		}
		if live, err := a.counts(ctx, folio, prev, now); err != nil || live {
			return prev, live, err
		}
	}
	return transition{}, false, nil
}

// counts tells whether transition prev still holds at now: it is recent
// (its filing may be running) or its chain entry exists.
func (a *Archive) counts(ctx context.Context, folio legajo.Folio, prev transition, now time.Time) (bool, error) {
	if now.Sub(prev.At) < staleAfter {
		return true, nil
	}
	return a.committed(ctx, folio, prev)
}

// committed tells whether the chain holds the entry of transition prev:
// found through the folio's pointers, or else by walking the chain of its
// expediente (pointers are derived and may be missing after a crash).
func (a *Archive) committed(ctx context.Context, folio legajo.Folio, prev transition) (bool, error) {
	match := func(e legajo.Entry) bool {
		return e.Folio == folio.String() && e.Event == prev.Event && e.At.Equal(prev.At)
	}
	errFound := errors.New("found")
	err := a.st.List(ctx, docRoot+folio.Slug()+"/", "", func(o ObjectInfo) error {
		if key, ok := pointedEntry(o.Key); ok {
			if e, err := a.readEntry(ctx, key); err == nil && match(e) {
				return errFound
			}
		}
		return nil
	})
	if err == nil && prev.Expediente != "" {
		err = a.st.List(ctx, chainPrefix(prev.Expediente), "", func(o ObjectInfo) error {
			e, err := a.readEntry(ctx, o.Key)
			if err != nil {
				return err
			}
			if match(e) {
				return errFound
			}
			return nil
		})
	}
	if errors.Is(err, errFound) {
		return true, nil
	}
	return false, err
}

// pointedEntry is the chain key a folio pointer names, read from the
// pointer's own key (documentos/<slug>/<seq>_<exp>.json).
func pointedEntry(pointer string) (string, bool) {
	name := pointer[strings.LastIndexByte(pointer, '/')+1:]
	name, ok := strings.CutSuffix(name, ".json")
	seq, exp, ok2 := strings.Cut(name, "_")
	n, err := strconv.ParseInt(seq, 10, 64)
	if !ok || !ok2 || err != nil || n <= 0 || exp == "" {
		return "", false
	}
	return chainKey(exp, n), true
}

func (a *Archive) readTransition(ctx context.Context, key string) (transition, error) {
	b, err := a.st.Get(ctx, key)
	if err != nil {
		return transition{}, err
	}
	var t transition
	if err := json.Unmarshal(b, &t); err != nil {
		return transition{}, fmt.Errorf("archive: transition %s: %w", key, err)
	}
	return t, nil
}

func refusal(folio legajo.Folio, t, prev transition) error {
	return &legajo.TransitionError{Folio: folio.String(), Wanted: t.Event, Event: prev.Event, Author: prev.Author, At: prev.At}
}

// filingStem is the beginning of the keys of the objects a filing of folio
// at that time stores in exp (see File).
func filingStem(exp string, at time.Time, folio legajo.Folio) string {
	at = at.UTC()
	return fmt.Sprintf("%s%s/%04d/%02d/%s_%s_", expRoot, exp, at.Year(), int(at.Month()), timestamp(at), folio.Slug())
}

// filed tells whether any object of the filing of folio at that time is in
// exp.
func (a *Archive) filed(ctx context.Context, exp string, at time.Time, folio legajo.Folio) (bool, error) {
	errFound := errors.New("found")
	err := a.st.List(ctx, filingStem(exp, at, folio), "", func(ObjectInfo) error { return errFound })
	if errors.Is(err, errFound) {
		return true, nil
	}
	return false, err
}

// decide takes the transition of filing f in exp, if it makes one, at its
// step of File: an acuse or a cancellation before anything is stored, so
// that the filings refused leave nothing behind; an alta after the files,
// right before the entry, so that fsck can tell an emission that died
// there by its files (see Fsck).
func (a *Archive) decide(ctx context.Context, exp string, f legajo.Filing, beforeFiles bool) error {
	if name := legajo.TransitionName(f.Event, f.Reason); name == "" || (name == "alta") == beforeFiles {
		return nil
	}
	return a.transit(ctx, f.Folio, transition{Event: f.Event, Author: f.Author, At: f.At.UTC(), Expediente: exp,
		Reason: f.Reason, Request: f.Request}, nil)
}
