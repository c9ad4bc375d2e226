package pdf_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sesver/legajo/fixtures"
	"github.com/sesver/legajo/generators/chart"
	"github.com/sesver/legajo/generators/pdf"
)

// informe renders the Informe of fixtures.Stats with its charts drawn as
// the server draws them.
func informe(t testing.TB, r *pdf.Renderer) []byte {
	t.Helper()
	st := fixtures.Stats()
	charts := map[string][]byte{}
	for _, c := range st.Charts {
		b, err := chart.PNG(c, pdf.ChartWidth, pdf.ChartHeight, 150)
		if err != nil {
			t.Fatal(err)
		}
		charts[c.ID] = b
	}
	var buf bytes.Buffer
	err := r.Informe(&buf, pdf.Informe{Institution: fixtures.Institution(), Stats: st, Charts: charts,
		By: "Ana Pérez Ibáñez", Jefe: "Begoña Núñez, Jefa del Departamento", Printed: time.Date(2027, 1, 4, 9, 30, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestInforme checks the Informe by its text (accents, months, figures as
// the tables print them, the signature lines) and that it is Letter; set
// LEGAJO_INFORME_LOOK to a directory to get its pages as PNG to look at.
func TestInforme(t *testing.T) {
	doc := informe(t, newRenderer(t, false))
	txt := squash(pdftotext(t, doc, "-layout"))
	for _, want := range []string{
		"INFORME DEL DEPARTAMENTO DE TECNOLOGÍAS DE LA INFORMACIÓN",
		"Enero a diciembre de 2026",
		"1. Documentos por mes y tipo", "2. Documentos por mes y área", "3. Acuses y firmas pendientes por antigüedad",
		"4. Fallas de líneas y servicios por área y tiempo de resolución", "5. Trámites por procedimiento y cumplimiento de plazos",
		"6. Gasto en telefonía por mes y área",
		"septiembre de 2026", "Jurisdicción Sanitaria de Pánuco", "Más de 90 días",
		"1,834 documentos emitidos o registrados en el periodo",
		"93.0 %", "18.5", "$48,000.00",
		"Ana Pérez Ibáñez", "Begoña Núñez, Jefa del Departamento", "ELABORÓ", "Vo. Bo.",
		"4 de enero de 2027",
	} {
		if !strings.Contains(txt, want) {
			t.Errorf("the Informe does not say %q", want)
		}
	}
	info := pdfinfo(t, doc)
	if !strings.Contains(info, "612 x 792 pts (letter)") {
		t.Errorf("not Letter: %s", info)
	}
	if dir := os.Getenv("LEGAJO_INFORME_LOOK"); dir != "" {
		in := filepath.Join(dir, "informe.pdf")
		os.WriteFile(in, doc, 0o644)
		if out, err := exec.Command("pdftoppm", "-r", "60", "-png", in, filepath.Join(dir, "informe")).CombinedOutput(); err != nil {
			t.Fatalf("pdftoppm: %v %s", err, out)
		}
	}
}

func pdfinfo(t testing.TB, doc []byte) string {
	t.Helper()
	in := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(in, doc, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdfinfo", in).CombinedOutput()
	if err != nil {
		t.Fatalf("pdfinfo: %v %s", err, out)
	}
	return string(out)
}
