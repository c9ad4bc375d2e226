package legajo_test

import (
	"context"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sesver/legajo"
	"github.com/sesver/legajo/archive"
	"github.com/sesver/legajo/fixtures"
	"github.com/sesver/legajo/templates"
)

const billHeader = "Cuenta maestra,Factura,Teléfono,Centro de costos,Ubicación,Paquete,Renta mensual,Servicio medido local,Larga distancia,Llamadas a celular,Servicios adicionales,Total\n"

func TestParseBill(t *testing.T) {
	good := billHeader +
		`2281004573,F1,(228) 812-3456,Jurisdicción Sanitaria No. V Xalapa,Recepción,Línea comercial,389.00,10.00,0,"1,250.50",,"1,649.50"` + "\n" +
		`2281004573,F1,+52 229 931 0001,Hospital Regional de Veracruz,Urgencias,Paquete Negocio Sin Límites 20 Mbps,$599.00,-,5.5,0,49,653.50` + "\n" +
		"\n" +
		"Total general,,,,,,,,,,,2303.00\n"
	tests := []struct {
		name string
		data string
		want []string // substrings of the problems; none: it parses
	}{
		{"good", good, nil},
		{"semicolons", strings.ReplaceAll(strings.ReplaceAll(good, `"1,250.50"`, "1250.50"), `"1,649.50"`, "1649.50"), nil},
		{"empty", "", []string{"está vacío"}},
		{"header only", billHeader, []string{"no tiene líneas"}},
		{"pdf", "%PDF-1.7\n", []string{"es un PDF"}},
		{"xlsx without reader", "PK\x03\x04rest", []string{"no lee archivos de Excel"}},
		{"missing column", "Cuenta maestra,Teléfono,Renta mensual\n1,2281234567,1\n", []string{"Falta la columna «Larga distancia»", "Falta la columna «Celular»"}},
		{"bad amount", billHeader + "2281004573,F1,2288123456,A,B,C,389,10,\"12,5x\",0,0,\n", []string{"Fila 2, columna «Larga distancia»: «12,5x» no es un importe"}},
		{"negative amount", billHeader + "2281004573,F1,2288123456,A,B,C,389,10,-5,0,0,\n", []string{"Fila 2, columna «Larga distancia»: «-5» no es un importe"}},
		{"bad number", billHeader + "2281004573,F1,22881,A,B,C,389,0,0,0,0,389\n", []string{"Fila 2, columna «Teléfono»: «22881» no es un número de 10 dígitos"}},
		{"no number", billHeader + "2281004573,F1,,A,B,C,389,0,0,0,0,389\n", []string{"Fila 2, columna «Teléfono»: falta el número"}},
		{"repeated line", billHeader + "2281004573,F1,2288123456,A,B,C,389,0,0,0,0,389\n2281004573,F1,228 812 3456,A,B,C,389,0,0,0,0,389\n",
			[]string{"Fila 3, columna «Teléfono»: la línea 228 812 3456 ya aparece en la fila 2"}},
		{"two accounts", billHeader + "2281004573,F1,2288123456,A,B,C,389,0,0,0,0,389\n9999,F1,2288123457,A,B,C,389,0,0,0,0,389\n",
			[]string{"Fila 3, columna «Cuenta maestra»: la cuenta maestra «9999» no es la de la fila 2"}},
		{"wrong total", billHeader + "2281004573,F1,2288123456,A,B,C,389,0,0,10,0,389\n", []string{"Fila 2, columna «Total»: el total $389.00 no es la suma de los cargos de la fila ($399.00)"}},
		{"bad quotes", billHeader + "2281004573,\"F1,2288123456\n", []string{"mal formado"}},
		{"long cell", billHeader + "2281004573,F1,2288123456," + strings.Repeat("á", 201) + ",B,C,389,0,0,0,0,389\n", []string{"Fila 2, columna «Centro de costos»: el texto pasa de 200 caracteres"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data
			if tt.name == "semicolons" {
				data = strings.ReplaceAll(data, ",", ";")
			}
			bill, err := legajo.ParseBill([]byte(data), legajo.DefaultBillLayout, nil)
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				if len(bill.Lines) != 2 || bill.Account != "2281004573" || bill.Lines[0].Number != "2288123456" || bill.Lines[1].Number != "2299310001" {
					t.Fatalf("%+v", bill)
				}
				if l := bill.Lines[0]; l.Mobile != 125050 || l.Total() != 164950 || l.Row != 2 || l.Area != "Jurisdicción Sanitaria No. V Xalapa" {
					t.Errorf("line 1: %+v", l)
				}
				if l := bill.Lines[1]; l.Local != 0 || l.LongDistance != 550 || l.Services != 4900 || l.Rent != 59900 || l.Row != 3 {
					t.Errorf("line 2: %+v", l)
				}
				return
			}
			var ve *legajo.ValidationError
			if !errors.As(err, &ve) || bill != nil {
				t.Fatalf("got %v, %v; want a ValidationError and no bill", bill, err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("problems %q lack %q", err, w)
				}
			}
		})
	}
}

// Excel in Spanish saves CSV with semicolons in Windows-1252; a layout of
// another carrier reads its own headers.
func TestParseBillCharsetAndLayout(t *testing.T) {
	layout := legajo.BillLayout{Name: "Otro proveedor", Provider: "Otro, S.A. de C.V.", Columns: legajo.BillColumns{
		Account: "CUENTA", Line: "NUM_TEL", Area: "UNIDAD", Rent: "RENTA", Local: "LOCAL", LongDistance: "LD", Mobile: "CEL"}}
	if err := layout.Validate(); err != nil {
		t.Fatal(err)
	}
	text := "Detalle de consumo\n\ncuenta;num tel;Unidad;renta;local;ld;cel\n77;2711234567;Jurisdicción Sanitaria No. VI Córdoba;389;0;0;100\n"
	var cp []byte
	for _, r := range text {
		b, ok := legajo.CP1252(r)
		if !ok {
			t.Fatalf("%c", r)
		}
		cp = append(cp, b)
	}
	bill, err := legajo.ParseBill(cp, layout, nil)
	if err != nil {
		t.Fatal(err)
	}
	if l := bill.Lines[0]; l.Area != "Jurisdicción Sanitaria No. VI Córdoba" || l.Mobile != 10000 || l.Row != 4 {
		t.Errorf("%+v", l)
	}
	bad := legajo.BillLayout{Name: "x", Provider: "y", Columns: legajo.BillColumns{Account: "A", Line: "a", Rent: "R"}}
	err = bad.Validate()
	for _, w := range []string{"«Cuenta maestra» y «Línea» tienen el mismo encabezado", "columna «Local»: es obligatoria"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("Validate: %v, want %q", err, w)
		}
	}
}

// A file in the wrong layout has a problem per row: the first fifty are
// listed and the rest counted.
func TestParseBillManyProblems(t *testing.T) {
	var b strings.Builder
	b.WriteString(billHeader)
	for range 80 {
		b.WriteString("2281004573,F1,123,A,B,C,389,0,0,0,0,389\n")
	}
	_, err := legajo.ParseBill([]byte(b.String()), legajo.DefaultBillLayout, nil)
	var ve *legajo.ValidationError
	if !errors.As(err, &ve) || len(ve.Problems) != 51 || !strings.Contains(ve.Problems[50].Message, "y 30 problemas más. Nada se importó.") {
		t.Fatalf("%v", err)
	}
}

func month(period string, lines ...legajo.BillLine) *legajo.Bill {
	return &legajo.Bill{Account: "1", Period: period, Lines: lines}
}

func TestAnalyze(t *testing.T) {
	usual := legajo.BillLine{Number: "2288123456", Area: "Jurisdicción Sanitaria No. V Xalapa", Plan: "Línea comercial", Rent: 38900, Mobile: 10000, LongDistance: 2000}
	var history []*legajo.Bill
	for k := 1; k <= 6; k++ {
		history = append(history, month(legajo.AddMonths("2026-10", -k), usual))
	}
	// A month older than six, and a month after, are not averaged.
	old := usual
	old.Mobile = 9000000
	history = append(history, month("2026-03", old), month("2026-11", old))
	now := usual
	now.Mobile = 32000 // 3.2 times
	now.LongDistance = 2100
	steady := legajo.BillLine{Number: "2299310001", Area: "Hospital Regional de Veracruz", Plan: "Paquete Negocio Sin Límites 20 Mbps", Rent: 59900, Mobile: 1000}
	fresh := legajo.BillLine{Number: "2711234567", Plan: "Paquete Negocio Sin Límites 20 Mbps", Rent: 59900, Mobile: 125000}
	bill := month("2026-10", now, steady, fresh)
	a := legajo.Analyze(bill, history, nil, legajo.DefaultTelephonyRules)
	if got := a.Lines[0].Reasons; len(got) != 2 || got[0] != "excede su plan en $341.00" || got[1] != "consumo de celular 3.2 veces su promedio de 6 meses" {
		t.Errorf("line 1: %q", got)
	}
	if l := a.Lines[0]; l.Months != 6 || l.AvgMobile != 10000 || !l.HasPrevious || l.Previous != 50900 {
		t.Errorf("line 1 history: %+v", l)
	}
	if a.Lines[1].AboveNormal() {
		t.Errorf("steady line flagged: %q", a.Lines[1].Reasons)
	}
	if got := a.Lines[2].Reasons; len(got) != 1 || got[0] != "excede su plan en $1,250.00" || a.Lines[2].Area != legajo.NoArea {
		t.Errorf("new line: %q in %q", got, a.Lines[2].Area)
	}
	if len(a.History) != 6 || a.History[0] != "2026-04" {
		t.Errorf("history %v", a.History)
	}
	if a.Totals.Lines != 3 || a.Totals.Flagged != 2 || a.Totals.Total != now.Total()+steady.Total()+fresh.Total() || len(a.Areas) != 3 {
		t.Errorf("totals %+v, areas %d", a.Totals, len(a.Areas))
	}
	if f := a.Flagged(""); len(f) != 2 || f[0].Number != fresh.Number {
		t.Errorf("flagged order: %v", f)
	}

	// The register's plan and área win over the bill's.
	plans := func(n string) (legajo.LinePlan, bool) {
		if n == steady.Number {
			return legajo.LinePlan{Number: n, Plan: "Línea comercial", Amount: 38900, Area: "Oficinas Centrales", Responsable: "Ing. Rosa Pérez"}, true
		}
		return legajo.LinePlan{}, false
	}
	a = legajo.Analyze(bill, history, plans, legajo.DefaultTelephonyRules)
	if l := a.Lines[1]; l.Area != "Oficinas Centrales" || l.PlanSource != "registro" || l.Excess != 22000 || l.Reasons[0] != "excede su plan en $220.00" {
		t.Errorf("registered line: %+v", l)
	}

	// A charge that was never there, with history, is named so.
	quiet := usual
	quiet.Services = 29900
	a = legajo.Analyze(month("2026-10", quiet), history, nil, legajo.TelephonyRules{Tolerance: 1 << 40, Factor: 2, MinIncrease: 15000, MinMonths: 3})
	if got := a.Lines[0].Reasons; len(got) != 1 || got[0] != "servicios adicionales de $299.00 sin consumo en sus 6 meses anteriores" {
		t.Errorf("new service: %q", got)
	}
}

func telephonyOffice(t testing.TB, at time.Time) (*legajo.Telephony, *time.Time) {
	t.Helper()
	st, err := archive.OpenFS(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	a, err := archive.New(st, legajo.DefaultExpedientes())
	if err != nil {
		t.Fatal(err)
	}
	clock := at
	o := &legajo.Office{Archive: a, Institution: fixtures.Institution(), Zone: mexico, Now: func() time.Time { return clock }}
	return &legajo.Telephony{Office: o}, &clock
}

// A bill is filed whole with what was read from it; a bad bill files
// nothing; a second bill of the same account and month is refused; the
// months before give the averages.
func TestTelephonyImport(t *testing.T) {
	ctx := context.Background()
	tel, clock := telephonyOffice(t, time.Date(2026, 11, 10, 9, 0, 0, 0, mexico))
	bad := []byte(billHeader + "2281004573,F1,2288123456,A,B,C,389,0,0,10,0,389\n")
	if _, _, err := tel.Import(ctx, legajo.ImportRequest{Data: bad, Name: "mala.csv", Period: "2026-10", Author: "admin"}); !errors.Is(err, legajo.ErrInvalid) {
		t.Fatalf("bad bill: %v", err)
	}
	for _, tt := range []struct{ period, want string }{{"", "no es un mes válido"}, {"2026-13", "no es un mes válido"}, {"2026-12", "todavía no termina"}} {
		_, _, err := tel.Import(ctx, legajo.ImportRequest{Data: fixtures.SampleBill(), Period: tt.period, Author: "admin"})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("period %q: %v", tt.period, err)
		}
	}
	if ims, err := tel.Imports(ctx); err != nil || len(ims) != 0 {
		t.Fatalf("after refusals: %v, %v", ims, err)
	}
	for k := 6; k >= 1; k-- {
		p := legajo.AddMonths(fixtures.SampleBillPeriod, -k)
		*clock = clock.Add(time.Minute)
		if _, _, err := tel.Import(ctx, legajo.ImportRequest{Data: fixtures.TelephonyBill(p, fixtures.SampleBillLines), Name: "siana-" + p + ".csv", Period: p, Author: "admin"}); err != nil {
			t.Fatal(err)
		}
	}
	*clock = clock.Add(time.Minute)
	im, an, err := tel.Import(ctx, legajo.ImportRequest{Data: fixtures.SampleBill(), Name: "siana-octubre.csv", Period: fixtures.SampleBillPeriod, Author: "admin"})
	if err != nil {
		t.Fatal(err)
	}
	if im.Lines != fixtures.SampleBillLines || im.Account != fixtures.SampleBillAccount || im.Folio == "" || len(an.History) != 6 {
		t.Fatalf("%+v, history %v", im, an.History)
	}
	var spikes int
	for _, l := range an.Flagged("") {
		for _, r := range l.Reasons {
			if strings.Contains(r, "veces su promedio de 6 meses") || strings.Contains(r, "sin consumo en sus 6 meses") {
				spikes++
			}
		}
	}
	t.Logf("%d flagged of %d lines, %d against their history; e.g. %q", an.Totals.Flagged, an.Totals.Lines, spikes, an.Flagged("")[0].Reasons)
	if an.Totals.Flagged < 20 || an.Totals.Flagged > 150 || spikes < 5 {
		t.Errorf("%d flagged of %d, %d against their history", an.Totals.Flagged, an.Totals.Lines, spikes)
	}
	_, _, err = tel.Import(ctx, legajo.ImportRequest{Data: fixtures.SampleBill(), Period: fixtures.SampleBillPeriod, Author: "admin"})
	if !errors.Is(err, legajo.ErrConflict) || !strings.Contains(err.Error(), im.Folio) {
		t.Errorf("second import: %v", err)
	}

	// What the archive holds gives back the same figures: the original
	// as uploaded, and the analysis.
	tel2 := &legajo.Telephony{Office: tel.Office}
	ims, err := tel2.Imports(ctx)
	if err != nil || len(ims) != 7 || ims[0].Folio != im.Folio || ims[0].Period != "2026-10" || ims[0].Total != an.Totals.Total {
		t.Fatalf("%+v, %v", ims, err)
	}
	orig, err := tel.Office.Archive.Get(ctx, ims[0].Original)
	if err != nil || string(orig) != string(fixtures.SampleBill()) {
		t.Fatalf("original: %v", err)
	}
	rec, err := tel2.Load(ctx, ims[0])
	if err != nil {
		t.Fatal(err)
	}
	again, err := legajo.ParseBill(orig, legajo.DefaultBillLayout, nil)
	if err != nil || len(again.Lines) != len(rec.Bill.Lines) || again.Lines[99] != rec.Bill.Lines[99] {
		t.Fatalf("re-read: %v", err)
	}
	if rec.Analysis.Totals != an.Totals || len(rec.Analysis.Flagged("")) != len(an.Flagged("")) {
		t.Errorf("filed analysis differs")
	}
	f, _ := legajo.ParseFolio(im.Folio, fixtures.Institution().FolioPrefix)
	r, err := tel.Office.Record(ctx, f)
	if err != nil || r.Status != legajo.StatusRecibido || r.Expediente != legajo.BillExpediente {
		t.Errorf("record: %+v, %v", r, err)
	}
}

// The reporte de consumo and the propuesta prefilled from the sample's
// analysis are valid documents once the clerk adds what the bill cannot
// know (the unit's address, its titular), and their totals add up.
func TestTelephonyDocumentsData(t *testing.T) {
	cat, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	var history []*legajo.Bill
	for k := 1; k <= 6; k++ {
		p := legajo.AddMonths(fixtures.SampleBillPeriod, -k)
		b, err := legajo.ParseBill(fixtures.TelephonyBill(p, fixtures.SampleBillLines), legajo.DefaultBillLayout, nil)
		if err != nil {
			t.Fatal(err)
		}
		b.Period = p
		history = append(history, b)
	}
	bill, err := legajo.ParseBill(fixtures.SampleBill(), legajo.DefaultBillLayout, nil)
	if err != nil {
		t.Fatal(err)
	}
	bill.Period = fixtures.SampleBillPeriod
	a := legajo.Analyze(bill, history, nil, legajo.DefaultTelephonyRules)
	im := legajo.BillImport{Folio: "SESVER/DA/DTI/FT/0007/2026"}
	checked := 0
	for _, at := range a.Areas {
		rep := a.ReporteConsumoData(im, bill.Invoices, at.Area)
		rep["domicilio"] = "Av. Miguel Alemán 100, Xalapa, Ver."
		if at.OverPlan == 0 {
			if _, ok := rep["lineas"]; ok {
				t.Errorf("%s: lines in a report of no line over its package", at.Area)
			}
			continue
		}
		checked++
		rt, _ := cat.Type("reporte-consumo")
		vals, err := rt.Validate(rep)
		if err != nil {
			t.Fatalf("%s: reporte: %v", at.Area, err)
		}
		var sum legajo.Centavos
		for _, row := range vals["lineas"].Rows {
			c, _ := legajo.ParseCentavos(row["excedente"])
			sum += c
		}
		if len(vals["lineas"].Rows) != at.OverPlan || vals["total_excedente"].Text != sum.Plain() || !strings.Contains(vals["analisis"].Text, "superan el costo de su paquete") && at.OverPlan > 1 {
			t.Errorf("%s: %d rows for %d lines over plan, total %s against %s; %q", at.Area, len(vals["lineas"].Rows), at.OverPlan, vals["total_excedente"].Text, sum.Plain(), vals["analisis"].Text)
		}
		prop := a.PropuestaReduccionData(at.Area, "SESVER/DA/DTI/RCO/0001/2026")
		prop["destinatario_nombre"] = "Dr. Raúl Enrique Cobos Zárate"
		prop["destinatario_cargo"] = "Jefe de la Unidad"
		pt, _ := cat.Type("propuesta-reduccion")
		pv, err := pt.Validate(prop)
		if err != nil {
			t.Fatalf("%s: propuesta: %v", at.Area, err)
		}
		if pv["lineas_excedidas"].Text != strconv.Itoa(at.OverPlan) || len(pv["medidas"].Rows) == 0 || pv["total_excedente"].Text != sum.Plain() {
			t.Errorf("%s: propuesta %v", at.Area, pv)
		}
	}
	if checked < 5 {
		t.Errorf("only %d áreas have lines over their package", checked)
	}
}

// The statistics' telephony spend comes from the bills imported, per área
// and month, summing to each bill's total; a month without a bill takes the
// reportes de consumo's figures, and a month with one ignores them.
func TestBilledPhoneSpend(t *testing.T) {
	ctx := context.Background()
	tel, clock := telephonyOffice(t, time.Date(2026, 11, 10, 9, 0, 0, 0, mexico))
	prev := legajo.AddMonths(fixtures.SampleBillPeriod, -1)
	for _, p := range []string{prev, fixtures.SampleBillPeriod} {
		*clock = clock.Add(time.Minute)
		if _, _, err := tel.Import(ctx, legajo.ImportRequest{Data: fixtures.TelephonyBill(p, fixtures.SampleBillLines), Name: p + ".csv", Period: p, Author: "admin"}); err != nil {
			t.Fatal(err)
		}
	}
	ims, err := tel.Imports(ctx)
	if err != nil || len(ims) != 2 {
		t.Fatal(ims, err)
	}
	month := func(p string) time.Time {
		m, err := legajo.ParsePeriod(p)
		if err != nil {
			t.Fatal(err)
		}
		return time.Date(m.Year(), m.Month(), 1, 0, 0, 0, 0, mexico)
	}
	older := month(legajo.AddMonths(prev, -1))
	reported := fakePhoneSource{{Month: older, Area: "Hospital General de Tuxpan", Amount: 1234.5},
		{Month: month(prev), Area: "Hospital General de Tuxpan", Amount: 99999}}
	src := &legajo.BilledPhoneSpend{Bills: tel, Reported: reported, Zone: mexico}
	f := legajo.StatsFilter{From: older, To: month(fixtures.SampleBillPeriod).AddDate(0, 1, 0)}
	spend, err := src.Spend(ctx, f)
	if err != nil {
		t.Fatal(err)
	}
	sums := map[time.Time]float64{}
	for _, s := range spend {
		sums[s.Month] += s.Amount
	}
	for _, im := range ims {
		if got, want := sums[month(im.Period)], float64(im.Total)/100; math.Abs(got-want) > 0.005 {
			t.Errorf("%s: the áreas sum to %.2f, the bill's total is %.2f", im.Period, got, want)
		}
	}
	if sums[older] != 1234.5 {
		t.Errorf("the month without a bill: %.2f, want the report's 1234.50", sums[older])
	}
	// One área only; a period that ends before the bills' months.
	area := ""
	for _, s := range spend {
		if s.Month.Equal(month(prev)) {
			area = s.Area
			break
		}
	}
	only, err := src.Spend(ctx, legajo.StatsFilter{From: f.From, To: f.To, Area: area})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range only {
		if s.Area != area {
			t.Errorf("filtered by %q: %+v", area, s)
		}
	}
	before, err := src.Spend(ctx, legajo.StatsFilter{From: older, To: month(prev)})
	if err != nil {
		t.Fatal(err)
	}
	if len(before) != 1 || before[0].Month != older {
		t.Errorf("a period before the bills: %+v", before)
	}
}

type fakePhoneSource []legajo.PhoneSpend

func (f fakePhoneSource) Spend(_ context.Context, q legajo.StatsFilter) ([]legajo.PhoneSpend, error) {
	var out []legajo.PhoneSpend
	for _, s := range f {
		if !s.Month.Before(q.From) && s.Month.Before(q.To) && (q.Area == "" || s.Area == q.Area) {
			out = append(out, s)
		}
	}
	return out, nil
}
