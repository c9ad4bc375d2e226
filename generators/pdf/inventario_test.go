package pdf_test

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/fixtures"
	"github.com/sesver/legajo/generators/pdf"
)

func inventoryInfo() legajo.InstrumentInfo {
	return legajo.InstrumentInfo{Institution: fixtures.Institution(), By: "Rosa Elena Durán Vázquez", At: at("2027-01-15 10:00"),
		Responsable: "Ing. Laura Patricia Méndez Ortiz, Jefa del Departamento de Tecnologías de la Información"}
}

func inventario(t *testing.T, kind string, rows []legajo.ExpedienteSummary) []byte {
	t.Helper()
	var out bytes.Buffer
	if err := newRenderer(t, false).Inventario(&out, kind, rows, inventoryInfo()); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// landscapePages counts the pages laid out landscape on Letter.
func landscapePages(doc []byte) int {
	return bytes.Count(doc, []byte("/MediaBox [0 0 792.00 612.00]"))
}

// TestInventarioPDF: each inventory prints its fields, its rows and its
// signatures on landscape Letter, numbered «Página n de m», with no
// storage path; an unknown kind is refused.
func TestInventarioPDF(t *testing.T) {
	open := caratulaSummary(t, false)
	open.Year, open.Number = 2027, 1
	rows := []legajo.ExpedienteSummary{caratulaSummary(t, true), open}
	for kind, wants := range map[string][]string{
		legajo.InventoryGeneral: {"INVENTARIO GENERAL DEL ARCHIVO DE TRÁMITE", "Elaboró Rosa Elena Durán Vázquez", "No. de expediente",
			"SESVER.08C.09/2026/1", "Híbrido", "Documentos que emite el Departamento", "Folios: CS/0001/2026 (1)", "Responsable del archivo de trámite",
			"Ing. Laura Patricia Méndez Ortiz", "Expediente abierto"},
		legajo.InventoryTransferencia: {"INVENTARIO DE TRANSFERENCIA PRIMARIA", "Número de transferencia", "Fundamento legal",
			"3 documentos: Minuta de acuerdos (1)", "Recibe: responsable del archivo de concentración"},
		legajo.InventoryBaja: {"INVENTARIO DE BAJA DOCUMENTAL", "Dictamen de valoración", "Acta de baja", "Vo. Bo.: grupo interdisciplinario",
			"Legajo no elimina ningún documento"},
	} {
		t.Run(kind, func(t *testing.T) {
			out := inventario(t, kind, rows)
			n, err := pdf.PageCount(out)
			if err != nil {
				t.Fatal(err)
			}
			if landscapePages(out) != n {
				t.Errorf("%d pages, %d of them landscape Letter", n, landscapePages(out))
			}
			// a folio or a code may break after a slash or a dot at the
			// end of a line
			txt := strings.NewReplacer("/ ", "/", "SESVER. ", "SESVER.").Replace(squash(pdftotext(t, out)))
			for _, want := range append(wants, "Página 1 de "+strconv.Itoa(n), "Totales", "Cantidad de expedientes") {
				if !strings.Contains(txt, want) {
					t.Errorf("lacks %q:\n%s", want, txt)
				}
			}
			for _, bad := range []string{"expedientes/", "fs:", "Electrónico", "Hoja "} {
				if strings.Contains(txt, bad) {
					t.Errorf("shows %q:\n%s", bad, txt)
				}
			}
			golden(t, "inventario-"+kind+".txt", bundleText(t, out))
		})
	}
	empty := squash(pdftotext(t, inventario(t, legajo.InventoryBaja, nil)))
	if !strings.Contains(empty, legajo.NoRows) || !strings.Contains(empty, "Cantidad de expedientes Documentos Total de fojas 0 0 0") {
		t.Errorf("an empty inventory says so and totals nothing:\n%s", empty)
	}
	if err := newRenderer(t, false).Inventario(&bytes.Buffer{}, "parcial", rows, inventoryInfo()); err == nil {
		t.Error("an unknown kind is accepted")
	}
}

// TestInventarioPDFPages: an inventory of many expedientes runs over
// several pages; each repeats the table's header, every row is printed
// once, and the totals at the end add the rows up.
func TestInventarioPDFPages(t *testing.T) {
	var rows []legajo.ExpedienteSummary
	docs, fojas := 0, 0
	for i := range 40 {
		s := caratulaSummary(t, true)
		s.Year, s.Number = 1990+i, 1
		s.Documents, s.Fojas = 3+i%7, 9+i%5
		s.Apertura, s.Cierre = s.Apertura.AddDate(s.Year-2026, 0, 0), s.Cierre.AddDate(s.Year-2026, 0, 0)
		docs += s.Documents
		fojas += s.Fojas
		rows = append(rows, s)
	}
	out := inventario(t, legajo.InventoryGeneral, rows)
	n, _ := pdf.PageCount(out)
	if n < 3 || landscapePages(out) != n {
		t.Fatalf("40 expedientes: %d pages (%d landscape)", n, landscapePages(out))
	}
	pages := strings.Split(strings.TrimSuffix(pdftotext(t, out), "\f"), "\f")
	seen := map[string]int{}
	for i, p := range pages {
		p = squash(p)
		if !strings.Contains(p, fmt.Sprintf("Página %d de %d", i+1, n)) {
			t.Errorf("page %d is not numbered «Página %d de %d»", i+1, i+1, n)
		}
		rowsHere := 0
		for _, s := range rows {
			// the title names the row whole; its number may break at a slash
			if c := strings.Count(p, s.Title()); c > 0 {
				seen[s.Clasificacion()] += c
				rowsHere++
			}
		}
		header := true
		for _, title := range []string{"No. de expediente", "Código", "Título del expediente", "Descripción (alcance y contenido)",
			"Fecha de apertura", "Fecha de cierre", "Docs.", "Fojas", "Soporte", "Observaciones"} {
			header = header && strings.Contains(p, title)
		}
		if rowsHere > 0 && !header {
			t.Errorf("page %d has rows but not the table's header:\n%s", i+1, p)
		}
	}
	for _, s := range rows {
		if seen[s.Clasificacion()] != 1 {
			t.Errorf("%s printed %d times", s.Clasificacion(), seen[s.Clasificacion()])
		}
	}
	last := squash(pages[len(pages)-1])
	want := fmt.Sprintf("Cantidad de expedientes Documentos Total de fojas Periodo %d %d %d 02/03/1990 – 01/07/2029", len(rows), docs, fojas)
	if !strings.Contains(last, want) {
		t.Errorf("the last page lacks the totals %q:\n%s", want, last)
	}
}
