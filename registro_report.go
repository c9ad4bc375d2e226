package legajo

import (
	"strings"
	"time"
)

// RegistroReport defines the export of a registry's rows (the XLSX and the
// PDF lay out the same definition): every column of the registry, its
// estado, the stock when it holds one, and the dates and document of its
// alta and last change. The columns not shown in the registry's table on
// the web are in the spreadsheet only: a landscape Letter page has no room
// for them. q says what was searched, for the heading.
func RegistroReport(d *RegistroDef, rows []*RegistroRow, q RegistroQuery, info InstrumentInfo) *Instrument {
	inst := info.Institution
	area := ""
	if len(inst.Units) > 0 {
		area = inst.Units[len(inst.Units)-1]
	}
	filtro := "Todos los renglones"
	if q.Q != "" {
		filtro = "Que contienen «" + q.Q + "»"
	}
	if q.Active {
		filtro += ", sólo vigentes"
	}
	ins := &Instrument{Sheet: d.Title, Title: strings.ToUpper(d.Title),
		Left:  []InstrumentField{{"Dependencia", inst.Name}, {"Área", area}, {"Fecha de elaboración", info.At}},
		Right: []InstrumentField{{"Procedimientos del manual", strings.Join(d.Procedures, ", ")}, {"Búsqueda", filtro}, {"Elaboró", info.By}}}
	for len([]rune(ins.Sheet)) > 31 { // a spreadsheet tab's limit: whole words
		i := strings.LastIndex(ins.Sheet, " ")
		if i < 0 {
			ins.Sheet = string([]rune(ins.Sheet)[:31])
			break
		}
		ins.Sheet = ins.Sheet[:i]
	}
	ins.Columns = append(ins.Columns, col("No.", 6, ColumnInteger))
	for _, c := range d.Columns {
		// Text wraps: the printed page shares its width out by the
		// longest texts of each column.
		kind, width := ColumnWrapped, 24.0
		switch c.Kind {
		case ColFecha:
			kind, width = ColumnDate, 12
		case ColOpcion, ColNumero:
			width = 16
		default:
			if c.Max > 120 {
				width = 36
			}
		}
		ic := InstrumentColumn{Title: c.Label, Width: width, Kind: kind}
		if !c.List {
			ic.SpreadsheetOnly = true
		}
		ins.Columns = append(ins.Columns, ic)
	}
	if d.Stock {
		ins.Columns = append(ins.Columns, col("Existencia", 10, ColumnInteger))
	}
	if d.ID == RespaldosID {
		ins.Columns = append(ins.Columns, col("Situación", 22, ColumnText))
	}
	ins.Columns = append(ins.Columns, col("Estado", 10, ColumnText), col("Alta", 12, ColumnDate),
		sheetOnly(col("Último cambio", 12, ColumnDate)), col("Último documento", 26, ColumnWrapped, "Documento"), sheetOnly(col("Cambios", 8, ColumnInteger)))
	active, stock := 0, 0
	for i, r := range rows {
		out := []any{i + 1}
		for _, c := range d.Columns {
			v := r.Fields[c.Name]
			if c.Kind == ColFecha {
				t, _ := time.Parse(DateLayout, v)
				out = append(out, t)
				continue
			}
			if c.Name == "rama" && d.ID == PadronCorreoID && v != "" {
				v = RamaShort(v)
			}
			out = append(out, v)
		}
		if d.Stock {
			out = append(out, r.Qty)
			stock += r.Qty
		}
		if d.ID == RespaldosID {
			out = append(out, RespaldoCheck(r, info.At).Label())
		}
		folio := ""
		for j := len(r.History) - 1; j >= 0; j-- {
			if r.History[j].Folio != "" {
				folio = r.History[j].Folio
				break
			}
		}
		out = append(out, r.Status(), dayOf(r.Created, info.At.Location()), dayOf(r.Updated, info.At.Location()), folio, len(r.History))
		ins.Rows = append(ins.Rows, out)
		if r.Active {
			active++
		}
	}
	ins.Totals = []InstrumentField{{"Renglones", len(rows)}, {"Vigentes", active}}
	if d.Stock {
		ins.Totals = append(ins.Totals, InstrumentField{"Piezas en existencia", stock})
	}
	ins.Notes = []string{"Registro vivo de Legajo: cada alta, modificación, baja y movimiento está archivado con su fecha, quien lo hizo " +
		"y el documento que lo originó, en el expediente «" + RegistroExpediente + "»; el historial de cada renglón se consulta en el sistema."}
	if d.ID == PadronCorreoID {
		ins.Notes = append(ins.Notes, "Las contraseñas no figuran: se entregan sólo en el tanto del usuario y Legajo nunca las guarda.")
	}
	return ins
}

// dayOf is t's calendar day in loc, as an instrument's date column shows
// it (zero stays zero).
func dayOf(t time.Time, loc *time.Location) time.Time {
	if t.IsZero() {
		return t
	}
	if loc != nil {
		t = t.In(loc)
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}
