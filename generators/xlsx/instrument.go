package xlsx

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/sesver/legajo"
)

// Info says who makes an instrument, for which institution and when.
type Info = legajo.InstrumentInfo

// instrument is a report sheet: a title, header fields in two groups side
// by side, a table, totals and signature lines.
type instrument struct {
	sheet   string
	title   string
	left    [][2]any // label, value (string or time)
	right   [][2]any
	cols    []column
	rows    [][]any
	totals  [][2]any
	notes   []string
	signers [][2]string // caption and, when known, who signs
}

// write streams the instrument as the workbook's only sheet.
func (ins *instrument) write(w io.Writer) error {
	b, err := newBook()
	if err != nil {
		return err
	}
	defer b.close()
	sw, err := b.sheet(ins.sheet)
	if err != nil {
		return err
	}
	if err := widths(sw, ins.cols); err != nil {
		return err
	}
	headerRow := 3 + max(len(ins.left), len(ins.right))
	if err := freeze(sw, headerRow); err != nil {
		return err
	}
	last, _ := excelize.CoordinatesToCellName(len(ins.cols), 1)
	if err := sw.MergeCell("A1", last); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := setRow(sw, 1, []any{excelize.Cell{StyleID: b.title, Value: ins.title}}, excelize.RowOpts{Height: 20}); err != nil {
		return err
	}
	// The right group starts in the column after the middle of the table.
	mid := max(3, len(ins.cols)/2)
	for i := 0; i < max(len(ins.left), len(ins.right)); i++ {
		cells := make([]any, 0, mid+2)
		if i < len(ins.left) {
			cells = append(cells, b.pair(ins.left[i])...)
		}
		if i < len(ins.right) {
			for len(cells) < mid {
				cells = append(cells, nil)
			}
			cells = append(cells, b.pair(ins.right[i])...)
		}
		if err := setRow(sw, 3+i, cells); err != nil {
			return err
		}
	}
	if err := b.headerRow(sw, headerRow, ins.cols); err != nil {
		return err
	}
	row := headerRow
	for _, r := range ins.rows {
		row++
		cells := make([]any, len(r))
		for i, v := range r {
			cells[i] = b.cell(ins.cols[i], v)
		}
		if err := setRow(sw, row, cells); err != nil {
			return err
		}
	}
	lastRow := row
	if len(ins.rows) == 0 {
		row++
		if err := setRow(sw, row, []any{excelize.Cell{StyleID: b.value, Value: legajo.NoRows}}); err != nil {
			return err
		}
	}
	row++
	for _, t := range ins.totals {
		row++
		if err := setRow(sw, row, b.pair(t)); err != nil {
			return err
		}
	}
	if len(ins.notes) > 0 {
		row++
	}
	for _, n := range ins.notes {
		row++
		if err := setRow(sw, row, []any{excelize.Cell{StyleID: b.value, Value: n}}); err != nil {
			return err
		}
	}
	for _, s := range ins.signers {
		row += 3
		who := "Nombre y cargo: ________________________________________"
		if s[1] != "" {
			who = s[1]
		}
		if err := setRow(sw, row, []any{excelize.Cell{StyleID: b.label, Value: s[0]}, excelize.Cell{StyleID: b.value, Value: who}}); err != nil {
			return err
		}
		if err := setRow(sw, row+1, []any{nil, excelize.Cell{StyleID: b.value, Value: "Firma: ________________________________________"}}); err != nil {
			return err
		}
		row++
	}
	if err := b.finishTable(sw, ins.sheet, headerRow, lastRow, ins.cols); err != nil {
		return err
	}
	return b.save(w)
}

// pair is a label cell and its value cell.
func (b *book) pair(p [2]any) []any {
	v := excelize.Cell{StyleID: b.value, Value: p[1]}
	switch x := p[1].(type) {
	case time.Time:
		if x.IsZero() {
			v.Value = nil
		}
		v.StyleID = b.styles[date]
		if x.Hour() != 0 || x.Minute() != 0 {
			v.StyleID = b.styles[datetime]
		}
	case string:
		if x == "" {
			v.Value = "________________________"
		}
	}
	return []any{excelize.Cell{StyleID: b.label, Value: p[0]}, v}
}

// Inventario writes an inventario documental (kind general, transferencia
// or baja) of the yearly expedientes in rows, as legajo.Inventory defines
// it. An unknown kind is legajo.ErrInvalid.
func Inventario(w io.Writer, kind string, rows []legajo.ExpedienteSummary, info Info) error {
	def, err := legajo.Inventory(kind, rows, info)
	if err != nil {
		return err
	}
	return fromDefinition(def).write(w)
}

// fromDefinition lays out an instrument defined in the root package.
func fromDefinition(def *legajo.Instrument) *instrument {
	ins := &instrument{sheet: def.Sheet, title: def.Title, left: pairs(def.Left), right: pairs(def.Right),
		rows: def.Rows, totals: pairs(def.Totals), notes: def.Notes}
	kinds := map[legajo.ColumnKind]kind{legajo.ColumnText: text, legajo.ColumnWrapped: wrapped,
		legajo.ColumnDate: date, legajo.ColumnInteger: integer}
	for _, c := range def.Columns {
		ins.cols = append(ins.cols, column{c.Title, c.Width, kinds[c.Kind]})
	}
	for _, s := range def.Signers {
		ins.signers = append(ins.signers, [2]string{s.Caption, s.Who})
	}
	return ins
}

func pairs(fields []legajo.InstrumentField) [][2]any {
	var out [][2]any
	for _, f := range fields {
		out = append(out, [2]any{f.Label, f.Value})
	}
	return out
}

// fojas is a count of fojas, blank when they were not counted.
func fojas(s legajo.ExpedienteSummary) any {
	if s.Fojas == 0 {
		return nil
	}
	return s.Fojas
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

// Retencion writes the retention report: the closed expedientes whose
// vigencia has run out and what the CADIDO proposes for each. It is a
// proposal; nothing is deleted or moved.
func Retencion(w io.Writer, items []legajo.RetentionItem, info Info) error {
	var sums []legajo.ExpedienteSummary
	for _, it := range items {
		sums = append(sums, it.Summary)
	}
	left, right := legajo.InstrumentHead(info, sums)
	ins := &instrument{sheet: "Retención", title: "EXPEDIENTES CON VIGENCIA CUMPLIDA (CATÁLOGO DE DISPOSICIÓN DOCUMENTAL)",
		left: pairs(left), right: pairs(right)}
	ins.cols = []column{{"No.", 6, integer}, {"Expediente", 16, text}, {"Número de expediente", 22, text},
		{"Título del expediente", 40, wrapped}, {"Fecha de apertura", 12, date}, {"Fecha de cierre", 12, date},
		{"Vigencia en trámite", 11, text}, {"Vigencia en concentración", 13, text}, {"Destino final", 13, text},
		{"Acción propuesta", 22, text}, {"Vencida desde", 12, date}, {"Documentos", 11, integer}, {"Fojas", 8, integer},
		{"Observaciones", 60, wrapped}}
	for i, it := range items {
		s := it.Summary
		ins.rows = append(ins.rows, []any{i + 1, s.Expediente.ID, s.Clasificacion(), s.Title(), s.Apertura, s.Cierre,
			legajo.Years(s.Expediente.YearsTramite), legajo.Years(s.Expediente.YearsConcentracion), s.Expediente.Destino,
			capitalize(string(it.Action)), it.Due, s.Documents, fojas(s), it.Note})
	}
	ins.totals = [][2]any{{"Expedientes con vigencia cumplida", len(items)}}
	ins.notes = []string{"Legajo propone; no elimina ni traslada nada. Cada transferencia o baja se formaliza con su inventario, dictamen y acta."}
	return ins.write(w)
}
