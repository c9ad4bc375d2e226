package web

import (
	"net/http"
	"strings"

	"github.com/sesver/legajo"
)

type usersPage struct {
	Users   []legajo.User
	Roles   []legajo.Role
	Message string
	Error   string
	Token   string // a new API token, shown once
}

func (usersPage) title() string { return "Usuarios" }

func (s *Server) usersPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderUsers(w, r, http.StatusOK, usersPage{Message: r.URL.Query().Get("mensaje")})
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, code int, page usersPage) error {
	users, err := s.Users.Users(r.Context())
	if err != nil {
		return err
	}
	page.Users, page.Roles = users, legajo.Roles
	s.renderPage(w, r, code, "users", page)
	return nil
}

// saveUser creates an account or changes one: role, name, password,
// enabled, API token.
func (s *Server) saveUser(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	ctx := r.Context()
	login := strings.ToLower(strings.TrimSpace(r.PostForm.Get("usuario")))
	action := r.PostForm.Get("accion")
	admin := currentUser(r)
	u, err := s.Users.User(ctx, login)
	isNew := status(err) == http.StatusNotFound
	if err != nil && !isNew {
		return err
	}
	fail := func(msg string) error {
		return s.renderUsers(w, r, http.StatusUnprocessableEntity, usersPage{Error: msg})
	}
	var token string
	switch action {
	case "crear":
		if !isNew {
			return fail("El usuario «" + login + "» ya existe.")
		}
		u = legajo.User{Login: login}
		fallthrough
	case "modificar":
		if isNew && action == "modificar" {
			return fail("No existe el usuario «" + login + "».")
		}
		u.Name = strings.TrimSpace(r.PostForm.Get("nombre"))
		u.Role = legajo.Role(r.PostForm.Get("rol"))
		u.Area = strings.TrimSpace(r.PostForm.Get("area"))
		u.Service = r.PostForm.Get("servicio") == "1"
		if u.Name == "" {
			return fail("El nombre es obligatorio.")
		}
		if pw := r.PostForm.Get("contrasena"); pw != "" {
			h, err := HashPassword(pw)
			if err != nil {
				return fail(err.Error())
			}
			u.PasswordHash = h
		} else if action == "crear" && !u.Service {
			return fail("Escriba una contraseña inicial de 10 caracteres o más.")
		}
	case "desactivar", "activar":
		if isNew {
			return fail("No existe el usuario «" + login + "».")
		}
		if login == admin.Login {
			return fail("No puede desactivar su propia cuenta.")
		}
		u.Disabled = action == "desactivar"
	case "token":
		if isNew {
			return fail("No existe el usuario «" + login + "».")
		}
		token = login + "." + newKey() + newKey()
		u.TokenHashes = append(u.TokenHashes, TokenHash(token))
	default:
		return fail("Acción desconocida.")
	}
	u.UpdatedAt, u.UpdatedBy = s.now().UTC(), admin.Login
	if _, err := s.storeUser(ctx, u); err != nil {
		if status(err) == http.StatusInternalServerError {
			return err
		}
		return fail(err.Error())
	}
	s.logActivity(r, "usuario-"+action, login, string(u.Role))
	if token != "" {
		return s.renderUsers(w, r, http.StatusOK, usersPage{Message: "Token creado para «" + login + "». Cópielo ahora: no se volverá a mostrar.", Token: token})
	}
	http.Redirect(w, r, "/admin/usuarios?mensaje="+urlQueryEscape("Usuario «"+login+"» guardado."), http.StatusSeeOther)
	return nil
}
