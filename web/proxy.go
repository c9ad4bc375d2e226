package web

import (
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/sesver/legajo"
)

// Behind a reverse proxy every request comes from the proxy's address, so
// the login throttle, the activity log and the request log would all see
// one person. A proxy named in TrustedProxies is believed about the client
// it forwards: the client is the rightmost address of X-Forwarded-For that
// is not itself a trusted proxy (each proxy appends the address it saw, so
// what is left of that was written by the client and proves nothing). A
// request from any other address keeps its own address, whatever headers it
// sends.

// ParseTrustedProxies reads a list of addresses or prefixes (CIDR),
// separated by commas or spaces, as LEGAJO_TRUSTED_PROXIES gives them.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, legajo.Errorf(legajo.ErrInvalid, "LEGAJO_TRUSTED_PROXIES: «%s» no es una dirección IP ni un prefijo como 10.0.0.0/8.", f)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// fromProxy gives a request forwarded by a trusted proxy the address of the
// client the proxy saw.
func (s *Server) fromProxy(h http.Handler) http.Handler {
	if len(s.TrustedProxies) == 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if client, ok := s.forwardedClient(r); ok {
			r2 := *r
			r2.RemoteAddr = net.JoinHostPort(client.String(), "0")
			r = &r2
		}
		h.ServeHTTP(w, r)
	})
}

func (s *Server) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func (s *Server) forwardedClient(r *http.Request) (netip.Addr, bool) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !s.trusted(peer) {
		return netip.Addr{}, false
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return netip.Addr{}, false // a hop the proxies did not write: believe none
		}
		if !s.trusted(a) {
			return a.Unmap(), true
		}
	}
	return netip.Addr{}, false
}
