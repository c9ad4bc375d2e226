package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/sesver/legajo"
)

type receivePage struct {
	Form        docFormPage
	Expedientes []legajo.Expediente
	Expediente  string
	ScanError   string // beside the scan's file input
	EmailError  string // beside the .eml's
}

func (receivePage) title() string { return "Registrar correspondencia recibida" }

func (s *Server) receivePage(w http.ResponseWriter, r *http.Request) error {
	form := url.Values{}
	if tr := r.URL.Query().Get("tramite"); legajo.IsCaseNumber(tr) {
		form.Set("tramite", legajo.NormalizeCase(tr)) // received inside a case
	}
	s.renderReceive(w, r, http.StatusOK, form, nil)
	return nil
}

// derivedReceptionFields are filled from an imported e-mail, never typed.
var derivedReceptionFields = map[string]bool{"adjuntos": true}

func (s *Server) renderReceive(w http.ResponseWriter, r *http.Request, code int, form url.Values, problems []legajo.Problem) {
	t := legajo.ReceptionType
	problems = pickedDates(t, form, problems)
	byField := map[string]string{}
	for _, p := range problems {
		byField[p.Field] += p.Message + " "
	}
	page := receivePage{Expedientes: s.Office.Archive.Expedientes(), Expediente: form.Get("expediente")}
	if page.Expediente == "" {
		page.Expediente = t.Expediente
	}
	page.ScanError = strings.TrimSpace(byField["escaneo"])
	page.EmailError = strings.TrimSpace(byField["correo"])
	// The registration's idempotency key belongs to the form: sent again
	// (Back and «Registrar», a double click), it registers nothing new.
	page.Form = docFormPage{Type: t, Problems: problems, Tramite: form.Get("tramite"), Areas: s.areas(), Key: form.Get("clave")}
	if page.Form.Key == "" {
		page.Form.Key = newKey()
	}
	for _, f := range t.Fields {
		if derivedReceptionFields[f.Name] {
			continue
		}
		page.Form.Fields = append(page.Form.Fields, formField{Field: f, Value: form.Get("f." + f.Name), Error: strings.TrimSpace(byField[f.Name])})
	}
	s.renderPage(w, r, code, "receive", page)
}

// receive registers correspondence: a scan, an .eml, both, or neither (a
// phone call).
func (s *Server) receive(w http.ResponseWriter, r *http.Request) error {
	files, uerr := parseFiles(r, "archivo", "correo")
	if uerr != nil {
		return uerr
	}
	data := formData(legajo.ReceptionType, r.PostForm)
	for name := range derivedReceptionFields {
		delete(data, name)
	}
	u := currentUser(r)
	var key string
	if c := r.PostForm.Get("clave"); c != "" {
		key = u.Login + ":recibido:" + c
	}
	scan, mail := files["archivo"], files["correo"]
	res, err := s.Office.Receive(r.Context(), legajo.ReceiveRequest{Data: data, Scan: scan.data, ScanName: scan.name,
		Email: mail.data, EmailName: mail.name,
		Expediente: r.PostForm.Get("expediente"), Tramite: strings.TrimSpace(r.PostForm.Get("tramite")), Author: u.Login,
		IdempotencyKey: key})
	var ve *legajo.ValidationError
	if errors.As(err, &ve) {
		if _, ok := files["archivo"]; !ok {
			ve.Problems = noFileChosen(ve.Problems, errNoScan)
		}
		s.renderReceive(w, r, http.StatusUnprocessableEntity, r.PostForm, ve.Problems)
		return nil
	}
	if errors.Is(err, legajo.ErrInvalid) || errors.Is(err, legajo.ErrNotFound) {
		s.renderReceive(w, r, status(err), r.PostForm, []legajo.Problem{{Message: err.Error()}})
		return nil
	}
	if err != nil {
		return err
	}
	what := scan.name
	if mail.name != "" {
		what = strings.TrimSpace(what + " " + mail.name)
	}
	s.logActivity(r, "recibir", res.Folio, what)
	http.Redirect(w, r, "/documentos/"+slug(res.Folio)+"?emitido=1", http.StatusSeeOther)
	return nil
}

// errNoScan is the answer to paper correspondence sent without its scan.
var errNoScan = legajo.Errorf(legajo.ErrInvalid, "Elija un archivo: el documento escaneado (PDF o imagen). Sólo una llamada telefónica o un correo electrónico se registran sin escaneo.")

// noFileChosen says «Elija un archivo» where no file was chosen, rather
// than that the file is empty.
func noFileChosen(problems []legajo.Problem, uploadErr error) []legajo.Problem {
	if uploadErr == nil {
		return problems
	}
	for i, p := range problems {
		if p.Field == "escaneo" {
			problems[i].Message = uploadErr.Error()
		}
	}
	return problems
}
