package pdf_test

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/generators/pdf"
)

// TestRegistroPDF prints a registry's rows: landscape Letter, accents,
// the listed columns, the totals; set LEGAJO_REGISTRO_PDF to a path to
// keep the file and look at it.
func TestRegistroPDF(t *testing.T) {
	d := legajo.PadronCorreo()
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	var rows []*legajo.RegistroRow
	for i, n := range []string{"Rosa Elena Cházaro Ortega", "Luis Pérez Núñez", "María de los Ángeles Güemes Ibáñez"} {
		rows = append(rows, &legajo.RegistroRow{Key: strings.ToLower(strings.Fields(n)[0]) + "@ssaver.gob.mx", Active: i != 1, Created: at, Updated: at,
			Fields: map[string]string{"cuenta": strings.ToLower(strings.Fields(n)[0]) + "@ssaver.gob.mx", "usuario_nombre": n,
				"area": "Subdirección de Recursos Materiales", "fecha_alta": "2026-11-26", "rama": legajo.RamaNueva},
			History: []legajo.RegistroStep{{Kind: legajo.RegAlta, At: at, Author: "ana", Folio: "SESVER/DA/DTI/CC/0001/2026"}}})
	}
	for range 60 { // a second page
		rows = append(rows, rows[0])
	}
	info := legajo.InstrumentInfo{Institution: inventoryInfo().Institution, By: "Rosa Elena Durán Vázquez", At: at}
	var out bytes.Buffer
	if err := newRenderer(t, false).Registro(&out, legajo.RegistroReport(d, rows, legajo.RegistroQuery{Q: "ssaver"}, info), info); err != nil {
		t.Fatal(err)
	}
	n, err := pdf.PageCount(out.Bytes())
	if err != nil || n < 2 || landscapePages(out.Bytes()) != n {
		t.Fatalf("%d pages (%v), %d landscape", n, err, landscapePages(out.Bytes()))
	}
	txt := squash(pdftotext(t, out.Bytes()))
	for _, want := range []string{"PADRÓN DE CUENTAS DE CORREO ELECTRÓNICO", "María de los Ángeles Güemes Ibáñez", "Que contienen «ssaver»",
		"26/11/2026", "Baja", "Vigente", "Renglones Vigentes 63 62", "Legajo nunca las guarda", "Página 1 de"} {
		if !strings.Contains(txt, want) {
			t.Errorf("missing %q", want)
		}
	}
	if strings.Contains(strings.ToLower(txt), "contraseña:") {
		t.Error("a password label in the padrón")
	}
	if p := os.Getenv("LEGAJO_REGISTRO_PDF"); p != "" {
		os.WriteFile(p, out.Bytes(), 0o644)
	}
}
