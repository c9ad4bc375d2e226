package pdf_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"rsc.io/qr"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/fixtures"
	"github.com/sesver/legajo/generators/pdf"
	"github.com/sesver/legajo/templates"
)

const testMark = "SIN VALIDEZ OFICIAL — ENTORNO DE PRUEBA"

// TestTestEnvironmentMarkOnLabels: a label printed in a test environment
// says so too.
func TestTestEnvironmentMarkOnLabels(t *testing.T) {
	labels := 0
	for _, s := range samples(t) {
		if s.doc.Type.Layout != legajo.LayoutLabel {
			continue
		}
		labels++
		if !s.doc.Institution.TestEnvironment() {
			t.Fatal("the fixtures' base URL should be a loopback one")
		}
		if txt := squash(pdftotext(t, render(t, newRenderer(t, false), s.doc, s.doc.Type.Tantos[0]))); !strings.Contains(txt, testMark) {
			t.Errorf("%s: the label lacks «%s»", s.name, testMark)
		}
	}
	if labels == 0 {
		t.Fatal("no label among the fixtures")
	}
}

// TestTestEnvironmentMark: a document whose verification address is this
// machine's says on every page that it has no official validity; one
// issued under the deployment's public address does not, and its QR code
// and footer lead there.
func TestTestEnvironmentMark(t *testing.T) {
	cat, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	data, err := fixtures.DecodeData(mustRead(t, "../../fixtures/documents/oficio-liberacion.json"))
	if err != nil {
		t.Fatal(err)
	}
	r := newRenderer(t, false)
	for _, c := range []struct {
		base string
		test bool
	}{
		{"http://127.0.0.1:8080", true}, {"http://127.8.9.10:9090/", true}, {"http://localhost:8080", true},
		{"http://[::1]:8080", true}, {"", true},
		{"https://legajo.example.gob.mx", false}, {"http://10.1.2.3:8080", false},
	} {
		inst := fixtures.Institution()
		inst.BaseURL = c.base
		if got := inst.TestEnvironment(); got != c.test {
			t.Errorf("%q: TestEnvironment() = %v, want %v", c.base, got, c.test)
		}
		doc := prepareFor(t, cat, "oficio-liberacion", data, inst)
		for _, tanto := range doc.Type.Tantos {
			raw := render(t, r, doc, tanto)
			pages := strings.Split(strings.TrimSuffix(pdftotext(t, raw), "\f"), "\f")
			if len(pages) < 2 {
				t.Fatalf("%q: want a document of several pages, got %d", c.base, len(pages))
			}
			for i, p := range pages {
				has := strings.Contains(squash(p), testMark)
				if has != c.test {
					t.Errorf("%q %s page %d: mark present %v, want %v", c.base, tanto.Name, i+1, has, c.test)
				}
			}
			if !c.test {
				url := doc.VerifyURL()
				if !strings.HasPrefix(url, strings.TrimSuffix(c.base, "/")+"/verificar/") {
					t.Fatalf("VerifyURL %q is not under %q", url, c.base)
				}
				all := strings.ReplaceAll(squash(pdftotext(t, raw)), " ", "")
				if strings.Count(all, "Verifiquesuautenticidaden"+url) != len(pages) {
					t.Errorf("%q %s: not every footer says %s", c.base, tanto.Name, url)
				}
				if strings.Contains(all, "127.0.0.1") {
					t.Errorf("%q %s: the loopback address is still printed", c.base, tanto.Name)
				}
				checkQR(t, raw, url)
			}
		}
	}
}

func prepareFor(t testing.TB, cat *legajo.Catalog, typ string, data map[string]any, inst legajo.Institution) *legajo.Document {
	t.Helper()
	ty, err := cat.Type(typ)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := legajo.Prepare(legajo.Request{
		Type: ty, Data: data, Date: fixtures.Date, Institution: inst, Directory: fixtures.Directory(),
		Folio: legajo.Folio{Prefix: inst.FolioPrefix, Serie: ty.Serie, Number: 42, Year: 2026},
	})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// checkQR rasterises the first page and reads the QR code's modules where
// the footer prints it: they must be those of url, module for module.
func checkQR(t testing.TB, doc []byte, url string) {
	t.Helper()
	code, err := qr.Encode(url, qr.M)
	if err != nil {
		t.Fatal(err)
	}
	const dpi = 300
	dir := t.TempDir()
	in := filepath.Join(dir, "doc.pdf")
	os.WriteFile(in, doc, 0o644)
	if out, err := exec.Command("pdftoppm", "-r", "300", "-gray", "-f", "1", "-l", "1", in, filepath.Join(dir, "p")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "p-*.pgm"))
	if len(pages) != 1 {
		t.Fatal("no page rendered")
	}
	w, _, pix := readPGM(t, pages[0])
	x0, y0, side := pdf.QRBox()
	m := side / float64(code.Size+2)
	wrong := 0
	for y := range code.Size {
		for x := range code.Size {
			px := int((x0 + m*(float64(x)+1.5)) / 25.4 * dpi)
			py := int((y0 + m*(float64(y)+1.5)) / 25.4 * dpi)
			if dark := pix[py*w+px] < 128; dark != code.Black(x, y) {
				wrong++
			}
		}
	}
	if wrong > 0 {
		t.Errorf("the QR code differs from that of %s in %d of %d modules", url, wrong, code.Size*code.Size)
	}
}

// TestQRCheckCatchesAnotherURL: the QR check reads the code printed, and
// tells it from that of another address.
func TestQRCheckCatchesAnotherURL(t *testing.T) {
	s := samples(t)[0]
	raw := render(t, newRenderer(t, false), s.doc, s.doc.Type.Tantos[0])
	url := s.doc.VerifyURL()
	checkQR(t, raw, url)
	rec := &recorder{TB: t}
	if checkQR(rec, raw, strings.Replace(url, "127.0.0.1", "127.0.0.2", 1)); !rec.failed {
		t.Error("checkQR takes the code of one address for that of another")
	}
}
