package web

import (
	"net/http"
	"time"

	"github.com/sesver/legajo"
)

type auditPage struct {
	Verifications []legajo.Verification
	Checked       bool
	Activities    []legajo.Activity
	From, To      string
	Expedientes   []legajo.Expediente
}

func (auditPage) title() string { return "Auditoría" }

func (s *Server) audit(w http.ResponseWriter, r *http.Request) error {
	page, err := s.auditData(r)
	if err != nil {
		return err
	}
	s.renderPage(w, r, http.StatusOK, "audit", page)
	return nil
}

// auditData reads the activity log of the requested days (today by default).
func (s *Server) auditData(r *http.Request) (auditPage, error) {
	page := auditPage{From: r.FormValue("desde"), To: r.FormValue("hasta"), Expedientes: s.Office.Archive.Expedientes()}
	now := s.now().In(zone)
	from := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, zone)
	to := from.AddDate(0, 0, 1)
	var err error
	if page.From != "" {
		if from, err = time.ParseInLocation(legajo.DateLayout, page.From, zone); err != nil {
			return page, legajo.Errorf(legajo.ErrInvalid, "«Desde» no es una fecha válida (use AAAA-MM-DD).")
		}
		to = from.AddDate(0, 0, 1)
	}
	if page.To != "" {
		if to, err = time.ParseInLocation(legajo.DateLayout, page.To, zone); err != nil {
			return page, legajo.Errorf(legajo.ErrInvalid, "«Hasta» no es una fecha válida (use AAAA-MM-DD).")
		}
		to = to.AddDate(0, 0, 1)
	}
	err = s.Activity.Activities(r.Context(), from, to, func(a legajo.Activity) error {
		page.Activities = append(page.Activities, a)
		return nil
	})
	return page, err
}

// auditVerify re-checks every chain and object of the archive (or of one
// expediente) and shows the result.
func (s *Server) auditVerify(w http.ResponseWriter, r *http.Request) error {
	page, err := s.auditData(r)
	if err != nil {
		return err
	}
	ids := []string{r.FormValue("expediente")}
	if ids[0] == "" {
		ids = nil
		for _, e := range s.Office.Archive.Expedientes() {
			ids = append(ids, e.ID)
		}
	}
	for _, id := range ids {
		v, err := s.Office.Archive.Verify(r.Context(), id)
		if err != nil {
			return err
		}
		page.Verifications = append(page.Verifications, v)
	}
	page.Checked = true
	s.logActivity(r, "verificar", r.FormValue("expediente"), "")
	s.renderPage(w, r, http.StatusOK, "audit", page)
	return nil
}
