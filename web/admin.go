package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sesver/legajo"
)

type usersPage struct {
	Users      []legajo.User
	Roles      []legajo.Role
	Restricted []legajo.Expediente // that can be granted
	Message    string
	Error      string
	Token      string // a new API token, shown once
	Backups    *backupsSection
}

// backupsSection is the record of backups on the administration page.
type backupsSection struct {
	Plan string      // "" when no daily backup is configured
	Last *backupRow  // the latest backup (not restore), if any
	Runs []backupRow // newest first
}

type backupRow struct {
	At       time.Time
	Kind     string // Respaldo or Restauración
	Target   string
	Copied   string
	Skipped  string
	Size     string
	Duration string
	Result   string // Correcto, Con conflictos, Error
	Detail   string // the error, or the conflicts
}

// backupsShown bounds the runs listed: a daily backup makes a year of them.
const backupsShown = 30

func (s *Server) backupsSection(r *http.Request) (*backupsSection, error) {
	if s.Backups == nil {
		return nil, nil
	}
	runs, err := s.Backups.BackupRuns(r.Context(), backupsShown)
	if err != nil {
		return nil, err
	}
	sec := &backupsSection{Plan: s.BackupPlan}
	for _, run := range runs {
		row := backupRow{At: run.Started, Kind: "Respaldo", Target: run.Target, Copied: groupThousands(run.ObjectsCopied),
			Skipped: groupThousands(run.ObjectsSkipped), Size: megabytes(run.Bytes), Duration: seconds(run.Seconds), Result: "Correcto"}
		if run.Kind == legajo.RestoreKind {
			row.Kind = "Restauración"
		}
		switch {
		case run.Error != "":
			row.Result, row.Detail = "Error", run.Error
		case run.Conflicts > 0:
			row.Result, row.Detail = "Con conflictos", legajo.Plural(run.Conflicts, "objeto difiere entre el archivo y el respaldo; no se sobrescribió.", "objetos difieren entre el archivo y el respaldo; no se sobrescribieron.")
		}
		sec.Runs = append(sec.Runs, row)
		if sec.Last == nil && run.Kind == legajo.BackupKind {
			sec.Last = &sec.Runs[len(sec.Runs)-1]
		}
	}
	return sec, nil
}

// groupThousands writes n as Mexico does: 12,345.
func groupThousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func megabytes(n int64) string {
	if n < 1e6 {
		return fmt.Sprintf("%s kB", groupThousands(int((n+999)/1000)))
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

func seconds(s float64) string {
	switch {
	case s < 1:
		return "menos de 1 s"
	case s < 60:
		return fmt.Sprintf("%.0f s", s)
	}
	return (time.Duration(s) * time.Second).Round(time.Second).String()
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
	for _, e := range s.Office.Archive.Expedientes() {
		if e.Restricted() {
			page.Restricted = append(page.Restricted, e)
		}
	}
	if page.Backups, err = s.backupsSection(r); err != nil {
		return err
	}
	s.renderPage(w, r, code, "users", page)
	return nil
}

// saveUser creates an account or changes one: role, name, password,
// granted expedientes, enabled, API tokens, sessions.
func (s *Server) saveUser(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return err
	}
	ctx := r.Context()
	login := strings.ToLower(strings.TrimSpace(r.PostForm.Get("usuario")))
	action := r.PostForm.Get("accion")
	admin := currentUser(r)
	fail := func(msg string) error {
		return s.renderUsers(w, r, http.StatusUnprocessableEntity, usersPage{Error: msg})
	}
	// edit fills in what the create and modify forms set.
	edit := func(u *legajo.User) error {
		u.Name = strings.TrimSpace(r.PostForm.Get("nombre"))
		u.Role = legajo.Role(r.PostForm.Get("rol"))
		u.Area = strings.TrimSpace(r.PostForm.Get("area"))
		u.Service = r.PostForm.Get("servicio") == "1"
		u.Granted = nil
		for _, id := range r.PostForm["concedido"] {
			e, err := s.Office.Archive.Expediente(id)
			if err != nil || !e.Restricted() {
				return legajo.Errorf(legajo.ErrInvalid, "«%s» no es un expediente reservado o confidencial.", id)
			}
			u.Granted = append(u.Granted, id)
		}
		if u.Name == "" {
			return legajo.Errorf(legajo.ErrInvalid, "El nombre es obligatorio.")
		}
		if pw := r.PostForm.Get("contrasena"); pw != "" {
			h, err := HashPassword(pw)
			if err != nil {
				return err
			}
			// A password an administrator types for someone else is
			// provisional: its owner changes it at the next login.
			keep := ""
			if u.Login == admin.Login {
				keep = currentSession(r)
			}
			u.SetPassword(h, u.Login != admin.Login && !u.Service, keep)
		} else if u.Version == 0 && !u.Service {
			return legajo.Errorf(legajo.ErrInvalid, "Escriba una contraseña inicial de 10 caracteres o más.")
		}
		return nil
	}
	var token string
	var change func(*legajo.User) error
	switch action {
	case "crear":
		u := legajo.User{Login: login}
		if err := edit(&u); err != nil {
			return refuse(err, fail)
		}
		u.UpdatedAt, u.UpdatedBy = s.now().UTC(), admin.Login
		if _, err := s.storeUser(ctx, u); err != nil {
			return refuse(err, fail)
		}
	case "modificar":
		change = edit
	case "desactivar", "activar":
		if login == admin.Login {
			return fail("No puede desactivar su propia cuenta.")
		}
		change = func(u *legajo.User) error {
			u.Disabled = action == "desactivar"
			if u.Disabled {
				u.Sessions = nil
			}
			return nil
		}
	case "token":
		change = func(u *legajo.User) error {
			var t legajo.Token
			token, t = NewToken(u.Login, r.PostForm.Get("etiqueta"), admin.Login, s.now())
			u.Tokens = append(u.Tokens, t)
			return nil
		}
	case "revocar-token":
		id := r.PostForm.Get("token")
		change = func(u *legajo.User) error {
			if !u.RevokeToken(id) {
				return legajo.Errorf(legajo.ErrNotFound, "La cuenta «%s» no tiene el token %s.", login, id)
			}
			return nil
		}
	case "cerrar-sesiones":
		if login == admin.Login {
			return fail("Para cerrar sus propias sesiones use «Mi cuenta».")
		}
		change = func(u *legajo.User) error {
			u.Sessions = nil
			return nil
		}
	default:
		return fail("Acción desconocida.")
	}
	if change != nil {
		if _, err := s.changeUser(ctx, login, admin.Login, change); err != nil {
			return refuse(err, fail)
		}
	}
	detail := r.PostForm.Get("rol")
	if action == "revocar-token" {
		detail = r.PostForm.Get("token")
	}
	s.logActivity(r, "usuario-"+action, login, detail)
	if token != "" {
		return s.renderUsers(w, r, http.StatusOK, usersPage{Message: "Token creado para «" + login + "». Cópielo ahora: no se volverá a mostrar.", Token: token})
	}
	http.Redirect(w, r, "/admin/usuarios?mensaje="+urlQueryEscape("Usuario «"+login+"» guardado."), http.StatusSeeOther)
	return nil
}

// refuse shows a person's mistake on the users page; internal errors go
// on as errors.
func refuse(err error, fail func(string) error) error {
	if status(err) == http.StatusInternalServerError {
		return err
	}
	return fail(err.Error())
}
