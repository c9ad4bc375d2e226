package legajo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// CaseLog is where cases live: the archive. Implemented by package archive.
type CaseLog interface {
	// AllocateCase claims the next case number of year (gap-free, shared
	// by every process on the same storage); claim identifies the request.
	AllocateCase(ctx context.Context, year int, claim []byte) (Folio, error)
	// FileCase files event ev as a chain entry of the cases' expediente.
	// Event ev.Seq of a case is filed at most once across processes: a
	// second filing of the same number fails with ErrConflict and files
	// nothing.
	FileCase(ctx context.Context, ev CaseEvent) (Entry, error)
	// CaseEvents calls fn, in the order they were filed, for every case
	// event whose chain entry comes after position pos, and returns the
	// new position (pos 0: from the beginning).
	CaseEvents(ctx context.Context, pos int64, fn func(CaseEvent) error) (int64, error)
	// ClaimNotice claims key (e.g. «resumen/2026-11-30/luis») once across
	// processes and restarts: true for the one call that took it. A message
	// that is not a case's event (the daily summary) is sent only by who
	// claimed it.
	ClaimNotice(ctx context.Context, key string, at time.Time) (bool, error)
}

// CaseNotifier is told when a case is turned to someone, so that they
// hear of it (e-mail is another module's business). It must not block for
// long; its error is logged, never returned to the clerk.
type CaseNotifier interface {
	CaseAssigned(ctx context.Context, c Case, ev CaseEvent) error
	// CaseOverdue tells ev.Assignee that a plazo of the case passed (ev is
	// the aviso filed for it: its Due, its Reason the plazo's text).
	CaseOverdue(ctx context.Context, c Case, ev CaseEvent, x Plazo) error
}

// NoNotifier notifies nobody: the default until e-mail notifications are
// configured. The bandeja shows every turno anyway.
type NoNotifier struct{}

func (NoNotifier) CaseAssigned(context.Context, Case, CaseEvent) error { return nil }

func (NoNotifier) CaseOverdue(context.Context, Case, CaseEvent, Plazo) error { return nil }

// Cases keeps every case in memory, derived by replaying their events from
// the archive at start and following the ones filed after (by this process
// or another). Actions file an event first and apply it after: the
// archive is the system of record.
type Cases struct {
	Log        CaseLog
	Procedures *Procedures
	Calendar   *Calendar
	Notifier   CaseNotifier
	Zone       *time.Location
	Now        func() time.Time
	// Logf reports what a clerk need not see (a notification that failed).
	Logf func(format string, args ...any)

	cal atomic.Pointer[Calendar] // set by SetCalendar; wins over Calendar
	// unsent are the avisos this process filed whose message failed: only
	// the process that filed one may send it, so it tries again itself.
	unsentMu sync.Mutex
	unsent   []unsentAviso
	mu       sync.RWMutex
	byNum    map[string]*Case
	at       map[string]int    // index in order
	byReq    map[string]string // opening request → case number
	order    []*Case           // by opening
	openMu   sync.Mutex
	pos      int64
	syncMu   sync.Mutex
}

// SetCalendar changes the días inhábiles while cases are served (the
// institution's list is a setting).
func (cs *Cases) SetCalendar(c *Calendar) { cs.cal.Store(c) }

// Cal is the calendar plazos are counted with.
func (cs *Cases) Cal() *Calendar {
	if c := cs.cal.Load(); c != nil {
		return c
	}
	return cs.Calendar
}

func (cs *Cases) now() time.Time {
	t := time.Now()
	if cs.Now != nil {
		t = cs.Now()
	}
	if cs.Zone != nil {
		t = t.In(cs.Zone)
	}
	return t
}

// Sync applies the events filed since the last call (all of them the first
// time).
func (cs *Cases) Sync(ctx context.Context) error {
	cs.syncMu.Lock()
	defer cs.syncMu.Unlock()
	cs.mu.RLock()
	pos := cs.pos
	cs.mu.RUnlock()
	var batch []CaseEvent
	pos, err := cs.Log.CaseEvents(ctx, pos, func(ev CaseEvent) error {
		batch = append(batch, ev)
		return nil
	})
	cs.mu.Lock()
	defer cs.mu.Unlock()
	for _, ev := range batch {
		cs.applyLocked(ev)
	}
	if err == nil {
		cs.pos = pos
	}
	return err
}

// applyLocked applies ev if it is the case's next event; anything else was
// applied already (an event this process filed, then read in the chain).
func (cs *Cases) applyLocked(ev CaseEvent) {
	if cs.byNum == nil {
		cs.byNum, cs.at, cs.byReq = map[string]*Case{}, map[string]int{}, map[string]string{}
	}
	c := cs.byNum[ev.Case]
	if c == nil {
		if ev.Seq != 1 {
			return
		}
		c = &Case{}
		if err := c.Apply(ev); err != nil {
			cs.logf("cases: %v", err)
			return
		}
		cs.byNum[ev.Case] = c
		if ev.Request != "" {
			cs.byReq[ev.Request] = ev.Case
		}
		cs.at[ev.Case] = len(cs.order)
		cs.order = append(cs.order, c)
		return
	}
	if ev.Seq != c.Seq()+1 {
		return
	}
	// Readers hold pointers to cases: replace, never mutate in place.
	nc := c.clone()
	if err := nc.Apply(ev); err != nil {
		// An event this version cannot apply (one from a newer version):
		// the case stays as it was, and says so in the log.
		cs.logf("cases: %v", err)
		return
	}
	cs.byNum[ev.Case] = nc
	cs.order[cs.at[ev.Case]] = nc
}

func (c *Case) clone() *Case {
	nc := *c
	nc.Steps = append([]StepRecord(nil), c.Steps...)
	nc.Documents = append([]CaseDoc(nil), c.Documents...)
	nc.Events = append([]CaseEvent(nil), c.Events...)
	return &nc
}

// Get returns a copy of case number (TR/0001/2026 or TR-0001-2026), or
// ErrNotFound.
func (cs *Cases) Get(number string) (*Case, error) {
	number = NormalizeCase(number)
	cs.mu.RLock()
	defer cs.mu.RUnlock()
	c, ok := cs.byNum[number]
	if !ok {
		return nil, Errorf(ErrNotFound, "No existe el trámite «%s».", printable(number))
	}
	return c.clone(), nil
}

// NormalizeCase writes a case number as printed: TR/0001/2026.
func NormalizeCase(s string) string {
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), "-", "/"))
}

// CaseSlug writes a case number for URLs: TR-0001-2026.
func CaseSlug(number string) string { return strings.ReplaceAll(number, "/", "-") }

// IsCaseNumber tells whether s is written like a case number.
func IsCaseNumber(s string) bool {
	f, err := ParseFolio(NormalizeCase(s), "")
	return err == nil && f.Serie == CaseSerie
}

// CaseFilter selects cases for a bandeja or a list.
type CaseFilter struct {
	Assignee  string // login
	Section   string
	Procedure string
	Open      bool // only those not closed or cancelled
}

// List returns the cases matching f, the most recent first. Each is a
// shared snapshot: callers must not modify it.
func (cs *Cases) List(f CaseFilter) []*Case {
	cs.mu.RLock()
	defer cs.mu.RUnlock()
	var out []*Case
	for i := len(cs.order) - 1; i >= 0; i-- {
		c := cs.order[i]
		switch {
		case f.Open && c.Status.Final():
		case f.Assignee != "" && c.Assignee != f.Assignee:
		case f.Section != "" && c.Section != f.Section:
		case f.Procedure != "" && c.Procedure != f.Procedure:
		default:
			out = append(out, c)
		}
	}
	return out
}

// Count is the number of cases held.
func (cs *Cases) Count() int {
	cs.mu.RLock()
	defer cs.mu.RUnlock()
	return len(cs.order)
}

// Queue is a bandeja: the open cases of a person or a section, sorted by
// what needs attention first.
type Queue struct {
	Overdue []QueueItem // a plazo passed (shown in red)
	DueSoon []QueueItem // a plazo passes within the next two días hábiles
	Mine    []QueueItem // the rest of those assigned, acting now
	Waiting []QueueItem // en espera of others
}

// QueueItem is a case in a bandeja, with its next plazo.
type QueueItem struct {
	Case *Case
	Proc *Procedimiento
	Due  Plazo
	Has  bool // whether Due is set
}

// Total is the number of cases in the bandeja.
func (q Queue) Total() int { return len(q.Overdue) + len(q.DueSoon) + len(q.Mine) + len(q.Waiting) }

// Bandeja sorts the open cases matching f into a Queue at now.
func (cs *Cases) Bandeja(f CaseFilter, now time.Time) Queue {
	f.Open = true
	var q Queue
	soon := cs.Cal().AddBusinessDays(now, 2)
	cal := cs.Cal()
	for _, c := range cs.List(f) {
		p := cs.Procedures.byID[c.Procedure]
		it := QueueItem{Case: c, Proc: p}
		ps := c.Plazos(p, cal)
		it.Due, it.Has = nextDue(ps, now)
		switch {
		case c.Status == CaseAtendido:
			q.Mine = append(q.Mine, it)
		case it.Has && !ps[0].Due.After(now):
			q.Overdue = append(q.Overdue, it)
		case c.Status == CaseEnEspera:
			q.Waiting = append(q.Waiting, it)
		case it.Has && it.Due.Due.Before(soon):
			q.DueSoon = append(q.DueSoon, it)
		default:
			q.Mine = append(q.Mine, it)
		}
	}
	byDue := func(s []QueueItem) {
		sort.SliceStable(s, func(i, j int) bool {
			if s[i].Has != s[j].Has {
				return s[i].Has
			}
			return s[i].Due.Due.Before(s[j].Due.Due)
		})
	}
	byDue(q.Overdue)
	byDue(q.DueSoon)
	return q
}

// Sweep returns the open cases with a plazo passed at now, each with the
// plazo that passed last: what the manual orders next. It reads memory
// only, so it can run every minute over every open case.
func (cs *Cases) Sweep(now time.Time) []QueueItem {
	cs.mu.RLock()
	defer cs.mu.RUnlock()
	var out []QueueItem
	for _, c := range cs.order {
		if c.Status.Final() || c.Status == CaseAtendido {
			continue
		}
		p := cs.Procedures.byID[c.Procedure]
		var passed Plazo
		found := false
		for _, x := range c.Plazos(p, cs.Cal()) {
			if !x.Due.After(now) {
				passed, found = x, true
			}
		}
		if found {
			out = append(out, QueueItem{Case: c, Proc: p, Due: passed, Has: true})
		}
	}
	return out
}

// unsentAviso is an aviso filed whose message failed to go.
type unsentAviso struct {
	c     Case
	ev    CaseEvent
	x     Plazo
	tries int
}

// avisoTries is how many sweeps try to send an aviso's message (the first
// included) before it is given up, and logged so.
const avisoTries = 10

// NotifierAuthor is who the avisos de vencimiento are filed by: the
// application, not a person.
const NotifierAuthor = "legajo"

// Escalate tells, once, the person each open case is turned to of every
// plazo of it that passed at now and nobody was told of (the manual's
// escalations: at 24 hours re-send the e-mail to the provider and call the
// account executive; 48 hours later request a temporary line). The aviso
// is filed first, as an event of the case, and the message sent only when
// this process filed it: of several servers sweeping the same archive one
// wins each aviso, and one restarted finds the avisos in the chain. A
// message that fails after its aviso was filed is tried again by the
// following sweeps of the same process, up to avisoTries times (a process
// that stops meanwhile takes it along: the case page and the bandeja show
// the escalation all the same, and the daily summary lists the case). It
// returns how many avisos it filed.
func (cs *Cases) Escalate(ctx context.Context, now time.Time) (int, error) {
	if err := cs.Sync(ctx); err != nil {
		return 0, err
	}
	type due struct {
		number string
		plazo  Plazo
	}
	var todo []due
	cal := cs.Cal()
	cs.mu.RLock()
	for _, c := range cs.order {
		if c.Assignee == "" || c.Status.Final() || c.Status == CaseAtendido {
			continue
		}
		for _, x := range c.Passed(cs.Procedures.byID[c.Procedure], cal, now) {
			if !c.Notified(x) {
				todo = append(todo, due{c.Number, x})
			}
		}
	}
	cs.mu.RUnlock()
	cs.resend(ctx)
	filed := 0
	var first error
	for _, d := range todo {
		c, err := cs.Get(d.number)
		if err != nil {
			continue
		}
		if c.Notified(d.plazo) || c.Assignee == "" || c.Status.Final() {
			continue
		}
		ev := CaseEvent{Case: c.Number, Seq: c.Seq() + 1, Kind: CaseNotified, At: cs.now(), Author: NotifierAuthor,
			Step: c.Step, Due: d.plazo.Due, Reason: d.plazo.Text, Section: c.Section, Assignee: c.Assignee}
		if _, err := cs.Log.FileCase(ctx, ev); err != nil {
			if errors.Is(err, ErrConflict) {
				// Another server filed this aviso, or someone moved
				// the case meanwhile: the next sweep, having read the
				// chain, sees which.
				continue
			}
			if first == nil {
				first = fmt.Errorf("cases: aviso of %s: %w", c.Number, err)
			}
			continue
		}
		filed++
		cs.mu.Lock()
		cs.applyLocked(ev)
		cs.mu.Unlock()
		cs.tell(ctx, unsentAviso{c: *c, ev: ev, x: d.plazo})
	}
	return filed, first
}

// tell sends an aviso's message; one that fails waits for the next sweep.
func (cs *Cases) tell(ctx context.Context, u unsentAviso) {
	if cs.Notifier == nil {
		return
	}
	u.tries++
	err := cs.Notifier.CaseOverdue(ctx, u.c, u.ev, u.x)
	if err == nil {
		return
	}
	if u.tries >= avisoTries {
		cs.logf("cases: aviso %d of %s to %s not sent after %d tries, given up: %v", u.ev.Seq, u.c.Number, u.ev.Assignee, u.tries, err)
		return
	}
	cs.logf("cases: aviso %d of %s to %s (try %d): %v", u.ev.Seq, u.c.Number, u.ev.Assignee, u.tries, err)
	cs.unsentMu.Lock()
	cs.unsent = append(cs.unsent, u)
	cs.unsentMu.Unlock()
}

// resend tries again the messages of avisos that failed.
func (cs *Cases) resend(ctx context.Context) {
	cs.unsentMu.Lock()
	list := cs.unsent
	cs.unsent = nil
	cs.unsentMu.Unlock()
	for _, u := range list {
		if c, err := cs.Get(u.c.Number); err == nil && c.Status.Final() {
			continue // closed meanwhile: nothing to act on any more
		}
		cs.tell(ctx, u)
	}
}

// OpenCaseRequest opens a case.
type OpenCaseRequest struct {
	Procedure string
	Area      string // área solicitante
	Subject   string
	Requester string
	Origin    string // folio of the received document that opened it, if any
	Section   string // "" for the procedure's section
	Assignee  string // login, optional
	Due       time.Time
	Author    string
	// Key, when set, makes the same request sent again (Back and «Abrir»
	// again, a double click) return the case it opened.
	Key string
}

// Open opens a case at its procedure's first step with its own number.
func (cs *Cases) Open(ctx context.Context, r OpenCaseRequest) (*Case, error) {
	p, err := cs.Procedures.Get(r.Procedure)
	var probs []Problem
	if err != nil {
		probs = append(probs, Problem{Field: "procedimiento", Message: "Elija el procedimiento del manual que sigue el trámite."})
	}
	r.Area, r.Subject, r.Requester = strings.TrimSpace(r.Area), strings.TrimSpace(r.Subject), strings.TrimSpace(r.Requester)
	for _, f := range []struct{ name, label, v string }{
		{"area", "Área solicitante", r.Area}, {"asunto", "Asunto", r.Subject},
	} {
		if f.v == "" {
			probs = append(probs, Problem{Field: f.name, Message: fmt.Sprintf("El campo «%s» es obligatorio.", f.label)})
		}
	}
	for _, f := range []struct {
		name, label, v string
		max            int
	}{
		{"area", "Área solicitante", r.Area, 150}, {"asunto", "Asunto", r.Subject, 300},
		{"solicitante", "Solicitante", r.Requester, 150}, {"origen", "Documento de origen", r.Origin, 80},
	} {
		if err := checkLine(f.label, f.v, f.max); err != nil {
			probs = append(probs, Problem{Field: f.name, Message: err.Error()})
		}
	}
	if len(probs) > 0 {
		return nil, &ValidationError{Problems: probs}
	}
	if err := checkLine("Autor", r.Author, 120); err != nil || r.Author == "" {
		return nil, Errorf(ErrInvalid, "El trámite necesita quién lo abre.")
	}
	if r.Section == "" {
		r.Section = p.Section
	}
	req := ""
	if r.Key != "" {
		req = RequestHash(r.Key)
		cs.openMu.Lock()
		defer cs.openMu.Unlock()
		if err := cs.Sync(ctx); err != nil {
			return nil, err
		}
		cs.mu.RLock()
		num, seen := cs.byReq[req]
		cs.mu.RUnlock()
		if seen {
			return cs.Get(num)
		}
	}
	now := cs.now()
	claim, _ := json.Marshal(map[string]any{"procedure": p.ID, "author": r.Author, "at": now.UTC(), "nonce": nonce()})
	num, err := cs.Log.AllocateCase(ctx, now.Year(), claim)
	if err != nil {
		return nil, err
	}
	ev := CaseEvent{Case: num.String(), Seq: 1, Kind: CaseOpened, At: now, Author: r.Author, To: p.Steps[0].N,
		Procedure: p.ID, Area: r.Area, Subject: r.Subject, Requester: r.Requester, Origin: r.Origin,
		Section: r.Section, Assignee: r.Assignee, Due: r.Due, Request: req}
	if err := cs.file(ctx, ev); err != nil {
		return nil, err
	}
	c, err := cs.Get(ev.Case)
	if err == nil && r.Assignee != "" {
		cs.notify(ctx, c, ev)
	}
	return c, err
}

func (cs *Cases) file(ctx context.Context, ev CaseEvent) error {
	if _, err := cs.Log.FileCase(ctx, ev); err != nil {
		if errors.Is(err, ErrConflict) && ev.Seq > 1 {
			return Errorf(ErrConflict, "El trámite %s cambió mientras tanto (otra persona registró un movimiento); revise su estado y vuelva a intentarlo.", ev.Case)
		}
		return err
	}
	cs.mu.Lock()
	cs.applyLocked(ev)
	cs.mu.Unlock()
	return nil
}

func (cs *Cases) logf(format string, args ...any) {
	if cs.Logf != nil {
		cs.Logf(format, args...)
	}
}

func (cs *Cases) notify(ctx context.Context, c *Case, ev CaseEvent) {
	if cs.Notifier == nil {
		return
	}
	if err := cs.Notifier.CaseAssigned(ctx, *c, ev); err != nil {
		cs.logf("cases: notify %s of %s: %v", ev.Assignee, ev.Case, err)
	}
}

// CaseAction is something a person does to a case.
type CaseAction struct {
	Kind     CaseEventKind // turnado, paso, decision, espera, reanudado, cerrado, cancelado
	Step     string        // the step acted on: must be the current one (a stale page is refused)
	Answer   string        // decision
	Reason   string        // espera, cancelado, cerrado (optional)
	Section  string        // turnado
	Assignee string        // turnado
	Due      time.Time     // turnado (optional)
	Author   string
}

// Act files action a on case number and returns the case after it. What
// the case's state does not allow (a step that is not the current one, an
// answer not among the branches, acting on a closed case) is refused with a
// message for the clerk.
func (cs *Cases) Act(ctx context.Context, number string, a CaseAction) (*Case, error) {
	c, err := cs.Get(number)
	if err != nil {
		return nil, err
	}
	p, err := cs.Procedures.Get(c.Procedure)
	if err != nil {
		return nil, err
	}
	if a.Author == "" {
		return nil, Errorf(ErrInvalid, "Falta quién registra el movimiento.")
	}
	if c.Status.Final() {
		return nil, Errorf(ErrConflict, "El trámite %s está %s; no admite movimientos.", c.Number, c.Status)
	}
	a.Reason = strings.TrimSpace(a.Reason)
	ev := CaseEvent{Case: c.Number, Seq: c.Seq() + 1, Kind: a.Kind, At: cs.now(), Author: a.Author}
	stepMatches := func() error {
		if c.Step == "" {
			return Errorf(ErrConflict, "El trámite %s ya llegó al fin de su procedimiento; ciérrelo.", c.Number)
		}
		if a.Step != c.Step {
			return Errorf(ErrConflict, "El trámite %s ya no está en la actividad %s sino en la %s; revise su estado.", c.Number, printable(a.Step), c.Step)
		}
		return nil
	}
	switch a.Kind {
	case CaseAssigned:
		a.Section, a.Assignee = strings.TrimSpace(a.Section), strings.TrimSpace(a.Assignee)
		if a.Section == "" && a.Assignee == "" {
			return nil, &ValidationError{Problems: []Problem{{Field: "turnar_a", Message: "Indique la sección o la persona a quien se turna."}}}
		}
		if !a.Due.IsZero() && a.Due.Before(ev.At.Truncate(24*time.Hour).Add(-24*time.Hour)) {
			return nil, &ValidationError{Problems: []Problem{{Field: "fecha_limite", Message: "La fecha límite ya pasó."}}}
		}
		if a.Section == "" {
			a.Section = c.Section
		}
		ev.Section, ev.Assignee, ev.Due, ev.Step = a.Section, a.Assignee, a.Due, c.Step
	case CaseStepDone:
		if err := stepMatches(); err != nil {
			return nil, err
		}
		s, _ := p.Step(c.Step)
		if s.Decision != nil {
			return nil, Errorf(ErrInvalid, "La actividad %s termina con una pregunta: «%s». Registre la decisión.", s.N, s.Decision.Question)
		}
		ev.Step, ev.To, ev.Reason = s.N, p.Following(s.N), s.Wait
	case CaseDecided:
		if err := stepMatches(); err != nil {
			return nil, err
		}
		s, _ := p.Step(c.Step)
		if s.Decision == nil {
			return nil, Errorf(ErrInvalid, "La actividad %s no plantea una decisión.", s.N)
		}
		found := false
		for _, b := range s.Decision.Branches {
			if b.Answer == a.Answer {
				ev.To, found = b.Goto, true
			}
		}
		if !found {
			return nil, &ValidationError{Problems: []Problem{{Field: "respuesta", Message: fmt.Sprintf("Elija una respuesta a «%s».", s.Decision.Question)}}}
		}
		ev.Step, ev.Answer = s.N, a.Answer
	case CaseExpired:
		if err := stepMatches(); err != nil {
			return nil, err
		}
		// The manual's order when a plazo passes (fallas: 48 h after the
		// second e-mail, request a temporary line).
		for _, x := range c.Plazos(p, cs.Cal()) {
			if x.Goto != "" && !x.Due.After(ev.At) {
				ev.To, ev.Reason = x.Goto, x.Text
			}
		}
		if ev.To == "" {
			return nil, Errorf(ErrConflict, "Ningún plazo de la actividad %s que ordene otra actividad ha vencido.", c.Step)
		}
		ev.Step, ev.Answer = c.Step, "plazo vencido"
	case CaseHeld:
		if n := len([]rune(a.Reason)); n < 3 || n > 300 {
			return nil, &ValidationError{Problems: []Problem{{Field: "motivo", Message: fmt.Sprintf("Escriba qué o a quién se espera: de 3 a 300 caracteres (se recibieron %d).", n)}}}
		}
		if err := checkLine("Motivo", a.Reason, 300); err != nil {
			return nil, &ValidationError{Problems: []Problem{{Field: "motivo", Message: err.Error()}}}
		}
		if c.Status == CaseAtendido {
			return nil, Errorf(ErrConflict, "El trámite %s ya fue atendido; ciérrelo.", c.Number)
		}
		if c.Status == CaseEnEspera && c.Waiting == a.Reason {
			return c, nil // the same form sent again
		}
		ev.Reason, ev.Step = a.Reason, c.Step
	case CaseResumed:
		if c.Status != CaseEnEspera {
			return nil, Errorf(ErrConflict, "El trámite %s no está en espera.", c.Number)
		}
		ev.Step = c.Step
	case CaseClosed:
		if c.Status != CaseAtendido {
			return nil, Errorf(ErrConflict, "El trámite %s sigue en la actividad %s; se cierra cuando el procedimiento llega a su fin (o se cancela con un motivo).", c.Number, c.Step)
		}
		if err := checkLine("Observaciones", a.Reason, 500); err != nil {
			return nil, &ValidationError{Problems: []Problem{{Field: "motivo", Message: err.Error()}}}
		}
		ev.Reason = a.Reason
	case CaseCancelledK:
		if n := len([]rune(a.Reason)); n < 10 || n > 500 {
			return nil, &ValidationError{Problems: []Problem{{Field: "motivo", Message: fmt.Sprintf("El motivo de la cancelación es obligatorio: escriba de 10 a 500 caracteres (se recibieron %d).", n)}}}
		}
		if err := checkLine("Motivo", a.Reason, 500); err != nil {
			return nil, &ValidationError{Problems: []Problem{{Field: "motivo", Message: err.Error()}}}
		}
		ev.Reason, ev.Step = a.Reason, c.Step
	default:
		return nil, Errorf(ErrInvalid, "Movimiento desconocido «%s».", printable(string(a.Kind)))
	}
	if err := cs.file(ctx, ev); err != nil {
		return nil, err
	}
	nc, err := cs.Get(c.Number)
	if err == nil && ev.Kind == CaseAssigned && ev.Assignee != "" {
		cs.notify(ctx, nc, ev)
	}
	return nc, err
}

// Link records that document folio (of type typ, titled title) was issued
// or received inside case number, at the case's current step.
func (cs *Cases) Link(ctx context.Context, number, folio, typ, title, author string) (*Case, error) {
	c, err := cs.Get(number)
	if err != nil {
		return nil, err
	}
	for _, d := range c.Documents {
		if d.Folio == folio {
			return c, nil
		}
	}
	ev := CaseEvent{Case: c.Number, Seq: c.Seq() + 1, Kind: CaseDocument, At: cs.now(), Author: author,
		Step: c.Step, Folio: folio, Type: typ, Title: title}
	for attempt := 0; ; attempt++ {
		err = cs.file(ctx, ev)
		if err == nil || !errors.Is(err, ErrConflict) || attempt == 3 {
			break
		}
		// Someone moved the case meanwhile: a document is linked
		// whatever its step, so take the next number.
		if err := cs.Sync(ctx); err != nil {
			return nil, err
		}
		if c, err = cs.Get(number); err != nil {
			return nil, err
		}
		ev.Seq, ev.Step = c.Seq()+1, c.Step
	}
	if err != nil {
		return nil, err
	}
	return cs.Get(number)
}

// OpenCase opens a case (trámite) for a procedure of the manual: the hook
// other modules call, e.g. when a call or an e-mail is registered as a
// request. ErrUnavailable when cases are not configured.
func (o *Office) OpenCase(ctx context.Context, r OpenCaseRequest) (*Case, error) {
	if o.Cases == nil {
		return nil, Errorf(ErrUnavailable, "Los trámites no están habilitados en este servidor.")
	}
	return o.Cases.Open(ctx, r)
}

// linkCase records a document just issued or received inside its case,
// when its trámite is a case number. The document is filed whatever
// happens here: a failed link is logged and can be made again by hand.
func (o *Office) linkCase(ctx context.Context, tramite, folio, typ, title, author string) {
	if o.Cases == nil || !IsCaseNumber(tramite) {
		return
	}
	if _, err := o.Cases.Link(ctx, NormalizeCase(tramite), folio, typ, title, author); err != nil && o.Cases.Logf != nil {
		o.Cases.Logf("cases: link %s to %s: %v", folio, tramite, err)
	}
}

// CheckCase tells whether tramite may be written on a document: free text
// as before, or, when written like a case number, an existing case that is
// not closed.
func (o *Office) CheckCase(tramite string) error {
	if o.Cases == nil || !IsCaseNumber(tramite) {
		return nil
	}
	c, err := o.Cases.Get(tramite)
	if err != nil {
		return &ValidationError{Problems: []Problem{{Field: "tramite", Message: fmt.Sprintf("No existe el trámite %s.", NormalizeCase(tramite))}}}
	}
	if c.Status.Final() {
		return &ValidationError{Problems: []Problem{{Field: "tramite", Message: fmt.Sprintf("El trámite %s está %s; no admite documentos nuevos.", c.Number, c.Status)}}}
	}
	return nil
}
