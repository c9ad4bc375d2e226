package xlsx

import (
	"bytes"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/sesver/legajo"
)

// Registro rebuilds the bitácora de fallas from the documents that feed
// it, and writes it: events are every event of the registry's document
// types, in chronological order (see legajo.Office.RegistryEvents). The
// padrón de correo and the componentes reutilizables are live registries
// now (RegistroVivo). An unknown registry is legajo.ErrInvalid.
func Registro(w io.Writer, r legajo.Registry, events []legajo.TrailEvent, info Info) error {
	var ins *instrument
	switch r.ID {
	case "fallas":
		ins = fallas(events)
	default:
		return legajo.Errorf(legajo.ErrInvalid, "No existe el registro «%s».", r.ID)
	}
	ins.title = strings.ToUpper(r.Title)
	inst := info.Institution
	area := ""
	if len(inst.Units) > 0 {
		area = inst.Units[len(inst.Units)-1]
	}
	ins.left = [][2]any{{"Dependencia", inst.Name}, {"Área", area}, {"Reconstruido el", info.At}}
	ins.right = [][2]any{{"Documentos de origen", strings.Join(r.Types, ", ")}, {"Eventos leídos", len(events)}, {"Elaboró", info.By}}
	return ins.write(w)
}

// documents groups events by folio: the fields of the emission and the
// status after the last event, in order of emission.
type document struct {
	first  legajo.TrailEvent // the emission's first row, with the fields
	status legajo.Status
}

func documents(events []legajo.TrailEvent, types ...string) []*document {
	byFolio := map[string]*document{}
	var out []*document
	for _, ev := range events {
		if ev.Folio == "" || !contains(types, ev.Type) {
			continue
		}
		d := byFolio[ev.Folio]
		if d == nil {
			if ev.Event != legajo.EventEmitido && ev.Event != legajo.EventRecibido {
				continue // an event of a document issued before the registry's events
			}
			d = &document{first: ev}
			byFolio[ev.Folio] = d
			out = append(out, d)
		}
		d.status = ev.Status
	}
	return out
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func field(ev legajo.TrailEvent, name string) string { return ev.Fields[name].Text }

// day reads a date field (AAAA-MM-DD); zero when empty or wrong.
func day(ev legajo.TrailEvent, name string) time.Time {
	t, err := time.Parse(legajo.DateLayout, field(ev, name))
	if err != nil {
		return time.Time{}
	}
	return t
}

// moment reads a date field and a time field (HH:MM) as one wall-clock
// time; zero when the date is missing.
func moment(ev legajo.TrailEvent, dateField, timeField string) time.Time {
	t, err := time.Parse(legajo.DateLayout+" 15:04", field(ev, dateField)+" "+field(ev, timeField))
	if err != nil {
		return day(ev, dateField)
	}
	return t
}

// hours between two wall-clock times, to one decimal; nil when either is
// missing.
func hours(from, to time.Time) any {
	if from.IsZero() || to.IsZero() || to.Before(from) {
		return nil
	}
	h := to.Sub(from).Hours()
	return float64(int(h*10+0.5)) / 10
}

// fallas: the bitácora of reportes de fallas, one row per reporte de cierre
// with the times of its follow-up and the hours they took.
func fallas(events []legajo.TrailEvent) *instrument {
	ins := &instrument{sheet: "Bitácora de fallas"}
	ins.cols = []column{{"No.", 6, integer}, {"Folio del reporte de cierre", 28, text}, {"Fecha del cierre", 12, date},
		{"Área afectada", 32, wrapped}, {"Inmueble", 40, wrapped}, {"Proveedor", 30, wrapped}, {"Servicio afectado", 20, text},
		{"Línea o identificador", 30, wrapped}, {"Número de reporte", 14, text}, {"Falla reportada", 60, wrapped},
		{"Reporte al proveedor", 16, datetime}, {"Primer correo", 16, datetime}, {"Primera respuesta", 16, datetime},
		{"Atendido en 24 horas", 11, text}, {"Horas hasta la respuesta", 11, decimal}, {"Segundo correo", 16, datetime},
		{"Servicio temporal", 13, text}, {"Solicitud del temporal", 16, datetime}, {"Temporal asignado", 30, wrapped},
		{"Cancelación del temporal", 13, date}, {"Solución", 16, datetime}, {"Horas sin servicio", 11, decimal},
		{"Tiempo declarado", 14, text}, {"Aviso al ejecutivo", 12, date}, {"Confirmó en el área", 30, text},
		{"Elaboró", 30, text}, {"Estado", 14, text}}
	n := 0
	var total float64
	for _, d := range documents(events, "reporte-cierre") {
		ev := d.first
		n++
		reporte := moment(ev, "fecha_reporte", "hora_reporte")
		respuesta := moment(ev, "fecha_respuesta", "hora_respuesta")
		solucion := moment(ev, "fecha_solucion", "hora_solucion")
		sin := hours(reporte, solucion)
		if h, ok := sin.(float64); ok && d.status != legajo.StatusCancelado {
			total += h
		}
		ins.rows = append(ins.rows, []any{n, ev.Folio, ev.Date, field(ev, "area"), field(ev, "ubicacion"), field(ev, "proveedor"),
			field(ev, "tipo_servicio"), field(ev, "servicio_id"), field(ev, "numero_reporte"), field(ev, "descripcion_falla"),
			reporte, moment(ev, "fecha_correo", "hora_correo"), respuesta, field(ev, "atencion_24h"), hours(reporte, respuesta),
			moment(ev, "fecha_segundo_correo", "hora_segundo_correo"), field(ev, "linea_temporal"),
			moment(ev, "fecha_temporal", "hora_temporal"), field(ev, "servicio_temporal"), day(ev, "fecha_cancelacion_temporal"),
			solucion, sin, field(ev, "tiempo_total"), day(ev, "fecha_aviso"), field(ev, "confirmo"), field(ev, "elaboro_nombre"),
			string(d.status)})
	}
	ins.totals = [][2]any{{"Reportes", n}, {"Horas sin servicio (suma)", total}}
	ins.notes = []string{"Reconstruida de los reportes de cierre de seguimiento archivados. Las horas se calculan de las fechas y horas " +
		"registradas en cada reporte; conforme a las normas del procedimiento, sin atención en 24 horas se reenvía el correo y se llama al ejecutivo, " +
		"y sin solución 48 horas después del segundo correo se solicita un servicio temporal."}
	return ins
}

// RegistroVivo writes the live rows of a registry as legajo.RegistroReport
// defines them.
func RegistroVivo(w io.Writer, def *legajo.Instrument) error {
	return fromDefinition(def).write(w)
}

// ReadTable reads the first sheet of an XLSX file as a table of text, for
// an import: a date cell comes back as AAAA-MM-DD whatever its format
// shows, a number as written. A file that is not an XLSX is
// legajo.ErrInvalid, said in Spanish.
func ReadTable(data []byte) ([][]string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(data), excelize.Options{UnzipSizeLimit: 200 << 20, UnzipXMLSizeLimit: 50 << 20})
	if err != nil {
		return nil, legajo.Errorf(legajo.ErrInvalid, "El archivo no es un libro de Excel (XLSX) válido.")
	}
	defer f.Close()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, legajo.Errorf(legajo.ErrInvalid, "El libro de Excel no tiene hojas.")
	}
	sheet := sheets[0]
	rows, err := f.Rows(sheet)
	if err != nil {
		return nil, legajo.Errorf(legajo.ErrInvalid, "No se puede leer la hoja «%s» del libro: %v", sheet, err)
	}
	defer rows.Close()
	dateStyle := map[int]bool{}
	isDate := func(style int) bool {
		if v, ok := dateStyle[style]; ok {
			return v
		}
		s, err := f.GetStyle(style)
		d := err == nil && s != nil && ((s.NumFmt >= 14 && s.NumFmt <= 22) || (s.CustomNumFmt != nil &&
			strings.ContainsAny(strings.ToLower(*s.CustomNumFmt), "dy") && !strings.Contains(*s.CustomNumFmt, "#")))
		dateStyle[style] = d
		return d
	}
	var out [][]string
	for n := 1; rows.Next(); n++ {
		cols, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			return nil, legajo.Errorf(legajo.ErrInvalid, "No se puede leer la fila %d del libro: %v", n, err)
		}
		for i, v := range cols {
			if v == "" {
				continue
			}
			num, err := strconv.ParseFloat(v, 64)
			if err != nil || num < 1 || num > 2958465 {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(i+1, n)
			style, err := f.GetCellStyle(sheet, cell)
			if err == nil && isDate(style) {
				if t, err := excelize.ExcelDateToTime(num, false); err == nil {
					cols[i] = t.Format(legajo.DateLayout)
				}
			}
		}
		out = append(out, cols)
		if len(out) > legajo.MaxImportRows+1 {
			return nil, legajo.Errorf(legajo.ErrInvalid, "El archivo tiene más de %d filas; divídalo en varios.", legajo.MaxImportRows)
		}
	}
	return out, nil
}
