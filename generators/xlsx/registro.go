package xlsx

import (
	"bytes"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/sesver/legajo"
)

// Registro rebuilds one of the registries the procedures keep from the
// documents that feed it, and writes it: events are every event of the
// registry's document types, in chronological order (see
// legajo.Office.RegistryEvents). The padrón de cuentas de correo has no
// column for passwords: Legajo never stores them. An unknown registry is
// legajo.ErrInvalid.
func Registro(w io.Writer, r legajo.Registry, events []legajo.TrailEvent, info Info) error {
	var ins *instrument
	switch r.ID {
	case "padron-correo":
		ins = padronCorreo(events)
	case "componentes":
		ins = componentes(events)
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

// padronCorreo: one row per account, from the acuses de cuenta de correo
// (creation) and the restablecimientos de contraseña.
func padronCorreo(events []legajo.TrailEvent) *instrument {
	type account struct {
		cuenta, nombre, cargo, area, empleado, telefono, autorizo string
		solicitud, alta                                           time.Time
		acuse                                                     string
		acuseStatus                                               legajo.Status
		resets                                                    int
		lastReset                                                 time.Time
		lastMotivo, lastFolio                                     string
		lastStatus                                                legajo.Status
	}
	byCuenta := map[string]*account{}
	get := func(ev legajo.TrailEvent) *account {
		k := strings.ToLower(strings.TrimSpace(field(ev, "cuenta")))
		a := byCuenta[k]
		if a == nil {
			a = &account{cuenta: field(ev, "cuenta")}
			byCuenta[k] = a
		}
		// the latest document knows the person best
		for _, f := range []struct {
			dst  *string
			name string
		}{{&a.nombre, "usuario_nombre"}, {&a.cargo, "usuario_cargo"}, {&a.area, "area"}, {&a.empleado, "usuario_empleado"}, {&a.telefono, "usuario_telefono"}} {
			if v := field(ev, f.name); v != "" {
				*f.dst = v
			}
		}
		return a
	}
	for _, d := range documents(events, "acuse-cuenta-correo", "restablecimiento-contrasena") {
		ev := d.first
		a := get(ev)
		switch ev.Type {
		case "acuse-cuenta-correo":
			a.autorizo = field(ev, "jefe_autoriza")
			a.solicitud, a.alta = day(ev, "fecha_solicitud"), day(ev, "fecha_alta")
			a.acuse, a.acuseStatus = ev.Folio, d.status
		case "restablecimiento-contrasena":
			if d.status != legajo.StatusCancelado {
				a.resets++
			}
			a.lastReset, a.lastMotivo, a.lastFolio, a.lastStatus = day(ev, "fecha_restablecimiento"), field(ev, "motivo"), ev.Folio, d.status
		}
	}
	var list []*account
	for _, a := range byCuenta {
		list = append(list, a)
	}
	sort.Slice(list, func(i, j int) bool { return strings.ToLower(list[i].cuenta) < strings.ToLower(list[j].cuenta) })
	ins := &instrument{sheet: "Padrón de cuentas"}
	ins.cols = []column{{"No.", 6, integer}, {"Cuenta de correo", 32, text}, {"Nombre del usuario", 34, text}, {"Cargo o puesto", 34, wrapped},
		{"Área de adscripción", 34, wrapped}, {"Número de empleado", 11, text}, {"Teléfono y extensión", 20, text},
		{"Autorizó (jefe inmediato)", 40, wrapped}, {"Fecha de solicitud", 12, date}, {"Fecha de creación", 12, date},
		{"Folio del acuse de entrega", 28, text}, {"Estado del acuse", 17, text}, {"Restablecimientos", 11, integer},
		{"Último restablecimiento", 13, date}, {"Motivo del último", 24, text}, {"Folio del último", 28, text},
		{"Observaciones", 45, wrapped}}
	for i, a := range list {
		var obs []string
		if a.acuse == "" {
			obs = append(obs, "Sin acuse de creación en Legajo: la cuenta es anterior o se creó por otro medio")
		}
		if a.acuseStatus == legajo.StatusCancelado {
			obs = append(obs, "El acuse de entrega fue cancelado")
		}
		if a.lastStatus == legajo.StatusCancelado {
			obs = append(obs, "El último restablecimiento fue cancelado")
		}
		resets := any(a.resets)
		ins.rows = append(ins.rows, []any{i + 1, a.cuenta, a.nombre, a.cargo, a.area, a.empleado, a.telefono, a.autorizo,
			a.solicitud, a.alta, a.acuse, string(a.acuseStatus), resets, a.lastReset, a.lastMotivo, a.lastFolio, strings.Join(obs, ". ")})
	}
	ins.totals = [][2]any{{"Cuentas", len(list)}}
	ins.notes = []string{"Reconstruido de los acuses de cuenta y de los restablecimientos de contraseña archivados. " +
		"Las contraseñas no figuran: se entregan sólo en el tanto del usuario y Legajo nunca las guarda."}
	return ins
}

// componentes: one row per reusable part extracted from equipment given
// de baja, from the dictámenes técnicos of that variant.
func componentes(events []legajo.TrailEvent) *instrument {
	ins := &instrument{sheet: "Componentes reutilizables"}
	ins.cols = []column{{"No.", 6, integer}, {"Componente", 34, wrapped}, {"Marca y modelo", 30, text}, {"Número de serie", 18, text},
		{"Estado", 26, text}, {"Bien de origen: número de inventario", 24, text}, {"Descripción del bien", 26, text},
		{"Marca del bien", 14, text}, {"Modelo del bien", 20, text}, {"Serie del bien", 16, text}, {"Área", 32, wrapped},
		{"Motivo de la baja", 28, text}, {"Folio del dictamen", 28, text}, {"Fecha del dictamen", 12, date},
		{"Estado del dictamen", 17, text}, {"Expediente", 14, text}}
	n, dictamenes := 0, 0
	for _, d := range documents(events, "dictamen-tecnico") {
		ev := d.first
		if field(ev, "variante") != "baja de equipo" {
			continue
		}
		dictamenes++
		for _, p := range ev.Fields["piezas"].Rows {
			n++
			ins.rows = append(ins.rows, []any{n, p["componente"], p["marca_modelo"], p["serie"], p["estado"],
				field(ev, "numero_inventario"), field(ev, "descripcion"), field(ev, "marca"), field(ev, "modelo"), field(ev, "serie"),
				field(ev, "area"), field(ev, "motivo_baja"), ev.Folio, ev.Date, string(d.status), ev.Expediente})
		}
	}
	ins.totals = [][2]any{{"Componentes", n}, {"Dictámenes de baja leídos", dictamenes}}
	ins.notes = []string{"Reconstruido de las tablas «Piezas reutilizables extraídas» de los dictámenes técnicos de baja de equipo. " +
		"Las piezas de un dictamen cancelado figuran con ese estado y no deben considerarse disponibles."}
	return ins
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
