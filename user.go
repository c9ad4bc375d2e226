package legajo

import (
	"context"
	"time"
)

// Role is what a user may do.
type Role string

const (
	RoleCapturista Role = "capturista" // issues, receives, uploads acuses, cancels own documents
	RoleConsulta   Role = "consulta"   // searches, reads, downloads
	RoleAuditor    Role = "auditor"    // reads everything, trails, exports, verification, activity log
	RoleAdmin      Role = "admin"      // users, roles, signatories, areas, expedientes
)

// Roles lists the roles in order of the menu.
var Roles = []Role{RoleCapturista, RoleConsulta, RoleAuditor, RoleAdmin}

// Valid tells whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Label is the role's name for people.
func (r Role) Label() string {
	switch r {
	case RoleCapturista:
		return "Capturista"
	case RoleConsulta:
		return "Consulta"
	case RoleAuditor:
		return "Auditor"
	case RoleAdmin:
		return "Administrador"
	}
	return string(r)
}

// User is an account. Users are stored in the archive; every change is a
// new version, never an overwrite.
type User struct {
	Login        string    `json:"login"`
	Name         string    `json:"name"`
	Role         Role      `json:"role"`
	Area         string    `json:"area,omitempty"`
	PasswordHash string    `json:"password_hash"` // bcrypt; never the password
	Disabled     bool      `json:"disabled"`
	Service      bool      `json:"service,omitempty"`      // a service account: API tokens only
	TokenHashes  []string  `json:"token_hashes,omitempty"` // SHA-256 of API tokens
	Version      int       `json:"version"`
	UpdatedAt    time.Time `json:"updated_at"`
	UpdatedBy    string    `json:"updated_by"`
}

// Users keeps the accounts.
type Users interface {
	// User returns the latest version of the account, or ErrNotFound.
	User(ctx context.Context, login string) (User, error)
	// Users lists the latest version of every account, by login.
	Users(ctx context.Context) ([]User, error)
	// SaveUser stores u as the next version of its account. u.Version must
	// be the version it was read at (0 for a new account); a concurrent
	// change makes it fail with ErrConflict.
	SaveUser(ctx context.Context, u User) (User, error)
}

// Activity is one line of the activity log: who did what, when, from where.
type Activity struct {
	At     time.Time `json:"at"`
	User   string    `json:"user"`
	Role   Role      `json:"role,omitempty"`
	Action string    `json:"action"` // e.g. emitir, acuse, cancelar, descargar, exportar, login
	Object string    `json:"object,omitempty"`
	Remote string    `json:"remote,omitempty"`
	Detail string    `json:"detail,omitempty"`
}

// ActivityLog is the append-only activity log.
type ActivityLog interface {
	Log(ctx context.Context, a Activity) error
	// Activities calls fn for each activity between from and to (zero:
	// unbounded), oldest first.
	Activities(ctx context.Context, from, to time.Time, fn func(Activity) error) error
}
