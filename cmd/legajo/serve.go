package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/generators/pdf"
	"github.com/sesver/legajo/metrics"
	"github.com/sesver/legajo/web"
)

func (m *Main) runServe(ctx context.Context, args []string) error {
	fs := m.flags("serve")
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	if err := parse(fs, args); err != nil {
		return err
	}
	mc, err := metricsConfig(m.Getenv)
	if err != nil {
		return err
	}
	if mc.Addr != "" {
		m.metrics = metrics.New()
		defer func() { m.metrics = nil }()
	}
	a, err := m.openApp(ctx)
	if err != nil {
		return err
	}
	defer a.Close()
	if m.Getenv("GOGC") == "" {
		// Searching allocates much short-lived memory over a small live
		// heap: collecting four times less often took the p99 of searches
		// under load from 64 to 53 ms, for some hundred MB more.
		defer debug.SetGCPercent(debug.SetGCPercent(400))
	}
	logger := slog.New(slog.NewJSONHandler(m.Stderr, nil))
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	if err := m.serveBaseURL(a, ln.Addr(), logger); err != nil {
		return err
	}
	m.lockNotice(a)
	// The whole log is read before the first request, which would wait for
	// it (the sealer then only catches up).
	if err := a.archive.LoadProofs(ctx); err != nil {
		logger.Error("sealed log", "err", err)
	}
	// Entries are sealed into the signed log as they are committed; at the
	// end, Close seals what is left.
	sealCtx, stopSealing := context.WithCancel(context.WithoutCancel(ctx))
	sealed := make(chan struct{})
	go func() {
		defer close(sealed)
		a.archive.RunSealer(sealCtx, func(err error) { logger.Error("sealing", "err", err) })
	}()
	defer func() { stopSealing(); <-sealed }()
	key, err := m.sessionKey(a.cfg)
	if err != nil {
		return err
	}
	if err := m.firstAdmin(ctx, a); err != nil {
		return err
	}
	if err := a.followCases(ctx, logger); err != nil {
		return err
	}
	if err := a.followRegistros(ctx, logger); err != nil {
		return err
	}
	searcher, closeSearch, err := m.openSearch(ctx, a, logger)
	if err != nil {
		return err
	}
	defer closeSearch()
	if m.metrics != nil {
		stop, err := m.serveMetrics(mc, a, searcher, logger)
		if err != nil {
			return err
		}
		defer stop()
		searcher = m.metrics.Searcher(searcher)
	}
	if a.cfg.Backup.To != "" {
		go m.dailyBackups(ctx, a, logger, sleep)
	}
	if cs := a.office.Cases; cs != nil {
		if cm, ok := cs.Notifier.(legajo.CaseMail); ok {
			// The links in the messages lead to where serve listens when
			// no base_url is configured (known only now).
			cm.BaseURL = a.cfg.Institution.BaseURL
			cs.Notifier = cm
			go m.dailyDigests(ctx, a, cm, logger, sleep)
			go m.sweepCases(ctx, cs, logger)
		}
	}
	var publicKey string
	if v := a.archive.Verifier(); v != nil {
		publicKey = v.VerifierKey()
	}
	if a.cfg.Mail != nil {
		logger.Info("e-mail", "smtp", *a.cfg.Mail)
	}
	srv := &web.Server{Office: a.office, PublicKey: publicKey, Users: a.archive, Activity: a.archive, Search: searcher, Logger: logger,
		Backups: a.archive, BackupPlan: a.backupPlan(), Telephony: a.telephony,
		Settings: a.archive, Apply: a.apply, Areas: a.cfg.Areas, Synonyms: a.synonyms, Exports: webExporter{exporter{m, a}}, RegistroFiles: registroFiles{a}, StampCancelled: pdf.StampCancelled,
		SessionKey: key, TrustedProxies: a.cfg.TrustedProxies, Secure: strings.HasPrefix(a.cfg.Institution.BaseURL, "https://"), Now: m.Now}
	srv.Statistics = m.newStatistics(a, searcher)
	h, err := srv.Handler()
	if err != nil {
		return err
	}
	defer srv.Close() // after the HTTP server's shutdown: the activity log's last entries
	if m.metrics != nil {
		h = m.metrics.Instrument(h)
	}
	hs := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 2 * time.Minute,
		WriteTimeout: 10 * time.Minute, IdleTimeout: 2 * time.Minute, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	fmt.Fprintf(m.Stdout, "Legajo escuchando en http://%s\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// serveMetrics serves /metrics on its own listener (see MetricsConfig),
// with the gauges read from a's archive, cases and backups and from the
// search index; the returned func stops it.
func (m *Main) serveMetrics(mc MetricsConfig, a *app, index legajo.Searcher, logger *slog.Logger) (func(), error) {
	src := metrics.Sources{Chains: a.archive, Pending: index, Cases: a.office.Cases, Backups: a.archive, Now: m.Now, Logger: logger}
	if p, ok := index.(metrics.Positions); ok {
		src.Index = p
	}
	m.metrics.Watch(src)
	ln, err := net.Listen("tcp", mc.Addr)
	if err != nil {
		return nil, fmt.Errorf("LEGAJO_METRICS_ADDR: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.metrics.Handler(mc.Token))
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: time.Minute,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			logger.Error("metrics", "err", err)
		}
	}()
	fmt.Fprintf(m.Stdout, "Métricas en http://%s/metrics\n", ln.Addr())
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(ctx)
		<-done
	}, nil
}

// serveBaseURL settles the address printed in every document's QR code
// and footer. A configured base_url is kept; without one, serve derives it
// from where it listens, but only on this machine (a demo): listening on
// other interfaces, only the deployment knows its public address. A base
// URL on this machine is a test environment: its documents say «SIN
// VALIDEZ OFICIAL», and serve says so at start.
func (m *Main) serveBaseURL(a *app, addr net.Addr, logger *slog.Logger) error {
	if !a.cfg.BaseURLSet {
		tcp, ok := addr.(*net.TCPAddr)
		if !ok || !tcp.IP.IsLoopback() {
			return fmt.Errorf("config: base_url (or LEGAJO_BASE_URL) is required when serve listens on %s: "+
				"the QR code of every document must lead to the public verification page", addr)
		}
		a.cfg.Institution.BaseURL = "http://" + addr.String()
		a.office.Institution.BaseURL = a.cfg.Institution.BaseURL
	}
	if a.cfg.Institution.TestEnvironment() {
		fmt.Fprintf(m.Stderr, "AVISO: la dirección de verificación %s es de esta máquina: los documentos que se emitan llevarán "+
			"«SIN VALIDEZ OFICIAL — ENTORNO DE PRUEBA». En producción configure base_url (o LEGAJO_BASE_URL) con la dirección pública.\n",
			a.cfg.Institution.BaseURL)
		logger.Warn("test environment: documents are marked without official validity", "base_url", a.cfg.Institution.BaseURL)
	}
	return nil
}

// sessionKey is LEGAJO_SESSION_KEY (hex; every node of a deployment must
// share it) or a key generated once into the data directory.
func (m *Main) sessionKey(cfg *Config) ([]byte, error) {
	if v := m.Getenv("LEGAJO_SESSION_KEY"); v != "" {
		k, err := hex.DecodeString(v)
		if err != nil || len(k) < 32 {
			return nil, fmt.Errorf("config: LEGAJO_SESSION_KEY must be 64 or more hex digits")
		}
		return k, nil
	}
	path := filepath.Join(cfg.Data, "secrets", "session.key")
	if b, err := os.ReadFile(path); err == nil {
		if k, err := hex.DecodeString(strings.TrimSpace(string(b))); err == nil && len(k) >= 32 {
			return k, nil
		}
		return nil, fmt.Errorf("config: %s is not a session key; remove it to make a new one", path)
	}
	k := make([]byte, 32)
	rand.Read(k)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, []byte(hex.EncodeToString(k)+"\n"), 0o600); err != nil {
		return nil, err
	}
	return k, nil
}

// firstAdmin creates the administrator on a first start and prints its
// one-time password once.
func (m *Main) firstAdmin(ctx context.Context, a *app) error {
	users, err := a.archive.Users(ctx)
	if err != nil || len(users) > 0 {
		return err
	}
	pw := randomPassword()
	h, err := web.HashPassword(pw)
	if err != nil {
		return err
	}
	_, err = a.archive.SaveUser(ctx, legajo.User{Login: "admin", Name: "Administrador", Role: legajo.RoleAdmin,
		PasswordHash: h, MustChangePassword: true, UpdatedAt: m.Now().UTC(), UpdatedBy: "legajo serve"})
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "Primer inicio: se creó el usuario «admin» con la contraseña de un solo uso:\n\n    %s\n\nAnótela ahora; no se volverá a mostrar. Al entrar por primera vez se le pedirá cambiarla.\n\n", pw)
	return nil
}

// randomPassword is 16 characters without look-alikes (0/O, 1/l/I).
func randomPassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 16)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
