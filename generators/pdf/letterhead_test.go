package pdf_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sesver/legajo/fixtures"
	"github.com/sesver/legajo/generators/pdf"
	"github.com/sesver/legajo/templates"
)

// TestYearLegend: a document carries the legend configured for its own
// year, on every page, and none when its year has none.
func TestYearLegend(t *testing.T) {
	cat, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	data, err := fixtures.DecodeData(mustRead(t, "../../fixtures/documents/oficio-liberacion.json"))
	if err != nil {
		t.Fatal(err)
	}
	inst := fixtures.Institution()
	inst.YearLegends = map[int]string{2026: "2026, Año de la Prueba del Año", 2027: "2027, Año de Otra Prueba"}
	r := newRenderer(t, false)
	doc := prepareFor(t, cat, "oficio-liberacion", data, inst)
	pages := strings.Split(strings.TrimSuffix(pdftotext(t, render(t, r, doc, doc.Type.Tantos[0])), "\f"), "\f")
	for i, p := range pages {
		if !strings.Contains(p, "2026, Año de la Prueba del Año") || strings.Contains(p, "2027, Año") {
			t.Errorf("page %d of a 2026 document lacks its legend or has another year's:\n%s", i+1, p)
		}
	}
	// a document of 2028, a year without a legend
	doc.Date = time.Date(2028, time.January, 3, 10, 0, 0, 0, fixtures.Date.Location())
	txt := pdftotext(t, render(t, r, doc, doc.Type.Tantos[0]))
	if strings.Contains(txt, "Año de") {
		t.Errorf("a document of 2028 carries a legend of another year:\n%.400s", txt)
	}
	// sheets go by the year they are printed: the carátula of 2027 has no
	// legend, the fixtures configure one for 2026 only
	if fixtures.Institution().YearLegend(2026) == "" || fixtures.Institution().YearLegend(2027) != "" {
		t.Fatal("the fixtures should configure a legend for 2026 only")
	}
	if txt := pdftotext(t, caratula(t, true)); strings.Contains(txt, fixtures.Institution().YearLegend(2026)) {
		t.Error("the carátula printed in 2027 carries the legend of 2026")
	}
}

// TestLogo: the configured logo is printed in the letterhead; one with an
// alpha channel is flattened onto white (PDF/A forbids soft masks) and
// still printed, a 16-bit one too; anything but PNG or JPEG is refused.
func TestLogo(t *testing.T) {
	// a red square, half transparent around a solid centre
	img := image.NewNRGBA(image.Rect(0, 0, 40, 40))
	for y := range 40 {
		for x := range 40 {
			a := uint8(80)
			if x >= 10 && x < 30 && y >= 10 && y < 30 {
				a = 255
			}
			img.SetNRGBA(x, y, color.NRGBA{200, 0, 0, a})
		}
	}
	var alpha bytes.Buffer
	if err := png.Encode(&alpha, img); err != nil {
		t.Fatal(err)
	}
	// 16 bits a channel
	deep := image.NewRGBA64(image.Rect(0, 0, 40, 40))
	for y := range 40 {
		for x := range 40 {
			deep.SetRGBA64(x, y, color.RGBA64{0x2000, 0x4000, 0x8000, 0xFFFF})
		}
	}
	var deepPNG bytes.Buffer
	if err := png.Encode(&deepPNG, deep); err != nil {
		t.Fatal(err)
	}
	s := samples(t)[0]
	for name, logo := range map[string][]byte{"sample": fixtures.Logo(), "alpha": alpha.Bytes(), "16-bit": deepPNG.Bytes()} {
		r, err := pdf.New(pdf.Options{Logo: logo})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		doc := render(t, r, s.doc, s.doc.Type.Tantos[0])
		checkPDFA(t, name+" logo", doc)
		if dark := logoInk(t, doc); dark < 100 {
			t.Errorf("%s logo: only %d dark pixels where the logo goes", name, dark)
		}
	}
	if _, err := pdf.New(pdf.Options{Logo: []byte("GIF89a")}); err == nil {
		t.Error("a GIF logo was accepted")
	}
	// without a logo, no image
	r, _ := pdf.New(pdf.Options{})
	if doc := render(t, r, s.doc, s.doc.Type.Tantos[0]); bytes.Contains(doc, []byte("/Subtype /Image")) {
		t.Error("without a logo, the document has an image")
	}
}

// logoInk counts the pixels darker than light grey in the logo's box (16 mm
// square at the letterhead's top left) of the first page, at 72 dpi.
func logoInk(t *testing.T, doc []byte) int {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "doc.pdf")
	os.WriteFile(in, doc, 0o644)
	if out, err := exec.Command("pdftoppm", "-r", "72", "-gray", "-f", "1", "-l", "1", in, filepath.Join(dir, "p")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "p-*.pgm"))
	w, _, pix := readPGM(t, pages[0])
	x0, y0, side := pdf.LogoBox()
	px := func(mm float64) int { return int(mm / 25.4 * 72) }
	n := 0
	for y := px(y0); y < px(y0+side); y++ {
		for x := px(x0); x < px(x0+side); x++ {
			if pix[y*w+x] < 200 {
				n++
			}
		}
	}
	return n
}
