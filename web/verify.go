package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/sesver/legajo"
)

// verifyPage is public: anyone holding a printed document can check it by
// its QR code. It shows the folio, type, date, status and whether the
// printed digest matches the archive — nothing confidential: no fields, no
// names, no asunto.
type verifyPage struct {
	Folio    string
	Found    bool
	Title    string
	Date     time.Time
	Status   legajo.Status
	Digest   string // as printed (from the QR)
	Match    bool   // the printed digest is the archived one
	Intact   bool   // the archived objects re-hash to what the chain says
	Asked    bool
	NotFound string
}

func (verifyPage) title() string { return "Verificar un documento" }

func (s *Server) verifyPage(w http.ResponseWriter, r *http.Request) error {
	page, err := s.verification(r)
	if err != nil {
		return err
	}
	s.renderPage(w, r, http.StatusOK, "verify", page)
	return nil
}

func (s *Server) verification(r *http.Request) (verifyPage, error) {
	raw := r.PathValue("folio")
	if raw == "" {
		raw = strings.TrimSpace(r.URL.Query().Get("folio"))
	}
	page := verifyPage{Folio: raw, Digest: strings.ToLower(r.URL.Query().Get("h")), Asked: raw != ""}
	if raw == "" {
		return page, nil
	}
	f, err := legajo.ParseFolio(raw, s.Office.Institution.FolioPrefix)
	if err != nil {
		page.NotFound = err.Error()
		return page, nil
	}
	page.Folio = f.String()
	rec, err := s.Office.Record(r.Context(), f)
	if err != nil {
		if status(err) == http.StatusNotFound {
			page.NotFound = "No hay ningún documento archivado con ese folio."
			return page, nil
		}
		return page, err
	}
	page.Found, page.Status = true, rec.Status
	if len(rec.Manifests) > 0 {
		m := rec.Manifests[0]
		page.Title, page.Date = m.Title, m.Date
		page.Match = page.Digest != "" && len(page.Digest) >= 8 && strings.HasPrefix(m.Digest, page.Digest)
	}
	findings, err := s.verifyRecord(r.Context(), rec)
	if err != nil {
		return page, err
	}
	page.Intact = len(findings) == 0
	return page, nil
}
