package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/sesver/legajo"
)

// Sessions are revoked through the account, the only state the nodes of a
// deployment share: each login adds the session (the hash of its secret)
// to the account's next version and each logout or revocation removes it;
// a cookie is accepted only while its session is listed in the account's
// latest version. Every request reads the account anyway (for its role and
// whether it is disabled), so checking the session costs nothing more: a
// logout is seen at once by the node that made it and within accountTTL by
// the others. A password change keeps only the session that made it.
const (
	sessionCookie = "legajo_sesion"
	sessionTTL    = 10 * time.Hour // a working day
)

// cookie is what the signed session cookie carries.
type cookie struct {
	Login   string `json:"l"`
	Secret  string `json:"s"`
	Issued  int64  `json:"i"` // Unix milliseconds, by this machine's clock
	Expires int64  `json:"e"`
}

// clockSkew is how far apart the clocks of a deployment's nodes may be.
const clockSkew = 2 * time.Second

func (s *Server) sign(b []byte) string {
	m := hmac.New(sha256.New, s.SessionKey)
	m.Write(b)
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s *Server) setCookie(w http.ResponseWriter, c cookie) {
	b, _ := json.Marshal(c)
	v := base64.RawURLEncoding.EncodeToString(b) + "." + s.sign(b)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: v, Path: "/", HttpOnly: true, Secure: s.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(sessionTTL.Seconds())})
}

func (s *Server) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, Secure: s.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: -1})
}

// readCookie returns the request's session cookie when it is one this
// deployment signed and it has not expired.
func (s *Server) readCookie(r *http.Request) (cookie, bool) {
	var c cookie
	hc, err := r.Cookie(sessionCookie)
	if err != nil {
		return c, false
	}
	payload, sig, ok := strings.Cut(hc.Value, ".")
	if !ok {
		return c, false
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil || subtle.ConstantTimeCompare([]byte(s.sign(b)), []byte(sig)) != 1 {
		return c, false
	}
	if json.Unmarshal(b, &c) != nil || c.Secret == "" || s.now().Unix() > c.Expires {
		return c, false
	}
	return c, true
}

// sessionID names a session by its secret: the start of the secret's
// hash, which the account keeps whole.
func sessionID(secret string) (id, hash string) {
	h := TokenHash(secret)
	return h[:16], h
}

// userBySession returns the account of the request's session cookie and
// the session's id, while the account lists it as open.
func (s *Server) userBySession(r *http.Request) (legajo.User, string, error) {
	c, ok := s.readCookie(r)
	if !ok {
		return legajo.User{}, "", errUnauthenticated
	}
	u, err := s.account(r.Context(), c.Login)
	if err != nil {
		if errors.Is(err, legajo.ErrNotFound) {
			return legajo.User{}, "", errUnauthenticated
		}
		return legajo.User{}, "", err
	}
	if u.Disabled || u.Service {
		return legajo.User{}, "", errUnauthenticated
	}
	id, hash := sessionID(c.Secret)
	if !hasSession(u, id, hash, s.now()) {
		// A session opened on another node after this one cached the
		// account: read it again, once per cookie until it is cached.
		issued := time.UnixMilli(c.Issued).Add(clockSkew)
		if time.Since(issued) > accountTTL {
			return legajo.User{}, "", errUnauthenticated
		}
		if u, err = s.accountSince(r.Context(), c.Login, issued); err != nil {
			return legajo.User{}, "", err
		}
		if u.Disabled || u.Service || !hasSession(u, id, hash, s.now()) {
			return legajo.User{}, "", errUnauthenticated
		}
	}
	return u, id, nil
}

func hasSession(u legajo.User, id, hash string, now time.Time) bool {
	for _, sess := range u.Sessions {
		if sess.ID == id && subtle.ConstantTimeCompare([]byte(sess.Hash), []byte(hash)) == 1 && now.Before(sess.Expires) {
			return true
		}
	}
	return false
}

// openSession adds a new session to login's account and sets its cookie.
// Expired sessions are dropped, and the oldest beyond MaxSessions.
func (s *Server) openSession(w http.ResponseWriter, r *http.Request, login string) (legajo.User, string, error) {
	secret := newKey() + newKey()
	id, hash := sessionID(secret)
	now := s.now().UTC()
	u, err := s.changeUser(r.Context(), login, login, func(u *legajo.User) error {
		u.Sessions = append(u.OpenSessions(now), legajo.Session{ID: id, Hash: hash, Created: now,
			Expires: now.Add(sessionTTL), Remote: remote(r), Agent: truncate(r.UserAgent(), 200)})
		if n := len(u.Sessions) - legajo.MaxSessions; n > 0 {
			u.Sessions = u.Sessions[n:]
		}
		return nil
	})
	if err != nil {
		return u, "", err
	}
	s.setCookie(w, cookie{Login: login, Secret: secret, Issued: time.Now().UnixMilli(), Expires: now.Add(sessionTTL).Unix()})
	return u, id, nil
}

// closeSession ends one session of login's account; ending one already
// ended is not an error.
func (s *Server) closeSession(ctx context.Context, login, id, by string) error {
	_, err := s.changeUser(ctx, login, by, func(u *legajo.User) error {
		if !u.RevokeSession(id) {
			return errUnchanged
		}
		return nil
	})
	if errors.Is(err, errUnchanged) {
		return nil
	}
	return err
}

// errUnchanged tells changeUser there is nothing to save.
var errUnchanged = errors.New("unchanged")

// changeUser applies change to the latest version of login's account and
// saves it as by, reading the account again and again applying change
// when another node saved a version in between (a login elsewhere): of
// concurrent changes one wins each round, the others retry after a short
// random pause.
func (s *Server) changeUser(ctx context.Context, login, by string, change func(*legajo.User) error) (legajo.User, error) {
	const tries = 10
	for try := 0; ; try++ {
		if try > 0 {
			select {
			case <-ctx.Done():
				return legajo.User{}, ctx.Err()
			case <-time.After(time.Duration(rand.Int64N(int64(10*time.Millisecond) * int64(try)))):
			}
		}
		u, err := s.Users.User(ctx, login)
		if err != nil {
			return u, err
		}
		if err := change(&u); err != nil {
			return u, err
		}
		u.UpdatedAt, u.UpdatedBy = s.now().UTC(), by
		saved, err := s.storeUser(ctx, u)
		if err == nil || !errors.Is(err, legajo.ErrConflict) || try == tries-1 {
			return saved, err
		}
	}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}

// agentLabel names a browser for people from its User-Agent.
func agentLabel(ua string) string {
	browser := ""
	for _, b := range []struct{ mark, name string }{{"Edg/", "Edge"}, {"Firefox/", "Firefox"}, {"Chrome/", "Chrome"},
		{"Chromium/", "Chromium"}, {"Safari/", "Safari"}, {"curl/", "curl"}} {
		if strings.Contains(ua, b.mark) {
			browser = b.name
			break
		}
	}
	system := ""
	for _, o := range []struct{ mark, name string }{{"Android", "Android"}, {"iPhone", "iPhone"}, {"Windows", "Windows"},
		{"Mac OS", "macOS"}, {"Linux", "Linux"}} {
		if strings.Contains(ua, o.mark) {
			system = o.name
			break
		}
	}
	switch {
	case browser != "" && system != "":
		return browser + " en " + system
	case browser != "":
		return browser
	case system != "":
		return system
	case ua == "":
		return "Desconocido"
	}
	return truncate(ua, 40)
}
