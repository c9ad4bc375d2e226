package pdf_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/fixtures"
	"github.com/sesver/legajo/generators/pdf"
)

var zone = func() *time.Location {
	z, err := time.LoadLocation("America/Mexico_City")
	if err != nil {
		panic(err)
	}
	return z
}()

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, zone)
	if err != nil {
		panic(err)
	}
	return t
}

func hash(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

type bundled struct {
	ev   legajo.TrailEvent
	data []byte
}

// legajoItems is a small legajo: two generated documents, a JPEG acuse, an
// attachment, a cancellation, a damaged upload, a missing file and a file
// whose bytes no longer match the chain.
func legajoItems(t *testing.T) []bundled {
	r := newRenderer(t, false)
	var lib, min []byte
	for _, s := range samples(t) {
		switch s.name {
		case "oficio-liberacion":
			tanto, _ := s.doc.Type.Tanto("COPIA")
			lib = render(t, r, s.doc, tanto)
		case "minuta":
			min = render(t, r, s.doc, s.doc.Type.Tantos[0])
		}
	}
	ev := func(when string, kind legajo.EventKind, folio, title, subject, obj, tanto string, data []byte) bundled {
		e := legajo.TrailEvent{Expediente: "dti", At: at(when), Event: kind, Folio: folio, Title: title, Subject: subject,
			Tanto: tanto, Kind: obj, Author: "ana", Filed: obj != "manifest"}
		if data != nil {
			e.SHA256, e.Size = hash(data), int64(len(data))
			e.Key = "expedientes/dti/2026/" + strings.ReplaceAll(folio, "/", "-") + "_" + obj + ".pdf"
		}
		return bundled{e, data}
	}
	items := []bundled{
		ev("2026-03-02 09:30", legajo.EventEmitido, "SESVER/DA/DTI/OL/0001/2026", "Oficio de liberación de sistema", "Liberación del sistema SICIP", "pdf", "COPIA", lib),
		ev("2026-03-05 11:00", legajo.EventEmitido, "SESVER/DA/DTI/MI/0001/2026", "Minuta de acuerdos", "Reunión de requerimientos del SICIP", "pdf", "ORIGINAL", min),
		ev("2026-03-09 13:15", legajo.EventAcuse, "SESVER/DA/DTI/OL/0001/2026", "Oficio de liberación de sistema", "Acuse de recibido", "acuse", "", fixtures.ScanJPEG()),
		ev("2026-03-10 10:00", legajo.EventAnexo, "SESVER/DA/DTI/OL/0001/2026", "Oficio de liberación de sistema", "Manual del usuario del SICIP", "anexo", "", fixtures.TextPDF("Manual del usuario del SICIP", "Version 1.0")),
		ev("2026-04-01 17:45", legajo.EventCancelado, "SESVER/DA/DTI/MI/0001/2026", "Minuta de acuerdos", "Cancelación", "manifest", "", nil),
		ev("2026-04-02 09:00", legajo.EventAnexo, "SESVER/DA/DTI/OL/0001/2026", "Oficio de liberación de sistema", "Anexo dañado", "anexo", "", []byte("%PDF-1.4\nno es un PDF\n")),
		ev("2026-04-03 09:00", legajo.EventAnexo, "SESVER/DA/DTI/OL/0001/2026", "Oficio de liberación de sistema", "Anexo perdido", "anexo", "", fixtures.TextPDF("perdido")),
		ev("2026-04-04 09:00", legajo.EventAnexo, "SESVER/DA/DTI/OL/0001/2026", "Oficio de liberación de sistema", "Anexo alterado", "anexo", "", fixtures.TextPDF("original")),
	}
	items[4].ev.Reason = "Se sustituye por la minuta corregida."
	items[6].data = nil                          // missing from storage
	items[7].data = fixtures.TextPDF("alterado") // not what the chain recorded
	return items
}

func bundleInfo(verified bool) legajo.TrailInfo {
	v := legajo.Verification{Expediente: "dti", Entries: 8, Objects: 20, Findings: []legajo.Finding{}, Head: strings.Repeat("ef", 32)}
	if !verified {
		v.Findings = []legajo.Finding{{Expediente: "dti", Key: "expedientes/dti/2026/SESVER-DA-DTI-OL-0001-2026_anexo.pdf", Problem: "modificado",
			Detail: "El contenido no coincide con el registrado en la entrada 8."}}
	}
	return legajo.TrailInfo{Criteria: []legajo.Criterion{{Label: "Expediente", Value: "SESVER.08C.09 Expediente del DTI (dti)"},
		{Label: "Periodo", Value: "del 01/01/2026 al 31/12/2026"}}, ExportedBy: "auditor.oic", ExportedAt: at("2027-01-15 10:00"),
		Verifications: []legajo.Verification{v}, Institution: fixtures.Institution()}
}

func writeBundle(t *testing.T, items []bundled, info legajo.TrailInfo) []byte {
	t.Helper()
	b := newRenderer(t, false).NewBundle()
	for _, it := range items {
		b.Add(it.ev, it.data)
	}
	var out bytes.Buffer
	if err := b.Write(&out, info); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

var fojaStamp = regexp.MustCompile(`Foja (\d+)`)

// TestBundle: index, every document merged with its own pages, images as
// pages, fojas stamped 1…n once each, substitute fojas for what cannot be
// merged, and a closing page whose hashes are those of the stored files.
func TestBundle(t *testing.T) {
	items := legajoItems(t)
	out := writeBundle(t, items, bundleInfo(false))
	n, err := pdf.PageCount(out)
	if err != nil {
		t.Fatal(err)
	}
	libPages, _ := pdf.PageCount(items[0].data)
	minPages, _ := pdf.PageCount(items[1].data)
	fojas := libPages + minPages + 1 + 1 + 1 + 1 + 1 // acuse, anexo, damaged, missing, altered
	if want := 1 + fojas + 1; n != want {
		t.Errorf("%d pages, want %d (index, %d fojas, closing)", n, want, fojas)
	}
	layout := pdftotext(t, out, "-layout")
	pages := strings.Split(layout, "\f")
	for i := 1; i <= fojas; i++ {
		stamps := fojaStamp.FindAllStringSubmatch(pages[i], -1)
		if len(stamps) != 1 || stamps[0][1] != fmt.Sprint(i) {
			t.Errorf("page %d has stamps %v, want one «Foja %d»", i+1, stamps, i)
		}
	}
	if fojaStamp.MatchString(pages[0]) || fojaStamp.MatchString(pages[fojas+1]) {
		t.Error("the index and the closing page must not be foliated")
	}
	closing := squash(pages[fojas+1])
	for _, it := range items {
		if it.data != nil && it.ev.Kind != "manifest" && !strings.Contains(closing, hash(it.data)) {
			t.Errorf("closing page lacks the SHA-256 of %s", it.ev.Subject)
		}
	}
	for _, want := range []string{"NO COINCIDE", "FALTANTE", "VERIFICACIÓN FALLIDA", "modificado",
		fmt.Sprintf("consta de %d fojas útiles", fojas)} {
		if !strings.Contains(closing, want) {
			t.Errorf("closing page lacks %q", want)
		}
	}
	all := squash(layout)
	for _, want := range []string{"FOJA SUSTITUTA", "no pudo incorporarse", "no se encontró en el almacenamiento", "Manual del usuario del SICIP"} {
		if !strings.Contains(all, want) {
			t.Errorf("bundle lacks %q", want)
		}
	}
	golden(t, "bundle.txt", bundleText(t, out))
}

// bundleText is the golden form of a PDF: its page count and each page's
// text.
func bundleText(t *testing.T, doc []byte) string {
	t.Helper()
	n, err := pdf.PageCount(doc)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "páginas: %d\n", n)
	for i, p := range strings.Split(strings.TrimSuffix(pdftotext(t, doc), "\f"), "\f") {
		fmt.Fprintf(&b, "--- página %d\n%s\n", i+1, squash(p))
	}
	return b.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
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
		t.Errorf("%s differs from its golden file; if intended, run with -update and look at the pages:\n%s", name, firstDiff(string(want), got))
	}
}

// firstDiff shows the first line that differs.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := range max(len(w), len(g)) {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, a, b)
		}
	}
	return ""
}

func TestBundleVerified(t *testing.T) {
	scan, manual := fixtures.ScanJPEG(), fixtures.TextPDF("Manual del usuario")
	var pngScan bytes.Buffer
	png.Encode(&pngScan, image.NewGray(image.Rect(0, 0, 170, 220)))
	items := []bundled{
		{legajo.TrailEvent{Event: legajo.EventRecibido, Folio: "SESVER/DA/DTI/RE/0001/2026", At: at("2026-03-01 09:00"), Kind: "escaneo",
			Filed: true, Key: "expedientes/oficios-recibidos/r.png", SHA256: hash(pngScan.Bytes())}, pngScan.Bytes()},
		{legajo.TrailEvent{Event: legajo.EventAcuse, Folio: "SESVER/DA/DTI/OL/0001/2026", At: at("2026-03-09 13:15"), Kind: "acuse",
			Filed: true, Key: "expedientes/dti/a.jpg", SHA256: hash(scan)}, scan},
		{legajo.TrailEvent{Event: legajo.EventAnexo, Folio: "SESVER/DA/DTI/OL/0001/2026", At: at("2026-03-10 10:00"), Kind: "anexo",
			Filed: true, Key: "expedientes/dti/m.pdf", SHA256: hash(manual)}, manual},
	}
	out := writeBundle(t, items, bundleInfo(true))
	txt := squash(pdftotext(t, out))
	if !strings.Contains(txt, "Cadena íntegra") || strings.Contains(txt, "NO COINCIDE") || strings.Contains(txt, "FALLIDA") ||
		strings.Contains(txt, "SUSTITUTA") || !strings.Contains(txt, "Foja 3") {
		t.Errorf("a verified legajo of a PNG, a JPEG and a PDF:\n%s", txt)
	}
	if n, _ := pdf.PageCount(out); n != 5 {
		t.Errorf("%d pages, want index, 3 fojas and closing", n)
	}
}

func TestBundleEmpty(t *testing.T) {
	out := writeBundle(t, nil, bundleInfo(true))
	if n, err := pdf.PageCount(out); err != nil || n != 2 {
		t.Errorf("an empty legajo: %d pages, %v", n, err)
	}
}

func caratula(t *testing.T, closed bool) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := newRenderer(t, false).Caratula(&out, pdf.Caratula{Institution: fixtures.Institution(), Summary: caratulaSummary(t, closed),
		Printed: at("2027-01-15 10:00"), By: "Rosa Elena Durán Vázquez"}); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// caratulaSummary is the Expediente del DTI of 2026 with three documents.
func caratulaSummary(t *testing.T, closed bool) legajo.ExpedienteSummary {
	t.Helper()
	var dti legajo.Expediente
	for _, e := range legajo.DefaultExpedientes() {
		if e.ID == "dti" {
			dti = e
		}
	}
	sum := legajo.ExpedienteSummary{Expediente: dti, Year: 2026, Number: 1, Documents: 3, Cancelled: 1, Events: 6, Files: 5, Fojas: 9,
		Apertura: at("2026-03-02 09:30"), Cierre: at("2026-07-01 10:00"), FirstFolio: "SESVER/DA/DTI/MI/0001/2026", LastFolio: "SESVER/DA/DTI/OL/0001/2026",
		Types: []legajo.TypeCount{{Type: "minuta", Title: "Minuta de acuerdos", Count: 1}, {Type: "oficio-liberacion", Title: "Oficio de liberación de sistema", Count: 1},
			{Type: "reporte-cierre", Title: "Reporte de cierre de seguimiento de falla en línea telefónica o internet", Count: 1}},
		Series: []legajo.SerieRange{{Serie: "CS", Titles: []string{"Reporte de cierre de seguimiento de falla en línea telefónica o internet"}, Count: 1, First: "SESVER/DA/DTI/CS/0001/2026", Last: "SESVER/DA/DTI/CS/0001/2026"},
			{Serie: "MI", Titles: []string{"Minuta de acuerdos"}, Count: 1, First: "SESVER/DA/DTI/MI/0001/2026", Last: "SESVER/DA/DTI/MI/0001/2026"},
			{Serie: "OL", Titles: []string{"Oficio de liberación de sistema"}, Count: 1, First: "SESVER/DA/DTI/OL/0001/2026", Last: "SESVER/DA/DTI/OL/0001/2026"}},
		Originales: 2, Copias: 1, EnPapel: 3}
	if closed {
		sum.Closed, sum.TransferDue, sum.DisposalDue = true, at("2028-07-01 10:00"), at("2033-07-01 10:00")
	}
	return sum
}

func TestCaratula(t *testing.T) {
	out := caratula(t, true)
	if n, err := pdf.PageCount(out); err != nil || n != 1 {
		t.Fatalf("carátula: %d pages, %v; it must fit one Letter page", n, err)
	}
	txt := squash(pdftotext(t, out))
	for _, want := range []string{"CARÁTULA", "SESVER.08C.09/2026/1", "Fondo", "Sección", "08C.09 Desarrollo informático",
		"Fecha de apertura", "02/03/2026", "Fecha de cierre", "01/07/2026", "Total de fojas útiles al cierre Formato 1 9 9", "[X] Administrativo",
		"[X] Legal", "[ ] Fiscal", "[X] Pública", "Plazo total", "7 años", "Conservación", "01/07/2028",
		"Acta o resolución del Comité de Transparencia", "¿Fue objeto de solicitud de acceso?",
		"CEJA / LOMO", "SESVER.08C.09 · No. 1 · 2026 · Legajo ____ de 1",
		// the asunto is the expediente's description, not a count
		"Asunto (alcance y contenido) Documentos que emite el Departamento en sus procedimientos de sistemas",
		"3 documentos, 1 de ellos cancelado (conserva su folio)",
		// one range per serie, each under its document type
		"Reporte de cierre de seguimiento de falla en línea telefónica o internet: CS/0001/2026 (1); Minuta de acuerdos: MI/0001/2026 (1); Oficio de liberación de sistema: OL/0001/2026 (1)",
		"[ ] Papel [ ] Electrónico [X] Híbrido", "[X] Original (2) [X] Copia (1)",
		"Sistema Legajo, expediente SESVER.08C.09/2026/1", "Elaboró Fecha Rosa Elena Durán Vázquez 15/01/2027"} {
		if !strings.Contains(txt, want) {
			t.Errorf("carátula lacks %q", want)
		}
	}
	// No storage path, command or login reaches the carátula; no folio
	// range runs from one serie into another.
	for _, bad := range []string{"fs:", "s3:", "/srv/", "expedientes/dti", "legajo verify", "--expediente", "archivo.dti",
		"MI/0001/2026 al OL", "al SESVER/"} {
		if strings.Contains(txt, bad) {
			t.Errorf("carátula shows %q:\n%s", bad, txt)
		}
	}
	golden(t, "caratula.txt", bundleText(t, out))
	// With the signed log's checkpoint it still fits one page.
	seal := &legajo.TrailSeal{Size: 1234, SignedAt: at("2027-01-15 09:58"),
		Checkpoint: "legajo.sesver\n1234\nuxD8A++VxnBPrzY58KCjdwe3AWPmik1pevanQr6tZ4s=\nfecha 2027-01-15T15:58:00Z\n\n— legajo.sesver 54xOB18qw4QGl0RuErmQTi3Ib7qMc1t5AyhEExqLLwIp2R77/efgm7A1JXg2x2tZ9N3jFk9vTOaNNsVmhAXt4Zyvawc=\n"}
	var sealed bytes.Buffer
	if err := newRenderer(t, false).Caratula(&sealed, pdf.Caratula{Institution: fixtures.Institution(), Summary: caratulaSummary(t, true),
		Printed: at("2027-01-15 10:00"), By: "Rosa Elena Durán Vázquez", Seal: seal}); err != nil {
		t.Fatal(err)
	}
	if n, err := pdf.PageCount(sealed.Bytes()); err != nil || n != 1 {
		t.Fatalf("carátula with the checkpoint: %d pages, %v", n, err)
	}
	stxt := squash(pdftotext(t, sealed.Bytes()))
	for _, want := range []string{"punto de control de 1234 hojas firmado el 15/01/2027 a las 09:58", "uxD8A++VxnBPrzY58KCjdwe3AWPmik1pevanQr6tZ4s=",
		"— legajo.sesver 54xOB18qw4QGl0RuErmQTi3Ib7qMc1t5AyhEExqLLwIp2R77/efgm7A1JXg2x2tZ9N3jFk9vTOaNNsVmhAXt4Zyvawc=", "CEJA / LOMO"} {
		if !strings.Contains(stxt, want) {
			t.Errorf("carátula with the checkpoint lacks %q:\n%s", want, stxt)
		}
	}
	// An expediente of many series still fits one page, each serie
	// with its own range; an asunto too long for any layout moves the
	// ceja to a page of its own instead of printing over the grid.
	many := caratulaSummary(t, true)
	many.Series = nil
	for i := range 17 {
		serie := fmt.Sprintf("S%c", 'A'+i)
		many.Series = append(many.Series, legajo.SerieRange{Serie: serie, Titles: []string{"Tipo " + serie}, Count: 12,
			First: "SESVER/DA/DTI/" + serie + "/0003/2026", Last: "SESVER/DA/DTI/" + serie + "/0042/2026"})
	}
	var manyOut bytes.Buffer
	if err := newRenderer(t, false).Caratula(&manyOut, pdf.Caratula{Institution: fixtures.Institution(), Summary: many,
		Printed: at("2027-01-15 10:00"), By: "Rosa Elena Durán Vázquez", Seal: seal}); err != nil {
		t.Fatal(err)
	}
	if n, _ := pdf.PageCount(manyOut.Bytes()); n != 1 {
		t.Errorf("a carátula of 17 series: %d pages", n)
	}
	mtxt := squash(strings.ReplaceAll(pdftotext(t, manyOut.Bytes()), "\u00a0", " "))
	if !strings.Contains(mtxt, "Tipo SA: SA/0003/2026 al SA/0042/2026 (12); Tipo SB: SB/0003/2026 al SB/0042/2026 (12)") ||
		!strings.Contains(mtxt, "Tipo SQ: SQ/0003/2026 al SQ/0042/2026 (12)") {
		t.Errorf("a carátula of 17 series lacks their ranges:\n%s", mtxt)
	}
	// the longest description the configuration accepts
	many.Expediente.Description = strings.Repeat("Documentos del procedimiento de respaldo de bases de datos. ", 10)
	if n := len([]rune(many.Expediente.Description)); n != legajo.MaxDescription {
		t.Fatalf("the long asunto has %d characters", n)
	}
	// ...and more series than a tight sheet holds with it.
	for i := 17; i < 26; i++ {
		serie := fmt.Sprintf("S%c", 'A'+i)
		many.Series = append(many.Series, legajo.SerieRange{Serie: serie, Titles: []string{"Tipo " + serie}, Count: 12,
			First: "SESVER/DA/DTI/" + serie + "/0003/2026", Last: "SESVER/DA/DTI/" + serie + "/0042/2026"})
	}
	manyOut.Reset()
	if err := newRenderer(t, false).Caratula(&manyOut, pdf.Caratula{Institution: fixtures.Institution(), Summary: many,
		Printed: at("2027-01-15 10:00"), By: "Rosa Elena Durán Vázquez", Seal: seal}); err != nil {
		t.Fatal(err)
	}
	pages := strings.Split(pdftotext(t, manyOut.Bytes()), "\f")
	if len(pages) < 2 || strings.Contains(pages[0], "CEJA / LOMO") || !strings.Contains(pages[1], "CEJA / LOMO") {
		t.Errorf("a very long asunto: the ceja must move to the second page:\n%q", pages)
	}
	open := squash(pdftotext(t, caratula(t, false)))
	if strings.Contains(open, "01/07/2026") || strings.Contains(open, "01/07/2028") || !strings.Contains(open, "Legajo ____ de ____") {
		t.Errorf("an open expediente has no closing date, transfer date nor legajos yet:\n%s", open)
	}
}
