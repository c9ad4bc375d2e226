package pdf_test

import (
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/fixtures"
)

// filler is plain Spanish prose of varied word lengths.
const filler = "Se revisó el equipo conforme al procedimiento del manual, se documentaron las pruebas " +
	"realizadas con el personal del área y se dejó constancia de cada observación en la bitácora del " +
	"departamento, para su seguimiento por la Sección de Sistemas. "

// grow returns s lengthened by n sentences, within the field's limit.
func grow(s string, n int, limit int) string {
	var b strings.Builder
	b.WriteString(s)
	for range n {
		b.WriteString(" " + filler)
	}
	out := []rune(strings.TrimSpace(b.String()))
	if len(out) > limit {
		out = out[:limit]
		if i := strings.LastIndexByte(string(out), ' '); i > 0 {
			return string(out)[:i]
		}
	}
	return string(out)
}

// rows repeats a table's fixture rows up to n, varying their text so some
// wrap to two or three lines.
func rows(v any, n int) []any {
	base := v.([]any)
	out := make([]any, 0, n)
	for i := range n {
		r := maps.Clone(base[i%len(base)].(map[string]any))
		for k, c := range r {
			if s, ok := c.(string); ok && i%3 == 1 && len(s) > 12 && len(s) < 55 && !strings.ContainsAny(s, "0123456789") {
				r[k] = s + " y " + strings.ToLower(s)
			}
		}
		if _, ok := r["numero"]; ok {
			r["numero"] = fmt.Sprint(i + 1)
		}
		out = append(out, r)
	}
	return out
}

// longSamples are the fixtures made long: 40-row tables, long paragraphs,
// long names in the signature blocks, long addresses in narrow cells.
func longSamples(t testing.TB, cat *legajo.Catalog) []sample {
	t.Helper()
	data := func(name string) map[string]any {
		d, err := fixtures.SampleData(name)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	var out []sample
	// up to 40 rows, as many as the table admits
	upTo40 := func(typ, field string) int {
		ty, err := cat.Type(typ)
		if err != nil {
			t.Fatal(err)
		}
		return min(40, ty.Field(field).RowLimit())
	}
	add := func(name, typ string, d map[string]any) {
		out = append(out, sample{name, prepare(t, cat, typ, d)})
	}

	m := data("minuta")
	m["acuerdos"], m["asistentes"] = rows(m["acuerdos"], upTo40("minuta", "acuerdos")), rows(m["asistentes"], upTo40("minuta", "asistentes"))
	m["desarrollo"] = grow(m["desarrollo"].(string), 12, 4000)
	add("minuta.larga", "minuta", m)

	o := data("oficio-liberacion")
	o["modulos"] = rows(o["modulos"], upTo40("oficio-liberacion", "modulos"))
	o["observaciones"] = grow(o["observaciones"].(string), 8, 2000)
	var ccp []string
	for i := range 13 {
		ccp = append(ccp, fmt.Sprintf("Jefatura de la Jurisdicción Sanitaria No. %d.", i+1))
	}
	o["ccp"] = strings.Join(ccp, "\n") // a long c.c.p. list: a tall closing block
	add("oficio-liberacion.largo", "oficio-liberacion", o)

	ta := data("tarjeta-informativa")
	ta["proveedores"] = rows(ta["proveedores"], upTo40("tarjeta-informativa", "proveedores"))
	add("tarjeta-informativa.larga", "tarjeta-informativa", ta)

	r := data("reporte-consumo")
	r["lineas"] = rows(r["lineas"], upTo40("reporte-consumo", "lineas"))
	r["analisis"] = grow(r["analisis"].(string), 10, 4000)
	add("reporte-consumo.largo", "reporte-consumo", r)

	dt := data("dictamen-tecnico")
	dt["resguardante_nombre"] = "Dra. María de los Ángeles Guadalupe Hernández Xochihua de la Fuente"
	dt["resguardante_cargo"] = "Coordinadora Estatal del Programa de Vacunación Universal y de la Red de Frío de la Jurisdicción Sanitaria"
	dt["tecnico_nombre"] = "Ing. José Francisco Javier Domínguez Santaella"
	add("dictamen-tecnico.nombres", "dictamen-tecnico", dt)

	rm := data("responsiva-micrositio")
	rm["direccion"] = "https://www.ssaver.gob.mx/vacunacion/campanas-invernales/2026-2027/registro-de-unidades"
	rm["enlace_correo"] = "maria.guadalupe.hernandez.xochihua@ssaver.gob.mx"
	add("responsiva-micrositio.direcciones", "responsiva-micrositio", rm)
	return out
}
