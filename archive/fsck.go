package archive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/sesver/legajo"
)

// FsckReport says what Fsck found and recorded.
type FsckReport struct {
	Discarded   []string `json:"discarded"`   // objects of interrupted filings, now explained
	Annulled    []string `json:"annulled"`    // folios reserved by interrupted emissions, now annulled
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
func (a *Archive) Fsck(ctx context.Context, grace time.Duration, now time.Time, author string) (FsckReport, error) {
	var rep FsckReport
	cutoff := now.Add(-grace)
	used := map[string]bool{}           // "serie/year/n" of every folio in a chain
	issued := map[string]legajo.Entry{} // emitido entries by request hash
	for _, exp := range a.Expedientes() {
		vouched := map[string]bool{}
		err := a.Entries(ctx, exp.ID, time.Time{}, time.Time{}, func(e legajo.Entry) error {
			for _, o := range e.Objects {
				vouched[o.Key] = true
			}
			if e.Request != "" && e.Event == legajo.EventEmitido {
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
		var orphans []legajo.Object
		err = a.st.List(ctx, expRoot+exp.ID+"/", "", func(o ObjectInfo) error {
			if vouched[o.Key] {
				return nil
			}
			if ts, ok := keyTime(o.Key); ok {
				if t, err := time.Parse("20060102T150405.000Z", ts); err == nil && t.After(cutoff) {
					return nil // possibly a filing still in progress
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
	if err := a.annulInterrupted(ctx, used, cutoff, now, author, &rep); err != nil {
		return rep, err
	}
	err := a.st.List(ctx, idemRoot, "", func(o ObjectInfo) error {
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

// annulInterrupted records as annulled every folio claimed before cutoff
// that no chain mentions.
func (a *Archive) annulInterrupted(ctx context.Context, used map[string]bool, cutoff, now time.Time, author string, rep *FsckReport) error {
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
		if used[id] {
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
		e := legajo.Entry{Expediente: exp.ID, At: now.UTC(), Event: legajo.EventAnulado, Folio: folio.String(), Type: c.Type,
			Author: author, Reason: ReasonInterrupted, Objects: []legajo.Object{}}
		if err := a.appendEntry(ctx, exp, &e); err != nil {
			return fmt.Errorf("archive: annul %s: %w", folio, err)
		}
		a.point(ctx, e)
		rep.Annulled = append(rep.Annulled, folio.String())
	}
	return nil
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
