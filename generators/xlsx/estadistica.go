package xlsx

import (
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/xuri/excelize/v2"

	"github.com/sesver/legajo"
)

// statsSheets names each chart's sheet (31 characters at most, Excel's
// limit); a chart not listed takes its title, cut.
var statsSheets = map[string]string{
	"documentos-tipo": "Documentos por tipo",
	"documentos-area": "Documentos por área",
	"pendientes":      "Pendientes",
	"fallas":          "Fallas",
	"tramites":        "Trámites",
	"telefonia":       "Telefonía",
}

// chartPalette is generators/chart's, so that the spreadsheet's charts
// and the page's look alike (the packages do not import each other).
var chartPalette = []string{"0072B2", "E69F00", "009E73", "CC79A7", "56B4E9", "D55E00", "999999", "F0E442"}

// Estadisticas writes the statistics as a workbook: a summary sheet, then
// one sheet per chart with its table and a native Excel chart drawn from
// those cells, so that whoever edits a figure sees the chart follow.
func Estadisticas(w io.Writer, st *legajo.Stats, info Info) error {
	b, err := newBook()
	if err != nil {
		return err
	}
	defer b.close()
	f := b.f
	const summary = "Resumen"
	if err := f.SetSheetName("Sheet1", summary); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	area := st.Filter.Area
	if area == "" {
		area = "Todas"
	}
	rows := [][2]any{
		{"Institución", info.Institution.Name},
		{"Periodo", st.Filter.Period()},
		{"Área", area},
		{"Documentos del periodo", st.Documents},
		{"Elaborado por", info.By},
		{"Fecha", legajo.LongDate(info.At)},
	}
	set := func(sheet, cell string, v any, style int) error {
		if err := f.SetCellValue(sheet, cell, v); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
		if style != 0 {
			if err := f.SetCellStyle(sheet, cell, cell, style); err != nil {
				return fmt.Errorf("xlsx: %w", err)
			}
		}
		return nil
	}
	if err := set(summary, "A1", "Estadísticas del Departamento de Tecnologías de la Información", b.title); err != nil {
		return err
	}
	for i, r := range rows {
		n := strconv.Itoa(i + 3)
		if err := set(summary, "A"+n, r[0], b.label); err != nil {
			return err
		}
		if err := set(summary, "B"+n, r[1], b.value); err != nil {
			return err
		}
	}
	next := len(rows) + 4
	if err := set(summary, "A"+strconv.Itoa(next), "Hojas", b.label); err != nil {
		return err
	}
	if err := f.SetColWidth(summary, "A", "A", 26); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := f.SetColWidth(summary, "B", "B", 70); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := b.printSetup(summary, 0); err != nil {
		return err
	}
	for i, c := range st.Charts {
		name := statsSheets[c.ID]
		if name == "" {
			name = string([]rune(c.Title)[:min(31, len([]rune(c.Title)))])
		}
		n := strconv.Itoa(next + 1 + i)
		if err := set(summary, "A"+n, name, b.value); err != nil {
			return err
		}
		if err := set(summary, "B"+n, c.Title, b.value); err != nil {
			return err
		}
		if err := b.statsSheet(name, c); err != nil {
			return err
		}
	}
	if err := f.Write(w); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return nil
}

// statsSheet writes one chart's sheet: title and caption, the table from
// row 4, and the chart to the right of the table.
func (b *book) statsSheet(name string, c legajo.Chart) error {
	f := b.f
	if _, err := f.NewSheet(name); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	cell := func(col, row int) string {
		s, _ := excelize.CoordinatesToCellName(col, row)
		return s
	}
	q := "'" + name + "'!"
	abs := func(col, row int) string {
		s, _ := excelize.CoordinatesToCellName(col, row, true)
		return s
	}
	if err := f.SetCellValue(name, "A1", c.Title); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := f.SetCellStyle(name, "A1", "A1", b.title); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := f.SetCellValue(name, "A2", c.Caption); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	const header = 4
	cols := append(append([]legajo.Series{}, c.Series...), c.Extra...)
	if err := f.SetCellValue(name, cell(1, header), c.Category); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	for j, s := range cols {
		if err := f.SetCellValue(name, cell(j+2, header), s.Name); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
	}
	if err := f.SetCellStyle(name, cell(1, header), cell(len(cols)+1, header), b.header); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := f.SetRowHeight(name, header, 45); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	moneyFmt, pct, dec := `"$"#,##0.00`, `0.0" %"`, "#,##0.0"
	styleFor := func(s legajo.Series) (int, error) {
		st := &excelize.Style{Font: &excelize.Font{Family: "Calibri", Size: 10}, NumFmt: 3,
			Border: []excelize.Border{{Type: "left", Color: "A0A0A0", Style: 1}, {Type: "right", Color: "A0A0A0", Style: 1},
				{Type: "top", Color: "A0A0A0", Style: 1}, {Type: "bottom", Color: "A0A0A0", Style: 1}}}
		switch {
		case s.Percent:
			st.NumFmt, st.CustomNumFmt = 0, &pct
		case c.Money:
			st.NumFmt, st.CustomNumFmt = 0, &moneyFmt
		default:
			for _, v := range s.Values {
				if v != math.Trunc(v) && !math.IsNaN(v) {
					st.NumFmt, st.CustomNumFmt = 0, &dec
					break
				}
			}
		}
		return f.NewStyle(st)
	}
	for i, cat := range c.Categories {
		row := header + 1 + i
		if err := f.SetCellValue(name, cell(1, row), cat); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
		if err := f.SetCellStyle(name, cell(1, row), cell(1, row), b.styles[text]); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
	}
	for j, s := range cols {
		style, err := styleFor(s)
		if err != nil {
			return fmt.Errorf("xlsx: style: %w", err)
		}
		for i := range c.Categories {
			row := header + 1 + i
			if i < len(s.Values) && !math.IsNaN(s.Values[i]) {
				if err := f.SetCellValue(name, cell(j+2, row), s.Values[i]); err != nil {
					return fmt.Errorf("xlsx: %w", err)
				}
			}
			if err := f.SetCellStyle(name, cell(j+2, row), cell(j+2, row), style); err != nil {
				return fmt.Errorf("xlsx: %w", err)
			}
		}
	}
	last := header + len(c.Categories)
	if err := f.SetColWidth(name, "A", "A", 34); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	lastCol, _ := excelize.ColumnNumberToName(len(cols) + 1)
	if err := f.SetColWidth(name, "B", lastCol, 16); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := b.printSetup(name, header); err != nil {
		return err
	}
	if len(c.Categories) == 0 || c.Empty() {
		// Under the caption, never over a row of the table.
		if err := f.SetCellValue(name, "A3", "Sin datos en el periodo."); err != nil {
			return fmt.Errorf("xlsx: %w", err)
		}
		return nil
	}
	// The chart: over the drawn series only, beside the table.
	typ := excelize.ColStacked
	horizontal := false
	for _, l := range c.AxisLabels() {
		if len([]rune(l)) > 10 {
			horizontal = true
		}
	}
	switch {
	case c.Kind == legajo.ChartGrouped && horizontal:
		typ = excelize.Bar
	case c.Kind == legajo.ChartGrouped:
		typ = excelize.Col
	case horizontal:
		typ = excelize.BarStacked
	}
	ch := &excelize.Chart{Type: typ,
		Title:  excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: c.Title, Font: &excelize.Font{Size: 12, Bold: true}}}},
		Legend: excelize.ChartLegend{Position: "right"},
		Format: excelize.GraphicOptions{OffsetX: 10, OffsetY: 5},
		// Axis labels in dark grey: the spreadsheets' default is a pale grey
		// that a printed or projected sheet loses.
		YAxis: excelize.ChartAxis{MajorGridLines: true, Title: excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: c.Value}}},
			NumFmt: excelize.ChartNumFmt{CustomNumFmt: "#,##0"}, Font: axisFont},
		XAxis:        excelize.ChartAxis{ReverseOrder: horizontal, Font: axisFont}, // the first category on top, as in the table
		Dimension:    excelize.ChartDimension{Width: 720, Height: 360},
		PlotArea:     excelize.ChartPlotArea{ShowVal: false},
		ShowBlanksAs: "zero",
	}
	if c.Money {
		ch.YAxis.NumFmt.CustomNumFmt = `"$"#,##0`
	}
	if typ == excelize.ColStacked || typ == excelize.BarStacked {
		overlap := 100
		ch.Overlap = &overlap
	}
	for j, s := range c.Series {
		color := s.Color
		if color == "" {
			color = chartPalette[j%len(chartPalette)]
		}
		ch.Series = append(ch.Series, excelize.ChartSeries{
			Name:       q + abs(j+2, header),
			Categories: q + abs(1, header+1) + ":" + abs(1, last),
			Values:     q + abs(j+2, header+1) + ":" + abs(j+2, last),
			Fill:       excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{color}},
		})
	}
	anchor := cell(len(cols)+3, header)
	if err := f.AddChart(name, anchor, ch); err != nil {
		return fmt.Errorf("xlsx: chart %s: %w", c.ID, err)
	}
	return nil
}

var axisFont = excelize.Font{Color: "404040", Size: 9}
