package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/sesver/legajo"
)

// mailPrefs is the «Correo electrónico» section of «Mi cuenta»: one's
// address and the optional messages one receives.
type mailPrefs struct {
	Email   string
	Options []mailOption
}

type mailOption struct {
	Kind  legajo.MailKind
	Label string
	On    bool
}

func prefsOf(u legajo.User) mailPrefs {
	p := legajo.PersonOf(u)
	prefs := mailPrefs{Email: u.Email}
	for _, o := range legajo.OptionalMail {
		on := true
		for _, x := range p.OptOut {
			on = on && x != o.Kind
		}
		prefs.Options = append(prefs.Options, mailOption{Kind: o.Kind, Label: o.Label, On: on})
	}
	return prefs
}

// saveMailPrefs stores one's address and the optional messages kept on.
func (s *Server) saveMailPrefs(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	me := currentUser(r)
	email := strings.TrimSpace(r.PostForm.Get("correo"))
	if email != "" {
		addrs, err := legajo.ParseRecipients(email)
		if err != nil || len(addrs) != 1 {
			return s.renderAccount(w, r, http.StatusUnprocessableEntity, accountPage{Error: "«Correo electrónico»: «" + email + "» no es una dirección de correo completa (como nombre@ssaver.gob.mx)."})
		}
		email = addrs[0]
	}
	on := map[string]bool{}
	for _, k := range r.PostForm["aviso"] {
		on[k] = true
	}
	var off []string
	for _, o := range legajo.OptionalMail {
		if !on[string(o.Kind)] {
			off = append(off, string(o.Kind))
		}
	}
	_, err := s.changeUser(r.Context(), me.Login, me.Login, func(u *legajo.User) error {
		u.Email, u.MailOptOut = email, off
		return nil
	})
	if err != nil {
		return err
	}
	s.logActivity(r, "preferencias-correo", me.Login, email)
	http.Redirect(w, r, "/cuenta?mensaje="+urlQueryEscape("Preferencias de correo guardadas."), http.StatusSeeOther)
	return nil
}

// mailCandidate is an asistente of a minuta who has an account with an
// address: offered, ticked, in «Enviar por correo».
type mailCandidate struct {
	Name  string
	Email string
}

// minutaMailable tells whether documents of type id are sent «vía
// correo» to their asistentes (the manual's minutas).
func minutaMailable(id string) bool {
	return id == "minuta" || id == "minuta-mantenimiento"
}

// mailCandidates are the asistentes of the minuta whose name is an
// account's with an address.
func (s *Server) mailCandidates(r *http.Request, m legajo.Manifest) []mailCandidate {
	if s.Users == nil {
		return nil
	}
	users, err := s.Users.Users(r.Context())
	if err != nil {
		return nil
	}
	byName := map[string]string{}
	for _, u := range users {
		if u.Email != "" && !u.Disabled {
			byName[fold(u.Name)] = u.Email
		}
	}
	var out []mailCandidate
	seen := map[string]bool{}
	for _, row := range m.Fields["asistentes"].Rows {
		name := row["nombre"]
		if e, ok := byName[fold(name)]; ok && !seen[e] {
			seen[e] = true
			out = append(out, mailCandidate{Name: name, Email: e})
		}
	}
	return out
}

func fold(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// mailMinuta sends the issued minuta's filed PDF to the asistentes
// ticked and the addresses typed.
func (s *Server) mailMinuta(w http.ResponseWriter, r *http.Request) error {
	rec, err := s.record(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return err
	}
	typed := r.PostForm.Get("destinatarios")
	fail := func(code int, err error) error {
		page, perr := s.documentData(r, rec)
		if perr != nil {
			return err
		}
		msg := s.message(r, err)
		if code == http.StatusServiceUnavailable {
			// The mail server's, not the archive's: the message says so.
			msg = err.Error()
		}
		page.Upload = uploadProblem{Field: "correo", Message: msg, Recipients: typed}
		s.renderPage(w, r, code, "document", page)
		return nil
	}
	if s.Office.Mail == nil {
		return legajo.Errorf(legajo.ErrNotFound, "Este servidor no tiene configurado el correo.")
	}
	if len(rec.Manifests) == 0 || !minutaMailable(rec.Manifests[0].Type) {
		return fail(http.StatusConflict, legajo.Errorf(legajo.ErrConflict, "Sólo las minutas se envían por correo a sus asistentes."))
	}
	if rec.Status == legajo.StatusCancelado {
		return fail(http.StatusConflict, legajo.Errorf(legajo.ErrConflict, "La minuta %s está cancelada: no se envía por correo.", rec.Folio))
	}
	to := append([]string{}, r.PostForm["asistente"]...)
	to = append(to, typed)
	addrs, err := legajo.ParseRecipients(strings.Join(to, ","))
	if err != nil {
		return fail(http.StatusUnprocessableEntity, err)
	}
	o, ok := findObject(rec, func(o legajo.Object) bool { return o.Kind == "pdf" && o.Tanto != "" })
	if !ok {
		return fail(http.StatusConflict, legajo.Errorf(legajo.ErrConflict, "La minuta %s no tiene su PDF archivado.", rec.Folio))
	}
	pdf, err := s.Office.Archive.Get(r.Context(), o.Key)
	if err != nil {
		return err
	}
	u := currentUser(r)
	if err := s.Office.Mail.Minuta(r.Context(), addrs, rec.Folio.String(), rec.Manifests[0].Subject, pdf, u.Name); err != nil {
		if errors.Is(err, legajo.ErrUnavailable) {
			s.Logger.Warn("mail minuta", "folio", rec.Folio.String(), "cause", errors.Unwrap(err))
			return fail(http.StatusServiceUnavailable, err)
		}
		if errors.Is(err, legajo.ErrInvalid) {
			return fail(http.StatusUnprocessableEntity, err)
		}
		return err
	}
	s.logActivity(r, "enviar-correo", rec.Folio.String(), strings.Join(addrs, ", "))
	http.Redirect(w, r, "/documentos/"+rec.Folio.Slug()+"?enviado="+strconv.Itoa(len(addrs))+"#correo", http.StatusSeeOther)
	return nil
}
