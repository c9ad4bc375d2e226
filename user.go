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
	Login string `json:"login"`
	Name  string `json:"name"`
	Role  Role   `json:"role"`
	Area  string `json:"area,omitempty"`
	// Email is where Legajo's messages go (see Notifier); MailOptOut
	// lists the optional kinds (MailKind) the person turned off.
	Email        string   `json:"email,omitempty"`
	MailOptOut   []string `json:"mail_opt_out,omitempty"`
	PasswordHash string   `json:"password_hash"` // bcrypt; never the password
	Disabled     bool     `json:"disabled"`
	Service      bool     `json:"service,omitempty"` // a service account: API tokens only
	// MustChangePassword is set when someone else chose the password (the
	// first administrator's, one an administrator typed): its owner must
	// change it before doing anything else.
	MustChangePassword bool `json:"must_change_password,omitempty"`
	// Granted lists the restricted expedientes (reservada, confidencial)
	// an administrator lets this user read in full.
	Granted []string `json:"granted,omitempty"`
	// Sessions are the open browser sessions: a session is valid only while
	// it is listed in the account's latest version, so every node of a
	// deployment sees a logout or a revocation when it next reads the
	// account.
	Sessions []Session `json:"sessions,omitempty"`
	// Tokens are the API tokens; the account keeps only their hashes.
	Tokens    []Token   `json:"tokens,omitempty"`
	Version   int       `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
	UpdatedBy string    `json:"updated_by"`
}

// Session is an open browser session of an account.
type Session struct {
	ID      string    `json:"id"`   // public: names the session to revoke it
	Hash    string    `json:"hash"` // SHA-256 of the secret the cookie carries
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
	Remote  string    `json:"remote,omitempty"`
	Agent   string    `json:"agent,omitempty"` // the browser, as it names itself
}

// Token is an API token of an account.
type Token struct {
	ID        string    `json:"id"`   // public: names the token to revoke it
	Hash      string    `json:"hash"` // SHA-256 of the token
	Label     string    `json:"label,omitempty"`
	Created   time.Time `json:"created"`
	CreatedBy string    `json:"created_by,omitempty"`
}

// MaxSessions bounds the sessions an account keeps open: the oldest is
// closed when a new one would exceed it.
const MaxSessions = 20

// OpenSessions returns the sessions not expired at now.
func (u User) OpenSessions(now time.Time) []Session {
	var out []Session
	for _, s := range u.Sessions {
		if now.Before(s.Expires) {
			out = append(out, s)
		}
	}
	return out
}

// SetPassword gives the account a new password hash. Every API token and
// every session but keep (the one changing its own password; "" for none)
// ends with the old password. mustChange marks a password chosen by
// someone else, to be changed by its owner at the next login.
func (u *User) SetPassword(hash string, mustChange bool, keep string) {
	u.PasswordHash = hash
	u.MustChangePassword = mustChange
	u.Tokens = nil
	var kept []Session
	for _, s := range u.Sessions {
		if keep != "" && s.ID == keep {
			kept = append(kept, s)
		}
	}
	u.Sessions = kept
}

// RevokeSession ends one session; it reports whether it was open.
func (u *User) RevokeSession(id string) bool {
	for i, s := range u.Sessions {
		if s.ID == id {
			u.Sessions = append(u.Sessions[:i:i], u.Sessions[i+1:]...)
			return true
		}
	}
	return false
}

// RevokeToken ends one API token; it reports whether it existed.
func (u *User) RevokeToken(id string) bool {
	for i, t := range u.Tokens {
		if t.ID == id {
			u.Tokens = append(u.Tokens[:i:i], u.Tokens[i+1:]...)
			return true
		}
	}
	return false
}

// ReadsAll tells whether u reads every document of a restricted
// expediente, whoever issued it: auditors, administrators, and whoever an
// administrator granted that expediente.
func (u User) ReadsAll(e Expediente) bool {
	if !e.Restricted() || u.Role == RoleAuditor || u.Role == RoleAdmin {
		return true
	}
	for _, g := range u.Granted {
		if g == e.ID {
			return true
		}
	}
	return false
}

// Reads tells whether u may see the content of a document of expediente e
// issued (or registered) by author.
func (u User) Reads(e Expediente, author string) bool {
	return u.ReadsAll(e) || (author != "" && author == u.Login)
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
	// LogAll appends several activities at once (one write, where the
	// store allows).
	LogAll(ctx context.Context, acts []Activity) error
	// Activities calls fn for each activity between from and to (zero:
	// unbounded), oldest first.
	Activities(ctx context.Context, from, to time.Time, fn func(Activity) error) error
}
