package legajo

import (
	"fmt"
	"time"
)

// CaseSerie is the serie of case numbers: TR/0001/2026, gap-free per year
// like a document's folio, but a serie of its own.
const CaseSerie = "TR"

// CaseExpediente is the expediente whose chain records every movement of
// every case: the registry of control de gestión.
const CaseExpediente = "tramites"

// CaseStatus is where a case stands.
type CaseStatus string

const (
	CaseAbierto   CaseStatus = "abierto"
	CaseEnEspera  CaseStatus = "en espera"
	CaseAtendido  CaseStatus = "atendido" // its procedure reached an end; waits to be closed
	CaseCerrado   CaseStatus = "cerrado"
	CaseCancelado CaseStatus = "cancelado"
)

// Final tells whether nothing more happens to a case in that status.
func (s CaseStatus) Final() bool { return s == CaseCerrado || s == CaseCancelado }

// CaseEventKind is what happened to a case. Every event is a chain entry
// in the archive, which stays the system of record: a case is what its
// events say, replayed in order.
type CaseEventKind string

const (
	CaseOpened     CaseEventKind = "abierto"
	CaseAssigned   CaseEventKind = "turnado"   // to a section and a person, with a due date
	CaseStepDone   CaseEventKind = "paso"      // the current step is done: To is reached
	CaseDecided    CaseEventKind = "decision"  // the current step's question answered: To is reached
	CaseExpired    CaseEventKind = "vencido"   // a plazo of the step passed and the manual says where to go: To
	CaseHeld       CaseEventKind = "espera"    // put on hold, waiting for Reason
	CaseResumed    CaseEventKind = "reanudado" // the wait is over
	CaseDocument   CaseEventKind = "documento" // a document issued or received inside the case
	CaseClosed     CaseEventKind = "cerrado"
	CaseCancelledK CaseEventKind = "cancelado"
	// CaseNotified records that a plazo passed and who was told of it
	// (Due, Reason: the plazo and what the manual orders). Filing it is
	// how one process among several wins the right to send the e-mail:
	// the event number is claimed once, so the message goes out once, and
	// a restart sees it in the chain and does not send it again.
	CaseNotified CaseEventKind = "aviso"
)

// Label names an event kind for people.
func (k CaseEventKind) Label() string {
	switch k {
	case CaseOpened:
		return "Apertura"
	case CaseAssigned:
		return "Turno"
	case CaseStepDone:
		return "Actividad realizada"
	case CaseDecided:
		return "Decisión"
	case CaseExpired:
		return "Plazo vencido"
	case CaseHeld:
		return "En espera"
	case CaseResumed:
		return "Reanudación"
	case CaseDocument:
		return "Documento"
	case CaseClosed:
		return "Cierre"
	case CaseCancelledK:
		return "Cancelación"
	case CaseNotified:
		return "Aviso de vencimiento"
	}
	return string(k)
}

// CaseEvent is one event of a case, stored in its manifest. Seq numbers a
// case's events from 1 with no gaps: the archive files event n only once,
// so two people acting on one case at the same moment cannot both win.
type CaseEvent struct {
	Case   string        `json:"case"` // TR/0001/2026
	Seq    int           `json:"seq"`
	Kind   CaseEventKind `json:"kind"`
	At     time.Time     `json:"at"`
	Author string        `json:"author"`
	Step   string        `json:"step,omitempty"` // the step acted on
	To     string        `json:"to,omitempty"`   // the step reached
	Answer string        `json:"answer,omitempty"`
	Reason string        `json:"reason,omitempty"`
	// Turno.
	Section  string    `json:"section,omitempty"`
	Assignee string    `json:"assignee,omitempty"` // login
	Due      time.Time `json:"due,omitzero"`
	// Apertura.
	Procedure string `json:"procedure,omitempty"`
	Area      string `json:"area,omitempty"`
	Subject   string `json:"subject,omitempty"`
	Requester string `json:"requester,omitempty"`
	Origin    string `json:"origin,omitempty"` // folio of the received document that opened it
	// Request is the SHA-256 of the idempotency key of the opening, so
	// that the same form sent twice opens one case.
	Request string `json:"request,omitempty"`
	// Documento.
	Folio string `json:"folio,omitempty"`
	Type  string `json:"type,omitempty"`
	Title string `json:"title,omitempty"`
}

// StepRecord is one step the case went through: when it began, and when
// and by whom it was done.
type StepRecord struct {
	N      string    `json:"n"`
	Began  time.Time `json:"began"`
	Done   time.Time `json:"done,omitzero"`
	By     string    `json:"by,omitempty"`
	Answer string    `json:"answer,omitempty"`
}

// CaseDoc is a document linked to a case.
type CaseDoc struct {
	Folio string    `json:"folio"`
	Type  string    `json:"type"`
	Title string    `json:"title"`
	Step  string    `json:"step,omitempty"`
	At    time.Time `json:"at"`
}

// Case is a trámite: one run of a procedure for one request, derived from
// its events.
type Case struct {
	Number    string     `json:"number"`
	Procedure string     `json:"procedure"`
	Area      string     `json:"area"`
	Subject   string     `json:"subject"`
	Requester string     `json:"requester,omitempty"`
	Origin    string     `json:"origin,omitempty"`
	Opened    time.Time  `json:"opened"`
	OpenedBy  string     `json:"opened_by"`
	Status    CaseStatus `json:"status"`
	Waiting   string     `json:"waiting,omitempty"` // what it waits for, when en espera
	Step      string     `json:"step"`              // current step ("" once closed)
	StepSince time.Time  `json:"step_since"`
	Section   string     `json:"section"`
	Assignee  string     `json:"assignee,omitempty"`
	// AssignedDue is the due date the last turno set, if any.
	AssignedDue time.Time    `json:"assigned_due,omitzero"`
	Steps       []StepRecord `json:"steps"`
	Documents   []CaseDoc    `json:"documents,omitempty"`
	Events      []CaseEvent  `json:"events"`
	Closed      time.Time    `json:"closed,omitzero"`
	Reason      string       `json:"reason,omitempty"` // of the cancellation or closing
}

// Seq is the number of the case's last event.
func (c *Case) Seq() int { return len(c.Events) }

// Label words the status for people: «en espera de la Subdirección de
// Recursos Materiales».
func (c *Case) Label() string {
	if c.Status == CaseEnEspera && c.Waiting != "" {
		return "en espera: " + c.Waiting
	}
	return string(c.Status)
}

// Apply adds the case's next event. An event out of order (not Seq+1) or
// for another case is refused, so replaying the archive twice, or
// applying one's own event and then seeing it again in the chain, changes
// nothing.
func (c *Case) Apply(ev CaseEvent) error {
	if ev.Seq != c.Seq()+1 {
		return fmt.Errorf("case %s: event %d after %d", c.Number, ev.Seq, c.Seq())
	}
	if ev.Seq == 1 {
		if ev.Kind != CaseOpened {
			return fmt.Errorf("case %s: the first event is %s, not an opening", ev.Case, ev.Kind)
		}
		*c = Case{Number: ev.Case, Procedure: ev.Procedure, Area: ev.Area, Subject: ev.Subject,
			Requester: ev.Requester, Origin: ev.Origin, Opened: ev.At, OpenedBy: ev.Author,
			Status: CaseAbierto, Section: ev.Section, Assignee: ev.Assignee, AssignedDue: ev.Due}
		c.enter(ev.To, ev.At)
		c.Events = append(c.Events, ev)
		return nil
	}
	if ev.Case != c.Number {
		return fmt.Errorf("case %s: event of %s", c.Number, ev.Case)
	}
	switch ev.Kind {
	case CaseAssigned:
		c.Section, c.Assignee, c.AssignedDue = ev.Section, ev.Assignee, ev.Due
	case CaseStepDone, CaseDecided, CaseExpired:
		if n := len(c.Steps); n > 0 {
			c.Steps[n-1].Done, c.Steps[n-1].By, c.Steps[n-1].Answer = ev.At, ev.Author, ev.Answer
		}
		if c.Status == CaseEnEspera {
			c.Status, c.Waiting = CaseAbierto, ""
		}
		if ev.To == "" {
			c.Status, c.Step = CaseAtendido, ""
		} else {
			c.enter(ev.To, ev.At)
			if ev.Kind == CaseStepDone && ev.Reason != "" { // the manual's «Pasa el tiempo» after the step done
				c.Status, c.Waiting = CaseEnEspera, ev.Reason
			}
		}
	case CaseHeld:
		c.Status, c.Waiting = CaseEnEspera, ev.Reason
	case CaseResumed:
		c.Status, c.Waiting = CaseAbierto, ""
	case CaseDocument:
		c.Documents = append(c.Documents, CaseDoc{Folio: ev.Folio, Type: ev.Type, Title: ev.Title, Step: ev.Step, At: ev.At})
	case CaseClosed:
		c.Status, c.Closed, c.Reason, c.Waiting = CaseCerrado, ev.At, ev.Reason, ""
	case CaseCancelledK:
		c.Status, c.Closed, c.Reason, c.Waiting = CaseCancelado, ev.At, ev.Reason, ""
	case CaseNotified:
		// Changes nothing of the case: it is the memory of a message.
	default:
		return fmt.Errorf("case %s: unknown event %q", c.Number, ev.Kind)
	}
	c.Events = append(c.Events, ev)
	return nil
}

func (c *Case) enter(step string, at time.Time) {
	c.Step, c.StepSince = step, at
	c.Steps = append(c.Steps, StepRecord{N: step, Began: at})
}

// Plazo is a deadline of the current step, computed.
type Plazo struct {
	Due  time.Time `json:"due"`
	Text string    `json:"text"` // «24 horas: Vuelve a enviar correo …»
	Goto string    `json:"goto,omitempty"`
	// Limit and Then are Text's two halves: the plazo («24 horas») and
	// what the manual orders when it passes (none for a turno's date).
	Limit string `json:"limit,omitempty"`
	Then  string `json:"then,omitempty"`
}

// Plazos lists the deadlines running for the case now: its current step's
// (in the manual) and the due date of its turno, in order of due time.
func (c *Case) Plazos(p *Procedimiento, cal *Calendar) []Plazo {
	if c.Status.Final() || c.Status == CaseAtendido {
		return nil
	}
	var out []Plazo
	if p != nil && c.Step != "" {
		if s, ok := p.Step(c.Step); ok {
			var prev time.Time
			for _, d := range s.Deadlines {
				due := d.due(cal, c.StepSince, prev)
				prev = due
				out = append(out, Plazo{Due: due, Text: d.Describe() + ": " + d.Then, Goto: d.Goto, Limit: d.Describe(), Then: d.Then})
			}
		}
	}
	if !c.AssignedDue.IsZero() {
		out = append(out, Plazo{Due: c.AssignedDue, Text: "fecha límite del turno", Limit: "fecha límite del turno"})
		for i := len(out) - 1; i > 0 && out[i].Due.Before(out[i-1].Due); i-- {
			out[i], out[i-1] = out[i-1], out[i]
		}
	}
	return out
}

// NextDue is the earliest deadline still ahead at now, else the latest
// one passed (the case is overdue), and whether there is any.
func (c *Case) NextDue(p *Procedimiento, cal *Calendar, now time.Time) (Plazo, bool) {
	return nextDue(c.Plazos(p, cal), now)
}

// DueAt is NextDue and Overdue at once, counting the plazos once: what a
// list shows of each case.
func (c *Case) DueAt(p *Procedimiento, cal *Calendar, now time.Time) (next Plazo, has, overdue bool) {
	ps := c.Plazos(p, cal)
	next, has = nextDue(ps, now)
	return next, has, has && !ps[0].Due.After(now)
}

// nextDue picks from plazos sorted by due time (see Case.NextDue).
func nextDue(ps []Plazo, now time.Time) (Plazo, bool) {
	if len(ps) == 0 {
		return Plazo{}, false
	}
	for _, x := range ps {
		if x.Due.After(now) {
			return x, true
		}
	}
	return ps[len(ps)-1], true
}

// Passed lists the plazos of the case that passed at now, in order of due
// time: the last one is what the manual orders now.
func (c *Case) Passed(p *Procedimiento, cal *Calendar, now time.Time) []Plazo {
	var out []Plazo
	for _, x := range c.Plazos(p, cal) {
		if !x.Due.After(now) {
			out = append(out, x)
		}
	}
	return out
}

// Notified tells whether the passing of plazo x was already told (an aviso
// event with its due time, in the step the case is in now: a step entered
// again runs its plazos again, with other due times).
func (c *Case) Notified(x Plazo) bool {
	for i := len(c.Events) - 1; i >= 0; i-- {
		ev := c.Events[i]
		if ev.Kind == CaseNotified && ev.Due.Equal(x.Due) && ev.Reason == x.Text {
			return true
		}
	}
	return false
}

// Overdue tells whether a plazo of the case passed at now.
func (c *Case) Overdue(p *Procedimiento, cal *Calendar, now time.Time) bool {
	for _, x := range c.Plazos(p, cal) {
		if !x.Due.After(now) {
			return true
		}
	}
	return false
}
