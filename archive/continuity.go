package archive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/sesver/legajo"
)

// checkFolios proves, for every serie and year, that each number from 1 to
// the highest is accounted for exactly once: issued or received, or annulled
// with its reason, by one chain entry, and claimed. Claims younger than
// InFlight without a document belong to emissions that may still run.
func (a *Archive) checkFolios(ctx context.Context, entries map[string]chained, start time.Time) (legajo.Verification, error) {
	v := legajo.Verification{Expediente: "folios"}
	add := func(key, problem, format string, args ...any) {
		v.Findings = append(v.Findings, legajo.Finding{Expediente: "folios", Key: key, Problem: problem, Detail: fmt.Sprintf(format, args...)})
	}
	type number struct {
		entries []string
		claimed bool
		at      time.Time
	}
	series := map[string]map[int]*number{} // "serie/year" → n
	at := func(sy string, n int) *number {
		m := series[sy]
		if m == nil {
			m = map[int]*number{}
			series[sy] = m
		}
		if m[n] == nil {
			m[n] = &number{}
		}
		return m[n]
	}
	for key, c := range entries {
		switch c.event {
		case legajo.EventEmitido, legajo.EventRecibido, legajo.EventAnulado:
		default:
			continue
		}
		sy, n, ok := folioParts(c.folio)
		if !ok {
			continue
		}
		x := at(sy, n)
		x.entries = append(x.entries, key)
	}
	err := a.st.List(ctx, folioRoot, "", func(o ObjectInfo) error {
		parts := strings.Split(strings.TrimPrefix(o.Key, folioRoot), "/")
		if len(parts) != 3 {
			return nil
		}
		n, err := strconv.Atoi(parts[2])
		if err != nil || n < 1 {
			return nil
		}
		x := at(parts[0]+"/"+parts[1], n)
		x.claimed = true
		if len(x.entries) == 0 {
			b, err := a.st.Get(ctx, o.Key)
			if err != nil && !errors.Is(err, legajo.ErrNotFound) {
				return err
			}
			var c struct{ At time.Time }
			_ = json.Unmarshal(b, &c)
			x.at = c.At
		}
		return nil
	})
	if err != nil {
		return v, err
	}
	recent := start.Add(-InFlight)
	sys := make([]string, 0, len(series))
	for sy := range series {
		sys = append(sys, sy)
	}
	sort.Strings(sys)
	for _, sy := range sys {
		m := series[sy]
		top := 0
		for n := range m {
			top = max(top, n)
		}
		serie, year, _ := strings.Cut(sy, "/")
		y, _ := strconv.Atoi(year)
		dir, _ := folioDir(serie, y)
		for n := 1; n <= top; n++ {
			v.Objects++
			key, name := folioKey(dir, n), fmt.Sprintf("%s %04d/%s", serie, n, year)
			x := m[n]
			switch {
			case x == nil:
				add(key, "faltante", "El folio %s no está emitido, anulado ni reservado: falta en la serie.", name)
			case len(x.entries) > 1:
				add(key, "duplicado", "El folio %s se usó %d veces: %s.", name, len(x.entries), strings.Join(x.entries, ", "))
			case len(x.entries) == 1 && !x.claimed:
				add(key, "faltante", "Falta la reserva del folio %s, que está emitido: fue eliminada.", name)
			case len(x.entries) == 0 && !x.at.IsZero() && x.at.After(recent):
				// An emission that may still be running.
			case len(x.entries) == 0:
				add(key, "sin documento", "El folio %s está reservado desde %s sin documento ni anulación: una emisión interrumpida («legajo fsck» la anula) o un documento eliminado.",
					name, x.at.Format("2006-01-02 15:04"))
			}
		}
	}
	return v, nil
}

// folioParts reduces a printed folio (…/<serie>/<NNNN>/<AAAA>) to its
// "serie/year" and number.
func folioParts(s string) (string, int, bool) {
	parts := strings.Split(s, "/")
	if len(parts) < 3 {
		return "", 0, false
	}
	n, err := strconv.Atoi(parts[len(parts)-2])
	if err != nil || n < 1 {
		return "", 0, false
	}
	return parts[len(parts)-3] + "/" + parts[len(parts)-1], n, true
}

// checkPointers checks that every folio pointer names an entry of that
// folio: a pointer redirected to another document's entry would make the
// document's page show the other one.
func (a *Archive) checkPointers(ctx context.Context, entries map[string]chained) (legajo.Verification, error) {
	v := legajo.Verification{Expediente: "documentos"}
	var mu sync.Mutex
	add := func(key, problem, format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		v.Findings = append(v.Findings, legajo.Finding{Expediente: "documentos", Key: key, Problem: problem, Detail: fmt.Sprintf(format, args...)})
	}
	// Pointers are tiny and many (one per event): a few workers read them.
	keys := make(chan string, 64)
	errs := make([]error, 4)
	var wg sync.WaitGroup
	for w := range errs {
		wg.Go(func() {
			for key := range keys {
				if err := a.checkPointer(ctx, key, entries, add); err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	err := a.st.List(ctx, docRoot, "", func(o ObjectInfo) error {
		v.Objects++
		select {
		case keys <- o.Key:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	close(keys)
	wg.Wait()
	sortFindings(v.Findings)
	return v, errors.Join(err, errors.Join(errs...))
}

// checkPointer checks one folio pointer against the entries the chains
// hold.
func (a *Archive) checkPointer(ctx context.Context, key string, entries map[string]chained, add func(key, problem, format string, args ...any)) error {
	slug, _, _ := strings.Cut(strings.TrimPrefix(key, docRoot), "/")
	b, err := a.st.Get(ctx, key)
	if errors.Is(err, legajo.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var p struct{ Entry string }
	if json.Unmarshal(b, &p) != nil || p.Entry == "" {
		add(key, "ilegible", "El índice de folio no se puede leer.")
		return nil
	}
	c, ok := entries[p.Entry]
	if !ok {
		// Appended after the chains were read, or gone.
		e, err := a.readEntry(ctx, p.Entry)
		if err != nil {
			add(key, "faltante", "El índice de folio apunta a la entrada %s, que no existe.", p.Entry)
			return nil
		}
		c = chained{folio: e.Folio, seq: e.Seq}
	}
	exp, seq, _ := splitChainKey(p.Entry)
	if strings.ReplaceAll(c.folio, "/", "-") != slug || key != fmt.Sprintf("%s%s/%0*d_%s.json", docRoot, slug, seqDigits, seq, exp) {
		add(key, "redirigido", "El índice del folio %s apunta a la entrada %s, que es de «%s»: fue redirigido.", slug, p.Entry, c.folio)
	}
	return nil
}
