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
type Info struct {
	Institution legajo.Institution
	By          string    // who exported it
	At          time.Time // when
	// Responsable is the responsable del archivo de trámite ("Nombre,
	// cargo"), when known; inventories leave a line to fill otherwise.
	Responsable string
}

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
		if err := setRow(sw, row, []any{excelize.Cell{StyleID: b.value, Value: "Ningún expediente o documento cumple las condiciones de este instrumento."}}); err != nil {
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

// headFields are the identification fields every inventory starts with
// (AGN instructivo): dependencia, unidad administrativa, área productora;
// fondo, sección and serie.
func headFields(info Info, rows []legajo.ExpedienteSummary) (left, right [][2]any) {
	inst := info.Institution
	unit, area := "", ""
	if len(inst.Units) > 0 {
		unit = inst.Units[0]
		area = inst.Units[len(inst.Units)-1]
	}
	left = [][2]any{{"Dependencia", inst.Name}, {"Unidad administrativa", unit}, {"Área productora", area},
		{"Fecha de elaboración", info.At}}
	fondo, seccion, serie := "", "", ""
	codes := map[string]bool{}
	for _, r := range rows {
		codes[r.Expediente.Code] = true
	}
	switch len(codes) {
	case 0:
		fondo = strings.SplitN(strings.ReplaceAll(inst.FolioPrefix, "/", "."), ".", 2)[0]
	case 1:
		c := legajo.Classify(rows[0].Expediente.Code)
		fondo, seccion, serie = c.Fondo, c.SeccionLabel(), c.SerieLabel()
	default:
		c := legajo.Classify(rows[0].Expediente.Code)
		fondo, seccion, serie = c.Fondo, "Varias (véase cada expediente)", "Varias (véase cada expediente)"
	}
	if fondo != "" && inst.Name != "" {
		fondo += " — " + inst.Name
	}
	right = [][2]any{{"Fondo", fondo}, {"Sección", seccion}, {"Serie", serie}, {"Elaboró", info.By}}
	return left, right
}

func closing(s legajo.ExpedienteSummary) time.Time {
	if !s.Closed {
		return time.Time{}
	}
	return s.Cierre
}

func fojas(s legajo.ExpedienteSummary) any {
	if s.Fojas == 0 {
		return nil
	}
	return s.Fojas
}

func observations(s legajo.ExpedienteSummary) string {
	var obs []string
	if !s.Closed {
		obs = append(obs, "Expediente abierto: el cierre, las fojas y los legajos se fijan al concluir el año")
	}
	if s.Cancelled > 0 {
		obs = append(obs, legajo.Plural(s.Cancelled, "documento cancelado conserva su folio", "documentos cancelados conservan su folio"))
	}
	return strings.Join(obs, ". ")
}

func totals(rows []legajo.ExpedienteSummary) [][2]any {
	f, docs := 0, 0
	var from, to time.Time
	for _, r := range rows {
		f += r.Fojas
		docs += r.Documents
		if from.IsZero() || r.Apertura.Before(from) {
			from = r.Apertura
		}
		if r.Cierre.After(to) {
			to = r.Cierre
		}
	}
	periodo := ""
	if !from.IsZero() {
		periodo = legajo.ShortDate(from) + " – " + legajo.ShortDate(to)
	}
	return [][2]any{{"Cantidad de expedientes", len(rows)}, {"Documentos", docs}, {"Total de fojas", f},
		{"Periodo", periodo}, {"Cajas", ""}, {"Peso (kg)", ""}}
}

// Inventario writes an inventario documental (kind general, transferencia
// or baja) of the yearly expedientes in rows, with the fields of the AGN's
// instructivo: identification header, one row per expediente, totals and
// signatures. Boxes, weights, transfer numbers, dictamen and acta are
// physical or later facts: they are left as cells to fill by hand. An
// unknown kind is legajo.ErrInvalid.
func Inventario(w io.Writer, kind string, rows []legajo.ExpedienteSummary, info Info) error {
	left, right := headFields(info, rows)
	responsable := info.Responsable
	ins := &instrument{totals: totals(rows), left: left, right: right}
	switch kind {
	case legajo.InventoryGeneral:
		ins.sheet, ins.title = "Inventario general", "INVENTARIO GENERAL DEL ARCHIVO DE TRÁMITE"
		ins.cols = []column{{"No.", 6, integer}, {"Número de caja", 9, text}, {"Número de expediente", 22, text}, {"Legajos", 8, integer},
			{"Código de clasificación", 15, text}, {"Sección", 28, wrapped}, {"Serie", 28, wrapped}, {"Título del expediente", 40, wrapped},
			{"Descripción (alcance y contenido)", 60, wrapped}, {"Fecha de apertura", 12, date}, {"Fecha de cierre", 12, date},
			{"Documentos", 11, integer}, {"Fojas", 8, integer}, {"Soporte", 11, text}, {"Ubicación", 30, text},
			{"Valores documentales", 22, text}, {"Vigencia en trámite", 11, text}, {"Vigencia en concentración", 13, text},
			{"Destino final", 13, text}, {"Condiciones de acceso", 13, text}, {"Observaciones", 45, wrapped}}
		for i, s := range rows {
			c := legajo.Classify(s.Expediente.Code)
			ins.rows = append(ins.rows, []any{i + 1, "", s.Clasificacion(), s.Legajos(), s.Expediente.Code,
				c.SeccionLabel(), c.SerieLabel(), s.Title(), s.Description(), s.Apertura, closing(s),
				s.Documents, fojas(s), "Electrónico", s.Location(), strings.Join(s.Expediente.Valores, ", "),
				legajo.Years(s.Expediente.YearsTramite), legajo.Years(s.Expediente.YearsConcentracion), s.Expediente.Destino,
				capitalize(s.Expediente.Acceso), observations(s)})
		}
		ins.signers = [][2]string{{"Responsable del archivo de trámite", responsable}, {"Revisó", ""}}
	case legajo.InventoryTransferencia:
		ins.sheet, ins.title = "Transferencia primaria", "INVENTARIO DE TRANSFERENCIA PRIMARIA"
		ins.right = append(ins.right, [2]any{"Número de transferencia", ""}, [2]any{"Fecha de transferencia", ""})
		ins.cols = []column{{"No.", 6, integer}, {"Número de caja", 9, text}, {"Expediente en la caja", 10, text},
			{"Código de clasificación", 15, text}, {"Número de expediente", 22, text}, {"Título del expediente", 40, wrapped},
			{"Documentación", 60, wrapped}, {"Fecha de apertura", 12, date}, {"Fecha de cierre", 12, date},
			{"Valor documental", 22, text}, {"Plazo en trámite", 10, text}, {"Plazo en concentración", 13, text},
			{"Plazo total", 10, text}, {"Destino final", 13, text}, {"Condiciones de acceso", 13, text},
			{"Fundamento legal", 20, text}, {"Fojas", 8, integer}, {"Legajos", 8, integer}, {"Soporte", 11, text},
			{"Vigencia en trámite cumplida el", 14, date}, {"Ubicación electrónica", 30, text}}
		for i, s := range rows {
			ins.rows = append(ins.rows, []any{i + 1, "", "", s.Expediente.Code, s.Clasificacion(), s.Title(), s.Description(),
				s.Apertura, s.Cierre, strings.Join(s.Expediente.Valores, ", "), legajo.Years(s.Expediente.YearsTramite),
				legajo.Years(s.Expediente.YearsConcentracion), legajo.Years(s.Expediente.RetentionYears()), s.Expediente.Destino,
				capitalize(s.Expediente.Acceso), "", fojas(s), s.Legajos(), "Electrónico", s.TransferDue, s.Location()})
		}
		ins.notes = []string{"Propuesta generada por Legajo con los expedientes cuya vigencia en el archivo de trámite se cumplió; " +
			"la transferencia se formaliza con la firma de este inventario. El número de caja y de expediente en la caja se anotan al encajar."}
		ins.signers = [][2]string{{"Entrega: responsable del archivo de trámite", responsable}, {"Recibe: responsable del archivo de concentración", ""}, {"Vo. Bo.: coordinación de archivos", ""}}
	case legajo.InventoryBaja:
		ins.sheet, ins.title = "Baja documental", "INVENTARIO DE BAJA DOCUMENTAL"
		ins.right = append(ins.right, [2]any{"Dictamen de valoración", ""}, [2]any{"Acta de baja", ""})
		ins.cols = []column{{"No.", 6, integer}, {"Código de clasificación", 15, text}, {"Serie", 28, wrapped},
			{"Número de expediente", 22, text}, {"Título del expediente", 40, wrapped}, {"Fecha de apertura", 12, date},
			{"Fecha de cierre", 12, date}, {"Expedientes", 10, integer}, {"Fojas", 8, integer}, {"Cajas", 8, text},
			{"Valores documentales", 22, text}, {"Vigencia total", 10, text}, {"Vigencia cumplida el", 13, date},
			{"Destino final", 13, text}, {"Observaciones", 45, wrapped}}
		for i, s := range rows {
			c := legajo.Classify(s.Expediente.Code)
			obs := ""
			if s.Expediente.Destino == "Muestreo" {
				obs = "Serie de muestreo: separar antes la muestra que se conserva."
			}
			ins.rows = append(ins.rows, []any{i + 1, s.Expediente.Code, c.SerieLabel(), s.Clasificacion(), s.Title(),
				s.Apertura, s.Cierre, 1, fojas(s), "", strings.Join(s.Expediente.Valores, ", "),
				legajo.Years(s.Expediente.RetentionYears()), s.DisposalDue, s.Expediente.Destino, obs})
		}
		ins.notes = []string{"Propuesta generada por Legajo con los expedientes cuya vigencia total se cumplió y cuyo destino final es la baja. " +
			"La baja la dictaminan el área coordinadora de archivos y el archivo de concentración; Legajo no elimina ningún documento."}
		ins.signers = [][2]string{{"Elaboró: responsable del archivo de concentración", ""}, {"Validó: coordinación de archivos", ""}, {"Vo. Bo.: grupo interdisciplinario", ""}}
	default:
		return legajo.Errorf(legajo.ErrInvalid, "«%s» no es un tipo de inventario: use general, transferencia o baja.", kind)
	}
	return ins.write(w)
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
	left, right := headFields(info, sums)
	ins := &instrument{sheet: "Retención", title: "EXPEDIENTES CON VIGENCIA CUMPLIDA (CATÁLOGO DE DISPOSICIÓN DOCUMENTAL)",
		left: left, right: right}
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
