package web

import (
	"net/http"

	"github.com/sesver/legajo"
)

// Access levels. The documents of a reservada or confidencial expediente
// are read only by whoever issued (or registered) them, auditors,
// administrators and those an administrator granted the expediente
// (legajo.User.Reads). Everyone else is told such a document does not
// exist, in the very words used for a folio never issued: a 404, not a
// 403, so that not even its existence shows. Search hits, totals and
// facets leave them out in the index itself (legajo.Restriction).
// Trails, exports and the activity log are for auditors and
// administrators, who read everything; the public Verificar page shows no
// content.

// mayRead tells whether the request's user may see rec's content.
func (s *Server) mayRead(r *http.Request, rec *legajo.Record) bool {
	u := currentUser(r)
	author := ""
	if e, ok := rec.Emitted(); ok {
		author = e.Author
	}
	exp, err := s.Office.Archive.Expediente(rec.Expediente)
	if err != nil {
		// No longer configured: its level is unknown, so it is restricted.
		exp = legajo.Expediente{ID: rec.Expediente, Acceso: "confidencial"}
	}
	return u.Reads(exp, author)
}

// notFound is what someone who may not read a document is told: exactly
// what they would be told of a folio never issued.
func notFound(f legajo.Folio) error {
	return legajo.Errorf(legajo.ErrNotFound, "No hay ningún documento con el folio %s.", f)
}

// readableFolio is the folio of the request's document, when its user may
// read it.
func (s *Server) readableFolio(r *http.Request) (legajo.Folio, error) {
	rec, err := s.record(r)
	if err != nil {
		return legajo.Folio{}, err
	}
	return rec.Folio, nil
}

// restriction is what the request's user may find in a search; nil when
// they read everything.
func (s *Server) restriction(r *http.Request) *legajo.Restriction {
	u := currentUser(r)
	res := &legajo.Restriction{Author: u.Login}
	all := true
	for _, e := range s.Office.Archive.Expedientes() {
		if u.ReadsAll(e) {
			res.Readable = append(res.Readable, e.ID)
		} else {
			all = false
		}
	}
	if all && (u.Role == legajo.RoleAuditor || u.Role == legajo.RoleAdmin) {
		return nil
	}
	return res
}

// search runs q with the request's user's restriction.
func (s *Server) search(r *http.Request, q legajo.SearchQuery) (*legajo.SearchResult, error) {
	q.Restrict = s.restriction(r)
	q.Synonyms = s.synonyms()
	return s.Search.Search(r.Context(), q)
}
