package pdf

import (
	"bytes"
	"regexp"
	"strconv"
	"testing"

	"github.com/go-pdf/fpdf"
)

var (
	pdfLine   = regexp.MustCompile(`([\d.]+) ([\d.]+) m ([\d.]+) ([\d.]+) l S`)
	pdfTextOp = regexp.MustCompile(`BT ([\d.]+) ([\d.]+) Td \((.*?)\) ?Tj ET`)
)

// TestSignatureLinesLevel draws a row of three signature blocks whose
// captions and names wrap differently, and reads the page back: the three
// lines are at one height, every caption above them and every name and
// position below.
func TestSignatureLinesLevel(t *testing.T) {
	for _, row := range [][]signer{
		{
			{"ELABORÓ", "Ing. José Francisco Javier Domínguez Santaella", "Técnico de Soporte de la Sección de Infraestructura Tecnológica"},
			{"VALIDÓ", "Ing. Laura Méndez", "Jefa del Departamento"},
			{"RECIBE DE CONFORMIDAD POR EL ÁREA USUARIA", "Dra. María de los Ángeles Guadalupe Hernández Xochihua de la Fuente", "Coordinadora"},
		},
		{
			{"ATENTAMENTE", "Ing. Laura Patricia Méndez Ortiz", "Jefa del Departamento de Tecnologías de la Información"},
			{"Vo. Bo.", "C.P. Arturo Domínguez Carmona", "Director Administrativo"},
		},
	} {
		f := fpdf.NewCustom(&fpdf.InitType{UnitStr: "mm", SizeStr: "Letter"})
		f.SetCompression(false)
		f.AddPage()
		p := &page{f: f}
		it := p.signatureRow(row)
		it.draw(60, it.h)
		var buf bytes.Buffer
		if err := f.Output(&buf); err != nil {
			t.Fatal(err)
		}
		lines := pdfLine.FindAllStringSubmatch(buf.String(), -1)
		if len(lines) != len(row) {
			t.Fatalf("%d signature lines for %d signers", len(lines), len(row))
		}
		lineY := lines[0][2]
		for _, l := range lines {
			if l[2] != lineY || l[4] != lineY {
				t.Errorf("signature lines at different heights: %s and %s/%s (PDF points)", lineY, l[2], l[4])
			}
		}
		ly, _ := strconv.ParseFloat(lineY, 64)
		_, textW := signatureWidths(len(row))
		p.setFont("B", 9)
		above, below := map[string]bool{}, map[string]bool{}
		for _, s := range row {
			for _, w := range p.wrap(text(s.caption), textW) {
				above[w.s] = true
			}
			for _, w := range p.wrap(text(s.name), textW) {
				below[w.s] = true
			}
		}
		seen := 0
		for _, m := range pdfTextOp.FindAllStringSubmatch(buf.String(), -1) {
			y, _ := strconv.ParseFloat(m[2], 64)
			switch {
			case above[m[3]]:
				seen++
				if y <= ly {
					t.Errorf("caption line %q at %.1f pt is not above the signature line at %.1f pt", m[3], y, ly)
				}
			case below[m[3]]:
				seen++
				if y >= ly {
					t.Errorf("name line %q at %.1f pt is not below the signature line at %.1f pt", m[3], y, ly)
				}
			}
		}
		if seen < len(above)+len(below) {
			t.Errorf("found %d of the %d caption and name lines on the page", seen, len(above)+len(below))
		}
		if got := it.h; got < signRoom+3*signLH {
			t.Errorf("row height %.1f mm leaves no room for the signature", got)
		}
	}
}
