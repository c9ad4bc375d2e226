package legajo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"time"
)

// RegistroLog is where registries live: the archive. Implemented by
// package archive.
type RegistroLog interface {
	// FileRegistro files ev as a chain entry of RegistroExpediente under
	// folio (the registry's, see RegistroDef.Folio). Event ev.Seq of a
	// registry is filed at most once across processes: a second filing of
	// the same number fails with ErrConflict and files nothing.
	FileRegistro(ctx context.Context, ev RegistroEvent, folio Folio) (Entry, error)
	// RegistroEvents calls fn, in the order they were filed, for every
	// registry event whose chain entry comes after position pos, and
	// returns the new position (pos 0: from the beginning).
	RegistroEvents(ctx context.Context, pos int64, fn func(RegistroEvent) error) (int64, error)
}

// Registros keeps every registry in memory, derived by replaying their
// events from the archive and following the ones filed after (by this
// process or another). A change is checked against the state, filed, and
// applied only once filed: the archive is the system of record.
type Registros struct {
	Log  RegistroLog
	Zone *time.Location
	Now  func() time.Time
	// Logf reports what a clerk need not see (a document whose registry
	// change failed).
	Logf func(format string, args ...any)

	defs   []*RegistroDef
	byID   map[string]*RegistroDef
	mu     sync.RWMutex
	state  map[string]*registroState
	pos    int64
	syncMu sync.Mutex
	fileMu sync.Mutex // one filing at a time in this process: numbers are per registry
}

type registroState struct {
	seq   int
	rows  map[string]*RegistroRow // by NormalizeKey
	order []*RegistroRow          // in order of alta
	at    map[string]int          // NormalizeKey → index in order
}

// NewRegistros checks the definitions and returns the registries they
// define, empty until Sync.
func NewRegistros(log RegistroLog, defs ...*RegistroDef) (*Registros, error) {
	rs := &Registros{Log: log, byID: map[string]*RegistroDef{}, state: map[string]*registroState{}}
	nums := map[int]string{}
	for _, d := range defs {
		if err := d.CheckDef(); err != nil {
			return nil, err
		}
		if rs.byID[d.ID] != nil || nums[d.Number] != "" {
			return nil, fmt.Errorf("registro %s: id or number %d repeated", d.ID, d.Number)
		}
		nums[d.Number] = d.ID
		rs.byID[d.ID] = d
		rs.defs = append(rs.defs, d)
		rs.state[d.ID] = &registroState{rows: map[string]*RegistroRow{}, at: map[string]int{}}
	}
	return rs, nil
}

// Defs lists the registries in the order they were given.
func (rs *Registros) Defs() []*RegistroDef { return append([]*RegistroDef(nil), rs.defs...) }

// Def returns the registry id, or ErrNotFound.
func (rs *Registros) Def(id string) (*RegistroDef, error) {
	d := rs.byID[id]
	if d == nil {
		return nil, Errorf(ErrNotFound, "No existe el registro «%s».", printable(id))
	}
	return d, nil
}

func (rs *Registros) now() time.Time {
	t := time.Now()
	if rs.Now != nil {
		t = rs.Now()
	}
	if rs.Zone != nil {
		t = t.In(rs.Zone)
	}
	return t
}

func (rs *Registros) logf(format string, args ...any) {
	if rs.Logf != nil {
		rs.Logf(format, args...)
	}
}

// Sync applies the events filed since the last call (all of them the
// first time).
func (rs *Registros) Sync(ctx context.Context) error {
	rs.syncMu.Lock()
	defer rs.syncMu.Unlock()
	rs.mu.RLock()
	pos := rs.pos
	rs.mu.RUnlock()
	var batch []RegistroEvent
	pos, err := rs.Log.RegistroEvents(ctx, pos, func(ev RegistroEvent) error {
		batch = append(batch, ev)
		return nil
	})
	rs.mu.Lock()
	defer rs.mu.Unlock()
	for _, ev := range batch {
		rs.applyLocked(ev)
	}
	if err == nil {
		rs.pos = pos
	}
	return err
}

// applyLocked applies ev if it is its registry's next event; anything
// else was applied already (an event this process filed, then read in the
// chain) or belongs to a registry this version does not know.
func (rs *Registros) applyLocked(ev RegistroEvent) {
	st := rs.state[ev.Registro]
	if st == nil || ev.Seq != st.seq+1 {
		return
	}
	st.seq = ev.Seq
	for _, c := range ev.Changes {
		k := NormalizeKey(c.Row)
		row := st.rows[k]
		step := RegistroStep{Seq: ev.Seq, Kind: c.Kind, At: ev.At, Author: ev.Author, Source: ev.Source, Folio: ev.Folio,
			Type: ev.Type, Fields: c.Fields, Qty: c.Qty, Note: c.Note}
		if step.Note == "" {
			step.Note = ev.Note
		}
		if row == nil {
			if c.Kind != RegAlta {
				rs.logf("registros: %s event %d: %s of unknown row %q", ev.Registro, ev.Seq, c.Kind, c.Row)
				continue
			}
			row = &RegistroRow{Key: c.Row, Fields: map[string]string{}, Created: ev.At}
			st.at[k] = len(st.order)
			st.order = append(st.order, row)
		} else {
			row = row.clone() // readers hold pointers: replace, never mutate
		}
		applyChange(row, c)
		row.Updated = ev.At
		row.History = append(row.History, step)
		st.rows[k] = row
		st.order[st.at[k]] = row
	}
}

func applyChange(row *RegistroRow, c RegistroChange) {
	for name, v := range c.Fields {
		if v = strings.TrimSpace(v); v == "" {
			delete(row.Fields, name)
		} else {
			row.Fields[name] = v
		}
	}
	switch c.Kind {
	case RegAlta, RegReactivacion:
		row.Active = true
	case RegBaja:
		row.Active = false
	case RegEntrada:
		row.Qty += c.Qty
	case RegSalida:
		row.Qty -= c.Qty
	}
}

// RegistroQuery selects rows of a registry.
type RegistroQuery struct {
	Q      string // words, without case or accents
	Active bool   // only rows not given de baja
}

// Rows returns the rows of registry id matching q, in order of alta.
// Each is a shared snapshot: callers must not modify it.
func (rs *Registros) Rows(id string, q RegistroQuery) ([]*RegistroRow, error) {
	if _, err := rs.Def(id); err != nil {
		return nil, err
	}
	rs.mu.RLock()
	defer rs.mu.RUnlock()
	var out []*RegistroRow
	for _, r := range rs.state[id].order {
		if (q.Active && !r.Active) || !r.Matches(q.Q) {
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// Row returns row key of registry id, or ErrNotFound.
func (rs *Registros) Row(id, key string) (*RegistroRow, error) {
	d, err := rs.Def(id)
	if err != nil {
		return nil, err
	}
	rs.mu.RLock()
	defer rs.mu.RUnlock()
	r := rs.state[id].rows[NormalizeKey(key)]
	if r == nil {
		return nil, Errorf(ErrNotFound, "El registro «%s» no tiene «%s».", d.Title, printable(key))
	}
	return r, nil
}

// Count is the number of rows of registry id (0 when unknown).
func (rs *Registros) Count(id string) int {
	rs.mu.RLock()
	defer rs.mu.RUnlock()
	if st := rs.state[id]; st != nil {
		return len(st.order)
	}
	return 0
}

// view is a registry's state for FromDocument and checks.
type view struct{ st *registroState }

func (v view) Row(key string) *RegistroRow { return v.st.rows[NormalizeKey(key)] }
func (v view) Rows() []*RegistroRow        { return v.st.order }

// File checks ev's changes against the registry as it stands, numbers ev
// and files it; once filed it is applied. When another process filed the
// same number first, File syncs and tries again (the changes checked
// again against what that process did). Problems with the changes are a
// *ValidationError naming each field; nothing is filed then.
func (rs *Registros) File(ctx context.Context, ev RegistroEvent) (RegistroEvent, error) {
	d, err := rs.Def(ev.Registro)
	if err != nil {
		return ev, err
	}
	if len(ev.Changes) == 0 {
		return ev, Errorf(ErrInvalid, "No hay cambios que registrar.")
	}
	if err := checkLine("Autor", ev.Author, 120); err != nil {
		return ev, err
	}
	if strings.TrimSpace(ev.Author) == "" {
		return ev, Errorf(ErrInvalid, "Falta quién registra el cambio.")
	}
	if err := checkLine("Observaciones", ev.Note, 500); err != nil {
		return ev, err
	}
	if ev.Source == "" {
		ev.Source = RegFromManual
	}
	rs.fileMu.Lock()
	defer rs.fileMu.Unlock()
	for attempt := 0; ; attempt++ {
		if err := rs.Sync(ctx); err != nil {
			return ev, err
		}
		rs.mu.RLock()
		st := rs.state[d.ID]
		changes, probs := rs.check(d, st, ev.Changes)
		seq := st.seq + 1
		rs.mu.RUnlock()
		if len(probs) > 0 {
			return ev, &ValidationError{Problems: probs}
		}
		out := ev
		out.Changes, out.Seq, out.At = changes, seq, rs.now()
		_, err := rs.Log.FileRegistro(ctx, out, d.Folio(out.At.Year()))
		if errors.Is(err, ErrConflict) && attempt < 100 {
			// Another process took the number: once its entry is in the
			// chain, see what it did. Its entry follows its claim within
			// moments; wait a little longer each time.
			select {
			case <-ctx.Done():
				return ev, ctx.Err()
			case <-time.After(time.Duration(5+5*min(attempt, 20)+rand.IntN(10)) * time.Millisecond):
			}
			continue
		}
		if errors.Is(err, ErrConflict) {
			return ev, Errorf(ErrConflict, "El registro «%s» está ocupado por otro cambio que no terminó; intente de nuevo en unos minutos.", d.Title)
		}
		if err != nil {
			return ev, err
		}
		rs.mu.Lock()
		rs.applyLocked(out)
		rs.mu.Unlock()
		return out, nil
	}
}

// check validates changes against st and completes them: keys made from
// the fields or numbered, fields trimmed. Caller holds rs.mu.
func (rs *Registros) check(d *RegistroDef, st *registroState, in []RegistroChange) ([]RegistroChange, []Problem) {
	var probs []Problem
	out := make([]RegistroChange, 0, len(in))
	next := len(st.order)
	// What the changes before this one in the event left: a row added,
	// given de baja or stocked earlier in the same event.
	type pending struct {
		exists, active bool
		qty            int
	}
	seen := map[string]*pending{}
	multi := len(in) > 1
	for i, c := range in {
		prefix := ""
		switch {
		case c.Line > 0:
			prefix = fmt.Sprintf("Fila %d: ", c.Line)
		case multi:
			prefix = fmt.Sprintf("Renglón %d: ", i+1)
		}
		add := func(field, format string, args ...any) {
			probs = append(probs, Problem{Field: field, Message: prefix + fmt.Sprintf(format, args...)})
		}
		if !d.Takes(c.Kind) {
			add("", "El registro «%s» no admite «%s».", d.Title, c.Kind.Label())
			continue
		}
		fields := map[string]string{}
		for k, v := range c.Fields {
			fields[k] = strings.TrimSpace(v)
		}
		c.Fields = fields
		c.Note = strings.TrimSpace(c.Note)
		if err := checkLine("Observaciones", c.Note, 500); err != nil {
			add("note", "%s", err.Error())
		}
		alta := c.Kind == RegAlta
		if alta && c.Row == "" {
			if len(d.Key) > 0 {
				c.Row = d.KeyOf(fields)
			} else {
				next++
				c.Row = fmt.Sprintf("%s-%04d", d.KeyPrefix, next)
			}
		}
		c.Row = strings.Join(strings.Fields(c.Row), " ")
		probs = append(probs, d.checkFields(fields, alta, prefix)...)
		if c.Row == "" {
			if alta {
				continue // the key's columns are missing: checkFields said so
			}
			add("row", "Falta el renglón del registro al que se aplica el cambio.")
			continue
		}
		if err := checkLine("Clave", c.Row, 200); err != nil {
			add("row", "%s", err.Error())
			continue
		}
		k := NormalizeKey(c.Row)
		row := st.rows[k]
		now := seen[k]
		if now == nil {
			now = &pending{}
			if row != nil {
				now.exists, now.active, now.qty = true, row.Active, row.Qty
			}
		}
		key := c.Row
		if row != nil {
			key = row.Key
		}
		switch {
		case alta && now.exists && row == nil:
			add("row", "«%s» está repetido.", c.Row)
			continue
		case alta && now.exists:
			add("row", "«%s» ya está en el registro «%s» (%s desde el %s).", row.Key, d.Title, strings.ToLower(row.Status()), LongDate(row.Created))
			continue
		case !alta && !now.exists:
			add("row", "«%s» no está en el registro «%s».", c.Row, d.Title)
			continue
		case c.Kind == RegBaja && !now.active:
			add("row", "«%s» ya fue dado de baja.", key)
			continue
		case c.Kind == RegReactivacion && now.active:
			add("row", "«%s» está vigente; no hay nada que reactivar.", key)
			continue
		case (c.Kind == RegModificacion || c.Kind == RegRestablecimiento || c.Kind == RegEntrada || c.Kind == RegSalida) && !now.active:
			add("row", "«%s» fue dado de baja; no admite «%s».", key, c.Kind.Label())
			continue
		}
		next := *now
		if c.Kind == RegEntrada || c.Kind == RegSalida {
			if !d.Stock || c.Qty < 1 || c.Qty > 1_000_000 {
				add("qty", "La cantidad debe ser un número entero de 1 a 1000000.")
				continue
			}
			if c.Kind == RegSalida && c.Qty > now.qty {
				add("qty", "No hay existencia suficiente de «%s»: hay %d y se pidió la salida de %d.", key, now.qty, c.Qty)
				continue
			}
			if c.Kind == RegEntrada {
				next.qty += c.Qty
			} else {
				next.qty -= c.Qty
			}
		} else if c.Qty != 0 {
			add("qty", "Sólo las entradas y salidas llevan cantidad.")
			continue
		}
		switch c.Kind {
		case RegAlta, RegReactivacion:
			next.exists, next.active = true, true
		case RegBaja:
			next.active = false
		}
		if d.Check != nil {
			probs = append(probs, prefixed(prefix, d.Check(c, row))...)
		}
		if len(c.Fields) == 0 {
			c.Fields = nil
		}
		seen[k] = &next
		out = append(out, c)
	}
	return out, probs
}

func prefixed(prefix string, ps []Problem) []Problem {
	for i := range ps {
		ps[i].Message = prefix + ps[i].Message
	}
	return ps
}

// Issued tells every registry that follows documents of type d.Type that
// d was issued, and files what each changes. The document is issued
// whatever happens here: a failure is returned for the caller to log.
func (rs *Registros) Issued(ctx context.Context, d IssuedDoc) error {
	var errs []error
	for _, def := range rs.defs {
		if def.FromDocument == nil || !containsString(def.Types, d.Type) {
			continue
		}
		if err := rs.Sync(ctx); err != nil {
			errs = append(errs, err)
			continue
		}
		rs.mu.RLock()
		changes, err := def.FromDocument(d, view{rs.state[def.ID]})
		rs.mu.RUnlock()
		if err != nil {
			errs = append(errs, fmt.Errorf("registro %s: %s: %w", def.ID, d.Folio, err))
			continue
		}
		if len(changes) == 0 {
			continue
		}
		_, err = rs.File(ctx, RegistroEvent{Registro: def.ID, Author: d.Author, Source: RegFromDocument, Folio: d.Folio,
			Type: d.Type, Changes: changes})
		if err != nil {
			errs = append(errs, fmt.Errorf("registro %s: %s: %w", def.ID, d.Folio, err))
		}
	}
	return errors.Join(errs...)
}

func containsString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// SortRows orders rows by the text of column col (accents and case
// ignored), keeping the order of alta among equals.
func SortRows(rows []*RegistroRow, col string) {
	sort.SliceStable(rows, func(i, j int) bool {
		return NormalizeKey(rows[i].Fields[col]) < NormalizeKey(rows[j].Fields[col])
	})
}

// registrar files what issuing d changes in the registries. The document
// is issued whatever happens: a failure is logged (the registry can be
// corrected by hand, and the log says which document to look at).
func (o *Office) registrar(ctx context.Context, d IssuedDoc) {
	if o.Registros == nil {
		return
	}
	if err := o.Registros.Issued(ctx, d); err != nil {
		o.Registros.logf("registros: %v", err)
	}
}

// registrarCancel records, on every row a cancelled document had changed,
// that it was cancelled.
func (o *Office) registrarCancel(ctx context.Context, folio, reason, author string) {
	if o.Registros == nil {
		return
	}
	if err := o.Registros.Cancelled(ctx, folio, reason, author); err != nil {
		o.Registros.logf("registros: %v", err)
	}
}

// Cancelled undoes in every registry what the cancelled document folio
// did, as new changes (nothing filed is rewritten): a row it added is
// given de baja, a row it closed is active again, stock it brought in goes
// out again (as much as is left), and any other row it touched gets an
// anotación saying so.
func (rs *Registros) Cancelled(ctx context.Context, folio, reason, author string) error {
	if err := rs.Sync(ctx); err != nil {
		return err
	}
	var errs []error
	for _, def := range rs.defs {
		rs.mu.RLock()
		var changes []RegistroChange
		for _, row := range rs.state[def.ID].order {
			touched, added, closed, in := false, false, false, 0
			for _, s := range row.History {
				if s.Folio != folio || s.Source != RegFromDocument {
					continue
				}
				touched = true
				added = added || s.Kind == RegAlta
				closed = closed || s.Kind == RegBaja
				if s.Kind == RegEntrada {
					in += s.Qty
				}
			}
			if !touched {
				continue
			}
			note := "Se canceló el documento " + folio + " que originó el cambio: " + reason
			if len([]rune(note)) > 500 {
				note = string([]rune(note)[:500])
			}
			if out := min(in, row.Qty); out > 0 && row.Active && def.Takes(RegSalida) {
				changes = append(changes, RegistroChange{Row: row.Key, Kind: RegSalida, Qty: out, Note: note})
			}
			switch {
			case added && row.Active && def.Takes(RegBaja):
				changes = append(changes, RegistroChange{Row: row.Key, Kind: RegBaja, Note: note})
			case closed && !added && !row.Active && def.Takes(RegReactivacion):
				changes = append(changes, RegistroChange{Row: row.Key, Kind: RegReactivacion, Note: note})
			case def.Takes(RegAnotacion):
				changes = append(changes, RegistroChange{Row: row.Key, Kind: RegAnotacion, Note: note})
			}
		}
		rs.mu.RUnlock()
		if len(changes) == 0 {
			continue
		}
		if _, err := rs.File(ctx, RegistroEvent{Registro: def.ID, Author: author, Source: RegFromCancelled, Folio: folio,
			Changes: changes}); err != nil {
			errs = append(errs, fmt.Errorf("registro %s: cancelación de %s: %w", def.ID, folio, err))
		}
	}
	return errors.Join(errs...)
}

// ReplayRegistros feeds the registries, once, with the documents issued
// before they existed (an archive older than the registries): every
// document of the types they follow, in the order it was issued, as if
// it were issued now; cancelled ones are left out. It refuses when any
// registry that follows documents already has rows, so it cannot count a
// document twice. It returns how many documents it read.
func (o *Office) ReplayRegistros(ctx context.Context) (int, error) {
	rs := o.Registros
	if rs == nil {
		return 0, Errorf(ErrUnavailable, "Los registros no están habilitados: configure el expediente «%s».", RegistroExpediente)
	}
	if err := rs.Sync(ctx); err != nil {
		return 0, err
	}
	types := map[string]bool{}
	for _, d := range rs.defs {
		if d.FromDocument == nil {
			continue
		}
		if rs.Count(d.ID) > 0 {
			return 0, Errorf(ErrConflict, "El registro «%s» ya tiene renglones; la reconstrucción sólo se hace una vez, sobre registros vacíos.", d.Title)
		}
		for _, t := range d.Types {
			types[t] = true
		}
	}
	type doc struct {
		d         IssuedDoc
		cancelled bool
	}
	byFolio := map[string]*doc{}
	var order []*doc
	for t := range types {
		err := o.Trail(ctx, TrailFilter{Type: t}, func(ev TrailEvent) error {
			if ev.Folio == "" {
				return nil
			}
			d := byFolio[ev.Folio]
			if d == nil {
				if ev.Event != EventEmitido {
					return nil
				}
				d = &doc{d: IssuedDoc{Folio: ev.Folio, Type: ev.Type, Values: ev.Fields, Author: ev.Author, At: ev.At}}
				byFolio[ev.Folio] = d
				order = append(order, d)
			}
			if ev.Status == StatusCancelado {
				d.cancelled = true
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	sort.SliceStable(order, func(i, j int) bool { return order[i].d.At.Before(order[j].d.At) })
	n := 0
	var errs []error
	for _, d := range order {
		if d.cancelled {
			continue
		}
		n++
		if err := rs.Issued(ctx, d.d); err != nil {
			errs = append(errs, err)
		}
	}
	return n, errors.Join(errs...)
}
