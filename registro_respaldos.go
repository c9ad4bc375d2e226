package legajo

import (
	"strconv"
	"time"
)

// The bitácora de respaldos de bases de datos (procedure 15): one row per
// base de datos of an área, with the periodicity agreed in step 4. Every
// formato de respaldo issued (step 9) is a respaldo made: an anotación on
// its row (the row is added by the first one). A respaldo the periodicity
// asked for that was never made is flagged as missed. The etiqueta of the
// medium (step 8) is printed without folio and never filed, so it does not
// reach the bitácora.

const RespaldosID = "respaldos"

// Periodicities of procedure 15, as the formato de respaldo offers them.
var Periodicidades = []string{"única vez", "diaria", "semanal", "quincenal", "mensual"}

// Respaldos defines the bitácora de respaldos.
func Respaldos() *RegistroDef {
	return &RegistroDef{
		ID:    RespaldosID,
		Title: "Bitácora de respaldos de bases de datos",
		Description: "Las bases de datos que se respaldan, con la periodicidad acordada con el área, cada respaldo " +
			"realizado con su formato, y los respaldos que faltan.",
		Procedures: []string{"15"},
		Number:     6,
		Columns: []RegistroColumn{
			{Name: "base_datos", Label: "Base de datos", Kind: ColTexto, Required: true, Max: 120, List: true},
			{Name: "area", Label: "Área solicitante", Kind: ColTexto, Required: true, Max: 150, List: true},
			{Name: "sistema", Label: "Sistema", Kind: ColTexto, Max: 150, List: true},
			{Name: "manejador", Label: "Manejador", Kind: ColTexto, Max: 80},
			{Name: "servidor", Label: "Servidor", Kind: ColTexto, Max: 120},
			{Name: "periodicidad", Label: "Periodicidad", Kind: ColOpcion, Required: true, Options: Periodicidades, List: true},
			{Name: "tipo_respaldo", Label: "Tipo del último respaldo", Kind: ColTexto, Max: 40},
			{Name: "medio", Label: "Medio de respaldo", Kind: ColTexto, Max: 120},
			{Name: "resguardo", Label: "Resguardo", Kind: ColTexto, Max: 200},
			{Name: "ultimo_respaldo", Label: "Último respaldo", Kind: ColFecha, List: true},
			{Name: "ultimo_folio", Label: "Folio del último formato", Kind: ColTexto, Max: 60},
		},
		Key:          []string{"base_datos", "area"},
		Kinds:        []RegistroKind{RegAlta, RegModificacion, RegAnotacion, RegBaja, RegReactivacion},
		Types:        []string{"respaldo-bd"},
		FromDocument: respaldosFromDocument,
	}
}

func respaldosFromDocument(d IssuedDoc, rows RegistroView) ([]RegistroChange, error) {
	f := map[string]string{"base_datos": d.Field("base_datos"), "area": d.Field("area"), "sistema": d.Field("sistema"),
		"manejador": d.Field("manejador"), "servidor": d.Field("servidor"), "periodicidad": d.Field("periodicidad"),
		"tipo_respaldo": d.Field("tipo_respaldo"), "medio": d.Field("medio"), "resguardo": d.Field("resguardo"),
		"ultimo_respaldo": d.Field("fecha_respaldo"), "ultimo_folio": d.Folio}
	for k, v := range f {
		if v == "" {
			delete(f, k)
		}
	}
	key := Respaldos().KeyOf(f)
	if key == "" {
		return nil, nil
	}
	note := "Respaldo realizado el " + d.Field("fecha_respaldo")
	if t, err := time.Parse(DateLayout, d.Field("fecha_respaldo")); err == nil {
		note = "Respaldo realizado el " + LongDate(t)
	}
	row := rows.Row(key)
	switch {
	case row == nil:
		return []RegistroChange{{Row: key, Kind: RegAlta, Fields: f, Note: note}}, nil
	case !row.Active:
		return []RegistroChange{{Row: row.Key, Kind: RegReactivacion, Fields: f, Note: note}}, nil
	}
	return []RegistroChange{{Row: row.Key, Kind: RegAnotacion, Fields: f, Note: note}}, nil
}

// RespaldoStatus is where a row of the bitácora stands against its
// periodicity.
type RespaldoStatus struct {
	Made    []time.Time // days a respaldo was made, in order
	Missed  []time.Time // the start of each period that passed without one
	Next    time.Time   // the day the next one is due (zero for «única vez»)
	Overdue bool        // the current period's is due and not made
}

// Label words the status for people.
func (s RespaldoStatus) Label() string {
	switch {
	case len(s.Missed) == 1:
		return "1 respaldo no realizado"
	case len(s.Missed) > 1:
		return strconv.Itoa(len(s.Missed)) + " respaldos no realizados"
	case s.Next.IsZero():
		return "Sin periodicidad"
	}
	return "Al corriente"
}

// addPeriod moves t one period ahead (ok false for «única vez»).
func addPeriod(t time.Time, periodicidad string) (time.Time, bool) {
	switch periodicidad {
	case "diaria":
		return t.AddDate(0, 0, 1), true
	case "semanal":
		return t.AddDate(0, 0, 7), true
	case "quincenal":
		return t.AddDate(0, 0, 15), true
	case "mensual":
		return t.AddDate(0, 1, 0), true
	}
	return time.Time{}, false
}

// RespaldoCheck measures row against its periodicity up to today: from
// the first respaldo on, every period (a day, a week, fifteen days, a
// month) must hold one; a period that ended without one is missed. The
// period running today is not missed yet. Days are calendar days: the
// procedure is «Diaria» and the manual names no días inhábiles for it.
func RespaldoCheck(row *RegistroRow, today time.Time) RespaldoStatus {
	var st RespaldoStatus
	for _, h := range row.History {
		if h.Kind != RegAlta && h.Kind != RegAnotacion && h.Kind != RegReactivacion {
			continue
		}
		if d, err := time.Parse(DateLayout, h.Fields["ultimo_respaldo"]); err == nil {
			st.Made = append(st.Made, d)
		}
	}
	if len(st.Made) == 0 || !row.Active {
		return st
	}
	made := map[string]bool{}
	first := st.Made[0]
	for _, d := range st.Made {
		made[d.Format(DateLayout)] = true
		if d.Before(first) {
			first = d
		}
	}
	day := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	start := first
	for i := 0; i < 5000; i++ {
		end, ok := addPeriod(start, row.Fields["periodicidad"])
		if !ok {
			return st
		}
		has := false
		for d := start; d.Before(end); d = d.AddDate(0, 0, 1) {
			if made[d.Format(DateLayout)] {
				has = true
				break
			}
		}
		if !end.After(day) {
			if !has {
				st.Missed = append(st.Missed, start)
			}
			start = end
			continue
		}
		// The period running today.
		st.Next = start
		if has {
			st.Next = end
		}
		return st
	}
	return st
}
