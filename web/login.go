package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/sesver/legajo"
)

type loginPage struct {
	Login, Next, Error string
}

func (loginPage) title() string { return "Iniciar sesión" }

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) error {
	if _, _, err := s.authenticate(r); err == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	s.renderPage(w, r, http.StatusOK, "login", loginPage{Next: safeNext(r.URL.Query().Get("siguiente"))})
	return nil
}

// safeNext keeps redirects after login on this site: a path of its own,
// never one a browser reads as another host. Browsers drop tabs and line
// breaks from a URL and read \ as /, so "/\t/evil.example" and
// "/\\evil.example" are "//evil.example"; any control character or
// backslash, and anything with a scheme or a host, goes to the start page.
func safeNext(s string) string {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.ContainsAny(s, "\\") ||
		strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
		return "/"
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || strings.HasPrefix(u.Path, "//") {
		return "/"
	}
	return s
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	login := strings.ToLower(strings.TrimSpace(r.PostForm.Get("usuario")))
	pw := r.PostForm.Get("contrasena")
	next := safeNext(r.PostForm.Get("siguiente"))
	keys := throttleKeys(r, login)
	page := loginPage{Login: login, Next: next}
	if err := s.throttle.check(keys, s.now()); err != nil {
		page.Error = strings.TrimPrefix(err.Error(), errTooMany.Error()+": ")
		s.renderPage(w, r, http.StatusTooManyRequests, "login", page)
		return nil
	}
	u, err := s.Users.User(r.Context(), login)
	if err != nil && !errors.Is(err, legajo.ErrNotFound) {
		return err // the store failed: say so, and count no wrong password
	}
	hash := ""
	if err == nil && !u.Disabled && !u.Service {
		hash = u.PasswordHash
	}
	if !checkPassword(hash, pw) {
		s.throttle.fail(keys, s.now())
		s.Logger.Info("login failed", "user", login, "remote", remote(r))
		page.Error = "Usuario o contraseña incorrectos."
		s.renderPage(w, r, http.StatusUnauthorized, "login", page)
		return nil
	}
	s.throttle.succeed(keys)
	u, session, err := s.openSession(w, r, u.Login)
	if err != nil {
		return err
	}
	r = r.WithContext(withUser(r.Context(), u, session))
	s.logActivity(r, "entrar", "", "")
	if u.MustChangePassword {
		next = "/cuenta"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// logout ends the session on the server, for every node, not only in this
// browser: a copy of the cookie is refused from then on.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	s.clearCookie(w)
	u, session, err := s.userBySession(r)
	if err == nil {
		r = r.WithContext(withUser(r.Context(), u, session))
		if err := s.closeSession(r.Context(), u.Login, session, u.Login); err != nil {
			return err
		}
		s.logActivity(r, "salir", "", "")
	}
	http.Redirect(w, r, "/entrar", http.StatusSeeOther)
	return nil
}
