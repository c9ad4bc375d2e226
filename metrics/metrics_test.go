package metrics

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/sesver/legajo"
)

// gather returns the families of r by name.
func gather(t *testing.T, r *Registry) map[string]*dto.MetricFamily {
	t.Helper()
	fs, err := r.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*dto.MetricFamily{}
	for _, f := range fs {
		out[f.GetName()] = f
	}
	return out
}

// series returns the label sets of name, as «k=v,k=v», with their count
// (histograms) or value.
func series(f *dto.MetricFamily) map[string]float64 {
	out := map[string]float64{}
	for _, m := range f.GetMetric() {
		var ls []string
		for _, l := range m.GetLabel() {
			ls = append(ls, l.GetName()+"="+l.GetValue())
		}
		v := m.GetCounter().GetValue() + m.GetGauge().GetValue() + float64(m.GetHistogram().GetSampleCount())
		out[strings.Join(ls, ",")] = v
	}
	return out
}

func TestInstrumentLabelsByPattern(t *testing.T) {
	r := New()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /documentos/{folio}", func(w http.ResponseWriter, req *http.Request) {})
	mux.HandleFunc("POST /documentos/{folio}/acuse", func(w http.ResponseWriter, req *http.Request) {
		http.Error(w, "no", http.StatusUnprocessableEntity)
	})
	mux.HandleFunc("GET /falla", func(w http.ResponseWriter, req *http.Request) { panic(http.ErrAbortHandler) })
	// A wrapper that replaces the request beneath the mux, as the
	// application's guard does, does not hide the pattern.
	inner := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		mux.ServeHTTP(w, req)
	})
	h := r.Instrument(inner)
	for i := range 50 {
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", fmt.Sprintf("/documentos/SESVER-DA-DTI-OL-%04d-2026", i), nil))
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", fmt.Sprintf("/otra/%d?q=%d", i, i), nil))
	}
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("POST", "/documentos/x/acuse", nil))
	func() {
		defer func() { recover() }()
		h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/falla", nil))
	}()
	got := series(gather(t, r)["legajo_http_request_duration_seconds"])
	want := map[string]float64{
		"code=2xx,route=GET /documentos/{folio}":        50,
		"code=4xx,route=sin ruta":                       50,
		"code=4xx,route=POST /documentos/{folio}/acuse": 1,
		"code=5xx,route=GET /falla":                     1,
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("series %v\nwant %v", got, want)
	}
}

func TestEmittedAndStore(t *testing.T) {
	r := New()
	r.Emitted("oficio-liberacion", 30*time.Millisecond, nil)
	r.Emitted("oficio-liberacion", time.Millisecond, legajo.Errorf(legajo.ErrInvalid, "falta el asunto"))
	r.Emitted("", time.Millisecond, legajo.Errorf(legajo.ErrNotFound, "no hay tal tipo"))
	r.Emitted("minuta", time.Second, fmt.Errorf("archive: %w", errors.New("disco lleno")))
	got := series(gather(t, r)["legajo_emissions_total"])
	want := map[string]float64{"outcome=ok,type=oficio-liberacion": 1, "outcome=invalid,type=oficio-liberacion": 1,
		"outcome=not_found,type=desconocido": 1, "outcome=error,type=minuta": 1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("emissions %v\nwant %v", got, want)
	}

	r.ObserveStore("get", "s3", time.Millisecond, nil)
	r.ObserveStore("get", "s3", time.Millisecond, fmt.Errorf("x: %w", legajo.ErrNotFound))
	r.ObserveStore("put-if-absent", "s3", time.Millisecond, fmt.Errorf("x: %w", legajo.ErrConflict))
	r.ObserveStore("head", "s3", time.Millisecond, fmt.Errorf("x: %w", context.Canceled))
	r.ObserveStore("list", "s3", time.Millisecond, errors.New("connection refused"))
	f := gather(t, r)
	if got := series(f["legajo_storage_errors_total"]); fmt.Sprint(got) != "map[backend=s3,op=list:1]" {
		t.Errorf("storage errors %v: only the refused connection is one", got)
	}
	if got := series(f["legajo_storage_operation_duration_seconds"]); got["backend=s3,op=get"] != 2 || len(got) != 4 {
		t.Errorf("storage latencies %v", got)
	}
}

func TestHandlerToken(t *testing.T) {
	r := New()
	token := strings.Repeat("ab", 16)
	for _, c := range []struct {
		auth string
		code int
	}{{"", 401}, {"Bearer", 401}, {"Bearer " + token[1:], 401}, {"Bearer " + token + " ", 401}, {"Bearer " + token, 200}} {
		req := httptest.NewRequest("GET", "/metrics", nil)
		if c.auth != "" {
			req.Header.Set("Authorization", c.auth)
		}
		w := httptest.NewRecorder()
		r.Handler(token).ServeHTTP(w, req)
		if w.Code != c.code || (c.code == 401) == strings.Contains(w.Body.String(), "go_goroutines") {
			t.Errorf("%q: %d, want %d", c.auth, w.Code, c.code)
		}
	}
}

// backupLog is a record of backup runs, newest first.
type backupLog []legajo.BackupRun

func (b backupLog) RecordBackup(context.Context, legajo.BackupRun) error { return nil }
func (b backupLog) BackupRuns(_ context.Context, limit int) ([]legajo.BackupRun, error) {
	return b, nil
}

func TestBackupGauges(t *testing.T) {
	t0 := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	day := func(d int) time.Time { return t0.AddDate(0, 0, d) }
	for _, c := range []struct {
		name string
		runs backupLog
		want map[string]float64 // -1: absent
	}{
		{"none", nil, map[string]float64{"legajo_backup_last_success_timestamp_seconds": -1, "legajo_backup_failures_since_success": -1}},
		{"two failed after a success, a restore between", backupLog{
			{Kind: legajo.BackupKind, Started: day(3), Seconds: 4, ObjectsCopied: 7, Bytes: 700, Error: "sin red"},
			{Kind: legajo.RestoreKind, Started: day(2), Seconds: 9},
			{Kind: legajo.BackupKind, Started: day(2), Conflicts: 1},
			{Kind: legajo.BackupKind, Started: day(1), Seconds: 60, ObjectsCopied: 100},
			{Kind: legajo.BackupKind, Started: day(0), Error: "viejo"},
		}, map[string]float64{
			"legajo_backup_last_success_timestamp_seconds": float64(day(1).Unix()) + 60,
			"legajo_backup_last_run_timestamp_seconds":     float64(day(3).Unix()),
			"legajo_backup_last_duration_seconds":          4,
			"legajo_backup_last_objects_copied":            7,
			"legajo_backup_last_bytes_copied":              700,
			"legajo_backup_failures_since_success":         2,
		}},
		{"never succeeded", backupLog{{Kind: legajo.BackupKind, Started: day(0), Error: "x"}}, map[string]float64{
			"legajo_backup_last_success_timestamp_seconds": -1, "legajo_backup_failures_since_success": 1}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := New()
			r.Watch(Sources{Backups: c.runs})
			f := gather(t, r)
			for name, want := range c.want {
				got := -1.0
				if f[name] != nil {
					got = f[name].GetMetric()[0].GetGauge().GetValue()
				}
				if got != want {
					t.Errorf("%s = %v, want %v", name, got, want)
				}
			}
		})
	}
}
