package web

import (
	"net/http"
	"time"

	"github.com/sesver/legajo"
)

type expedientesPage struct {
	Expedientes []legajo.Expediente
}

func (expedientesPage) title() string { return "Expedientes" }

func (s *Server) expedientes(w http.ResponseWriter, r *http.Request) error {
	s.renderPage(w, r, http.StatusOK, "expedientes", expedientesPage{Expedientes: s.Office.Archive.Expedientes()})
	return nil
}

type expedientePage struct {
	Expediente legajo.Expediente
	Entries    []legajo.Entry
	From, To   string
	More       bool
	CanAudit   bool
	Titles     map[string]string // document types by id
	Names      map[string]string // people by login
	Partial    bool              // restricted: only the user's own documents are listed
}

// Title is a type's title for the table; the id when it is not known.
func (p expedientePage) Title(id string) string {
	if t, ok := p.Titles[id]; ok {
		return t
	}
	return id
}

// Name is a person's name for the table; the login when it is not known.
func (p expedientePage) Name(login string) string {
	if n, ok := p.Names[login]; ok && n != "" {
		return n
	}
	return login
}

func (p expedientePage) title() string { return p.Expediente.Name }

// maxListed bounds the chronological list on one page; trails export all.
const maxListed = 500

func (s *Server) expediente(w http.ResponseWriter, r *http.Request) error {
	exp, err := s.Office.Archive.Expediente(r.PathValue("id"))
	if err != nil {
		return err
	}
	page := expedientePage{Expediente: exp, From: r.URL.Query().Get("desde"), To: r.URL.Query().Get("hasta"),
		CanAudit: permAudit.grantedTo(currentUser(r).Role)}
	var from, to time.Time
	if page.From != "" {
		if from, err = time.ParseInLocation(legajo.DateLayout, page.From, zone); err != nil {
			return legajo.Errorf(legajo.ErrInvalid, "«Desde» no es una fecha válida: escríbala completa o elíjala en el calendario.")
		}
	}
	if page.To != "" {
		if to, err = time.ParseInLocation(legajo.DateLayout, page.To, zone); err != nil {
			return legajo.Errorf(legajo.ErrInvalid, "«Hasta» no es una fecha válida: escríbala completa o elíjala en el calendario.")
		}
		to = to.AddDate(0, 0, 1)
	}
	u := currentUser(r)
	page.Partial = !u.ReadsAll(exp)
	own := map[string]bool{} // folios the user issued, when Partial
	errStop := legajo.Errorf(legajo.ErrConflict, "stop")
	err = s.Office.Archive.Entries(r.Context(), exp.ID, from, to, func(e legajo.Entry) error {
		if page.Partial {
			if (e.Event == legajo.EventEmitido || e.Event == legajo.EventRecibido) && e.Author == u.Login {
				own[e.Folio] = true
			}
			if !own[e.Folio] {
				return nil
			}
		}
		if len(page.Entries) == maxListed {
			page.More = true
			return errStop
		}
		page.Entries = append(page.Entries, e)
		return nil
	})
	if err != nil && err != errStop {
		return err
	}
	page.Titles = map[string]string{legajo.ReceptionType.ID: legajo.ReceptionType.Title}
	for _, t := range s.Office.Catalog.Types() {
		page.Titles[t.ID] = t.Title
	}
	page.Names = map[string]string{}
	if people, err := s.Users.Users(r.Context()); err == nil {
		for _, u := range people {
			page.Names[u.Login] = u.Name
		}
	}
	s.renderPage(w, r, http.StatusOK, "expediente", page)
	return nil
}
