// Package web is Legajo's HTTP server: the Spanish, server-rendered pages
// clerks, staff, auditors and admins use every day, the JSON API for the
// same operations, and the public verification page the QR code on every
// document leads to. It uses net/http's method patterns, html/template
// parsed once at start-up and assets embedded in the binary; nothing else.
package web

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/sesver/legajo"
)

// Server serves Legajo over HTTP. Set the fields, then call Handler.
type Server struct {
	Office   *legajo.Office
	Users    legajo.Users
	Activity legajo.ActivityLog
	Search   legajo.Searcher // nil: the search page says it is not available
	Exports  Exporter        // nil: no exports
	// RegistroFiles writes the registries' XLSX and PDF and reads an XLSX
	// import; nil: neither.
	RegistroFiles RegistroFiles
	Settings      legajo.SettingsStore
	// Apply puts saved settings in force (signatories, expedientes); set by
	// the program that wires the server.
	Apply func(legajo.Settings) error
	// StampCancelled marks a PDF of a cancelled document CANCELADO on every
	// page, with note along the top, before it is served; nil, such files
	// are not served at all.
	StampCancelled func(doc []byte, note string) ([]byte, error)
	// Telephony imports the carriers' bills and analyzes them; nil hides
	// the Telefonía pages.
	Telephony *legajo.Telephony
	// Backups is the record of backup runs shown to administrators; nil
	// hides the section.
	Backups legajo.BackupLog
	// BackupPlan says when and where the daily backup runs, e.g. "todos
	// los días a las 02:00 en s3://…"; "" when there is none.
	BackupPlan string
	// Statistics makes the Estadísticas page and its exports; nil: the
	// page says they are not available.
	Statistics Statistics
	// Areas are SESVER's areas offered in the forms.
	Areas []string
	// Synonyms are the abbreviations search understands (from the saved
	// settings); nil: legajo.DefaultSynonyms.
	Synonyms []legajo.Synonym
	Logger   *slog.Logger
	// SessionKey signs session cookies; every node of one deployment must
	// share it.
	SessionKey []byte
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client (see fromProxy); none: every request is its own peer.
	TrustedProxies []netip.Prefix
	// PublicKey is the institution's public key (a signed-note verifier
	// key), shown on the Verificar page; "" when the archive keeps no
	// signed log.
	PublicKey string
	// Secure marks cookies Secure (the site is served over TLS).
	Secure bool
	// Now is the clock; nil is time.Now.
	Now func() time.Time

	areasMu  sync.RWMutex
	once     sync.Once
	pages    *pages
	throttle *throttle
	activity *activityWriter
	prints   *printCache
	accounts *accountCache
	staff    peopleCache // names and who may take a turno, for the case pages
	static   http.Handler
	initErr  error
}

// Init parses the templates and prepares the server; Handler calls it.
// A broken template is a start-up error.
func (s *Server) Init() error {
	s.once.Do(func() {
		if s.Logger == nil {
			s.Logger = slog.Default()
		}
		if len(s.SessionKey) < 32 {
			s.initErr = errors.New("web: the session key must have 32 bytes or more")
			return
		}
		s.pages, s.initErr = parsePages()
		s.throttle = newThrottle()
		s.prints = newPrintCache()
		s.accounts = &accountCache{m: map[string]cachedAccount{}}
		if s.Activity != nil {
			s.activity = newActivityWriter(s.Activity, s.Logger)
		}
		sub, _ := fs.Sub(assets, "static")
		s.static = http.StripPrefix("/static/", http.FileServerFS(sub))
	})
	return s.initErr
}

// Close writes the activity log's entries still queued. Call it once the
// HTTP server has shut down.
func (s *Server) Close() {
	if s.activity != nil {
		s.activity.close()
	}
}

func (s *Server) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// MaxBody bounds a request body: the largest upload plus its form.
const MaxBody = legajo.MaxUploadBytes + 1<<20

// Handler returns the server's routes, wrapped in request logging, size
// limits, cross-origin protection and panic recovery.
func (s *Server) Handler() (http.Handler, error) {
	if err := s.Init(); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	s.routes(mux)
	csrf := http.NewCrossOriginProtection()
	return s.fromProxy(s.logRequests(s.recoverPanics(csrf.Handler(limitBody(mux))))), nil
}

func limitBody(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
		h.ServeHTTP(w, r)
	})
}

// statusWriter remembers the status for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

func (s *Server) logRequests(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t0 := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		h.ServeHTTP(sw, r)
		// The path only: query strings may carry searches with personal data.
		s.Logger.Info("request", "method", r.Method, "path", r.URL.Path, "status", sw.status,
			"bytes", sw.bytes, "ms", time.Since(t0).Milliseconds(), "remote", r.RemoteAddr)
	})
}

func (s *Server) recoverPanics(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Logger.Error("panic", "path", r.URL.Path, "panic", fmt.Sprint(v))
				http.Error(w, "Error interno del servidor.", http.StatusInternalServerError)
			}
		}()
		h.ServeHTTP(w, r)
	})
}

// Errors a handler returns besides the domain's kinds.
var (
	errUnauthenticated = errors.New("unauthenticated")
	errForbidden       = errors.New("forbidden")
)

// status maps an error to its HTTP status: the one place where kinds
// become codes.
func status(err error) int {
	switch {
	case errors.Is(err, legajo.ErrInvalid):
		return http.StatusUnprocessableEntity
	case errors.Is(err, legajo.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, legajo.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, errUnauthenticated):
		return http.StatusUnauthorized
	case errors.Is(err, errForbidden):
		return http.StatusForbidden
	case errors.Is(err, errTooMany):
		return http.StatusTooManyRequests
	case errors.Is(err, legajo.ErrFull):
		return http.StatusInsufficientStorage
	case errors.Is(err, legajo.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		return http.StatusServiceUnavailable
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusInternalServerError
}

// message is what a person is told about err: the domain's own Spanish
// message, or a generic one for internal errors, which are logged instead.
func (s *Server) message(r *http.Request, err error) string {
	switch status(err) {
	case http.StatusInternalServerError:
		s.Logger.Error("internal error", "path", r.URL.Path, "err", err)
		return "Ocurrió un error interno; el intento quedó registrado. Vuelva a intentarlo o avise al administrador."
	case http.StatusUnauthorized:
		return "Inicie sesión para continuar."
	case http.StatusForbidden:
		if err != errForbidden {
			return err.Error()
		}
		return "Su rol no permite esta operación."
	case http.StatusRequestEntityTooLarge:
		return fmt.Sprintf("El envío excede el máximo de %d MiB.", MaxBody>>20)
	case http.StatusTooManyRequests:
		return err.Error()
	case http.StatusInsufficientStorage:
		s.Logger.Error("storage full", "path", r.URL.Path, "err", err)
		return "El almacenamiento del archivo está lleno: no se guardó nada. Avise al administrador para que libere o amplíe el espacio, y vuelva a intentarlo."
	case http.StatusServiceUnavailable:
		s.Logger.Error("storage unavailable", "path", r.URL.Path, "err", err)
		return "El almacenamiento del archivo no responde por ahora: no se guardó nada a medias. Espere unos minutos y vuelva a intentarlo; si sigue igual, avise al administrador."
	}
	return s.plainSpanish(r, status(err), err.Error())
}

func itoa(n int) string { return strconv.Itoa(n) }

func (s *Server) areas() []string {
	s.areasMu.RLock()
	defer s.areasMu.RUnlock()
	return s.Areas
}

func (s *Server) setAreas(a []string) {
	s.areasMu.Lock()
	defer s.areasMu.Unlock()
	s.Areas = a
}

func (s *Server) synonyms() []legajo.Synonym {
	s.areasMu.RLock()
	defer s.areasMu.RUnlock()
	return s.Synonyms
}

func (s *Server) setSynonyms(syn []legajo.Synonym) {
	s.areasMu.Lock()
	defer s.areasMu.Unlock()
	s.Synonyms = syn
}
