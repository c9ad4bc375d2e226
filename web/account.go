package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/sesver/legajo"
)

// errChangePassword refuses an API call made with a session whose password
// someone else chose.
var errChangePassword = legajo.Errorf(errForbidden, "Antes de continuar, cambie su contraseña provisional en «Mi cuenta».")

// accountPage is «Mi cuenta»: one's password, open sessions and API tokens.
type accountPage struct {
	User     legajo.User
	Sessions []sessionRow
	Tokens   []legajo.Token
	Forced   bool // the password was chosen by someone else: change it first
	Mail     mailPrefs
	Message  string
	Error    string
}

type sessionRow struct {
	legajo.Session
	Browser string
	Current bool
}

func (accountPage) title() string { return "Mi cuenta" }

func (s *Server) accountPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderAccount(w, r, http.StatusOK, accountPage{Message: r.URL.Query().Get("mensaje")})
}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, code int, page accountPage) error {
	// The latest version, not the cached one: it lists the sessions.
	u, err := s.Users.User(r.Context(), currentUser(r).Login)
	if err != nil {
		return err
	}
	page.User, page.Tokens, page.Forced = u, u.Tokens, u.MustChangePassword
	page.Mail = prefsOf(u)
	current := currentSession(r)
	for _, sess := range u.OpenSessions(s.now()) {
		page.Sessions = append(page.Sessions, sessionRow{Session: sess, Browser: agentLabel(sess.Agent), Current: sess.ID == current})
	}
	slices.SortFunc(page.Sessions, func(a, b sessionRow) int { return b.Created.Compare(a.Created) })
	s.renderPage(w, r, code, "account", page)
	return nil
}

// changePassword changes one's own password, the current one required.
// Every other session and every API token of the account end with it.
func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	me := currentUser(r)
	current, next, again := r.PostForm.Get("actual"), r.PostForm.Get("nueva"), r.PostForm.Get("confirmacion")
	fail := func(code int, msg string) error {
		return s.renderAccount(w, r, code, accountPage{Error: msg})
	}
	// The current password is guessed like at the login: same counts.
	keys := throttleKeys(r, me.Login)
	if err := s.throttle.check(keys, s.now()); err != nil {
		return fail(http.StatusTooManyRequests, strings.TrimPrefix(err.Error(), errTooMany.Error()+": "))
	}
	u, err := s.Users.User(r.Context(), me.Login)
	if err != nil {
		return err
	}
	if !checkPassword(u.PasswordHash, current) {
		s.throttle.fail(keys, s.now())
		return fail(http.StatusUnprocessableEntity, "La contraseña actual no es correcta.")
	}
	switch {
	case next != again:
		return fail(http.StatusUnprocessableEntity, "La nueva contraseña y su confirmación no coinciden.")
	case next == current:
		return fail(http.StatusUnprocessableEntity, "La nueva contraseña debe ser distinta de la actual.")
	}
	hash, err := HashPassword(next)
	if err != nil {
		return fail(http.StatusUnprocessableEntity, err.Error())
	}
	session := currentSession(r)
	_, err = s.changeUser(r.Context(), me.Login, me.Login, func(u *legajo.User) error {
		u.SetPassword(hash, false, session)
		return nil
	})
	if err != nil {
		return err
	}
	s.logActivity(r, "cambiar-contrasena", me.Login, "")
	msg := "Contraseña cambiada. Se cerraron sus demás sesiones y se revocaron sus tokens de API."
	http.Redirect(w, r, "/cuenta?mensaje="+urlQueryEscape(msg), http.StatusSeeOther)
	return nil
}

// revokeOwnSession ends one of one's sessions; ending the current one is
// logging out.
func (s *Server) revokeOwnSession(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	me, id := currentUser(r), r.PostForm.Get("sesion")
	if err := s.closeSession(r.Context(), me.Login, id, me.Login); err != nil {
		return err
	}
	s.logActivity(r, "cerrar-sesion", me.Login, id)
	if id == currentSession(r) {
		s.clearCookie(w)
		http.Redirect(w, r, "/entrar", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/cuenta?mensaje="+urlQueryEscape("Sesión cerrada."), http.StatusSeeOther)
	return nil
}

// revokeOwnToken revokes one of one's API tokens.
func (s *Server) revokeOwnToken(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	me, id := currentUser(r), r.PostForm.Get("token")
	if err := s.revokeToken(r, me.Login, id); err != nil {
		return err
	}
	http.Redirect(w, r, "/cuenta?mensaje="+urlQueryEscape("Token "+id+" revocado."), http.StatusSeeOther)
	return nil
}

// revokeToken revokes one API token of login's account.
func (s *Server) revokeToken(r *http.Request, login, id string) error {
	_, err := s.changeUser(r.Context(), login, currentUser(r).Login, func(u *legajo.User) error {
		if !u.RevokeToken(id) {
			return legajo.Errorf(legajo.ErrNotFound, "La cuenta «%s» no tiene el token %s.", login, id)
		}
		return nil
	})
	if err != nil {
		return err
	}
	s.logActivity(r, "revocar-token", login, id)
	return nil
}
