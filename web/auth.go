package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/sesver/legajo"
)

const (
	sessionCookie = "legajo_sesion"
	sessionTTL    = 10 * time.Hour // a working day
)

// session is what the signed cookie carries. Version ties it to the
// account's version: changing a password, a role or disabling the account
// ends every session opened before.
type session struct {
	Login   string `json:"l"`
	Version int    `json:"v"`
	Expires int64  `json:"e"`
}

func (s *Server) sign(b []byte) string {
	m := hmac.New(sha256.New, s.SessionKey)
	m.Write(b)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s *Server) setSession(w http.ResponseWriter, u legajo.User) {
	b, _ := json.Marshal(session{Login: u.Login, Version: u.Version, Expires: s.now().Add(sessionTTL).Unix()})
	v := base64.RawURLEncoding.EncodeToString(b) + "." + s.sign(b)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: v, Path: "/", HttpOnly: true, Secure: s.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(sessionTTL.Seconds())})
}

func (s *Server) clearSession(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: s.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// authenticate returns the request's user from its session cookie or its
// bearer token, or errUnauthenticated.
func (s *Server) authenticate(r *http.Request) (legajo.User, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		token, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || token == "" {
			return legajo.User{}, errUnauthenticated
		}
		return s.userByToken(r.Context(), token)
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return legajo.User{}, errUnauthenticated
	}
	payload, sig, ok := strings.Cut(c.Value, ".")
	if !ok {
		return legajo.User{}, errUnauthenticated
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil || subtle.ConstantTimeCompare([]byte(s.sign(b)), []byte(sig)) != 1 {
		return legajo.User{}, errUnauthenticated
	}
	var sess session
	if json.Unmarshal(b, &sess) != nil || s.now().Unix() > sess.Expires {
		return legajo.User{}, errUnauthenticated
	}
	u, err := s.account(r.Context(), sess.Login)
	if err != nil {
		if errors.Is(err, legajo.ErrNotFound) {
			return legajo.User{}, errUnauthenticated
		}
		return legajo.User{}, err
	}
	if u.Disabled || u.Version != sess.Version || u.Service {
		return legajo.User{}, errUnauthenticated
	}
	return u, nil
}

// accountTTL is how long an account read to authenticate a request is
// reused. Every request is authenticated, and reading an account is a
// listing and a read on the store: two round trips to S3. A change saved
// through this server applies at once; one made by another process (legajo
// user disable) within accountTTL.
const accountTTL = 2 * time.Second

type accountCache struct {
	mu sync.Mutex
	m  map[string]cachedAccount
}

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
	if ok && time.Since(a.at) < accountTTL {
		return a.u, nil
	}
	u, err := s.Users.User(ctx, login)
	if err != nil {
		return u, err
	}
	c.mu.Lock()
	c.m[login] = cachedAccount{u: u, at: time.Now()}
	c.mu.Unlock()
	return u, nil
}

// storeUser saves an account and forgets what was read of it.
func (s *Server) storeUser(ctx context.Context, u legajo.User) (legajo.User, error) {
	saved, err := s.Users.SaveUser(ctx, u)
	s.accounts.mu.Lock()
	delete(s.accounts.m, u.Login)
	s.accounts.mu.Unlock()
	return saved, err
}

// Tokens are "<login>.<secret>"; the account keeps only their SHA-256.
func (s *Server) userByToken(ctx context.Context, token string) (legajo.User, error) {
	login, _, ok := strings.Cut(token, ".")
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
	sum := sha256.Sum256([]byte(token))
	want := hex.EncodeToString(sum[:])
	for _, h := range u.TokenHashes {
		if subtle.ConstantTimeCompare([]byte(h), []byte(want)) == 1 {
			return u, nil
		}
	}
	return legajo.User{}, errUnauthenticated
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

// Login throttling: after 5 failures for one login or 20 from one address,
// further attempts wait, doubling from 30 s up to 15 min.
var errTooMany = errors.New("too many attempts")

type throttle struct {
	mu    sync.Mutex
	fails map[string]*failures
}

type failures struct {
	n     int
	until time.Time
}

func newThrottle() *throttle { return &throttle{fails: map[string]*failures{}} }

func throttleKeys(r *http.Request, login string) []string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return []string{"login:" + strings.ToLower(login), "addr:" + host}
}

func (t *throttle) check(keys []string, now time.Time) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range keys {
		if f := t.fails[k]; f != nil && now.Before(f.until) {
			return fmt.Errorf("%w: Demasiados intentos fallidos. Espere %d segundos antes de volver a intentar.",
				errTooMany, int(f.until.Sub(now).Seconds())+1)
		}
	}
	return nil
}

func (t *throttle) fail(keys []string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range keys {
		f := t.fails[k]
		if f == nil {
			f = &failures{}
			t.fails[k] = f
		}
		f.n++
		limit := 5
		if strings.HasPrefix(k, "addr:") {
			limit = 20
		}
		if f.n >= limit {
			wait := 30 * time.Second << min(f.n-limit, 5)
			f.until = now.Add(min(wait, 15*time.Minute))
		}
	}
	if len(t.fails) > 100000 { // bounded memory under a spray of logins
		t.fails = map[string]*failures{}
	}
}

func (t *throttle) succeed(keys []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range keys {
		delete(t.fails, k)
	}
}

// What each role may do. Every route names its permission; the check is
// on the server for every page and API call.
type permission int

const (
	permRead  permission = iota // search, read, download
	permIssue                   // issue, receive, upload acuses, attach, cancel own
	permAudit                   // trails, exports, verification, activity log
	permAdmin                   // users, configuration
)

var allowed = map[legajo.Role][]permission{
	legajo.RoleCapturista: {permRead, permIssue},
	legajo.RoleConsulta:   {permRead},
	legajo.RoleAuditor:    {permRead, permAudit},
	legajo.RoleAdmin:      {permRead, permIssue, permAudit, permAdmin},
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

func withUser(ctx context.Context, u legajo.User) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// currentUser is the authenticated user of a request that passed guard.
func currentUser(r *http.Request) legajo.User {
	u, _ := r.Context().Value(userKey{}).(legajo.User)
	return u
}

// handler is an HTTP handler that returns its error.
type handler func(w http.ResponseWriter, r *http.Request) error

// guard authenticates and authorises, then runs h; errors become pages
// (or JSON under /api/).
func (s *Server) guard(p permission, h handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := s.authenticate(r)
		if err == nil && !p.grantedTo(u.Role) {
			err = errForbidden
		}
		if err == nil {
			r = r.WithContext(withUser(r.Context(), u))
			err = h(w, r)
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
	u := currentUser(r)
	a := legajo.Activity{At: s.now().UTC(), User: u.Login, Role: u.Role, Action: action, Object: object,
		Remote: remote(r), Detail: detail}
	// Not cancelled with the request: a person who leaves the page does not
	// take the record of what they did with them.
	if err := s.Activity.Log(context.WithoutCancel(r.Context()), a); err != nil {
		s.Logger.Error("activity log", "err", err, "action", action, "user", u.Login)
	}
}
