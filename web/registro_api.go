package web

import (
	"net/http"
	"path"
	"strings"

	"github.com/sesver/legajo"
)

// The registries in the JSON API: the list, a registry's rows, a row with
// its history, a change and an import, with the same checks as the forms.

type apiRegistro struct {
	*legajo.RegistroDef
	Rows int `json:"rows"`
}

func (s *Server) apiRegistros(w http.ResponseWriter, r *http.Request) error {
	rs, err := s.registros()
	if err != nil {
		return err
	}
	out := []apiRegistro{}
	for _, d := range rs.Defs() {
		out = append(out, apiRegistro{d, rs.Count(d.ID)})
	}
	return writeJSON(w, http.StatusOK, out)
}

type apiRegistroRow struct {
	*legajo.RegistroRow
	Status string `json:"status"`
	// Respaldos: what its periodicity asked and was not made.
	Missed []string `json:"missed,omitempty"`
}

func (s *Server) apiRow(d *legajo.RegistroDef, row *legajo.RegistroRow) apiRegistroRow {
	v := apiRegistroRow{RegistroRow: row, Status: row.Status()}
	if d.ID == legajo.RespaldosID {
		for _, m := range legajo.RespaldoCheck(row, s.now().In(zone)).Missed {
			v.Missed = append(v.Missed, m.Format(legajo.DateLayout))
		}
	}
	return v
}

func (s *Server) apiRegistroRows(w http.ResponseWriter, r *http.Request) error {
	rs, d, err := s.registroOf(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	query := legajo.RegistroQuery{Q: strings.TrimSpace(q.Get("q")), Active: q.Get("vigentes") == "1"}
	if len([]rune(query.Q)) > 200 {
		return legajo.Errorf(legajo.ErrInvalid, "«q» es demasiado largo: el máximo es 200 caracteres.")
	}
	rows, err := rs.Rows(d.ID, query)
	if err != nil {
		return err
	}
	out := make([]apiRegistroRow, 0, len(rows))
	for _, row := range rows {
		out = append(out, s.apiRow(d, row))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) apiRegistroRow(w http.ResponseWriter, r *http.Request) error {
	rs, d, err := s.registroOf(r)
	if err != nil {
		return err
	}
	row, err := rs.Row(d.ID, r.URL.Query().Get("clave"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s.apiRow(d, row))
}

func (s *Server) apiRegistroChange(w http.ResponseWriter, r *http.Request) error {
	rs, d, err := s.registroOf(r)
	if err != nil {
		return err
	}
	var req struct {
		Note    string                  `json:"note"`
		Changes []legajo.RegistroChange `json:"changes"`
	}
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	ev, err := rs.File(r.Context(), legajo.RegistroEvent{Registro: d.ID, Author: currentUser(r).Login, Note: req.Note, Changes: req.Changes})
	if err != nil {
		return err
	}
	s.logActivity(r, "registro-cambio", d.ID, ev.Changes[0].Row)
	return writeJSON(w, http.StatusCreated, ev)
}

func (s *Server) apiRegistroImport(w http.ResponseWriter, r *http.Request) error {
	rs, d, err := s.registroOf(r)
	if err != nil {
		return err
	}
	data, name, err := uploadBody(r)
	if err != nil {
		return err
	}
	if len(data) > maxImport {
		return legajo.Errorf(legajo.ErrInvalid, "El archivo pasa de 10 MB; divídalo en varios.")
	}
	if n := r.URL.Query().Get("archivo"); n != "" {
		name = n
	}
	if name == "" {
		name = "importación por la API"
	}
	table, err := s.readTable(name, data)
	if err != nil {
		return err
	}
	ev, err := rs.Import(r.Context(), d.ID, table, path.Base(name), currentUser(r).Login)
	if err != nil {
		return err
	}
	s.logActivity(r, "registro-importacion", d.ID, path.Base(name))
	return writeJSON(w, http.StatusCreated, ev)
}
