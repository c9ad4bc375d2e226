package web

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/sesver/legajo"
)

// authenticate returns the request's user from its session cookie or its
// bearer token, with the id of the session (none for a token), or
// errUnauthenticated.
func (s *Server) authenticate(r *http.Request) (legajo.User, string, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || token == "" {
			return legajo.User{}, "", errUnauthenticated
		}
		u, err := s.userByToken(r.Context(), token)
		return u, "", err
	}
	return s.userBySession(r)
}

// accountTTL is how long an account read to authenticate a request is
// reused. Every request is authenticated, and reading an account is a
// listing (and a read when it changed) on the store. A change saved through
// this server applies at once; one made by another node or process (a
// logout, a revoked session or token, legajo user disable) within
// accountTTL.
const accountTTL = 2 * time.Second

type accountCache struct {
	mu         sync.Mutex
	m          map[string]cachedAccount
	rechecked  map[string]time.Time // by login: when an unknown token made it read again
	refreshing map[string]bool      // by login: a read ahead of expiry is under way
	absent     map[string]time.Time // by login: when it was found to have no account (names only)
}

// maxAbsent bounds the logins remembered as having no account: past it,
// those expired and then any are forgotten down to half, so that logins
// named at random cannot grow it.
const maxAbsent = 4096

type cachedAccount struct {
	u  legajo.User
	at time.Time
}

// account returns the account of login for authenticating a request.
func (s *Server) account(ctx context.Context, login string) (legajo.User, error) {
	c := s.accounts
	c.mu.Lock()
	a, ok := c.m[login]
	c.mu.Unlock()
	if age := time.Since(a.at); ok && age < accountTTL {
		if age >= accountTTL/2 {
			s.refreshAccount(login)
		}
		return a.u, nil
	}
	u, err := s.Users.User(ctx, login)
	if err != nil {
		return u, err
	}
	c.remember(u)
	return u, nil
}

// refreshAccount reads login's account again in the background, once at a
// time, so that someone who keeps working (staff searching every second)
// finds it fresh instead of waiting for the store when it expires: on S3
// that read is a round trip, and a slow one holds the request. What a
// request is given is never older than accountTTL, as before.
func (s *Server) refreshAccount(login string) {
	c := s.accounts
	c.mu.Lock()
	if c.refreshing[login] {
		c.mu.Unlock()
		return
	}
	if c.refreshing == nil {
		c.refreshing = map[string]bool{}
	}
	c.refreshing[login] = true
	c.mu.Unlock()
	go func() {
		defer func() {
			c.mu.Lock()
			delete(c.refreshing, login)
			c.mu.Unlock()
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if u, err := s.Users.User(ctx, login); err == nil {
			c.remember(u)
		}
	}()
}

// recheckEvery bounds how often an account is read again because a token
// was not found in it: guessing tokens does not turn into store reads.
const recheckEvery = 250 * time.Millisecond

// recheck reads login's account again, at most once every recheckEvery;
// errUnauthenticated when it was read again too recently.
func (s *Server) recheck(ctx context.Context, login string) (legajo.User, error) {
	c := s.accounts
	c.mu.Lock()
	if c.rechecked == nil {
		c.rechecked = map[string]time.Time{}
	}
	if time.Since(c.rechecked[login]) < recheckEvery {
		c.mu.Unlock()
		return legajo.User{}, errUnauthenticated
	}
	c.rechecked[login] = time.Now()
	c.mu.Unlock()
	u, err := s.Users.User(ctx, login)
	if err != nil {
		return u, err
	}
	c.remember(u)
	return u, nil
}

// accountSince returns login's account as read at since or later: the
// cached one if it is that recent, a new read otherwise. A session or token
// made on another node a moment ago is found this way, without waiting for
// accountTTL.
func (s *Server) accountSince(ctx context.Context, login string, since time.Time) (legajo.User, error) {
	c := s.accounts
	c.mu.Lock()
	a, ok := c.m[login]
	c.mu.Unlock()
	if ok && !a.at.Before(since) {
		return a.u, nil
	}
	u, err := s.Users.User(ctx, login)
	if err != nil {
		return u, err
	}
	c.remember(u)
	return u, nil
}

// knownAbsent tells whether login was found to have no account less than
// accountTTL ago.
func (c *accountCache) knownAbsent(login string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	at, ok := c.absent[login]
	return ok && time.Since(at) < accountTTL
}

// rememberAbsent notes that login has no account.
func (c *accountCache) rememberAbsent(login string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.absent == nil {
		c.absent = map[string]time.Time{}
	}
	if len(c.absent) >= maxAbsent {
		cut := time.Now().Add(-accountTTL)
		for l, at := range c.absent {
			if at.Before(cut) || len(c.absent) > maxAbsent/2 {
				delete(c.absent, l)
			}
		}
	}
	c.absent[login] = time.Now()
}

// remember keeps u unless a later version is kept already: a read that
// began before this server saved a change (a logout) must not bring the
// account back as it was.
func (c *accountCache) remember(u legajo.User) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.absent, u.Login)
	if a, ok := c.m[u.Login]; !ok || a.u.Version <= u.Version {
		c.m[u.Login] = cachedAccount{u: u, at: time.Now()}
	}
}

// storeUser saves an account and keeps what was saved, so that the change
// applies at once on this server.
func (s *Server) storeUser(ctx context.Context, u legajo.User) (legajo.User, error) {
	saved, err := s.Users.SaveUser(ctx, u)
	if err != nil {
		s.accounts.mu.Lock()
		delete(s.accounts.m, u.Login)
		s.accounts.mu.Unlock()
		return saved, err
	}
	s.accounts.remember(saved)
	return saved, nil
}

// userByToken returns the account of an API token (see NewToken).
func (s *Server) userByToken(ctx context.Context, token string) (legajo.User, error) {
	login, ok := tokenLogin(token)
	if !ok {
		return legajo.User{}, errUnauthenticated
	}
	u, err := s.account(ctx, login)
	if err != nil && !errors.Is(err, legajo.ErrNotFound) {
		return legajo.User{}, err // the store failed: not a wrong token
	}
	if err != nil || u.Disabled {
		return legajo.User{}, errUnauthenticated
	}
	want := TokenHash(token)
	if hasToken(u, want) {
		return u, nil
	}
	// A token made a moment ago on another node is not in the account as
	// cached yet.
	if u, err = s.recheck(ctx, login); err == nil && !u.Disabled && hasToken(u, want) {
		return u, nil
	}
	return legajo.User{}, errUnauthenticated
}

func hasToken(u legajo.User, hash string) bool {
	for _, t := range u.Tokens {
		if subtle.ConstantTimeCompare([]byte(t.Hash), []byte(hash)) == 1 {
			return true
		}
	}
	return false
}

// TokenHash is what an account stores of an API token.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// HashPassword hashes a password for storage.
func HashPassword(pw string) (string, error) {
	if n := len([]rune(pw)); n < 10 || n > 72 {
		return "", legajo.Errorf(legajo.ErrInvalid, "La contraseña debe tener de 10 a 72 caracteres.")
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	return string(h), err
}

// checkPassword compares in constant time; an unknown user costs the same
// as a wrong password.
var dummyHash, _ = bcrypt.GenerateFromPassword([]byte("una contraseña cualquiera"), bcrypt.DefaultCost)

func checkPassword(hash, pw string) bool {
	if hash == "" {
		bcrypt.CompareHashAndPassword(dummyHash, []byte(pw))
		return false
	}
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(pw)) == nil
}

// What each role may do. Every route names its permission; the check is
// on the server for every page and API call.
type permission int

const (
	permRead    permission = iota // search, read, download
	permIssue                     // issue, receive, upload acuses, attach, cancel own
	permAudit                     // trails, exports, verification, activity log
	permAdmin                     // users, configuration
	permAccount                   // one's own account: password, sessions, tokens
)

var allowed = map[legajo.Role][]permission{
	legajo.RoleCapturista: {permRead, permIssue, permAccount},
	legajo.RoleConsulta:   {permRead, permAccount},
	legajo.RoleAuditor:    {permRead, permAudit, permAccount},
	legajo.RoleAdmin:      {permRead, permIssue, permAudit, permAdmin, permAccount},
}

func (p permission) grantedTo(r legajo.Role) bool {
	for _, x := range allowed[r] {
		if x == p {
			return true
		}
	}
	return false
}

type userKey struct{}

// caller is who made a request: the account and the session it came with
// ("" for an API token).
type caller struct {
	user    legajo.User
	session string
}

func withUser(ctx context.Context, u legajo.User, session string) context.Context {
	return context.WithValue(ctx, userKey{}, caller{u, session})
}

// currentUser is the authenticated user of a request that passed guard.
func currentUser(r *http.Request) legajo.User {
	c, _ := r.Context().Value(userKey{}).(caller)
	return c.user
}

// currentSession is the id of the session of a request that passed guard,
// "" when it came with an API token.
func currentSession(r *http.Request) string {
	c, _ := r.Context().Value(userKey{}).(caller)
	return c.session
}

// handler is an HTTP handler that returns its error.
type handler func(w http.ResponseWriter, r *http.Request) error

// guard authenticates and authorises, then runs the route's handler;
// errors become pages (or JSON under /api/). A session whose password was
// chosen by someone else reaches only the routes that change it.
func (s *Server) guard(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, session, err := s.authenticate(r)
		if err == nil && !rt.perm.grantedTo(u.Role) {
			err = errForbidden
		}
		if err == nil && u.MustChangePassword && session != "" && !rt.self {
			if !isAPI(r) {
				http.Redirect(w, r, "/cuenta", http.StatusSeeOther)
				return
			}
			err = errChangePassword
		}
		if err == nil {
			r = r.WithContext(withUser(r.Context(), u, session))
			err = rt.h(w, r)
		}
		if err != nil {
			s.fail(w, r, err)
		}
	})
}

// open runs a public handler.
func (s *Server) open(h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// fail answers an error: JSON for the API, a redirect to the login page
// for a browser without a session, an error page otherwise.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := status(err)
	msg := s.message(r, err)
	if isAPI(r) {
		writeJSONError(w, code, msg, err)
		return
	}
	if code == http.StatusUnauthorized {
		http.Redirect(w, r, "/entrar?siguiente="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	s.renderPage(w, r, code, "error", errorPage{Status: code, Message: msg})
}

func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// remote is where a request came from, for the activity log.
func remote(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// logActivity records an action in the activity log; a failure to log is
// itself logged, never hidden.
func (s *Server) logActivity(r *http.Request, action, object, detail string) {
	if s.activity == nil {
		return
	}
	u := currentUser(r)
	// Written behind the request (see activityWriter): a person who leaves
	// the page does not take the record of what they did with them.
	s.activity.add(legajo.Activity{At: s.now().UTC(), User: u.Login, Role: u.Role, Action: action, Object: object,
		Remote: remote(r), Detail: detail})
}
