package web

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// Login throttling slows a password guesser without letting anyone lock a
// person out. Failures are counted per login and address, and per address
// whatever the login: after 5 failures for one login from one address, or
// 20 from one address, each further attempt from there waits, doubling
// from 30 s up to 15 min; the address is not even asked for a password
// meanwhile. A login is never blocked as such, so the real person logs in
// from their own address whatever happens elsewhere. IPv6 addresses count
// by /64, what one machine usually holds. Counts are forgotten an hour
// after their last failure; a success clears only its login and address,
// so an attacker cannot reset their address's count with an account of
// their own. Each node counts its own: N nodes allow N times the attempts.
const (
	failuresPerLogin   = 5
	failuresPerAddress = 20
	firstWait          = 30 * time.Second
	longestWait        = 15 * time.Minute
	failureMemory      = time.Hour
	throttleEntries    = 100_000 // beyond, the oldest counts go
)

var errTooMany = errors.New("too many attempts")

type throttle struct {
	mu    sync.Mutex
	fails map[string]*failures
}

type failures struct {
	n     int
	last  time.Time
	until time.Time
}

func newThrottle() *throttle { return &throttle{fails: map[string]*failures{}} }

// throttleKeys are the counts a login attempt from r adds to.
func throttleKeys(r *http.Request, login string) []string {
	addr := clientAddress(r)
	return []string{"login:" + strings.ToLower(login) + "|" + addr, "addr:" + addr}
}

// clientAddress is the address a request came from, IPv6 by its /64.
func clientAddress(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	a, err := netip.ParseAddr(host)
	if err != nil {
		return host
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

func (t *throttle) check(keys []string, now time.Time) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, k := range keys {
		if f := t.fails[k]; f != nil && now.Before(f.until) {
			return fmt.Errorf("%w: Demasiados intentos fallidos desde su equipo. Espere %s antes de volver a intentar.",
				errTooMany, waitText(f.until.Sub(now)))
		}
	}
	return nil
}

// waitText says a wait in Spanish: «45 segundos», «3 minutos».
func waitText(d time.Duration) string {
	if d < time.Minute {
		s := int((d + time.Second - 1) / time.Second)
		if s <= 1 {
			return "1 segundo"
		}
		return fmt.Sprintf("%d segundos", s)
	}
	m := int((d + time.Minute - 1) / time.Minute)
	if m == 1 {
		return "1 minuto"
	}
	return fmt.Sprintf("%d minutos", m)
}

func (t *throttle) fail(keys []string, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.fails) >= throttleEntries {
		t.forget(now)
	}
	for _, k := range keys {
		f := t.fails[k]
		if f == nil || now.Sub(f.last) > failureMemory {
			f = &failures{}
			t.fails[k] = f
		}
		f.n++
		f.last = now
		limit := failuresPerLogin
		if strings.HasPrefix(k, "addr:") {
			limit = failuresPerAddress
		}
		if f.n >= limit {
			f.until = now.Add(min(firstWait<<min(f.n-limit, 5), longestWait))
		}
	}
}

// forget drops the counts that no longer matter, and if a spray of
// addresses still fills the table, every count not making anyone wait.
func (t *throttle) forget(now time.Time) {
	for k, f := range t.fails {
		if now.Sub(f.last) > failureMemory {
			delete(t.fails, k)
		}
	}
	if len(t.fails) >= throttleEntries {
		for k, f := range t.fails {
			if !now.Before(f.until) {
				delete(t.fails, k)
			}
		}
	}
}

// succeed clears the count of the login at its address; the address's own
// count stays.
func (t *throttle) succeed(keys []string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.fails, keys[0])
}
