package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/sesver/legajo"
)

// Cases (trámites): the list, «Nuevo trámite» with every procedure of the
// manual and its flowchart, and a case's page with its flowchart, its
// documents and events, and the movements its current activity allows.

func (s *Server) cases() (*legajo.Cases, error) {
	if s.Office.Cases == nil {
		return nil, legajo.Errorf(legajo.ErrUnavailable, "Los trámites no están habilitados en este servidor.")
	}
	return s.Office.Cases, nil
}

// caseNumber reads the {numero} of a path: TR-0001-2026.
func caseNumber(r *http.Request) string { return legajo.NormalizeCase(r.PathValue("numero")) }

type casesPage struct {
	Items      []caseRow
	Procedures []*legajo.Procedimiento
	Sections   []string
	Filter     casesFilter
	Total      int
	More       bool
	CanOpen    bool
}

type casesFilter struct {
	Procedure, Section, Status, Q string
}

// caseRow is a case in a list, with what the list shows of it.
type caseRow struct {
	*legajo.Case
	Proc    *legajo.Procedimiento
	Due     legajo.Plazo
	HasDue  bool
	Overdue bool
	Assign  string // the assignee's name
	// Passed is the plazo that passed last, when the case is overdue: the
	// escalation the manual orders now (its Then), shown as a due action.
	Passed *legajo.Plazo
	Ahead  bool // Due is still ahead (not the plazo passed)
	// Words of the lists, made once: a bandeja lists hundreds of rows.
	Slug, ProcName, StepText, Label, StatusClass, DueText, PassedText string
}

func (casesPage) title() string { return "Trámites" }

const casesPerPage = 100

func (s *Server) casesList(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.cases()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := casesFilter{Procedure: q.Get("procedimiento"), Section: q.Get("seccion"), Status: q.Get("estado"), Q: strings.TrimSpace(q.Get("q"))}
	page := casesPage{Procedures: cs.Procedures.All(), Sections: cs.Procedures.Sections(), Filter: f,
		CanOpen: permIssue.grantedTo(currentUser(r).Role)}
	names := s.userNames(r.Context())
	now := s.now()
	needle := strings.ToLower(f.Q)
	for _, c := range cs.List(legajo.CaseFilter{Procedure: f.Procedure, Section: f.Section, Open: f.Status == "abiertos"}) {
		if f.Status != "" && f.Status != "abiertos" && string(c.Status) != f.Status {
			continue
		}
		if needle != "" && !strings.Contains(strings.ToLower(c.Number+" "+c.Subject+" "+c.Area+" "+c.Requester), needle) {
			continue
		}
		page.Total++
		if len(page.Items) == casesPerPage {
			page.More = true
			continue
		}
		page.Items = append(page.Items, s.caseRow(cs, c, now, names))
	}
	s.renderPage(w, r, http.StatusOK, "tramites", page)
	return nil
}

func (s *Server) caseRow(cs *legajo.Cases, c *legajo.Case, now time.Time, names map[string]string) caseRow {
	p, _ := cs.Procedures.Get(c.Procedure)
	row := caseRow{Case: c, Proc: p, Assign: names[c.Assignee]}
	if row.Assign == "" {
		row.Assign = c.Assignee
	}
	row.Due, row.HasDue, row.Overdue = c.DueAt(p, cs.Cal(), now)
	row.Slug, row.Label, row.StatusClass = legajo.CaseSlug(c.Number), c.Label(), strings.ReplaceAll(string(c.Status), " ", "-")
	if p != nil {
		row.ProcName = p.Name
		if st, ok := p.Step(c.Step); ok {
			row.StepText = st.N + ". " + clip(st.Action, 90)
		}
	}
	row.Ahead = row.HasDue && row.Due.Due.After(now)
	if row.HasDue {
		row.DueText = row.Due.Due.In(zone).Format("02/01/2006 15:04")
	}
	if row.Overdue {
		if ps := c.Passed(p, cs.Cal(), now); len(ps) > 0 {
			row.Passed = &ps[len(ps)-1]
			row.PassedText = row.Passed.Due.In(zone).Format("02/01/2006 15:04")
		}
	}
	return row
}

// peopleTTL is how long the list of accounts read for the case pages is
// reused: every bandeja and case page names people, and listing the
// accounts reads the store. A new account shows in those lists within it.
const peopleTTL = 5 * time.Second

type peopleCache struct {
	mu    sync.Mutex
	at    time.Time
	users []legajo.User
}

// people lists the accounts, from the cache when it is fresh.
func (s *Server) people(ctx context.Context) []legajo.User {
	c := &s.staff
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.users != nil && time.Since(c.at) < peopleTTL {
		return c.users
	}
	if s.Users == nil {
		return nil
	}
	us, err := s.Users.Users(ctx)
	if err != nil {
		s.Logger.Error("users", "err", err)
		return c.users // the last list known, if any
	}
	c.users, c.at = us, time.Now()
	return us
}

// userNames maps logins to names, for lists.
func (s *Server) userNames(ctx context.Context) map[string]string {
	m := map[string]string{}
	for _, u := range s.people(ctx) {
		m[u.Login] = u.Name
	}
	return m
}

// assignable lists who a case may be turned to: the enabled people who
// can act on cases.
func (s *Server) assignable(ctx context.Context) []legajo.User {
	var out []legajo.User
	for _, u := range s.people(ctx) {
		if !u.Disabled && !u.Service && permIssue.grantedTo(u.Role) {
			out = append(out, u)
		}
	}
	return out
}

// The «Nuevo trámite» page: every procedure of the manual, with its
// flowchart, and the form that opens a case.
type newCasePage struct {
	Procedures []procedureView
	Form       url.Values
	Areas      []string
	Key        string
	Problems   []legajo.Problem
	Errors     map[string]string
}

type procedureView struct {
	*legajo.Procedimiento
	Flow template.HTML
}

func (newCasePage) title() string { return "Nuevo trámite" }

func (s *Server) newCasePage(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.cases()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	form := url.Values{"procedimiento": {q.Get("procedimiento")}, "origen": {q.Get("origen")}}
	if o := q.Get("origen"); o != "" {
		// Opened from a received document: its área and asunto.
		if f, err := legajo.ParseFolio(o, s.Office.Institution.FolioPrefix); err == nil {
			if rec, err := s.Office.Record(r.Context(), f); err == nil && len(rec.Manifests) > 0 {
				m := rec.Manifests[0]
				form.Set("origen", f.String())
				form.Set("area", m.Area)
				form.Set("asunto", m.Subject)
				form.Set("solicitante", m.Fields["remitente"].Text)
			}
		}
	}
	s.renderNewCase(w, r, cs, http.StatusOK, form, nil)
	return nil
}

func (s *Server) renderNewCase(w http.ResponseWriter, r *http.Request, cs *legajo.Cases, code int, form url.Values, problems []legajo.Problem) {
	page := newCasePage{Form: form, Areas: s.areas(), Key: form.Get("clave"), Problems: problems, Errors: map[string]string{}}
	if page.Key == "" {
		page.Key = newKey()
	}
	for _, p := range problems {
		page.Errors[p.Field] = strings.TrimSpace(page.Errors[p.Field] + " " + p.Message)
	}
	for _, p := range cs.Procedures.All() {
		page.Procedures = append(page.Procedures, procedureView{p, flowchart(p, nil)})
	}
	s.renderPage(w, r, code, "tramite_nuevo", page)
}

func (s *Server) openCase(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.cases()
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	f := r.PostForm
	u := currentUser(r)
	key := ""
	if k := f.Get("clave"); k != "" {
		key = u.Login + ":tramite:" + k
	}
	c, err := s.Office.OpenCase(r.Context(), legajo.OpenCaseRequest{Procedure: f.Get("procedimiento"), Area: f.Get("area"),
		Subject: f.Get("asunto"), Requester: f.Get("solicitante"), Origin: strings.TrimSpace(f.Get("origen")),
		Author: u.Login, Key: key})
	if err != nil {
		var ve *legajo.ValidationError
		if errors.As(err, &ve) {
			s.renderNewCase(w, r, cs, http.StatusUnprocessableEntity, f, ve.Problems)
			return nil
		}
		return err
	}
	s.logActivity(r, "abrir-tramite", c.Number, c.Procedure)
	http.Redirect(w, r, "/tramites/"+legajo.CaseSlug(c.Number), http.StatusSeeOther)
	return nil
}

// casePage is a case's page.
type casePage struct {
	caseRow
	Flow      template.HTML
	Current   *legajo.Step
	Plazos    []legajo.Plazo
	Events    []caseEventView
	Docs      []legajo.CaseDoc
	CanAct    bool
	People    []legajo.User
	Sections  []string
	Issue     []issueLink
	Receive   string // link to register a received document inside the case
	Problems  []legajo.Problem
	Form      url.Values
	OpenedBy  string
	Following string        // the next activity when the current one is done
	Expired   *legajo.Plazo // a plazo passed that orders another activity
	Now       time.Time
	CanAudit  bool // may export the case's trail
}

type caseEventView struct {
	legajo.CaseEvent
	Who  string
	Text string
}

type issueLink struct {
	Title, URL string
}

func (p casePage) title() string { return "Trámite " + p.Case.Number }

func (s *Server) showCase(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.cases()
	if err != nil {
		return err
	}
	c, err := cs.Get(caseNumber(r))
	if err != nil {
		return err
	}
	s.renderCase(w, r, cs, c, http.StatusOK, url.Values{}, nil)
	return nil
}

func (s *Server) renderCase(w http.ResponseWriter, r *http.Request, cs *legajo.Cases, c *legajo.Case, code int, form url.Values, problems []legajo.Problem) {
	now := s.now()
	names := s.userNames(r.Context())
	page := casePage{caseRow: s.caseRow(cs, c, now, names), Docs: c.Documents, Problems: problems, Form: form,
		Sections: cs.Procedures.Sections(), Now: now, OpenedBy: names[c.OpenedBy]}
	if page.OpenedBy == "" {
		page.OpenedBy = c.OpenedBy
	}
	p := page.Proc
	if p != nil {
		page.Flow = flowchart(p, c)
		page.Plazos = c.Plazos(p, cs.Cal())
		for i, x := range page.Plazos {
			if x.Goto != "" && !x.Due.After(now) {
				page.Expired = &page.Plazos[i]
			}
		}
		if st, ok := p.Step(c.Step); ok {
			page.Current = st
			page.Following = p.Following(st.N)
		}
	}
	page.CanAct = permIssue.grantedTo(currentUser(r).Role) && !c.Status.Final()
	page.CanAudit = permAudit.grantedTo(currentUser(r).Role)
	if page.CanAct {
		page.People = s.assignable(r.Context())
		if page.Current != nil {
			for _, id := range page.Current.Issues {
				if t, err := s.Office.Catalog.Type(id); err == nil {
					page.Issue = append(page.Issue, issueLink{Title: t.Title, URL: "/nuevo/" + t.ID + "?nuevo=1&tramite=" + legajo.CaseSlug(c.Number)})
				}
			}
			if len(page.Current.Receives) > 0 {
				page.Receive = "/correspondencia/nueva?tramite=" + legajo.CaseSlug(c.Number)
			}
		}
	}
	for i := len(c.Events) - 1; i >= 0; i-- {
		ev := c.Events[i]
		v := caseEventView{CaseEvent: ev, Who: names[ev.Author], Text: s.eventText(p, ev, names)}
		if v.Who == "" {
			v.Who = ev.Author
		}
		if ev.Author == legajo.NotifierAuthor && ev.Kind == legajo.CaseNotified {
			v.Who = "Legajo (aviso automático)"
		}
		page.Events = append(page.Events, v)
	}
	s.renderPage(w, r, code, "tramite", page)
}

// eventText words an event for the case's history.
func (s *Server) eventText(p *legajo.Procedimiento, ev legajo.CaseEvent, names map[string]string) string {
	step := func(n string) string {
		if p != nil {
			if st, ok := p.Step(n); ok {
				return "actividad " + n + " («" + clip(st.Action, 70) + "»)"
			}
		}
		return "actividad " + n
	}
	person := func(login string) string {
		if n := names[login]; n != "" {
			return n
		}
		return login
	}
	switch ev.Kind {
	case legajo.CaseOpened:
		return "Trámite abierto en la " + step(ev.To) + "."
	case legajo.CaseAssigned:
		t := "Turnado a " + ev.Section
		if ev.Assignee != "" {
			t += ", " + person(ev.Assignee)
		}
		if !ev.Due.IsZero() {
			t += "; fecha límite " + legajo.LongDate(ev.Due.In(zone))
		}
		return t + "."
	case legajo.CaseStepDone:
		t := "Realizada la actividad " + ev.Step + "."
		if ev.To != "" {
			t += " Sigue la " + step(ev.To) + "."
		} else {
			t += " El procedimiento llegó a su fin."
		}
		if ev.Reason != "" {
			t += " En espera: " + ev.Reason + "."
		}
		return t
	case legajo.CaseDecided:
		q := ""
		if p != nil {
			if st, ok := p.Step(ev.Step); ok && st.Decision != nil {
				q = st.Decision.Question + " "
			}
		}
		return q + "«" + ev.Answer + "». Sigue la " + step(ev.To) + "."
	case legajo.CaseExpired:
		return "Venció el plazo de la actividad " + ev.Step + " (" + ev.Reason + "). Sigue la " + step(ev.To) + "."
	case legajo.CaseHeld:
		return "En espera: " + ev.Reason + "."
	case legajo.CaseResumed:
		return "Terminó la espera; el trámite sigue."
	case legajo.CaseDocument:
		return ev.Title + " " + ev.Folio + "."
	case legajo.CaseClosed:
		if ev.Reason != "" {
			return "Trámite cerrado: " + ev.Reason
		}
		return "Trámite cerrado."
	case legajo.CaseCancelledK:
		return "Trámite cancelado: " + ev.Reason
	case legajo.CaseNotified:
		return "Aviso por correo a " + person(ev.Assignee) + ": en la actividad " + ev.Step + " venció el plazo de " + ev.Reason
	}
	return string(ev.Kind)
}

// caseAction files a movement from the case's page: the form's «accion»
// says which; «paso» is the activity the page showed, so that a stale
// page (another tab, Back) cannot move the case twice.
func (s *Server) caseAction(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.cases()
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	f := r.PostForm
	a, perr := caseActionFrom(f)
	a.Author = currentUser(r).Login
	if perr == nil {
		perr = s.checkTurno(r.Context(), cs, a)
	}
	var c *legajo.Case
	if perr == nil {
		c, err = cs.Act(r.Context(), caseNumber(r), a)
	} else {
		err = perr
	}
	if err != nil {
		code := status(err)
		if code != http.StatusUnprocessableEntity && code != http.StatusConflict {
			return err
		}
		c, gerr := cs.Get(caseNumber(r))
		if gerr != nil {
			return gerr
		}
		var ve *legajo.ValidationError
		probs := []legajo.Problem{{Message: err.Error()}}
		if errors.As(err, &ve) {
			probs = ve.Problems
		}
		s.renderCase(w, r, cs, c, code, f, probs)
		return nil
	}
	s.logActivity(r, "tramite-"+string(a.Kind), c.Number, a.Reason)
	http.Redirect(w, r, "/tramites/"+legajo.CaseSlug(c.Number), http.StatusSeeOther)
	return nil
}

// checkTurno refuses a turno to someone who cannot act on cases or to a
// section that carries out no procedure.
func (s *Server) checkTurno(ctx context.Context, cs *legajo.Cases, a legajo.CaseAction) error {
	if a.Kind != legajo.CaseAssigned {
		return nil
	}
	var probs []legajo.Problem
	if a.Section != "" && !slices.Contains(cs.Procedures.Sections(), a.Section) {
		probs = append(probs, legajo.Problem{Field: "seccion", Message: "Elija una sección del Departamento."})
	}
	if a.Assignee != "" {
		ok := false
		for _, u := range s.assignable(ctx) {
			ok = ok || u.Login == a.Assignee
		}
		if !ok {
			probs = append(probs, legajo.Problem{Field: "persona", Message: "La persona elegida no existe o no puede atender trámites."})
		}
	}
	if len(probs) > 0 {
		return &legajo.ValidationError{Problems: probs}
	}
	return nil
}

// caseActionFrom reads a movement from a form (the page's or the API's).
func caseActionFrom(f url.Values) (legajo.CaseAction, error) {
	a := legajo.CaseAction{Step: f.Get("paso"), Answer: f.Get("respuesta"), Reason: f.Get("motivo"),
		Section: f.Get("seccion"), Assignee: f.Get("persona")}
	switch f.Get("accion") {
	case "paso":
		a.Kind = legajo.CaseStepDone
	case "decision":
		a.Kind = legajo.CaseDecided
	case "vencido":
		a.Kind = legajo.CaseExpired
	case "espera":
		a.Kind = legajo.CaseHeld
	case "reanudar":
		a.Kind = legajo.CaseResumed
	case "turnar":
		a.Kind = legajo.CaseAssigned
		if d := strings.TrimSpace(f.Get("fecha_limite")); d != "" {
			t, err := time.ParseInLocation(legajo.DateLayout, d, zone)
			if err != nil {
				return a, &legajo.ValidationError{Problems: []legajo.Problem{{Field: "fecha_limite", Message: "La fecha límite no es una fecha válida."}}}
			}
			a.Due = t.AddDate(0, 0, 1) // to the end of that day
		}
	case "cerrar":
		a.Kind = legajo.CaseClosed
	case "cancelar":
		a.Kind = legajo.CaseCancelledK
	default:
		return a, legajo.Errorf(legajo.ErrInvalid, "Elija un movimiento del trámite.")
	}
	return a, nil
}

// casePrefill fills a new document's form from the case it is issued in:
// the trámite, the área, the person who asked and the reference to the
// request that opened it.
func (s *Server) casePrefill(ctx context.Context, t *legajo.DocType, number string) url.Values {
	form := url.Values{}
	cs := s.Office.Cases
	if cs == nil || !legajo.IsCaseNumber(number) {
		return form
	}
	c, err := cs.Get(number)
	if err != nil {
		return form
	}
	form.Set("tramite", c.Number)
	set := func(field, v string) {
		if v != "" && t.Field(field) != nil {
			form.Set("f."+field, v)
		}
	}
	set("area", c.Area)
	set("solicitante_nombre", c.Requester)
	set("destinatario_nombre", c.Requester)
	if c.Origin != "" {
		if f, err := legajo.ParseFolio(c.Origin, s.Office.Institution.FolioPrefix); err == nil {
			if rec, err := s.Office.Record(ctx, f); err == nil && len(rec.Manifests) > 0 {
				m := rec.Manifests[0].Fields
				ref := strings.ToLower(m["tipo"].Text)
				if n := m["referencia"].Text; n != "" {
					ref += " " + n
				}
				if d, err := time.Parse(legajo.DateLayout, m["fecha_documento"].Text); err == nil {
					ref += " del " + legajo.LongDate(d)
				}
				set("referencia", strings.TrimSpace(ref))
				set("destinatario_cargo", m["cargo"].Text)
				set("solicitante_cargo", m["cargo"].Text)
			}
		}
	}
	return form
}

// dueLabel words a plazo's due time: «vence el 2 de diciembre de 2026 a
// las 10:00», or «venció …».
func dueLabel(p legajo.Plazo, now time.Time) string {
	verb := "vence"
	if !p.Due.After(now) {
		verb = "venció"
	}
	d := p.Due.In(zone)
	if d.Hour() == 0 && d.Minute() == 0 {
		// A plazo in días hábiles runs to the end of its last day.
		return verb + " al terminar el " + legajo.LongDate(d.Add(-time.Minute))
	}
	return verb + " el " + legajo.LongDate(d) + " a las " + d.Format("15:04")
}

// The case pages' template functions join the shared ones before the
// templates are parsed (Server.Init), kept here with the pages that use them.
func init() {
	funcs["due"] = dueLabel
	funcs["caseSlug"] = func(s string) string { return legajo.CaseSlug(legajo.NormalizeCase(s)) }
	funcs["isCase"] = legajo.IsCaseNumber
	funcs["hourMin"] = func(t time.Time) string { return t.In(zone).Format("15:04") }
	funcs["has"] = func(v url.Values, k, want string) bool { return v.Get(k) == want }
}
