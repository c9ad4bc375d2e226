package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/archive"
	"github.com/sesver/legajo/fixtures"
	"github.com/sesver/legajo/generators/pdf"
	"github.com/sesver/legajo/generators/xlsx"
	"github.com/sesver/legajo/templates"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var mexico = func() *time.Location {
	z, err := time.LoadLocation("America/Mexico_City")
	if err != nil {
		panic(err)
	}
	return z
}()

func mx(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, mexico)
	if err != nil {
		panic(err)
	}
	return t
}

// exportedAt is when the auditor runs the exports in these tests.
var exportedAt = mx("2027-01-15 10:00")

// testKeyFile is a signing key made for the tests only.
var testKeyFile, _ = filepath.Abs("testdata/firma-prueba.key")

// runAt runs the real Main at a fixed time, as user auditor.oic.
func runAt(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	// A fixed key and clock make the signed log, and so the bundles, the
	// same on every run.
	e := map[string]string{"USER": "auditor.oic", "LEGAJO_SIGNING_KEY_FILE": testKeyFile}
	for k, v := range env {
		e[k] = v
	}
	m := &Main{Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return e[k] }, Now: func() time.Time { return exportedAt }}
	code := m.Run(context.Background(), args)
	return code, out.String(), errb.String()
}

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

func (c *stepClock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

// fileYear files a small year of activity into LEGAJO_DATA=dir through a
// real Office on the fs archive the CLI opens, with the CLI's default
// configuration: documents in three expedientes, a PDF and a JPEG acuse,
// an attachment, a cancellation, a received oficio, an e-mail account form
// with its password, and a document of December 2024.
func fileYear(t *testing.T, dir string) {
	t.Helper()
	ctx := context.Background()
	st, err := archive.OpenFS(filepath.Join(dir, "archive"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a, err := archive.New(st, legajo.DefaultExpedientes())
	if err != nil {
		t.Fatal(err)
	}
	skey, err := os.ReadFile(testKeyFile)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := archive.ParseSigner(string(skey))
	if err != nil {
		t.Fatal(err)
	}
	a.UseKey(signer)
	cat, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	// Uncompressed: the goldens carry the files' SHA-256, which must not
	// change with the Go release's deflate.
	r, err := pdf.New(pdf.Options{Uncompressed: true})
	if err != nil {
		t.Fatal(err)
	}
	// The account the exports run as: instruments print its name.
	if _, err := a.SaveUser(ctx, legajo.User{Login: "auditor.oic", Name: "Mtra. Gabriela Ortiz Lagunes", Role: legajo.RoleAuditor,
		PasswordHash: "$2a$10$invalidinvalidinvalidinvalidinvalidinvalidinvalidinva"}); err != nil {
		t.Fatal(err)
	}
	c := &stepClock{}
	o := &legajo.Office{Catalog: cat, Archive: a, Renderer: r, Institution: fixtures.Institution(),
		Directory: fixtures.Directory(), Zone: mexico, Now: c.now}
	emit := func(at, name, exp, tramite, author string) legajo.Folio {
		t.Helper()
		c.set(mx(at))
		typ, _, _ := strings.Cut(name, ".")
		data, err := fixtures.SampleData(name)
		if err != nil {
			t.Fatal(err)
		}
		res, err := o.Emit(ctx, legajo.EmitRequest{Type: typ, Data: data, Expediente: exp, Tramite: tramite, Author: author})
		if err != nil {
			t.Fatalf("emit %s: %v", name, err)
		}
		f, _ := legajo.ParseFolio(res.Folio, o.Institution.FolioPrefix)
		return f
	}
	must := func(_ legajo.Entry, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	old := emit("2024-12-10 10:00", "oficio-liberacion", "", "SICIP", "ana")
	c.set(mx("2024-12-12 12:00"))
	must(o.Acuse(ctx, old, scanPDF("Acuse firmado del oficio de liberacion", "Recibido el 12/12/2024"), "acuse.pdf", "ana"))
	minuta := emit("2026-03-02 09:30", "minuta", "", "SICIP", "ana")
	cuenta := emit("2026-03-05 11:00", "acuse-cuenta-correo", "", "", "beto")
	c.set(mx("2026-03-06 13:15"))
	must(o.Acuse(ctx, cuenta, fixtures.ScanJPEG(), "acuse-cuenta.jpg", "beto"))
	c.set(mx("2026-04-10 09:15"))
	if _, err := o.Receive(ctx, legajo.ReceiveRequest{Data: map[string]any{
		"tipo": "Oficio", "referencia": "SESVER/DAM/0456/2026", "fecha_recepcion": "2026-04-10", "hora_recepcion": "09:05",
		"remitente": "Dr. Ramón Núñez Herrera", "cargo": "Director de Atención Médica", "area": "Dirección de Atención Médica",
		"asunto": "Solicitud de ampliación del módulo de citas del SICIP", "anexos": "1", "turnado_a": "Sección de Sistemas",
	}, Scan: scanPDF("Oficio SESVER/DAM/0456/2026", "Solicitud de ampliacion del modulo de citas"), ScanName: "oficio.pdf",
		Tramite: "SICIP", Author: "carla"}); err != nil {
		t.Fatal(err)
	}
	emit("2026-05-20 10:00", "dictamen-tecnico.baja", "baja-equipo", "", "beto")
	emit("2026-06-01 16:00", "reporte-cierre", "", "", "dlopez")
	emit("2026-06-15 12:00", "restablecimiento-contrasena", "", "", "beto")
	lib := emit("2026-07-01 10:00", "oficio-liberacion", "", "SICIP", "ana")
	c.set(mx("2026-07-01 10:30"))
	must(o.Attach(ctx, lib, scanPDF("Manual del usuario del SICIP", "Version 1.0"), "manual.pdf", "Manual del usuario del SICIP", "ana"))
	c.set(mx("2026-07-03 17:45"))
	must(o.Cancel(ctx, minuta, "Se sustituye por la minuta corregida con los acuerdos completos.", "ana"))
	c.set(mx("2026-08-04 09:00"))
	must(o.Acuse(ctx, lib, scanPDF("Acuse firmado del oficio de liberacion", "Recibido el 04/08/2026"), "acuse-lib.pdf", "ana"))
}

// scanPDF is a one-page PDF with ASCII lines, as a scanner with OCR makes.
func scanPDF(lines ...string) []byte {
	var content strings.Builder
	content.WriteString("BT /F1 14 Tf 72 700 Td 20 TL\n")
	for _, l := range lines {
		fmt.Fprintf(&content, "(%s) Tj T*\n", l)
	}
	content.WriteString("ET")
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
		"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", content.Len(), content.String()),
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}

// testdata is absolute: a test may change its working directory.
var testdata = func() string {
	d, err := filepath.Abs("testdata")
	if err != nil {
		panic(err)
	}
	return d
}()

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join(testdata, name)
	if *update {
		if err := os.MkdirAll(testdata, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("missing golden file (run go test -update and look at it): %v", err)
	}
	if got != string(want) {
		w, g := strings.Split(string(want), "\n"), strings.Split(got, "\n")
		for i := range max(len(w), len(g)) {
			var a, b string
			if i < len(w) {
				a = w[i]
			}
			if i < len(g) {
				b = g[i]
			}
			if a != b {
				t.Errorf("%s differs from its golden file at line %d (run with -update if intended and look at it):\n- %s\n+ %s", name, i+1, a, b)
				return
			}
		}
	}
}

func dumpXLSX(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := xlsx.Dump(f)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// pdfText is the golden form of a PDF: its page count and each page's
// text, from poppler's pdftotext (which CI installs).
func pdfText(t *testing.T, path string) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftotext is missing: .ci/run must install poppler-utils")
		}
		t.Skip("pdftotext not installed (apt-get install poppler-utils)")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n, err := pdf.PageCount(b)
	if err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "páginas: %d\n", n)
	space := regexp.MustCompile(`\s+`)
	for i, p := range strings.Split(strings.TrimSuffix(string(out), "\f"), "\f") {
		fmt.Fprintf(&sb, "--- página %d\n%s\n", i+1, strings.TrimSpace(space.ReplaceAllString(p, " ")))
	}
	return sb.String()
}

// password is the secret of the e-mail account form in the fixtures.
func password(t *testing.T) string {
	raw, err := os.ReadFile("../../fixtures/documents/acuse-cuenta-correo.json")
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	json.Unmarshal(raw, &fields)
	s, _ := fields["contrasena"].(string)
	if s == "" {
		t.Fatal("the fixture has no password to look for")
	}
	return s
}

// TestExportsCLI runs every export of the auditors and the records clerk
// on one archive (filing it is most of the cost).
func TestExportsCLI(t *testing.T) {
	data := t.TempDir()
	fileYear(t, data)
	t.Run("Trail", func(t *testing.T) { testTrailCLI(t, data) })
	t.Run("Instruments", func(t *testing.T) { testInstrumentsCLI(t, data) })
	t.Run("Audit", func(t *testing.T) { testAuditCLI(t, data) })
}

// testTrailCLI exports the trail of the Expediente del DTI for 2026 in every
// format, against golden files, and checks that the bundle's hashes are
// the archive's.
func testTrailCLI(t *testing.T, data string) {
	env := map[string]string{"LEGAJO_DATA": data}
	out := t.TempDir()
	secret := password(t)
	for _, f := range []string{"xlsx", "csv", "json", "pdf"} {
		t.Run(f, func(t *testing.T) {
			path := filepath.Join(out, "rastro."+f)
			code, stdout, stderr := runAt(t, env, "trail", "--expediente", "dti", "--year", "2026", "--out", path)
			if code != 0 {
				t.Fatalf("exit %d: %s %s", code, stdout, stderr)
			}
			if !strings.Contains(stdout, "Cadena íntegra") {
				t.Errorf("stdout does not give the verification: %s", stdout)
			}
			var got string
			switch f {
			case "xlsx":
				got = dumpXLSX(t, path)
			case "pdf":
				got = pdfText(t, path)
			default:
				b, _ := os.ReadFile(path)
				got = string(b)
			}
			if strings.Contains(got, secret) {
				t.Errorf("the password reached the %s trail", f)
			}
			golden(t, "trail-dti-2026."+f+".golden", got)
		})
	}
	csvBytes, _ := os.ReadFile(filepath.Join(out, "rastro.csv"))
	if !bytes.HasPrefix(csvBytes, []byte("\xEF\xBB\xBF")) {
		t.Error("the CSV has no byte-order mark: Excel would garble the accents")
	}
	// The bundle's closing page lists the SHA-256 of every kept file, as
	// the archive holds it.
	var trail struct {
		Events []legajo.TrailEvent
	}
	jb, _ := os.ReadFile(filepath.Join(out, "rastro.json"))
	if err := json.Unmarshal(jb, &trail); err != nil {
		t.Fatal(err)
	}
	bundle := pdfText(t, filepath.Join(out, "rastro.pdf"))
	fojas := 0
	for _, ev := range trail.Events {
		if !ev.Filed || ev.Key == "" {
			continue
		}
		fojas += ev.Fojas
		stored, err := os.ReadFile(filepath.Join(data, "archive", filepath.FromSlash(ev.Key)))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(stored)
		if h := hex.EncodeToString(sum[:]); h != ev.SHA256 || !strings.Contains(bundle, h) {
			t.Errorf("%s: the bundle does not carry its SHA-256 %s", ev.Key, h)
		}
	}
	// index, fojas, then the closing sheet (it carries the signed log's
	// checkpoint too, and may take two pages)
	closing := strings.Count(bundle, "Hoja de cierre del legajo")
	if want := fmt.Sprintf("páginas: %d\n", 1+fojas+closing); closing == 0 || !strings.HasPrefix(bundle, want) {
		t.Errorf("bundle: want %q (index, %d fojas, %d closing), got %q", want, fojas, closing, bundle[:20])
	}
	// --json gives one JSON value and writes the file all the same
	code, stdout, _ := runAt(t, env, "trail", "--tramite", "sicip", "--format", "csv", "--out", filepath.Join(out, "t.csv"), "--json")
	var sum struct {
		Events   int
		Verified bool
	}
	if code != 0 || json.Unmarshal([]byte(stdout), &sum) != nil || sum.Events == 0 || !sum.Verified {
		t.Errorf("trail --json: exit %d %s", code, stdout)
	}
}

// TestTrailTampered: one modified stored file makes every trail say so —
// the XLSX verification sheet, the bundle's closing page — and exit 1.
func TestTrailTampered(t *testing.T) {
	data := t.TempDir()
	fileYear(t, data)
	env := map[string]string{"LEGAJO_DATA": data}
	pdfs, _ := filepath.Glob(filepath.Join(data, "archive", "expedientes", "dti", "2026", "06", "*_copia.pdf"))
	pdfs2, _ := filepath.Glob(filepath.Join(data, "archive", "expedientes", "dti", "2026", "06", "*_original.pdf"))
	pdfs = append(pdfs, pdfs2...)
	if len(pdfs) == 0 {
		t.Fatal("nothing filed in June")
	}
	victim := pdfs[0]
	key := strings.TrimPrefix(filepath.ToSlash(victim), filepath.ToSlash(filepath.Join(data, "archive"))+"/")
	os.Chmod(victim, 0o644)
	b, _ := os.ReadFile(victim)
	if err := os.WriteFile(victim, append(b, "% retocado\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	code, stdout, stderr := runAt(t, env, "trail", "--expediente", "dti", "--format", "xlsx", "--out", filepath.Join(out, "r.xlsx"))
	if code != 1 || !strings.Contains(stderr, "la verificación de la cadena encontró 1 problema;") || !strings.Contains(stdout, "VERIFICACIÓN FALLIDA") {
		t.Errorf("tampered xlsx trail: exit %d\n%s\n%s", code, stdout, stderr)
	}
	_, sheet, _ := strings.Cut(dumpXLSX(t, filepath.Join(out, "r.xlsx")), `== hoja "Verificación"`)
	for _, want := range []string{"VERIFICACIÓN FALLIDA", "modificado", key} {
		if !strings.Contains(sheet, want) {
			t.Errorf("the verification sheet lacks %q:\n%s", want, sheet)
		}
	}
	code, _, _ = runAt(t, env, "trail", "--expediente", "dti", "--format", "pdf", "--out", filepath.Join(out, "r.pdf"))
	txt := pdfText(t, filepath.Join(out, "r.pdf"))
	_, closing, _ := strings.Cut(txt, "HOJA DE CIERRE Y VERIFICACIÓN DEL LEGAJO")
	if code != 1 || !strings.Contains(closing, "VERIFICACIÓN FALLIDA") || !strings.Contains(closing, "NO COINCIDE") || !strings.Contains(closing, key) {
		t.Errorf("tampered bundle: exit %d, closing page:\n%s", code, closing)
	}
}

func testInstrumentsCLI(t *testing.T, data string) {
	env := map[string]string{"LEGAJO_DATA": data}
	out := t.TempDir()
	secret := password(t)
	// Words an archivist must never read on an instrument: the archive's
	// directory, a storage path, a command, the login that made it.
	leaks := []string{data, "fs:", "archive/expedientes", "expedientes/dti", "legajo verify", "--expediente", "auditor.oic"}
	t.Run("caratula", func(t *testing.T) {
		path := filepath.Join(out, "caratula.pdf")
		if code, stdout, stderr := runAt(t, env, "caratula", "--expediente", "dti", "--year", "2026", "--out", path); code != 0 {
			t.Fatalf("exit %d: %s %s", code, stdout, stderr)
		}
		got := pdfText(t, path)
		if !strings.HasPrefix(got, "páginas: 1\n") {
			t.Errorf("the carátula must be one page:\n%s", got)
		}
		for _, bad := range leaks {
			if strings.Contains(got, bad) {
				t.Errorf("the carátula shows %q", bad)
			}
		}
		// What the expediente holds: documents issued on paper and signed
		// (híbrido), the filed original of some and the acuse copy of
		// others, and each serie's own range.
		for _, want := range []string{"[X] Híbrido", "[X] Original (", "[X] Copia (", "Elaboró Fecha Mtra. Gabriela Ortiz Lagunes",
			"Asunto (alcance y contenido) Documentos que emite el Departamento", "Oficio de liberación de sistema: OL/0001/2026 (1)"} {
			if !strings.Contains(got, want) {
				t.Errorf("the carátula lacks %q:\n%s", want, got)
			}
		}
		golden(t, "caratula-dti-2026.pdf.golden", got)
		// --author: a login prints its account's name; a name prints as
		// typed; with neither, a login never reaches the sheet.
		for author, want := range map[string]string{"auditor.oic": "Mtra. Gabriela Ortiz Lagunes", "Lic. Pedro Ávila Solís": "Lic. Pedro Ávila Solís"} {
			if code, _, stderr := runAt(t, env, "caratula", "--expediente", "dti", "--year", "2026", "--author", author, "--out", path); code != 0 {
				t.Fatalf("--author %s: exit %d %s", author, code, stderr)
			}
			if got := pdfText(t, path); !strings.Contains(got, "Elaboró Fecha "+want) {
				t.Errorf("--author %s: Elaboró is not %q:\n%s", author, want, got)
			}
		}
		if code, _, stderr := runAt(t, map[string]string{"LEGAJO_DATA": data, "USER": "root"}, "caratula", "--expediente", "dti", "--year", "2026", "--out", path); code != 0 {
			t.Fatalf("USER=root: exit %d %s", code, stderr)
		}
		if got := pdfText(t, path); strings.Contains(got, "root") || !strings.Contains(got, "Elaboró Fecha Firma 15/01/2027") {
			t.Errorf("a system login that is no account must leave Elaboró to fill by hand:\n%s", got)
		}
		if code, _, stderr := runAt(t, env, "caratula", "--expediente", "dti", "--year", "2019", "--out", path); code != 1 || !strings.Contains(stderr, "no tiene documentos de 2019") {
			t.Errorf("a year without documents: exit %d %s", code, stderr)
		}
	})
	for _, kind := range []string{"general", "transferencia", "baja"} {
		t.Run("inventario-"+kind, func(t *testing.T) {
			path := filepath.Join(out, "inv-"+kind+".xlsx")
			if code, stdout, stderr := runAt(t, env, "inventario", "--tipo", kind, "--out", path); code != 0 {
				t.Fatalf("exit %d: %s %s", code, stdout, stderr)
			}
			golden(t, "inventario-"+kind+".xlsx.golden", dumpXLSX(t, path))
			// The same inventory as a PDF to print and sign.
			pdfPath := filepath.Join(out, "inv-"+kind+".pdf")
			if code, stdout, stderr := runAt(t, env, "inventario", "--tipo", kind, "--out", pdfPath); code != 0 {
				t.Fatalf("pdf: exit %d: %s %s", code, stdout, stderr)
			}
			got := pdfText(t, pdfPath)
			for _, bad := range leaks {
				if strings.Contains(got, bad) {
					t.Errorf("the PDF inventory shows %q", bad)
				}
			}
			if !strings.Contains(got, "Página 1 de ") || !strings.Contains(got, "Mtra. Gabriela Ortiz Lagunes") || !strings.Contains(got, "Totales") {
				t.Errorf("the PDF inventory lacks its page numbers, who made it or its totals:\n%s", got)
			}
			golden(t, "inventario-"+kind+".pdf.golden", got)
		})
	}
	t.Run("retencion", func(t *testing.T) {
		code, stdout, stderr := runAt(t, env, "retencion", "--json")
		var items []struct {
			Expediente, Clasificacion, Action string
		}
		if code != 0 || json.Unmarshal([]byte(stdout), &items) != nil {
			t.Fatalf("exit %d: %s %s", code, stdout, stderr)
		}
		// On 15 January 2027 the 2024 year of dti is past its two years in trámite.
		if len(items) != 1 || items[0].Clasificacion != "SESVER.08C.09/2024/1" || items[0].Action != "transferencia primaria" {
			t.Errorf("retention: %+v", items)
		}
		path := filepath.Join(out, "retencion.xlsx")
		if code, stdout, _ := runAt(t, env, "retencion", "--out", path); code != 0 || !strings.Contains(stdout, "transferencia primaria desde 10/12/2026") {
			t.Errorf("retencion: exit %d %s", code, stdout)
		}
		golden(t, "retencion.xlsx.golden", dumpXLSX(t, path))
	})
	// The documents were issued before the registries existed: they are
	// fed to them once.
	if code, stdout, stderr := runAt(t, env, "registro", "--reconstruir"); code != 0 || !strings.Contains(stdout, "documento(s) leídos") {
		t.Fatalf("registro --reconstruir: exit %d: %s %s", code, stdout, stderr)
	}
	for _, name := range []string{"padron-correo", "componentes", "fallas"} {
		t.Run("registro-"+name, func(t *testing.T) {
			path := filepath.Join(out, name+".xlsx")
			if code, stdout, stderr := runAt(t, env, "registro", "--nombre", name, "--out", path); code != 0 {
				t.Fatalf("exit %d: %s %s", code, stdout, stderr)
			}
			d := dumpXLSX(t, path)
			raw, _ := os.ReadFile(path)
			if strings.Contains(d, secret) || bytes.Contains(raw, []byte(secret)) {
				t.Errorf("the password reached the registry %s", name)
			}
			golden(t, "registro-"+name+".xlsx.golden", d)
		})
	}
}

func TestTrailUsage(t *testing.T) {
	env := map[string]string{"LEGAJO_DATA": t.TempDir()}
	out := filepath.Join(t.TempDir(), "x.xlsx")
	for _, args := range [][]string{
		{"trail"},
		{"trail", "--out", "x.txt"},
		{"trail", "--out", out, "--format", "docx"},
		{"trail", "--out", out, "--year", "2026", "--from", "2026-01-01"},
		{"trail", "--out", out, "--from", "01/01/2026"},
		{"trail", "--out", "-", "--format", "csv", "--json"},
		{"caratula", "--out", out},
		{"inventario", "--tipo", "parcial", "--out", out},
		{"inventario", "--tipo", "general", "--format", "docx", "--out", out},
		{"registro", "--nombre", "otro", "--out", out},
	} {
		if code, _, _ := runAt(t, env, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
	if code, _, stderr := runAt(t, env, "trail", "--expediente", "no-existe", "--out", out); code != 1 || !strings.Contains(stderr, "No existe el expediente") {
		t.Errorf("unknown expediente: exit %d %s", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Error("a failed export left a file behind")
	}
}
