package pdf_test

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/fixtures"
	"github.com/sesver/legajo/generators/pdf"
)

// printMargin is the half inch along every edge where nothing may be
// printed: printers cut and smudge there.
const printMargin = 12.7 // mm

// marginDPI renders pages at 72 dpi, where the margin is 36 pixels; the
// band checked is one pixel narrower, for anti-aliasing of what is drawn
// exactly on the margin.
const marginDPI = 72

// checkMargins rasterises every page of doc with pdftoppm, as a printer
// would, and fails if any pixel within the print margin of an edge is not
// white. It sees everything a page draws (text, rules, the QR code,
// images, rotated watermarks, stamps added by pdfcpu), whatever wrote it.
func checkMargins(t testing.TB, name string, doc []byte) {
	t.Helper()
	bin, err := exec.LookPath("pdftoppm")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pdftoppm is missing: .ci/run must install poppler-utils")
		}
		t.Skip("pdftoppm not installed (apt-get install poppler-utils)")
	}
	dir := t.TempDir()
	in := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(in, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-r", fmt.Sprint(marginDPI), "-gray", in, filepath.Join(dir, "p")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "p-*.pgm"))
	sort.Strings(pages)
	if len(pages) == 0 {
		t.Fatalf("%s: no pages rendered", name)
	}
	band := int(printMargin/25.4*marginDPI) - 1
	for i, path := range pages {
		w, h, pix := readPGM(t, path)
		bad := map[string]int{}
		for y := range h {
			for x := range w {
				if pix[y*w+x] >= 250 {
					continue
				}
				switch {
				case y < band:
					bad["top"]++
				case y >= h-band:
					bad["bottom"]++
				case x < band:
					bad["left"]++
				case x >= w-band:
					bad["right"]++
				}
			}
		}
		if len(bad) > 0 {
			t.Errorf("%s page %d: printed within %.1f mm of the edge: %v (dark pixels by edge)", name, i+1, printMargin, bad)
		}
	}
}

// readPGM reads a binary greyscale PNM (P5) as pdftoppm -gray writes it.
func readPGM(t testing.TB, path string) (w, h int, pix []byte) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := bufio.NewReader(f)
	var maxv int
	if _, err := fmt.Fscanf(r, "P5\n%d %d\n%d\n", &w, &h, &maxv); err != nil || maxv != 255 {
		t.Fatalf("%s: not an 8-bit PGM: %v", path, err)
	}
	pix = make([]byte, w*h)
	if _, err := io.ReadFull(r, pix); err != nil {
		t.Fatal(err)
	}
	return w, h, pix
}

// TestMargins: every tanto of every fixture, a draft with its watermark,
// the bundle's sheets and «Foja n» stamps, the carátula and a cancelled
// copy keep the print margin.
func TestMargins(t *testing.T) {
	r := newRenderer(t, false)
	for _, s := range samples(t) {
		for _, tanto := range s.doc.Type.Tantos {
			checkMargins(t, s.name+" "+tanto.Name, render(t, r, s.doc, tanto))
		}
	}
	// a draft: BORRADOR across the page
	s := samples(t)[0]
	draft := *s.doc
	draft.Folio = legajo.Folio{}
	checkMargins(t, "draft", render(t, r, &draft, draft.Type.Tantos[0]))
	// a bundle of generated documents: index, fojas stamped, closing
	var items []bundled
	for _, it := range legajoItems(t) {
		if it.ev.Kind == "pdf" {
			items = append(items, it)
		}
	}
	checkMargins(t, "bundle", writeBundle(t, items, bundleInfo(true)))
	checkMargins(t, "carátula", caratula(t, true))
	doc := render(t, r, s.doc, s.doc.Type.Tantos[0])
	cancelled, err := pdf.StampCancelled(doc, strings.Repeat("Documento cancelado por sustitución. ", 8))
	if err != nil {
		t.Fatal(err)
	}
	checkMargins(t, "cancelled", cancelled)
}

// TestMarginsCatchesViolations: a line of text whose top is 8 mm from the
// top edge fails; moved 21 mm lower, it passes.
func TestMarginsCatchesViolations(t *testing.T) {
	near := fixtures.TextPDF("MARGEN")
	rec := &recorder{TB: t}
	if checkMargins(rec, "text 8 mm from the top", near); !rec.failed {
		t.Error("checkMargins accepts text printed 8 mm from the top edge")
	}
	lower := bytes.Replace(near, []byte("72 760 Td"), []byte("72 700 Td"), 1)
	if bytes.Equal(lower, near) {
		t.Fatal("fixtures.TextPDF no longer starts its text at 72 760")
	}
	checkMargins(t, "text 29 mm from the top", lower)
}
