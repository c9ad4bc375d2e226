package legajo

import (
	"fmt"
	"strconv"
	"strings"
)

// The documents of activity 6A, prefilled from the analysis: the reporte
// de consumo of an área (its lines over their package) and the propuesta
// para reducir costos de consumo. The data is what a clerk would submit
// (DocType.Validate's input); what the analysis cannot know (the unit's
// address, its titular) is left for the clerk.

// maxReportLines is the reporte de consumo's table limit (its max_rows).
const maxReportLines = 150

// overPlan lists the lines of área that pass their package, the largest
// excess first.
func (a *Analysis) overPlan(area string) []LineAnalysis {
	var out []LineAnalysis
	for _, l := range a.Flagged(area) {
		if l.ExcessReason {
			out = append(out, l)
		}
	}
	return out
}

// ReporteConsumoData is the data of the reporte de consumo of área for
// the bill im, analyzed as a.
func (a *Analysis) ReporteConsumoData(im BillImport, invoices []string, area string) map[string]any {
	lines := a.overPlan(area)
	data := map[string]any{
		"area": area, "periodo": PeriodLabel(a.Period), "proveedor": a.Provider, "cuenta_maestra": a.Account,
	}
	facturas := strings.Join(invoices, ", ")
	if facturas == "" {
		facturas = "Factura importada con el folio " + im.Folio
	}
	data["facturas"] = clipText(facturas, 200)
	shown := lines[:min(len(lines), maxReportLines)]
	var rows []any
	var plans, total, excess, previous Centavos
	hasPrevious := false
	for _, l := range shown {
		where := l.Location
		if l.Responsable != "" {
			where = strings.TrimSpace(where + " — " + l.Responsable)
		}
		if where == "" {
			where = l.Area
		}
		plan := l.PlanName
		if plan == "" {
			plan = "Sin paquete registrado"
		}
		rows = append(rows, map[string]any{"numero": FormatLine(l.Number), "ubicacion": clipText(where, 120),
			"paquete": clipText(plan, 60), "costo_paquete": l.PlanAmount.Plain(), "consumo": l.Total().Plain(),
			"excedente": l.Excess.Plain()})
		plans += l.PlanAmount
		total += l.Total()
		excess += l.Excess
		if l.HasPrevious {
			previous += l.Previous
			hasPrevious = true
		}
	}
	if len(rows) > 0 {
		data["lineas"] = rows
		data["total_paquetes"] = plans.Plain()
		data["total_consumo"] = total.Plain()
		data["total_excedente"] = excess.Plain()
	}
	if hasPrevious {
		data["consumo_anterior"] = previous.Plain()
	}
	data["analisis"] = clipText(a.analysisText(area, shown, len(lines), total, previous, hasPrevious), 4000)
	return data
}

// analysisText explains the excess of lines (of all over their package
// in área): where it comes from, against the month before, and the lines
// out of their habit.
func (a *Analysis) analysisText(area string, lines []LineAnalysis, all int, total, previous Centavos, hasPrevious bool) string {
	at, _ := a.Area(area)
	var b strings.Builder
	fmt.Fprintf(&b, "Se analizaron %s de la Unidad Aplicativa en la factura de %s; %s %s el costo de su paquete contratado",
		Plural(at.Lines, "línea", "líneas"), PeriodLabel(a.Period), Plural(all, "línea", "líneas"), verb(all, "supera", "superan"))
	if len(lines) == 0 {
		b.WriteString(".")
		return b.String()
	}
	var excess, local, ld, mobile, services Centavos
	for _, l := range lines {
		excess += l.Excess
		local += l.Local
		ld += l.LongDistance
		mobile += l.Mobile
		services += l.Services
	}
	fmt.Fprintf(&b, ", con un excedente de %s.", excess)
	fmt.Fprintf(&b, " En esas líneas se facturaron %s en llamadas a celular, %s en larga distancia, %s en servicio medido local y %s en servicios adicionales.",
		mobile, ld, local, services)
	if all > len(lines) {
		fmt.Fprintf(&b, " La tabla muestra las %d de mayor excedente.", len(lines))
	}
	if hasPrevious && previous > 0 {
		change := float64(total-previous) / float64(previous) * 100
		word := "aumentó"
		if change < 0 {
			word, change = "disminuyó", -change
		}
		fmt.Fprintf(&b, " Comparado con %s (%s), el consumo de estas líneas %s %s %%.", PeriodLabel(AddMonths(a.Period, -1)), previous, word,
			strconv.FormatFloat(change, 'f', 1, 64))
	}
	var unusual []string
	for _, l := range lines {
		var why []string
		for _, r := range l.Reasons {
			if !strings.HasPrefix(r, "excede su plan") {
				why = append(why, r)
			}
		}
		if len(why) > 0 {
			unusual = append(unusual, FormatLine(l.Number)+": "+strings.Join(why, "; "))
		}
	}
	if len(unusual) > 0 {
		b.WriteString(" Consumo fuera de lo habitual: " + strings.Join(unusual, ". ") + ".")
	}
	return b.String()
}

func verb(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// PropuestaReduccionData is the data of the propuesta para reducir costos
// de consumo of área; reporte is the folio of its reporte de consumo, ""
// when it is not issued yet.
func (a *Analysis) PropuestaReduccionData(area, reporte string) map[string]any {
	lines := a.overPlan(area)
	data := map[string]any{"area": area, "periodo": PeriodLabel(a.Period), "cuenta_maestra": a.Account}
	if reporte != "" {
		data["reporte"] = reporte
	}
	if len(lines) == 0 {
		return data
	}
	var excess Centavos
	// Lines by the measure that fits them, with the charges it saves.
	type measure struct {
		numbers []string
		saving  Centavos
	}
	var mobile, ld, services, plan measure
	for _, l := range lines {
		excess += l.Excess
		n := FormatLine(l.Number)
		switch {
		case l.Services > 0 && l.Services >= l.Mobile && l.Services >= l.LongDistance:
			services.numbers = append(services.numbers, n)
			services.saving += l.Services
		case l.AvgTotal > l.PlanAmount+a.Rules.Tolerance && l.Months >= a.Rules.MinMonths:
			// Over its package month after month: the package is short.
			plan.numbers = append(plan.numbers, n)
		case l.LongDistance > l.Mobile:
			ld.numbers = append(ld.numbers, n)
			ld.saving += l.LongDistance
		default:
			mobile.numbers = append(mobile.numbers, n)
			mobile.saving += l.Mobile
		}
	}
	data["lineas_excedidas"] = strconv.Itoa(len(lines))
	data["total_excedente"] = excess.Plain()
	data["situacion"] = clipText(a.situation(area, lines, excess), 3000)
	var rows []any
	var saving Centavos
	add := func(m measure, text, who string) {
		if len(m.numbers) == 0 {
			return
		}
		row := map[string]any{"lineas": clipText(strings.Join(m.numbers, ", "), 200), "medida": text, "responsable": who}
		if m.saving > 0 {
			row["ahorro"] = m.saving.Plain()
			saving += m.saving
		}
		rows = append(rows, row)
	}
	add(mobile, "Restringir las llamadas a celular a las extensiones autorizadas por el titular y llevar una bitácora de las llamadas a celular.", "Unidad Aplicativa")
	add(ld, "Solicitar al proveedor el bloqueo de la larga distancia en las líneas que no la requieren y autorizar las llamadas de larga distancia por escrito.", "Proveedor, a solicitud del Departamento de TI")
	add(services, "Cancelar los servicios adicionales que la Unidad Aplicativa no solicitó ni utiliza.", "Proveedor, a solicitud del Departamento de TI")
	add(plan, "Cambiar a un paquete que incluya el consumo habitual de la línea, que supera su paquete mes con mes.", "Departamento de TI")
	data["medidas"] = rows
	if saving > 0 {
		data["ahorro_total"] = saving.Plain()
	}
	return data
}

// situation words what the analysis found in área, for the propuesta.
func (a *Analysis) situation(area string, lines []LineAnalysis, excess Centavos) string {
	var mobile, ld, services Centavos
	for _, l := range lines {
		mobile += l.Mobile
		ld += l.LongDistance
		services += l.Services
	}
	parts := []struct {
		cause string // with its verb: «la causa principal son las llamadas …»
		c     Centavos
	}{{"son las llamadas a celular", mobile}, {"es la larga distancia", ld}, {"son los servicios adicionales", services}}
	main := parts[0]
	for _, p := range parts[1:] {
		if p.c > main.c {
			main = p
		}
	}
	s := fmt.Sprintf("En %s, %s de la Unidad Aplicativa %s el costo de su paquete por %s en total; la causa principal %s (%s).",
		PeriodLabel(a.Period), Plural(len(lines), "línea", "líneas"), verb(len(lines), "superó", "superaron"), excess, main.cause, main.c)
	var spikes []string
	for _, l := range lines {
		for _, r := range l.Reasons {
			if !strings.HasPrefix(r, "excede su plan") {
				spikes = append(spikes, FormatLine(l.Number)+" ("+r+")")
			}
		}
	}
	if len(spikes) > 0 {
		s += " Se observó consumo fuera de lo habitual en " + strings.Join(spikes, ", ") + "."
	}
	return s
}
