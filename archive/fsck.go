package archive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sesver/legajo"
)

// FsckReport says what Fsck found and recorded.
type FsckReport struct {
	Discarded []string `json:"discarded"` // objects of interrupted filings, now explained
	Annulled  []string `json:"annulled"`  // folios reserved by interrupted emissions, now annulled
	// Deleted are the folios of documents that were filed and are gone
	// from storage («eliminado»): tampering, reported and never recorded
	// as anything else.
	Deleted     []string `json:"deleted"`
	Pointers    int      `json:"pointers"`    // folio pointers rebuilt
	Idempotency int      `json:"idempotency"` // idempotency keys of interrupted requests, settled
}

// ReasonInterrupted is the reason recorded for the leftovers of an
// interrupted emission.
const ReasonInterrupted = "interrumpida"

// Fsck finds the leftovers of interrupted work older than grace and records
// them, never deleting anything: objects no chain entry vouches for are
// listed in a «descartado» entry of their expediente; a folio reserved with
// no document is recorded as «anulado» with reason «interrumpida», so the
// serie stays gap-free and explainable; lost folio pointers are rebuilt;
// idempotency keys left without result are settled as interrupted. Running
// it twice records nothing new the second time.
//
// A document that was filed and is gone (its alta says emitido or
// recibido, or a folio pointer names its entry, but the entry is not in
// the chain) is reported in Deleted and never annulled: that would hide
// the deletion. Fsck annuls a folio only by taking its alta transition
// (see transition.go), so an emission that takes it first is never
// annulled, whatever grace is: one that dies after taking it is told from
// a deletion by its files, still in storage, and annulled once its alta
// is older than staleAfter.
//
// Nothing arbitrates between fsck and an emission over the files stored
// before its entry, so objects younger than staleAfter are left alone
// whatever grace is: the files of a document being issued are never
// recorded as «descartado».
func (a *Archive) Fsck(ctx context.Context, grace time.Duration, now time.Time, author string) (FsckReport, error) {
	rep := FsckReport{Deleted: []string{}}
	cutoff := now.Add(-grace)
	settled := now.Add(-max(grace, staleAfter))
	used := map[string]bool{}           // "serie/year/n" of every folio in a chain
	entries := map[string]bool{}        // keys of every chain entry
	lastKey := map[string]string{}      // of each chain, when it was walked
	issued := map[string]legajo.Entry{} // emitido entries by request hash
	vouched := map[string]bool{}
	for _, exp := range a.Expedientes() {
		err := a.Entries(ctx, exp.ID, time.Time{}, time.Time{}, func(e legajo.Entry) error {
			entries[e.Key], lastKey[exp.ID] = true, e.Key
			for _, o := range e.Objects {
				vouched[o.Key] = true
			}
			if e.Request != "" && (e.Event == legajo.EventEmitido || e.Event == legajo.EventRecibido) {
				issued[e.Request] = e
			}
			if e.Folio != "" {
				used[folioID(e.Folio)] = true
				if err := a.st.Create(ctx, pointerKey(e), pointerBody(e), CreateOptions{ContentType: "application/json", Derived: true}); err == nil {
					rep.Pointers++
				} else if !errors.Is(err, legajo.ErrConflict) {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return rep, err
		}
	}
	deleted, err := a.findDeleted(ctx, used, entries, settled)
	if err != nil {
		return rep, err
	}
	for _, f := range deleted {
		rep.Deleted = append(rep.Deleted, f)
	}
	sort.Strings(rep.Deleted)
	for _, exp := range a.Expedientes() {
		var orphans []legajo.Object
		err := a.st.List(ctx, expRoot+exp.ID+"/", "", func(o ObjectInfo) error {
			if vouched[o.Key] {
				return nil
			}
			ts, ok := keyTime(o.Key)
			if ok {
				if t, err := time.Parse("20060102T150405.000Z", ts); err == nil && t.After(settled) {
					return nil // possibly a filing still in progress
				}
				if deleted[folioID(keyFolio(o.Key))] != "" {
					return nil // what is left of a deleted document is evidence, not leftovers
				}
			}
			b, err := a.st.Get(ctx, o.Key)
			if err != nil {
				return err
			}
			orphans = append(orphans, legajo.Object{Key: o.Key, SHA256: sum(b), Size: int64(len(b)), Kind: "huerfano"})
			return nil
		})
		if err != nil {
			return rep, err
		}
		if len(orphans) > 0 {
			e := legajo.Entry{Expediente: exp.ID, At: now.UTC(), Event: legajo.EventDescartado, Author: author,
				Reason:  "Objetos de una emisión interrumpida que nunca se confirmaron en la cadena; se conservan sin valor documental.",
				Objects: orphans}
			if err := a.appendEntry(ctx, exp, &e); err != nil {
				return rep, err
			}
			for _, o := range orphans {
				rep.Discarded = append(rep.Discarded, o.Key)
			}
		}
	}
	if err := a.annulInterrupted(ctx, used, deleted, lastKey, cutoff, now, author, &rep); err != nil {
		return rep, err
	}
	if err := a.annulCaseGaps(ctx, used, lastKey, cutoff, now, author, &rep); err != nil {
		return rep, err
	}
	err = a.st.List(ctx, idemRoot, "", func(o ObjectInfo) error {
		base, ok := strings.CutSuffix(o.Key, ".json")
		if !ok || strings.HasSuffix(base, "-resultado") {
			return nil
		}
		if _, err := a.st.Stat(ctx, base+"-resultado.json"); !errors.Is(err, legajo.ErrNotFound) {
			return err
		}
		b, err := a.st.Get(ctx, o.Key)
		if err != nil {
			return err
		}
		var c struct{ At time.Time }
		if json.Unmarshal(b, &c) == nil && c.At.After(cutoff) {
			return nil
		}
		// Issued, but its result was never stored: rebuild it.
		res, _ := json.Marshal(map[string]string{"error": ReasonInterrupted})
		if e, ok := issued[strings.TrimPrefix(base, idemRoot)]; ok {
			res, _ = json.Marshal(legajo.ResultOf(e))
		}
		if err := a.st.Create(ctx, base+"-resultado.json", res, CreateOptions{ContentType: "application/json"}); err != nil && !errors.Is(err, legajo.ErrConflict) {
			return err
		}
		rep.Idempotency++
		return nil
	})
	return rep, err
}

// findDeleted returns, by folioID, the folios whose filed document is gone
// from the chains: the signed log sealed an entry that is not there, a
// pointer names an entry that is not there, or an alta
// of an emission settled before settled has no entry and no files left
// (or the document had later events). used and entries are what the walk
// of the chains found.
func (a *Archive) findDeleted(ctx context.Context, used, entries map[string]bool, settled time.Time) (map[string]string, error) {
	deleted := map[string]string{} // folioID → folio as printed
	// The signed log remembers every entry it sealed, with its folio: one
	// that is gone was deleted, whatever else was deleted with it.
	if a.verifier != nil {
		lg, err := a.readLog(ctx)
		if err != nil {
			return nil, err
		}
		for _, text := range lg.tree.leaves {
			leaf, err := ParseLeaf(text)
			if err != nil || leaf.Folio == "" || entries[leaf.Entry] {
				continue
			}
			if _, err := a.st.Stat(ctx, leaf.Entry); !errors.Is(err, legajo.ErrNotFound) {
				if err != nil {
					return nil, err
				}
				continue // in a chain fsck does not walk
			}
			deleted[folioID(leaf.Folio)] = leaf.Folio
		}
	}
	err := a.st.List(ctx, docRoot, "", func(o ObjectInfo) error {
		key, ok := pointedEntry(o.Key)
		if !ok || entries[key] {
			return nil
		}
		if _, err := a.st.Stat(ctx, key); !errors.Is(err, legajo.ErrNotFound) {
			return err // nil: filed after the walk, or in a chain fsck does not walk
		}
		if folio, ok := folioOfSlug(strings.Split(strings.TrimPrefix(o.Key, docRoot), "/")[0]); ok {
			deleted[folioID(folio.String())] = folio.String()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	states := map[string][]string{} // slug → transition objects, of folios no chain mentions
	err = a.st.List(ctx, stateRoot, "", func(o ObjectInfo) error {
		slug, _, _ := strings.Cut(strings.TrimPrefix(o.Key, stateRoot), "/")
		if folio, ok := folioOfSlug(slug); ok && !used[folioID(folio.String())] {
			states[slug] = append(states[slug], o.Key)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for slug, keys := range states {
		folio, _ := folioOfSlug(slug)
		later := false
		for _, k := range keys {
			later = later || !strings.HasPrefix(path.Base(k), "alta")
		}
		for _, k := range keys {
			if !strings.HasPrefix(path.Base(k), "alta") {
				continue
			}
			t, err := a.readTransition(ctx, k)
			if err != nil {
				return nil, err
			}
			if (t.Event != legajo.EventEmitido && t.Event != legajo.EventRecibido) || !t.At.Before(settled) {
				continue // an annulment, or an emission that may still commit
			}
			if ok, err := a.committed(ctx, folio, t); err != nil || ok {
				if err != nil {
					return nil, err
				}
				continue
			}
			files, err := a.filed(ctx, t.Expediente, t.At, folio)
			if err != nil {
				return nil, err
			}
			if later || !files {
				deleted[folioID(folio.String())] = folio.String()
			}
		}
	}
	return deleted, nil
}

// keyFolio is the folio, as printed, in the key of a filed object
// (<time>_<folio-slug>_<what>), or "".
func keyFolio(key string) string {
	name := key[strings.LastIndexByte(key, '/')+1:]
	_, rest, _ := strings.Cut(name, "_")
	slug, _, _ := strings.Cut(rest, "_")
	if f, ok := folioOfSlug(slug); ok {
		return f.String()
	}
	return ""
}

// folioOfSlug reads a folio from its slug, the prefix's segments being
// those before the serie.
func folioOfSlug(slug string) (legajo.Folio, bool) {
	parts := strings.Split(slug, "-")
	if len(parts) < 3 {
		return legajo.Folio{}, false
	}
	k := len(parts)
	n, err1 := strconv.Atoi(parts[k-2])
	y, err2 := strconv.Atoi(parts[k-1])
	if err1 != nil || err2 != nil || n <= 0 {
		return legajo.Folio{}, false
	}
	return legajo.Folio{Prefix: strings.Join(parts[:k-3], "/"), Serie: parts[k-3], Number: n, Year: y}, true
}

// annulInterrupted records as annulled every folio claimed before cutoff
// that no chain mentions and that is not deleted. Right before each, it
// looks again at the folio's pointers and at the entries appended to its
// chain since the walk; then the alta transition decides: an emission
// that took it first is never annulled.
func (a *Archive) annulInterrupted(ctx context.Context, used map[string]bool, deleted map[string]string, lastKey map[string]string,
	cutoff, now time.Time, author string, rep *FsckReport) error {
	type claim struct {
		id         string
		Prefix     string
		Expediente string
		Type       string
		At         time.Time
	}
	var todo []claim
	err := a.st.List(ctx, folioRoot, "", func(o ObjectInfo) error {
		parts := strings.Split(strings.TrimPrefix(o.Key, folioRoot), "/")
		if len(parts) != 3 {
			return nil
		}
		n, err := strconv.Atoi(parts[2])
		if err != nil {
			return nil
		}
		id := parts[0] + "/" + parts[1] + "/" + strconv.Itoa(n)
		if used[id] || deleted[id] != "" {
			return nil
		}
		b, err := a.st.Get(ctx, o.Key)
		if err != nil {
			return err
		}
		c := claim{id: id}
		if err := json.Unmarshal(b, &c); err != nil || c.At.IsZero() || c.At.After(cutoff) {
			return nil // not a claim of ours, or an emission that may still be running
		}
		todo = append(todo, c)
		return nil
	})
	if err != nil {
		return err
	}
	sort.Slice(todo, func(i, j int) bool { return todo[i].At.Before(todo[j].At) })
	for _, c := range todo {
		parts := strings.Split(c.id, "/")
		n, _ := strconv.Atoi(parts[2])
		year, _ := strconv.Atoi(parts[1])
		folio := legajo.Folio{Prefix: c.Prefix, Serie: parts[0], Number: n, Year: year}
		exp, err := a.Expediente(c.Expediente)
		if err != nil {
			exp = a.Expedientes()[0]
		}
		if filed, err := a.filedSince(ctx, folio, exp.ID, lastKey[exp.ID]); err != nil || filed {
			if err != nil {
				return err
			}
			continue
		}
		t := transition{Event: legajo.EventAnulado, Author: author, At: now.UTC(), Expediente: exp.ID, Reason: ReasonInterrupted}
		err = a.transit(ctx, folio, t, func(prev transition) (bool, error) {
			if prev.Event == legajo.EventAnulado {
				return true, nil // an fsck that died before its entry
			}
			// An emission that died after taking the alta, or a deletion
			// (which findDeleted reported, unless it happened since).
			return a.filed(ctx, prev.Expediente, prev.At, folio)
		})
		var te *legajo.TransitionError
		if errors.As(err, &te) {
			continue // an emission holds it: issued, or still committing
		}
		if err != nil {
			return fmt.Errorf("archive: annul %s: %w", folio, err)
		}
		e := legajo.Entry{Expediente: exp.ID, At: t.At, Event: legajo.EventAnulado, Folio: folio.String(), Type: c.Type,
			Author: author, Reason: ReasonInterrupted, Objects: []legajo.Object{}}
		if err := a.appendEntry(ctx, exp, &e); err != nil {
			return fmt.Errorf("archive: annul %s: %w", folio, err)
		}
		a.point(ctx, e)
		rep.Annulled = append(rep.Annulled, folio.String())
	}
	return nil
}

// filedSince tells whether folio has a pointer, or an entry in exp's chain
// after the key after (the walk's last).
func (a *Archive) filedSince(ctx context.Context, folio legajo.Folio, exp, after string) (bool, error) {
	errFound := errors.New("found")
	err := a.st.List(ctx, docRoot+folio.Slug()+"/", "", func(ObjectInfo) error { return errFound })
	if err == nil {
		err = a.st.List(ctx, chainPrefix(exp), after, func(o ObjectInfo) error {
			e, err := a.readEntry(ctx, o.Key)
			if err != nil {
				return err
			}
			if e.Folio != "" && folioID(e.Folio) == folioID(folio.String()) {
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

func pointerBody(e legajo.Entry) []byte {
	b, _ := json.Marshal(map[string]string{"entry": e.Key})
	return b
}

// folioID reduces a printed folio to serie/year/number, whatever its prefix.
func folioID(s string) string {
	parts := strings.Split(s, "/")
	if len(parts) < 3 {
		return s
	}
	n, _ := strconv.Atoi(parts[len(parts)-2])
	return parts[len(parts)-3] + "/" + parts[len(parts)-1] + "/" + strconv.Itoa(n)
}

// annulCaseGaps records as annulled («anulado», interrumpida) every case
// number claimed before cutoff whose opening was never filed (the process
// died between the two), so that the cases' numbers stay gap-free and
// explainable like folios. The case's first event number decides between
// fsck and an opening still running: fsck claims it as the opening would,
// so of the two only one files event 1; an opening that died holding it
// loses it once its claim is older than staleAfter.
func (a *Archive) annulCaseGaps(ctx context.Context, used map[string]bool, lastKey map[string]string, cutoff, now time.Time, author string, rep *FsckReport) error {
	exp, err := a.Expediente(legajo.CaseExpediente)
	if err != nil {
		return nil // cases are not configured
	}
	var todo []legajo.Folio
	err = a.st.List(ctx, caseNumbers, "", func(o ObjectInfo) error {
		parts := strings.Split(strings.TrimPrefix(o.Key, caseNumbers), "/")
		if len(parts) != 2 {
			return nil
		}
		year, err1 := strconv.Atoi(parts[0])
		n, err2 := strconv.Atoi(parts[1])
		if err1 != nil || err2 != nil || n <= 0 {
			return nil
		}
		f := legajo.Folio{Serie: legajo.CaseSerie, Number: n, Year: year}
		if used[folioID(f.String())] {
			return nil
		}
		b, err := a.st.Get(ctx, o.Key)
		if err != nil {
			return err
		}
		var c struct{ At time.Time }
		if err := json.Unmarshal(b, &c); err != nil || c.At.IsZero() || c.At.After(cutoff) {
			return nil // not a claim of ours, or an opening that may still be running
		}
		todo = append(todo, f)
		return nil
	})
	if err != nil {
		return err
	}
	for _, f := range todo {
		if filed, err := a.filedSince(ctx, f, exp.ID, lastKey[exp.ID]); err != nil || filed {
			if err != nil {
				return err
			}
			continue
		}
		at := now.UTC()
		err := a.claimCaseEvent(ctx, f, legajo.CaseEvent{Case: f.String(), Seq: 1, Kind: legajo.CaseEventKind(legajo.EventAnulado), Author: author, At: at})
		if errors.Is(err, legajo.ErrConflict) {
			continue // an opening holds it: filed, or still filing
		}
		if err != nil {
			return fmt.Errorf("archive: annul case %s: %w", f, err)
		}
		e := legajo.Entry{Expediente: exp.ID, At: at, Event: legajo.EventAnulado, Folio: f.String(), Type: "tramite",
			Author: author, Reason: ReasonInterrupted, Objects: []legajo.Object{}}
		if err := a.appendEntry(ctx, exp, &e); err != nil {
			return fmt.Errorf("archive: annul case %s: %w", f, err)
		}
		a.point(ctx, e)
		rep.Annulled = append(rep.Annulled, f.String())
	}
	return nil
}
