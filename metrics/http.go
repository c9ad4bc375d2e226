package metrics

import (
	"net/http"
	"time"
)

// Instrument times every request h answers, labelled by the route pattern
// the server's ServeMux matched (r.Pattern, e.g. «GET /documentos/{folio}»)
// and the status class: fifty folios are one route. A request no route
// matched, or refused before routing (a cross-site POST), is «sin ruta».
// h must route with http.ServeMux and pass the
// request it gets down to it (wrappers that only read or set fields of the
// same *http.Request, as Legajo's do), or every request is «sin ruta».
func (r *Registry) Instrument(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		t0 := time.Now()
		cw := &codeWriter{ResponseWriter: w}
		answered := false
		defer func() {
			// Also when the handler panics (http.ErrAbortHandler): the
			// request took this long and failed.
			route, class := req.Pattern, cw.class()
			if route == "" {
				route = "sin ruta"
			}
			if !answered && cw.code == 0 {
				class = "5xx"
			}
			r.httpSeconds.WithLabelValues(route, class).Observe(time.Since(t0).Seconds())
		}()
		h.ServeHTTP(cw, req)
		answered = true
	})
}

// codeWriter remembers the status written.
type codeWriter struct {
	http.ResponseWriter
	code int
}

func (w *codeWriter) WriteHeader(code int) {
	if w.code == 0 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *codeWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *codeWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// class is the status class, «2xx» … «5xx»; a handler that wrote nothing
// answered 200, unless it panicked.
func (w *codeWriter) class() string {
	c := w.code
	if c == 0 {
		c = http.StatusOK
	}
	return [...]string{"1xx", "2xx", "3xx", "4xx", "5xx"}[min(max(c/100, 1), 5)-1]
}
