package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/fixtures"
	"github.com/sesver/legajo/web"
)

// TestMetricsServed runs the real serve with LEGAJO_METRICS_ADDR, issues,
// searches, backs up and visits pages through its API, then scrapes
// /metrics on its own listener and reads it with Prometheus' own parser:
// the counters moved by what was done, the gauges read the archive (index
// and seal caught up, the backup recorded, the acuses pending), and fifty
// different folios in the path are one route label.
func TestMetricsServed(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"LEGAJO_DATA": data, "LEGAJO_METRICS_ADDR": "127.0.0.1:0"}
	tokens := metricsUsers(t, env)
	base, metricsURL := startMetricsServer(t, env)

	client := &http.Client{Timeout: 30 * time.Second}
	do := func(method, path, token string, body []byte) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(body))
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	before := scrape(t, metricsURL, "")

	// Three documents, one refused for its data, one of a type that does
	// not exist (its made-up name must not become a label value).
	sample, err := fixtures.SampleData("oficio-liberacion")
	if err != nil {
		t.Fatal(err)
	}
	var folios []string
	for i := range 3 {
		body, _ := json.Marshal(map[string]any{"type": "oficio-liberacion", "data": sample, "idempotency_key": fmt.Sprintf("metricas-%d", i)})
		code, b := do("POST", "/api/v1/documentos", tokens["capturista"], body)
		if code != http.StatusCreated {
			t.Fatalf("emitir: %d %s", code, b)
		}
		var res legajo.EmitResult
		json.Unmarshal(b, &res)
		folios = append(folios, res.Folio)
	}
	// A phone call registered as received correspondence (its own folio).
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	call, _ := json.Marshal(map[string]any{"tipo": legajo.TipoLlamada, "fecha_recepcion": time.Now().Format("2006-01-02"),
		"hora_recepcion": "10:30", "remitente": "Lic. Sofía Ramírez Ávila", "area": "Jurisdicción Sanitaria V Xalapa",
		"asunto": "Solicita revisión del enlace de red del centro de salud"})
	mw.WriteField("datos", string(call))
	mw.Close()
	req, _ := http.NewRequest("POST", base+"/api/v1/correspondencia", &form)
	req.Header.Set("Authorization", "Bearer "+tokens["capturista"])
	req.Header.Set("Content-Type", mw.FormDataContentType())
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(resp.Body); resp.StatusCode != http.StatusCreated {
		t.Fatalf("registrar llamada: %d %s", resp.StatusCode, b)
	}
	resp.Body.Close()
	body, _ := json.Marshal(map[string]any{"type": "oficio-liberacion", "data": map[string]any{}})
	if code, b := do("POST", "/api/v1/documentos", tokens["capturista"], body); code != http.StatusUnprocessableEntity {
		t.Fatalf("empty data: %d %s", code, b)
	}
	body, _ = json.Marshal(map[string]any{"type": "tipo-inventado-ñ-" + strings.Repeat("x", 40), "data": sample})
	if code, _ := do("POST", "/api/v1/documentos", tokens["capturista"], body); code < 400 {
		t.Fatalf("unknown type accepted: %d", code)
	}

	// Searches: until the index has the three documents (it follows the
	// archive every second), then two more.
	searches := 0
	search := func(q string) int {
		searches++
		code, b := do("GET", "/api/v1/buscar?facetas=0&q="+url.QueryEscape(q), tokens["consulta"], nil)
		if code != http.StatusOK {
			t.Fatalf("buscar %q: %d %s", q, code, b)
		}
		var res legajo.SearchResult
		json.Unmarshal(b, &res)
		return res.Total
	}
	for deadline := time.Now().Add(20 * time.Second); search("liberación") < 3; time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the index did not find the three documents")
		}
	}
	search("palabraquenoexiste")
	search(folios[0])

	// Fifty folios on the public verification page, fifty paths no route
	// matches, and the metrics path on the application's port.
	for i := range 50 {
		do("GET", fmt.Sprintf("/verificar/SESVER-DA-DTI-OL-%04d-2026", i+1), "", nil)
		do("GET", fmt.Sprintf("/no-existe/%d", i), "", nil)
	}
	if code, _ := do("GET", "/metrics", "", nil); code != http.StatusNotFound {
		t.Errorf("/metrics on the application's port answered %d, want 404: it must only be on its own listener", code)
	}

	// A backup, as an operator runs it beside the server.
	if code, out, errs := run(t, env, "backup", "--to", "fs:"+t.TempDir()); code != 0 {
		t.Fatalf("backup: %d %s %s", code, out, errs)
	}

	var after map[string]*dto.MetricFamily
	// The gauges settle within seconds: the sealer and the follower run
	// every second.
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(300 * time.Millisecond) {
		after = scrape(t, metricsURL, "")
		if gauge(after, "legajo_seal_unsealed_entries") == 0 && gauge(after, "legajo_index_lag_entries") == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("lag did not settle: index %v entries, seal %v entries",
				gauge(after, "legajo_index_lag_entries"), gauge(after, "legajo_seal_unsealed_entries"))
		}
	}

	moved := func(name string, labels map[string]string) float64 {
		return metricValue(after, name, labels) - metricValue(before, name, labels)
	}
	if d := moved("legajo_emissions_total", map[string]string{"type": "oficio-liberacion", "outcome": "ok"}); d != 3 {
		t.Errorf("emissions ok moved by %v, want 3", d)
	}
	if d := moved("legajo_emissions_total", map[string]string{"type": "oficio-liberacion", "outcome": "invalid"}); d != 1 {
		t.Errorf("emissions refused moved by %v, want 1", d)
	}
	if d := moved("legajo_emissions_total", map[string]string{"type": legajo.ReceptionType.ID, "outcome": "ok"}); d != 1 {
		t.Errorf("registrations of received correspondence moved by %v, want 1", d)
	}
	if d := moved("legajo_emissions_total", map[string]string{"type": "desconocido"}); d != 1 {
		t.Errorf("emissions of an unknown type moved by %v, want 1", d)
	}
	if d := moved("legajo_emission_duration_seconds", map[string]string{"outcome": "ok"}); d != 4 {
		t.Errorf("emission latencies observed %v, want 4: three oficios and the call", d)
	}
	if d := moved("legajo_search_duration_seconds", map[string]string{"outcome": "ok"}); d < float64(searches) {
		t.Errorf("search latencies observed %v, want at least the %d searches made", d, searches)
	}
	if h := histogram(after, "legajo_search_results", nil); h == nil || h.GetSampleCount() < uint64(searches) || bucket(h, 0) < 1 {
		t.Errorf("search results histogram %v: want %d searches, one with no result", h, searches)
	}
	if d := moved("legajo_storage_operation_duration_seconds", map[string]string{"op": "put-if-absent", "backend": "fs"}); d < 3*3 {
		t.Errorf("storage creates observed %v, want at least a folio, two tantos and their manifests per document", d)
	}
	for _, op := range []string{"get", "head", "list"} {
		if metricValue(after, "legajo_storage_operation_duration_seconds", map[string]string{"op": op, "backend": "fs"}) == 0 {
			t.Errorf("no storage %s observed", op)
		}
	}
	if v := metricValue(after, "legajo_storage_errors_total", nil); v != 0 {
		t.Errorf("%v storage errors counted, want none (a folio taken or an object not found is an answer): %v", v, after["legajo_storage_errors_total"])
	}

	// Bounded labels: one route for the fifty folios, one for the
	// unmatched paths, and no label value anywhere holds a path, a folio
	// or the made-up type.
	verify := metricValue(after, "legajo_http_request_duration_seconds", map[string]string{"route": "GET /verificar/{folio}"})
	if verify != 50 {
		t.Errorf("GET /verificar/{folio} observed %v times, want 50", verify)
	}
	if v := metricValue(after, "legajo_http_request_duration_seconds", map[string]string{"route": "sin ruta", "code": "4xx"}); v < 51 {
		t.Errorf("unmatched requests observed %v, want 51", v)
	}
	routes := map[string]bool{}
	for _, m := range after["legajo_http_request_duration_seconds"].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == "route" {
				routes[l.GetValue()] = true
			}
		}
	}
	if len(routes) > 8 {
		t.Errorf("%d route label values after this test's few routes: %v", len(routes), routes)
	}
	for name, f := range after {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if v := l.GetValue(); strings.Contains(v, "SESVER") || strings.Contains(v, "no-existe") || strings.Contains(v, "inventado") {
					t.Errorf("%s has label %s=%q, taken from a request", name, l.GetName(), v)
				}
			}
		}
	}

	// Gauges.
	if v := gauge(after, "legajo_documents_pending_acuse"); v != 3 {
		t.Errorf("pending acuses %v, want the 3 oficios issued", v)
	}
	if v := gauge(after, "legajo_index_lag_seconds"); v != 0 {
		t.Errorf("index lag %v s with nothing behind", v)
	}
	if v := gauge(after, "legajo_seal_oldest_unsealed_age_seconds"); v != 0 {
		t.Errorf("seal lag %v s with nothing unsealed", v)
	}
	if ts := gauge(after, "legajo_backup_last_success_timestamp_seconds"); ts < 1e9 {
		t.Errorf("last backup success %v, want the backup just made", ts)
	}
	if v := gauge(after, "legajo_backup_last_objects_copied"); v < 6 {
		t.Errorf("last backup copied %v objects, want at least the 6 PDFs", v)
	}
	if v := gauge(after, "legajo_backup_failures_since_success"); v != 0 {
		t.Errorf("backup failures %v, want 0", v)
	}
	if gauge(after, "go_goroutines") <= 0 || gauge(after, "process_resident_memory_bytes") <= 0 {
		t.Error("no runtime or process metrics")
	}
}

// TestMetricsToken: on an address other than loopback serve refuses to
// start without a token, and with one /metrics answers only a request
// that carries it.
func TestMetricsToken(t *testing.T) {
	for _, c := range []struct {
		addr, token, want string
	}{
		{"0.0.0.0:9464", "", "LEGAJO_METRICS_TOKEN"},
		{"10.1.2.3:9464", "", "LEGAJO_METRICS_TOKEN"},
		{"127.0.0.1:9464", "corto", "32 or more"},
		{"9464", "", "host:port"},
		{"127.0.0.1:9464", "", ""},
		{"[::1]:9464", "", ""},
		{"localhost:9464", "", ""},
		{"10.1.2.3:9464", strings.Repeat("a", 32), ""},
	} {
		_, err := metricsConfig(func(k string) string {
			return map[string]string{"LEGAJO_METRICS_ADDR": c.addr, "LEGAJO_METRICS_TOKEN": c.token}[k]
		})
		if c.want == "" && err != nil || c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s with token %q: %v, want %q", c.addr, c.token, err, c.want)
		}
	}

	token := strings.Repeat("0123456789abcdef", 4)
	env := map[string]string{"LEGAJO_DATA": t.TempDir(), "LEGAJO_METRICS_ADDR": "127.0.0.1:0", "LEGAJO_METRICS_TOKEN": token}
	metricsUsers(t, env)
	_, metricsURL := startMetricsServer(t, env)
	for _, auth := range []string{"", "Bearer ", "Bearer " + token[:63], "Basic " + token, "bearer " + token + "x"} {
		req, _ := http.NewRequest("GET", metricsURL, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || bytes.Contains(b, []byte("legajo_")) {
			t.Errorf("Authorization %q: %d %.80s, want 401 without metrics", auth, resp.StatusCode, b)
		}
	}
	if f := scrape(t, metricsURL, token); f["legajo_emissions_total"] == nil && f["go_goroutines"] == nil {
		t.Error("the token did not open /metrics")
	}
}

// metricsUsers files a clerk and a staff member with API tokens into the
// archive env names, before serve starts.
func metricsUsers(t *testing.T, env map[string]string) map[string]string {
	t.Helper()
	ctx := context.Background()
	m := &Main{Stdout: io.Discard, Stderr: io.Discard, Getenv: func(k string) string { return env[k] }, Now: time.Now}
	a, err := m.openApp(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	tokens := map[string]string{}
	for _, u := range []legajo.User{
		{Login: "metricas-capturista", Name: "Capturista", Role: legajo.RoleCapturista, Service: true},
		{Login: "metricas-consulta", Name: "Consulta", Role: legajo.RoleConsulta, Service: true},
	} {
		tok := u.Login + ".token-de-prueba-de-metricas"
		u.Tokens = []legajo.Token{{ID: "m", Hash: web.TokenHash(tok), Label: "prueba"}}
		if _, err := a.archive.SaveUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		tokens[string(u.Role)] = tok
	}
	return tokens
}

// startMetricsServer runs the real serve on free ports and returns its
// address and its metrics' URL.
func startMetricsServer(t *testing.T, env map[string]string) (string, string) {
	t.Helper()
	addrRe := regexp.MustCompile(`escuchando en (http://127\.0\.0\.1:\d+)`)
	metricsRe := regexp.MustCompile(`Métricas en (http://127\.0\.0\.1:\d+/metrics)`)
	var addr, metrics string
	serveUntil(t, &Main{Now: time.Now}, env, func(out string) bool {
		a, mu := addrRe.FindStringSubmatch(out), metricsRe.FindStringSubmatch(out)
		if a == nil || mu == nil {
			return false
		}
		addr, metrics = a[1], mu[1]
		return true
	})
	return addr, metrics
}

// scrape reads /metrics with Prometheus' text parser.
func scrape(t *testing.T, u, token string) map[string]*dto.MetricFamily {
	t.Helper()
	req, _ := http.NewRequest("GET", u, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape: %s", resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	f, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	return f
}

// matches tells whether m has every label of want.
func matches(m *dto.Metric, want map[string]string) bool {
	n := 0
	for _, l := range m.GetLabel() {
		if v, ok := want[l.GetName()]; ok {
			if v != l.GetValue() {
				return false
			}
			n++
		}
	}
	return n == len(want)
}

// metricValue adds up the counters, gauges or histogram counts of name whose
// labels include want.
func metricValue(f map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	var v float64
	for _, m := range f[name].GetMetric() {
		if !matches(m, want) {
			continue
		}
		switch {
		case m.Counter != nil:
			v += m.GetCounter().GetValue()
		case m.Gauge != nil:
			v += m.GetGauge().GetValue()
		case m.Histogram != nil:
			v += float64(m.GetHistogram().GetSampleCount())
		}
	}
	return v
}

// gauge is the value of an unlabelled gauge; -1 when absent.
func gauge(f map[string]*dto.MetricFamily, name string) float64 {
	if f[name] == nil || len(f[name].GetMetric()) == 0 {
		return -1
	}
	return metricValue(f, name, nil)
}

func histogram(f map[string]*dto.MetricFamily, name string, want map[string]string) *dto.Histogram {
	for _, m := range f[name].GetMetric() {
		if matches(m, want) {
			return m.GetHistogram()
		}
	}
	return nil
}

// bucket is the cumulative count at upper bound le.
func bucket(h *dto.Histogram, le float64) uint64 {
	for _, b := range h.GetBucket() {
		if b.GetUpperBound() == le {
			return b.GetCumulativeCount()
		}
	}
	return 0
}
