package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestForwardedClient(t *testing.T) {
	proxies, err := ParseTrustedProxies("127.0.0.1, 10.1.0.0/16 ::1")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{TrustedProxies: proxies}
	for _, tc := range []struct {
		peer, xff string
		want      string // "" keeps the peer
	}{
		{"127.0.0.1:5000", "200.1.2.3", "200.1.2.3"},
		{"[::1]:5000", "200.1.2.3", "200.1.2.3"},
		{"127.0.0.1:5000", "9.9.9.9, 200.1.2.3", "200.1.2.3"},      // what the client wrote is left of its address
		{"127.0.0.1:5000", "200.1.2.3, 10.1.4.5", "200.1.2.3"},     // through two trusted proxies
		{"127.0.0.1:5000", "", ""},                                 // the proxy itself
		{"127.0.0.1:5000", "10.1.4.5", ""},                         // only proxies
		{"127.0.0.1:5000", "not-an-address", ""},                   // nothing the proxies wrote
		{"192.168.9.9:5000", "200.1.2.3", ""},                      // an untrusted peer names nobody
		{"10.2.0.1:5000", "200.1.2.3", ""},                         // outside the prefix
		{"127.0.0.1:5000", "::ffff:200.1.2.3", "200.1.2.3"},        // a mapped IPv4 address
		{"127.0.0.1:5000", "2001:db8::7, 10.1.0.9", "2001:db8::7"}, // IPv6 client
		{"127.0.0.1:5000", " 200.1.2.3 ,  10.1.0.9 ", "200.1.2.3"}, // spaces
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.peer
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		got, ok := s.forwardedClient(r)
		if (tc.want == "") == ok || (ok && got.String() != tc.want) {
			t.Errorf("peer %s, X-Forwarded-For %q: %v %v, want %q", tc.peer, tc.xff, got, ok, tc.want)
		}
	}
	for _, bad := range []string{"proxy.local", "10.0.0.0/33", "127.0.0.1;10.0.0.1"} {
		_, err := ParseTrustedProxies(bad)
		if err == nil || !strings.Contains(err.Error(), "LEGAJO_TRUSTED_PROXIES") {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if p, err := ParseTrustedProxies(""); err != nil || len(p) != 0 {
		t.Errorf("empty: %v %v", p, err)
	}
}

// Behind a trusted proxy, a guesser slows down by their own address and
// the person they guess logs in through the same proxy; a request that
// does not come from the proxy cannot name another client.
func TestThrottleBehindProxy(t *testing.T) {
	e := newEnv(t)
	proxies, err := ParseTrustedProxies("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	e.srv.TrustedProxies = proxies
	h, err := e.srv.Handler()
	if err != nil {
		t.Fatal(err)
	}
	try := func(peer, xff, login, pw string) int {
		req := httptest.NewRequest("POST", "/entrar", strings.NewReader(url.Values{"usuario": {login}, "contrasena": {pw}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = peer
		req.Header.Set("X-Forwarded-For", xff)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Code
	}
	const ok, wrong, wait = http.StatusSeeOther, http.StatusUnauthorized, http.StatusTooManyRequests
	for i := range 5 {
		if code := try("127.0.0.1:4000", "200.0.0.1", "consulta", "x"+string(rune('a'+i))); code != wrong {
			t.Fatalf("guess %d: %d", i+1, code)
		}
	}
	if code := try("127.0.0.1:4000", "200.0.0.1", "consulta", testPassword); code != wait {
		t.Errorf("the guesser, through the proxy, after 5 guesses: %d, want %d", code, wait)
	}
	if code := try("127.0.0.1:4001", "200.0.0.2", "consulta", testPassword); code != ok {
		t.Errorf("the person, through the same proxy from their own address: %d, want %d", code, ok)
	}
	// Straight to the server, not through the proxy: the header names
	// nobody, and these guesses count against the sender's own address.
	for i := range 5 {
		try("192.0.2.7:1", "200.0.0.3", "auditor", "y"+string(rune('a'+i)))
	}
	if code := try("127.0.0.1:4002", "200.0.0.3", "auditor", testPassword); code != ok {
		t.Errorf("the address a direct request named was throttled: %d", code)
	}
	if code := try("192.0.2.7:1", "200.0.0.4", "auditor", testPassword); code != wait {
		t.Errorf("the direct sender, naming another client: %d, want %d", code, wait)
	}
}
