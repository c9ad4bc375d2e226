package legajo

import (
	"context"
	"fmt"
	"strings"
)

// The register of líneas telefónicas y servicios (procedures 10 and 11):
// one row per line, keyed by its ten digits, with its service, contracted
// plan and monthly amount, provider, cuenta maestra, área and responsable.
// Altas, bajas and changes of plan are the registry's own changes; an
// oficio al proveedor asking for a change of package notes the request on
// each registered line it lists (the plan changes when the provider
// applies it, recorded then as a modificación). The monthly analysis takes
// each line's plan, área and responsable from here.

// LineasTelefonicasID is the register's id.
const LineasTelefonicasID = "lineas-telefonicas"

// Services a line gives.
var lineServices = []string{"Línea telefónica", "Línea e internet", "Internet", "Troncal digital", "Otro"}

// LineasTelefonicas defines the register of líneas telefónicas y servicios.
func LineasTelefonicas() *RegistroDef {
	return &RegistroDef{
		ID:    LineasTelefonicasID,
		Title: "Líneas telefónicas y servicios",
		Description: "Las líneas y servicios contratados: número, servicio, paquete y su importe mensual, proveedor, " +
			"cuenta maestra, área y responsable; sus altas, bajas y cambios de paquete. El análisis mensual de la " +
			"factura compara cada línea con el paquete que aquí tiene.",
		Procedures: []string{"10", "11"},
		Number:     7,
		Columns: []RegistroColumn{
			{Name: "numero", Label: "Línea", Kind: ColTexto, Required: true, Max: 10, List: true},
			{Name: "servicio", Label: "Servicio", Kind: ColOpcion, Required: true, Options: lineServices, List: true},
			{Name: "paquete", Label: "Paquete o plan", Kind: ColTexto, Required: true, Max: 80, List: true},
			{Name: "importe", Label: "Importe mensual del paquete", Kind: ColTexto, Required: true, Max: 20, List: true},
			{Name: "proveedor", Label: "Proveedor", Kind: ColTexto, Required: true, Max: 120, List: true},
			{Name: "cuenta_maestra", Label: "Cuenta maestra", Kind: ColTexto, Max: 40},
			{Name: "area", Label: "Área", Kind: ColTexto, Required: true, Max: 150, List: true},
			{Name: "ubicacion", Label: "Ubicación", Kind: ColTexto, Max: 150},
			{Name: "responsable", Label: "Responsable", Kind: ColTexto, Max: 120, List: true},
			{Name: "fecha_alta", Label: "Fecha de alta", Kind: ColFecha},
			{Name: "fecha_baja", Label: "Fecha de baja", Kind: ColFecha},
		},
		Key:          []string{"numero"},
		Kinds:        []RegistroKind{RegAlta, RegModificacion, RegBaja, RegReactivacion, RegAnotacion},
		Types:        []string{"oficio-proveedor"},
		FromDocument: lineasFromDocument,
		Check:        lineasCheck,
	}
}

// lineasCheck keeps the line's key its ten digits, and the amount money.
func lineasCheck(c RegistroChange, row *RegistroRow) []Problem {
	var probs []Problem
	if n, ok := c.Fields["numero"]; ok && n != "" {
		if d, valid := NormalizeLine(n); !valid || d != n {
			msg := "«Línea»: escriba los 10 dígitos del número, sin espacios ni guiones"
			if valid {
				msg += fmt.Sprintf(" (%s)", d)
			}
			probs = append(probs, Problem{Field: "numero", Message: msg + "."})
		}
	}
	if v, ok := c.Fields["importe"]; ok && v != "" {
		if _, valid := parseAmount(v); !valid {
			probs = append(probs, Problem{Field: "importe", Message: fmt.Sprintf("«Importe mensual del paquete»: «%s» no es un importe (escríbalo como 1,250.50).", printable(v))})
		}
	}
	return probs
}

// lineasFromDocument notes on each registered line of an oficio al
// proveedor «Cambio de paquete» the package asked for.
func lineasFromDocument(d IssuedDoc, rows RegistroView) ([]RegistroChange, error) {
	if d.Type != "oficio-proveedor" || d.Field("variante") != "Cambio de paquete" {
		return nil, nil
	}
	var out []RegistroChange
	for _, r := range d.Values["lineas"].Rows {
		n, ok := NormalizeLine(r["numero"])
		if !ok {
			continue
		}
		row := rows.Row(n)
		if row == nil || !row.Active {
			continue
		}
		out = append(out, RegistroChange{Row: row.Key, Kind: RegAnotacion,
			Note: clipText(fmt.Sprintf("Cambio de paquete solicitado al proveedor con el oficio %s: de «%s» a «%s».",
				d.Folio, strings.TrimSpace(r["paquete_actual"]), strings.TrimSpace(r["paquete_solicitado"])), 500)})
	}
	return out, nil
}

// RegisteredPlans are the plans of the lines in force in the register,
// for the monthly analysis.
func RegisteredPlans(rs *Registros) func(context.Context) (LinePlans, error) {
	return func(context.Context) (LinePlans, error) {
		if rs == nil {
			return nil, nil
		}
		rows, err := rs.Rows(LineasTelefonicasID, RegistroQuery{Active: true})
		if err != nil {
			return nil, err
		}
		plans := make(map[string]LinePlan, len(rows))
		for _, r := range rows {
			f := r.Fields
			amount, _ := parseAmount(f["importe"])
			plans[f["numero"]] = LinePlan{Number: f["numero"], Service: f["servicio"], Plan: f["paquete"], Amount: amount,
				Provider: f["proveedor"], Area: f["area"], Location: f["ubicacion"], Responsable: f["responsable"]}
		}
		return func(n string) (LinePlan, bool) {
			p, ok := plans[n]
			return p, ok
		}, nil
	}
}
