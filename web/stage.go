package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/sesver/legajo"
)

// stageView is a stage the equipment of a document reached, with the
// person's name.
type stageView struct {
	legajo.StageEvent
	Who string
}

// uploadFirma files the exemplar signed outside the department, as
// uploadAcuse files an acuse.
func (s *Server) uploadFirma(w http.ResponseWriter, r *http.Request) error {
	f, b, name, err := s.upload(r)
	if err != nil {
		return s.refused(w, r, "firma", err)
	}
	if _, err := s.Office.Firma(r.Context(), f, b, name, currentUser(r).Login); err != nil {
		return s.refused(w, r, "firma", err)
	}
	s.logActivity(r, "firma", f.String(), name)
	http.Redirect(w, r, "/documentos/"+f.Slug(), http.StatusSeeOther)
	return nil
}

// fileStage files the stage the equipment of a document reached.
func (s *Server) fileStage(w http.ResponseWriter, r *http.Request) error {
	f, err := s.readableFolio(r)
	if err != nil {
		return err
	}
	stage := strings.TrimSpace(r.FormValue("etapa"))
	if _, err := s.Office.Stage(r.Context(), f, stage, currentUser(r).Login); err != nil {
		var ve *legajo.ValidationError
		if errors.As(err, &ve) && len(ve.Problems) > 0 {
			err = legajo.Errorf(legajo.ErrInvalid, "%s", ve.Problems[0].Message)
		}
		return s.refused(w, r, "etapa", err)
	}
	s.logActivity(r, "etapa", f.String(), stage)
	http.Redirect(w, r, "/documentos/"+f.Slug()+"#equipo", http.StatusSeeOther)
	return nil
}

// apiFirma files the signed exemplar: multipart («archivo») or the raw
// body.
func (s *Server) apiFirma(w http.ResponseWriter, r *http.Request) error {
	return s.apiSignedReturn(w, r, "firma", s.Office.Firma)
}

// apiStage files a stage of the equipment: JSON {"etapa": "..."}.
func (s *Server) apiStage(w http.ResponseWriter, r *http.Request) error {
	f, err := s.readableFolio(r)
	if err != nil {
		return err
	}
	var req struct {
		Etapa string `json:"etapa"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	e, err := s.Office.Stage(r.Context(), f, req.Etapa, currentUser(r).Login)
	if err != nil {
		return err
	}
	s.logActivity(r, "etapa", f.String(), req.Etapa)
	return writeJSON(w, http.StatusCreated, e)
}
