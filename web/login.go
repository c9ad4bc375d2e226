package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/sesver/legajo"
)

type loginPage struct {
	Login, Next, Error string
}

func (loginPage) title() string { return "Iniciar sesión" }

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.authenticate(r); err == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return nil
	}
	s.renderPage(w, r, http.StatusOK, "login", loginPage{Next: safeNext(r.URL.Query().Get("siguiente"))})
	return nil
}

// safeNext keeps redirects after login on this site.
func safeNext(s string) string {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.Contains(s, "\\") {
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
	s.setSession(w, u)
	r = r.WithContext(withUser(r.Context(), u))
	s.logActivity(r, "entrar", "", "")
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if u, err := s.authenticate(r); err == nil {
		s.logActivity(r.WithContext(withUser(r.Context(), u)), "salir", "", "")
	}
	s.clearSession(w)
	http.Redirect(w, r, "/entrar", http.StatusSeeOther)
	return nil
}
