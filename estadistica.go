package legajo

import (
	"context"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The department's statistics (the Estadísticas page, its XLSX and the
// monthly Informe del Departamento) are figures derived from the archive
// like everything else: the documents by month, type and área are counted
// by the search index (which follows the archive and is rebuilt from it),
// the cases are replayed from their events (Cases), and the telephony
// spend is read from the documents that report it. Nothing here is stored:
// the same archive gives the same figures.

// StatsFilter is the period and área the statistics cover: whole months,
// From the first day of the first month and To the first day of the month
// after the last, in the department's time zone.
type StatsFilter struct {
	From time.Time
	To   time.Time
	Area string // "" for every área
}

// MaxStatsMonths bounds a period: five years of months is plenty for a
// chart and keeps a request cheap.
const MaxStatsMonths = 60

// ParseStatsFilter reads a period typed as months (AAAA-MM, what an
// <input type="month"> sends) and an área. Empty months default to the last
// twelve months up to now's.
func ParseStatsFilter(desde, hasta, area string, now time.Time, zone *time.Location) (StatsFilter, error) {
	now = now.In(zone)
	last := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, zone)
	var f StatsFilter
	var problems []Problem
	month := func(field, label, s string, def time.Time) time.Time {
		s = strings.TrimSpace(s)
		if s == "" {
			return def
		}
		t, err := time.ParseInLocation("2006-01", s, zone)
		if err != nil {
			problems = append(problems, Problem{Field: field, Message: fmt.Sprintf("«%s» no es un mes válido: escríbalo como AAAA-MM (por ejemplo 2026-03) o elíjalo en el calendario.", label)})
			return def
		}
		return t
	}
	f.From = month("desde", "Desde", desde, last.AddDate(0, -11, 0))
	to := month("hasta", "Hasta", hasta, last)
	f.To = to.AddDate(0, 1, 0)
	f.Area = strings.TrimSpace(area)
	if len(problems) == 0 {
		switch n := f.MonthCount(); {
		case n <= 0:
			problems = append(problems, Problem{Field: "hasta", Message: "«Hasta» es anterior a «Desde»: elija un mes igual o posterior."})
		case n > MaxStatsMonths:
			problems = append(problems, Problem{Field: "hasta", Message: fmt.Sprintf("El periodo abarca %d meses; elija %d meses o menos.", n, MaxStatsMonths)})
		}
	}
	if len(problems) > 0 {
		return f, &ValidationError{Problems: problems}
	}
	return f, nil
}

// MonthCount is the number of months the filter covers.
func (f StatsFilter) MonthCount() int {
	return (f.To.Year()-f.From.Year())*12 + int(f.To.Month()) - int(f.From.Month())
}

// Months lists the first day of every month of the period.
func (f StatsFilter) Months() []time.Time {
	var out []time.Time
	for m := f.From; m.Before(f.To) && len(out) <= MaxStatsMonths; m = m.AddDate(0, 1, 0) {
		out = append(out, m)
	}
	return out
}

// MonthIndex is the position of t's month in Months, or -1 outside.
func (f StatsFilter) MonthIndex(t time.Time) int {
	if t.Before(f.From) || !t.Before(f.To) {
		return -1
	}
	t = t.In(f.From.Location())
	return (t.Year()-f.From.Year())*12 + int(t.Month()) - int(f.From.Month())
}

// Period words the filter for people: «enero a diciembre de 2026», «marzo
// de 2025 a febrero de 2026», «noviembre de 2026».
func (f StatsFilter) Period() string {
	last := f.To.AddDate(0, -1, 0)
	switch {
	case f.MonthCount() == 1:
		return MonthYear(f.From)
	case f.From.Year() == last.Year():
		return monthNames[f.From.Month()-1] + " a " + MonthYear(last)
	}
	return MonthYear(f.From) + " a " + MonthYear(last)
}

// MonthYear writes t's month for people: «noviembre de 2026».
func MonthYear(t time.Time) string {
	return monthNames[t.Month()-1] + " de " + strconv.Itoa(t.Year())
}

var monthAbbr = [...]string{"ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"}

// MonthAxis labels months under a chart's bars: «ene» with the year under
// it for the first month and each January; past a year and a half of
// months only every third (ene, abr, jul, oct) is labelled, so that the
// labels never run into each other. The table beside has every month.
func MonthAxis(months []time.Time) []string {
	out := make([]string, len(months))
	for i, m := range months {
		if len(months) > 18 && (m.Month()-1)%3 != 0 {
			continue
		}
		out[i] = monthAbbr[m.Month()-1]
		if i == 0 || m.Month() == time.January {
			out[i] += "\n" + strconv.Itoa(m.Year())
		}
	}
	return out
}

// AgeBuckets are the ages by which pending documents are counted, in days
// since they were issued: up to 7, 8–15, 16–30, 31–90 and more.
var AgeBuckets = []struct {
	MaxDays int // inclusive; 0 for the last, unbounded
	Label   string
}{
	{7, "Hasta 7 días"},
	{15, "8 a 15 días"},
	{30, "16 a 30 días"},
	{90, "31 a 90 días"},
	{0, "Más de 90 días"},
}

// AgeBucket is the AgeBuckets position of a document issued at issued and
// still pending at now.
func AgeBucket(issued, now time.Time) int {
	days := int(now.Sub(issued).Hours() / 24)
	for i, b := range AgeBuckets {
		if b.MaxDays > 0 && days <= b.MaxDays {
			return i
		}
	}
	return len(AgeBuckets) - 1
}

// DocStats are the documents counted by the index for a StatsFilter.
type DocStats struct {
	Months []time.Time
	// ByType and ByArea count the documents issued or received in each
	// month (cancelled ones too: they kept their folio), by type id and by
	// área ("" for documents with none).
	ByType map[string][]int
	ByArea map[string][]int
	// PendingAcuse and PendingFirma count the documents of the área that
	// wait, at the time asked, for their acuse or their signed exemplar, by
	// AgeBuckets: whatever month they were issued in.
	PendingAcuse []int
	PendingFirma []int
	Total        int
}

// StatsSource counts documents for the statistics; implemented by the
// search index.
type StatsSource interface {
	// DocStats counts the documents of f, and those pending at now. Errors
	// are failures of the index.
	DocStats(ctx context.Context, f StatsFilter, now time.Time) (*DocStats, error)
}

// PhoneSpend is what an área spent on telephony in one month.
type PhoneSpend struct {
	Month  time.Time // first day of the month
	Area   string
	Amount float64 // pesos
}

// PhoneSource gives the telephony spend of a period.
type PhoneSource interface {
	// Spend lists the spend of the months of f (of f.Area only when set).
	Spend(ctx context.Context, f StatsFilter) ([]PhoneSpend, error)
}

// ChartKind is how a chart draws its series.
type ChartKind string

const (
	ChartStacked ChartKind = "apiladas" // bars, one stack per category
	ChartGrouped ChartKind = "agrupadas"
)

// Chart is one figure of the statistics: a table of categories (rows) by
// series (columns), drawn as bars. The web page draws it as SVG with the
// table beside it, the XLSX as a native chart over the same cells, the
// Informe as an image; all from this one value.
type Chart struct {
	ID       string // for file names and anchors: documentos-tipo
	Title    string
	Caption  string // what it shows and where the figures come from
	Category string // heading of the category column: Mes, Área …
	Value    string // what is counted: Documentos, Pesos …
	Kind     ChartKind
	Money    bool
	// Categories label the rows; Axis, when set, the chart's axis (shorter).
	Categories []string
	Axis       []string
	Series     []Series
	// Extra are columns of the table the chart does not draw (a median, a
	// share).
	Extra []Series
}

// Series is one column of a chart's table.
type Series struct {
	Name    string
	Values  []float64
	Percent bool   // values are 0–100 shares (Extra columns)
	Color   string // RRGGBB when the series has a meaning of its own (late in red); "" takes the palette's
}

// Empty tells whether the chart has nothing to draw.
func (c Chart) Empty() bool {
	for _, s := range c.Series {
		for _, v := range s.Values {
			if v != 0 {
				return false
			}
		}
	}
	return true
}

// Total is the sum of a category's drawn values.
func (c Chart) Total(category int) float64 {
	var t float64
	for _, s := range c.Series {
		if category < len(s.Values) {
			t += s.Values[category]
		}
	}
	return t
}

// AxisLabels are the labels under the chart's bars.
func (c Chart) AxisLabels() []string {
	if len(c.Axis) == len(c.Categories) {
		return c.Axis
	}
	return c.Categories
}

// FormatValue writes a value of the chart's table as people read it:
// «1,234», «$12,345.60», «87.5 %».
func (c Chart) FormatValue(s Series, v float64) string {
	switch {
	case math.IsNaN(v):
		return "—"
	case s.Percent:
		return strconv.FormatFloat(v, 'f', 1, 64) + " %"
	case c.Money:
		return FormatMoney(strconv.FormatFloat(v, 'f', 2, 64))
	case v == math.Trunc(v):
		return groupThousands(strconv.FormatFloat(v, 'f', 0, 64))
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// Stats are the department's statistics for a filter.
type Stats struct {
	Filter    StatsFilter
	Generated time.Time
	Documents int // issued or received in the period
	Charts    []Chart
}

// Chart returns the chart id, or false.
func (s *Stats) Chart(id string) (Chart, bool) {
	for _, c := range s.Charts {
		if c.ID == id {
			return c, true
		}
	}
	return Chart{}, false
}

// StatsBuilder gathers the statistics from their sources.
type StatsBuilder struct {
	Docs       StatsSource
	Cases      *Cases // nil: no charts of cases
	Procedures *Procedures
	Phone      PhoneSource // nil: no telephony chart
	// Title names a type id for people; nil writes the id.
	Title func(typeID string) string
}

// maxSeries is how many series a chart draws before the rest become
// «Otros»: more colours than that cannot be told apart.
const maxSeries = 6

// FallasProcedure is the procedure whose cases are the fallas of lines
// and internet services, with the manual's 24 h and 48 h plazos.
const FallasProcedure = "fallas-lineas"

// Build gathers the statistics of f at now.
func (b StatsBuilder) Build(ctx context.Context, f StatsFilter, now time.Time) (*Stats, error) {
	ds, err := b.Docs.DocStats(ctx, f, now)
	if err != nil {
		return nil, fmt.Errorf("statistics: documents: %w", err)
	}
	st := &Stats{Filter: f, Generated: now, Documents: ds.Total}
	months := make([]string, len(ds.Months))
	for i, m := range ds.Months {
		months[i] = MonthYear(m)
	}
	axis := MonthAxis(ds.Months)
	title := b.Title
	if title == nil {
		title = func(id string) string { return id }
	}
	st.Charts = append(st.Charts,
		Chart{ID: "documentos-tipo", Title: "Documentos por mes y tipo", Category: "Mes", Value: "Documentos", Kind: ChartStacked,
			Caption:    "Documentos emitidos y correspondencia registrada cada mes, por tipo (incluye los cancelados, que conservan su folio).",
			Categories: months, Axis: axis, Series: topSeries(ds.ByType, title, "Otros tipos")},
		Chart{ID: "documentos-area", Title: "Documentos por mes y área", Category: "Mes", Value: "Documentos", Kind: ChartStacked,
			Caption:    "Los mismos documentos, por el área a la que se refieren.",
			Categories: months, Axis: axis, Series: topSeries(ds.ByArea, func(a string) string {
				if a == "" {
					return "Sin área"
				}
				return a
			}, "Otras áreas")},
		pendingChart(ds, now))
	if b.Cases != nil {
		cases := b.Cases.List(CaseFilter{})
		st.Charts = append(st.Charts, fallasChart(cases, f, now), b.casesChart(cases, f, now))
	}
	if b.Phone != nil {
		spend, err := b.Phone.Spend(ctx, f)
		if err != nil {
			return nil, fmt.Errorf("statistics: telephony: %w", err)
		}
		st.Charts = append(st.Charts, phoneChart(spend, f, months, axis))
	}
	return st, nil
}

// topSeries makes the series of counts by key: the largest maxSeries-1
// keys by total, the rest summed as other (all of them when they fit).
func topSeries(by map[string][]int, name func(string) string, other string) []Series {
	type kv struct {
		key   string
		total int
	}
	var keys []kv
	for k, v := range by {
		t := 0
		for _, n := range v {
			t += n
		}
		if t > 0 {
			keys = append(keys, kv{k, t})
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].total != keys[j].total {
			return keys[i].total > keys[j].total
		}
		return keys[i].key < keys[j].key
	})
	var out []Series
	var rest []float64
	for i, k := range keys {
		v := by[k.key]
		if len(keys) > maxSeries && i >= maxSeries-1 {
			if rest == nil {
				rest = make([]float64, len(v))
			}
			for j, n := range v {
				rest[j] += float64(n)
			}
			continue
		}
		s := Series{Name: name(k.key), Values: make([]float64, len(v))}
		for j, n := range v {
			s.Values[j] = float64(n)
		}
		out = append(out, s)
	}
	if rest != nil {
		out = append(out, Series{Name: other, Values: rest})
	}
	return out
}

func pendingChart(ds *DocStats, now time.Time) Chart {
	c := Chart{ID: "pendientes", Title: "Acuses y firmas pendientes por antigüedad", Category: "Antigüedad", Value: "Documentos", Kind: ChartGrouped,
		Caption: "Documentos que al " + LongDate(now) + " esperan su acuse de recibido o su ejemplar firmado, por días desde su emisión (de cualquier mes)."}
	acuse := Series{Name: "Pendientes de acuse"}
	firma := Series{Name: "Pendientes de firma"}
	for i, b := range AgeBuckets {
		c.Categories = append(c.Categories, b.Label)
		acuse.Values = append(acuse.Values, float64(at(ds.PendingAcuse, i)))
		firma.Values = append(firma.Values, float64(at(ds.PendingFirma, i)))
	}
	c.Series = []Series{acuse, firma}
	return c
}

func at(v []int, i int) int {
	if i < len(v) {
		return v[i]
	}
	return 0
}

// Resolution is when a case was resolved: its procedure reached an end
// (atendido) or, failing that, it was closed. ok is false while it is not.
func (c *Case) Resolution() (time.Time, bool) {
	for _, ev := range c.Events {
		switch ev.Kind {
		case CaseStepDone, CaseDecided, CaseExpired:
			if ev.To == "" {
				return ev.At, true
			}
		case CaseClosed:
			return ev.At, true
		}
	}
	return time.Time{}, false
}

// Fallas buckets: the manual's plazos are 24 hours to attend a report and 48
// hours after the second e-mail (sent at 24 hours) to solve it.
var fallaBuckets = []Series{
	{Name: "Resueltas en 24 h o menos", Color: colorOnTime},
	{Name: "Resueltas entre 24 y 72 h", Color: colorLate},
	{Name: "Resueltas en más de 72 h", Color: colorOverdue},
	{Name: "Sin resolver", Color: colorOpen},
}

// Colours with a meaning, from the Okabe–Ito palette (told apart with the
// common colour-vision deficiencies): in plazo, late, very late, open.
const (
	colorOnTime  = "009E73"
	colorLate    = "E69F00"
	colorOverdue = "D55E00"
	colorOpen    = "999999"
)

func fallasChart(cases []*Case, f StatsFilter, now time.Time) Chart {
	c := Chart{ID: "fallas", Title: "Fallas de líneas y servicios por área y tiempo de resolución", Category: "Área", Value: "Reportes de falla", Kind: ChartStacked,
		Caption: "Trámites del procedimiento de fallas en líneas telefónicas e internet abiertos en el periodo, por tiempo de la apertura a la solución, " +
			"contra los plazos del manual: 24 horas para la atención y 48 horas más tras el segundo correo (72 horas en total)."}
	idx := map[string]int{}
	var counts [][4]float64
	var hours [][]float64
	for _, cs := range cases {
		if cs.Procedure != FallasProcedure || cs.Status == CaseCancelado || f.MonthIndex(cs.Opened) < 0 || (f.Area != "" && cs.Area != f.Area) {
			continue
		}
		area := cs.Area
		if area == "" {
			area = "Sin área"
		}
		i, ok := idx[area]
		if !ok {
			i = len(c.Categories)
			idx[area] = i
			c.Categories = append(c.Categories, area)
			counts = append(counts, [4]float64{})
			hours = append(hours, nil)
		}
		end, done := cs.Resolution()
		if !done {
			counts[i][3]++
			continue
		}
		h := end.Sub(cs.Opened).Hours()
		hours[i] = append(hours[i], h)
		switch {
		case h <= 24:
			counts[i][0]++
		case h <= 72:
			counts[i][1]++
		default:
			counts[i][2]++
		}
	}
	// Áreas by name, so that months compare.
	order := make([]int, len(c.Categories))
	for i := range order {
		order[i] = i
	}
	sort.Slice(order, func(a, b int) bool { return c.Categories[order[a]] < c.Categories[order[b]] })
	cats := make([]string, len(order))
	for j, b := range fallaBuckets {
		s := Series{Name: b.Name, Color: b.Color, Values: make([]float64, len(order))}
		for k, i := range order {
			s.Values[k] = counts[i][j]
			cats[k] = c.Categories[i]
		}
		c.Series = append(c.Series, s)
	}
	med := Series{Name: "Mediana de resolución (horas)", Values: make([]float64, len(order))}
	for k, i := range order {
		med.Values[k] = median(hours[i])
	}
	c.Categories = cats
	c.Extra = []Series{med}
	return c
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + m) / 2
	}
	return math.Round(m*10) / 10
}

// OnTime tells whether a resolved case met its plazos: every step was done
// before the first plazo the manual gives it passed, and the case was
// resolved by the due date of its last turno. Without a procedure, only the
// turno counts.
func (c *Case) OnTime(p *Procedimiento, cal *Calendar) bool {
	end, ok := c.Resolution()
	if !ok {
		return false
	}
	if !c.AssignedDue.IsZero() && end.After(c.AssignedDue) {
		return false
	}
	for _, ev := range c.Events {
		if ev.Kind == CaseExpired {
			return false
		}
	}
	if p == nil {
		return true
	}
	for _, sr := range c.Steps {
		s, ok := p.Step(sr.N)
		if !ok || len(s.Deadlines) == 0 {
			continue
		}
		done := sr.Done
		if done.IsZero() {
			done = end
		}
		if done.After(s.Deadlines[0].due(cal, sr.Began, time.Time{})) {
			return false
		}
	}
	return true
}

func (b StatsBuilder) casesChart(cases []*Case, f StatsFilter, now time.Time) Chart {
	c := Chart{ID: "tramites", Title: "Trámites por procedimiento y cumplimiento de plazos", Category: "Procedimiento", Value: "Trámites", Kind: ChartStacked,
		Caption: "Trámites abiertos en el periodo por procedimiento del manual: resueltos dentro de sus plazos, resueltos fuera de plazo y en curso. " +
			"La última columna es la proporción de los resueltos que lo fue en plazo."}
	type row struct{ onTime, late, open float64 }
	rows := map[string]*row{}
	var cal *Calendar
	if b.Cases != nil {
		cal = b.Cases.Cal()
	}
	for _, cs := range cases {
		if cs.Status == CaseCancelado || f.MonthIndex(cs.Opened) < 0 || (f.Area != "" && cs.Area != f.Area) {
			continue
		}
		r := rows[cs.Procedure]
		if r == nil {
			r = &row{}
			rows[cs.Procedure] = r
		}
		p, _ := b.Procedures.Get(cs.Procedure)
		switch _, done := cs.Resolution(); {
		case !done:
			r.open++
		case cs.OnTime(p, cal):
			r.onTime++
		default:
			r.late++
		}
	}
	on := Series{Name: "Resueltos en plazo", Color: colorOnTime}
	late := Series{Name: "Resueltos fuera de plazo", Color: colorOverdue}
	open := Series{Name: "En curso", Color: colorOpen}
	share := Series{Name: "Resueltos en plazo (%)", Percent: true}
	add := func(id, label, axis string) {
		r := rows[id]
		if r == nil {
			return
		}
		delete(rows, id)
		c.Categories = append(c.Categories, label)
		c.Axis = append(c.Axis, axis)
		on.Values = append(on.Values, r.onTime)
		late.Values = append(late.Values, r.late)
		open.Values = append(open.Values, r.open)
		if r.onTime+r.late == 0 {
			share.Values = append(share.Values, math.NaN())
		} else {
			share.Values = append(share.Values, math.Round(1000*r.onTime/(r.onTime+r.late))/10)
		}
	}
	for i, p := range b.Procedures.All() {
		add(p.ID, fmt.Sprintf("%d. %s", i+1, p.Name), fmt.Sprintf("Proc. %d", i+1))
	}
	rest := make([]string, 0, len(rows))
	for id := range rows {
		rest = append(rest, id)
	}
	sort.Strings(rest)
	for _, id := range rest { // a procedure no longer configured
		add(id, id, id)
	}
	c.Series = []Series{on, late, open}
	c.Extra = []Series{share}
	return c
}

func phoneChart(spend []PhoneSpend, f StatsFilter, months, axis []string) Chart {
	c := Chart{ID: "telefonia", Title: "Gasto en telefonía por mes y área", Category: "Mes", Value: "Pesos", Kind: ChartStacked, Money: true,
		Caption:    "Consumo facturado de las líneas de cada área, por mes del periodo facturado.",
		Categories: months, Axis: axis}
	by := map[string][]float64{}
	for _, s := range spend {
		i := f.MonthIndex(s.Month)
		if i < 0 || (f.Area != "" && s.Area != f.Area) {
			continue
		}
		if by[s.Area] == nil {
			by[s.Area] = make([]float64, len(months))
		}
		by[s.Area][i] += s.Amount
	}
	// Rounded to cents after summing: a chart of pesos.
	ints := map[string][]int{}
	for a, v := range by {
		cents := make([]int, len(v))
		for i, x := range v {
			cents[i] = int(math.Round(x * 100))
		}
		ints[a] = cents
	}
	c.Series = topSeries(ints, func(a string) string { return a }, "Otras áreas")
	for i := range c.Series {
		for j := range c.Series[i].Values {
			c.Series[i].Values[j] /= 100
		}
	}
	return c
}

// Count writes n things as people read a figure: «1 documento», «1,834
// documentos».
func Count(n int, singular, plural string) string {
	if n == 1 {
		return "1 " + singular
	}
	return groupThousands(strconv.Itoa(n)) + " " + plural
}
