package legajo_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/sesver/legajo"
)

func TestParseStatsFilter(t *testing.T) {
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, mexico)
	for _, c := range []struct {
		name, desde, hasta string
		period             string
		months             int
		problem            string
	}{
		{"default: the last twelve months", "", "", "diciembre de 2025 a noviembre de 2026", 12, ""},
		{"one month", "2026-10", "2026-10", "octubre de 2026", 1, ""},
		{"one year", "2026-01", "2026-12", "enero a diciembre de 2026", 12, ""},
		{"three years", "2023-12", "2026-11", "diciembre de 2023 a noviembre de 2026", 36, ""},
		{"spaces", " 2026-03 ", "2026-04 ", "marzo a abril de 2026", 2, ""},
		{"only the start", "2026-06", "", "junio a noviembre de 2026", 6, ""},
		{"a month that does not exist", "2026-13", "2026-11", "", 0, "«Desde» no es un mes válido"},
		{"a date instead of a month", "2026-01-05", "", "", 0, "«Desde» no es un mes válido"},
		{"words", "", "noviembre", "", 0, "«Hasta» no es un mes válido"},
		{"backwards", "2026-11", "2026-01", "", 0, "«Hasta» es anterior a «Desde»"},
		{"too long", "2020-01", "2026-11", "", 0, "El periodo abarca 83 meses; elija 60 meses o menos."},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := legajo.ParseStatsFilter(c.desde, c.hasta, "", now, mexico)
			if c.problem != "" {
				var ve *legajo.ValidationError
				if !errors.As(err, &ve) || !errors.Is(err, legajo.ErrInvalid) || !strings.Contains(ve.Error(), c.problem) {
					t.Fatalf("err = %v, want a validation error saying %q", err, c.problem)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := f.Period(); got != c.period {
				t.Errorf("period = %q, want %q", got, c.period)
			}
			if n := len(f.Months()); n != c.months || f.MonthCount() != c.months {
				t.Errorf("%d months (count %d), want %d", n, f.MonthCount(), c.months)
			}
			if f.From.Day() != 1 || f.From.Location() != mexico {
				t.Errorf("from = %v", f.From)
			}
		})
	}
}

func TestMonthIndexAtTheEdges(t *testing.T) {
	f, _ := legajo.ParseStatsFilter("2026-01", "2026-03", "", time.Now(), mexico)
	for _, c := range []struct {
		at   time.Time
		want int
	}{
		{time.Date(2026, 1, 1, 0, 0, 0, 0, mexico), 0},
		{time.Date(2026, 1, 1, 5, 59, 0, 0, time.UTC), -1}, // 31 December in Mexico
		{time.Date(2026, 3, 31, 23, 59, 0, 0, mexico), 2},
		{time.Date(2026, 4, 1, 0, 0, 0, 0, mexico), -1},
		{time.Date(2026, 2, 15, 0, 0, 0, 0, time.UTC), 1},
	} {
		if got := f.MonthIndex(c.at); got != c.want {
			t.Errorf("MonthIndex(%v) = %d, want %d", c.at, got, c.want)
		}
	}
}

func TestMonthAxis(t *testing.T) {
	f, _ := legajo.ParseStatsFilter("2025-11", "2026-02", "", time.Now(), mexico)
	if got := strings.Join(legajo.MonthAxis(f.Months()), "|"); got != "nov\n2025|dic|ene\n2026|feb" {
		t.Errorf("4 months: %q", got)
	}
	f, _ = legajo.ParseStatsFilter("2023-12", "2026-11", "", time.Now(), mexico)
	labels := legajo.MonthAxis(f.Months())
	var shown []string
	for _, l := range labels {
		if l != "" {
			shown = append(shown, l)
		}
	}
	// Three years: only every third month, so that labels never collide.
	if len(labels) != 36 || len(shown) != 12 || shown[0] != "ene\n2024" || shown[1] != "abr" {
		t.Errorf("36 months: %d labels, shown %q", len(labels), shown)
	}
}

func TestParseMonthYear(t *testing.T) {
	for in, want := range map[string]string{
		"octubre de 2026": "2026-10", "Octubre 2026": "2026-10", "OCT-2026": "2026-10", "10/2026": "2026-10",
		"2026-10": "2026-10", "septiembre del 2025": "2025-09", "setiembre de 2025": "2025-09", " marzo  de 2024 ": "2024-03",
		"": "", "octubre": "", "2026": "", "13/2026": "", "octubre de 2026 y noviembre de 2026": "", "primavera de 2026": "",
	} {
		got := ""
		if t0, ok := legajo.ParseMonthYear(in, mexico); ok {
			got = t0.Format("2006-01")
		}
		if got != want {
			t.Errorf("ParseMonthYear(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestAgeBucket(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, mexico)
	for days, want := range map[int]int{0: 0, 7: 0, 8: 1, 15: 1, 16: 2, 30: 2, 31: 3, 90: 3, 91: 4, 2000: 4} {
		if got := legajo.AgeBucket(now.AddDate(0, 0, -days), now); got != want {
			t.Errorf("%d days: bucket %d (%s), want %d (%s)", days, got, legajo.AgeBuckets[got].Label, want, legajo.AgeBuckets[want].Label)
		}
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0 documentos", 1: "1 documento", 1834: "1,834 documentos", 1234567: "1,234,567 documentos"} {
		if got := legajo.Count(n, "documento", "documentos"); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}

type docStats legajo.DocStats

func (d *docStats) DocStats(_ context.Context, f legajo.StatsFilter, _ time.Time) (*legajo.DocStats, error) {
	s := legajo.DocStats(*d)
	s.Months = f.Months()
	return &s, nil
}

type phoneSpend []legajo.PhoneSpend

func (p phoneSpend) Spend(context.Context, legajo.StatsFilter) ([]legajo.PhoneSpend, error) {
	return p, nil
}

// TestStatsBuilder builds every chart from known sources: fallas by time
// to resolution against the 24 and 72 hours, cases on time by their
// steps' plazos, types beyond six summed as others, spend by área.
func TestStatsBuilder(t *testing.T) {
	ctx := context.Background()
	start := time.Date(2026, 10, 5, 9, 0, 0, 0, mexico)
	o, clock := caseOffice(t, start)
	cs := o.Cases
	p := mustProc(t, cs, legajo.FallasProcedure)
	// falla opens a report at opened in area and solves it after hours (0:
	// left open): the steps before the verification in the first hour,
	// the verification (24 h plazo) and the closing at opened+hours.
	falla := func(opened time.Time, area string, hours float64) *legajo.Case {
		t.Helper()
		*clock = opened
		c, err := o.OpenCase(ctx, legajo.OpenCaseRequest{Procedure: legajo.FallasProcedure, Area: area, Subject: "Sin tono", Author: "ana"})
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; hours > 0 && c.Status != legajo.CaseAtendido; i++ {
			*clock = opened.Add(time.Duration(i) * 10 * time.Minute)
			act := legajo.CaseAction{Kind: legajo.CaseStepDone, Step: c.Step, Author: "ana"}
			if s, _ := p.Step(c.Step); s.Decision != nil {
				act.Kind, act.Answer = legajo.CaseDecided, "Sí"
				*clock = opened.Add(time.Duration(hours*float64(time.Hour)) - time.Minute)
			} else if i > 3 {
				*clock = opened.Add(time.Duration(hours * float64(time.Hour)))
			}
			if c, err = cs.Act(ctx, c.Number, act); err != nil {
				t.Fatal(err)
			}
		}
		return c
	}
	tuxpan, xalapa := "Hospital General de Tuxpan", "Jurisdicción Sanitaria No. V Xalapa"
	quick := falla(start, tuxpan, 5)
	falla(start.AddDate(0, 0, 1), tuxpan, 30)
	falla(start.AddDate(0, 0, 2), xalapa, 80)
	falla(start.AddDate(0, 0, 3), xalapa, 0)
	gone := falla(start.AddDate(0, 0, 4), xalapa, 0)
	*clock = start.AddDate(0, 0, 5)
	if _, err := cs.Act(ctx, gone.Number, legajo.CaseAction{Kind: legajo.CaseCancelledK, Step: gone.Step, Reason: "Reporte duplicado", Author: "ana"}); err != nil {
		t.Fatal(err)
	}
	falla(start.AddDate(0, -3, 0), tuxpan, 2) // before the period
	if !quick.OnTime(p, cs.Cal()) {
		t.Errorf("a falla solved in 5 hours is late: %+v", quick.Steps)
	}

	docs := &docStats{ByType: map[string][]int{}, ByArea: map[string][]int{"": {1, 0}, tuxpan: {2, 3}},
		PendingAcuse: []int{1, 2, 0, 0, 4}, PendingFirma: []int{0, 0, 1, 0, 0}, Total: 36}
	for i := range 8 { // eight types: the six largest… five, and the rest as «Otros tipos»
		docs.ByType[fmt.Sprintf("tipo-%d", i)] = []int{i, 1}
	}
	phone := phoneSpend{
		{Month: time.Date(2026, 10, 1, 0, 0, 0, 0, mexico), Area: tuxpan, Amount: 1000.10},
		{Month: time.Date(2026, 10, 1, 0, 0, 0, 0, mexico), Area: tuxpan, Amount: 200.205},
		{Month: time.Date(2026, 11, 1, 0, 0, 0, 0, mexico), Area: xalapa, Amount: 5000},
		{Month: time.Date(2026, 6, 1, 0, 0, 0, 0, mexico), Area: xalapa, Amount: 99999}, // outside the period
	}
	b := legajo.StatsBuilder{Docs: docs, Cases: cs, Procedures: cs.Procedures, Phone: phone,
		Title: func(id string) string { return strings.ToUpper(id) }}
	f, err := legajo.ParseStatsFilter("2026-10", "2026-11", "", start, mexico)
	if err != nil {
		t.Fatal(err)
	}
	st, err := b.Build(ctx, f, time.Date(2026, 11, 30, 9, 0, 0, 0, mexico))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range st.Charts {
		ids = append(ids, c.ID)
	}
	if got := strings.Join(ids, " "); got != "documentos-tipo documentos-area pendientes fallas tramites telefonia" {
		t.Fatalf("charts: %s", got)
	}
	table := func(id string) string {
		c, _ := st.Chart(id)
		var rows []string
		for i, cat := range c.Categories {
			row := []string{cat}
			for _, s := range append(append([]legajo.Series{}, c.Series...), c.Extra...) {
				row = append(row, c.FormatValue(s, s.Values[i]))
			}
			rows = append(rows, strings.Join(row, " "))
		}
		return strings.Join(rows, "\n")
	}
	for id, want := range map[string]string{
		"fallas": "Hospital General de Tuxpan 1 1 0 0 17.5\n" + // 5 and 30 hours
			"Jurisdicción Sanitaria No. V Xalapa 0 0 1 1 80", // 80 hours, one open; the cancelled one left out
		"tramites": "12. Gestión y Apoyo de Reportes de Fallas en Líneas Telefónicas y Servicios de Internet 1 2 1 33.3 %",
		"telefonia": "octubre de 2026 $0.00 $1,200.31\n" + // Xalapa, which spent most, first
			"noviembre de 2026 $5,000.00 $0.00",
		"pendientes":      "Hasta 7 días 1 0\n8 a 15 días 2 0\n16 a 30 días 0 1\n31 a 90 días 0 0\nMás de 90 días 4 0",
		"documentos-area": "octubre de 2026 2 1\nnoviembre de 2026 3 0",
	} {
		if got := table(id); got != want {
			t.Errorf("%s:\n%s\nwant\n%s", id, got, want)
		}
	}
	types, _ := st.Chart("documentos-tipo")
	var names []string
	for _, s := range types.Series {
		names = append(names, s.Name)
	}
	if got := strings.Join(names, ","); got != "TIPO-7,TIPO-6,TIPO-5,TIPO-4,TIPO-3,Otros tipos" {
		t.Errorf("type series: %s", got)
	}
	if other := types.Series[5].Values; other[0] != 0+1+2 || other[1] != 3 {
		t.Errorf("others = %v, want [3 3]", other)
	}
	// One área: its fallas and its spend only.
	f.Area = xalapa
	st, err = b.Build(ctx, f, time.Date(2026, 11, 30, 9, 0, 0, 0, mexico))
	if err != nil {
		t.Fatal(err)
	}
	if got := table("fallas"); got != "Jurisdicción Sanitaria No. V Xalapa 0 0 1 1 80" {
		t.Errorf("fallas of Xalapa:\n%s", got)
	}
	if got := table("tramites"); !strings.HasSuffix(got, " 0 1 1 0.0 %") {
		t.Errorf("cases of Xalapa:\n%s", got)
	}
	if c, _ := st.Chart("telefonia"); len(c.Series) != 1 || c.Series[0].Name != xalapa {
		t.Errorf("telephony of Xalapa: %+v", c.Series)
	}
	// A share with nothing resolved is no figure, not 0 %.
	c := legajo.Chart{Extra: []legajo.Series{{Percent: true}}}
	if got := c.FormatValue(c.Extra[0], math.NaN()); got != "—" {
		t.Errorf("NaN = %q", got)
	}
}
