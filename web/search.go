package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sesver/legajo"
)

type searchPage struct {
	Q, Type, Expediente, Area, Status, From, To, Sort string
	Tramite                                           string // the documents of one trámite (a case's page links here)
	Result                                            *legajo.SearchResult
	Types                                             []*legajo.DocType
	Expedientes                                       []legajo.Expediente
	Pages                                             []int
	Error                                             string
	Unavailable                                       bool
}

func (searchPage) title() string { return "Buscar" }

// FacetLabel names a facet for people.
func (searchPage) FacetLabel(name string) string {
	switch name {
	case legajo.FacetType:
		return "Tipo de documento"
	case legajo.FacetExpediente:
		return "Expediente"
	case legajo.FacetArea:
		return "Área"
	case legajo.FacetStatus:
		return "Estado"
	case legajo.FacetYear:
		return "Año"
	}
	return name
}

// FacetValue names a facet's value for people: types and expedientes by
// their titles.
func (p searchPage) FacetValue(name, value string) string {
	switch name {
	case legajo.FacetType:
		for _, t := range p.Types {
			if t.ID == value {
				return t.Title
			}
		}
		if value == legajo.ReceptionType.ID {
			return legajo.ReceptionType.Title
		}
	case legajo.FacetExpediente:
		for _, e := range p.Expedientes {
			if e.ID == value {
				return e.Name
			}
		}
	case legajo.FacetStatus:
		return legajo.Status(value).Label()
	}
	return value
}

// facetParam is the query parameter a facet filters by.
func (searchPage) FacetParam(name string) string {
	switch name {
	case legajo.FacetType:
		return "tipo"
	case legajo.FacetExpediente:
		return "expediente"
	case legajo.FacetArea:
		return "area"
	case legajo.FacetStatus:
		return "estado"
	}
	return "anio"
}

// searchQuery reads the search form; bad dates are the person's to fix.
func searchQuery(r *http.Request) (legajo.SearchQuery, searchPage, error) {
	v := r.URL.Query()
	page := searchPage{Q: v.Get("q"), Type: v.Get("tipo"), Expediente: v.Get("expediente"), Area: v.Get("area"),
		Status: v.Get("estado"), From: v.Get("desde"), To: v.Get("hasta"), Sort: v.Get("orden")}
	q := legajo.SearchQuery{Text: page.Q, Sort: page.Sort, Facets: true}
	if page.Type != "" {
		q.Types = []string{page.Type}
	}
	if page.Expediente != "" {
		q.Expedientes = []string{page.Expediente}
	}
	if page.Area != "" {
		q.Areas = []string{page.Area}
	}
	if page.Tramite = strings.TrimSpace(v.Get("tramite")); page.Tramite != "" {
		if legajo.IsCaseNumber(page.Tramite) {
			page.Tramite = legajo.NormalizeCase(page.Tramite)
		}
		q.Tramites = []string{page.Tramite}
	}
	if page.Status != "" {
		q.Statuses = []string{page.Status}
	}
	if y, err := strconv.Atoi(v.Get("anio")); err == nil {
		q.Year = y
	}
	q.Page, _ = strconv.Atoi(v.Get("pagina"))
	if n, err := strconv.Atoi(v.Get("por_pagina")); err == nil {
		q.PerPage = n
	}
	var err error
	if page.From != "" {
		if q.From, err = time.ParseInLocation(legajo.DateLayout, page.From, zone); err != nil {
			return q, page, legajo.Errorf(legajo.ErrInvalid, "«Desde» no es una fecha válida: escríbala completa o elíjala en el calendario.")
		}
	}
	if page.To != "" {
		if q.To, err = time.ParseInLocation(legajo.DateLayout, page.To, zone); err != nil {
			return q, page, legajo.Errorf(legajo.ErrInvalid, "«Hasta» no es una fecha válida: escríbala completa o elíjala en el calendario.")
		}
		q.To = q.To.AddDate(0, 0, 1)
	}
	return q, page, nil
}

func (s *Server) searchPage(w http.ResponseWriter, r *http.Request) error {
	q, page, err := searchQuery(r)
	page.Types = s.Office.Catalog.Types()
	page.Expedientes = s.Office.Archive.Expedientes()
	if s.Search == nil {
		page.Unavailable = true
		s.renderPage(w, r, http.StatusOK, "search", page)
		return nil
	}
	if err == nil && r.URL.RawQuery != "" {
		page.Result, err = s.search(r, q)
	}
	if err != nil {
		if status(err) != http.StatusUnprocessableEntity {
			return err
		}
		page.Error = err.Error()
	}
	if res := page.Result; res != nil && res.Folio != "" && q.Page <= 1 && page.listing() == "" {
		// The text was a folio that one document has: straight to it.
		// The redirect leaves no entry in the history, so Back returns
		// to where the search was typed. With filters or an order the
		// person asked for a list, and gets it.
		s.logActivity(r, "buscar", page.Q, page.filters())
		http.Redirect(w, r, "/documentos/"+slug(res.Folio), http.StatusSeeOther)
		return nil
	}
	if page.Result != nil && page.Result.PerPage > 0 {
		n := (page.Result.Total + page.Result.PerPage - 1) / page.Result.PerPage
		for i := 1; i <= min(n, 20); i++ {
			page.Pages = append(page.Pages, i)
		}
	}
	s.renderPage(w, r, http.StatusOK, "search", page)
	if r.URL.RawQuery != "" {
		// The page goes out first (it carries its length), then the search
		// is logged, durably as ever: the person does not wait for the
		// log's disk sync.
		http.NewResponseController(w).Flush()
		s.logActivity(r, "buscar", page.Q, page.filters())
	}
	return nil
}

// listing is what makes the search a list to browse rather than a
// lookup: a filter or an order chosen; "" when none.
func (p searchPage) listing() string {
	if p.Sort != "" && p.Sort != legajo.SortRelevance {
		return p.Sort
	}
	return p.filters()
}

// filters writes the search's filters for the activity log, which records
// what was searched: the terms go in its object, the filters here.
func (p searchPage) filters() string {
	var out []string
	for _, f := range [][2]string{{"tipo", p.Type}, {"expediente", p.Expediente}, {"área", p.Area}, {"estado", p.Status},
		{"desde", p.From}, {"hasta", p.To}} {
		if f[1] != "" {
			out = append(out, f[0]+": "+f[1])
		}
	}
	return strings.Join(out, "; ")
}
