package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestThrottleWaits: the waits after the free failures double from 30 s
// up to 15 min, and an hour without failures starts the count again.
func TestThrottleWaits(t *testing.T) {
	tr := newThrottle()
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	keys := []string{"login:ana|10.0.0.1", "addr:10.0.0.1"}
	for _, tc := range []struct {
		failures int
		wait     time.Duration
	}{{1, 0}, {4, 0}, {5, 30 * time.Second}, {6, time.Minute}, {7, 2 * time.Minute}, {9, 8 * time.Minute}, {10, 15 * time.Minute}, {14, 15 * time.Minute}} {
		tr := newThrottle()
		for range tc.failures {
			tr.fail(keys[:1], now)
		}
		if err := tr.check(keys, now.Add(tc.wait-time.Second)); (err != nil) != (tc.wait > 0) {
			t.Errorf("%d failures, a second before %v: %v", tc.failures, tc.wait, err)
		}
		if err := tr.check(keys, now.Add(tc.wait)); err != nil {
			t.Errorf("%d failures, after %v: %v", tc.failures, tc.wait, err)
		}
	}
	for range 5 {
		tr.fail(keys, now)
	}
	later := now.Add(time.Hour + time.Minute)
	tr.fail(keys, later)
	if err := tr.check(keys, later); err != nil {
		t.Errorf("an hour after the last failures, one more: %v", err)
	}
}

// TestThrottleAddresses: a guesser slows down from their own address; the
// person whose login they guess logs in from theirs. Many logins from one
// address are limited too, and logging in to one's own account does not
// reset that.
func TestThrottleAddresses(t *testing.T) {
	e := newEnv(t)
	h, err := e.srv.Handler()
	if err != nil {
		t.Fatal(err)
	}
	try := func(addr, login, pw string) int {
		req := httptest.NewRequest("POST", "/entrar", strings.NewReader(url.Values{"usuario": {login}, "contrasena": {pw}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = addr
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Code
	}
	const ok, wrong, wait = http.StatusSeeOther, http.StatusUnauthorized, http.StatusTooManyRequests
	for _, tc := range []struct {
		name  string
		addr  string
		login string
		pw    string
		want  int
	}{
		{"guess 1", "10.0.0.1:4000", "consulta", "x1", wrong},
		{"guess 2", "10.0.0.1:4001", "consulta", "x2", wrong},
		{"guess 3", "10.0.0.1:4002", "consulta", "x3", wrong},
		{"guess 4", "10.0.0.1:4003", "consulta", "x4", wrong},
		{"guess 5", "10.0.0.1:4004", "consulta", "x5", wrong},
		{"guess 6 waits", "10.0.0.1:4005", "consulta", "x6", wait},
		{"the right password from the guesser's address waits too", "10.0.0.1:4006", "consulta", testPassword, wait},
		{"the real person from their address", "10.0.0.2:5000", "consulta", testPassword, ok},
		{"another login from the guesser's address", "10.0.0.1:4007", "auditor", testPassword, ok},
		{"IPv6 guess 1", "[2001:db8::1]:1", "admin", "x1", wrong},
		{"IPv6 guess 2", "[2001:db8::2]:1", "admin", "x2", wrong},
		{"IPv6 guess 3", "[2001:db8::3]:1", "admin", "x3", wrong},
		{"IPv6 guess 4", "[2001:db8::4]:1", "admin", "x4", wrong},
		{"IPv6 guess 5", "[2001:db8::5]:1", "admin", "x5", wrong},
		{"same /64 waits", "[2001:db8::6]:1", "admin", testPassword, wait},
		{"another /64", "[2001:db8:0:1::1]:1", "admin", testPassword, ok},
	} {
		if code := try(tc.addr, tc.login, tc.pw); code != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, code, tc.want)
		}
	}
	// A spray of logins from one address: 19 failures, a login of one's
	// own (which does not reset the address), the 20th failure, then the
	// address waits whatever the login; another address does not.
	for i := range 19 {
		if code := try("10.0.0.9:1", "nadie"+string(rune('a'+i)), "x"); code != wrong {
			t.Fatalf("spray %d: %d", i, code)
		}
	}
	if code := try("10.0.0.9:1", "capturista", testPassword); code != ok {
		t.Errorf("own login amid the spray: %d", code)
	}
	try("10.0.0.9:1", "nadie-mas", "x")
	if code := try("10.0.0.9:1", "capturista2", testPassword); code != wait {
		t.Errorf("after 20 failures from one address: %d, want 429", code)
	}
	if code := try("10.0.0.10:1", "capturista2", testPassword); code != ok {
		t.Errorf("another address: %d", code)
	}
}

func TestWaitText(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{300 * time.Millisecond, "1 segundo"}, {30 * time.Second, "30 segundos"}, {29500 * time.Millisecond, "30 segundos"},
		{time.Minute, "1 minuto"}, {61 * time.Second, "2 minutos"}, {15 * time.Minute, "15 minutos"},
	} {
		if got := waitText(tc.d); got != tc.want {
			t.Errorf("waitText(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}
