package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/fixtures"
)

// TestServeBaseURL: without a configured base URL, serve takes its own
// address when it listens on this machine only, and refuses to start on
// any other; a base URL on this machine is announced as a test
// environment, a public one is kept as it is and not.
func TestServeBaseURL(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, c := range []struct {
		name     string
		base     string // configured; "" for none
		listen   *net.TCPAddr
		want     string // the base URL documents get; "" for an error
		warnings bool
	}{
		{"loopback, not configured", "", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9123}, "http://127.0.0.1:9123", true},
		{"IPv6 loopback, not configured", "", &net.TCPAddr{IP: net.IPv6loopback, Port: 9124}, "http://[::1]:9124", true},
		{"all interfaces, not configured", "", &net.TCPAddr{IP: net.IPv4zero, Port: 8080}, "", false},
		{"a LAN address, not configured", "", &net.TCPAddr{IP: net.IPv4(10, 1, 2, 3), Port: 8080}, "", false},
		{"configured public", "https://legajo.example.gob.mx", &net.TCPAddr{IP: net.IPv4zero, Port: 8080}, "https://legajo.example.gob.mx", false},
		{"configured loopback", "http://localhost:8080", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9125}, "http://localhost:8080", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			inst := fixtures.Institution()
			inst.BaseURL = "http://127.0.0.1:8080" // the built-in default
			set := c.base != ""
			if set {
				inst.BaseURL = c.base
			}
			a := &app{cfg: &Config{Institution: inst, BaseURLSet: set}, office: &legajo.Office{Institution: inst}}
			var stderr bytes.Buffer
			m := &Main{Stdout: io.Discard, Stderr: &stderr, Getenv: func(string) string { return "" }, Now: time.Now}
			err := m.serveBaseURL(a, c.listen, logger)
			if c.want == "" {
				if err == nil || !strings.Contains(err.Error(), "base_url") {
					t.Fatalf("want an error naming base_url, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.cfg.Institution.BaseURL != c.want || a.office.Institution.BaseURL != c.want {
				t.Errorf("base URL %q (office %q), want %q", a.cfg.Institution.BaseURL, a.office.Institution.BaseURL, c.want)
			}
			if warned := strings.Contains(stderr.String(), "SIN VALIDEZ OFICIAL — ENTORNO DE PRUEBA"); warned != c.warnings {
				t.Errorf("warning printed %v, want %v: %q", warned, c.warnings, stderr.String())
			}
		})
	}
}

// TestServeTakesItsAddress runs the real serve on a free loopback port:
// it says at start that its documents are test ones, with the address it
// really listens on (not the built-in :8080); on all interfaces without a
// base URL it does not start.
func TestServeTakesItsAddress(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out, errs := &syncBuffer{}, &syncBuffer{}
	env := map[string]string{"LEGAJO_DATA": t.TempDir()}
	m := &Main{Stdout: out, Stderr: errs, Getenv: func(k string) string { return env[k] }, Now: time.Now}
	done := make(chan int, 1)
	go func() { done <- m.Run(ctx, []string{"serve", "--addr", "127.0.0.1:0"}) }()
	addrRe := regexp.MustCompile(`escuchando en (http://127\.0\.0\.1:\d+)`)
	var base string
	for deadline := time.Now().Add(60 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if a := addrRe.FindStringSubmatch(out.String()); a != nil {
			base = a[1]
		}
	}
	cancel()
	if code := <-done; code != 0 || base == "" {
		t.Fatalf("serve: exit %d, address %q: %s", code, base, errs.String())
	}
	if want := "AVISO: la dirección de verificación " + base + " es de esta máquina"; !strings.Contains(errs.String(), want) {
		t.Errorf("serve did not warn %q:\n%s", want, errs.String())
	}

	var stderr bytes.Buffer
	env2 := map[string]string{"LEGAJO_DATA": t.TempDir()}
	m2 := &Main{Stdout: io.Discard, Stderr: &stderr, Getenv: func(k string) string { return env2[k] }, Now: time.Now}
	ctx2, cancel2 := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel2()
	if code := m2.Run(ctx2, []string{"serve", "--addr", "0.0.0.0:0"}); code == 0 {
		t.Error("serve started on all interfaces without a base URL")
	} else if !strings.Contains(stderr.String(), "base_url") {
		t.Errorf("the refusal does not name base_url: %q", stderr.String())
	}
}
