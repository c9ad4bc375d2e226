package web

import (
	"net/http"
	"slices"

	"github.com/sesver/legajo"
)

// The bandeja (work queue): the open cases of a person or of a section,
// sorted into overdue (red), due soon, in progress and waiting on others.
// Consulta users see it read-only, like every case.

type bandejaPage struct {
	View     string // mios, seccion, todos
	Section  string
	Sections []string
	Overdue  caseGroup
	DueSoon  caseGroup
	Mine     caseGroup
	Waiting  caseGroup
	Total    int
	CanOpen  bool
}

// bandejaRows is how many cases of a group the page lists: the most urgent
// first; the rest are counted (a section may hold thousands).
const bandejaRows = 50

// caseGroup is one group of a bandeja: its first rows and how many there are.
type caseGroup struct {
	Rows  []caseRow
	Total int
}

// More is how many are not listed.
func (g caseGroup) More() int { return g.Total - len(g.Rows) }

func (bandejaPage) title() string { return "Bandeja de trámites" }

func (s *Server) bandeja(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.cases()
	if err != nil {
		return err
	}
	u := currentUser(r)
	q := r.URL.Query()
	page := bandejaPage{View: q.Get("ver"), Section: q.Get("seccion"), Sections: cs.Procedures.Sections(),
		CanOpen: permIssue.grantedTo(u.Role)}
	if page.Section == "" && slices.Contains(page.Sections, u.Area) {
		page.Section = u.Area
	}
	f := legajo.CaseFilter{}
	switch page.View {
	case "seccion":
		if page.Section == "" && len(page.Sections) > 0 {
			page.Section = page.Sections[0]
		}
		f.Section = page.Section
	case "todos":
	default:
		page.View = "mios"
		f.Assignee = u.Login
	}
	now := s.now()
	qu := cs.Bandeja(f, now)
	names := s.userNames(r.Context())
	rows := func(items []legajo.QueueItem) caseGroup {
		g := caseGroup{Total: len(items)}
		for _, it := range items[:min(len(items), bandejaRows)] {
			g.Rows = append(g.Rows, s.caseRow(cs, it.Case, now, names))
		}
		return g
	}
	page.Overdue, page.DueSoon, page.Mine, page.Waiting = rows(qu.Overdue), rows(qu.DueSoon), rows(qu.Mine), rows(qu.Waiting)
	page.Total = qu.Total()
	s.renderPage(w, r, http.StatusOK, "bandeja", page)
	return nil
}

// caseCounts is what the home page tells of the person's cases.
type caseCounts struct {
	Mine, Overdue, DueSoon, Waiting int
	Section                         string
	SectionTotal, SectionOverdue    int
}

func (s *Server) caseCounts(u legajo.User) *caseCounts {
	cs := s.Office.Cases
	if cs == nil {
		return nil
	}
	now := s.now()
	q := cs.Bandeja(legajo.CaseFilter{Assignee: u.Login}, now)
	c := &caseCounts{Mine: q.Total(), Overdue: len(q.Overdue), DueSoon: len(q.DueSoon), Waiting: len(q.Waiting)}
	if slices.Contains(cs.Procedures.Sections(), u.Area) {
		sq := cs.Bandeja(legajo.CaseFilter{Section: u.Area}, now)
		c.Section, c.SectionTotal, c.SectionOverdue = u.Area, sq.Total(), len(sq.Overdue)
	}
	return c
}
