package xlsx

import (
	"archive/zip"
	"bytes"
	"fmt"
	"html"
	"io"
	"math"
	"os"
	"regexp"
	"sort"
	"strconv"
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

// TestEstadisticasChartPerSheet follows each sheet's drawing to its chart,
// as Excel does, and checks that the chart draws that sheet's table: one
// series per drawn column, named by its header cell, its categories the
// rows of column A and its values the column's cells, which hold the
// chart's figures. A sheet with nothing to draw has no chart.
func TestEstadisticasChartPerSheet(t *testing.T) {
	st := sampleStats()
	var buf bytes.Buffer
	if err := Estadisticas(&buf, st, Info{By: "Ana Pérez", At: time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	part := func(name string) string {
		for _, zf := range z.File {
			if zf.Name == name {
				r, _ := zf.Open()
				b, _ := io.ReadAll(r)
				r.Close()
				return string(b)
			}
		}
		return ""
	}
	// target is the part a relationship of rels points to, relative to dir.
	target := func(rels, dir, typ string) string {
		m := regexp.MustCompile(`Target="([^"]+)" Type="[^"]+/` + typ + `"`).FindStringSubmatch(part(rels))
		if m == nil {
			return ""
		}
		if strings.HasPrefix(m[1], "/") {
			return m[1][1:]
		}
		p := dir + "/" + m[1]
		for strings.Contains(p, "/../") {
			p = regexp.MustCompile(`[^/]+/\.\./`).ReplaceAllString(p, "")
		}
		return p
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	sheets := f.GetSheetList()
	if len(sheets) != len(st.Charts)+1 {
		t.Fatalf("sheets %v for %d charts", sheets, len(st.Charts))
	}
	ref := regexp.MustCompile(`<f>([^<]+)</f>`)
	for i, c := range st.Charts {
		sheet := sheets[i+1]
		rid := regexp.MustCompile(`<sheet name="` + regexp.QuoteMeta(html.EscapeString(sheet)) + `" sheetId="\d+" r:id="(rId\d+)"`).FindStringSubmatch(part("xl/workbook.xml"))
		if rid == nil {
			t.Fatalf("%s: not in the workbook", sheet)
		}
		ws := regexp.MustCompile(`Id="` + rid[1] + `" Target="([^"]+)"`).FindStringSubmatch(part("xl/_rels/workbook.xml.rels"))
		if ws == nil {
			t.Fatalf("%s: no worksheet part", sheet)
		}
		name := strings.TrimPrefix(ws[1], "worksheets/")
		drawing := target("xl/worksheets/_rels/"+name+".rels", "xl/worksheets", "drawing")
		if c.Empty() {
			if drawing != "" {
				t.Errorf("%s has nothing to draw and has a drawing %s", sheet, drawing)
			}
			continue
		}
		if drawing == "" {
			t.Errorf("%s has no drawing", sheet)
			continue
		}
		d := strings.Split(drawing, "/")
		chart := target("xl/drawings/_rels/"+d[len(d)-1]+".rels", "xl/drawings", "chart")
		xml := part(chart)
		if xml == "" {
			t.Errorf("%s: drawing %s has no chart", sheet, drawing)
			continue
		}
		sers := regexp.MustCompile(`(?s)<ser>.*?</ser>`).FindAllString(xml, -1)
		if len(sers) != len(c.Series) {
			t.Errorf("%s: %d series drawn, want %d", sheet, len(sers), len(c.Series))
			continue
		}
		q := "'" + sheet + "'!"
		last := 4 + len(c.Categories)
		for j, ser := range sers {
			col, _ := excelize.ColumnNumberToName(2 + j)
			var refs []string
			for _, m := range ref.FindAllStringSubmatch(ser, -1) {
				refs = append(refs, html.UnescapeString(m[1]))
			}
			want := []string{q + "$" + col + "$4", fmt.Sprintf("%s$A$5:$A$%d", q, last), fmt.Sprintf("%s$%s$5:$%s$%d", q, col, col, last)}
			if strings.Join(refs, " ") != strings.Join(want, " ") {
				t.Errorf("%s, series %d: refs %q, want %q", sheet, j, refs, want)
				continue
			}
			if h, _ := f.GetCellValue(sheet, col+"4"); h != c.Series[j].Name {
				t.Errorf("%s!%s4 = %q, want the series %q", sheet, col, h, c.Series[j].Name)
			}
			for k, v := range c.Series[j].Values {
				cell := fmt.Sprintf("%s%d", col, 5+k)
				raw, _ := f.GetCellValue(sheet, cell, excelize.Options{RawCellValue: true})
				if got, err := strconv.ParseFloat(raw, 64); err != nil || math.Abs(got-v) > 1e-9 {
					t.Errorf("%s!%s = %q, want %v", sheet, cell, raw, v)
				}
				if cat, _ := f.GetCellValue(sheet, fmt.Sprintf("A%d", 5+k)); cat != c.Categories[k] {
					t.Errorf("%s!A%d = %q, want %q", sheet, 5+k, cat, c.Categories[k])
				}
			}
		}
	}
}
