package xlsx

import (
	"fmt"
	"io"

	"github.com/xuri/excelize/v2"

	"github.com/sesver/legajo"
)

// trailColumns are the columns of the trail sheet, one row per filed object
// of an event.
var trailColumns = []column{
	{"No.", 7, integer},
	{"Fecha y hora", 16.5, datetime},
	{"Evento", 17, text},
	{"Folio", 28, text},
	{"Tipo de documento", 34, text},
	{"Asunto", 50, text},
	{"Fecha del documento", 12.5, date},
	{"Área", 32, text},
	{"Trámite", 12, text},
	{"Expediente", 16, text},
	{"Tanto", 10, text},
	{"Estado tras el evento", 17, text},
	{"Autor", 14, text},
	{"Motivo", 30, text},
	{"Fojas", 7, integer},
	{"Entrada de la cadena", 10, integer},
	{"SHA-256", 68, mono},
	{"Clave de almacenamiento", 90, mono},
	{"Tamaño (bytes)", 12, integer},
}

// TrailSheet is the name of the trail's first sheet; InfoSheet of the
// second, with the criteria, the exporter and the chain verification.
const (
	TrailSheet = "Rastro"
	InfoSheet  = "Verificación"
)

// Trail streams an auditor's trail into an XLSX workbook: NewTrail, Add for
// every event in order, then Close. Memory stays flat whatever the number
// of events: rows go to a temporary file as they come.
type Trail struct {
	b   *book
	sw  *excelize.StreamWriter
	w   io.Writer
	row int
}

// NewTrail starts a trail workbook that Close writes to w.
func NewTrail(w io.Writer) (*Trail, error) {
	b, err := newBook()
	if err != nil {
		return nil, err
	}
	sw, err := b.sheet(TrailSheet)
	if err == nil {
		err = widths(sw, trailColumns)
	}
	if err == nil {
		err = freeze(sw, 1)
	}
	if err == nil {
		err = b.headerRow(sw, 1, trailColumns)
	}
	if err != nil {
		b.close()
		return nil, err
	}
	return &Trail{b: b, sw: sw, w: w, row: 1}, nil
}

// Add writes one event as the next row. It fails when the sheet is full
// (Excel's limit of 1,048,576 rows).
func (t *Trail) Add(ev legajo.TrailEvent) error {
	t.row++
	fojas := any(nil)
	if ev.Fojas > 0 {
		fojas = ev.Fojas
	}
	title := ev.Title
	if title == "" {
		title = ev.Type
	}
	vals := []any{t.row - 1, ev.At, ev.Event.Label(), ev.Folio, title, ev.Subject, ev.Date, ev.Area, ev.Tramite,
		ev.Expediente, ev.Tanto, string(ev.Status), ev.Author, ev.Reason, fojas, ev.Seq, ev.SHA256, ev.Key, sizeOf(ev)}
	cells := make([]any, len(vals))
	for i, v := range vals {
		cells[i] = t.b.cell(trailColumns[i], v)
	}
	return setRow(t.sw, t.row, cells)
}

func sizeOf(ev legajo.TrailEvent) any {
	if ev.Key == "" {
		return nil
	}
	return ev.Size
}

// Close finishes the trail sheet, writes the verification sheet and the
// workbook to w.
func (t *Trail) Close(info legajo.TrailInfo) error {
	defer t.b.close()
	if err := t.b.finishTable(t.sw, TrailSheet, 1, t.row, trailColumns); err != nil {
		return err
	}
	if err := t.b.infoSheet(info, t.row-1); err != nil {
		return err
	}
	return t.b.save(t.w)
}

// infoSheet writes what the export is: criteria, exporter, time, number of
// events and the verification of every chain, finding by finding.
func (b *book) infoSheet(info legajo.TrailInfo, events int) error {
	sw, err := b.sheet(InfoSheet)
	if err != nil {
		return err
	}
	cols := []column{{"", 30, text}, {"", 22, text}, {"", 14, text}, {"", 14, text}, {"", 60, text}, {"", 70, text}}
	if err := widths(sw, cols); err != nil {
		return err
	}
	row := 1
	next := func(cells ...any) error {
		err := setRow(sw, row, cells)
		row++
		return err
	}
	steps := []func() error{
		func() error { return next(excelize.Cell{StyleID: b.title, Value: "Rastro de auditoría"}) },
		func() error {
			return next(excelize.Cell{StyleID: b.value, Value: info.Institution.Name + " · " + joinUnits(info.Institution)})
		},
		func() error { row++; return nil },
	}
	for _, c := range info.Criteria {
		steps = append(steps, func() error { err := b.labelled(sw, row, c.Label, c.Value); row++; return err })
	}
	steps = append(steps,
		func() error {
			err := b.labelled(sw, row, "Filas exportadas (una por archivo de cada evento)", events)
			row++
			return err
		},
		func() error { err := b.labelled(sw, row, "Exportado por", info.ExportedBy); row++; return err },
		func() error { err := b.labelled(sw, row, "Exportado el", info.ExportedAt); row++; return err },
		func() error { row++; return nil },
		func() error {
			st := b.bold
			if !info.Verified() {
				st = b.alert
			}
			return next(excelize.Cell{StyleID: b.label, Value: "Verificación de la cadena"}, excelize.Cell{StyleID: st, Value: info.VerificationSummary()})
		},
		func() error { row++; return nil },
	)
	for _, s := range steps {
		if err := s(); err != nil {
			return err
		}
	}
	vcols := []column{{"Expediente", 0, text}, {"Resultado", 0, text}, {"Entradas", 0, integer}, {"Objetos", 0, integer}, {"Cabeza de la cadena (SHA-256)", 0, mono}}
	if err := b.headerRow(sw, row, vcols); err != nil {
		return err
	}
	row++
	for _, v := range info.Verifications {
		res := "Íntegra"
		if !v.OK() {
			res = legajo.Plural(len(v.Findings), "problema", "problemas")
		}
		if err := next(b.cell(vcols[0], v.Expediente), b.cell(vcols[1], res), b.cell(vcols[2], v.Entries),
			b.cell(vcols[3], v.Objects), b.cell(vcols[4], v.Head)); err != nil {
			return err
		}
	}
	row++
	if info.Problems() > 0 {
		fcols := []column{{"Expediente", 0, text}, {"Problema", 0, text}, {"", 0, text}, {"", 0, text}, {"Clave de almacenamiento", 0, mono}, {"Detalle", 0, wrapped}}
		if err := next(excelize.Cell{StyleID: b.alert, Value: "Problemas encontrados"}); err != nil {
			return err
		}
		if err := b.headerRow(sw, row, fcols); err != nil {
			return err
		}
		row++
		for _, v := range info.Verifications {
			for _, f := range v.Findings {
				if err := next(b.cell(fcols[0], f.Expediente), b.cell(fcols[1], f.Problem), nil, nil,
					b.cell(fcols[4], f.Key), b.cell(fcols[5], f.Detail)); err != nil {
					return err
				}
			}
		}
	}
	if err := b.printSetup(InfoSheet, 0); err != nil {
		return err
	}
	if err := sw.Flush(); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return nil
}

func joinUnits(inst legajo.Institution) string {
	s := ""
	for i, u := range inst.Units {
		if i > 0 {
			s += " · "
		}
		s += u
	}
	return s
}
