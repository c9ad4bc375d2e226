package templates

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/fixtures"
)

// rulesDef is a small definition with one rule of every kind.
const rulesDef = `
id: prueba-reglas
title: Prueba de reglas
version: 1
serie: PR
expediente: dti
layout: formato
procedures: [{name: Prueba, steps: ["1"]}]
tantos:
  - {name: ORIGINAL, destination: Área, delivered: true}
  - {name: COPIA, destination: Expediente, filed: true, acuse: true}
heading: PRUEBA
subject: Prueba {{area}}
fields:
  - {name: area, label: Área, type: text, required: true}
  - {name: variante, label: Tipo de dictamen, type: choice, required: true, options: [refacciones, baja de equipo]}
  - name: motivo_baja
    label: Motivo de la baja
    type: text
    required_when: {field: variante, in: [baja de equipo]}
  - {name: piezas_extraidas, label: Piezas extraídas, type: choice, options: ["Sí", "No"]}
  - name: piezas
    label: Piezas reutilizables
    type: table
    required_when: {field: piezas_extraidas, in: ["Sí"]}
    columns:
      - {name: componente, label: Componente, type: text, required: true}
      - {name: cantidad, label: Cantidad, type: number, required: true, min: 1, max: 50}
  - {name: monto, label: Monto, type: money, min: 100, max: 5000}
  - {name: fecha_reunion, label: Fecha de la reunión, type: date, required: true, past_days: 366, future_days: 30}
  - {name: hora_inicio, label: Hora de inicio, type: time, required: true}
  - {name: hora_termino, label: Hora de término, type: time, required: true, after: hora_inicio}
  - {name: fecha_cierre, label: Fecha de cierre, type: date, not_before: fecha_reunion}
  - name: acuerdos
    label: Acuerdos
    type: table
    columns:
      - {name: acuerdo, label: Acuerdo, type: text, required: true}
      - {name: fecha_compromiso, label: Fecha compromiso, type: date, required: true, not_before: fecha_reunion}
  - {name: otra_fecha, label: Fecha de la notificación, type: date}
  - {name: nombre, label: Contacto, type: text, gender: genero}
  - {name: genero, label: Género del contacto, type: choice, options: [Femenino, Masculino]}
body:
  - data: [area, variante, motivo_baja, piezas_extraidas, monto, fecha_reunion, hora_inicio, hora_termino, fecha_cierre, otra_fecha]
  - table: piezas
  - table: acuerdos
  - text: "Contacto: {{nombre:el}}."
signatures:
  - {caption: ELABORÓ, role: jefe-dti}
`

func TestRules(t *testing.T) {
	ty, err := Parse([]byte(rulesDef))
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, time.November, 26, 10, 0, 0, 0, time.UTC)
	base := func() map[string]any {
		return map[string]any{"area": "Dirección de Salud Pública", "variante": "refacciones",
			"fecha_reunion": "2026-11-20", "hora_inicio": "10:00", "hora_termino": "11:30"}
	}
	with := func(kv ...any) map[string]any {
		m := base()
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(m, kv[i].(string))
				continue
			}
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	row := func(kv ...string) map[string]any {
		m := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	cases := []struct {
		name  string
		data  map[string]any
		field string // "" when the data is good
		want  string // in the message
	}{
		{"base", base(), "", ""},
		{"required_when holds", with("variante", "baja de equipo"), "motivo_baja",
			"El campo «Motivo de la baja» es obligatorio cuando «Tipo de dictamen» es «baja de equipo»."},
		{"required_when met", with("variante", "baja de equipo", "motivo_baja", "Obsolescencia"), "", ""},
		{"required_when does not hold", with("variante", "refacciones"), "", ""},
		{"table required by a choice", with("piezas_extraidas", "Sí"), "piezas",
			"«Piezas reutilizables» requiere al menos un renglón cuando «Piezas extraídas» es «Sí»."},
		{"blank rows do not count", with("piezas_extraidas", "Sí", "piezas", []any{row("componente", " ", "cantidad", "")}), "piezas",
			"requiere al menos un renglón"},
		{"table given", with("piezas_extraidas", "Sí", "piezas", []any{row("componente", "Memoria RAM", "cantidad", "2")}), "", ""},
		{"column below min", with("piezas", []any{row("componente", "Memoria RAM", "cantidad", "0")}), "piezas",
			"«Piezas reutilizables», renglón 1: «Cantidad» debe ser al menos 1 (se escribió 0)."},
		{"column above max", with("piezas", []any{row("componente", "Memoria RAM", "cantidad", "1200")}), "piezas",
			"«Cantidad» no puede ser mayor que 50 (se escribió 1,200)."},
		{"negative quantity", with("piezas", []any{row("componente", "Memoria RAM", "cantidad", "-3")}), "piezas",
			"«Cantidad» no puede ser negativo."},
		{"money below min", with("monto", "99.50"), "monto", "«Monto» debe ser al menos $100.00 (se escribió $99.50)."},
		{"money above max", with("monto", "$5,000.01"), "monto", "«Monto» no puede ser mayor que $5,000.00"},
		{"money at the bounds", with("monto", "5000"), "", ""},
		{"end before start", with("hora_termino", "09:15"), "hora_termino",
			"«Hora de término» (09:15) debe ser posterior a «Hora de inicio» (10:00)."},
		{"end equal to start", with("hora_termino", "10:00"), "hora_termino", "debe ser posterior a «Hora de inicio»"},
		{"date before another", with("fecha_cierre", "2026-11-19"), "fecha_cierre",
			"«Fecha de cierre» (19 de noviembre de 2026) no puede ser anterior a «Fecha de la reunión» (20 de noviembre de 2026)."},
		{"date on the same day", with("fecha_cierre", "2026-11-20"), "", ""},
		{"compromise before the meeting", with("acuerdos", []any{row("acuerdo", "Entregar", "fecha_compromiso", "2026-11-25"),
			row("acuerdo", "Revisar", "fecha_compromiso", "2026-11-02")}), "acuerdos",
			"«Acuerdos», renglón 2: «Fecha compromiso» (2 de noviembre de 2026) no puede ser anterior a «Fecha de la reunión» (20 de noviembre de 2026)."},
		{"date too far back", with("fecha_reunion", "2025-10-01", "hora_termino", "12:00"), "fecha_reunion",
			"«Fecha de la reunión» (1 de octubre de 2025) es más de un año anterior a la fecha del documento (26 de noviembre de 2026); revise el año."},
		{"date too far ahead", with("fecha_reunion", "2027-01-20"), "fecha_reunion",
			"es más de 30 días posterior a la fecha del documento"},
		{"default window: a year typed wrong", with("otra_fecha", "2062-11-20"), "otra_fecha",
			"«Fecha de la notificación» (20 de noviembre de 2062) es más de 2 años posterior a la fecha del documento"},
		{"default window: ten years back", with("otra_fecha", "2016-01-20"), "otra_fecha", "es más de 10 años anterior"},
		{"gender of a named person", with("nombre", "Ing. Tomás Barradas Luna"), "genero",
			"Indique «Género del contacto» de «Contacto»"},
		{"gender given", with("nombre", "Ing. Tomás Barradas Luna", "genero", "masculino"), "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ty.ValidateOn(c.data, day)
			if c.field == "" {
				if err != nil {
					t.Fatalf("good data refused: %v", err)
				}
				return
			}
			var ve *legajo.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, legajo.ErrInvalid) {
				t.Fatalf("want a validation error on %s, got %v", c.field, err)
			}
			if len(ve.Problems) != 1 {
				t.Fatalf("want one problem, got %+v", ve.Problems)
			}
			p := ve.Problems[0]
			if p.Field != c.field || !strings.Contains(p.Message, c.want) {
				t.Errorf("got %q on %q; want %q on %q", p.Message, p.Field, c.want, c.field)
			}
		})
	}
	// A rule's problem comes with the fields' own, and a field with its own
	// problem gets no second one from a rule.
	_, err = ty.ValidateOn(with("area", nil, "hora_termino", "09:00", "variante", "baja de equipo", "fecha_cierre", "ayer"), day)
	var ve *legajo.ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 4 {
		t.Fatalf("want 4 problems at once, got %v", err)
	}
	for i, f := range []string{"area", "fecha_cierre", "motivo_baja", "hora_termino"} {
		if ve.Problems[i].Field != f {
			t.Errorf("problem %d is on %q, want %q: %+v", i, ve.Problems[i].Field, f, ve.Problems)
		}
	}
	// Without the document's date (the API's dry checks, the corpus), the
	// window is not checked, the other rules are.
	if _, err := ty.Validate(with("otra_fecha", "2062-11-20")); err != nil {
		t.Errorf("Validate checks the window without a date: %v", err)
	}
	if _, err := ty.ValidateOn(with("hora_termino", "09:00", "otra_fecha", "2062-11-20"), time.Time{}); err == nil || strings.Contains(err.Error(), "2062") {
		t.Errorf("ValidateOn without a date: %v", err)
	}
}

// TestRulesRefused: a broken rule is a start-up error naming the file and
// the problem.
func TestRulesRefused(t *testing.T) {
	cases := []struct{ from, to, want string }{
		{"required_when: {field: variante, in: [baja de equipo]}", "required_when: {field: varianta, in: [baja de equipo]}", `no field "varianta"`},
		{"required_when: {field: variante, in: [baja de equipo]}", "required_when: {field: variante, in: [baja]}", `"baja" is not an option of "variante"`},
		{"required_when: {field: piezas_extraidas, in: [\"Sí\"]}", "required_when: {field: piezas, in: [\"Sí\"]}", `field "piezas" cannot be a condition`},
		{"type: number, required: true, min: 1, max: 50}", "type: number, required: true, min: 60, max: 50}", "min is greater than max"},
		{"type: money, min: 100, max: 5000}", "type: text, min: 100, max: 5000}", "min and max go with number or money"},
		{"after: hora_inicio}", "after: hora_inicia}", `after: no field "hora_inicia"`},
		{"after: hora_inicio}", "after: fecha_reunion}", `after: field "fecha_reunion" is not a time`},
		{"not_before: fecha_reunion}\n  - name: acuerdos", "not_before: fecha_cierre}\n  - name: acuerdos", "not_before names the field itself"},
		{"past_days: 366, future_days: 30}", "past_days: -1}", "past_days and future_days are counts of days"},
		{"type: text, gender: genero}", "type: text, gender: generos}", `gender: no field "generos"`},
		{"options: [Femenino, Masculino]}", "options: [mujer, hombre]}", "must be a choice with options [Femenino, Masculino]"},
		{"{{nombre:el}}", "{{area:el}}", `field "area" has no gender field`},
		{"{{nombre:el}}", "{{nombre:ella}}", "bad form"},
		{"{{nombre:el}}", "{{rol.JEFE:el}}", "bad placeholder"},
		{"type: text\n    required_when", "type: text\n    required: true\n    required_when", "required_when with required: true never applies"},
	}
	for _, c := range cases {
		if !strings.Contains(rulesDef, c.from) {
			t.Fatalf("test broken: %q not in the definition", c.from)
		}
		src := strings.Replace(rulesDef, c.from, c.to, 1)
		_, err := LoadFS(fstest.MapFS{"prueba-reglas.yaml": {Data: []byte(src)}})
		if err == nil || !strings.Contains(err.Error(), "types/prueba-reglas.yaml") || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s → %s: got %v; want an error naming the file and %q", c.from, c.to, err, c.want)
		}
	}
}

// TestRoutes: a variant goes to its own expediente and destinations; a
// route naming a tanto the type has not is refused.
func TestRoutes(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []struct {
		typ, field, value, exp, tanto, dest string
	}{
		{"dictamen-tecnico", "variante", "baja de equipo", "baja-equipo", "COPIA", "Expediente de baja de equipo"},
		{"dictamen-tecnico", "variante", "refacciones", "dti", "COPIA", "Expediente del Departamento de Tecnologías de la Información"},
		{"servicio-equipo", "tipo_servicio", "Revisión para baja", "baja-equipo", "ORIGINAL", "Expediente de baja de equipo, firmado por el usuario"},
		{"servicio-equipo", "tipo_servicio", "Mantenimiento correctivo", "dti", "COPIA", "Expediente del Departamento de Tecnologías de la Información"},
		{"informe-baja-accesos", "variante", "sin accesos", "personal-baja-sin-cuentas", "ORIGINAL", "Expediente Personal que causa baja/Sin Cuentas, con el oficio o tarjeta de notificación"},
		{"informe-baja-accesos", "variante", "accesos cancelados", "personal-baja", "ORIGINAL", "Expediente Personal que causa baja, con el oficio o tarjeta de notificación"},
	} {
		ty, err := c.Type(x.typ)
		if err != nil {
			t.Fatal(err)
		}
		v := legajo.Values{x.field: {Text: x.value}}
		tn, _ := ty.Tanto(x.tanto)
		if got := ty.ExpedienteFor(v); got != x.exp {
			t.Errorf("%s %s: expediente %q, want %q", x.typ, x.value, got, x.exp)
		}
		if got := ty.TantoFor(tn, v).Destination; got != x.dest {
			t.Errorf("%s %s: %s goes to %q, want %q", x.typ, x.value, x.tanto, got, x.dest)
		}
	}
	bad := strings.Replace(rulesDef, "heading: PRUEBA", "routes:\n  - when: {field: variante, in: [baja de equipo]}\n    destinations: {TERCERA: Otro}\nheading: PRUEBA", 1)
	if _, err := Parse([]byte(bad)); err == nil || !strings.Contains(err.Error(), `no tanto "TERCERA"`) {
		t.Errorf("route to a missing tanto: %v", err)
	}
}

// TestAcuseWhereTheOriginalLeaves: every type whose original leaves the
// department files a copy that comes back with the acuse, or signed by
// whoever received the original (the responsiva: that signature is the
// acuse, tracked as «pendiente de firma»).
func TestAcuseWhereTheOriginalLeaves(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, ty := range c.Types() {
		leaves, acuse := false, false
		for _, tn := range ty.Tantos {
			leaves = leaves || (tn.Name == "ORIGINAL" && tn.Delivered && !tn.Filed)
			acuse = acuse || (tn.Filed && (tn.Acuse || tn.Firma))
		}
		if leaves && !acuse {
			t.Errorf("%s: an exemplar leaves the department but no filed exemplar carries the acuse box", ty.ID)
		}
	}
}

// TestCounts: a count prints with the noun that agrees with it.
func TestCounts(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	ty, err := c.Type("minuta-mantenimiento")
	if err != nil {
		t.Fatal(err)
	}
	f := ty.Field("capacitados")
	for s, want := range map[string]string{"1": "1 persona", "9": "9 personas", "1200": "1,200 personas"} {
		if got := ty.FormatRef(f, s, nil, "persona/personas", false); got != want {
			t.Errorf("%s: %q, want %q", s, got, want)
		}
	}
	if _, err := ty.ValidateOn(map[string]any{"capacitados": "0"}, time.Time{}); err == nil || !strings.Contains(err.Error(), "«Personas capacitadas» debe ser al menos 1") {
		t.Errorf("no one trained: %v", err)
	}
	bad := strings.Replace(rulesDef, "subject: Prueba {{area}}", "subject: Prueba {{monto:el}}", 1)
	if _, err := Parse([]byte(bad)); err == nil || !strings.Contains(err.Error(), "has no gender field") {
		t.Errorf("an article on an amount: %v", err)
	}
}

// TestSignatureColumn: the lista de asistencia has a «Firma» column that
// is signed by hand: nothing typed goes into it.
func TestSignatureColumn(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	ty, _ := c.Type("minuta")
	f := ty.Field("asistentes")
	if col := f.Columns[len(f.Columns)-1]; col.Label != "Firma" || !col.Signature {
		t.Fatalf("the asistencia's last column is %+v, want the Firma", col)
	}
	rows := []any{map[string]any{"nombre": "Dra. Silvia Méndez", "cargo": "Directora", "area": "Laboratorio", "firma": "S. Méndez"}}
	_, err = ty.Validate(map[string]any{"asistentes": rows})
	if err == nil || !strings.Contains(err.Error(), "«Asistentes», renglón 1: «Firma» se firma a mano en el documento impreso: déjela en blanco.") {
		t.Errorf("a typed signature: %v", err)
	}
	bad := strings.Replace(rulesDef, "{name: acuerdo, label: Acuerdo, type: text, required: true}", "{name: acuerdo, label: Acuerdo, type: text, required: true, signature: true}", 1)
	if _, err := Parse([]byte(bad)); err == nil || !strings.Contains(err.Error(), "signature goes on a table column of type text, not required") {
		t.Errorf("a required signature column: %v", err)
	}
}

// TestSignatoryWording: a text that names a role's signatory speaks of the
// person in office on the document's date, in their gender.
func TestSignatoryWording(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	ty, _ := c.Type("minuta-mantenimiento")
	data, err := fixtures.SampleData("minuta-mantenimiento")
	if err != nil {
		t.Fatal(err)
	}
	// The sample's dates move with the document's, as a clerk's would.
	shift := func(d time.Time) map[string]any {
		out := map[string]any{}
		for k, v := range data {
			out[k] = v
			if s, ok := v.(string); ok && len(s) == 10 && strings.HasPrefix(s, "2026-") {
				out[k] = fmt.Sprint(d.Year()) + s[4:]
			}
		}
		return out
	}
	for _, x := range []struct {
		day  time.Time
		want string
	}{
		{time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC), "la firman de conformidad la Jefa del Departamento"},
		{time.Date(2016, 6, 1, 10, 0, 0, 0, time.UTC), "la firman de conformidad el Jefe del Departamento"},
	} {
		d := x.day
		doc, err := legajo.Prepare(legajo.Request{Type: ty, Data: shift(d), Date: d, Directory: fixtures.Directory()})
		if err != nil {
			t.Fatal(err)
		}
		if got := doc.Expand(ty.Closing, legajo.Tanto{}); !strings.Contains(got, x.want) {
			t.Errorf("%s: %q lacks %q", legajo.LongDate(d), got, x.want)
		}
	}
	// Nobody in office for a role a text names: the clerk is told.
	y2020 := time.Date(2020, 12, 1, 0, 0, 0, 0, time.UTC)
	_, err = legajo.Prepare(legajo.Request{Type: ty, Data: shift(y2020), Date: y2020, Directory: fixtures.Directory()})
	if !errors.Is(err, legajo.ErrNotFound) || !strings.Contains(err.Error(), "jefe-dti") {
		t.Errorf("no jefe-dti in 2020: %v", err)
	}
}
