package web

import (
	"net/http"
	"time"

	"github.com/sesver/legajo"
)

type homePage struct {
	Pending    []pendingHit
	Recent     []legajo.SearchHit
	Received   []legajo.SearchHit
	NoSearch   bool
	PendingAll int
	// Firmas: documents waiting for their exemplar signed outside the
	// department, oldest first.
	Firmas    []pendingHit
	FirmasAll int
	Cases     *caseCounts // nil when cases are off
}

type pendingHit struct {
	legajo.SearchHit
	Days int
}

func (homePage) title() string { return "Inicio" }

// home shows what waits for the clerk: documents issued and waiting for
// their signed acuse (oldest first, with the days waiting), recent
// documents, and received correspondence.
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	page := homePage{Cases: s.caseCounts(currentUser(r))}
	if s.Search == nil {
		page.NoSearch = true
		s.renderPage(w, r, http.StatusOK, "home", page)
		return nil
	}
	pending, err := s.search(r, legajo.SearchQuery{Statuses: []string{string(legajo.StatusPendiente)}, Sort: legajo.SortDate, PerPage: 15})
	if err != nil {
		return err
	}
	now := s.now()
	page.PendingAll = pending.Total
	for _, h := range pending.Hits {
		page.Pending = append(page.Pending, pendingHit{h, int(now.Sub(h.Date) / (24 * time.Hour))})
	}
	firmas, err := s.search(r, legajo.SearchQuery{Statuses: []string{string(legajo.StatusPendienteFirma)}, Sort: legajo.SortDate, PerPage: 15})
	if err != nil {
		return err
	}
	page.FirmasAll = firmas.Total
	for _, h := range firmas.Hits {
		page.Firmas = append(page.Firmas, pendingHit{h, int(now.Sub(h.Date) / (24 * time.Hour))})
	}
	recent, err := s.search(r, legajo.SearchQuery{Sort: legajo.SortDateDesc, PerPage: 10})
	if err != nil {
		return err
	}
	page.Recent = recent.Hits
	recv, err := s.search(r, legajo.SearchQuery{Statuses: []string{string(legajo.StatusRecibido)}, Sort: legajo.SortDateDesc, PerPage: 10})
	if err != nil {
		return err
	}
	page.Received = recv.Hits
	s.renderPage(w, r, http.StatusOK, "home", page)
	return nil
}
