package legajo

import (
	"strings"
	"time"
)

// The inventarios documentales as data: one definition of their fields,
// columns, totals and signatures, which the spreadsheet and the PDF
// generators both lay out, so the two never say different things.

// InstrumentInfo says who makes an instrument, for which institution and
// when.
type InstrumentInfo struct {
	Institution Institution
	// By is who makes it, by name (never a login: the instrument is
	// signed by a person).
	By string
	At time.Time
	// Responsable is the responsable del archivo de trámite ("Nombre,
	// cargo"), when known; inventories leave a line to fill otherwise.
	Responsable string
}

// ColumnKind is what an instrument's column holds.
type ColumnKind int

const (
	ColumnText    ColumnKind = iota // a string on one line
	ColumnWrapped                   // a long string, wrapped
	ColumnDate                      // a time.Time, dd/mm/aaaa; zero is blank
	ColumnInteger                   // an int; nil is blank
)

// InstrumentColumn is one column of an instrument's table. Width is in
// characters, as a spreadsheet measures it; a PDF shares its page width
// out in the same proportions.
type InstrumentColumn struct {
	Title string
	Width float64
	Kind  ColumnKind
	// Short is the title a printed page uses when the column is narrow
	// ("" : Title).
	Short string
	// SpreadsheetOnly leaves the column out of the printed instrument: it
	// repeats what another column says (the sección and serie are in the
	// código; the electronic location is the expediente's number), and a
	// landscape Letter page has no room for it.
	SpreadsheetOnly bool
}

// col is a column; short, when given, is its title on a printed page.
func col(title string, width float64, kind ColumnKind, short ...string) InstrumentColumn {
	c := InstrumentColumn{Title: title, Width: width, Kind: kind}
	if len(short) > 0 {
		c.Short = short[0]
	}
	return c
}

// sheetOnly marks a column the printed instrument leaves out.
func sheetOnly(c InstrumentColumn) InstrumentColumn {
	c.SpreadsheetOnly = true
	return c
}

// InstrumentField is a label and its value: a string ("" is a blank to
// fill by hand), an int or a time.Time.
type InstrumentField struct {
	Label string
	Value any
}

// InstrumentSigner is a signature line: its caption and, when known, who
// signs ("Nombre, cargo").
type InstrumentSigner struct {
	Caption string
	Who     string
}

// Instrument is a report of the archive: a title, identification fields
// in two groups, a table, totals, notes and signatures.
type Instrument struct {
	Sheet   string // short name: the spreadsheet's tab, the PDF's footer
	Title   string
	Left    []InstrumentField
	Right   []InstrumentField
	Columns []InstrumentColumn
	Rows    [][]any
	Totals  []InstrumentField
	Notes   []string
	Signers []InstrumentSigner
}

// NoRows is what an instrument's table says when nothing qualifies.
const NoRows = "Ningún expediente o documento cumple las condiciones de este instrumento."

// InstrumentHead gives the identification fields every inventory starts
// with (AGN instructivo): dependencia, unidad administrativa, área
// productora and date on the left; fondo, sección, serie and who made it on
// the right.
func InstrumentHead(info InstrumentInfo, rows []ExpedienteSummary) (left, right []InstrumentField) {
	inst := info.Institution
	unit, area := "", ""
	if len(inst.Units) > 0 {
		unit = inst.Units[0]
		area = inst.Units[len(inst.Units)-1]
	}
	left = []InstrumentField{{"Dependencia", inst.Name}, {"Unidad administrativa", unit}, {"Área productora", area},
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
		c := Classify(rows[0].Expediente.Code)
		fondo, seccion, serie = c.Fondo, c.SeccionLabel(), c.SerieLabel()
	default:
		c := Classify(rows[0].Expediente.Code)
		fondo, seccion, serie = c.Fondo, "Varias (véase cada expediente)", "Varias (véase cada expediente)"
	}
	if fondo != "" && inst.Name != "" {
		fondo += " — " + inst.Name
	}
	right = []InstrumentField{{"Fondo", fondo}, {"Sección", seccion}, {"Serie", serie}, {"Elaboró", info.By}}
	return left, right
}

// Ubicacion is where the electronic part of an expediente is, in words a
// reader can follow (no storage path): the system and the expediente's
// number in it.
func (s ExpedienteSummary) Ubicacion() string {
	return "Sistema Legajo, expediente " + s.Clasificacion()
}

func closingDate(s ExpedienteSummary) time.Time {
	if !s.Closed {
		return time.Time{}
	}
	return s.Cierre
}

func fojasCell(s ExpedienteSummary) any {
	if s.Fojas == 0 {
		return nil
	}
	return s.Fojas
}

func observations(s ExpedienteSummary) string {
	var obs []string
	if !s.Closed {
		obs = append(obs, "Expediente abierto: el cierre, las fojas y los legajos se fijan al concluir el año")
	}
	if r := s.FolioRanges(); r != "" {
		obs = append(obs, "Folios: "+r)
	}
	if s.Cancelled > 0 {
		obs = append(obs, Plural(s.Cancelled, "documento cancelado conserva su folio", "documentos cancelados conservan su folio"))
	}
	return strings.Join(obs, ". ")
}

// inventoryTotals closes an inventory: expedientes, documents and fojas
// (the sums of their columns), the period, and boxes and weight to fill by
// hand.
func inventoryTotals(rows []ExpedienteSummary) []InstrumentField {
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
		periodo = ShortDate(from) + " – " + ShortDate(to)
	}
	return []InstrumentField{{"Cantidad de expedientes", len(rows)}, {"Documentos", docs}, {"Total de fojas", f},
		{"Periodo", periodo}, {"Cajas", ""}, {"Peso (kg)", ""}}
}

// Inventory defines an inventario documental (kind general, transferencia
// or baja) of the yearly expedientes in rows, with the fields of the AGN's
// instructivo: identification header, one row per expediente, totals and
// signatures. Boxes, weights, transfer numbers, dictamen and acta are
// physical or later facts: they are left as blanks to fill by hand. An
// unknown kind is ErrInvalid.
func Inventory(kind string, rows []ExpedienteSummary, info InstrumentInfo) (*Instrument, error) {
	left, right := InstrumentHead(info, rows)
	responsable := info.Responsable
	ins := &Instrument{Totals: inventoryTotals(rows), Left: left, Right: right}
	switch kind {
	case InventoryGeneral:
		ins.Sheet, ins.Title = "Inventario general", "INVENTARIO GENERAL DEL ARCHIVO DE TRÁMITE"
		ins.Columns = []InstrumentColumn{col("No.", 6, ColumnInteger), col("Número de caja", 9, ColumnText, "Caja"), col("Número de expediente", 22, ColumnText, "No. de expediente"), col("Legajos", 8, ColumnInteger),
			col("Código de clasificación", 15, ColumnText, "Código"), sheetOnly(col("Sección", 28, ColumnWrapped)), sheetOnly(col("Serie", 28, ColumnWrapped)), col("Título del expediente", 40, ColumnWrapped),
			col("Descripción (alcance y contenido)", 60, ColumnWrapped), col("Fecha de apertura", 12, ColumnDate), col("Fecha de cierre", 12, ColumnDate),
			col("Documentos", 11, ColumnInteger, "Docs."), col("Fojas", 8, ColumnInteger), col("Soporte", 11, ColumnText), sheetOnly(col("Ubicación", 30, ColumnWrapped)),
			col("Valores documentales", 22, ColumnWrapped, "Valores"), col("Vigencia en trámite", 11, ColumnText, "Vig. en trámite"), col("Vigencia en concentración", 13, ColumnText, "Vig. en concentr."),
			col("Destino final", 13, ColumnText), col("Condiciones de acceso", 13, ColumnText, "Acceso"), col("Observaciones", 45, ColumnWrapped)}
		for i, s := range rows {
			c := Classify(s.Expediente.Code)
			ins.Rows = append(ins.Rows, []any{i + 1, "", s.Clasificacion(), s.Legajos(), s.Expediente.Code,
				c.SeccionLabel(), c.SerieLabel(), s.Title(), s.Description(), s.Apertura, closingDate(s),
				s.Documents, fojasCell(s), s.Soporte(), s.Ubicacion(), strings.Join(s.Expediente.Valores, ", "),
				Years(s.Expediente.YearsTramite), Years(s.Expediente.YearsConcentracion), s.Expediente.Destino,
				capitalize(s.Expediente.Acceso), observations(s)})
		}
		ins.Signers = []InstrumentSigner{{"Responsable del archivo de trámite", responsable}, {"Revisó", ""}}
	case InventoryTransferencia:
		ins.Sheet, ins.Title = "Transferencia primaria", "INVENTARIO DE TRANSFERENCIA PRIMARIA"
		ins.Right = append(ins.Right, InstrumentField{"Número de transferencia", ""}, InstrumentField{"Fecha de transferencia", ""})
		ins.Columns = []InstrumentColumn{col("No.", 6, ColumnInteger), col("Número de caja", 9, ColumnText, "Caja"), col("Expediente en la caja", 10, ColumnText, "Exp. en la caja"),
			col("Código de clasificación", 15, ColumnText, "Código"), col("Número de expediente", 22, ColumnText, "No. de expediente"), col("Título del expediente", 40, ColumnWrapped),
			col("Documentación", 60, ColumnWrapped), col("Fecha de apertura", 12, ColumnDate), col("Fecha de cierre", 12, ColumnDate),
			col("Valor documental", 22, ColumnWrapped), col("Plazo en trámite", 10, ColumnText), col("Plazo en concentración", 13, ColumnText, "Plazo en concentr."),
			sheetOnly(col("Plazo total", 10, ColumnText)), col("Destino final", 13, ColumnText), col("Condiciones de acceso", 13, ColumnText, "Acceso"),
			col("Fundamento legal", 20, ColumnText), col("Fojas", 8, ColumnInteger), col("Legajos", 8, ColumnInteger), col("Soporte", 11, ColumnText),
			col("Vigencia en trámite cumplida el", 14, ColumnDate, "Trámite cumplido el"), sheetOnly(col("Ubicación electrónica", 30, ColumnWrapped))}
		for i, s := range rows {
			ins.Rows = append(ins.Rows, []any{i + 1, "", "", s.Expediente.Code, s.Clasificacion(), s.Title(), s.Contents(),
				s.Apertura, s.Cierre, strings.Join(s.Expediente.Valores, ", "), Years(s.Expediente.YearsTramite),
				Years(s.Expediente.YearsConcentracion), Years(s.Expediente.RetentionYears()), s.Expediente.Destino,
				capitalize(s.Expediente.Acceso), "", fojasCell(s), s.Legajos(), s.Soporte(), s.TransferDue, s.Ubicacion()})
		}
		ins.Notes = []string{"Propuesta generada por Legajo con los expedientes cuya vigencia en el archivo de trámite se cumplió; " +
			"la transferencia se formaliza con la firma de este inventario. El número de caja y de expediente en la caja se anotan al encajar."}
		ins.Signers = []InstrumentSigner{{"Entrega: responsable del archivo de trámite", responsable}, {"Recibe: responsable del archivo de concentración", ""}, {"Vo. Bo.: coordinación de archivos", ""}}
	case InventoryBaja:
		ins.Sheet, ins.Title = "Baja documental", "INVENTARIO DE BAJA DOCUMENTAL"
		ins.Right = append(ins.Right, InstrumentField{"Dictamen de valoración", ""}, InstrumentField{"Acta de baja", ""})
		ins.Columns = []InstrumentColumn{col("No.", 6, ColumnInteger), col("Código de clasificación", 15, ColumnText, "Código"), col("Serie", 28, ColumnWrapped),
			col("Número de expediente", 22, ColumnText, "No. de expediente"), col("Título del expediente", 40, ColumnWrapped), col("Fecha de apertura", 12, ColumnDate),
			col("Fecha de cierre", 12, ColumnDate), col("Expedientes", 10, ColumnInteger), col("Fojas", 8, ColumnInteger), col("Cajas", 8, ColumnText),
			col("Valores documentales", 22, ColumnWrapped, "Valores"), col("Vigencia total", 10, ColumnText), col("Vigencia cumplida el", 13, ColumnDate),
			col("Destino final", 13, ColumnText), col("Observaciones", 45, ColumnWrapped)}
		for i, s := range rows {
			c := Classify(s.Expediente.Code)
			obs := ""
			if s.Expediente.Destino == "Muestreo" {
				obs = "Serie de muestreo: separar antes la muestra que se conserva."
			}
			ins.Rows = append(ins.Rows, []any{i + 1, s.Expediente.Code, c.SerieLabel(), s.Clasificacion(), s.Title(),
				s.Apertura, s.Cierre, 1, fojasCell(s), "", strings.Join(s.Expediente.Valores, ", "),
				Years(s.Expediente.RetentionYears()), s.DisposalDue, s.Expediente.Destino, obs})
		}
		ins.Notes = []string{"Propuesta generada por Legajo con los expedientes cuya vigencia total se cumplió y cuyo destino final es la baja. " +
			"La baja la dictaminan el área coordinadora de archivos y el archivo de concentración; Legajo no elimina ningún documento."}
		ins.Signers = []InstrumentSigner{{"Elaboró: responsable del archivo de concentración", ""}, {"Validó: coordinación de archivos", ""}, {"Vo. Bo.: grupo interdisciplinario", ""}}
	default:
		return nil, Errorf(ErrInvalid, "«%s» no es un tipo de inventario: use general, transferencia o baja.", printable(kind))
	}
	return ins, nil
}
