// Package metrics is Legajo's Prometheus instrumentation: the only package
// that imports client_golang. The domain and the other adapters know
// nothing of it; they offer small hooks (legajo.EmitObserver,
// archive.StoreObserver) and read-only views (an index's positions, the
// chains' ends, the cases, the backup record) that a Registry turns into
// metrics. Every label takes its values from a closed set (a route
// pattern, a catalog type, an operation, an outcome), never from what a
// request carries, so the number of series stays bounded however the
// server is used.
package metrics

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sesver/legajo"
)

// Registry holds Legajo's metrics. New makes one; its methods are the
// observers and wrappers the program wires in; Handler serves it.
type Registry struct {
	reg *prometheus.Registry

	emissions   *prometheus.CounterVec
	emitSeconds *prometheus.HistogramVec

	searchSeconds *prometheus.HistogramVec
	searchResults prometheus.Histogram

	httpSeconds *prometheus.HistogramVec

	storeSeconds *prometheus.HistogramVec
	storeErrors  *prometheus.CounterVec

	collectErrors *prometheus.CounterVec
}

// Buckets, in seconds. Emissions render PDFs and write several objects
// (tens to hundreds of ms); searches and pages answer in milliseconds;
// storage calls range from a local file to a distant S3 cluster.
var (
	emitBuckets    = []float64{.025, .05, .1, .2, .35, .5, .75, 1, 1.5, 2.5, 5, 10}
	requestBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}
	storeBuckets   = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10}
	// resultBuckets count the matches of a search: none, one (a folio),
	// a page, a few pages, a whole year's worth.
	resultBuckets = []float64{0, 1, 5, 20, 100, 1000, 10000, 100000}
)

// New makes a Registry with Legajo's metrics and the Go runtime's and
// process's (memory, CPU, open files).
func New() *Registry {
	r := &Registry{reg: prometheus.NewRegistry()}
	r.emissions = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "legajo_emissions_total",
		Help: "Documents issued or correspondence registered (outcome ok), or refused, by document type.",
	}, []string{"type", "outcome"})
	r.emitSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "legajo_emission_duration_seconds",
		Help:    "Time to issue a document: validate, take a folio, render every tanto and file them.",
		Buckets: emitBuckets,
	}, []string{"outcome"})
	r.searchSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "legajo_search_duration_seconds",
		Help:    "Time to answer a search: the search page, the API, and the pages that look documents up.",
		Buckets: requestBuckets,
	}, []string{"outcome"})
	r.searchResults = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "legajo_search_results",
		Help:    "Matches of each answered search, all pages.",
		Buckets: resultBuckets,
	})
	r.httpSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "legajo_http_request_duration_seconds",
		Help:    "Time to answer an HTTP request, by route pattern (never the path) and status class.",
		Buckets: requestBuckets,
	}, []string{"route", "code"})
	r.storeSeconds = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "legajo_storage_operation_duration_seconds",
		Help:    "Time of each call to the archive's storage, by operation and backend.",
		Buckets: storeBuckets,
	}, []string{"op", "backend"})
	r.storeErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "legajo_storage_errors_total",
		Help: "Failed calls to the archive's storage (not counting an object not found or a conditional create that found the key taken, which are answers).",
	}, []string{"op", "backend"})
	r.collectErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "legajo_metrics_collect_errors_total",
		Help: "Scrapes that could not read a gauge's source (index, log, cases, backups); the gauge is left out of that scrape.",
	}, []string{"source"})
	r.reg.MustRegister(r.emissions, r.emitSeconds, r.searchSeconds, r.searchResults, r.httpSeconds,
		r.storeSeconds, r.storeErrors, r.collectErrors,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return r
}

// outcome names how an operation ended, from a closed set.
func outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, legajo.ErrInvalid):
		return "invalid"
	case errors.Is(err, legajo.ErrConflict):
		return "conflict"
	case errors.Is(err, legajo.ErrNotFound):
		return "not_found"
	}
	return "error"
}

// Emitted implements legajo.EmitObserver.
func (r *Registry) Emitted(docType string, d time.Duration, err error) {
	if docType == "" {
		docType = "desconocido"
	}
	o := outcome(err)
	r.emissions.WithLabelValues(docType, o).Inc()
	r.emitSeconds.WithLabelValues(o).Observe(d.Seconds())
}

// ObserveStore implements archive.StoreObserver. A key not found and a
// key already taken are how the archive probes and claims (folios, chain
// appends), not failures: they are timed but not counted as errors; nor is
// a call its caller gave up (a request closed, the server stopping).
func (r *Registry) ObserveStore(op, backend string, d time.Duration, err error) {
	r.storeSeconds.WithLabelValues(op, backend).Observe(d.Seconds())
	if o := outcome(err); (o == "error" || o == "invalid") && !errors.Is(err, context.Canceled) {
		r.storeErrors.WithLabelValues(op, backend).Inc()
	}
}

// Handler serves the metrics in Prometheus' text format. With a token,
// only a request carrying «Authorization: Bearer <token>» gets them.
func (r *Registry) Handler(token string) http.Handler {
	h := promhttp.HandlerFor(r.reg, promhttp.HandlerOpts{})
	if token == "" {
		return h
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if subtle.ConstantTimeCompare([]byte(req.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="legajo-metrics"`)
			http.Error(w, "Se requiere el token de métricas (Authorization: Bearer …).", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, req)
	})
}
