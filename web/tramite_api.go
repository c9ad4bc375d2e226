package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/sesver/legajo"
)

// The cases in the JSON API: the procedures of the manual, the cases with
// their events (transitions), opening a case and filing a movement.

func (s *Server) apiProcedures(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.cases()
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, cs.Procedures.All())
}

// apiCaseView is a case in the API: as filed, plus what is derived now.
type apiCaseView struct {
	*legajo.Case
	Overdue bool           `json:"overdue"`
	NextDue *legajo.Plazo  `json:"next_due,omitempty"`
	Plazos  []legajo.Plazo `json:"plazos,omitempty"`
}

func (s *Server) apiView(cs *legajo.Cases, c *legajo.Case, full bool) apiCaseView {
	p, _ := cs.Procedures.Get(c.Procedure)
	now := s.now()
	v := apiCaseView{Case: c, Overdue: c.Overdue(p, cs.Cal(), now)}
	if d, ok := c.NextDue(p, cs.Cal(), now); ok {
		v.NextDue = &d
	}
	if full {
		v.Plazos = c.Plazos(p, cs.Cal())
	} else {
		lite := *c
		lite.Events, lite.Steps = nil, nil
		v.Case = &lite
	}
	return v
}

// apiCases lists cases, the most recent first: ?procedimiento, ?seccion,
// ?responsable (login), ?estado (or «abiertos»), ?limite (1–1000, 100).
func (s *Server) apiCases(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.cases()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	limit := 100
	if l := q.Get("limite"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 1000 {
			return legajo.Errorf(legajo.ErrInvalid, "«limite» debe ser un número de 1 a 1000.")
		}
		limit = n
	}
	status := q.Get("estado")
	out := []apiCaseView{}
	total := 0
	for _, c := range cs.List(legajo.CaseFilter{Procedure: q.Get("procedimiento"), Section: q.Get("seccion"),
		Assignee: q.Get("responsable"), Open: status == "abiertos"}) {
		if status != "" && status != "abiertos" && string(c.Status) != status {
			continue
		}
		total++
		if len(out) < limit {
			out = append(out, s.apiView(cs, c, false))
		}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"total": total, "cases": out})
}

func (s *Server) apiCase(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.cases()
	if err != nil {
		return err
	}
	c, err := cs.Get(caseNumber(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s.apiView(cs, c, true))
}

func (s *Server) apiOpenCase(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.cases()
	if err != nil {
		return err
	}
	var req struct {
		Procedure string `json:"procedure"`
		Area      string `json:"area"`
		Subject   string `json:"subject"`
		Requester string `json:"requester"`
		Origin    string `json:"origin"`
		Section   string `json:"section"`
		Assignee  string `json:"assignee"`
		Due       string `json:"due"` // AAAA-MM-DD
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	u := currentUser(r)
	o := legajo.OpenCaseRequest{Procedure: req.Procedure, Area: req.Area, Subject: req.Subject, Requester: req.Requester,
		Origin: req.Origin, Section: req.Section, Assignee: req.Assignee, Author: u.Login}
	if k := r.Header.Get("Idempotency-Key"); k != "" {
		o.Key = u.Login + ":tramite:" + k
	}
	if req.Due != "" {
		d, err := time.ParseInLocation(legajo.DateLayout, req.Due, zone)
		if err != nil {
			return &legajo.ValidationError{Problems: []legajo.Problem{{Field: "due", Message: "«due» debe ser una fecha AAAA-MM-DD."}}}
		}
		o.Due = d.AddDate(0, 0, 1)
	}
	c, err := s.Office.OpenCase(r.Context(), o)
	if err != nil {
		return err
	}
	s.logActivity(r, "abrir-tramite", c.Number, c.Procedure)
	return writeJSON(w, http.StatusCreated, s.apiView(cs, c, true))
}

// apiCaseAction files a movement: {"action": "paso|decision|espera|
// reanudar|turnar|cerrar|cancelar", "step", "answer", "reason", "section",
// "assignee", "due"}.
func (s *Server) apiCaseAction(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.cases()
	if err != nil {
		return err
	}
	var req struct {
		Action   string `json:"action"`
		Step     string `json:"step"`
		Answer   string `json:"answer"`
		Reason   string `json:"reason"`
		Section  string `json:"section"`
		Assignee string `json:"assignee"`
		Due      string `json:"due"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	a, err := caseActionFrom(map[string][]string{"accion": {req.Action}, "paso": {req.Step}, "respuesta": {req.Answer},
		"motivo": {req.Reason}, "seccion": {req.Section}, "persona": {req.Assignee}, "fecha_limite": {req.Due}})
	if err != nil {
		return err
	}
	a.Author = currentUser(r).Login
	if err := s.checkTurno(r.Context(), cs, a); err != nil {
		return err
	}
	c, err := cs.Act(r.Context(), caseNumber(r), a)
	if err != nil {
		return err
	}
	s.logActivity(r, "tramite-"+string(a.Kind), c.Number, a.Reason)
	return writeJSON(w, http.StatusCreated, s.apiView(cs, c, true))
}
