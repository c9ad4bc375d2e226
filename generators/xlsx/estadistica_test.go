package xlsx

import (
	"archive/zip"
	"bytes"
	"html"
	"io"
	"math"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/sesver/legajo"
)

func sampleStats() *legajo.Stats {
	zone := time.UTC
	f, _ := legajo.ParseStatsFilter("2026-01", "2026-03", "", time.Date(2026, 3, 31, 0, 0, 0, 0, zone), zone)
	months := []string{"enero de 2026", "febrero de 2026", "marzo de 2026"}
	return &legajo.Stats{Filter: f, Generated: time.Date(2026, 4, 1, 9, 0, 0, 0, zone), Documents: 61, Charts: []legajo.Chart{
		{ID: "documentos-tipo", Title: "Documentos por mes y tipo", Category: "Mes", Value: "Documentos", Kind: legajo.ChartStacked,
			Categories: months, Axis: []string{"ene 2026", "feb 2026", "mar 2026"}, Series: []legajo.Series{
				{Name: "Minuta de reunión", Values: []float64{12, 30, 8}}, {Name: "Oficio de liberación de sistema", Values: []float64{3, 4, 4}}}},
		{ID: "fallas", Title: "Fallas de líneas y servicios por área", Category: "Área", Value: "Reportes de falla", Kind: legajo.ChartStacked,
			Categories: []string{"Hospital General de Tuxpan", "Jurisdicción Sanitaria de Pánuco"},
			Series:     []legajo.Series{{Name: "Resueltas en 24 h o menos", Values: []float64{3, 1}, Color: "009E73"}, {Name: "Sin resolver", Values: []float64{1, 0}}},
			Extra:      []legajo.Series{{Name: "Mediana de resolución (horas)", Values: []float64{20.5, math.NaN()}}}},
		{ID: "telefonia", Title: "Gasto en telefonía por mes y área", Category: "Mes", Value: "Pesos", Kind: legajo.ChartStacked, Money: true,
			Categories: months, Series: []legajo.Series{{Name: "Oficinas Centrales", Values: []float64{15234.5, 14100, 16000.25}}}},
		{ID: "pendientes", Title: "Acuses y firmas pendientes por antigüedad", Category: "Antigüedad", Value: "Documentos", Kind: legajo.ChartGrouped,
			Categories: []string{"Hasta 7 días", "8 a 15 días"}, Series: []legajo.Series{{Name: "Pendientes de acuse", Values: []float64{0, 0}}}},
	}}
}

// TestEstadisticasXLSX: one sheet per chart with its table, and a native
// chart whose series point at those cells.
func TestEstadisticasXLSX(t *testing.T) {
	var buf bytes.Buffer
	info := Info{Institution: legajo.Institution{Name: "Servicios de Salud de Veracruz"}, By: "Ana Pérez", At: time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)}
	if err := Estadisticas(&buf, sampleStats(), info); err != nil {
		t.Fatal(err)
	}
	if p := os.Getenv("LEGAJO_XLSX_LOOK"); p != "" {
		os.WriteFile(p, buf.Bytes(), 0o644)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(f.GetSheetList(), "|"), "Resumen|Documentos por tipo|Fallas|Telefonía|Pendientes"; got != want {
		t.Errorf("sheets = %s, want %s", got, want)
	}
	cells := map[string]string{
		"Resumen!B4":             "enero a marzo de 2026",
		"Resumen!B5":             "Todas",
		"Resumen!B8":             "1 de abril de 2026",
		"Documentos por tipo!A5": "enero de 2026",
		"Documentos por tipo!C4": "Oficio de liberación de sistema",
		"Documentos por tipo!B6": "30",
		"Fallas!D5":              "20.5",
		"Fallas!D6":              "",
		"Telefonía!B5":           "$15,234.50",
		"Pendientes!A3":          "Sin datos en el periodo.", // and no chart
		"Pendientes!A5":          "Hasta 7 días",
	}
	for ref, want := range cells {
		sheet, cell, _ := strings.Cut(ref, "!")
		got, err := f.GetCellValue(sheet, cell)
		if err != nil || got != want {
			t.Errorf("%s = %q (%v), want %q", ref, got, err, want)
		}
	}
	// The charts, as Excel reads them.
	z, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var charts []string
	refs := map[string]bool{}
	ref := regexp.MustCompile(`<(?:c:)?f>([^<]+)</(?:c:)?f>`)
	for _, zf := range z.File {
		if !regexp.MustCompile(`^xl/charts/chart\d+\.xml$`).MatchString(zf.Name) {
			continue
		}
		charts = append(charts, zf.Name)
		r, _ := zf.Open()
		b, _ := io.ReadAll(r)
		r.Close()
		for _, m := range ref.FindAllSubmatch(b, -1) {
			refs[html.UnescapeString(string(m[1]))] = true
		}
		if bytes.Contains(b, []byte("Mediana")) {
			t.Errorf("%s draws the extra column", zf.Name)
		}
	}
	sort.Strings(charts)
	if len(charts) != 3 {
		t.Fatalf("charts = %v, want 3", charts)
	}
	for _, want := range []string{
		"'Documentos por tipo'!$A$5:$A$7", "'Documentos por tipo'!$B$5:$B$7", "'Documentos por tipo'!$C$5:$C$7", "'Documentos por tipo'!$C$4",
		"'Fallas'!$A$5:$A$6", "'Fallas'!$C$5:$C$6", "'Telefonía'!$B$5:$B$7",
	} {
		if !refs[want] {
			t.Errorf("no chart refers to %s; refs: %v", want, refs)
		}
	}
}
