package legajo

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The monthly analysis of procedure 10 (activities 4 to 7): each line's
// rent, local, long-distance, mobile and additional charges against the
// line's plan and against its own last six months, the lines above normal
// with the reason in words, and the totals per área (Unidad Aplicativa)
// that the reporte de consumo and the propuesta de reducción are made from.

// TelephonyRules say when a line is above normal.
type TelephonyRules struct {
	// Tolerance: a line whose consumption passes its plan's cost by more
	// than this is flagged («excede su plan en …»).
	Tolerance Centavos `json:"tolerancia"`
	// Factor and MinIncrease: a charge at Factor times its average of the
	// previous months, and MinIncrease above it, is flagged; both, so
	// that $3 against $1 is not news.
	Factor      float64  `json:"factor"`
	MinIncrease Centavos `json:"aumento_minimo"`
	// MinMonths of history make an average; a newer line is judged by its
	// plan alone.
	MinMonths int `json:"meses_minimos"`
}

// DefaultTelephonyRules flag a line $100.00 over its plan, or a charge at
// twice its average and $150.00 above it, with three months of history.
var DefaultTelephonyRules = TelephonyRules{Tolerance: 10000, Factor: 2, MinIncrease: 15000, MinMonths: 3}

// HistoryMonths is how far back a line's average goes.
const HistoryMonths = 6

// LinePlan is what the register of líneas telefónicas y servicios knows
// of a line: its contracted plan and who answers for it.
type LinePlan struct {
	Number      string   `json:"numero"`
	Service     string   `json:"servicio,omitempty"`
	Plan        string   `json:"paquete"`
	Amount      Centavos `json:"importe"`
	Provider    string   `json:"proveedor,omitempty"`
	Area        string   `json:"area,omitempty"`
	Location    string   `json:"ubicacion,omitempty"`
	Responsable string   `json:"responsable,omitempty"`
}

// LinePlans looks up a line's registered plan; nil, or false for a line
// that is not registered: the bill's own package and rent stand for it.
type LinePlans func(number string) (LinePlan, bool)

// LineAnalysis is one line of a bill, judged.
type LineAnalysis struct {
	BillLine
	PlanName   string   `json:"paquete_analizado"`
	PlanAmount Centavos `json:"costo_paquete"`
	// PlanSource tells where the plan came from: "registro" or "factura".
	PlanSource  string `json:"origen_paquete"`
	Responsable string `json:"responsable,omitempty"`
	// Excess is the consumption over the plan's cost (never negative).
	Excess Centavos `json:"excedente"`
	// Months of history averaged, and the averages per charge.
	Months       int      `json:"meses"`
	AvgLocal     Centavos `json:"promedio_local"`
	AvgLD        Centavos `json:"promedio_larga_distancia"`
	AvgMobile    Centavos `json:"promedio_celular"`
	AvgServices  Centavos `json:"promedio_servicios"`
	AvgTotal     Centavos `json:"promedio_total"`
	Previous     Centavos `json:"mes_anterior"` // the month before's total; 0 with HasPrevious false
	HasPrevious  bool     `json:"tiene_mes_anterior"`
	Reasons      []string `json:"motivos,omitempty"`
	ExcessReason bool     `json:"excede_paquete,omitempty"` // among the reasons, the plan's
}

// AboveNormal tells whether the line is flagged.
func (l LineAnalysis) AboveNormal() bool { return len(l.Reasons) > 0 }

// AreaTotals add up the lines of one área.
type AreaTotals struct {
	Area         string   `json:"area"`
	Lines        int      `json:"lineas"`
	Flagged      int      `json:"lineas_anormales"`
	OverPlan     int      `json:"lineas_excedidas"`
	Rent         Centavos `json:"renta"`
	Local        Centavos `json:"local"`
	LongDistance Centavos `json:"larga_distancia"`
	Mobile       Centavos `json:"celular"`
	Services     Centavos `json:"servicios"`
	Total        Centavos `json:"total"`
	Plans        Centavos `json:"paquetes"`
	Excess       Centavos `json:"excedente"`
	Previous     Centavos `json:"mes_anterior"`
}

func (a *AreaTotals) add(l LineAnalysis) {
	a.Lines++
	if l.AboveNormal() {
		a.Flagged++
	}
	if l.ExcessReason {
		a.OverPlan++
	}
	a.Rent += l.Rent
	a.Local += l.Local
	a.LongDistance += l.LongDistance
	a.Mobile += l.Mobile
	a.Services += l.Services
	a.Total += l.Total()
	a.Plans += l.PlanAmount
	a.Excess += l.Excess
	a.Previous += l.Previous
}

// Analysis is a bill judged: every line, the áreas and the whole.
type Analysis struct {
	Account  string         `json:"cuenta"`
	Period   string         `json:"periodo"`
	Provider string         `json:"proveedor"`
	Rules    TelephonyRules `json:"reglas"`
	// History lists the periods the averages were taken from.
	History []string       `json:"historial,omitempty"`
	Lines   []LineAnalysis `json:"lineas"`
	Areas   []AreaTotals   `json:"areas"`
	Totals  AreaTotals     `json:"totales"`
}

// NoArea names the área of a line neither the bill nor the register
// assigns.
const NoArea = "Sin área asignada"

// Analyze judges bill against its lines' plans and the bills of the six
// months before it (history may hold any bills: only those months are
// used, and of two bills of one month with the same line, the later in
// history wins).
func Analyze(bill *Bill, history []*Bill, plans LinePlans, rules TelephonyRules) *Analysis {
	a := &Analysis{Account: bill.Account, Period: bill.Period, Provider: bill.Provider, Rules: rules}
	window := map[string]int{} // period → months before bill.Period
	for k := 1; k <= HistoryMonths; k++ {
		window[AddMonths(bill.Period, -k)] = k
	}
	type past struct {
		months                             int
		local, ld, mobile, services, total Centavos
		previous                           Centavos
		hasPrevious                        bool
	}
	// One entry per line and month, so that a month imported twice counts
	// once.
	type key struct {
		number string
		k      int
	}
	months := map[key]BillLine{}
	for _, h := range history {
		k, ok := window[h.Period]
		if !ok {
			continue
		}
		if !slices.Contains(a.History, h.Period) {
			a.History = append(a.History, h.Period)
		}
		for _, l := range h.Lines {
			months[key{l.Number, k}] = l
		}
	}
	slices.Sort(a.History)
	pasts := make(map[string]*past, len(bill.Lines))
	for _, l := range bill.Lines {
		pasts[l.Number] = &past{}
	}
	for mk, l := range months {
		p := pasts[mk.number]
		if p == nil {
			continue
		}
		p.months++
		p.local += l.Local
		p.ld += l.LongDistance
		p.mobile += l.Mobile
		p.services += l.Services
		p.total += l.Total()
		if mk.k == 1 {
			p.previous, p.hasPrevious = l.Total(), true
		}
	}
	areas := map[string]*AreaTotals{}
	a.Lines = make([]LineAnalysis, 0, len(bill.Lines))
	for _, l := range bill.Lines {
		la := LineAnalysis{BillLine: l, PlanName: l.Plan, PlanAmount: l.Rent, PlanSource: "factura"}
		if plans != nil {
			if p, ok := plans(l.Number); ok {
				la.PlanName, la.PlanAmount, la.PlanSource, la.Responsable = p.Plan, p.Amount, "registro", p.Responsable
				if p.Area != "" {
					la.Area = p.Area
				}
				if p.Location != "" {
					la.Location = p.Location
				}
			}
		}
		if strings.TrimSpace(la.Area) == "" {
			la.Area = NoArea
		}
		if ex := l.Total() - la.PlanAmount; ex > 0 {
			la.Excess = ex
		}
		if la.Excess > rules.Tolerance {
			la.Reasons = append(la.Reasons, "excede su plan en "+la.Excess.String())
			la.ExcessReason = true
		}
		p := pasts[l.Number]
		la.Months, la.Previous, la.HasPrevious = p.months, p.previous, p.hasPrevious
		if p.months > 0 {
			n := Centavos(p.months)
			la.AvgLocal, la.AvgLD, la.AvgMobile, la.AvgServices, la.AvgTotal = p.local/n, p.ld/n, p.mobile/n, p.services/n, p.total/n
		}
		if p.months >= max(rules.MinMonths, 1) {
			for _, c := range []struct {
				what     string
				cur, avg Centavos
			}{
				{"consumo local", l.Local, la.AvgLocal},
				{"larga distancia", l.LongDistance, la.AvgLD},
				{"consumo de celular", l.Mobile, la.AvgMobile},
				{"servicios adicionales", l.Services, la.AvgServices},
			} {
				if r := unusual(c.what, c.cur, c.avg, p.months, rules); r != "" {
					la.Reasons = append(la.Reasons, r)
				}
			}
		}
		at := areas[la.Area]
		if at == nil {
			at = &AreaTotals{Area: la.Area}
			areas[la.Area] = at
		}
		at.add(la)
		a.Totals.add(la)
		a.Lines = append(a.Lines, la)
	}
	for _, at := range areas {
		a.Areas = append(a.Areas, *at)
	}
	slices.SortFunc(a.Areas, func(x, y AreaTotals) int { return strings.Compare(x.Area, y.Area) })
	a.Totals.Area = "Total"
	return a
}

// unusual words why a charge is above its average, or "".
func unusual(what string, cur, avg Centavos, months int, rules TelephonyRules) string {
	if cur-avg < rules.MinIncrease {
		return ""
	}
	span := strconv.Itoa(months) + " meses"
	if months == 1 {
		span = "1 mes"
	}
	if avg <= 0 {
		return fmt.Sprintf("%s de %s sin consumo en sus %s anteriores", what, cur, span)
	}
	ratio := float64(cur) / float64(avg)
	if ratio < rules.Factor {
		return ""
	}
	return fmt.Sprintf("%s %s veces su promedio de %s", what, strconv.FormatFloat(ratio, 'f', 1, 64), span)
}

// Flagged lists the lines above normal, of área area ("" for all), the
// largest excess first.
func (a *Analysis) Flagged(area string) []LineAnalysis {
	var out []LineAnalysis
	for _, l := range a.Lines {
		if l.AboveNormal() && (area == "" || l.Area == area) {
			out = append(out, l)
		}
	}
	slices.SortStableFunc(out, func(x, y LineAnalysis) int {
		switch {
		case x.Excess != y.Excess:
			if x.Excess > y.Excess {
				return -1
			}
			return 1
		case x.Total() != y.Total():
			if x.Total() > y.Total() {
				return -1
			}
			return 1
		}
		return strings.Compare(x.Number, y.Number)
	})
	return out
}

// Area returns the totals of área name.
func (a *Analysis) Area(name string) (AreaTotals, bool) {
	for _, at := range a.Areas {
		if at.Area == name {
			return at, true
		}
	}
	return AreaTotals{}, false
}

// ParsePeriod reads a billing period, AAAA-MM.
func ParsePeriod(s string) (time.Time, error) {
	t, err := time.Parse("2006-01", strings.TrimSpace(s))
	if err != nil || t.Year() < 2000 {
		return time.Time{}, Errorf(ErrInvalid, "El periodo «%s» no es un mes válido: elíjalo como AAAA-MM, p. ej. 2026-10.", printable(s))
	}
	return t, nil
}

// PeriodLabel words a period: «octubre de 2026».
func PeriodLabel(p string) string {
	t, err := time.Parse("2006-01", p)
	if err != nil {
		return p
	}
	return monthNames[t.Month()-1] + " de " + strconv.Itoa(t.Year())
}

// AddMonths moves period p by n months.
func AddMonths(p string, n int) string {
	t, err := time.Parse("2006-01", p)
	if err != nil {
		return ""
	}
	return t.AddDate(0, n, 0).Format("2006-01")
}
