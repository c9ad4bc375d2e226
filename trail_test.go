package legajo_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/archive"
	"github.com/sesver/legajo/fixtures"
	"github.com/sesver/legajo/generators/pdf"
	"github.com/sesver/legajo/generators/xlsx"
	"github.com/sesver/legajo/templates"
)

// stepClock reads as the time it was set to, plus one minute per reading.
type stepClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *stepClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Minute)
	return c.t
}

func (c *stepClock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

var mexico = func() *time.Location {
	z, err := time.LoadLocation("America/Mexico_City")
	if err != nil {
		panic(err)
	}
	return z
}()

func day(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, mexico)
	if err != nil {
		panic(err)
	}
	return t
}

// trailArchive files a small year of activity through a real Office on an
// fs archive in dir: documents in three expedientes, acuses (a PDF and a
// JPEG scan), an attachment, a cancellation and a received oficio, plus a
// document of December 2024.
func trailArchive(t testing.TB, dir string) (*legajo.Office, *stepClock) {
	t.Helper()
	ctx := context.Background()
	st, err := archive.OpenFS(dir)
	if err != nil {
		t.Fatal(err)
	}
	a, err := archive.New(st, legajo.DefaultExpedientes())
	if err != nil {
		t.Fatal(err)
	}
	cat, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	r, err := pdf.New(pdf.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := &stepClock{}
	o := &legajo.Office{Catalog: cat, Archive: a, Renderer: r, Institution: fixtures.Institution(),
		Directory: fixtures.Directory(), Zone: mexico, Now: c.now}
	data := func(name string) map[string]any {
		t.Helper()
		d, err := fixtures.SampleData(name)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	emit := func(at, name, exp, tramite, author string) legajo.Folio {
		t.Helper()
		c.set(day(at))
		typ, _, _ := strings.Cut(name, ".")
		res, err := o.Emit(ctx, legajo.EmitRequest{Type: typ, Data: data(name), Expediente: exp, Tramite: tramite, Author: author})
		if err != nil {
			t.Fatalf("emit %s: %v", name, err)
		}
		f, err := legajo.ParseFolio(res.Folio, o.Institution.FolioPrefix)
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	must := func(_ legajo.Entry, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	old := emit("2024-12-10 10:00", "oficio-liberacion", "", "SICIP", "ana")
	c.set(day("2024-12-12 12:00"))
	must(o.Acuse(ctx, old, fixtures.TextPDF("Acuse firmado del oficio de liberacion", "Recibido el 12/12/2024"), "acuse.pdf", "ana"))

	minuta := emit("2026-03-02 09:30", "minuta", "", "SICIP", "ana")
	cuenta := emit("2026-03-05 11:00", "acuse-cuenta-correo", "", "", "beto")
	c.set(day("2026-03-06 13:15"))
	must(o.Acuse(ctx, cuenta, fixtures.ScanJPEG(), "acuse-cuenta.jpg", "beto"))
	c.set(day("2026-04-10 09:15"))
	if _, err := o.Receive(ctx, legajo.ReceiveRequest{Data: map[string]any{
		"tipo": "Oficio", "referencia": "SESVER/DAM/0456/2026", "fecha_recepcion": "2026-04-10", "hora_recepcion": "09:05",
		"remitente": "Dr. Ramón Núñez Herrera", "cargo": "Director de Atención Médica", "area": "Dirección de Atención Médica",
		"asunto": "Solicitud de ampliación del módulo de citas del SICIP", "anexos": "1", "turnado_a": "Sección de Sistemas",
	}, Scan: fixtures.TextPDF("Oficio SESVER/DAM/0456/2026", "Solicitud de ampliacion del modulo de citas"), ScanName: "oficio.pdf",
		Tramite: "SICIP", Author: "carla"}); err != nil {
		t.Fatal(err)
	}
	emit("2026-05-20 10:00", "dictamen-tecnico.baja", "baja-equipo", "", "beto")
	emit("2026-06-01 16:00", "reporte-cierre", "", "", "dlopez")
	emit("2026-06-15 12:00", "restablecimiento-contrasena", "", "", "beto")
	lib := emit("2026-07-01 10:00", "oficio-liberacion", "", "SICIP", "ana")
	c.set(day("2026-07-01 10:30"))
	must(o.Attach(ctx, lib, fixtures.TextPDF("Manual del usuario del SICIP", "Version 1.0", "Capitulo 1. Acceso al sistema"), "manual.pdf", "Manual del usuario del SICIP", "ana"))
	c.set(day("2026-07-03 17:45"))
	must(o.Cancel(ctx, minuta, "Se sustituye por la minuta corregida con los acuerdos completos.", "ana"))
	c.set(day("2026-08-04 09:00"))
	must(o.Acuse(ctx, lib, fixtures.TextPDF("Acuse firmado del oficio de liberacion", "Recibido el 04/08/2026"), "acuse-lib.pdf", "ana"))
	c.set(day("2027-01-15 10:00"))
	return o, c
}

// TestTrail runs the tests that only read an archive on one archive: filing
// it takes most of a second (the fs store syncs every object).
func TestTrail(t *testing.T) {
	o, _ := trailArchive(t, t.TempDir())
	t.Run("OrderAndStatus", func(t *testing.T) { testTrailOrderAndStatus(t, o) })
	t.Run("Filters", func(t *testing.T) { testTrailFilters(t, o) })
	t.Run("StopsOnCallbackError", func(t *testing.T) { testTrailStopsOnCallbackError(t, o) })
	t.Run("SummariesAndRetention", func(t *testing.T) { testSummariesAndRetention(t, o) })
	t.Run("RegistryEvents", func(t *testing.T) { testRegistryEvents(t, o) })
}

func collect(t *testing.T, o *legajo.Office, f legajo.TrailFilter) []legajo.TrailEvent {
	t.Helper()
	var out []legajo.TrailEvent
	if err := o.Trail(context.Background(), f, func(ev legajo.TrailEvent) error {
		out = append(out, ev)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func testTrailOrderAndStatus(t *testing.T, o *legajo.Office) {
	all := collect(t, o, legajo.TrailFilter{})
	for i := 1; i < len(all); i++ {
		if all[i].At.Before(all[i-1].At) {
			t.Errorf("row %d (%s %s) is before row %d", i, all[i].Folio, all[i].At, i-1)
		}
	}
	var lines []string
	for _, ev := range all {
		lines = append(lines, fmt.Sprintf("%s %s %s %s %s %s filed=%v", ev.At.Format("2006-01-02 15:04"), ev.Expediente, ev.Event, ev.Folio, ev.Tanto, ev.Status, ev.Filed))
	}
	got := strings.Join(lines, "\n")
	for _, want := range []string{
		"2024-12-10 10:01 dti emitido SESVER/DA/DTI/OL/0001/2024 ORIGINAL pendiente de acuse filed=false",
		"2024-12-10 10:01 dti emitido SESVER/DA/DTI/OL/0001/2024 COPIA pendiente de acuse filed=true",
		"2024-12-12 12:01 dti acuse SESVER/DA/DTI/OL/0001/2024  acusado filed=true",
		"2026-03-06 13:16 correos acuse SESVER/DA/DTI/CC/0001/2026  acusado filed=true",
		"2026-04-10 09:16 oficios-recibidos recibido SESVER/DA/DTI/RE/0001/2026  recibido filed=true",
		"2026-07-01 10:31 dti anexo SESVER/DA/DTI/OL/0001/2026  pendiente de acuse filed=true",
		"2026-07-03 17:46 dti cancelado SESVER/DA/DTI/MI/0001/2026  cancelado filed=false",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("trail lacks %q:\n%s", want, got)
		}
	}
	// the minuta's emission row says what it was then, not what it became
	for _, ev := range all {
		if ev.Folio == "SESVER/DA/DTI/MI/0001/2026" && ev.Event == legajo.EventEmitido && ev.Status == legajo.StatusCancelado {
			t.Errorf("emission row of the cancelled minuta says %q", ev.Status)
		}
		if ev.Key != "" && (ev.SHA256 == "" || ev.Size == 0) {
			t.Errorf("%s: no hash", ev.Key)
		}
		if ev.Event == legajo.EventEmitido && (ev.Subject == "" || ev.Area == "" || ev.Title == "") {
			t.Errorf("%s %s: asunto %q área %q título %q", ev.Folio, ev.Tanto, ev.Subject, ev.Area, ev.Title)
		}
	}
}

func testTrailFilters(t *testing.T, o *legajo.Office) {
	folios := func(evs []legajo.TrailEvent) string {
		var out []string
		for _, ev := range evs {
			s := ev.Folio + ":" + string(ev.Event)
			if len(out) == 0 || out[len(out)-1] != s {
				out = append(out, s)
			}
		}
		return strings.Join(out, " ")
	}
	cases := []struct {
		name string
		f    legajo.TrailFilter
		want string
	}{
		{"expediente and year", legajo.TrailFilter{Expediente: "dti", From: day("2026-01-01 00:00"), To: day("2027-01-01 00:00")},
			"SESVER/DA/DTI/MI/0001/2026:emitido SESVER/DA/DTI/CS/0001/2026:emitido SESVER/DA/DTI/OL/0001/2026:emitido SESVER/DA/DTI/OL/0001/2026:anexo SESVER/DA/DTI/MI/0001/2026:cancelado SESVER/DA/DTI/OL/0001/2026:acuse"},
		{"trámite across expedientes, any case", legajo.TrailFilter{Tramite: "sicip"},
			"SESVER/DA/DTI/OL/0001/2024:emitido SESVER/DA/DTI/OL/0001/2024:acuse SESVER/DA/DTI/MI/0001/2026:emitido SESVER/DA/DTI/RE/0001/2026:recibido SESVER/DA/DTI/OL/0001/2026:emitido SESVER/DA/DTI/OL/0001/2026:anexo SESVER/DA/DTI/MI/0001/2026:cancelado SESVER/DA/DTI/OL/0001/2026:acuse"},
		{"type", legajo.TrailFilter{Type: "acuse-cuenta-correo"},
			"SESVER/DA/DTI/CC/0001/2026:emitido SESVER/DA/DTI/CC/0001/2026:acuse"},
		{"área without accents", legajo.TrailFilter{Area: "atencion medica"},
			"SESVER/DA/DTI/RE/0001/2026:recibido"},
		{"person named in the fields, and the acuse of that document", legajo.TrailFilter{Person: "KARLA montiel"},
			"SESVER/DA/DTI/CC/0001/2026:emitido SESVER/DA/DTI/CC/0001/2026:acuse"},
		{"person with ñ typed as n", legajo.TrailFilter{Person: "ramon nunez"},
			"SESVER/DA/DTI/RE/0001/2026:recibido"},
		{"author", legajo.TrailFilter{Person: "dlopez"},
			"SESVER/DA/DTI/CS/0001/2026:emitido"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := folios(collect(t, o, c.f)); got != c.want {
				t.Errorf("got  %s\nwant %s", got, c.want)
			}
		})
	}
	err := o.Trail(context.Background(), legajo.TrailFilter{Expediente: "no-existe"}, func(legajo.TrailEvent) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "No existe el expediente") {
		t.Errorf("unknown expediente: %v", err)
	}
	err = o.Trail(context.Background(), legajo.TrailFilter{From: day("2026-02-01 00:00"), To: day("2026-01-01 00:00")}, func(legajo.TrailEvent) error { return nil })
	if err == nil {
		t.Error("an empty period is accepted")
	}
}

func testTrailStopsOnCallbackError(t *testing.T, o *legajo.Office) {
	stop := fmt.Errorf("enough")
	n := 0
	err := o.Trail(context.Background(), legajo.TrailFilter{}, func(legajo.TrailEvent) error {
		n++
		if n == 3 {
			return stop
		}
		return nil
	})
	if err != stop || n != 3 {
		t.Errorf("err %v after %d rows", err, n)
	}
}

func TestTrailFojasAndTampering(t *testing.T) {
	dir := t.TempDir()
	o, _ := trailArchive(t, dir)
	pages := func(b []byte) (int, error) { return pdf.PageCount(b) }
	evs := collect(t, o, legajo.TrailFilter{Expediente: "correos", Pages: pages})
	for _, ev := range evs {
		if ev.Key != "" && ev.Fojas == 0 {
			t.Errorf("%s: fojas not counted", ev.Key)
		}
	}
	// Tamper with one filed PDF: the verification of the trail says so.
	key := evs[0].Key
	path := filepath.Join(dir, filepath.FromSlash(key))
	os.Chmod(path, 0o644)
	b, _ := os.ReadFile(path)
	if err := os.WriteFile(path, append(b, "% retocado\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	vs, err := o.VerifyTrail(context.Background(), []string{"correos"})
	if err != nil {
		t.Fatal(err)
	}
	info := legajo.TrailInfo{Verifications: vs}
	if info.Verified() || !strings.Contains(info.VerificationSummary(), "VERIFICACIÓN FALLIDA") ||
		!strings.Contains(strings.Join(info.VerificationLines(), "\n"), key) {
		t.Errorf("tampered archive: %q", info.VerificationLines())
	}
}

func testSummariesAndRetention(t *testing.T, o *legajo.Office) {
	ctx := context.Background()
	sums, err := o.Summaries(ctx, "", func(b []byte) (int, error) { return pdf.PageCount(b) })
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range sums {
		got = append(got, fmt.Sprintf("%s %s docs=%d events=%d files=%d fojas=%d %s–%s closed=%v due=%s",
			s.Expediente.ID, s.Clasificacion(), s.Documents, s.Events, s.Files, s.Fojas,
			legajo.ShortDate(s.Apertura), legajo.ShortDate(s.Cierre), s.Closed, dueDate(s.TransferDue)))
	}
	// On 15 January 2027 every 2026 unit is closed; fojas are those of the
	// kept files: the filed tanto of each document, its acuse and annexes.
	want := []string{
		"baja-equipo SESVER.06C.17/2026/1 docs=1 events=1 files=1 fojas=2 20/05/2026–20/05/2026 closed=true due=20/05/2029",
		"oficios-recibidos SESVER.08C.01/2026/1 docs=1 events=1 files=1 fojas=1 10/04/2026–10/04/2026 closed=true due=10/04/2028",
		"dti SESVER.08C.09/2024/1 docs=1 events=2 files=2 fojas=3 10/12/2024–10/12/2024 closed=true due=10/12/2026",
		"dti SESVER.08C.09/2026/1 docs=3 events=6 files=5 fojas=9 02/03/2026–01/07/2026 closed=true due=01/07/2028",
		"correos SESVER.08C.10/2026/1 docs=2 events=3 files=3 fojas=3 05/03/2026–15/06/2026 closed=true due=15/06/2028",
	}
	if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
		t.Errorf("summaries:\n%s\nwant\n%s", g, w)
	}
	// Each folio serie has its own range; the exemplar kept decides
	// Original or Copia; paper originals make the expediente híbrido.
	got = nil
	for _, s := range sums {
		got = append(got, fmt.Sprintf("%s/%d %s · originales %d, copias %d · %s", s.Expediente.ID, s.Year, s.FolioRanges(), s.Originales, s.Copias, s.Soporte()))
	}
	want = []string{
		"baja-equipo/2026 DT/0001/2026 (1) · originales 0, copias 1 · Híbrido",
		"oficios-recibidos/2026 RE/0001/2026 (1) · originales 1, copias 0 · Híbrido",
		"dti/2024 OL/0001/2024 (1) · originales 0, copias 1 · Híbrido",
		"dti/2026 CS/0001/2026 (1); MI/0001/2026 (1); OL/0001/2026 (1) · originales 2, copias 1 · Híbrido",
		"correos/2026 CC/0001/2026 (1); RC/0001/2026 (1) · originales 2, copias 0 · Híbrido",
	}
	if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
		t.Errorf("series, tantos and soporte:\n%s\nwant\n%s", g, w)
	}
	// On 15 January 2027 the 2024 unit of dti is past its two years in trámite.
	items := legajo.Retention(sums, day("2027-01-15 10:00"))
	if len(items) != 1 || items[0].Summary.Expediente.ID != "dti" || items[0].Action != legajo.DispositionTransfer {
		t.Errorf("retention: %+v", items)
	}
	rows, err := legajo.InventoryRows(legajo.InventoryTransferencia, sums, day("2027-01-15 10:00"))
	if err != nil || len(rows) != 1 {
		t.Errorf("transferencia: %v %d", err, len(rows))
	}
	if _, err := legajo.InventoryRows("otro", sums, time.Now()); err == nil {
		t.Error("an unknown inventory kind is accepted")
	}
	one, err := o.Summary(ctx, "dti", 2026, nil)
	if err != nil || one.Documents != 3 || one.Fojas != 0 {
		t.Errorf("summary dti 2026: %v %+v", err, one)
	}
	if _, err := o.Summary(ctx, "dti", 2019, nil); err == nil {
		t.Error("a year without documents has a summary")
	}
}

func dueDate(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return legajo.ShortDate(t)
}

func testRegistryEvents(t *testing.T, o *legajo.Office) {
	// The padrón's documents, read as ReplayRegistros reads them.
	r := legajo.Registry{ID: "padron-correo", Types: legajo.PadronCorreo().Types}
	evs, err := o.RegistryEvents(context.Background(), r)
	if err != nil {
		t.Fatal(err)
	}
	fields := 0
	for _, ev := range evs {
		if ev.Fields["cuenta"].Text != "" {
			fields++
		}
		for name, v := range ev.Fields {
			if strings.Contains(name, "contrasena") || strings.Contains(v.Text, "Vq7#") {
				t.Errorf("a secret reached the registry's events: %s", name)
			}
		}
	}
	if fields == 0 {
		t.Error("no event carries the account's fields")
	}
	if _, err := legajo.RegistryByID("nada"); err == nil {
		t.Error("unknown registry accepted")
	}
}

// BenchmarkTrail walks the chain of an expediente of 2,000 issued
// documents (4,000 filed tantos) on the fs archive: the trail alone, the
// trail counting fojas (it reads and parses every PDF), and the chain
// verification every export runs. Filing the archive takes a minute:
//
//	go test -run '^$' -bench Trail -benchtime 3x .
func BenchmarkTrail(b *testing.B) {
	const docs = 2000
	ctx := context.Background()
	st, err := archive.OpenFS(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	a, err := archive.New(st, legajo.DefaultExpedientes())
	if err != nil {
		b.Fatal(err)
	}
	cat, err := templates.Load()
	if err != nil {
		b.Fatal(err)
	}
	r, err := pdf.New(pdf.Options{})
	if err != nil {
		b.Fatal(err)
	}
	c := &stepClock{t: day("2026-01-02 08:00")}
	o := &legajo.Office{Catalog: cat, Archive: a, Renderer: r, Institution: fixtures.Institution(),
		Directory: fixtures.Directory(), Zone: mexico, Now: c.now}
	data, err := fixtures.SampleData("oficio-liberacion")
	if err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	work := make(chan int)
	for range 8 {
		wg.Go(func() {
			for range work {
				if _, err := o.Emit(ctx, legajo.EmitRequest{Type: "oficio-liberacion", Data: data, Tramite: "SICIP", Author: "bench"}); err != nil {
					b.Error(err)
				}
			}
		})
	}
	for i := range docs {
		work <- i
	}
	close(work)
	wg.Wait()
	run := func(name string, f legajo.TrailFilter) {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			n := 0
			for b.Loop() {
				n = 0
				if err := o.Trail(ctx, f, func(legajo.TrailEvent) error { n++; return nil }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/event")
		})
	}
	run("expediente", legajo.TrailFilter{Expediente: "dti"})
	run("all-expedientes", legajo.TrailFilter{})
	run("expediente+fojas", legajo.TrailFilter{Expediente: "dti", Pages: pdf.PageCount})
	// What «legajo trail --expediente dti --format xlsx» does: the trail
	// with fojas, the chain verification and the workbook.
	b.Run("export-xlsx", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			tw, err := xlsx.NewTrail(io.Discard)
			if err != nil {
				b.Fatal(err)
			}
			if err := o.Trail(ctx, legajo.TrailFilter{Expediente: "dti", Pages: pdf.PageCount}, tw.Add); err != nil {
				b.Fatal(err)
			}
			vs, err := o.VerifyTrail(ctx, []string{"dti"})
			if err != nil {
				b.Fatal(err)
			}
			if err := tw.Close(legajo.TrailInfo{Verifications: vs}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("verify", func(b *testing.B) {
		for b.Loop() {
			if _, err := o.VerifyTrail(ctx, []string{"dti"}); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestSummaryMedium: correspondence received by e-mail is electronic, on
// paper otherwise; folios of one serie make one range, from the lowest to
// the highest, whatever the order they were filed in.
func TestSummaryMedium(t *testing.T) {
	ctx := context.Background()
	st, err := archive.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	a, err := archive.New(st, legajo.DefaultExpedientes())
	if err != nil {
		t.Fatal(err)
	}
	cat, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	c := &stepClock{}
	o := &legajo.Office{Catalog: cat, Archive: a, Institution: fixtures.Institution(), Directory: fixtures.Directory(), Zone: mexico, Now: c.now}
	receive := func(at, tipo, exp string) {
		t.Helper()
		c.set(day(at))
		if _, err := o.Receive(ctx, legajo.ReceiveRequest{Data: map[string]any{
			"tipo": tipo, "fecha_recepcion": at[:10], "hora_recepcion": at[11:], "remitente": "Lic. Sofía Ramírez Cano",
			"cargo": "Jefa de Comunicación Social", "area": "Comunicación Social", "asunto": "Requerimiento de diseño de cartel",
		}, Scan: fixtures.TextPDF("Requerimiento"), ScanName: "req.pdf", Expediente: exp, Author: "carla"}); err != nil {
			t.Fatal(err)
		}
	}
	receive("2026-02-03 10:00", "Correo electrónico", "diseno-grafico")
	receive("2026-02-04 10:00", "Correo electrónico", "diseno-grafico")
	receive("2026-02-05 10:00", "Oficio", "oficios-recibidos")
	receive("2026-02-06 10:00", "Correo electrónico", "diseno-grafico")
	c.set(day("2027-01-15 10:00"))
	sums, err := o.Summaries(ctx, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range sums {
		got = append(got, fmt.Sprintf("%s %s · originales %d · %s · %s", s.Expediente.ID, s.FolioRanges(), s.Originales, s.Soporte(), s.Description()))
	}
	want := []string{
		"oficios-recibidos RE/0003/2026 (1) · originales 1 · Híbrido · Oficios, tarjetas y formatos de solicitud que las áreas y dependencias dirigen al Departamento de Tecnologías de la Información, registrados al recibirse con su fecha y hora, remitente y turno.",
		"diseno-grafico RE/0001/2026 al RE/0004/2026 (3) · originales 3 · Electrónico · Requerimientos de diseño gráfico recibidos por correo electrónico y los productos entregados.",
	}
	if g, w := strings.Join(got, "\n"), strings.Join(want, "\n"); g != w {
		t.Errorf("summaries:\n%s\nwant\n%s", g, w)
	}
	// Without a description, the asunto names the kinds of documents, never a count.
	s := sums[1]
	s.Expediente.Description = ""
	if d := s.Description(); d != "Contiene: Correo electrónico recibido." {
		t.Errorf("asunto without a description: %q", d)
	}
}

// TestExpedienteDescription: a description the carátula cannot print
// whole, or with a character it cannot print, is refused with the
// configuration.
func TestExpedienteDescription(t *testing.T) {
	for _, e := range legajo.DefaultExpedientes() {
		if err := e.Validate(); err != nil || e.Description == "" {
			t.Errorf("default %s: %v, description %q", e.ID, err, e.Description)
		}
	}
	e := legajo.DefaultExpedientes()[1]
	for _, c := range []struct {
		desc string
		ok   bool
	}{
		{"", true},
		{strings.Repeat("ñ", legajo.MaxDescription), true},
		{strings.Repeat("ñ", legajo.MaxDescription+1), false},
		{"Solicitudes de diseño ✓", false},
	} {
		e.Description = c.desc
		if err := e.Validate(); (err == nil) != c.ok {
			t.Errorf("description of %d characters (%.20q): %v", len([]rune(c.desc)), c.desc, err)
		}
	}
}
