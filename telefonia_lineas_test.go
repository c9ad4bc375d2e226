package legajo_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/fixtures"
)

// Lines are registered with their plan, área and responsable; the analysis
// of the month then judges them against the registered plan, and a change
// of plan (a modificación) moves the line's excess with it; a baja takes
// the line out of the register's plans. Numbers and amounts are checked.
func TestLineasRegister(t *testing.T) {
	ctx := context.Background()
	o, _, _ := registroOffice(t, time.Date(2026, 11, 10, 9, 0, 0, 0, mexico))
	rs := o.Registros
	bill, err := legajo.ParseBill(fixtures.SampleBill(), legajo.DefaultBillLayout, nil)
	if err != nil {
		t.Fatal(err)
	}
	bill.Period = fixtures.SampleBillPeriod
	line := bill.Lines[0] // 272 973 6031, Orizaba, Paquete Negocio Sin Límites 20 Mbps
	fields := map[string]string{"numero": line.Number, "servicio": "Línea e internet", "paquete": "Línea comercial",
		"importe": "389.00", "proveedor": "Teléfonos de México, S.A.B. de C.V. (Telmex)", "cuenta_maestra": fixtures.SampleBillAccount,
		"area": "Hospital Regional de Río Blanco", "ubicacion": "Urgencias", "responsable": "Enf. Adriana Solís Pérez", "fecha_alta": "2024-03-01"}
	for _, tt := range []struct{ field, value, want string }{
		{"numero", legajo.FormatLine(line.Number), "escriba los 10 dígitos del número, sin espacios ni guiones (" + line.Number + ")"},
		{"numero", "2281", "escriba los 10 dígitos"},
		{"importe", "389 pesos", "«389 pesos» no es un importe"},
	} {
		bad := map[string]string{}
		for k, v := range fields {
			bad[k] = v
		}
		bad[tt.field] = tt.value
		_, err := rs.File(ctx, legajo.RegistroEvent{Registro: legajo.LineasTelefonicasID, Author: "redes", Changes: []legajo.RegistroChange{{Kind: legajo.RegAlta, Fields: bad}}})
		if !errors.Is(err, legajo.ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s %q: %v", tt.field, tt.value, err)
		}
	}
	if _, err := rs.File(ctx, legajo.RegistroEvent{Registro: legajo.LineasTelefonicasID, Author: "redes",
		Changes: []legajo.RegistroChange{{Kind: legajo.RegAlta, Fields: fields}}}); err != nil {
		t.Fatal(err)
	}
	tel := &legajo.Telephony{Office: o, Plans: legajo.RegisteredPlans(rs)}
	analyze := func() legajo.LineAnalysis {
		t.Helper()
		plans, err := tel.Plans(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return legajo.Analyze(bill, nil, plans, legajo.DefaultTelephonyRules).Lines[0]
	}
	got := analyze()
	if got.PlanSource != "registro" || got.PlanName != "Línea comercial" || got.PlanAmount != 38900 || got.Area != "Hospital Regional de Río Blanco" ||
		got.Responsable != "Enf. Adriana Solís Pérez" || got.Excess != line.Total()-38900 || !got.ExcessReason {
		t.Fatalf("against the register: %+v", got)
	}
	// A change of plan: the line is within its new package.
	if _, err := rs.File(ctx, legajo.RegistroEvent{Registro: legajo.LineasTelefonicasID, Author: "redes", Changes: []legajo.RegistroChange{
		{Row: line.Number, Kind: legajo.RegModificacion, Fields: map[string]string{"paquete": "Paquete Negocio Sin Límites 20 Mbps", "importe": "599.00"},
			Note: "Cambio de paquete aplicado por Telmex"}}}); err != nil {
		t.Fatal(err)
	}
	if got := analyze(); got.PlanAmount != 59900 || got.AboveNormal() {
		t.Errorf("after the change of plan: %+v", got)
	}
	row, err := rs.Row(legajo.LineasTelefonicasID, line.Number)
	if err != nil || len(row.History) != 2 || row.History[1].Kind != legajo.RegModificacion {
		t.Fatalf("history: %+v, %v", row, err)
	}
	// A baja: the line is judged by the bill again.
	if _, err := rs.File(ctx, legajo.RegistroEvent{Registro: legajo.LineasTelefonicasID, Author: "redes", Changes: []legajo.RegistroChange{
		{Row: line.Number, Kind: legajo.RegBaja, Fields: map[string]string{"fecha_baja": "2026-11-09"}}}}); err != nil {
		t.Fatal(err)
	}
	if got := analyze(); got.PlanSource != "factura" {
		t.Errorf("after the baja: %+v", got)
	}
}

// An oficio al proveedor asking for a change of package notes the request
// on the registered lines it lists, and leaves the plan as it is until the
// provider applies it; lines not in the register are left alone.
func TestLineasFollowOficioProveedor(t *testing.T) {
	ctx := context.Background()
	o, _, logged := registroOffice(t, time.Date(2026, 11, 30, 9, 0, 0, 0, mexico))
	rs := o.Registros
	if _, err := rs.File(ctx, legajo.RegistroEvent{Registro: legajo.LineasTelefonicasID, Author: "redes", Changes: []legajo.RegistroChange{
		{Kind: legajo.RegAlta, Fields: map[string]string{"numero": "2299321457", "servicio": "Línea telefónica", "paquete": "Línea Comercial 200 llamadas",
			"importe": "389.00", "proveedor": "Telmex", "area": "Jurisdicción Sanitaria No. VIII Veracruz"}}}}); err != nil {
		t.Fatal(err)
	}
	data, err := fixtures.SampleData("oficio-proveedor")
	if err != nil {
		t.Fatal(err)
	}
	res, err := o.Emit(ctx, legajo.EmitRequest{Type: "oficio-proveedor", Data: data, Author: "redes"})
	if err != nil {
		t.Fatal(err)
	}
	row, err := rs.Row(legajo.LineasTelefonicasID, "2299321457")
	if err != nil {
		t.Fatal(err)
	}
	last := row.History[len(row.History)-1]
	if len(row.History) != 2 || last.Kind != legajo.RegAnotacion || last.Folio != res.Folio || row.Fields["paquete"] != "Línea Comercial 200 llamadas" {
		t.Fatalf("row after the oficio: %+v (log %v)", row, *logged)
	}
	if rs.Count(legajo.LineasTelefonicasID) != 1 {
		t.Errorf("the unregistered line of the oficio was added")
	}
}
