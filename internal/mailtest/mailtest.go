// Package mailtest reaches the real SMTP server the e-mail tests use
// (mailpit, started by .ci/mail.sh) and reads what arrived through its
// HTTP API. Tests skip when it is not running, except in CI (CI=true),
// where they fail: the server must be there.
package mailtest

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"
)

// Server is the running mailpit.
type Server struct {
	Host string
	Port int
	API  string
	// TLS trusts the server's certificate, for STARTTLS.
	TLS *tls.Config
}

// Open returns the server named by LEGAJO_TEST_SMTP and
// LEGAJO_TEST_MAILPIT_API.
func Open(tb testing.TB) *Server {
	tb.Helper()
	addr, api := os.Getenv("LEGAJO_TEST_SMTP"), os.Getenv("LEGAJO_TEST_MAILPIT_API")
	if addr == "" || api == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("LEGAJO_TEST_SMTP or LEGAJO_TEST_MAILPIT_API is not set: CI must run the e-mail tests against a real SMTP server (source .ci/mail.sh; mail_start)")
		}
		tb.Skip("LEGAJO_TEST_SMTP is not set (source .ci/mail.sh; mail_start)")
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		tb.Fatalf("LEGAJO_TEST_SMTP=%q: want HOST:PORT", addr)
	}
	p, _ := strconv.Atoi(port)
	s := &Server{Host: host, Port: p, API: api}
	if ca := os.Getenv("LEGAJO_TEST_SMTP_CA"); ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			tb.Fatal(err)
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		s.TLS = &tls.Config{RootCAs: pool, ServerName: host, MinVersion: tls.VersionTLS12}
	}
	return s
}

// Summary is a message as the list shows it.
type Summary struct {
	ID          string
	From        Address
	To          []Address
	Subject     string
	Attachments int
}

// Address is a mailbox.
type Address struct{ Name, Address string }

// Message is a whole message.
type Message struct {
	ID          string
	From        Address
	To          []Address
	Subject     string
	Text        string
	Attachments []Part
}

// Part is an attachment.
type Part struct {
	PartID      string
	FileName    string
	ContentType string
	Size        int
}

// For waits up to 10 s for n messages to addr and returns them, newest
// first. Each test uses addresses of its own: the server is shared.
func (s *Server) For(tb testing.TB, addr string, n int) []Summary {
	tb.Helper()
	var out []Summary
	for start := time.Now(); time.Since(start) < 10*time.Second; time.Sleep(50 * time.Millisecond) {
		var res struct{ Messages []Summary }
		s.get(tb, "/api/v1/search?query="+url.QueryEscape(`to:"`+addr+`"`), &res)
		out = res.Messages
		if len(out) >= n {
			break
		}
	}
	if len(out) != n {
		tb.Fatalf("%d message(s) to %s, want %d", len(out), addr, n)
	}
	return out
}

// None checks that nothing arrived for addr within a short wait.
func (s *Server) None(tb testing.TB, addr string) {
	tb.Helper()
	time.Sleep(300 * time.Millisecond)
	var res struct{ Messages []Summary }
	s.get(tb, "/api/v1/search?query="+url.QueryEscape(`to:"`+addr+`"`), &res)
	if len(res.Messages) != 0 {
		tb.Fatalf("%d message(s) to %s, want none: %+v", len(res.Messages), addr, res.Messages)
	}
}

// Message reads a whole message.
func (s *Server) Message(tb testing.TB, id string) Message {
	tb.Helper()
	var m Message
	s.get(tb, "/api/v1/message/"+id, &m)
	return m
}

// Raw reads a message's source.
func (s *Server) Raw(tb testing.TB, id string) []byte {
	tb.Helper()
	return s.bytes(tb, "/api/v1/message/"+id+"/raw")
}

// Part reads an attachment's bytes.
func (s *Server) Part(tb testing.TB, id, part string) []byte {
	tb.Helper()
	return s.bytes(tb, "/api/v1/message/"+id+"/part/"+part)
}

func (s *Server) get(tb testing.TB, path string, v any) {
	tb.Helper()
	if err := json.Unmarshal(s.bytes(tb, path), v); err != nil {
		tb.Fatalf("mailpit %s: %v", path, err)
	}
}

func (s *Server) bytes(tb testing.TB, path string) []byte {
	tb.Helper()
	resp, err := http.Get(s.API + path)
	if err != nil {
		tb.Fatalf("mailpit: %v", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		tb.Fatalf("mailpit %s: %d %v", path, resp.StatusCode, fmt.Sprint(err))
	}
	return b
}
